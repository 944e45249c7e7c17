-- ∂ILP task graph_colouring (train world, seed 0): learn table graph_colouring.
-- Reference program:
--   graph_colouring(X) :- edge(X, Y), colour(X, Z), colour(Y, Z).
CREATE TABLE colour (node TEXT, colour TEXT);
INSERT INTO colour VALUES ('n0', 'green'), ('n1', 'green'), ('n2', 'red'), ('n3', 'green'), ('n4', 'red'), ('n5', 'green'), ('n6', 'green'), ('n7', 'green');
CREATE TABLE red (colour TEXT);
INSERT INTO red VALUES ('red');
CREATE TABLE green (colour TEXT);
INSERT INTO green VALUES ('green');
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('n1', 'n6'), ('n2', 'n0'), ('n2', 'n6'), ('n4', 'n2'), ('n4', 'n7'), ('n5', 'n0'), ('n5', 'n4'), ('n5', 'n7'), ('n6', 'n5'), ('n7', 'n5');
CREATE TABLE graph_colouring (x TEXT);
INSERT INTO graph_colouring VALUES ('n1'), ('n4'), ('n5'), ('n6'), ('n7');
