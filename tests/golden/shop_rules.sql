-- customers__churned(X) :- customers.plan(X, basic), tickets.customer_id(Y, X), tickets.severity(Y, high).
SELECT DISTINCT
  "t0"."customer_id" AS "a0"
FROM "main"."customers" AS "t0"
JOIN "main"."tickets" AS "t1"
  ON "t1"."customer_id" = "t0"."customer_id"
JOIN "main"."tickets" AS "t2"
  ON "t2"."ticket_id" = "t1"."ticket_id" AND "t2"."severity" = 'high'
WHERE
  "t0"."plan" = 'basic';

-- customers__churned(X) :- customers.plan(X, trial), customers.region(X, north).
SELECT DISTINCT
  "t0"."customer_id" AS "a0"
FROM "main"."customers" AS "t0"
JOIN "main"."customers" AS "t1"
  ON "t1"."customer_id" = "t0"."customer_id" AND "t1"."region" = 'north'
WHERE
  "t0"."plan" = 'trial';

-- long_tenure(X) :- customers.tenure_months(X, M), M >= 48, customers.churned(X, false).
SELECT DISTINCT
  "t0"."customer_id" AS "a0"
FROM "main"."customers" AS "t0"
JOIN "main"."customers" AS "t1"
  ON "t1"."customer_id" = "t0"."customer_id" AND "t1"."churned" = FALSE
WHERE
  NOT "t0"."tenure_months" IS NULL AND "t0"."tenure_months" >= 48;
