"""Rule body -> one sqlglot join. The same function builds grounding queries,
support counts and the exported views, so a rule and its view cannot disagree.

>>> from ruledisc.introspect import Catalog, Predicate, Table
>>> cat = Catalog({}, {"parent": Predicate("parent", "parent", ("p", "c"), "relation", ("VARCHAR",) * 2)})
>>> from ruledisc.parse import parse_rule
>>> r = parse_rule("gp(X, Y) :- parent(X, Z), parent(Z, Y).")
>>> view_select(r, cat, ("x", "y")).sql("duckdb")
'SELECT DISTINCT "t0"."p" AS "x", "t1"."c" AS "y" FROM "main"."parent" AS "t0" JOIN "main"."parent" AS "t1" ON "t1"."p" = "t0"."c" AND NOT "t1"."c" IS NULL WHERE NOT "t0"."p" IS NULL'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot import exp

from .errors import SchemaError
from .introspect import ATTRIBUTE, Catalog, col, tab
from .rule import Atom, Comparison, Const, Rule, Term

_OPS = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}


def literal(value: object) -> exp.Expr:
    """A constant as a typed SQL literal."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value) if value >= 0 else exp.Neg(this=exp.Literal.number(-value))
    return exp.Literal.string(str(value))


def union_all(parts: Sequence[exp.Query]) -> exp.Query:
    """``p0 UNION ALL p1 ...`` built in place (sqlglot's helper copies each step)."""
    u = parts[0]
    for p in parts[1:]:
        u = exp.Union(this=u, expression=p, distinct=False)
    return u


def temp_table(name: str, query: exp.Query) -> exp.Create:
    """``CREATE OR REPLACE TEMP TABLE name AS query`` (ruledisc's own working tables)."""
    return exp.Create(this=exp.to_table(name), kind="TABLE", replace=True,
                      properties=exp.Properties(expressions=[exp.TemporaryProperty()]), expression=query)


def _and(conds: Sequence[exp.Expr]) -> exp.Expr | None:
    return exp.and_(*conds, copy=False) if conds else None


def add_join(select: exp.Select, table: exp.Expr, on: exp.Expr | None, side: str | None = None) -> exp.Select:
    """Append ``[side] JOIN table ON on`` (a CROSS JOIN without ``on``) in place;
    sqlglot's ``Select.join`` parses its join type and copies, which dominates
    building thousands of candidate queries."""
    join = exp.Join(this=table, on=on, side=side) if on is not None else exp.Join(this=table, kind="CROSS")
    select.append("joins", join)
    return select


@dataclass
class Body:
    """A compiled body: ``select`` holds FROM/JOIN/WHERE, ``bindings`` maps each
    variable to the column expression that first binds it, ``aliases`` the table
    alias of each body atom (in body order)."""

    select: exp.Select
    bindings: dict[str, exp.Expr]
    aliases: list[str]

    def term(self, t: Term) -> exp.Expr:
        return self.bindings[t.name] if not isinstance(t, Const) else literal(t.value)


@dataclass(frozen=True)
class Relation:
    """Where a derived (IDB) predicate's facts are read from instead of a user
    table: a table or CTE and its columns, one per argument."""

    table: exp.Table
    columns: tuple[str, ...]


# (atom index in body order, atom) -> the relation to read it from, or None for the catalog's table
IdbSources = Callable[[int, Atom], "Relation | None"]


def _order_atoms(atoms: list[Atom], seed_vars: set[str]) -> list[int]:
    """Join order: each atom after the first shares a variable with earlier ones
    where possible (keeps joins connected; the planner reorders further)."""
    left, order, bound = list(range(len(atoms))), [], set(seed_vars)
    while left:
        pick = next((i for i in left if {v.name for v in atoms[i].vars()} & bound), left[0])
        order.append(pick)
        left.remove(pick)
        bound |= {v.name for v in atoms[pick].vars()}
    return order


def _arg_conditions(args: Sequence[Term], columns: Sequence[str], alias: str, bindings: dict[str, exp.Expr],
                    uses: dict[str, int], key: Sequence[str]) -> list[exp.Expr]:
    """Join and filter conditions of one atom's arguments read from ``alias``; binds
    the variables seen first here (in place)."""
    conds: list[exp.Expr] = []
    for arg, column in zip(args, columns):
        e = col(column, alias)
        if isinstance(arg, Const):
            conds.append(exp.EQ(this=e, expression=literal(arg.value)))
        elif arg.name in bindings:
            conds.append(exp.EQ(this=e, expression=bindings[arg.name].copy()))
        else:
            bindings[arg.name] = e
            if column not in key and uses[arg.name] == 1:  # joins already drop NULLs
                conds.append(e.copy().is_(exp.null()).not_())
    return conds


def compile_body(rule: Rule, cat: Catalog, prefix: str = "t", idb: IdbSources | None = None) -> Body:
    """FROM/JOIN/WHERE for ``rule.body``: one aliased table per atom, shared
    variables as join conditions, constants and comparisons as filters.
    ``idb`` redirects atoms of derived predicates (recursion) to other relations."""
    atoms = [lit for lit in rule.body if isinstance(lit, Atom)]
    cmps = [lit for lit in rule.body if isinstance(lit, Comparison)]
    if not atoms:
        raise SchemaError(f"rule has no body atom to read from: {rule.text()}")
    uses: dict[str, int] = {}
    for a in atoms:
        for v in a.vars():
            uses[v.name] = uses.get(v.name, 0) + 1
    bindings: dict[str, exp.Expr] = {}
    select: exp.Select | None = None
    aliases = [""] * len(atoms)
    extra: list[exp.Expr] = []   # conditions of atoms merged into an earlier alias
    rows_of: dict[tuple, str] = {}   # (schema, table, key args) -> alias: one row per key
    n = 0
    for i in _order_atoms(atoms, set()):
        atom = atoms[i]
        src = idb(i, atom) if idb is not None else None
        pred = cat.predicate(atom.pred, len(atom.args)) if src is None else None
        if pred is not None and pred.kind == ATTRIBUTE:
            # ``t.a(K, V), t.b(K, W)`` read the same row of t (K is its key): one alias, no self-join
            row = (pred.schema, pred.table, atom.args[:-1])
            if row in rows_of:
                alias = aliases[i] = rows_of[row]
                extra += _arg_conditions(atom.args[-1:], pred.columns[-1:], alias, bindings, uses,
                                         cat.tables[pred.table].key)
                continue
        alias = f"{prefix}{n}"
        n += 1
        aliases[i] = alias
        if src is not None:
            if len(src.columns) != len(atom.args):
                raise SchemaError(f"{atom.pred} has arity {len(src.columns)}, used with {len(atom.args)} arguments")
            columns, key, table = src.columns, src.columns, src.table.copy().as_(alias, quoted=True)
        else:
            assert pred is not None
            columns, table = pred.columns, tab(pred.table, alias, pred.schema)
            key = cat.tables[pred.table].key if pred.kind == ATTRIBUTE else ()
            if pred.kind == ATTRIBUTE:
                rows_of[(pred.schema, pred.table, atom.args[:-1])] = alias
        conds = _arg_conditions(atom.args, columns, alias, bindings, uses, key)
        if select is None:
            select = exp.select().from_(table, copy=False)
            if conds:
                select = select.where(_and(conds), copy=False)
        else:
            select = add_join(select, table, _and(conds))
    assert select is not None
    if extra:
        select = select.where(_and(extra), copy=False)
    where = []
    for c in cmps:
        for v in c.vars():
            if v.name not in bindings:
                raise SchemaError(f"variable {v.name} in {c.text()} is not bound by a body atom")
        lhs = bindings[c.left.name].copy() if not isinstance(c.left, Const) else literal(c.left.value)
        rhs = bindings[c.right.name].copy() if not isinstance(c.right, Const) else literal(c.right.value)
        where.append(_OPS[c.op](this=lhs, expression=rhs))
    if where:
        select = select.where(_and(where), copy=False)
    return Body(select, bindings, aliases)


def head_exprs(rule: Rule, body: Body) -> list[exp.Expr]:
    """The head's arguments as SQL expressions over the body."""
    out = []
    for a in rule.head.args:
        if isinstance(a, Const):
            out.append(literal(a.value))
        elif a.name in body.bindings:
            out.append(body.bindings[a.name].copy())
        else:
            raise SchemaError(f"head variable {a.name} is not bound by the body of {rule.text()}")
    return out


def body_joined(rule: Rule, cat: Catalog, table: str, alias: str, idb: IdbSources | None = None) -> Body:
    """``rule``'s body joined to ``table AS alias`` on the head's arguments
    (``alias.c0 ..``): the examples or heads a query is bounded by, so the planner
    starts from them."""
    body = compile_body(rule, cat, idb=idb)
    on = exp.and_(*[exp.EQ(this=e, expression=exp.column(f"c{i}", alias))
                    for i, e in enumerate(head_exprs(rule, body))], copy=False)
    add_join(body.select, exp.to_table(table).as_(alias), on)
    return body


def view_select(rule: Rule, cat: Catalog, columns: Sequence[str], idb: IdbSources | None = None) -> exp.Select:
    """``SELECT DISTINCT <head args> AS <columns> FROM <body>``: the rows a rule derives."""
    body = compile_body(rule, cat, idb=idb)
    if len(columns) != len(rule.head.args):
        raise SchemaError(f"head of {rule.text()} has {len(rule.head.args)} arguments, "
                          f"target has {len(columns)} columns")
    proj = [exp.Alias(this=e, alias=exp.to_identifier(c, quoted=True)) for e, c in zip(head_exprs(rule, body), columns)]
    return body.select.select(*proj, copy=False).distinct(copy=False)


def head_select(rule: Rule, cat: Catalog, n: int | None = None, idb: IdbSources | None = None) -> exp.Select:
    """Derived head tuples with internal column names ``c0 .. c{n-1}``."""
    arity = len(rule.head.args) if n is None else n
    return view_select(rule, cat, [f"c{i}" for i in range(arity)], idb)
