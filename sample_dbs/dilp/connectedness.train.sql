-- ∂ILP task connectedness (train world, seed 0): learn table connected.
-- Reference program:
--   connected(X, Y) :- edge(X, Y).
--   connected(X, Y) :- edge(X, Z), connected(Z, Y).
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('n1', 'n6'), ('n2', 'n0'), ('n4', 'n2'), ('n4', 'n7'), ('n5', 'n4'), ('n5', 'n7'), ('n6', 'n5'), ('n7', 'n5');
CREATE TABLE connected (x TEXT, y TEXT);
INSERT INTO connected VALUES ('n1', 'n0'), ('n1', 'n2'), ('n1', 'n4'), ('n1', 'n5'), ('n1', 'n6'), ('n1', 'n7'), ('n2', 'n0'), ('n4', 'n0'), ('n4', 'n2'), ('n4', 'n4'), ('n4', 'n5'), ('n4', 'n7'), ('n5', 'n0'), ('n5', 'n2'), ('n5', 'n4'), ('n5', 'n5'), ('n5', 'n7'), ('n6', 'n0'), ('n6', 'n2'), ('n6', 'n4'), ('n6', 'n5'), ('n6', 'n7'), ('n7', 'n0'), ('n7', 'n2'), ('n7', 'n4'), ('n7', 'n5'), ('n7', 'n7');
