-- ∂ILP task even_succ2 (train world, seed 0): learn table even.
-- Reference program:
--   even(X) :- zero(X).
--   even(X) :- even(Y), succ(Y, Z), succ(Z, X).
CREATE TABLE zero (x BIGINT);
INSERT INTO zero VALUES (0);
CREATE TABLE succ (x BIGINT, y BIGINT);
INSERT INTO succ VALUES (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9), (9, 10);
CREATE TABLE even (x BIGINT);
INSERT INTO even VALUES (0), (2), (4), (6), (8), (10);
