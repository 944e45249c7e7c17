"""Facts and labels in bulk: a dict, a polars DataFrame, a DuckDB table or relation, all
read as one query of text arguments ``c0 ..`` and bounds ``lower, upper``.

A dict is turned into an arrow frame (no SQL text per fact); a table is read in place by a
sqlglot-built SELECT. Groundings are a str for one argument, a tuple of str otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from ..compile import literal
from ..errors import SchemaError, UsageError
from .constants import Fact, to_bounds
from .store import Store

SRC = "rd_lnn_src"


def grounding_key(g: Any, arity: int, where: str) -> tuple[str, ...]:
    """A user's grounding (``'Anna'`` or ``('Anna', 'Bob')``) as a tuple of text constants."""
    t = g if isinstance(g, tuple) else (g,)
    if len(t) != arity:
        raise UsageError(f"{where}: grounding {g!r} has {len(t)} constant(s), the predicate takes {arity}")
    for c in t:
        if isinstance(c, (bool, float)) or not isinstance(c, (str, int)):
            raise UsageError(f"{where}: constants are str (or int), got {c!r} in {g!r}")
    return tuple(str(c) for c in t)


def _text_cols(arity: int, names: list[str], alias: str | None = None) -> list[exp.Expr]:
    return [exp.cast(exp.column(names[i], alias, quoted=True), "VARCHAR").as_(f"c{i}") for i in range(arity)]


def _bounds_cols(names: list[str], alias: str | None = None) -> list[exp.Expr]:
    out = []
    for c, default in (("lower", 1), ("upper", 1)):
        e = exp.cast(exp.column(c, alias, quoted=True), "DOUBLE") if c in names else literal(default)
        out.append(e.as_(c))
    return out


def frame_source(store: Store, node: Any, value: Any, arity: int) -> exp.Query:
    """``value`` as a query of ``c0 .. c{arity-1}, lower, upper``. A frame is registered as
    ``rd_lnn_src`` (the caller unregisters it after reading)."""
    import pyarrow as pa
    where = f"data for {node.name}"
    if arity == 0:
        if isinstance(value, dict):
            raise UsageError(f"{where}: a proposition takes a Fact or (lower, upper) bounds, not a dict")
        lo, hi = to_bounds(value, where)
        return exp.select(literal(lo).as_("lower"), literal(hi).as_("upper"))
    if isinstance(value, dict):
        cols: list[list[str]] = [[] for _ in range(arity)]
        lows, highs = [], []
        for g, fact in value.items():
            for i, c in enumerate(grounding_key(g, arity, where)):
                cols[i].append(c)
            lo, hi = to_bounds(fact, f"{where}, {g!r}")
            lows.append(lo)
            highs.append(hi)
        frame = pa.table({**{f"c{i}": pa.array(cols[i], pa.string()) for i in range(arity)},
                          "lower": pa.array(lows, pa.float64()), "upper": pa.array(highs, pa.float64())})
        return _register(store, frame, arity, where)
    if isinstance(value, str):
        return _table(store, value, arity, where)
    if hasattr(value, "to_arrow") or hasattr(value, "arrow"):
        frame = value.to_arrow() if hasattr(value, "to_arrow") else value.arrow()
        if hasattr(frame, "read_all"):
            frame = frame.read_all()
        return _register(store, frame, arity, where)
    if isinstance(value, Fact):
        raise UsageError(f"{where}: {node.name} has arguments; give {{grounding: Fact}}, not one Fact")
    raise UsageError(f"{where}: expected a dict, a polars DataFrame or a DuckDB table name, got {type(value).__name__}")


def _register(store: Store, frame: Any, arity: int, where: str) -> exp.Query:
    names = list(frame.column_names)
    if len(names) < arity:
        raise UsageError(f"{where}: the frame has {len(names)} column(s); the predicate takes {arity} argument(s)")
    if "lower" in names[:arity] or "upper" in names[:arity]:
        raise UsageError(f"{where}: the first {arity} column(s) are the arguments; lower/upper come after them")
    store.eng.con.register(SRC, frame)
    return exp.select(*_text_cols(arity, names), *_bounds_cols(names)).from_(SRC)


def _table(store: Store, name: str, arity: int, where: str) -> exp.Query:
    try:
        t = exp.to_table(name)
    except Exception as err:
        raise UsageError(f"{where}: {name!r} is not a table name") from err
    info = exp.select("column_name").from_(exp.table_("columns", db="information_schema")).where(
        exp.and_(exp.column("table_name").eq(literal(t.name)),
                 exp.column("table_schema").eq(literal(t.db or "main")))).order_by("ordinal_position")
    names = [r[0] for r in store.eng.rows(info)]
    if not names:
        raise SchemaError(f"{where}: no table {name!r} in the model's database")
    if len(names) < arity:
        raise SchemaError(f"{where}: table {name} has {len(names)} column(s); the predicate takes {arity}")
    if not t.db:
        t.set("db", exp.to_identifier("main"))
    return exp.select(*_text_cols(arity, names), *_bounds_cols(names)).from_(t)
