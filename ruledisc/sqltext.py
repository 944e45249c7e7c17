"""Render small tables as a portable SQL script (sample databases), via sqlglot."""

from __future__ import annotations

import polars as pl
from sqlglot import exp

from .compile import literal

_TYPES = {pl.String: "VARCHAR", pl.Int64: "BIGINT", pl.Int32: "INTEGER", pl.Float64: "DOUBLE",
          pl.Boolean: "BOOLEAN", pl.Date: "DATE"}


def script(tables: dict[str, pl.DataFrame], keys: dict[str, list[str]] | None = None,
           fks: dict[str, list[tuple[str, str, str]]] | None = None, header: str = "",
           rows_per_insert: int = 500) -> str:
    """CREATE TABLE and INSERT statements for ``tables`` (in order)."""
    keys, fks = keys or {}, fks or {}
    out = [header.rstrip()] if header else []
    for name, df in tables.items():
        cols = [exp.ColumnDef(this=exp.to_identifier(c), kind=exp.DataType.build(_TYPES[df.schema[c]]))
                for c in df.columns]
        cons: list[exp.Expr] = []
        if name in keys:
            cons.append(exp.PrimaryKey(expressions=[exp.to_identifier(k) for k in keys[name]]))
        for c, rt, rc in fks.get(name, []):
            cons.append(exp.ForeignKey(expressions=[exp.to_identifier(c)], reference=exp.Reference(
                this=exp.Schema(this=exp.to_table(rt), expressions=[exp.to_identifier(rc)]))))
        create = exp.Create(this=exp.Schema(this=exp.to_table(name), expressions=cols + cons), kind="TABLE")
        out.append(create.sql("duckdb") + ";")
        rows = df.rows()
        for i in range(0, len(rows), rows_per_insert):
            values = exp.values([tuple(literal(v) if v is not None else exp.null() for v in r)
                                 for r in rows[i:i + rows_per_insert]])
            ins = exp.insert(values, exp.to_table(name))
            out.append(ins.sql("duckdb", pretty=False) + ";")
    return "\n".join(out) + "\n"
