"""Predicate invention: auxiliary binary predicates offered to the learner.

Like ∂ILP's program templates for ``pred1``/``pred2``, the definitions of an
invented predicate come from a few templates over the binary relations whose
two arguments share a domain with the target's arguments:

- chain: ``inv(X, Y) :- p(X, Z), q(Z, Y)`` (either argument order of p and q),
- closure: ``inv(X, Y) :- p(X, Y).  inv(X, Y) :- p(X, Z), inv(Z, Y).``

Level 2 chains a level-1 invention with a relation or another invention, so
``+3 = succ ∘ (succ ∘ succ)`` exists for fizz. Each definition is evaluated in
SQL into a TEMP table; definitions with the same facts as a relation or an
earlier invention (either argument order) are dropped. The learner then
chooses the target's clauses over relations and inventions together, so an
invention is part of the program only if a chosen clause uses it; the chosen
ones are renamed ``<target>#inv1``, ``<target>#inv2``, ... and written
back as their own views.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot import exp

from .bias import Bias, body_predicates
from .compile import union_all
from .derived import TEMP, drop, materialise, reads, rename_preds
from .engine import Engine
from .introspect import RELATION, Catalog, Predicate
from .rule import Atom, Rule, Var
from .target import Target

PREFIX = "rd_inv"
MAX_INVENTIONS = 12      # most invented predicates offered to one search
NEAR = 0.8               # an invention sharing this share of rows with a known relation is a near copy
MAX_BASES = 6            # most binary relations they are built from
MAX_ROWS = 250_000       # an invention with more facts is dropped

Op = tuple[str, bool]    # (predicate, arguments swapped)


@dataclass(frozen=True)
class Invention:
    """An auxiliary predicate: its TEMP table ``name`` holds what ``rules`` derive."""

    name: str
    rules: tuple[Rule, ...]
    level: int
    rows: int


def _atom(op: Op, a: str, b: str) -> Atom:
    name, swap = op
    return Atom(name, (Var(b), Var(a)) if swap else (Var(a), Var(b)))


def chain_rule(name: str, p: Op, q: Op) -> tuple[Rule, ...]:
    return (Rule(Atom(name, (Var("X"), Var("Y"))), (_atom(p, "X", "Z"), _atom(q, "Z", "Y"))),)


def closure_rules(name: str, p: Op) -> tuple[Rule, ...]:
    head = Atom(name, (Var("X"), Var("Y")))
    return (Rule(head, (_atom(p, "X", "Y"),)),
            Rule(head, (_atom(p, "X", "Z"), Atom(name, (Var("Z"), Var("Y"))))))


def binary_bases(cat: Catalog, target: Target, bias: Bias) -> list[Predicate]:
    """Binary relations over one domain that is also a domain of the target's arguments."""
    doms = {d for d in target.domains if d is not None}
    out = []
    for p in body_predicates(cat, target, Bias(include=bias.include, exclude=bias.exclude)):
        if p.kind != RELATION or p.arity != 2 or p.name.startswith(PREFIX):
            continue
        d0, d1 = cat.domain(p.table, p.columns[0]), cat.domain(p.table, p.columns[1])
        if d0 is not None and d0 == d1 and d0 in doms:
            out.append(p)
    out.sort(key=lambda p: (cat.rows.get(p.table, 0), p.name))
    return out[:MAX_BASES]


def _overlaps(eng: Engine, new: exp.Table, olds: Sequence[exp.Table]) -> list[tuple[int, int, int]]:
    """For each old relation: (rows of old, shared rows, shared rows with ``new`` transposed)."""
    parts = []
    for k, old in enumerate(olds):
        same = exp.select(exp.func("count", exp.Star())).from_(
            exp.intersect(exp.select("a0", "a1").from_(new.copy()), exp.select("a0", "a1").from_(old.copy()),
                          distinct=True).subquery("s"))
        swap = exp.select(exp.func("count", exp.Star())).from_(
            exp.intersect(exp.select("a1", "a0").from_(new.copy()), exp.select("a0", "a1").from_(old.copy()),
                          distinct=True).subquery("s"))
        parts.append(exp.select(exp.Literal.number(k).as_("k"),
                                exp.select(exp.func("count", exp.Star())).from_(old.copy()).subquery().as_("n"),
                                same.subquery().as_("same"), swap.subquery().as_("swap")))
    rows = {int(r[0]): r[1:] for r in eng.rows(union_all(parts))}
    return [tuple(int(x) for x in rows[k]) for k in range(len(olds))]


def _relation(eng: Engine, cat: Catalog, p: Predicate) -> exp.Table:
    """A base relation as a TEMP table with columns a0, a1 (for overlap tests)."""
    name = f"{PREFIX}_base_{p.name}"
    eng.execute(exp.Create(this=exp.table_(name, quoted=True), kind="TABLE", replace=True,
                           properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
                           expression=exp.select(*[exp.column(c, quoted=True).as_(f"a{i}")
                                                   for i, c in enumerate(p.columns)])
                           .distinct().from_(exp.table_(p.table, db=p.schema, quoted=True))))
    return exp.table_(name, db=TEMP, quoted=True)


def _novel(eng: Engine, table: exp.Table, n: int, olds: Sequence[exp.Table]) -> bool:
    """Not a near copy (>= NEAR of the larger, either argument order) of a known
    relation, and not a subset of the diagonal (a filter, not a relation)."""
    diag = eng.scalar(exp.select(exp.func("count", exp.Star())).from_(table.copy())
                      .where(exp.NEQ(this=exp.column("a0"), expression=exp.column("a1"))))
    if not diag:
        return False
    for m, same, swap in _overlaps(eng, table, olds) if olds else []:
        if max(same, swap) >= NEAR * max(n, m):
            return False
    return True


def invent(eng: Engine, cat: Catalog, target: Target, bias: Bias,
           progress: Callable[[str], None] | None = None) -> list[Invention]:
    """Create and register the TEMP tables of every distinct invention (two levels)."""
    bases = binary_bases(cat, target, bias)
    if not bases:
        return []
    known = [_relation(eng, cat, p) for p in bases]
    out: list[Invention] = []

    def offer(rules_of: Callable[[str], tuple[Rule, ...]], level: int, types: Sequence[str],
              domain: str | None) -> None:
        if len(out) >= MAX_INVENTIONS:
            return
        name = f"{PREFIX}{len(out) + 1}"
        rules = rules_of(name)
        n = materialise(eng, cat, name, rules, types, [domain, domain])
        table = exp.table_(name, db=TEMP, quoted=True)
        if n == 0 or n > MAX_ROWS or not _novel(eng, table, n, known):
            drop(eng, cat, name)
            return
        known.append(table)
        out.append(Invention(name, rules, level, n))

    info = {p.name: (list(p.types), cat.domain(p.table, p.columns[0])) for p in bases}
    ops: list[Op] = [(p.name, s) for p in bases for s in (False, True)]
    for p, q in itertools.product(ops, ops):
        if info[p[0]][1] == info[q[0]][1]:
            offer(lambda n, p=p, q=q: chain_rule(n, p, q), 1, *info[p[0]])
    chains = list(out)
    for p in bases:
        offer(lambda n, p=p: closure_rules(n, (p.name, False)), 1, *info[p.name])
    for inv in chains:
        info[inv.name] = (list(cat.predicate(inv.name).types), cat.domain(inv.name, "a0"))
    ops2 = ops + [(i.name, s) for i in chains for s in (False, True)]
    firsts = {i.name for i in chains}
    for p, q in itertools.product(ops2, ops2):
        if (p[0] in firsts or q[0] in firsts) and info[p[0]][1] == info[q[0]][1]:
            offer(lambda n, p=p, q=q: chain_rule(n, p, q), 2, *info[p[0]])
    for t in known[:len(bases)]:
        eng.execute(exp.Drop(tables=[t], kind="TABLE", exists=True))
    if progress:
        progress(f"invented {len(out)} auxiliary predicates from {len(bases)} relations")
    return out


def discard(eng: Engine, cat: Catalog, inventions: Sequence[Invention]) -> None:
    for inv in inventions:
        drop(eng, cat, inv.name)


def used(rules: Sequence[Rule], inventions: Sequence[Invention]) -> list[Invention]:
    """The inventions ``rules`` need, directly or through other inventions, in first-use order."""
    by_name = {i.name: i for i in inventions}
    order: list[str] = []

    def visit(names: Sequence[str]) -> None:
        for n in names:
            if n in by_name and n not in order:
                order.append(n)
                visit(sorted(reads(by_name[n].rules) - {n}))

    for r in rules:
        visit([lit.pred for lit in r.body if isinstance(lit, Atom)])
    return [by_name[n] for n in order]


def names_for(target: str, chosen: Sequence[Invention]) -> dict[str, str]:
    """``rd_invK -> <target>#inv1 ..`` in first-use order (:func:`ruledisc.names.invented`)."""
    from .names import invented
    return {inv.name: invented(target, k) for k, inv in enumerate(chosen, start=1)}


def renamed(inv: Invention, names: dict[str, str]) -> list[Rule]:
    return [rename_preds(r, names) for r in inv.rules]
