"""Execute grounding SQL and turn the results into index tensors.

The head universe ``rd_heads(hid, c0.., label, w)`` holds every labelled head
atom: the examples, plus (closed world) every head a candidate derives that is
not positive, sampled with weights when there are too many. Each candidate's
groundings come back as ``(clause id, head id)`` pairs, fetched as numpy arrays
(no Python row loop) and handed to torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from sqlglot import exp

from .bias import Candidate, rules_batch
from .compile import body_joined, head_select, temp_table, union_all
from .engine import Engine
from .introspect import Catalog
from .rule import Rule
from .target import EXAMPLES, LEARN, Target
from .thresholds import Slot, as_number, relax, slots, value_sql

HEADS = "rd_heads"
BATCH = 32


@dataclass
class Soft:
    """Learnable comparisons (thresholds) over the pairs of a :class:`Groundings`.

    values: (P, K) float, the compared values scaled per threshold, ``(x - θ0) / scale``
    (0 where a pair's clause has fewer than K thresholds); param: (P, K) int64
    threshold id, -1 for none; sign: (J,) +1 for ``>``, -1 for ``<=``; center,
    scale: (J,) float64, θ = center + scale * u; slots: (clause, body position) of
    each threshold; observed: (J,) sorted distinct raw values, for snapping;
    raw: (P, K) float64 unscaled values (NaN for none), for the crisp test.
    """

    values: torch.Tensor
    param: torch.Tensor
    sign: torch.Tensor
    center: np.ndarray
    scale: np.ndarray
    slots: list[tuple[int, int]]
    observed: list[np.ndarray]
    raw: np.ndarray

    def select(self, mask: np.ndarray) -> Soft:
        """The rows of the pairs in ``mask`` (P,) bool; thresholds keep their ids."""
        m = torch.from_numpy(mask)
        return Soft(self.values[m], self.param[m], self.sign, self.center, self.scale, self.slots, self.observed,
                    self.raw[mask])

    def to(self, device: str | torch.device) -> Soft:
        return Soft(self.values.to(device), self.param.to(device), self.sign.to(device), self.center, self.scale,
                    self.slots, self.observed, self.raw)

    def truth(self, u: torch.Tensor, tau: float) -> torch.Tensor:
        """(P,) body truth: the product of ``sigmoid(sign * (x - u) / tau)`` over a pair's thresholds."""
        has = self.param >= 0
        p = self.param.clamp(min=0)
        z = torch.sigmoid(self.sign[p] * (self.values - u[p]) / tau)
        return torch.where(has, z, torch.ones_like(z)).prod(dim=1)

    def holds(self, theta: np.ndarray) -> torch.Tensor:
        """(P,) bool: every comparison of the pair holds crisply at raw thresholds ``theta`` (J,):
        ``x > θ`` or ``x <= θ``, exactly as the rule's SQL tests it."""
        param = self.param.cpu().numpy()
        has = param >= 0
        t = theta[np.maximum(param, 0)]
        above = self.raw > t
        ok = np.where(self.sign.cpu().numpy()[np.maximum(param, 0)] > 0, above, ~above)
        return torch.from_numpy(np.where(has, ok, True).all(axis=1))


@dataclass
class Groundings:
    """Index batches for the learner.

    clause: (P,) int64 candidate index of each (clause, head) pair;
    head: (P,) int64 head atom id; truth: (P,) float body truth (1.0: crisp facts);
    labels: (H,) float 1/0; weights: (H,) float example weight (sampled negatives > 1);
    soft: the pairs' learnable thresholds, if any clause has one.
    """

    clause: torch.Tensor
    head: torch.Tensor
    truth: torch.Tensor
    labels: torch.Tensor
    weights: torch.Tensor
    n_clauses: int
    soft: Soft | None = None

    @property
    def n_heads(self) -> int:
        return int(self.labels.shape[0])

    def select(self, mask: np.ndarray) -> Groundings:
        """The pairs in ``mask`` (P,) bool; heads and clause ids unchanged."""
        m = torch.from_numpy(mask)
        return Groundings(self.clause[m], self.head[m], self.truth[m], self.labels, self.weights, self.n_clauses,
                          self.soft.select(mask) if self.soft is not None else None)

    def to(self, device: str | torch.device) -> Groundings:
        return Groundings(self.clause.to(device), self.head.to(device), self.truth.to(device),
                          self.labels.to(device), self.weights.to(device), self.n_clauses,
                          self.soft.to(device) if self.soft is not None else None)


def _cols(n: int, table: str | None = None) -> list[exp.Column]:
    return [exp.column(f"c{i}", table) for i in range(n)]


def anti_join(query: exp.Select, n: int, table: str, alias: str) -> exp.Select:
    """``query`` (columns ``d.c0..``) without the rows ``table`` already holds."""
    return query.join(exp.to_table(table).as_(alias), on=exp.and_(*[
        exp.EQ(this=exp.column(f"c{i}", "d"), expression=exp.column(f"c{i}", alias)) for i in range(n)]),
        join_type="ANTI", copy=False)


def _unseen(eng: Engine, cat: Catalog, target: Target, cands: Sequence[Candidate]) -> None:
    """``rd_unseen``: the distinct heads some candidate derives that are no example,
    a batch of candidates at a time (one UNION of hundreds of bodies held GiBs of
    hash tables in DuckDB)."""
    n = target.arity
    batch = rules_batch(cat, [c.rule for c in cands], BATCH)
    for i in range(0, len(cands), batch):
        derived = union_all([head_select(_relaxed(c.rule, cat), cat, n) for c in cands[i:i + batch]])
        new = anti_join(exp.select(*_cols(n, "d")).distinct().from_(derived.subquery("d", copy=False), copy=False),
                        n, EXAMPLES, "e")
        if i == 0:
            eng.execute(temp_table("rd_unseen", new))
        else:
            eng.execute(exp.insert(anti_join(new, n, "rd_unseen", "s"), "rd_unseen"))


def _relaxed(rule: Rule, cat: Catalog) -> Rule:
    """The rule without its learnable thresholds: every head it may derive while they move."""
    sl = slots(rule, cat)
    return relax(rule, [s.literal for s in sl]) if sl else rule


def build_heads(eng: Engine, cat: Catalog, target: Target, cands: Sequence[Candidate],
                max_negatives: int, seed: int) -> dict[str, int]:
    """Create ``rd_heads``; returns counts of positives, negatives and sampled negatives."""
    n = target.arity
    ex = exp.select(*_cols(n), "label", "w").from_(LEARN)
    parts: list[exp.Query] = [ex]
    info = {"negatives_total": 0, "negatives_kept": 0}
    if target.closed_world and cands:
        _unseen(eng, cat, target, cands)
        total = int(eng.scalar(exp.select("count(*)").from_("rd_unseen")))
        keep = exp.select(*_cols(n), exp.Literal.number(0).as_("label"),
                          exp.Literal.number(max(1.0, total / max_negatives)).as_("w")).from_("rd_unseen")
        if total > max_negatives:
            h = exp.func("hash", *_cols(n), exp.Literal.number(seed))
            keep = keep.where(exp.LT(this=exp.Mod(this=h, expression=exp.Literal.number(1_000_003)),
                                     expression=exp.Literal.number(int(1_000_003 * max_negatives / total))))
        parts.append(keep)
        info["negatives_total"] = total
    order = exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=[
        exp.Ordered(this=exp.column("label"), desc=True), *[exp.Ordered(this=c) for c in _cols(n)]]))
    body = union_all(parts)
    heads = exp.select(exp.Sub(this=order, expression=exp.Literal.number(1)).as_("hid"), *_cols(n), "label",
                       "w").from_(body.subquery("u", copy=False))
    eng.execute(temp_table(HEADS, heads))
    counts = dict(eng.rows(exp.select("label", "count(*)").from_(HEADS).group_by("label")))
    info.update(positives=int(counts.get(1, 0)), negatives=int(counts.get(0, 0)))
    if not target.closed_world:
        info["negatives_total"] = info["negatives"]
    info["negatives_kept"] = info["negatives"]
    return info


def _pair_query(cid: int, rule: Rule, cat: Catalog, n: int, sl: Sequence[Slot], width: int) -> exp.Select:
    """``cid, hid`` (and ``x0..`` for thresholds) of one candidate's labelled heads.
    The body joins ``rd_heads`` on the head's arguments, so the planner can start
    from the labelled heads instead of deriving every head first."""
    body = body_joined(relax(rule, [s.literal for s in sl]), cat, HEADS, "h")
    q = body.select.select(exp.cast(exp.Literal.number(cid), "INTEGER").as_("cid"), exp.column("hid", "h"), copy=False)
    if not width:
        return q.distinct(copy=False)
    vals = [value_sql(body.bindings[s.var].copy(), s.date) for s in sl]
    if len(sl) == 1:   # exists a grounding with x > θ <=> max(x) > θ (x <= θ: min)
        agg = exp.Max if sl[0].op == ">" else exp.Min
        q = q.select(agg(this=vals[0]).as_("x0"), copy=False)
        q = q.select(*[exp.cast(exp.Null(), "DOUBLE").as_(f"x{k}") for k in range(1, width)], copy=False)
        return q.group_by(exp.column("hid", "h"), copy=False)
    vals += [exp.cast(exp.Null(), "DOUBLE")] * (width - len(sl))
    return q.select(*[v.as_(f"x{k}") for k, v in enumerate(vals)], copy=False).distinct(copy=False)


def ground(eng: Engine, cat: Catalog, target: Target, cands: Sequence[Candidate],
           progress: Callable[[int, int], None] | None = None) -> Groundings:
    """Run each candidate's grounding query; returns index tensors (with
    :class:`Soft` values for candidates that compare with a learnable threshold)."""
    n = target.arity
    sl = [slots(c.rule, cat) for c in cands]
    width = max((len(x) for x in sl), default=0)
    parts: dict[str, list[np.ndarray]] = {"cid": [], "hid": []} | {f"x{k}": [] for k in range(width)}
    # explicit labels: the heads are the examples (a sample on big tables), which bound each branch
    batch = BATCH if not target.closed_world else rules_batch(cat, [c.rule for c in cands], BATCH)
    done = 0
    for w, ids in ((0, [i for i in range(len(cands)) if not sl[i]]), (width, [i for i in range(len(cands)) if sl[i]])):
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            cols = eng.numpy(union_all([_pair_query(i, cands[i].rule, cat, n, sl[i], w) for i in chunk]))
            parts["cid"].append(cols["cid"].astype(np.int64))
            parts["hid"].append(cols["hid"].astype(np.int64))
            for k in range(width):
                parts[f"x{k}"].append(cols[f"x{k}"].astype(np.float64) if w else np.full(len(cols["cid"]), np.nan))
            done += len(chunk)
            if progress:
                progress(done, len(cands))
    cat_ = lambda k: np.concatenate(parts[k]) if parts[k] else np.zeros(0)
    clause, head = cat_("cid").astype(np.int64), cat_("hid").astype(np.int64)
    order = np.lexsort((head, clause))
    lab = eng.numpy(exp.select("label", "w").from_(HEADS).order_by("hid"))
    soft = None
    if width:
        values = np.stack([cat_(f"x{k}") for k in range(width)], axis=1)[order]
        soft = _soft(values, clause[order], sl, cands)
    return Groundings(
        clause=torch.from_numpy(clause[order]), head=torch.from_numpy(head[order]),
        truth=torch.ones(len(order), dtype=torch.float32),
        labels=torch.from_numpy(lab["label"].astype(np.float32)),
        weights=torch.from_numpy(lab["w"].astype(np.float32)), n_clauses=len(cands), soft=soft)


def _soft(values: np.ndarray, clause: np.ndarray, sl: Sequence[Sequence[Slot]], cands: Sequence[Candidate]) -> Soft:
    """Threshold ids, scaled values and snapping grids for the pairs (values: (P, K) raw,
    NaN for none; pairs sorted by clause)."""
    param = np.full(values.shape, -1, dtype=np.int64)
    center, scale, ids, observed, sign = [], [], [], [], []
    scaled = np.zeros(values.shape, dtype=np.float64)
    bounds = np.searchsorted(clause, np.arange(len(sl) + 1))   # pairs of clause c: bounds[c]:bounds[c + 1]
    for c, slots_c in enumerate(sl):
        lo, hi = int(bounds[c]), int(bounds[c + 1])
        for k, s in enumerate(slots_c):
            x = values[lo:hi, k]
            theta = as_number(cands[c].rule.body[s.literal].right.value, s.date)
            spread = float(np.std(x)) if hi > lo else 0.0
            ids.append((c, s.literal))
            center.append(theta)
            scale.append(spread if spread > 0 else 1.0)
            sign.append(1.0 if s.op == ">" else -1.0)
            observed.append(np.unique(x[~np.isnan(x)]))
            param[lo:hi, k] = len(ids) - 1
            scaled[lo:hi, k] = (x - theta) / scale[-1]
    scaled[np.isnan(scaled)] = 0.0
    return Soft(torch.from_numpy(scaled.astype(np.float32)), torch.from_numpy(param),
                torch.tensor(sign, dtype=torch.float32), np.array(center), np.array(scale), ids, observed, values)


def compress(g: Groundings, seed: int = 0) -> Groundings:
    """Merge head atoms reached by the same set of clauses (crisp facts only).

    With every body truth 1, a head's truth depends only on *which* clauses reach
    it, so heads with equal clause sets share one truth value. Each set becomes one
    row whose weight is the heads' total weight and whose label is their weighted
    share of positives; weighted BCE on these rows equals the loss on the heads,
    term by term. Sets are identified by two independent 64-bit random sums per
    head (collision odds about ``H^2 / 2^128``).

    Returns a Groundings over P' pairs and H' clause sets (P' <= P, H' <= H).
    """
    if not bool((g.truth == 1).all()):
        return g
    clause, head = g.clause.numpy(), g.head.numpy()
    rng = np.random.default_rng(seed)
    keys = rng.integers(1, 2**63, size=(2, max(1, g.n_clauses)), dtype=np.uint64)
    order = np.argsort(head, kind="stable")
    h_sorted, c_sorted = head[order], clause[order]
    sig = np.zeros((g.n_heads, 2), dtype=np.uint64)
    if len(h_sorted):
        starts = np.flatnonzero(np.r_[True, h_sorted[1:] != h_sorted[:-1]])
        for j in range(2):
            sig[h_sorted[starts], j] = np.add.reduceat(keys[j][c_sorted], starts)
    _, first, pattern = np.unique(sig, axis=0, return_index=True, return_inverse=True)
    pattern = pattern.reshape(-1)
    keep = first[pattern[head]] == head          # pairs of each set's representative head
    w = g.weights.numpy().astype(np.float64)
    lab = g.labels.numpy().astype(np.float64)
    w_all = np.bincount(pattern, weights=w, minlength=len(first))
    w_pos = np.bincount(pattern, weights=w * lab, minlength=len(first))
    return Groundings(
        clause=torch.from_numpy(clause[keep]), head=torch.from_numpy(pattern[head[keep]].astype(np.int64)),
        truth=torch.ones(int(keep.sum()), dtype=torch.float32),
        labels=torch.from_numpy((w_pos / np.maximum(w_all, 1e-12)).astype(np.float32)),
        weights=torch.from_numpy(w_all.astype(np.float32)), n_clauses=g.n_clauses)
