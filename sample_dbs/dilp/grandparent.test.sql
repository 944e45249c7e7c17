-- ∂ILP task grandparent (test world, seed 0): learn table grandparent.
-- Reference program:
--   grandparent(X, Y) :- father(X, Z), father(Z, Y).
--   grandparent(X, Y) :- father(X, Z), mother(Z, Y).
--   grandparent(X, Y) :- mother(X, Z), father(Z, Y).
--   grandparent(X, Y) :- mother(X, Z), mother(Z, Y).
CREATE TABLE father (x TEXT, y TEXT);
INSERT INTO father VALUES ('m0', 'f18'), ('m10', 'f20'), ('m10', 'm19'), ('m10', 'm21'), ('m14', 'f30'), ('m14', 'm31'), ('m14', 'm32'), ('m16', 'm33'), ('m17', 'm34'), ('m19', 'f38'), ('m19', 'f39'), ('m2', 'm17'), ('m21', 'f41'), ('m21', 'm40'), ('m21', 'm42'), ('m22', 'f43'), ('m22', 'm44'), ('m26', 'f35'), ('m26', 'f36'), ('m26', 'm37'), ('m4', 'f12'), ('m4', 'm13'), ('m4', 'm14'), ('m6', 'f15'), ('m6', 'm16'), ('m8', 'f23'), ('m8', 'm22');
CREATE TABLE mother (x TEXT, y TEXT);
INSERT INTO mother VALUES ('f1', 'f18'), ('f11', 'f23'), ('f11', 'm22'), ('f12', 'f43'), ('f12', 'm44'), ('f15', 'm34'), ('f18', 'f30'), ('f18', 'm31'), ('f18', 'm32'), ('f20', 'f38'), ('f20', 'f39'), ('f23', 'f35'), ('f23', 'f36'), ('f23', 'm37'), ('f27', 'f41'), ('f27', 'm40'), ('f27', 'm42'), ('f29', 'm33'), ('f3', 'm17'), ('f5', 'f20'), ('f5', 'm19'), ('f5', 'm21'), ('f7', 'f12'), ('f7', 'm13'), ('f7', 'm14'), ('f9', 'f15'), ('f9', 'm16');
CREATE TABLE grandparent (x TEXT, y TEXT);
INSERT INTO grandparent VALUES ('f1', 'f30'), ('f1', 'm31'), ('f1', 'm32'), ('f11', 'f35'), ('f11', 'f36'), ('f11', 'f43'), ('f11', 'm37'), ('f11', 'm44'), ('f3', 'm34'), ('f5', 'f38'), ('f5', 'f39'), ('f5', 'f41'), ('f5', 'm40'), ('f5', 'm42'), ('f7', 'f30'), ('f7', 'f43'), ('f7', 'm31'), ('f7', 'm32'), ('f7', 'm44'), ('f9', 'm33'), ('f9', 'm34'), ('m0', 'f30'), ('m0', 'm31'), ('m0', 'm32'), ('m10', 'f38'), ('m10', 'f39'), ('m10', 'f41'), ('m10', 'm40'), ('m10', 'm42'), ('m2', 'm34'), ('m4', 'f30'), ('m4', 'f43'), ('m4', 'm31'), ('m4', 'm32'), ('m4', 'm44'), ('m6', 'm33'), ('m6', 'm34'), ('m8', 'f35'), ('m8', 'f36'), ('m8', 'f43'), ('m8', 'm37'), ('m8', 'm44');
