"""Exact rule and program metrics, recomputed in SQL on the database.

Counts are taken against the labelled examples ``rd_ex``: a derived head is a
true positive if labelled 1, a false positive if labelled 0 (or, under the
closed world, not labelled at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from .compile import IdbSources, Relation, head_select, temp_table, union_all
from .engine import Engine
from .introspect import Catalog
from .recursion import fixpoint_query, is_recursive, reading
from .rule import Rule
from .target import EXAMPLES, Target

PROGRAM = "rd_prog"


@dataclass(frozen=True)
class Counts:
    derived: int   # distinct heads the body derives
    support: int   # ... that are positive
    negative: int  # ... that are negative (labelled, or unlabelled under the closed world)
    positives: int  # all positives of the target
    pca_derived: int | None = None  # derived heads r(x, y) whose x has some positive r(x, y'): binary targets

    @property
    def confidence(self) -> float:
        return self.support / self.derived if self.derived else 0.0

    @property
    def pca_confidence(self) -> float | None:
        """AMIE's PCA confidence: support over the derived heads whose subject has a
        known fact (a missing r(x, y) counts against the rule only when r(x, ·) is known)."""
        if self.pca_derived is None:
            return None
        return self.support / self.pca_derived if self.pca_derived else 0.0

    @property
    def precision(self) -> float:
        return self.support / (self.support + self.negative) if self.support + self.negative else 0.0

    @property
    def recall(self) -> float:
        return self.support / self.positives if self.positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _counts_query(cid: int, heads: exp.Query, target: Target) -> exp.Select:
    """``cid, derived, support, negative`` and, for a binary target, ``pca``: the derived
    heads whose subject (first argument) has a positive."""
    n = target.arity
    on = exp.and_(*[exp.EQ(this=exp.column(f"c{i}", "h"), expression=exp.column(f"c{i}", "e")) for i in range(n)])
    label = exp.column("label", "e")
    neg = exp.or_(exp.EQ(this=label, expression=exp.Literal.number(0)), label.copy().is_(exp.null())) \
        if target.closed_world else exp.EQ(this=label.copy(), expression=exp.Literal.number(0))
    q = exp.select(
        exp.Literal.number(cid).as_("cid"), exp.func("count", exp.Star()).as_("derived"),
        exp.Filter(this=exp.func("count", exp.Star()), expression=exp.Where(
            this=exp.EQ(this=label.copy(), expression=exp.Literal.number(1)))).as_("support"),
        exp.Filter(this=exp.func("count", exp.Star()), expression=exp.Where(this=neg)).as_("negative"),
    ).from_(heads.subquery("h", copy=False), copy=False).join(exp.to_table(EXAMPLES).as_("e"), on=on, join_type="LEFT",
                                                  copy=False)
    if n != 2:
        return q
    subjects = exp.select(exp.column("c0").as_("s")).distinct().from_(EXAMPLES).where(
        exp.EQ(this=exp.column("label"), expression=exp.Literal.number(1)))
    q = q.join(subjects.subquery("p"), on=exp.EQ(this=exp.column("s", "p"), expression=exp.column("c0", "h")),
               join_type="LEFT", copy=False)
    known = exp.Not(this=exp.Is(this=exp.column("s", "p"), expression=exp.Null()))
    return q.select(exp.Filter(this=exp.func("count", exp.Star()), expression=exp.Where(this=known)).as_("pca"),
                    copy=False)


def n_positives(eng: Engine) -> int:
    return int(eng.scalar(exp.select("count(*)").from_(EXAMPLES).where("label = 1")) or 0)


def derived_facts(eng: Engine, cat: Catalog, target: Target, rules: Sequence[Rule]) -> IdbSources | None:
    """For a recursive program, materialise its fixpoint as ``rd_prog(c0..)`` and
    return how rule bodies read the target from it (None: not recursive)."""
    if not is_recursive(rules):
        return None
    cols = [f"c{i}" for i in range(target.arity)]
    eng.execute(temp_table(PROGRAM, fixpoint_query(rules, cat, cols, target.head_types)))
    return reading({target.name}, Relation(exp.table_(PROGRAM), tuple(cols)))


def rule_counts(eng: Engine, cat: Catalog, target: Target, rules: Sequence[Rule],
                idb: IdbSources | None = None) -> list[Counts]:
    """One :class:`Counts` per rule, in one query; recursive rules read the target via ``idb``."""
    if not rules:
        return []
    p = n_positives(eng)
    qs = [_counts_query(i, head_select(r, cat, target.arity, idb), target) for i, r in enumerate(rules)]
    rows = {int(r[0]): r[1:] for r in eng.rows(union_all(qs))}
    return [Counts(int(rows[i][0]), int(rows[i][1]), int(rows[i][2]), p,
                   int(rows[i][3]) if len(rows[i]) > 3 else None) for i in range(len(rules))]


def program_counts(eng: Engine, cat: Catalog, target: Target, rules: Sequence[Rule]) -> Counts:
    """Counts of the union of ``rules`` (the program's predictions)."""
    p = n_positives(eng)
    if not rules:
        return Counts(0, 0, 0, p)
    if is_recursive(rules):
        derived_facts(eng, cat, target, rules)
        heads = exp.select("*").from_(PROGRAM)
    else:
        heads = exp.select("*").distinct().from_(
            union_all([head_select(r, cat, target.arity) for r in rules]).subquery("u", copy=False))
    row = eng.rows(_counts_query(0, heads, target))[0][1:]
    return Counts(int(row[0]), int(row[1]), int(row[2]), p, int(row[3]) if len(row) > 3 else None)
