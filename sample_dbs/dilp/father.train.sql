-- ∂ILP task father (train world, seed 0): learn table father.
-- Reference program:
--   father(X, Y) :- husband(X, Z), mother(Z, Y).
CREATE TABLE husband (x TEXT, y TEXT);
INSERT INTO husband VALUES ('m0', 'f1'), ('m2', 'f3'), ('m4', 'f6'), ('m5', 'f7');
CREATE TABLE mother (x TEXT, y TEXT);
INSERT INTO mother VALUES ('f1', 'm4'), ('f1', 'm5'), ('f3', 'f6'), ('f6', 'f10'), ('f6', 'f8'), ('f6', 'f9'), ('f7', 'f12'), ('f7', 'm11'), ('f7', 'm13');
CREATE TABLE father (x TEXT, y TEXT);
INSERT INTO father VALUES ('m0', 'm4'), ('m0', 'm5'), ('m2', 'f6'), ('m4', 'f10'), ('m4', 'f8'), ('m4', 'f9'), ('m5', 'f12'), ('m5', 'm11'), ('m5', 'm13');
