"""All-relations mining on a knowledge graph: every relation's path and constant rules
in one run, their exact AMIE measures computed as SQL aggregates in DuckDB.

1. **Discover** (bounded by the sample): ``sample`` head facts per relation (or 10% of them,
   up to ``max_sample``),
   between entities of degree at most ``degree_cap``; every path of 1 to 3 steps between
   a sampled head's arguments (object identity: no entity twice) and every constant
   pattern of its subject becomes a candidate once ``min_support`` sampled heads share it.
2. **Bound**: a body's path count comes from degree tables; its largest single-entity
   fan (``in * out`` at one middle entity, all distinct pairs) bounds the body size from
   below, so ``|head| / fan`` bounds the confidence from above: hopeless rules (the
   hub walks of a power-law graph) are dropped before any of their groundings exist.
3. **Measure** (exact, on the whole background): the groundings of each distinct body
   are built once, ``DISTINCT (x, y)``, and joined to the facts of every head that
   shares the body; bodies go in batches of at most ``batch_paths`` path rows, which is
   what bounds the memory. Counts: derived, support, PCA-derived.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from .compile import temp_table, union_all
from .engine import Engine
from .kg_rules import KgRule
from .kg_sql import q, relations, setup, with_table
from .progress import Phases

LAPLACE = 5   # ranking weight: support / (derived + LAPLACE), AnyBURL's smoothed confidence
# a candidate is measured only if its estimated confidence (sampled support over its path
# count; paths >= distinct pairs, so this errs low) is at least min_confidence / SLACK
SLACK = 10


@dataclass(frozen=True)
class KgOptions:
    max_length: int = 3          # path steps (``--max-body``)
    min_support: int = 2
    min_confidence: float = 0.01
    max_rules: int = 150         # kept per relation and shape (path, constant), best weight first
    max_candidates: int = 150    # rules of each kind measured per relation, best estimated confidence first
    sample: int = 500            # head facts per relation read by discovery: at least this many,
    sample_share: float = 0.1    # ... or this share of the relation's facts,
    max_sample: int = 2000       # ... but no more than this
    degree_cap: int = 1000       # discovery skips entities with more edges
    batch_paths: int = 20_000_000
    max_body_paths: int = 50_000_000   # a body with more path rows is not measured
    constants: bool = True
    seed: int = 0


@dataclass(frozen=True)
class MeasuredRule:
    rule: KgRule
    derived: int
    support: int
    pca_derived: int
    head_size: int

    @property
    def confidence(self) -> float:
        return self.support / self.derived if self.derived else 0.0

    @property
    def pca_confidence(self) -> float:
        return self.support / self.pca_derived if self.pca_derived else 0.0

    @property
    def head_coverage(self) -> float:
        return self.support / self.head_size if self.head_size else 0.0

    @property
    def weight(self) -> float:
        return self.support / (self.derived + LAPLACE)


@dataclass
class KgMined:
    """Rules per relation name, best first, with what the run cost."""

    names: list[str]
    rules: dict[str, list[MeasuredRule]]
    stats: dict[str, Any] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])


_SAMPLE = """
CREATE OR REPLACE TEMP TABLE rd_kg_s AS
SELECT row_number() OVER (ORDER BY p, a, b) AS hid, p AS r, a AS x, b AS y FROM (
  SELECT e.p, e.a, e.b, row_number() OVER (PARTITION BY e.p ORDER BY hash(e.a, e.b, :seed)) AS k,
         count(*) OVER (PARTITION BY e.p) AS n
  FROM rd_kg_e e JOIN rd_kg_deg_all na ON na.a = e.a JOIN rd_kg_deg_all nb ON nb.a = e.b
  WHERE e.p < :nrel AND na.n <= :cap AND nb.n <= :cap) s
WHERE k <= greatest(:sample, least(:maxsample, ceil(:share * n)))"""

_SMALL = """
CREATE OR REPLACE TEMP TABLE rd_kg_es AS
SELECT e.p, e.a, e.b FROM rd_kg_e e JOIN rd_kg_deg_all na ON na.a = e.a JOIN rd_kg_deg_all nb ON nb.a = e.b
WHERE na.n <= :cap AND nb.n <= :cap"""

_DISCOVER = {
    1: """SELECT s.r, e.p AS p1, -1 AS p2, -1 AS p3, count(*) AS n
          FROM rd_kg_s s JOIN rd_kg_es e ON e.a = s.x AND e.b = s.y
          WHERE e.p <> s.r GROUP BY s.r, e.p HAVING count(*) >= :minsup""",
    2: """SELECT r, p1, p2, -1 AS p3, count(*) AS n FROM (
            SELECT DISTINCT s.hid, s.r, e1.p AS p1, e2.p AS p2 FROM rd_kg_s s
            JOIN rd_kg_es e1 ON e1.a = s.x JOIN rd_kg_es e2 ON e2.a = e1.b AND e2.b = s.y
            WHERE e1.b <> s.y) w
          GROUP BY r, p1, p2 HAVING count(*) >= :minsup""",
    3: """SELECT r, p1, p2, p3, count(*) AS n FROM (
            SELECT DISTINCT s.hid, s.r, e1.p AS p1, e2.p AS p2, e3.p AS p3 FROM rd_kg_s s
            JOIN rd_kg_es e1 ON e1.a = s.x JOIN rd_kg_es e3 ON e3.b = s.y
            JOIN rd_kg_es e2 ON e2.a = e1.b AND e2.b = e3.a
            WHERE e1.b <> s.y AND e3.a <> s.x AND e1.b <> e3.a) w
          GROUP BY r, p1, p2, p3 HAVING count(*) >= :minsup""",
}

_DISCOVER_CONST = """
SELECT rho, c, p, d, count(DISTINCT hid) AS n FROM (
  SELECT u.hid, u.rho, u.c, e.p, e.b AS d FROM (
    SELECT hid, r AS rho, x AS subj, y AS c FROM rd_kg_s
    UNION ALL SELECT hid, r + :nrel, y, x FROM rd_kg_s) u
  JOIN rd_kg_es e ON e.a = u.subj WHERE e.b <> u.c) w
GROUP BY GROUPING SETS ((rho, c, p, d), (rho, c, p)) HAVING count(DISTINCT hid) >= :minsup"""

# body size estimates: path rows (the work) and the largest one-entity fan (a lower bound)
_ESTIMATE = {
    1: """SELECT b.bid, r.n AS paths, r.n AS fan FROM rd_kg_b b JOIN rd_kg_rel r ON r.p = b.p1 WHERE b.len = 1""",
    2: """SELECT b.bid, sum(d1.n * d2.n) AS paths, max(d1.n * d2.n - 2 * (d1.n + d2.n)) AS fan
          FROM rd_kg_b b JOIN rd_kg_deg d1 ON d1.p = (b.p1 + :nrel) % (2 * :nrel)
          JOIN rd_kg_deg d2 ON d2.p = b.p2 AND d2.a = d1.a WHERE b.len = 2 GROUP BY b.bid""",
    3: """SELECT b.bid, sum(d1.n * d3.n) AS paths, max(d1.n * d3.n - 2 * (d1.n + d3.n)) AS fan
          FROM rd_kg_b b JOIN rd_kg_e m ON m.p = b.p2
          JOIN rd_kg_deg d1 ON d1.p = (b.p1 + :nrel) % (2 * :nrel) AND d1.a = m.a
          JOIN rd_kg_deg d3 ON d3.p = b.p3 AND d3.a = m.b WHERE b.len = 3 GROUP BY b.bid""",
}

_GROUNDINGS = {
    1: """SELECT b.bid, e1.a AS x, e1.b AS y FROM rd_kg_b b JOIN rd_kg_e e1 ON e1.p = b.p1
          WHERE b.live AND b.bid BETWEEN :lo AND :hi""",
    2: """SELECT DISTINCT b.bid, e1.a AS x, e2.b AS y FROM rd_kg_b b JOIN rd_kg_e e1 ON e1.p = b.p1
          JOIN rd_kg_e e2 ON e2.p = b.p2 AND e2.a = e1.b
          WHERE b.live AND b.bid BETWEEN :lo AND :hi AND e2.b <> e1.a""",
    # three steps: from the two-step prefixes of the batch (rd_kg_g2, built first: a join order
    # that never pairs edges of every relation)
    3: """SELECT DISTINCT g.bid, g.x, e3.b AS y FROM rd_kg_g2 g JOIN rd_kg_b b ON b.bid = g.bid
          JOIN rd_kg_e e3 ON e3.p = b.p3 AND e3.a = g.w WHERE e3.b <> g.x AND e3.b <> g.z""",
}

_PREFIX = """
CREATE OR REPLACE TEMP TABLE rd_kg_g2 AS
SELECT DISTINCT b.bid, e1.a AS x, e1.b AS z, e2.b AS w FROM rd_kg_b b JOIN rd_kg_e e1 ON e1.p = b.p1
JOIN rd_kg_e e2 ON e2.p = b.p2 AND e2.a = e1.b
WHERE b.live AND b.len = 3 AND b.bid BETWEEN :lo AND :hi AND e2.b <> e1.a"""

_MEASURE = """
INSERT INTO rd_kg_stat
SELECT c.rid, count(*) AS derived, count(h.a) AS support, count(s.a) AS pca
FROM rd_kg_g g JOIN rd_kg_c c ON c.bid = g.bid AND c.live
LEFT JOIN rd_kg_e h ON h.p = c.r AND h.a = g.x AND h.b = g.y
LEFT JOIN rd_kg_deg s ON s.p = c.r AND s.a = g.x
GROUP BY c.rid"""

# constant rules rho(X, c) :- p(X, d) / p(X, A); the head's subject X is r's first
# argument when rho < R (PCA: X has some r fact), else the constant is (PCA = standard)
_CONST_BODY = """
CREATE OR REPLACE TEMP TABLE rd_kg_k AS
SELECT row_number() OVER (ORDER BY k.body, k.rho, k.c, k.p, k.d) AS cid, k.* FROM (
  SELECT w.*, coalesce(dd.n, r.subjects) AS body, coalesce(hc.n, 0) AS ub,
         w.n * hr.n / (sr.n * coalesce(dd.n, r.subjects)) AS est
  FROM rd_kg_k0 w JOIN rd_kg_rel r ON r.p = w.p JOIN rd_kg_rel hr ON hr.p = w.rho % :nrel
  JOIN (SELECT r, count(*) AS n FROM rd_kg_s GROUP BY r) sr ON sr.r = w.rho % :nrel
  LEFT JOIN rd_kg_deg dd ON dd.p = (w.p + :nrel) % (2 * :nrel) AND dd.a = w.d
  LEFT JOIN rd_kg_deg hc ON hc.p = (w.rho + :nrel) % (2 * :nrel) AND hc.a = w.c) k
WHERE k.body > 0 AND least(k.ub, k.body) >= :minconf * k.body AND k.body <= :maxbody AND k.est >= :minconf / :slack
QUALIFY row_number() OVER (PARTITION BY k.rho ORDER BY k.est DESC, k.c, k.p, k.d) <= :maxcand"""

_CONST_MEASURE = """
INSERT INTO rd_kg_kstat
SELECT k.cid, count(*) AS derived, count(h.a) AS support,
       count(*) FILTER (WHERE k.rho >= :nrel OR s.a IS NOT NULL) AS pca
FROM rd_kg_k k JOIN (
  SELECT k2.cid, e.a AS x FROM rd_kg_k k2 JOIN rd_kg_e e ON e.p = k2.p AND e.b = k2.d
  WHERE k2.d IS NOT NULL AND e.a <> k2.c AND k2.cid BETWEEN :lo AND :hi
  UNION ALL
  SELECT k2.cid, g.a FROM rd_kg_k k2 JOIN rd_kg_deg g ON g.p = k2.p
  LEFT JOIN rd_kg_e o ON o.p = k2.p AND o.a = g.a AND o.b = k2.c
  WHERE k2.d IS NULL AND g.a <> k2.c AND g.n > CASE WHEN o.a IS NULL THEN 0 ELSE 1 END
    AND k2.cid BETWEEN :lo AND :hi) x ON x.cid = k.cid
LEFT JOIN rd_kg_e h ON h.p = k.rho AND h.a = x.x AND h.b = k.c
LEFT JOIN rd_kg_deg s ON s.p = k.rho AND s.a = x.x
GROUP BY k.cid"""


def mine_graph(eng: Engine, opts: KgOptions, ph: Phases) -> KgMined:
    """Mine every relation of the imported graph in ``eng`` (temp tables only)."""
    names = relations(eng)
    n_rel = len(names)
    stats: dict[str, Any] = {"relations": n_rel}
    with ph.phase("setup"), eng.in_phase("setup"):
        setup(eng, n_rel)
        eng.execute(q("CREATE OR REPLACE TEMP TABLE rd_kg_deg_all AS SELECT a, sum(n) AS n FROM rd_kg_deg GROUP BY a"))
        eng.execute(q(_SMALL, cap=opts.degree_cap))
        eng.execute(q(_SAMPLE, seed=opts.seed, nrel=n_rel, cap=opts.degree_cap, sample=opts.sample,
                      maxsample=max(opts.sample, opts.max_sample), share=opts.sample_share))
        stats["edges"] = int(eng.scalar(q("SELECT count(*) FROM rd_kg_e"))) // 2
        stats["sampled_heads"] = int(eng.scalar(q("SELECT count(*) FROM rd_kg_s")))
    with ph.phase("discover"), eng.in_phase("discover"):
        found = [q(_DISCOVER[n], minsup=opts.min_support) for n in range(1, opts.max_length + 1)]
        eng.execute(temp_table("rd_kg_found", union_all(found)))
        eng.execute(q("""CREATE OR REPLACE TEMP TABLE rd_kg_b AS
            SELECT row_number() OVER (ORDER BY len, p1, p2, p3) AS bid, len, p1, p2, p3 FROM (
              SELECT DISTINCT CASE WHEN p3 >= 0 THEN 3 WHEN p2 >= 0 THEN 2 ELSE 1 END AS len, p1, p2, p3
              FROM rd_kg_found) u"""))
        stats["path_candidates"] = int(eng.scalar(q("SELECT count(*) FROM rd_kg_found")))
        stats["bodies"] = int(eng.scalar(q("SELECT count(*) FROM rd_kg_b")))
        if opts.constants:
            eng.execute(temp_table("rd_kg_k0", q(_DISCOVER_CONST, nrel=n_rel, minsup=opts.min_support)))
    ph.note(f"{stats['path_candidates']} path rules over {stats['bodies']} bodies from "
            f"{stats['sampled_heads']} sampled heads")
    with ph.phase("measure"), eng.in_phase("measure"):
        measured = _measure_paths(eng, opts, n_rel, stats, ph)
        if opts.constants:
            measured += _measure_constants(eng, opts, n_rel, stats, ph)
    rules: dict[str, list[MeasuredRule]] = {n: [] for n in names}
    for m in measured:
        if m.support >= opts.min_support and m.confidence >= opts.min_confidence:
            rules[names[m.rule.head]].append(m)
    for n in names:   # the best max_rules of each shape: constants never crowd out paths
        key = lambda m: (-m.weight, -m.support, m.rule.path, m.rule.const or -1)
        paths = sorted((m for m in rules[n] if m.rule.is_path), key=key)[:opts.max_rules]
        consts = sorted((m for m in rules[n] if not m.rule.is_path), key=key)[:opts.max_rules]
        rules[n] = sorted(paths + consts, key=key)
    stats["rules"] = sum(len(v) for v in rules.values())
    return KgMined(names, rules, stats)


def _batches(rows: list[tuple[int, int]], budget: int) -> list[tuple[int, int]]:
    """Contiguous ``(lo, hi)`` id ranges of ``rows`` ``(id, cost)`` (ids ascending), each
    costing at most ``budget`` unless one row alone does.

    >>> _batches([(1, 5), (2, 5), (3, 20), (4, 1)], 10)
    [(1, 2), (3, 3), (4, 4)]
    """
    out: list[tuple[int, int]] = []
    acc = 0
    for i, cost in rows:
        if out and acc + cost <= budget:
            out[-1] = (out[-1][0], i)
            acc += cost
        else:
            out.append((i, i))
            acc = cost
    return out


def _measure_paths(eng: Engine, opts: KgOptions, n_rel: int, stats: dict[str, Any], ph: Phases) -> list[MeasuredRule]:
    ests = [q(_ESTIMATE[n], nrel=n_rel) for n in range(1, opts.max_length + 1)]
    eng.execute(temp_table("rd_kg_est", union_all(ests)))
    # renumber bodies so that each length's bodies are contiguous and cheap ones come first
    eng.execute(q("""CREATE OR REPLACE TEMP TABLE rd_kg_b AS
        SELECT row_number() OVER (ORDER BY b.len, coalesce(e.paths, 0), b.bid) AS bid, b.bid AS old, b.len,
               b.p1, b.p2, b.p3, coalesce(e.paths, 0) AS paths, coalesce(e.fan, 0) AS fan
        FROM rd_kg_b b LEFT JOIN rd_kg_est e ON e.bid = b.bid"""))
    # a rule is measured when its bounds allow min-confidence, and it is among the relation's
    # max_candidates best by estimated confidence: sampled share of the head times |head| over paths
    eng.execute(q("""CREATE OR REPLACE TEMP TABLE rd_kg_c AS
        SELECT row_number() OVER (ORDER BY c.bid, c.r) AS rid, c.bid, c.r, c.sampled,
               c.ok AND c.est >= :minconf / :slack
               AND row_number() OVER (PARTITION BY c.r, c.ok ORDER BY c.est DESC, c.bid) <= :maxcand AS live
        FROM (SELECT b.bid, f.r, f.n AS sampled, f.n * r.n / (s.n * greatest(b.paths, 1)) AS est,
                     b.paths <= :maxbody AND (b.fan <= 0 OR r.n >= :minconf * b.fan) AND b.paths > 0 AS ok
              FROM rd_kg_found f JOIN rd_kg_b b ON b.p1 = f.p1 AND b.p2 = f.p2 AND b.p3 = f.p3
              JOIN rd_kg_rel r ON r.p = f.r
              JOIN (SELECT r, count(*) AS n FROM rd_kg_s GROUP BY r) s ON s.r = f.r) c""",
                  maxbody=opts.max_body_paths, minconf=opts.min_confidence, maxcand=opts.max_candidates, slack=SLACK))
    stats["path_rules_left_out"] = int(eng.scalar(q("SELECT count(*) FROM rd_kg_c WHERE NOT live")))
    eng.execute(q("CREATE OR REPLACE TEMP TABLE rd_kg_stat (rid BIGINT, derived BIGINT, support BIGINT, pca BIGINT)"))
    eng.execute(q("""CREATE OR REPLACE TEMP TABLE rd_kg_b AS SELECT b.*,
        EXISTS (SELECT 1 FROM rd_kg_c c WHERE c.bid = b.bid AND c.live) AS live FROM rd_kg_b b"""))
    live = eng.rows(q("SELECT len, bid, paths FROM rd_kg_b WHERE live ORDER BY bid"))
    n_batches = 0
    for n in range(1, opts.max_length + 1):
        rows = [(int(b), int(p)) for ln, b, p in live if ln == n]
        for lo, hi in _batches(rows, opts.batch_paths):
            if n == 3:
                eng.execute(q(_PREFIX, lo=lo, hi=hi))
            eng.execute(with_table(q(_MEASURE), "rd_kg_g", q(_GROUNDINGS[n], lo=lo, hi=hi)))
            n_batches += 1
    stats["path_batches"] = n_batches
    ph.note(f"measured {len(live)} bodies in {n_batches} batches")
    out = []
    for rid_r, p1, p2, p3, derived, support, pca, head in eng.rows(q("""
            SELECT c.r, b.p1, b.p2, b.p3, s.derived, s.support, s.pca, r.n
            FROM rd_kg_stat s JOIN rd_kg_c c ON c.rid = s.rid JOIN rd_kg_b b ON b.bid = c.bid
            JOIN rd_kg_rel r ON r.p = c.r WHERE s.support >= :minsup""", minsup=opts.min_support)):
        path = tuple(int(p) for p in (p1, p2, p3) if p >= 0)
        out.append(MeasuredRule(KgRule(int(rid_r), path), int(derived), int(support), int(pca), int(head)))
    return out


def _measure_constants(eng: Engine, opts: KgOptions, n_rel: int, stats: dict[str, Any],
                       ph: Phases) -> list[MeasuredRule]:
    eng.execute(q(_CONST_BODY, nrel=n_rel, minconf=opts.min_confidence, maxbody=opts.max_body_paths,
                  maxcand=opts.max_candidates, slack=SLACK))
    stats["constant_candidates"] = int(eng.scalar(q("SELECT count(*) FROM rd_kg_k0")))
    eng.execute(q("CREATE OR REPLACE TEMP TABLE rd_kg_kstat (cid BIGINT, derived BIGINT, support BIGINT, pca BIGINT)"))
    rows = [(int(c), int(b)) for c, b in eng.rows(q("SELECT cid, body FROM rd_kg_k ORDER BY cid"))]
    stats["constant_rules_left_out"] = stats["constant_candidates"] - len(rows)
    batches = _batches(rows, opts.batch_paths)
    for lo, hi in batches:
        eng.execute(q(_CONST_MEASURE, nrel=n_rel, lo=lo, hi=hi))
    ph.note(f"measured {len(rows)} constant rules in {len(batches)} batches")
    out = []
    for rho, c, p, d, derived, support, pca, head in eng.rows(q("""
            SELECT k.rho, k.c, k.p, k.d, s.derived, s.support, s.pca, r.n FROM rd_kg_kstat s
            JOIN rd_kg_k k ON k.cid = s.cid JOIN rd_kg_rel r ON r.p = k.rho % :nrel
            WHERE s.support >= :minsup""", nrel=n_rel, minsup=opts.min_support)):
        out.append(MeasuredRule(KgRule(int(rho) % n_rel, (int(p),), const=int(c), side=int(rho) // n_rel,
                                       bconst=None if d is None else int(d)), int(derived), int(support), int(pca),
                                int(head)))
    return out
