"""Helpers for the CLI contract tests: run a command, check its one ``error:`` line, check a
database file is byte-for-byte unchanged, build small DuckDB files from the samples."""


from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Self

import duckdb
from typer.testing import CliRunner

from ruledisc.cli import app

SAMPLES = Path(__file__).resolve().parent.parent / "sample_dbs"

USAGE, DATA = 2, 1


# --------------------------------------------------------------------------- helpers


_TEMPLATES: dict[str, Path] = {}


def _template(sample: str) -> Path:
    """``sample_dbs/<sample>.sql`` loaded into a DuckDB file once per process; tests copy it."""
    if sample not in _TEMPLATES:
        path = Path(tempfile.mkdtemp(prefix="ruledisc-template-")) / f"{sample}.duckdb"
        con = duckdb.connect(str(path))
        try:
            con.execute((SAMPLES / f"{sample}.sql").read_text())
        finally:
            con.close()
        _TEMPLATES[sample] = path
    return _TEMPLATES[sample]


def build_db(path: Path, sample: str | None, extra_sql: str = "") -> Path:
    """A DuckDB file holding ``sample_dbs/<sample>.sql`` (or nothing) plus ``extra_sql``; closed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if sample is not None:
        shutil.copyfile(_template(sample), path)
    con = duckdb.connect(str(path))
    try:
        if extra_sql:
            con.execute(extra_sql)
    finally:
        con.close()
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(path: Path) -> tuple[str | None, list[str]]:
    """The DB file's hash (None if absent) and the sorted listing of its folder."""
    return (sha256(path) if path.is_file() else None), sorted(p.name for p in path.parent.iterdir())


def invoke(*args: str):
    # CliRunner swaps sys.stderr, so ``traceback.print_exc`` under --debug is captured too.
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_error(result, code: int, *fragments: str) -> str:
    """One ``error: `` line on stderr holding every fragment; right exit code; no traceback."""
    out, err = result.stdout, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"uncaught {type(result.exception).__name__}: {result.exception!r}\nstderr: {err}"
    assert "Traceback" not in out and "Traceback" not in err, f"traceback shown:\n{err}"
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}; stderr: {err!r}"
    lines = err.splitlines()
    assert len(lines) == 1, f"stderr must be one line, got {len(lines)}: {err!r}"
    line = lines[0]
    assert line.startswith("error: "), line
    # a deliberate RulediscError, not the catch-all for surprises
    assert "internal error" not in line, f"not a ruledisc error: {line!r}"
    for frag in fragments:
        assert frag in line, f"{frag!r} not in {line!r}"
    return line


class Unchanged:
    """``with Unchanged(db):`` -- the DB's bytes and its folder's listing are the same after."""

    def __init__(self, db: Path):
        self.db = db

    def __enter__(self) -> Self:
        self.before = snapshot(self.db)
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            after = snapshot(self.db)
            assert after[0] == self.before[0], f"{self.db.name} bytes changed"
            assert after[1] == self.before[1], f"folder listing changed: {self.before[1]} -> {after[1]}"
