-- ∂ILP task two_children (train world, seed 0): learn table two_children.
-- Reference program:
--   two_children(X) :- edge(X, Y), edge(X, Z), Y != Z.
CREATE TABLE edge (x TEXT, y TEXT);
INSERT INTO edge VALUES ('n1', 'n10'), ('n10', 'n2'), ('n10', 'n7'), ('n11', 'n8'), ('n2', 'n9'), ('n3', 'n0'), ('n3', 'n9'), ('n4', 'n10'), ('n6', 'n0'), ('n6', 'n11'), ('n6', 'n3'), ('n6', 'n7'), ('n7', 'n10'), ('n7', 'n6'), ('n8', 'n0'), ('n9', 'n8');
CREATE TABLE two_children (x TEXT);
INSERT INTO two_children VALUES ('n10'), ('n3'), ('n6'), ('n7');
