-- ∂ILP task even_odd (test world, seed 0): learn table even.
-- Reference program:
--   even(X) :- zero(X).
--   even(X) :- even(Y), succ(Y, Z), succ(Z, X).
CREATE TABLE zero (x BIGINT);
INSERT INTO zero VALUES (0);
CREATE TABLE succ (x BIGINT, y BIGINT);
INSERT INTO succ VALUES (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9), (9, 10), (10, 11), (11, 12), (12, 13), (13, 14), (14, 15), (15, 16), (16, 17), (17, 18), (18, 19), (19, 20), (20, 21), (21, 22), (22, 23), (23, 24), (24, 25), (25, 26), (26, 27), (27, 28), (28, 29);
CREATE TABLE even (x BIGINT);
INSERT INTO even VALUES (0), (2), (4), (6), (8), (10), (12), (14), (16), (18), (20), (22), (24), (26), (28);
