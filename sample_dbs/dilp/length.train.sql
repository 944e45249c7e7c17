-- ∂ILP task length (train world, seed 0): learn table length.
-- Reference program:
--   length(X, Y) :- empty(X), zero(Y).
--   length(X, Y) :- cons(X, Z), length(Z, W), succ(W, Y).
CREATE TABLE zero (x BIGINT);
INSERT INTO zero VALUES (0);
CREATE TABLE succ (x BIGINT, y BIGINT);
INSERT INTO succ VALUES (0, 1), (1, 2), (2, 3), (3, 4);
CREATE TABLE cons (l TEXT, t TEXT);
INSERT INTO cons VALUES ('l0_0', 'l0_1'), ('l0_1', 'l0_2'), ('l0_2', 'l0_3'), ('l0_3', 'nil'), ('l1_0', 'nil'), ('l2_0', 'nil'), ('l3_0', 'l3_1'), ('l3_1', 'l3_2'), ('l3_2', 'l3_3'), ('l3_3', 'nil');
CREATE TABLE empty (l TEXT);
INSERT INTO empty VALUES ('nil');
CREATE TABLE length (l TEXT, n BIGINT);
INSERT INTO length VALUES ('l0_0', 4), ('l0_1', 3), ('l0_2', 2), ('l0_3', 1), ('l1_0', 1), ('l2_0', 1), ('l3_0', 4), ('l3_1', 3), ('l3_2', 2), ('l3_3', 1), ('nil', 0);
