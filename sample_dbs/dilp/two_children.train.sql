-- ∂ILP task two_children (train world, seed 0): learn table two_children.
-- Reference program:
--   two_children(X) :- edge(X, Y), edge(X, Z), Y != Z.
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('n1', 'n6'), ('n2', 'n0'), ('n2', 'n6'), ('n4', 'n2'), ('n4', 'n7'), ('n5', 'n0'), ('n5', 'n4'), ('n5', 'n7'), ('n6', 'n5'), ('n7', 'n5');
CREATE TABLE two_children (x TEXT);
INSERT INTO two_children VALUES ('n2'), ('n4'), ('n5');
