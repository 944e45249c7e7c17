"""Numeric and date comparisons whose thresholds are learned.

A numeric or date attribute gives the refinement ``t.col(K, V), V > θ`` (and
``V <= θ``). The search starts θ at the split that best separates the labelled
heads (Youden's J over the exact values, sampled on big tables); the learner then
moves it by gradient descent on a soft comparison ``sigmoid(±(x - θ)/τ)`` while it
chooses the rules; the extracted rule gets the roundest number that gives the same
crisp answer on the training data (``800`` rather than ``799.63``), so the rule
and its SQL are crisp ``>`` / ``<=``.

Dates are learned as days since 1970-01-01 and written back as ``'YYYY-MM-DD'``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlglot import exp

from .compile import compile_body, head_exprs, union_all
from .engine import Engine
from .introspect import Catalog
from .rule import Atom, Comparison, Const, Rule, Var
from .target import LEARN, Target

PENDING = Const("\x00threshold")   # placeholder until the search computes θ
OPS = (">", "<=")
SPLIT_SAMPLE = 200_000   # labelled heads read per candidate to place an initial threshold
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Slot:
    """A learnable comparison: body literal ``literal`` compares ``var`` with a constant."""

    literal: int
    var: str
    op: str
    kind: str   # 'int', 'float' or 'date': the compared column's type family

    @property
    def date(self) -> bool:
        return self.kind == "date"


def value_kind(cat: Catalog, table: str, column: str) -> str | None:
    """'int', 'float' or 'date' for columns a threshold can compare, else None."""
    fam = cat.tables[table].column(column).family
    return fam if fam in ("int", "float", "date") else None


def _binding_kind(rule: Rule, cat: Catalog, var: str) -> str | None:
    for lit in rule.body:
        if isinstance(lit, Atom) and lit.pred in cat.predicates:
            p = cat.predicates[lit.pred]
            for a, c in zip(lit.args, p.columns):
                if a == Var(var) and p.table in cat.tables:
                    return value_kind(cat, p.table, c)
    return None


def slots(rule: Rule, cat: Catalog) -> list[Slot]:
    """The comparisons of ``rule`` whose constant is a learnable threshold."""
    out = []
    for i, lit in enumerate(rule.body):
        if isinstance(lit, Comparison) and lit.op in OPS and isinstance(lit.left, Var) \
                and isinstance(lit.right, Const):
            kind = _binding_kind(rule, cat, lit.left.name)
            if kind is not None:
                out.append(Slot(i, lit.left.name, lit.op, kind))
    return out


def relax(rule: Rule, drop: Sequence[int]) -> Rule:
    """``rule`` without the body literals at positions ``drop``."""
    return Rule(rule.head, tuple(lit for i, lit in enumerate(rule.body) if i not in set(drop)))


def as_number(value: object, date: bool) -> float:
    """A threshold constant as the learner sees it (dates: days since 1970)."""
    if date:
        d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        return float((d - _EPOCH).days)
    return float(value)  # type: ignore[arg-type]


def as_const(x: float, kind: str) -> Const:
    """A learned threshold as a rule constant (``kind`` as in :class:`Slot`)."""
    if kind == "date":
        return Const((_EPOCH + dt.timedelta(days=int(math.floor(x)))).isoformat())
    if kind == "int":
        return Const(int(math.floor(x)))
    return Const(float(x))


def value_sql(e: exp.Expr, date: bool) -> exp.Expr:
    """The compared column as DOUBLE (dates: days since 1970)."""
    if date:
        days = exp.Anonymous(this="date_diff", expressions=[
            exp.Literal.string("day"), exp.cast(exp.Literal.string("1970-01-01"), "DATE"), exp.cast(e, "DATE")])
        return exp.cast(days, "DOUBLE")
    return exp.cast(e, "DOUBLE")


def soft_select(rule: Rule, cat: Catalog, n: int, sl: Sequence[Slot], width: int) -> exp.Select:
    """Heads of the rule without its learnable comparisons, with the compared values:
    ``c0..c{n-1}, x0..x{width-1}`` (NULL past ``len(sl)``)."""
    body = compile_body(relax(rule, [s.literal for s in sl]), cat)
    cols = [exp.Alias(this=e, alias=exp.to_identifier(f"c{i}")) for i, e in enumerate(head_exprs(rule, body))]
    vals = [value_sql(body.bindings[s.var].copy(), s.date) for s in sl]
    vals += [exp.cast(exp.Null(), "DOUBLE")] * (width - len(sl))
    cols += [exp.Alias(this=v, alias=exp.to_identifier(f"x{k}")) for k, v in enumerate(vals)]
    return body.select.select(*cols, copy=False)


def roundest(lo: float, hi: float) -> float:
    """The number with the fewest significant digits in ``[lo, hi)`` (lo < hi)."""
    if not lo < hi:
        return lo
    top = math.floor(math.log10(max(abs(lo), abs(hi), 1e-12)))
    for d in range(top + 1, -10, -1):
        step = 10.0 ** d
        c = math.ceil(lo / step) * step
        if c < hi:
            return round(c, max(0, -d))
    return lo


def snap(theta: float, values: np.ndarray) -> float:
    """The roundest threshold with the same crisp split of sorted distinct ``values``
    as ``theta`` (both ``x > θ`` and ``x <= θ`` only change at a value)."""
    if len(values) == 0:
        return theta
    i = int(np.searchsorted(values, theta, side="right"))   # values[:i] <= theta < values[i:]
    if i == 0:
        return roundest(values[0] - max(1.0, abs(values[0])), float(values[0]))
    if i == len(values):
        return float(values[-1])
    return roundest(float(values[i - 1]), float(values[i]))


def best_split(x: np.ndarray, y: np.ndarray, op: str) -> float:
    """The threshold maximising Youden's J (true-positive rate minus false-positive
    rate) of ``x op θ``, between two observed values. x, y: (n,), y in {0, 1}."""
    if len(x) == 0:
        return 0.0
    pos, neg = float(y.sum()), float(len(y) - y.sum())
    if pos == 0 or neg == 0:
        return float(np.median(x))
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    last = np.r_[xs[1:] != xs[:-1], True]               # the last row of each distinct value
    below_pos = np.cumsum(ys)[last]                       # heads with x <= value
    below_neg = np.cumsum(1 - ys)[last]
    vals = xs[last]
    j = below_pos / pos - below_neg / neg                 # J of x <= value
    if op == ">":
        j = -j
    k = int(np.argmax(j[:-1])) if len(vals) > 1 else 0
    return float((vals[k] + vals[k + 1]) / 2) if len(vals) > 1 else float(vals[0])


def place(eng: Engine, cat: Catalog, target: Target, rules: list[Rule]) -> list[Rule]:
    """Replace each rule's pending threshold by its best split on the labelled heads
    (complete rules only; the rest keep none and are dropped by the caller)."""
    todo = [i for i, r in enumerate(rules) if PENDING in _constants(r)]
    if not todo:
        return rules
    n = target.arity
    parts = []
    for i in todo:
        r = rules[i]
        s = _pending(r, cat)
        d = soft_select(r, cat, n, [s], 1).subquery("d", copy=False)
        on = exp.and_(*[exp.EQ(this=exp.column(f"c{c}", "d"), expression=exp.column(f"c{c}", "e"))
                        for c in range(n)], copy=False)
        label = exp.Coalesce(this=exp.column("label", "e"), expressions=[exp.Literal.number(0)]) \
            if target.closed_world else exp.column("label", "e")
        agg = exp.Max if s.op == ">" else exp.Min
        q = (exp.select(exp.Literal.number(i).as_("cid"), exp.Max(this=label).as_("y"),
                        agg(this=exp.column("x0", "d")).as_("x"))
             .from_(d).join(exp.to_table(LEARN).as_("e"), on=on, join_type="LEFT" if target.closed_world else None)
             .group_by(*[exp.column(f"c{c}", "d") for c in range(n)]))
        if not target.closed_world:
            q = q.where(exp.Not(this=exp.Is(this=exp.column("label", "e"), expression=exp.Null())))
        parts.append(q)
    out = list(rules)
    for start in range(0, len(parts), 16):
        cols = eng.numpy(union_all(parts[start:start + 16]))
        cid, y, x = cols["cid"].astype(np.int64), cols["y"].astype(np.float64), cols["x"].astype(np.float64)
        for i in todo[start:start + 16]:
            m = (cid == i) & ~np.isnan(x)
            xi, yi = x[m], y[m]
            if len(xi) > SPLIT_SAMPLE:
                keep = np.random.default_rng(i).choice(len(xi), SPLIT_SAMPLE, replace=False)
                xi, yi = xi[keep], yi[keep]
            r = rules[i]
            s = _pending(r, cat)
            body = list(r.body)
            body[s.literal] = Comparison(s.op, Var(s.var), as_const(snap(best_split(xi, yi, s.op), np.unique(xi)),
                                                                      s.kind))
            out[i] = Rule(r.head, tuple(body)).canonical()
    return out


def _pending(rule: Rule, cat: Catalog) -> Slot:
    k = next(j for j, lit in enumerate(rule.body) if isinstance(lit, Comparison) and lit.right == PENDING)
    lit = rule.body[k]
    return Slot(k, lit.left.name, lit.op, _binding_kind(rule, cat, lit.left.name) or "float")


def _constants(rule: Rule) -> set[Const]:
    return {lit.right for lit in rule.body if isinstance(lit, Comparison) and isinstance(lit.right, Const)}


def with_thresholds(rule: Rule, values: dict[int, float], cat: Catalog) -> Rule:
    """``rule`` with the learned thresholds (body position -> value) written in."""
    if not values:
        return rule
    by_lit = {s.literal: s for s in slots(rule, cat)}
    body = list(rule.body)
    for k, x in values.items():
        s = by_lit[k]
        body[k] = Comparison(s.op, Var(s.var), as_const(x, s.kind))
    return Rule(rule.head, tuple(body)).canonical()
