-- ∂ILP task graph_colouring (train world, seed 0): learn table graph_colouring.
-- Reference program:
--   graph_colouring(X) :- edge(X, Y), colour(X, Z), colour(Y, Z).
CREATE TABLE colour (node TEXT, colour TEXT);
INSERT INTO colour VALUES ('n0', 'green'), ('n1', 'green'), ('n10', 'green'), ('n11', 'green'), ('n2', 'red'), ('n3', 'green'), ('n4', 'red'), ('n5', 'green'), ('n6', 'green'), ('n7', 'green'), ('n8', 'green'), ('n9', 'red');
CREATE TABLE red (colour TEXT);
INSERT INTO red VALUES ('red');
CREATE TABLE green (colour TEXT);
INSERT INTO green VALUES ('green');
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('n1', 'n10'), ('n10', 'n2'), ('n10', 'n7'), ('n11', 'n8'), ('n2', 'n9'), ('n3', 'n0'), ('n3', 'n9'), ('n4', 'n10'), ('n6', 'n0'), ('n6', 'n11'), ('n6', 'n3'), ('n6', 'n7'), ('n7', 'n10'), ('n7', 'n6'), ('n8', 'n0'), ('n9', 'n8');
CREATE TABLE graph_colouring (x TEXT);
INSERT INTO graph_colouring VALUES ('n1'), ('n10'), ('n11'), ('n2'), ('n3'), ('n6'), ('n7'), ('n8');
