"""Derived predicates: rule sets whose heads other rules read (invented
predicates, hand-written helper rules in a ``.dl`` file).

A derived predicate is registered in the catalog like a table, with the schema
it lives in: a TEMP table while mining or evaluating (``temp.<name>``), a view
in the ruledisc schema once written back. Rule bodies then compile unchanged.

>>> from ruledisc.parse import parse_rule
>>> order = dependency_order({"a": [parse_rule("a(X) :- b(X).")], "b": [parse_rule("b(X) :- t(X).")]})
>>> order
['b', 'a']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlglot import exp

from .compile import union_all, view_select
from .engine import Engine
from .errors import SchemaError
from .introspect import RELATION, Catalog, Column, Predicate, Table
from .recursion import fixpoint_query, is_recursive
from .rule import Atom, Rule

TEMP = "temp"


def arg_columns(arity: int) -> tuple[str, ...]:
    """Column names of a derived predicate with no table of its own: ``a0 .. a{n-1}``."""
    return tuple(f"a{i}" for i in range(arity))


def register(cat: Catalog, name: str, columns: Sequence[str], types: Sequence[str], schema: str,
             rows: int = 0, domains: Sequence[str | None] | None = None) -> Predicate:
    """Make ``name`` a relation predicate read from ``schema.name``."""
    pred = Predicate(name, name, tuple(columns), RELATION, tuple(types), schema)
    cat.tables[name] = Table(name, tuple(Column(c, t) for c, t in zip(columns, types)))
    cat.predicates[name] = pred
    cat.rows[name] = rows
    for c, d in zip(columns, domains or ()):
        if d is not None:
            cat.domains[(name, c)] = d
    return pred


def unregister(cat: Catalog, name: str) -> None:
    cat.tables.pop(name, None)
    cat.predicates.pop(name, None)
    cat.rows.pop(name, None)
    for k in [k for k in cat.domains if k[0] == name]:
        del cat.domains[k]


def program_query(rules: Sequence[Rule], cat: Catalog, columns: Sequence[str], types: Sequence[str]) -> exp.Query:
    """Every fact ``rules`` derive for their (single) head: a fixpoint if recursive."""
    if is_recursive(rules):
        return fixpoint_query(rules, cat, columns, types)
    return exp.select(*[exp.column(c, quoted=True) for c in columns]).distinct().from_(
        union_all([view_select(r, cat, columns) for r in rules]).subquery("u", copy=False))


def materialise(eng: Engine, cat: Catalog, name: str, rules: Sequence[Rule], types: Sequence[str],
                domains: Sequence[str | None] | None = None) -> int:
    """Create ``temp.name`` holding the facts ``rules`` derive, register it, return its rows."""
    cols = arg_columns(len(types))
    q = program_query(rules, cat, cols, types)
    eng.execute(exp.Create(this=exp.table_(name, quoted=True), kind="TABLE", replace=True, expression=q,
                           properties=exp.Properties(expressions=[exp.TemporaryProperty()])))
    n = int(eng.scalar(exp.select(exp.func("count", exp.Star())).from_(exp.table_(name, db=TEMP, quoted=True))))
    register(cat, name, cols, types, TEMP, n, domains)
    return n


def drop(eng: Engine, cat: Catalog, name: str) -> None:
    eng.execute(exp.Drop(tables=[exp.table_(name, db=TEMP, quoted=True)], kind="TABLE", exists=True))
    unregister(cat, name)


def reads(rules: Sequence[Rule]) -> set[str]:
    """Predicates the bodies of ``rules`` read."""
    return {lit.pred for r in rules for lit in r.body if isinstance(lit, Atom)}


def dependency_order(sets: Mapping[str, Sequence[Rule]]) -> list[str]:
    """Heads ordered so each comes after the derived predicates it reads.
    Self-recursion is allowed; a cycle through two heads is not."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise SchemaError(f"predicates {' -> '.join(path + (name,))} define each other (mutual "
                              "recursion is not supported; write them as one predicate)")
        state[name] = 1
        for dep in sorted(reads(sets[name]) - {name}):
            if dep in sets:
                visit(dep, path + (name,))
        state[name] = 2
        order.append(name)

    for name in sets:
        visit(name, ())
    return order


def rename_preds(rule: Rule, names: Mapping[str, str]) -> Rule:
    """``rule`` with predicates renamed (head and body)."""
    def ren(lit):
        return Atom(names.get(lit.pred, lit.pred), lit.args) if isinstance(lit, Atom) else lit
    return Rule(ren(rule.head), tuple(ren(lit) for lit in rule.body))


def head_types(rules: Sequence[Rule], cat: Catalog) -> list[str]:
    """SQL types of the head's arguments, from the first body atom binding each one."""
    head = rules[0].head
    out = []
    for i in range(len(head.args)):
        typ = None
        for r in rules:
            a = r.head.args[i]
            for lit in r.body:
                if isinstance(lit, Atom) and a in lit.args and lit.pred != r.head.pred and lit.pred in cat.predicates:
                    typ = cat.predicate(lit.pred).types[lit.args.index(a)]
                    break
            if typ:
                break
        out.append(typ or "VARCHAR")
    return out
