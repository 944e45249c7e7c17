"""Open what the user names as a database: a DuckDB file, a ``.sql`` script,
a folder of ``.parquet``/``.csv`` files, an open DuckDB connection, or a dict
of polars DataFrames. Mining reads through a read-only connection; only the
write-back phase opens a DuckDB file for writing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import duckdb
from sqlglot import exp

from .engine import Engine
from .errors import SourceError, UsageError

DatabaseLike = Union[str, Path, duckdb.DuckDBPyConnection, dict]
_READERS = {".parquet": "read_parquet", ".csv": "read_csv_auto"}


@dataclass
class Source:
    """An opened database. ``path`` is set for DuckDB files (re-opened to write)."""

    engine: Engine
    kind: str  # "duckdb", "script", "folder", "connection", "frames"
    path: Path | None = None
    owned: bool = True

    def writer(self) -> Engine:
        """An engine that may write: the same connection, or the file re-opened."""
        if self.kind != "duckdb":
            return self.engine
        self.close()
        try:
            con = duckdb.connect(str(self.path))
        except duckdb.Error as err:
            raise SourceError(f"cannot open {self.path} for writing: {_first_line(err)}") from err
        self.engine = Engine(con, log=self.engine.log)
        return self.engine

    def close(self) -> None:
        if self.owned:
            self.engine.con.close()


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__


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
        raise SourceError(f"cannot open {out} as a DuckDB database: {str(err).splitlines()[0]}") from err
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
        return Source(Engine(db), "connection", owned=False)
    if isinstance(db, dict):
        return _open_frames(db)
    path = Path(db)
    if not path.exists():
        if create and path.suffix not in (".sql", ".csv", ".parquet"):
            return _connect(path, read_only=False)
        raise SourceError(f"database {str(path)!r} does not exist; give a DuckDB file, "
                          "a .sql script or a folder of .parquet/.csv files")
    if path.is_dir():
        return _open_folder(path)
    if path.suffix.lower() == ".sql":
        return _open_script(path)
    if path.suffix.lower() in _READERS:
        raise SourceError(f"{path} is a single data file; put it in a folder and pass the folder")
    return _connect(path, read_only=not create)


def _connect(path: Path, read_only: bool) -> Source:
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except (duckdb.Error, OSError) as err:
        raise SourceError(f"cannot read {path} as a DuckDB database: {_first_line(err)}") from err
    return Source(Engine(con), "duckdb", path)


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
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in _READERS)
    if not files:
        raise SourceError(f"folder {path} holds no .parquet or .csv files")
    con = duckdb.connect()
    eng = Engine(con)
    for f in files:
        name = re.sub(r"\W", "_", f.stem)
        reader = exp.Anonymous(this=_READERS[f.suffix.lower()], expressions=[exp.Literal.string(str(f))])
        try:
            eng.execute(create_table_as(name, exp.select("*").from_(reader)))
        except Exception as err:
            con.close()
            raise SourceError(f"cannot read {f}: {_first_line(err)}") from err
    return Source(eng, "folder", path)


def _open_frames(frames: dict[str, Any]) -> Source:
    con = duckdb.connect()
    eng = Engine(con)
    for name, df in frames.items():
        view = "__rd_frame"
        con.register(view, df)
        eng.execute(create_table_as(str(name), exp.select("*").from_(exp.to_identifier(view, quoted=True))))
        con.unregister(view)
    return Source(eng, "frames")
