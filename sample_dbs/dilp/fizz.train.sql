-- ∂ILP task fizz (train world, seed 0): learn table fizz.
-- Reference program:
--   fizz(X) :- zero(X).
--   fizz(X) :- fizz(Y), inv1(Y, X).
--   inv1(X, Y) :- succ(X, Z), inv2(Z, Y).
--   inv2(X, Y) :- succ(X, Z), succ(Z, Y).
CREATE TABLE zero (x BIGINT);
INSERT INTO zero VALUES (0);
CREATE TABLE succ (x BIGINT, y BIGINT);
INSERT INTO succ VALUES (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9), (9, 10), (10, 11), (11, 12);
CREATE TABLE fizz (x BIGINT);
INSERT INTO fizz VALUES (0), (3), (6), (9), (12);
