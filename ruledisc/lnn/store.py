"""The LNN model's DuckDB tables, in the ``ruledisc`` schema.

- ``<prefix>const(id, name)``: every constant once, as text; arguments are these ids.
- one atom table per predicate (``p_<name>``), root formula (``f<i>``) and quantifier
  (``q<i>``): ``id`` (dense from 0: the row of the torch bounds tensor), the arguments
  ``a0 .. a<k-1>`` (constant ids), the current bounds ``lower, upper`` and the bounds the
  data gave, ``d_lower, d_upper`` (where training restarts from).

Every statement is a sqlglot tree run through the :class:`~ruledisc.engine.Engine`; table
names made from user predicate names are quoted identifiers, never spliced text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlglot import exp

from ..compile import add_join, literal, temp_table
from ..engine import Engine
from .constants import Bounds

SCHEMA = "ruledisc"
IN, IDS, FRAME = "rd_lnn_in", "rd_lnn_ids", "rd_lnn_frame"


def arg(i: int) -> str:
    return f"a{i}"


def informative(alias: str) -> exp.Expr:
    """``alias.lower > 0 OR alias.upper < 1``: an atom that can constrain something."""
    return exp.or_(exp.GT(this=exp.column("lower", alias), expression=literal(0)),
                   exp.LT(this=exp.column("upper", alias), expression=literal(1)), copy=False)


def _row_id(offset: int, order: Sequence[str]) -> exp.Expr:
    """``offset + row_number() OVER (ORDER BY order) - 1``: the next dense ids, deterministic."""
    rn = exp.Window(this=exp.RowNumber(), over="OVER",
                    order=exp.Order(expressions=[exp.Ordered(this=exp.column(c)) for c in order]) if order else None)
    return exp.Sub(this=exp.Add(this=literal(offset), expression=rn), expression=literal(1))


def _eq_args(left: str | exp.Identifier, right: str, arity: int, right_cols: Sequence[str] | None = None) -> exp.Expr | None:
    rc = right_cols or [arg(i) for i in range(arity)]
    conds = [exp.EQ(this=exp.column(arg(i), left), expression=exp.column(rc[i], right)) for i in range(arity)]
    return exp.and_(*conds, copy=False) if conds else None


class Store:
    """The atom tables of one model, with their row counts (``n``) kept in step."""

    def __init__(self, eng: Engine, prefix: str) -> None:
        self.eng, self.prefix = eng, prefix
        self.n: dict[str, int] = {}
        self.arity: dict[str, int] = {}
        eng.execute(exp.Create(this=exp.to_identifier(SCHEMA), kind="SCHEMA", exists=True))
        self._create(self.table("const"), [("id", "BIGINT"), ("name", "VARCHAR")])
        self.n_const = 0

    def table(self, key: str, alias: str | None = None) -> exp.Table:
        t = exp.table_(self.prefix + key, db=SCHEMA, quoted=True)
        if alias:
            t.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
        return t

    def ident(self, key: str) -> exp.Identifier:
        """The atom table's name as a qualifier (UPDATE ... WHERE name.col)."""
        return exp.to_identifier(self.prefix + key, quoted=True)

    def _create(self, table: exp.Table, cols: list[tuple[str, str]]) -> None:
        schema = exp.Schema(this=table, expressions=[
            exp.ColumnDef(this=exp.to_identifier(c), kind=exp.DataType.build(t)) for c, t in cols])
        self.eng.execute(exp.Create(this=schema, kind="TABLE", replace=True))   # a model starts empty

    def create(self, key: str, arity: int, default: Bounds) -> None:
        """An empty atom table (replacing one of an earlier model of the same name); arity 0
        holds its one atom from the start."""
        if key in self.n:
            return
        cols = [("id", "BIGINT")] + [(arg(i), "BIGINT") for i in range(arity)] + [
            (c, "DOUBLE") for c in ("lower", "upper", "d_lower", "d_upper")]
        self._create(self.table(key), cols)
        self.arity[key] = arity
        self.n[key] = 0
        if arity == 0:
            lo, hi = (literal(v) for v in default)
            self.eng.execute(exp.insert(exp.select(literal(0), lo, hi, lo, hi), self.table(key)))
            self.n[key] = 1

    # --- constants ---
    def intern(self, source: str, cols: Sequence[str]) -> None:
        """Give every text value of ``source``'s ``cols`` a constant id."""
        if not cols:
            return
        names = None
        for c in cols:
            s = exp.select(exp.column(c).as_("name")).from_(source).where(exp.column(c).is_(exp.null()).not_())
            names = s if names is None else exp.union(names, s, distinct=True, copy=False)
        new = exp.except_(names, exp.select("name").from_(self.table("const")), copy=False)
        sel = exp.select(_row_id(self.n_const, ["name"]), exp.column("name")).from_(new.subquery("v"))
        self.eng.execute(exp.insert(sel, self.table("const")))
        self.n_const = self.count(self.table("const"))

    def const_ids(self, names: Sequence[str]) -> dict[str, int]:
        """Ids of constant ``names`` (interned first)."""
        if not names:
            return {}
        vals = exp.Values(expressions=[exp.Tuple(expressions=[literal(n)]) for n in names],
                          alias=exp.TableAlias(this=exp.to_identifier("v"), columns=[exp.to_identifier("c")]))
        self.temp(IN, exp.select("c").from_(vals))
        self.intern(IN, ["c"])
        rows = self.eng.rows(exp.select("id", "name").from_(self.table("const")).where(
            exp.column("name").isin(*[literal(n) for n in names])))
        return {name: int(i) for i, name in rows}

    # --- data ---
    def load(self, key: str, source: exp.Query) -> int:
        """Set the bounds of ``key``'s atoms from ``source`` (text columns ``c0 ..``, then
        ``lower, upper``): existing atoms are overwritten, new ones appended. Returns rows read."""
        k = self.arity[key]
        cs = [f"c{i}" for i in range(k)]
        grouped = exp.select(*cs, exp.func("max", exp.column("lower")).as_("lower"),
                             exp.func("min", exp.column("upper")).as_("upper")).from_(source.subquery("s"))
        if cs:
            grouped = grouped.group_by(*cs)
        self.temp(IN, grouped)
        self.intern(IN, cs)
        sel = exp.select(*[exp.column("id", f"k{i}").as_(arg(i)) for i in range(k)], exp.column("lower", "i"),
                         exp.column("upper", "i")).from_(exp.to_table(IN, alias="i"))
        for i in range(k):
            add_join(sel, self.table("const", f"k{i}"),
                     exp.EQ(this=exp.column("name", f"k{i}"), expression=exp.column(f"c{i}", "i")))
        self.temp(IDS, sel)
        n_rows = self.count(IDS)
        t = self.table(key)
        sets = [exp.EQ(this=exp.column(c), expression=exp.column(s, "i"))
                for c, s in (("lower", "lower"), ("upper", "upper"), ("d_lower", "lower"), ("d_upper", "upper"))]
        upd = exp.Update(this=t, expressions=sets, from_=exp.From(this=exp.to_table(IDS, alias="i")))
        cond = _eq_args(self.ident(key), "i", k)
        if cond is not None:
            upd.set("where", exp.Where(this=cond))
        self.eng.execute(upd)
        if k:
            self._append(key, exp.select(*[exp.column(arg(i), "i") for i in range(k)],
                                         exp.column("lower", "i"), exp.column("upper", "i"),
                                         exp.column("lower", "i"), exp.column("upper", "i"))
                         .from_(exp.to_table(IDS, alias="i")), "i")
        return n_rows

    def temp(self, name: str, query: exp.Query) -> None:
        self.eng.execute(temp_table(name, query))

    def count(self, table: str | exp.Table) -> int:
        return int(self.eng.scalar(exp.select(exp.func("count", exp.Star())).from_(table)))

    def _append(self, key: str, rows: exp.Select, alias: str, ordered: bool = True) -> int:
        """Insert the rows of ``rows`` (arguments first) whose arguments are not yet an atom of
        ``key``, with fresh ids (in argument order when ``ordered``). Returns how many."""
        k = self.arity[key]
        if self.n[key]:
            on = _eq_args("t", alias, k)
            rows = add_join(rows, self.table(key, "t"), on, side="LEFT").where(exp.column("id", "t").is_(exp.null()))
        order = [arg(i) for i in range(k)] if ordered else []
        sel = exp.select(_row_id(self.n[key], order), exp.Star()).from_(rows.subquery("new"))
        self.eng.execute(exp.insert(sel, self.table(key)))
        before = self.n[key]
        self.n[key] = self.count(self.table(key))
        return self.n[key] - before

    def add_missing(self, key: str, args: Sequence[exp.Expr], source: str, default: Bounds,
                    distinct: bool = True, ordered: bool = True) -> int:
        """Create, with ``default`` bounds, the atoms ``args`` (expressions over ``source``)
        names that do not exist yet. ``distinct``: False when ``args`` are a key of ``source``.
        Returns how many were created."""
        if not args:
            return 0
        lo, hi = (literal(v) for v in default)
        proj = exp.select(*[a.as_(arg(i)) for i, a in enumerate(args)]).from_(source)
        if distinct:
            proj = proj.distinct()
        rows = exp.select(*[exp.column(arg(i), "g") for i in range(len(args))], lo.copy(), hi.copy(), lo, hi
                          ).from_(proj.subquery("g"))
        return self._append(key, rows, "g", ordered)

    # --- bounds ---
    def read(self, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``lower, upper, d_lower, d_upper`` of every atom, by id: 4 x (n,)."""
        cols = ["id", "lower", "upper", "d_lower", "d_upper"]
        d = self.eng.numpy(exp.select(*cols).from_(self.table(key)))
        n = self.n[key]
        out = [np.zeros(n), np.ones(n), np.zeros(n), np.ones(n)]
        ids = d["id"].astype(np.int64)
        for o, c in zip(out, cols[1:]):
            o[ids] = d[c]
        return out[0], out[1], out[2], out[3]

    def write(self, key: str, ids: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Set the bounds of atoms ``ids`` (one UPDATE from an arrow frame)."""
        import pyarrow as pa
        if len(ids) == 0:
            return
        frame = pa.table({"id": pa.array(ids, pa.int64()), "lower": pa.array(lower, pa.float64()),
                          "upper": pa.array(upper, pa.float64())})
        self.eng.con.register(FRAME, frame)
        try:
            sets = [exp.EQ(this=exp.column(c), expression=exp.column(c, "f")) for c in ("lower", "upper")]
            self.eng.execute(exp.Update(this=self.table(key), expressions=sets,
                                        from_=exp.From(this=exp.to_table(FRAME, alias="f")),
                                        where=exp.Where(this=exp.EQ(this=exp.column("id", self.ident(key)),
                                                                    expression=exp.column("id", "f")))))
        finally:
            self.eng.con.unregister(FRAME)

    def decoded(self, key: str, limit: int | None = None, names: Sequence[str] | None = None
                ) -> list[tuple[Any, ...]]:
        """``(names tuple, lower, upper)`` of atoms in id order, constants as text; only the
        atom whose constants are ``names`` when given."""
        k = self.arity[key]
        sel = exp.select(*[exp.column("name", f"k{i}") for i in range(k)], exp.column("lower", "t"),
                         exp.column("upper", "t")).from_(self.table(key, "t"))
        for i in range(k):
            add_join(sel, self.table("const", f"k{i}"),
                     exp.EQ(this=exp.column("id", f"k{i}"), expression=exp.column(arg(i), "t")))
        if names is not None:
            sel = sel.where(exp.and_(*[exp.column("name", f"k{i}").eq(literal(n)) for i, n in enumerate(names)]))
        sel = sel.order_by(exp.column("id", "t"))
        if limit is not None:
            sel = sel.limit(limit)
        return [(tuple(r[:k]), r[k], r[k + 1]) for r in self.eng.rows(sel)]
