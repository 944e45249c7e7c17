"""Open what the user names as a database: a DuckDB file, a ``.sql`` script,
a folder of ``.parquet``/``.csv`` files, an open DuckDB connection, or a dict
of polars DataFrames. Mining reads through a read-only connection; only the
write-back phase opens a DuckDB file for writing."""

from __future__ import annotations

import errno
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import duckdb
from sqlglot import exp

from .engine import Engine, FileFault, FileProblem, file_problem
from .errors import DataError, RulediscError, SourceError, UsageError

DatabaseLike = Union[str, Path, duckdb.DuckDBPyConnection, dict]
_READERS = {".parquet": "read_parquet", ".csv": "read_csv_auto"}
_WHAT = ("pass a DuckDB file path, a .sql script, a folder of .parquet/.csv files, an open duckdb "
         "connection, or a dict of table name -> DataFrame")
_GLOB = re.compile(r"([*?\[])")
_PROBE_FAULTS = {errno.EACCES: FileFault.READ_ONLY_FOLDER, errno.EPERM: FileFault.READ_ONLY_FOLDER,
                 errno.EROFS: FileFault.READ_ONLY_FOLDER, errno.ENOSPC: FileFault.NO_SPACE}


@dataclass
class Source:
    """An opened database. ``path`` is set for DuckDB files (re-opened to write)."""

    engine: Engine
    kind: str  # "duckdb", "script", "folder", "connection", "frames"
    path: Path | None = None
    owned: bool = True
    read_only: bool = False

    def check_writable(self) -> None:
        """Fail now, before any mining work, if write-back could not write the
        database: a read-only file or folder (DuckDB creates ``<db>.wal`` beside
        it), a file another process holds open, a read-only connection. Opens the
        file read-write and closes it at once; its bytes stay as they are."""
        if self.kind == "connection":
            self._check_connection()
        if self.kind != "duckdb" or self.path is None:
            return
        problem = _folder_problem(self.path)
        if problem is None and self.read_only:
            problem = self._reopen_probe()
        if problem is not None:
            raise SourceError(f"{self.path} cannot be written: {problem.reason()}; pass --dry-run to learn "
                              "without writing")

    def _reopen_probe(self) -> FileProblem | None:
        """Open the file read-write (after closing this read-only connection, as
        DuckDB allows one mode per file in a process), then reopen it read-only."""
        log = self.engine.log
        self.close()
        problem = None
        try:
            duckdb.connect(str(self.path)).close()
        except (duckdb.Error, OSError) as err:
            problem = file_problem(str(err)) or FileProblem(FileFault.OTHER, str(self.path), _first_line(err))
        self.engine = _connect(self.path, read_only=True).engine
        self.engine.log = log
        return problem

    def _check_connection(self) -> None:
        """A caller's connection: not read-only, and a file's folder takes its ``.wal``."""
        q = (exp.select("readonly", "path").from_("duckdb_databases()")
             .where(exp.column("database_name").eq(exp.func("current_database"))))
        row = self.engine.rows(q)
        readonly, path = row[0] if row else (False, None)
        if readonly:
            raise SourceError("the duckdb connection is read-only: open it with read_only=False, or pass "
                              "dry_run=True to learn without writing")
        problem = _folder_problem(Path(path)) if path else None
        if problem is not None:
            raise SourceError(f"{path} cannot be written: {problem.reason()}; pass dry_run=True to learn "
                              "without writing")

    def writer(self) -> Engine:
        """An engine that may write: the same connection, or the file re-opened."""
        if self.kind != "duckdb":
            return self.engine
        self.close()
        try:
            con = duckdb.connect(str(self.path))
        except (duckdb.Error, OSError) as err:
            p = file_problem(str(err))
            why = p.reason() if p is not None else _first_line(err)
            raise SourceError(f"cannot open {self.path} for writing: {why}; pass --dry-run to learn "
                              "without writing") from err
        self.engine = Engine(con, log=self.engine.log)
        self.read_only = False
        return self.engine

    def close(self) -> None:
        if self.owned:
            self.engine.con.close()


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__


def _folder_problem(path: Path) -> FileProblem | None:
    """Whether the folder of ``path`` takes a new file (DuckDB's ``.wal``): a probe
    file is created and removed at once."""
    folder = path.resolve().parent
    probe = folder / f".{path.name}.{uuid.uuid4().hex[:8]}.ruledisc-probe"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as err:
        fault = _PROBE_FAULTS.get(err.errno)
        if fault is None:
            return FileProblem(FileFault.OTHER, str(path), f"cannot create a file in {folder}: {err.strerror}")
        return FileProblem(fault, str(path), err.strerror or "")
    os.close(fd)
    probe.unlink(missing_ok=True)
    return None


def literal_path(path: Path | str) -> str:
    """``path`` for DuckDB's file readers, which expand ``*``, ``?`` and ``[...]``:
    each such character is escaped as a one-character class, so the file named
    exactly so is read (``*.csv`` reads the file ``*.csv``, not every CSV file)."""
    return _GLOB.sub(r"[\1]", str(path))


def create_table_as(name: str, select: exp.Expr) -> exp.Create:
    return exp.Create(this=exp.table_(name, db="main", quoted=True), kind="TABLE",
                      expression=select)


@contextmanager
def import_target(out: Path) -> Iterator[Engine]:
    """An engine on the DuckDB file ``out`` for an import (created if missing).
    If the block raises, a file the import created is removed; an existing one is
    left to its own transaction."""
    if out.is_dir():
        raise UsageError(f"{out} is a folder; give a DuckDB file path to write")
    existed = out.exists()
    try:
        con = duckdb.connect(str(out))
    except (duckdb.Error, OSError) as err:
        p = file_problem(str(err))
        why = p.reason() if p is not None else _first_line(err)
        raise SourceError(f"cannot open {out} as a DuckDB database: {why}") from err
    ok = False
    try:
        yield Engine(con)
        ok = True
    finally:
        con.close()
        if not ok and not existed:
            out.unlink(missing_ok=True)
            Path(str(out) + ".wal").unlink(missing_ok=True)


def open_source(db: DatabaseLike, *, create: bool = False) -> Source:
    """Open ``db`` for reading. ``create``: a missing DuckDB path becomes a new file."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        return _open_connection(db)
    if isinstance(db, Mapping):
        return _open_frames(db)
    path = _as_path(db)
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as err:
        shown = str(path) if len(str(path)) <= 120 else str(path)[:117] + "..."
        raise SourceError(f"cannot use {shown!r} as a database: {err.strerror or err}") from err
    if not exists:
        if create and path.suffix not in (".sql", ".csv", ".parquet"):
            return _connect(path, read_only=False)
        raise SourceError(f"database {str(path)!r} does not exist; give a DuckDB file, "
                          "a .sql script or a folder of .parquet/.csv files")
    if is_dir:
        return _open_folder(path)
    if path.suffix.lower() == ".sql":
        return _open_script(path)
    if path.suffix.lower() in _READERS:
        raise SourceError(f"{path} is a single data file; put it in a folder and pass the folder")
    return _connect(path, read_only=not create)


def _as_path(db: Any) -> Path:
    """A str or path-like ``db`` as a Path; anything else is a usage error."""
    if isinstance(db, (bytes, bytearray)):
        raise UsageError(f"db is bytes ({bytes(db)[:40]!r}); give the path as a str or pathlib.Path")
    if not isinstance(db, (str, os.PathLike)):
        raise UsageError(f"db is of type {type(db).__name__} ({db!r:.60}); {_WHAT}")
    text = os.fspath(db)
    if not isinstance(text, str):
        raise UsageError(f"db is a bytes path ({text[:40]!r}); give the path as a str or pathlib.Path")
    if not text.strip():
        raise UsageError(f"db is an empty path; {_WHAT}")
    if "\0" in text:
        raise UsageError(f"db {text!r} holds a NUL character; give a file or folder path")
    return Path(text)


def _open_connection(con: duckdb.DuckDBPyConnection) -> Source:
    """The caller's open connection (a closed one is a SourceError, from its first statement)."""
    return Source(Engine(con), "connection", owned=False)


def _connect(path: Path, read_only: bool) -> Source:
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except (duckdb.Error, OSError) as err:
        p = file_problem(str(err))
        why = p.reason() if p is not None else _first_line(err)
        verb = "read" if read_only else "open or create"
        raise SourceError(f"cannot {verb} {path} as a DuckDB database: {why}") from err
    return Source(Engine(con), "duckdb", path, read_only=read_only)


def _open_script(path: Path) -> Source:
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(f"cannot read SQL script {path}: {_first_line(err)}") from err
    con = duckdb.connect()
    try:
        con.execute(text)  # the user's own script, run as written
    except duckdb.Error as err:
        con.close()
        raise SourceError(f"SQL script {path} failed: {_first_line(err)}") from err
    return Source(Engine(con), "script", path)


def _open_folder(path: Path) -> Source:
    try:
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _READERS and p.is_file())
    except OSError as err:
        raise SourceError(f"cannot list folder {path}: {err.strerror or err}") from err
    if not files:
        raise SourceError(f"folder {path} holds no .parquet or .csv files")
    names: dict[str, Path] = {}
    for f in files:
        name = re.sub(r"\W", "_", f.stem)
        if name.lower() in names:
            raise SourceError(f"files {names[name.lower()].name!r} and {f.name!r} in {path} would both be "
                              f"table {name!r}; rename one")
        names[name.lower()] = f
    con = duckdb.connect()
    eng = Engine(con)
    for f in files:
        name = re.sub(r"\W", "_", f.stem)
        reader = exp.Anonymous(this=_READERS[f.suffix.lower()], expressions=[exp.Literal.string(literal_path(f))])
        try:
            with eng.user_input():
                eng.execute(create_table_as(name, exp.select("*").from_(reader)))
        except RulediscError as err:
            con.close()
            raise SourceError(f"cannot read {f}: {_first_line(err.__cause__ or err)}") from err
    return Source(eng, "folder", path)


def _open_frames(frames: Mapping[Any, Any]) -> Source:
    seen: dict[str, str] = {}
    for name in frames:
        if not isinstance(name, str) or not name:
            raise UsageError(f"db dict key {name!r}: table names must be non-empty strings")
        if name.lower() in seen:
            raise UsageError(f"db dict keys {seen[name.lower()]!r} and {name!r} differ only in case; DuckDB "
                             "treats them as one table name")
        seen[name.lower()] = name
    con = duckdb.connect()
    eng = Engine(con)
    try:
        for name, df in frames.items():
            _load_frame(eng, name, df)
    except BaseException:
        con.close()
        raise
    return Source(eng, "frames")


def _load_frame(eng: Engine, name: str, df: Any) -> None:
    """``df`` (a DataFrame, an arrow Table, or a dict of equal-length columns) as table ``name``."""
    if isinstance(df, Mapping):
        df = _columns_frame(name, df)
    view = f"__rd_frame_{uuid.uuid4().hex[:12]}"
    try:
        eng.con.register(view, df)
    except (duckdb.Error, TypeError, ValueError) as err:
        if "at least one column" in str(err):
            raise SourceError(f"db[{name!r}] has no columns; a table needs at least one") from err
        raise UsageError(f"db[{name!r}] is of type {type(df).__name__}; give a polars or pandas DataFrame, a pyarrow "
                         "Table, or a dict of equal-length columns") from err
    try:
        with eng.user_input():
            eng.execute(create_table_as(name, exp.select("*").from_(exp.to_identifier(view, quoted=True))))
    except DataError as err:
        raise SourceError(f"cannot load db[{name!r}] as a table: {_first_line(err.__cause__ or err)}") from err
    finally:
        eng.con.unregister(view)


def _columns_frame(name: str, cols: Mapping[Any, Any]) -> Any:
    """A dict of columns as a polars DataFrame; ragged or unreadable columns are a SourceError."""
    import polars as pl
    if not cols:
        raise SourceError(f"db[{name!r}] has no columns; a table needs at least one")
    bad = [k for k in cols if not isinstance(k, str) or not k]
    if bad:
        raise UsageError(f"db[{name!r}]: column names must be non-empty strings, got {bad[0]!r}")
    try:
        lengths = {k: len(v) for k, v in cols.items()}
    except TypeError as err:
        raise UsageError(f"db[{name!r}]: each column must be a list or array of values ({err})") from err
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        raise SourceError(f"db[{name!r}]: columns differ in length ({shown}); give every column as many values")
    try:
        return pl.DataFrame(dict(cols))
    except Exception as err:  # polars raises its own errors and TypeError/ValueError on odd values
        raise SourceError(f"db[{name!r}]: cannot build a table from these columns: {_first_line(err)}") from err
