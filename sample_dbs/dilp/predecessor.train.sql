-- ∂ILP task predecessor (train world, seed 0): learn table predecessor.
-- Reference program:
--   predecessor(X, Y) :- succ(Y, X).
CREATE TABLE zero (x BIGINT);
INSERT INTO zero VALUES (0);
CREATE TABLE succ (x BIGINT, y BIGINT);
INSERT INTO succ VALUES (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9);
CREATE TABLE predecessor (x BIGINT, y BIGINT);
INSERT INTO predecessor VALUES (1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6), (8, 7), (9, 8);
