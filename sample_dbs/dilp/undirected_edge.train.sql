-- ∂ILP task undirected_edge (train world, seed 0): learn table undirected_edge.
-- Reference program:
--   undirected_edge(X, Y) :- edge(X, Y).
--   undirected_edge(X, Y) :- edge(Y, X).
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('n1', 'n10'), ('n10', 'n2'), ('n10', 'n7'), ('n11', 'n8'), ('n2', 'n9'), ('n3', 'n0'), ('n3', 'n9'), ('n4', 'n10'), ('n6', 'n0'), ('n6', 'n11'), ('n6', 'n3'), ('n6', 'n7'), ('n7', 'n10'), ('n7', 'n6'), ('n8', 'n0'), ('n9', 'n8');
CREATE TABLE undirected_edge (x TEXT, y TEXT);
INSERT INTO undirected_edge VALUES ('n0', 'n3'), ('n0', 'n6'), ('n0', 'n8'), ('n1', 'n10'), ('n10', 'n1'), ('n10', 'n2'), ('n10', 'n4'), ('n10', 'n7'), ('n11', 'n6'), ('n11', 'n8'), ('n2', 'n10'), ('n2', 'n9'), ('n3', 'n0'), ('n3', 'n6'), ('n3', 'n9'), ('n4', 'n10'), ('n6', 'n0'), ('n6', 'n11'), ('n6', 'n3'), ('n6', 'n7'), ('n7', 'n10'), ('n7', 'n6'), ('n8', 'n0'), ('n8', 'n11'), ('n8', 'n9'), ('n9', 'n2'), ('n9', 'n3'), ('n9', 'n8');
