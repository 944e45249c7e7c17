"""The one engine interface: every statement is a sqlglot tree, rendered here.

DuckDB is the engine today; other dialects plug in by rendering the same trees
with another ``dialect``. Each executed query is logged with its phase and
duration, so benchmarks can replay exactly the SQL a run issued.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
from sqlglot import exp

from .errors import DataError


@dataclass
class QueryLog:
    phase: str
    sql: str
    seconds: float
    rows: int


@dataclass
class Engine:
    """A DuckDB connection that only accepts sqlglot expressions."""

    con: duckdb.DuckDBPyConnection
    dialect: str = "duckdb"
    phase: str = "other"
    log: list[QueryLog] = field(default_factory=list)
    keep_log: bool = True

    def __post_init__(self) -> None:
        # ruledisc shows its own progress; DuckDB's bar (on queries over 2 s) would garble it
        self.con.execute(self.sql(exp.Set(expressions=[exp.SetItem(this=exp.EQ(
            this=exp.column("enable_progress_bar"), expression=exp.false()))])))

    def sql(self, e: exp.Expr) -> str:
        return e.sql(dialect=self.dialect, copy=False)

    def _run(self, e: exp.Expr) -> tuple[duckdb.DuckDBPyConnection, str, float]:
        text = self.sql(e)
        t0 = time.perf_counter()
        try:
            cur = self.con.execute(text)
        except duckdb.Error as err:
            raise DataError(f"the database rejected a query: {str(err).splitlines()[0]}") from err
        return cur, text, t0

    def _record(self, text: str, t0: float, rows: int) -> None:
        if self.keep_log:
            self.log.append(QueryLog(self.phase, text, time.perf_counter() - t0, rows))

    def execute(self, e: exp.Expr) -> None:
        """Run a statement that returns nothing of interest (DDL, INSERT)."""
        _, text, t0 = self._run(e)
        self._record(text, t0, 0)

    def rows(self, e: exp.Expr) -> list[tuple[Any, ...]]:
        cur, text, t0 = self._run(e)
        out = cur.fetchall()
        self._record(text, t0, len(out))
        return out

    def scalar(self, e: exp.Expr) -> Any:
        r = self.rows(e)
        return r[0][0] if r else None

    def numpy(self, e: exp.Expr) -> dict[str, np.ndarray]:
        """Columnar fetch: one numpy array per output column, no Python row loop."""
        cur, text, t0 = self._run(e)
        out = cur.fetchnumpy()
        n = len(next(iter(out.values()))) if out else 0
        self._record(text, t0, n)
        return {k: np.asarray(v) for k, v in out.items()}

    def polars(self, e: exp.Expr):
        cur, text, t0 = self._run(e)
        import polars as pl
        names = [d[0] for d in cur.description]
        df = pl.DataFrame(cur.fetchall(), schema=names, orient="row")
        self._record(text, t0, df.height)
        return df

    @contextmanager
    def in_phase(self, name: str) -> Iterator[None]:
        prev, self.phase = self.phase, name
        try:
            yield
        finally:
            self.phase = prev

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: on any error the previous state stays in place."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")
