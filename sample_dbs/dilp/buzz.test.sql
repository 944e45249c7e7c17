-- ∂ILP task buzz (test world, seed 0): learn table buzz.
-- Reference program:
--   buzz(X) :- zero(X).
--   buzz(X) :- buzz(Y), inv1(Y, X).
--   inv1(X, Y) :- inv2(X, Z), inv2(Z, W), succ(W, Y).
--   inv2(X, Y) :- succ(X, Z), succ(Z, Y).
CREATE TABLE zero (x BIGINT);
INSERT INTO zero VALUES (0);
CREATE TABLE succ (x BIGINT, y BIGINT);
INSERT INTO succ VALUES (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9), (9, 10), (10, 11), (11, 12), (12, 13), (13, 14), (14, 15), (15, 16), (16, 17), (17, 18), (18, 19), (19, 20), (20, 21), (21, 22), (22, 23), (23, 24), (24, 25), (25, 26), (26, 27), (27, 28), (28, 29), (29, 30), (30, 31), (31, 32), (32, 33), (33, 34), (34, 35), (35, 36), (36, 37), (37, 38), (38, 39), (39, 40), (40, 41), (41, 42), (42, 43), (43, 44), (44, 45), (45, 46), (46, 47), (47, 48), (48, 49);
CREATE TABLE buzz (x BIGINT);
INSERT INTO buzz VALUES (0), (5), (10), (15), (20), (25), (30), (35), (40), (45);
