-- grandmother(X, Y) :- female(X), parent(X, Z), parent(Z, Y).
SELECT DISTINCT
  "t0"."name" AS "a0",
  "t2"."child" AS "a1"
FROM "main"."female" AS "t0"
JOIN "main"."parent" AS "t1"
  ON "t1"."parent" = "t0"."name"
JOIN "main"."parent" AS "t2"
  ON "t2"."parent" = "t1"."child" AND NOT "t2"."child" IS NULL;

-- son(X, Y) :- male(X), parent(Y, X).
SELECT DISTINCT
  "t0"."name" AS "a0",
  "t1"."parent" AS "a1"
FROM "main"."male" AS "t0"
JOIN "main"."parent" AS "t1"
  ON NOT "t1"."parent" IS NULL AND "t1"."child" = "t0"."name";

-- sibling(X, Y) :- parent(Z, X), parent(Z, Y), X != Y.
SELECT DISTINCT
  "t0"."child" AS "a0",
  "t1"."child" AS "a1"
FROM "main"."parent" AS "t0"
JOIN "main"."parent" AS "t1"
  ON "t1"."parent" = "t0"."parent" AND NOT "t1"."child" IS NULL
WHERE
  NOT "t0"."child" IS NULL AND "t0"."child" <> "t1"."child";

-- gp_of_ann(X) :- parent(X, Z), parent(Z, ann5).
SELECT DISTINCT
  "t0"."parent" AS "a0"
FROM "main"."parent" AS "t0"
JOIN "main"."parent" AS "t1"
  ON "t1"."parent" = "t0"."child" AND "t1"."child" = 'ann5'
WHERE
  NOT "t0"."parent" IS NULL;
