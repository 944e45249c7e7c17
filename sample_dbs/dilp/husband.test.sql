-- ∂ILP task husband (test world, seed 0): learn table husband.
-- Reference program:
--   husband(X, Y) :- father(X, Z), mother(Y, Z).
CREATE TABLE father (x TEXT, y TEXT);
INSERT INTO father VALUES ('m0', 'f18'), ('m10', 'f20'), ('m10', 'm19'), ('m10', 'm21'), ('m14', 'f30'), ('m14', 'm31'), ('m14', 'm32'), ('m16', 'm33'), ('m17', 'm34'), ('m19', 'f38'), ('m19', 'f39'), ('m2', 'm17'), ('m21', 'f41'), ('m21', 'm40'), ('m21', 'm42'), ('m22', 'f43'), ('m22', 'm44'), ('m26', 'f35'), ('m26', 'f36'), ('m26', 'm37'), ('m4', 'f12'), ('m4', 'm13'), ('m4', 'm14'), ('m6', 'f15'), ('m6', 'm16'), ('m8', 'f23'), ('m8', 'm22');
CREATE TABLE mother (x TEXT, y TEXT);
INSERT INTO mother VALUES ('f1', 'f18'), ('f11', 'f23'), ('f11', 'm22'), ('f12', 'f43'), ('f12', 'm44'), ('f15', 'm34'), ('f18', 'f30'), ('f18', 'm31'), ('f18', 'm32'), ('f20', 'f38'), ('f20', 'f39'), ('f23', 'f35'), ('f23', 'f36'), ('f23', 'm37'), ('f27', 'f41'), ('f27', 'm40'), ('f27', 'm42'), ('f29', 'm33'), ('f3', 'm17'), ('f5', 'f20'), ('f5', 'm19'), ('f5', 'm21'), ('f7', 'f12'), ('f7', 'm13'), ('f7', 'm14'), ('f9', 'f15'), ('f9', 'm16');
CREATE TABLE husband (x TEXT, y TEXT);
INSERT INTO husband VALUES ('m0', 'f1'), ('m10', 'f5'), ('m14', 'f18'), ('m16', 'f29'), ('m17', 'f15'), ('m19', 'f20'), ('m2', 'f3'), ('m21', 'f27'), ('m22', 'f12'), ('m26', 'f23'), ('m4', 'f7'), ('m6', 'f9'), ('m8', 'f11');
