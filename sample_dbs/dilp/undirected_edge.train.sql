-- ∂ILP task undirected_edge (train world, seed 0): learn table undirected_edge.
-- Reference program:
--   undirected_edge(X, Y) :- edge(X, Y).
--   undirected_edge(X, Y) :- edge(Y, X).
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('n1', 'n6'), ('n2', 'n0'), ('n2', 'n6'), ('n4', 'n2'), ('n4', 'n7'), ('n5', 'n0'), ('n5', 'n4'), ('n5', 'n7'), ('n6', 'n5'), ('n7', 'n5');
CREATE TABLE undirected_edge (x TEXT, y TEXT);
INSERT INTO undirected_edge VALUES ('n0', 'n2'), ('n0', 'n5'), ('n1', 'n6'), ('n2', 'n0'), ('n2', 'n4'), ('n2', 'n6'), ('n4', 'n2'), ('n4', 'n5'), ('n4', 'n7'), ('n5', 'n0'), ('n5', 'n4'), ('n5', 'n6'), ('n5', 'n7'), ('n6', 'n1'), ('n6', 'n2'), ('n6', 'n5'), ('n7', 'n4'), ('n7', 'n5');
