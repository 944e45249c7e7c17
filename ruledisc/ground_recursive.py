"""Groundings of recursive candidates: body atoms of the target become atom ids.

The head universe ``rd_heads`` must hold every target atom a candidate can
derive, since derived atoms feed other groundings. It starts as in
:func:`~ruledisc.ground.build_heads` and is closed in SQL: recursive candidates
are run with their target atoms read from ``rd_heads`` itself, and the atoms they
derive that are missing are added (negative under the closed world, unlabelled
otherwise) until nothing new appears. Each grounding is then
``(clause, head id, ids of its target body atoms)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from sqlglot import exp

from .bias import Candidate, rules_batch
from .compile import Relation, body_joined, head_select, union_all
from .engine import Engine
from .errors import DataError
from .ground import HEADS, anti_join, build_heads
from .introspect import Catalog
from .recursion import derived_atoms, reading
from .target import Target

MAX_ROUNDS = 100
MAX_UNIVERSE = 5_000_000


@dataclass
class ChainGroundings:
    """Index batches for forward chaining.

    clause: (P,) int64 candidate index; head: (P,) int64 head atom id;
    body: (P, K) int64 ids of the grounding's target body atoms, -1 where none;
    labels: (H,) float 1/0; weights: (H,) float (0: unlabelled atom).
    """

    clause: torch.Tensor
    head: torch.Tensor
    body: torch.Tensor
    labels: torch.Tensor
    weights: torch.Tensor
    n_clauses: int

    @property
    def n_heads(self) -> int:
        return int(self.labels.shape[0])

    def to(self, device: str | torch.device) -> ChainGroundings:
        return ChainGroundings(self.clause.to(device), self.head.to(device), self.body.to(device),
                               self.labels.to(device), self.weights.to(device), self.n_clauses)


def _heads_relation(n: int) -> Relation:
    return Relation(exp.table_(HEADS), tuple(f"c{i}" for i in range(n)))


def build_universe(eng: Engine, cat: Catalog, target: Target, cands: Sequence[Candidate],
                   max_negatives: int, seed: int) -> dict[str, int]:
    """``rd_heads`` closed under the recursive candidates; returns its counts.

    Candidates are run a batch at a time, each batch's new atoms inserted before the
    next (one UNION of hundreds of recursive bodies held GiBs of hash tables in
    DuckDB); rounds repeat until a whole round adds nothing."""
    info = build_heads(eng, cat, target, cands, max_negatives, seed)
    n, idb = target.arity, {target.name}
    rec = [c.rule for c in cands if c.recursive]
    rel = _heads_relation(n)
    batch = rules_batch(cat, rec, 16)
    before = start = int(eng.scalar(exp.select("count(*)").from_(HEADS)))
    for _ in range(MAX_ROUNDS if rec else 0):
        round_start = before
        for i in range(0, len(rec), batch):
            eng.execute(_insert_new(union_all([head_select(r, cat, n, reading(idb, rel))
                                               for r in rec[i:i + batch]]), n, target.closed_world))
            before = int(eng.scalar(exp.select("count(*)").from_(HEADS)))
            if before > MAX_UNIVERSE:
                raise DataError(f"recursive candidates derive over {MAX_UNIVERSE:,} target atoms; "
                                "narrow --background or lower --max-body")
        if before == round_start:
            break
    info["derived_atoms"] = before - start
    return info


def _insert_new(derived: exp.Query, n: int, closed_world: bool) -> exp.Insert:
    """INSERT into ``rd_heads`` the atoms of ``derived`` it lacks, with fresh ids
    (label 0 under the closed world, unlabelled otherwise)."""
    cols = [exp.column(f"c{i}") for i in range(n)]
    new = anti_join(exp.select(*[exp.column(f"c{i}", "d") for i in range(n)]).distinct().from_(
        derived.subquery("d", copy=False), copy=False), n, HEADS, "h")
    label = exp.Literal.number(0) if closed_world else exp.cast(exp.null(), "INTEGER")
    weight = exp.Literal.number(1.0 if closed_world else 0.0)
    row_no = exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=[exp.Ordered(this=c) for c in cols]))
    top = exp.select(exp.func("coalesce", exp.func("max", exp.column("hid")), exp.Literal.number(-1))) \
        .from_(HEADS).subquery()
    rows = exp.select(exp.Add(this=top, expression=row_no).as_("hid"), *cols, label.as_("label"),
                      weight.as_("w")).from_(new.subquery("n", copy=False), copy=False)
    return exp.insert(rows, HEADS)


def ground_program(eng: Engine, cat: Catalog, target: Target, cands: Sequence[Candidate],
                   progress: Callable[[int, int], None] | None = None) -> ChainGroundings:
    """Run each candidate's grounding query over ``rd_heads``; returns index tensors."""
    n, idb = target.arity, {target.name}
    rel = _heads_relation(n)
    k_max = max([len(derived_atoms(c.rule, idb)) for c in cands] + [1])
    parts: list[dict[str, np.ndarray]] = []
    batch = rules_batch(cat, [c.rule for c in cands], 32)
    for start in range(0, len(cands), batch):
        qs = []
        for cid in range(start, min(start + batch, len(cands))):
            rule = cands[cid].rule
            body = body_joined(rule, cat, HEADS, "h", reading(idb, rel))
            ids = [exp.column("hid", body.aliases[i]) for i in derived_atoms(rule, idb)]
            ids += [exp.Literal.number(-1)] * (k_max - len(ids))
            qs.append(body.select.select(
                exp.cast(exp.Literal.number(cid), "INTEGER").as_("cid"), exp.column("hid", "h").as_("hid"),
                *[exp.cast(e, "BIGINT").as_(f"b{j}") for j, e in enumerate(ids)], copy=False).distinct(copy=False))
        parts.append(eng.numpy(union_all(qs)))
        if progress:
            progress(min(start + batch, len(cands)), len(cands))
    clause = np.concatenate([p["cid"] for p in parts]).astype(np.int64) if parts else np.zeros(0, np.int64)
    head = np.concatenate([p["hid"] for p in parts]).astype(np.int64) if parts else np.zeros(0, np.int64)
    body_ids = np.stack([np.concatenate([p[f"b{j}"] for p in parts]).astype(np.int64) for j in range(k_max)],
                        axis=1) if parts else np.zeros((0, k_max), np.int64)
    order = np.lexsort((head, clause))
    lab = eng.numpy(exp.select(exp.func("coalesce", exp.column("label"), exp.Literal.number(0)).as_("label"), "w")
                    .from_(HEADS).order_by("hid"))
    labels = lab["label"].astype(np.float64)
    return ChainGroundings(
        clause=torch.from_numpy(clause[order]), head=torch.from_numpy(head[order]),
        body=torch.from_numpy(body_ids[order]),
        labels=torch.from_numpy(labels.astype(np.float32)),
        weights=torch.from_numpy(lab["w"].astype(np.float32)), n_clauses=len(cands))
