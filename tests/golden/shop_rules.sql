-- customers.churned(X) :- customers.plan(X, basic), tickets.customer_id(Y, X), tickets.severity(Y, high).
SELECT DISTINCT
  "t0"."customer_id" AS "a0"
FROM "main"."customers" AS "t0"
JOIN "main"."tickets" AS "t1"
  ON "t1"."customer_id" = "t0"."customer_id"
WHERE
  "t0"."plan" = 'basic' AND "t1"."severity" = 'high';

-- customers.churned(X) :- customers.plan(X, trial), customers.region(X, north).
SELECT DISTINCT
  "t0"."customer_id" AS "a0"
FROM "main"."customers" AS "t0"
WHERE
  "t0"."plan" = 'trial' AND "t0"."region" = 'north';

-- long_tenure(X) :- customers.tenure_months(X, M), M >= 48, customers.churned(X, false).
SELECT DISTINCT
  "t0"."customer_id" AS "a0"
FROM "main"."customers" AS "t0"
WHERE
  (
    NOT "t0"."tenure_months" IS NULL AND "t0"."churned" = FALSE
  )
  AND "t0"."tenure_months" >= 48;
