-- ∂ILP task grandparent (train world, seed 0): learn table grandparent.
-- Reference program:
--   grandparent(X, Y) :- father(X, Z), father(Z, Y).
--   grandparent(X, Y) :- father(X, Z), mother(Z, Y).
--   grandparent(X, Y) :- mother(X, Z), father(Z, Y).
--   grandparent(X, Y) :- mother(X, Z), mother(Z, Y).
CREATE TABLE father (x TEXT, y TEXT);
INSERT INTO father VALUES ('m0', 'm4'), ('m0', 'm5'), ('m2', 'f6'), ('m4', 'f10'), ('m4', 'f8'), ('m4', 'f9'), ('m5', 'f12'), ('m5', 'm11'), ('m5', 'm13');
CREATE TABLE mother (x TEXT, y TEXT);
INSERT INTO mother VALUES ('f1', 'm4'), ('f1', 'm5'), ('f3', 'f6'), ('f6', 'f10'), ('f6', 'f8'), ('f6', 'f9'), ('f7', 'f12'), ('f7', 'm11'), ('f7', 'm13');
CREATE TABLE grandparent (x TEXT, y TEXT);
INSERT INTO grandparent VALUES ('f1', 'f10'), ('f1', 'f12'), ('f1', 'f8'), ('f1', 'f9'), ('f1', 'm11'), ('f1', 'm13'), ('f3', 'f10'), ('f3', 'f8'), ('f3', 'f9'), ('m0', 'f10'), ('m0', 'f12'), ('m0', 'f8'), ('m0', 'f9'), ('m0', 'm11'), ('m0', 'm13'), ('m2', 'f10'), ('m2', 'f8'), ('m2', 'f9');
