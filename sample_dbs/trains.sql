-- Michalski's east-west trains, imported from Aleph's trains example (train.b, train.f, train.n)
-- with `ruledisc import-aleph`. Target: eastbound (negatives: eastbound_neg).
-- The classic answer: eastbound(X) :- closed(Y), has_car(X, Y), short(Y).
CREATE TABLE car (a0 TEXT);
INSERT INTO car VALUES ('car_11'), ('car_12'), ('car_13'), ('car_14'), ('car_21'), ('car_22'), ('car_23'), ('car_31'), ('car_32'), ('car_33'), ('car_41'), ('car_42'), ('car_43'), ('car_44'), ('car_51'), ('car_52'), ('car_53'), ('car_61'), ('car_62'), ('car_71'), ('car_72'), ('car_73'), ('car_81'), ('car_82'), ('car_91'), ('car_92'), ('car_93'), ('car_94'), ('car_101'), ('car_102');
CREATE TABLE shape_1 (a0 TEXT);
INSERT INTO shape_1 VALUES ('elipse'), ('hexagon'), ('rectangle'), ('u_shaped'), ('triangle'), ('circle'), ('nil');
CREATE TABLE train (a0 TEXT);
INSERT INTO train VALUES ('east1'), ('east2'), ('east3'), ('east4'), ('east5'), ('west6'), ('west7'), ('west8'), ('west9'), ('west10');
CREATE TABLE short (a0 TEXT);
INSERT INTO short VALUES ('car_12'), ('car_14'), ('car_21'), ('car_22'), ('car_23'), ('car_31'), ('car_32'), ('car_41'), ('car_42'), ('car_43'), ('car_44'), ('car_51'), ('car_52'), ('car_53'), ('car_62'), ('car_71'), ('car_72'), ('car_82'), ('car_91'), ('car_93'), ('car_94'), ('car_101');
CREATE TABLE closed (a0 TEXT);
INSERT INTO closed VALUES ('car_12'), ('car_23'), ('car_32'), ('car_33'), ('car_43'), ('car_52'), ('car_53'), ('car_61'), ('car_81');
CREATE TABLE long (a0 TEXT);
INSERT INTO long VALUES ('car_11'), ('car_13'), ('car_33'), ('car_61'), ('car_73'), ('car_81'), ('car_92'), ('car_102');
CREATE TABLE open_car (a0 TEXT);
INSERT INTO open_car VALUES ('car_11'), ('car_13'), ('car_14'), ('car_21'), ('car_22'), ('car_31'), ('car_41'), ('car_42'), ('car_44'), ('car_51'), ('car_62'), ('car_71'), ('car_72'), ('car_82'), ('car_91'), ('car_93'), ('car_94'), ('car_101'), ('car_102');
CREATE TABLE shape_2 (a0 TEXT, a1 TEXT);
INSERT INTO shape_2 VALUES ('car_11', 'rectangle'), ('car_12', 'rectangle'), ('car_13', 'rectangle'), ('car_14', 'rectangle'), ('car_21', 'u_shaped'), ('car_22', 'u_shaped'), ('car_23', 'rectangle'), ('car_31', 'rectangle'), ('car_32', 'hexagon'), ('car_33', 'rectangle'), ('car_41', 'u_shaped'), ('car_42', 'rectangle'), ('car_43', 'elipse'), ('car_44', 'rectangle'), ('car_51', 'rectangle'), ('car_52', 'rectangle'), ('car_53', 'rectangle'), ('car_61', 'rectangle'), ('car_62', 'rectangle'), ('car_71', 'rectangle'), ('car_72', 'u_shaped'), ('car_73', 'rectangle'), ('car_81', 'rectangle'), ('car_82', 'u_shaped'), ('car_91', 'u_shaped'), ('car_92', 'rectangle'), ('car_93', 'rectangle'), ('car_94', 'u_shaped'), ('car_101', 'u_shaped'), ('car_102', 'rectangle');
CREATE TABLE load (a0 TEXT, a1 TEXT, a2 BIGINT);
INSERT INTO load VALUES ('car_11', 'rectangle', 3), ('car_12', 'triangle', 1), ('car_13', 'hexagon', 1), ('car_14', 'circle', 1), ('car_21', 'triangle', 1), ('car_22', 'rectangle', 1), ('car_23', 'circle', 2), ('car_31', 'circle', 1), ('car_32', 'triangle', 1), ('car_33', 'triangle', 1), ('car_41', 'triangle', 1), ('car_42', 'triangle', 1), ('car_43', 'rectangle', 1), ('car_44', 'rectangle', 1), ('car_51', 'triangle', 1), ('car_52', 'rectangle', 1), ('car_53', 'circle', 1), ('car_61', 'circle', 3), ('car_62', 'triangle', 1), ('car_71', 'circle', 1), ('car_72', 'triangle', 1), ('car_73', 'nil', 0), ('car_81', 'rectangle', 1), ('car_82', 'circle', 1), ('car_91', 'circle', 1), ('car_92', 'rectangle', 1), ('car_93', 'rectangle', 1), ('car_93', 'circle', 1), ('car_101', 'rectangle', 1), ('car_102', 'rectangle', 2);
CREATE TABLE wheels (a0 TEXT, a1 BIGINT);
INSERT INTO wheels VALUES ('car_11', 2), ('car_12', 2), ('car_13', 3), ('car_14', 2), ('car_21', 2), ('car_22', 2), ('car_23', 2), ('car_31', 2), ('car_32', 2), ('car_33', 3), ('car_41', 2), ('car_42', 2), ('car_43', 2), ('car_44', 2), ('car_51', 2), ('car_52', 3), ('car_53', 2), ('car_61', 2), ('car_62', 2), ('car_71', 2), ('car_72', 2), ('car_73', 2), ('car_81', 3), ('car_82', 2), ('car_91', 2), ('car_92', 2), ('car_93', 2), ('car_94', 2), ('car_101', 2), ('car_102', 2);
CREATE TABLE has_car (a0 TEXT, a1 TEXT);
INSERT INTO has_car VALUES ('east1', 'car_11'), ('east1', 'car_12'), ('east1', 'car_13'), ('east1', 'car_14'), ('east2', 'car_21'), ('east2', 'car_22'), ('east2', 'car_23'), ('east3', 'car_31'), ('east3', 'car_32'), ('east3', 'car_33'), ('east4', 'car_41'), ('east4', 'car_42'), ('east4', 'car_43'), ('east4', 'car_44'), ('east5', 'car_51'), ('east5', 'car_52'), ('east5', 'car_53'), ('west6', 'car_61'), ('west6', 'car_62'), ('west7', 'car_71'), ('west7', 'car_72'), ('west7', 'car_73'), ('west8', 'car_81'), ('west8', 'car_82'), ('west9', 'car_91'), ('west9', 'car_92'), ('west9', 'car_93'), ('west9', 'car_94'), ('west10', 'car_101'), ('west10', 'car_102');
CREATE TABLE double (a0 TEXT);
INSERT INTO double VALUES ('car_42'), ('car_51'), ('car_71');
CREATE TABLE jagged (a0 TEXT);
INSERT INTO jagged VALUES ('car_73'), ('car_92');
CREATE TABLE eastbound (a0 TEXT);
INSERT INTO eastbound VALUES ('east1'), ('east2'), ('east3'), ('east4'), ('east5');
CREATE TABLE eastbound_neg (a0 TEXT);
INSERT INTO eastbound_neg VALUES ('west6'), ('west7'), ('west8'), ('west9'), ('west10');
