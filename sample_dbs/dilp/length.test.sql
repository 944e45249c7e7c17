-- ∂ILP task length (test world, seed 0): learn table length.
-- Reference program:
--   length(X, Y) :- empty(X), zero(Y).
--   length(X, Y) :- cons(X, Z), length(Z, W), succ(W, Y).
CREATE TABLE zero (x BIGINT);
INSERT INTO zero VALUES (0);
CREATE TABLE succ (x BIGINT, y BIGINT);
INSERT INTO succ VALUES (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6);
CREATE TABLE cons (l TEXT, t TEXT);
INSERT INTO cons VALUES ('l0_0', 'l0_1'), ('l0_1', 'nil'), ('l10_0', 'nil'), ('l11_0', 'l11_1'), ('l11_1', 'l11_2'), ('l11_2', 'l11_3'), ('l11_3', 'nil'), ('l1_0', 'l1_1'), ('l1_1', 'l1_2'), ('l1_2', 'l1_3'), ('l1_3', 'nil'), ('l2_0', 'l2_1'), ('l2_1', 'l2_2'), ('l2_2', 'l2_3'), ('l2_3', 'nil'), ('l3_0', 'l3_1'), ('l3_1', 'l3_2'), ('l3_2', 'l3_3'), ('l3_3', 'nil'), ('l4_0', 'l4_1'), ('l4_1', 'nil'), ('l5_0', 'l5_1'), ('l5_1', 'l5_2'), ('l5_2', 'nil'), ('l6_0', 'l6_1'), ('l6_1', 'l6_2'), ('l6_2', 'nil'), ('l7_0', 'l7_1'), ('l7_1', 'l7_2'), ('l7_2', 'nil'), ('l8_0', 'l8_1'), ('l8_1', 'l8_2'), ('l8_2', 'nil'), ('l9_0', 'l9_1'), ('l9_1', 'l9_2'), ('l9_2', 'l9_3'), ('l9_3', 'l9_4'), ('l9_4', 'l9_5'), ('l9_5', 'nil');
CREATE TABLE empty (l TEXT);
INSERT INTO empty VALUES ('nil');
CREATE TABLE length (l TEXT, n BIGINT);
INSERT INTO length VALUES ('l0_0', 2), ('l0_1', 1), ('l10_0', 1), ('l11_0', 4), ('l11_1', 3), ('l11_2', 2), ('l11_3', 1), ('l1_0', 4), ('l1_1', 3), ('l1_2', 2), ('l1_3', 1), ('l2_0', 4), ('l2_1', 3), ('l2_2', 2), ('l2_3', 1), ('l3_0', 4), ('l3_1', 3), ('l3_2', 2), ('l3_3', 1), ('l4_0', 2), ('l4_1', 1), ('l5_0', 3), ('l5_1', 2), ('l5_2', 1), ('l6_0', 3), ('l6_1', 2), ('l6_2', 1), ('l7_0', 3), ('l7_1', 2), ('l7_2', 1), ('l8_0', 3), ('l8_1', 2), ('l8_2', 1), ('l9_0', 6), ('l9_1', 5), ('l9_2', 4), ('l9_3', 3), ('l9_4', 2), ('l9_5', 1), ('nil', 0);
