"""The one engine interface: every statement is a sqlglot tree, rendered here.

DuckDB is the engine today; other dialects plug in by rendering the same trees
with another ``dialect``. Each executed query is logged with its phase and
duration, so benchmarks can replay exactly the SQL a run issued.
"""

from __future__ import annotations

import enum
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
from sqlglot import exp

from .errors import DataError, InternalError, MissingObjectError, RulediscError, SchemaError, SourceError
from .progress import committed

# DuckDB errors on SQL ruledisc generated: a bug in ruledisc, unless the statement carries user input
# (so is a catalog error naming a function: users name tables and columns, never functions)
_BUGS = (duckdb.ParserException, duckdb.SyntaxException, duckdb.BinderException, duckdb.InternalError,
         duckdb.NotImplementedException, duckdb.InvalidTypeException)
_FILE = re.compile(r'file "(?P<path>[^"]+)": (?P<why>[^\n"]*)')
_LOCK = re.compile(r'lock on file "(?P<path>[^"]+)".*?\(PID (?P<pid>\d+)\)', re.S)
_MEMORY_HINT = ("lower --max-examples, set --memory-limit (DuckDB spills to disk past it), or use a "
                "machine with more memory")


class FileFault(enum.Enum):
    """Why DuckDB could not read or write a database file."""

    LOCKED = "another process holds it open"
    NO_SPACE = "no space left on device"
    READ_ONLY_FOLDER = "the folder is read-only"
    READ_ONLY_FS = "the file system is read-only"
    PERMISSION = "permission denied"
    OTHER = "the file could not be opened"


@dataclass(frozen=True)
class FileProblem:
    """A database file DuckDB could not read or write: ``db`` is the database
    (for its ``.wal``, the file beside it), ``detail`` the system's words."""

    fault: FileFault
    db: str
    detail: str = ""
    pid: str = ""

    def reason(self) -> str:
        """The fault in words, e.g. ``the folder is read-only (DuckDB needs to create x.wal beside it)``."""
        if self.fault is FileFault.READ_ONLY_FOLDER:
            return f"{self.fault.value} (DuckDB needs to create {self.db}.wal beside it)"
        if self.fault is FileFault.LOCKED:
            return f"{self.fault.value} (PID {self.pid})" if self.pid else self.fault.value
        if self.fault is FileFault.OTHER and self.detail:
            return self.detail
        return self.fault.value


def file_problem(text: str) -> FileProblem | None:
    """The file problem a DuckDB error message describes, or None if it names none."""
    m = _LOCK.search(text)
    if m:
        return FileProblem(FileFault.LOCKED, m["path"], pid=m["pid"])
    m = _FILE.search(text)
    if m is None:
        return None
    path, why = m["path"], m["why"].strip()
    wal = path.endswith(".wal")
    db = path[:-4] if wal else path
    low = why.lower()
    if "no space left" in low or "disk full" in low:
        return FileProblem(FileFault.NO_SPACE, db, why)
    if "read-only file system" in low:
        return FileProblem(FileFault.READ_ONLY_FOLDER if wal else FileFault.READ_ONLY_FS, db, why)
    if "permission denied" in low:
        return FileProblem(FileFault.READ_ONLY_FOLDER if wal else FileFault.PERMISSION, db, why)
    return FileProblem(FileFault.OTHER, db, why)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _io_error(err: duckdb.Error) -> SourceError | None:
    p = file_problem(str(err))
    if p is None:
        return None
    if p.fault is FileFault.NO_SPACE:
        return SourceError(f"no space left on device writing {p.db}; free some space, or use --dry-run")
    if p.fault is FileFault.LOCKED:
        return SourceError(f"cannot open {p.db}: {p.reason()}; close it there and retry, or use --dry-run")
    if p.fault is FileFault.OTHER:
        return SourceError(f"cannot read or write {p.db}: {p.reason()}")
    return SourceError(f"cannot write {p.db}: {p.reason()}; use --dry-run or copy the database")


def classify(err: duckdb.Error, sql: str = "", user_input: bool = False) -> BaseException:
    """The ruledisc error (or KeyboardInterrupt) for a DuckDB error on ``sql``.

    ``user_input``: the statement carries names or values the user gave, so a
    syntax or binder error is theirs (a :class:`DataError`), not ruledisc's.
    See :mod:`ruledisc.errors` for the whole table.
    """
    first = _first_line(err)
    kind = type(err).__name__
    if isinstance(err, duckdb.InterruptException):
        return KeyboardInterrupt()
    io = _io_error(err) if isinstance(err, (duckdb.OperationalError, duckdb.FatalException,
                                            duckdb.PermissionException)) else None
    if io is not None:
        return io
    if isinstance(err, duckdb.CatalogException) and "function with name" not in first.lower():
        if "does not exist" in first:
            return MissingObjectError(f"the database has no such object ({first})")
        return SchemaError(f"the database refused: {first}")
    if isinstance(err, _BUGS + (duckdb.CatalogException,)):
        if user_input:
            return DataError(f"the database rejected the input ({first})")
        return InternalError(f"ruledisc built a query the database rejected ({kind}: {first}); please report "
                             "this as a ruledisc bug (rerun with --debug for the statement)", sql)
    if isinstance(err, duckdb.OutOfMemoryException):
        return DataError(f"DuckDB ran out of memory ({first}); {_MEMORY_HINT}")
    if isinstance(err, (duckdb.IOException, duckdb.PermissionException)):
        return SourceError(f"cannot read or write a file: {first}")
    if isinstance(err, duckdb.ConnectionException):
        return SourceError(f"the database connection cannot be used ({first}); pass an open connection")
    if isinstance(err, duckdb.TransactionException):
        return SourceError(f"the database refused to commit ({first}); another connection may have changed "
                           "the same objects: retry")
    if isinstance(err, duckdb.FatalException):
        return SourceError(f"the database stopped after a fatal error ({first}); reopen it and retry")
    if isinstance(err, duckdb.DependencyException):
        return DataError(f"the database refused the change ({first}); drop or change the objects that "
                         "depend on it")
    return DataError(f"the data cannot be processed ({first})")


@dataclass
class QueryLog:
    phase: str
    sql: str
    seconds: float
    rows: int


@dataclass
class Engine:
    """A DuckDB connection that only accepts sqlglot expressions.

    Every DuckDB error becomes a ruledisc error (:func:`classify`): a statement
    ruledisc built wrongly is an :class:`~ruledisc.errors.InternalError`, bad data
    a :class:`~ruledisc.errors.DataError`, an unreadable or unwritable file a
    :class:`~ruledisc.errors.SourceError`. Statements that carry the user's names
    or values run inside :meth:`user_input`.
    """

    con: duckdb.DuckDBPyConnection
    dialect: str = "duckdb"
    phase: str = "other"
    log: list[QueryLog] = field(default_factory=list)
    keep_log: bool = True
    _user_depth: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        # ruledisc shows its own progress; DuckDB's bar (on queries over 2 s) would garble it
        self._run(exp.Set(expressions=[exp.SetItem(this=exp.EQ(
            this=exp.column("enable_progress_bar"), expression=exp.false()))]))

    def sql(self, e: exp.Expr) -> str:
        return e.sql(dialect=self.dialect, copy=False)

    @contextmanager
    def user_input(self) -> Iterator[None]:
        """Statements in this block carry what the user gave (a setting's value, a
        file to read): a syntax or binder error there is a :class:`DataError`, not
        an internal error. Missing tables are :class:`MissingObjectError` anyway."""
        self._user_depth += 1
        try:
            yield
        finally:
            self._user_depth -= 1

    @contextmanager
    def _guard(self, text: str, e: exp.Expr | None = None) -> Iterator[None]:
        """Run the block; a DuckDB error in it becomes the ruledisc error for ``text``."""
        try:
            yield
        except duckdb.Error as err:
            # a SET's value is the user's (``--memory-limit``); its syntax is fixed here
            mapped = classify(err, text, self._user_depth > 0 or isinstance(e, exp.Set))
            if isinstance(mapped, RulediscError):
                mapped.add_note(f"statement ({self.phase}): {text}")
            raise mapped from err

    def _run(self, e: exp.Expr) -> tuple[duckdb.DuckDBPyConnection, str, float]:
        text = self.sql(e)
        t0 = time.perf_counter()
        with self._guard(text, e):
            cur = self.con.execute(text)
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
        with self._guard(text):
            out = cur.fetchall()
        self._record(text, t0, len(out))
        return out

    def scalar(self, e: exp.Expr) -> Any:
        r = self.rows(e)
        return r[0][0] if r else None

    def numpy(self, e: exp.Expr) -> dict[str, np.ndarray]:
        """Columnar fetch: one numpy array per output column, no Python row loop."""
        cur, text, t0 = self._run(e)
        with self._guard(text):
            out = cur.fetchnumpy()
        n = len(next(iter(out.values()))) if out else 0
        self._record(text, t0, n)
        return {k: np.asarray(v) for k, v in out.items()}

    def polars(self, e: exp.Expr):
        cur, text, t0 = self._run(e)
        import polars as pl
        names = [d[0] for d in cur.description]
        with self._guard(text):
            fetched = cur.fetchall()
        df = pl.DataFrame(fetched, schema=names, orient="row")
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
        """All-or-nothing: on any error the previous state stays in place. A failed
        COMMIT (full disk, read-only folder) raises its ruledisc error; DuckDB has
        rolled the transaction back by then."""
        self._run(exp.Transaction())
        try:
            yield
        except BaseException:
            try:
                self.con.execute(self.sql(exp.Rollback()))
            except duckdb.Error:
                pass  # no transaction left to roll back; the block's error is the one to report
            raise
        with _interrupts_held():   # a Ctrl-C now would report "unchanged" over a finished COMMIT
            self._run(exp.Commit())
        committed()


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Run the block (a COMMIT) to its end even if Ctrl-C comes: the interrupt is dropped,
    as the command has done its work by then. Main thread only (signals live there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
