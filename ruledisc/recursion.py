"""Recursive programs in SQL: the least fixpoint as one ``WITH RECURSIVE`` query.

A program's *derived* (IDB) predicates are its heads; a rule is recursive when
its body reads one. DuckDB evaluates the fixpoint semi-naively: each round the
CTE name is the *delta* (facts new in the last round) and ``recurring.<cte>``
the facts so far (``USING KEY`` recursion). A rule with k derived atoms becomes
k step queries, the j-th reading the delta at atom j and all facts elsewhere,
so non-linear rules (``lt(X,Y) :- lt(X,Z), lt(Z,Y)``) reach the fixpoint too.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from .compile import IdbSources, Relation, union_all, view_select
from .introspect import Catalog
from .rule import Atom, Rule

FIX = "rd_fix"


def derived_atoms(rule: Rule, idb: set[str]) -> list[int]:
    """Body-atom indices (body order, atoms only) of derived predicates."""
    atoms = [lit for lit in rule.body if isinstance(lit, Atom)]
    return [i for i, a in enumerate(atoms) if a.pred in idb]


def is_recursive(rules: Sequence[Rule]) -> bool:
    idb = {r.head.pred for r in rules}
    return any(derived_atoms(r, idb) for r in rules)


def reading(idb: set[str], rel: Relation, delta_at: int | None = None,
            delta: Relation | None = None) -> IdbSources:
    """Derived atoms read ``rel``; the one at ``delta_at`` reads ``delta`` instead."""
    def pick(i: int, atom: Atom) -> Relation | None:
        if atom.pred not in idb:
            return None
        return delta if i == delta_at and delta is not None else rel
    return pick


def _empty(columns: Sequence[str], types: Sequence[str]) -> exp.Select:
    return exp.select(*[exp.cast(exp.null(), t).as_(c, quoted=True) for c, t in zip(columns, types)]) \
        .where(exp.false())


def fixpoint_cte(rules: Sequence[Rule], cat: Catalog, columns: Sequence[str], types: Sequence[str],
                 name: str = FIX) -> exp.CTE:
    """``name(columns) USING KEY (columns) AS (base UNION (steps))`` for one derived predicate."""
    idb = {r.head.pred for r in rules}
    cols = tuple(columns)
    full = Relation(exp.table_(name, db="recurring", quoted=True), cols)
    delta = Relation(exp.table_(name, quoted=True), cols)
    base = [view_select(r, cat, cols) for r in rules if not derived_atoms(r, idb)]
    steps = [view_select(r, cat, cols, reading(idb, full, j, delta))
             for r in rules for j in derived_atoms(r, idb)]
    body: exp.Query = union_all(base) if base else _empty(cols, types)
    if steps:
        step = union_all(steps)
        body = exp.Union(this=body, expression=step.subquery(copy=False) if len(steps) > 1 else step,
                         distinct=True)
    return exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True),
                                                   columns=[exp.to_identifier(c, quoted=True) for c in cols]),
                   key_expressions=[exp.to_identifier(c, quoted=True) for c in cols] if steps else None)


def fixpoint_query(rules: Sequence[Rule], cat: Catalog, columns: Sequence[str], types: Sequence[str],
                   name: str = FIX) -> exp.Select:
    """The program's derived facts: ``WITH RECURSIVE ... SELECT columns FROM name``."""
    q = exp.select(*[exp.column(c, name, quoted=True) for c in columns]).from_(exp.table_(name, quoted=True))
    return with_fixpoint(q, rules, cat, columns, types, name)


def with_fixpoint(q: exp.Select, rules: Sequence[Rule], cat: Catalog, columns: Sequence[str],
                  types: Sequence[str], name: str = FIX) -> exp.Select:
    """Attach the fixpoint CTE ``name`` to ``q``."""
    q.set("with_", exp.With(expressions=[fixpoint_cte(rules, cat, columns, types, name)], recursive=True))
    return q
