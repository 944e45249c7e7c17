"""The knowledge-graph working tables and the SQL templates that read them.

Templates are fixed SQL text over ruledisc's own tables (``kg.*`` from ``import-kg`` and
``rd_kg_*`` temp tables): parsed once by sqlglot, then every ``:name`` placeholder is
replaced by a literal in the tree (numbers only; no identifier is ever spliced in).

Working tables (``R`` relations, ``2R`` directed ones, see :mod:`ruledisc.kg_rules`):

- ``rd_kg_e(p, a, b)``: the background edges (facts + train) in both directions,
  no self-loops;
- ``rd_kg_deg(p, a, n)``: out-degree of entity ``a`` along directed relation ``p``;
- ``rd_kg_rel(p, n, subjects)``: edges and distinct subjects per directed relation.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp

from .compile import literal
from .engine import Engine


@cache
def _parsed(text: str) -> exp.Expr:
    return sqlglot.parse_one(text, read="duckdb")


def q(text: str, **values: int | float | None) -> exp.Expr:
    """The template ``text`` with each ``:name`` replaced by ``values[name]`` as a literal."""
    lits = {k: exp.null() if v is None else literal(v) for k, v in values.items()}
    return exp.replace_placeholders(_parsed(text).copy(), **lits)


# the background's edges in both directions, no self-loops: ``p, a, b``
EDGES = """SELECT r AS p, h AS a, t AS b FROM kg.facts WHERE split IN ('facts', 'train') AND h <> t
  UNION ALL SELECT r + :nrel, t, h FROM kg.facts WHERE split IN ('facts', 'train') AND h <> t"""

SETUP = (
    "CREATE OR REPLACE TEMP TABLE rd_kg_e AS SELECT DISTINCT p, a, b FROM (" + EDGES + ") u ORDER BY p, a, b",
    "CREATE OR REPLACE TEMP TABLE rd_kg_deg AS SELECT p, a, count(*) AS n FROM rd_kg_e GROUP BY p, a",
    """CREATE OR REPLACE TEMP TABLE rd_kg_rel AS
       SELECT p, sum(n) AS n, count(*) AS subjects FROM rd_kg_deg GROUP BY p""",
)


def with_table(tree: exp.Expr, name: str, replacement: exp.Expr) -> exp.Expr:
    """``tree`` with every reference to the placeholder table ``name`` replaced (a table of a
    user-named schema, or a subquery, which keeps the placeholder's alias)."""
    def swap(node: exp.Expr) -> exp.Expr:
        if not (isinstance(node, exp.Table) and node.name == name):
            return node
        if isinstance(replacement, exp.Query):
            return replacement.subquery(node.alias or name)
        return replacement.copy()
    return tree.transform(swap)


def setup(eng: Engine, n_rel: int) -> None:
    """Build the working tables from ``kg.facts``."""
    for text in SETUP:
        eng.execute(q(text, nrel=n_rel))


def relations(eng: Engine) -> list[str]:
    """Relation names by id (``kg.relations``)."""
    return [n for _, n in eng.rows(q("SELECT id, name FROM kg.relations ORDER BY id"))]


def has_graph(eng: Engine) -> bool:
    return bool(eng.scalar(q("""SELECT count(*) FROM information_schema.tables
                                WHERE table_schema = 'kg' AND table_name IN ('facts', 'relations', 'entities')""")) == 3)


# The predicted facts of one relation: every stored rule of it applied to the background,
# read from the rules-as-data table (placeholder ``rd_kg_rules_table``), noisy-or scored.
PREDICTED = """
WITH e AS (""" + EDGES + """),
k AS (SELECT rule_no, confidence, len, p1, p2, p3, c, side, d FROM rd_kg_rules_table WHERE target = :target),
d AS (
  SELECT k.rule_no, k.confidence, e1.a AS h, e1.b AS t FROM k JOIN e e1 ON e1.p = k.p1 WHERE k.len = 1
  UNION ALL
  SELECT k.rule_no, k.confidence, e1.a, e2.b FROM k JOIN e e1 ON e1.p = k.p1 JOIN e e2 ON e2.p = k.p2 AND e2.a = e1.b
  WHERE k.len = 2 AND e2.b <> e1.a
  UNION ALL
  SELECT k.rule_no, k.confidence, e1.a, e3.b FROM k JOIN e e1 ON e1.p = k.p1 JOIN e e2 ON e2.p = k.p2 AND e2.a = e1.b
  JOIN e e3 ON e3.p = k.p3 AND e3.a = e2.b WHERE k.len = 3 AND e3.b <> e1.a AND e2.b <> e1.a AND e3.b <> e1.b
  UNION ALL
  SELECT k.rule_no, k.confidence, CASE WHEN k.side = 0 THEN e1.a ELSE k.c END, CASE WHEN k.side = 0 THEN k.c ELSE e1.a END
  FROM k JOIN e e1 ON e1.p = k.p1 WHERE k.len = 0 AND e1.a <> k.c AND e1.b <> k.c AND (k.d IS NULL OR e1.b = k.d))
SELECT h, t, round(1 - exp(sum(ln(greatest(1 - confidence, 1e-12)))), 6) AS score
FROM (SELECT DISTINCT rule_no, confidence, h, t FROM d) u GROUP BY h, t"""

RULE_COLUMNS = (("target", "VARCHAR"), ("rule_no", "INTEGER"), ("weight", "DOUBLE"), ("confidence", "DOUBLE"),
                ("len", "INTEGER"),
                ("p1", "INTEGER"), ("p2", "INTEGER"), ("p3", "INTEGER"), ("c", "BIGINT"), ("side", "INTEGER"),
                ("d", "BIGINT"))

