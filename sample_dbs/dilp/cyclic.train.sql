-- ∂ILP task cyclic (train world, seed 0): learn table cyclic.
-- Reference program:
--   cyclic(X) :- inv1(X, X).
--   inv1(X, Y) :- edge(X, Y).
--   inv1(X, Y) :- edge(X, Z), inv1(Z, Y).
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('c0', 'c1'), ('c1', 'c2'), ('c2', 'c3'), ('c2', 'p2'), ('c3', 'c4'), ('c4', 'c0'), ('n1', 'n6'), ('n2', 'n0'), ('n2', 'n6'), ('n4', 'n2'), ('n4', 'n7'), ('n5', 'n0'), ('n5', 'n4'), ('n5', 'n7'), ('n6', 'n5'), ('n7', 'n5'), ('p0', 'p1'), ('p1', 'c0'), ('p2', 'p3');
CREATE TABLE cyclic (x TEXT);
INSERT INTO cyclic VALUES ('c0'), ('c1'), ('c2'), ('c3'), ('c4'), ('n2'), ('n4'), ('n5'), ('n6'), ('n7');
