-- ∂ILP task buzz (train world, seed 0): learn table buzz.
-- Reference program:
--   buzz(X) :- zero(X).
--   buzz(X) :- buzz(Y), inv1(Y, X).
--   inv1(X, Y) :- inv2(X, Z), inv2(Z, W), succ(W, Y).
--   inv2(X, Y) :- succ(X, Z), succ(Z, Y).
CREATE TABLE zero (x BIGINT);
INSERT INTO zero VALUES (0);
CREATE TABLE succ (x BIGINT, y BIGINT);
INSERT INTO succ VALUES (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9), (9, 10), (10, 11), (11, 12), (12, 13), (13, 14), (14, 15), (15, 16), (16, 17), (17, 18), (18, 19), (19, 20);
CREATE TABLE buzz (x BIGINT);
INSERT INTO buzz VALUES (0), (5), (10), (15), (20);
