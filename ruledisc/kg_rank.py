"""Ranking evaluation of knowledge-graph rules: answer ``(h, r, ?)`` and ``(?, r, t)`` for
every triple of a split by applying the rules in SQL, aggregate the rules that fire for
each candidate, and report filtered MRR and Hits@k (ties at their mean position).

Queries are directed: ``(h, r, ?)`` is ``(h, rho = r)`` and ``(?, r, t)`` is
``(t, rho = r + R)``. A path rule answers its own direction by walking its path and the
other direction by walking it backwards; a constant rule ``rho(X, c) :- body(X)`` answers
``(s, rho)`` with ``c`` when ``body(s)`` holds, and ``(c, rho^-1)`` with every ``X`` whose
body holds. The walks run in DuckDB; one row per (query, rule, candidate) comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlglot import exp

from .compile import temp_table, union_all
from .engine import Engine
from .errors import UsageError
from .kg_rules import KgRule, inverse
from .kg_sql import q
from .writeback import insert_rows

SPLITS = ("train", "valid", "test")

_QUERIES = """
WITH f AS (SELECT h, r, t FROM kg.facts WHERE split = :split
           QUALIFY :limit IS NULL OR row_number() OVER (ORDER BY hash(h, r, t, :seed)) <= :limit)
SELECT row_number() OVER (ORDER BY r, h, t, side) - 1 AS qid, s, rho, ans FROM (
  SELECT h, r, t, 0 AS side, h AS s, r AS rho, t AS ans FROM f
  UNION ALL SELECT h, r, t, 1, t, r + :nrel, h FROM f) u"""

# every known triple (all splits), both directions: the filter
_KNOWN = """
SELECT DISTINCT r AS p, h AS a, t AS b FROM kg.facts
UNION SELECT DISTINCT r + :nrel, t, h FROM kg.facts"""

_WALKS = {
    1: """SELECT q.qid, a.rid, e1.b AS cand FROM rd_kg_q q JOIN rd_kg_ar a ON a.rho = q.rho AND a.len = 1
          JOIN rd_kg_e e1 ON e1.p = a.p1 AND e1.a = q.s""",
    2: """SELECT DISTINCT q.qid, a.rid, e2.b AS cand FROM rd_kg_q q JOIN rd_kg_ar a ON a.rho = q.rho AND a.len = 2
          JOIN rd_kg_e e1 ON e1.p = a.p1 AND e1.a = q.s JOIN rd_kg_e e2 ON e2.p = a.p2 AND e2.a = e1.b
          WHERE e2.b <> q.s""",
    3: """SELECT DISTINCT q.qid, a.rid, e3.b AS cand FROM rd_kg_q q JOIN rd_kg_ar a ON a.rho = q.rho AND a.len = 3
          JOIN rd_kg_e e1 ON e1.p = a.p1 AND e1.a = q.s JOIN rd_kg_e e2 ON e2.p = a.p2 AND e2.a = e1.b
          JOIN rd_kg_e e3 ON e3.p = a.p3 AND e3.a = e2.b
          WHERE e3.b <> q.s AND e2.b <> q.s AND e3.b <> e1.b""",
    # constant rules, their own direction: the subject satisfies the body, the answer is c
    4: """SELECT q.qid, a.rid, a.c AS cand FROM rd_kg_q q JOIN rd_kg_ar a ON a.rho = q.rho AND a.len = 4
          AND q.s <> a.c
          WHERE EXISTS (SELECT 1 FROM rd_kg_e e WHERE e.p = a.p1 AND e.a = q.s AND e.b <> a.c
                        AND (a.d < 0 OR e.b = a.d))""",
    # constant rules, the other direction: the query asks about c; every X with the body answers
    5: """SELECT DISTINCT q.qid, a.rid, e.a AS cand FROM rd_kg_q q JOIN rd_kg_ar a ON a.rho = q.rho AND a.len = 5
          AND q.s = a.c JOIN rd_kg_e e ON e.p = a.p1 AND e.b <> a.c AND e.a <> a.c AND (a.d < 0 OR e.b = a.d)""",
}

_FIRED = """
SELECT w.qid, w.rid, w.cand, q.ans = w.cand AS hit FROM rd_kg_w w JOIN rd_kg_q q ON q.qid = w.qid
WHERE w.cand = q.ans OR NOT EXISTS (SELECT 1 FROM rd_kg_known k WHERE k.p = q.rho AND k.a = q.s AND k.b = w.cand)
ORDER BY w.qid, w.cand"""

_OTHER_ANSWERS = """
SELECT q.qid, count(k.b) AS n FROM rd_kg_q q LEFT JOIN rd_kg_known k ON k.p = q.rho AND k.a = q.s AND k.b <> q.ans
GROUP BY q.qid ORDER BY q.qid"""


@dataclass
class Fired:
    """The rules that fire per query and candidate (known other answers already removed).

    ``qid``, ``cand``, ``rid``, ``hit``: ``(F,)`` rows sorted by ``(qid, cand)``;
    ``others``: ``(Q,)`` known answers per query besides its own (left out of the ranking);
    ``relation``: ``(Q,)`` the query's relation; ``n_entities``: the ranking's universe."""

    qid: np.ndarray
    cand: np.ndarray
    rid: np.ndarray
    hit: np.ndarray
    others: np.ndarray
    relation: np.ndarray
    n_entities: int

    @property
    def n_queries(self) -> int:
        return len(self.others)

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``pair`` (F,) index of each row's (query, candidate), and per pair its query
        and whether it is the answer: ``(P,)`` each."""
        new = np.ones(len(self.qid), dtype=bool)
        new[1:] = (self.qid[1:] != self.qid[:-1]) | (self.cand[1:] != self.cand[:-1])
        pair = np.cumsum(new) - 1
        return pair, self.qid[new], self.hit[new]


@dataclass
class RankMetrics:
    mrr: float
    hits1: float
    hits3: float
    hits10: float
    queries: int
    per_relation: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"mrr": round(self.mrr, 6), "hits@1": round(self.hits1, 6), "hits@3": round(self.hits3, 6),
                "hits@10": round(self.hits10, 6), "queries": self.queries, "per_relation": self.per_relation}


RULE_ROW = ("rid", "rho", "len", "p1", "p2", "p3", "c", "d")


def _rule_rows(rules: Sequence[KgRule], n_rel: int) -> list[tuple[int, ...]]:
    """``rid, rho, len, p1, p2, p3, c, d`` per applicable direction of each rule (``len`` 4
    and 5 are a constant rule's two directions)."""
    out = []
    for rid, r in enumerate(rules):
        if r.is_path:
            fwd = list(r.path) + [-1] * (3 - len(r.path))
            back = [inverse(p, n_rel) for p in reversed(r.path)] + [-1] * (3 - len(r.path))
            out.append((rid, r.head, len(r.path), *fwd, -1, -1))
            out.append((rid, r.head + n_rel, len(r.path), *back, -1, -1))
        else:
            rho = r.direction(n_rel)
            d = -1 if r.bconst is None else r.bconst
            out.append((rid, rho, 4, r.path[0], -1, -1, r.const, d))
            out.append((rid, inverse(rho, n_rel), 5, r.path[0], -1, -1, r.const, d))
    return out


def fired(eng: Engine, rules: Sequence[KgRule], n_rel: int, split: str, max_queries: int | None = None,
          seed: int = 0) -> Fired:
    """Apply ``rules`` to the queries of ``split`` (both directions of each triple; with
    ``max_queries``, those of a seeded sample of its triples). The working tables of
    :func:`ruledisc.kg_sql.setup` must exist."""
    if split not in SPLITS:
        raise UsageError(f"--split {split!r}: choose one of {', '.join(SPLITS)}")
    limit = None if max_queries is None else max(1, max_queries // 2)
    eng.execute(temp_table("rd_kg_q", q(_QUERIES, split=split, nrel=n_rel, limit=limit, seed=seed)))
    eng.execute(temp_table("rd_kg_known", q(_KNOWN, nrel=n_rel)))
    rows = _rule_rows(rules, n_rel)
    eng.execute(q("""CREATE OR REPLACE TEMP TABLE rd_kg_ar (rid INTEGER, rho INTEGER, len INTEGER, p1 INTEGER,
                     p2 INTEGER, p3 INTEGER, c BIGINT, d BIGINT)"""))
    if rows:
        insert_rows(eng, exp.to_table("rd_kg_ar"), [(c, "BIGINT") for c in RULE_ROW], rows)
    eng.execute(temp_table("rd_kg_w", union_all([q(_WALKS[n]) for n in _WALKS])))
    cols = eng.numpy(q(_FIRED))
    others = eng.numpy(q(_OTHER_ANSWERS))["n"]
    rel = eng.numpy(q("SELECT rho % :nrel AS r FROM rd_kg_q ORDER BY qid", nrel=n_rel))["r"]
    n_ent = int(eng.scalar(q("SELECT count(*) FROM kg.entities")))
    return Fired(cols["qid"].astype(np.int64), cols["cand"].astype(np.int64), cols["rid"].astype(np.int64),
                 cols["hit"].astype(bool), others.astype(np.int64), rel.astype(np.int64), n_ent)


def ranks(f: Fired, pair_score: np.ndarray) -> np.ndarray:
    """Filtered rank of each query's answer, ties at their mean position: ``(Q,)``.

    ``pair_score``: ``(P,)`` one score per (query, candidate) pair of :meth:`Fired.pairs`
    (higher is better; every fired pair ranks above the entities no rule reaches)."""
    _, pq, phit = f.pairs()
    nq = f.n_queries
    n_cand = np.bincount(pq, minlength=nq)
    ans_score = np.full(nq, -np.inf)
    ans_score[pq[phit]] = pair_score[phit]
    found = np.isfinite(ans_score)
    s_ans = ans_score[pq]
    higher = np.bincount(pq, weights=(pair_score > s_ans), minlength=nq)
    equal = np.bincount(pq, weights=(pair_score == s_ans), minlength=nq) - 1  # others tied with the answer
    rank = np.where(found, 1 + higher + np.maximum(equal, 0) / 2.0, 0.0)
    pool = f.n_entities - f.others - n_cand   # unreached entities, the answer among them
    rank = np.where(found, rank, n_cand + 1 + (pool - 1) / 2.0)
    return rank


def metrics(rank: np.ndarray, relation: np.ndarray | None = None,
            names: Sequence[str] = ()) -> RankMetrics:
    def m(x: np.ndarray) -> tuple[float, float, float, float]:
        if len(x) == 0:
            return 0.0, 0.0, 0.0, 0.0
        return float(np.mean(1 / x)), float(np.mean(x <= 1)), float(np.mean(x <= 3)), float(np.mean(x <= 10))

    per = {}
    if relation is not None and len(names):
        for i, n in enumerate(names):
            sel = rank[relation == i]
            if len(sel):
                a = m(sel)
                per[n] = {"mrr": round(a[0], 6), "hits@1": round(a[1], 6), "hits@10": round(a[3], 6),
                          "queries": int(len(sel))}
    return RankMetrics(*m(rank), queries=len(rank), per_relation=per)
