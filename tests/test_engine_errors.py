"""How DuckDB's errors reach the user (ruledisc/errors.py, "How DuckDB's errors are classified").

Every case runs a real DuckDB error: a statement ruledisc built wrongly is an
internal error (exit 3, "please report", the statement under --debug); bad data,
missing objects, files that cannot be written are data errors with one telling
line. Also: the write check before mining, folder sources whose file names look
like globs, and wrong ``db`` arguments in the Python API.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from clihelp import DATA, Unchanged, assert_error, invoke
from sqlglot import exp

import ruledisc
from ruledisc import pipeline
from ruledisc.engine import Engine
from ruledisc.errors import DataError, InternalError, MissingObjectError, SchemaError, SourceError, UsageError
from ruledisc.source import literal_path, open_source

INTERNAL = 3
TINY = ("CREATE TABLE people (id INT PRIMARY KEY, grp VARCHAR, flag BOOLEAN);"
        "INSERT INTO people VALUES (1,'a',true),(2,'b',false),(3,'a',true),(4,'b',false),(5,'a',true),(6,'b',false);")
MINE = ("--target", "people.flag", "--epochs", "20", "-q")


def tiny_db(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(TINY)
    finally:
        con.close()
    return path


@pytest.fixture
def eng() -> Iterator[Engine]:
    con = duckdb.connect()
    e = Engine(con)
    e.execute(exp.Create(this=exp.to_table("t"), kind="TABLE",
                         expression=exp.select(exp.Literal.number(1).as_("a"))))
    yield e
    con.close()


def _set(name: str, value: exp.Expr) -> exp.Set:
    return exp.Set(expressions=[exp.SetItem(this=exp.EQ(this=exp.column(name), expression=value))])


# --------------------------------------------------------------------------- classification


BUGS = [  # statements ruledisc could build wrongly; each a genuine DuckDB error
    ("syntax", exp.select(exp.Literal.number("1 +")), "ParserException"),
    ("unknown column", exp.select(exp.column("nope")).from_("t"), "BinderException"),
    ("unknown function", exp.select(exp.func("no_such_fn", exp.Literal.number(1))), "no_such_fn"),
]


@pytest.mark.parametrize("label, stmt, fragment", BUGS, ids=[b[0] for b in BUGS])
def test_a_bad_generated_statement_is_an_internal_error(eng: Engine, label: str, stmt: exp.Expr,
                                                        fragment: str) -> None:
    text = eng.sql(stmt.copy())
    with pytest.raises(InternalError) as info:
        eng.rows(stmt)
    err = info.value
    assert not isinstance(err, DataError) and err.exit_code == INTERNAL
    assert "please report" in str(err) and "--debug" in str(err) and fragment in str(err)
    assert err.sql == text
    assert any(text in note for note in err.__notes__)
    assert isinstance(err.__cause__, duckdb.Error)


DATA_CASES = [  # (label, statement, error class, fragment)
    ("missing table", exp.select("*").from_(exp.table_("rules", db="ruledisc", quoted=True)),
     MissingObjectError, "does not exist"),
    ("existing table", exp.Create(this=exp.to_table("t"), kind="TABLE",
                                  expression=exp.select(exp.Literal.number(1).as_("a"))), SchemaError, "already exists"),
    ("conversion", exp.select(exp.cast(exp.Literal.string("x"), "INT")), DataError, "Could not convert"),
    ("overflow", exp.select(exp.Add(this=exp.cast(exp.Literal.number(2147483647), "INT"),
                                    expression=exp.cast(exp.Literal.number(1), "INT"))), DataError, "Overflow"),
]


@pytest.mark.parametrize("label, stmt, cls, fragment", DATA_CASES, ids=[c[0] for c in DATA_CASES])
def test_data_problems_are_data_errors(eng: Engine, label: str, stmt: exp.Expr, cls: type, fragment: str) -> None:
    with pytest.raises(cls, match=fragment) as info:
        eng.rows(stmt)
    assert isinstance(info.value, DataError) and info.value.exit_code == DATA
    assert not isinstance(info.value, InternalError)


def test_a_probe_for_a_missing_table_still_catches_data_error(eng: Engine) -> None:
    """pipeline's stored-rules probe catches DataError around a read of ``<schema>.rules``."""
    caught = None
    try:
        eng.rows(exp.select("target").from_(exp.table_("rules", db="ruledisc", quoted=True)))
    except DataError as err:
        caught = err
    assert isinstance(caught, MissingObjectError)


def test_user_input_makes_syntax_errors_the_users(eng: Engine) -> None:
    bad = exp.select(exp.Literal.number("1 +"))
    with pytest.raises(InternalError):
        eng.rows(bad.copy())
    with eng.user_input(), pytest.raises(DataError, match="rejected the input") as info:
        eng.rows(bad)
    assert not isinstance(info.value, InternalError)
    with pytest.raises(InternalError):   # the block ended: back to ruledisc's own statements
        eng.rows(bad.copy())


def test_a_rejected_setting_is_a_data_error(eng: Engine) -> None:
    """``SET memory_limit = 'lots'``: the value is the user's (``--memory-limit``)."""
    with pytest.raises(DataError, match="Memory must have a number") as info:
        eng.execute(_set("memory_limit", exp.Literal.string("lots")))
    assert not isinstance(info.value, InternalError)


def test_out_of_memory_names_the_remedies(eng: Engine) -> None:
    eng.execute(_set("memory_limit", exp.Literal.string("20MB")))
    eng.execute(_set("threads", exp.Literal.number(1)))
    with pytest.raises(DataError, match="ran out of memory") as info:
        eng.rows(exp.select(exp.func("list", exp.column("range"))).from_(
            exp.func("range", exp.Literal.number(50_000_000))))
    assert isinstance(info.value.__cause__, duckdb.OutOfMemoryException)
    assert "--max-examples" in str(info.value) and "--memory-limit" in str(info.value)


def test_an_interrupted_query_is_a_keyboard_interrupt(eng: Engine) -> None:
    stop = threading.Event()

    def poke() -> None:
        while not stop.wait(0.05):
            eng.con.interrupt()

    th = threading.Thread(target=poke)
    th.start()
    r = exp.func("range", exp.Literal.number(10**6))
    try:
        with pytest.raises(KeyboardInterrupt) as info:
            eng.rows(exp.select(exp.func("count", exp.Star())).from_(r.as_("a"))
                     .join(r.copy().as_("b"), on=exp.true()))
    finally:
        stop.set()
        th.join()
    assert isinstance(info.value.__cause__, duckdb.InterruptException)


def test_a_failed_block_rolls_back_and_keeps_its_error(eng: Engine) -> None:
    with pytest.raises(DataError, match="Could not convert"):
        with eng.transaction():
            eng.execute(exp.insert(exp.select(exp.Literal.number(2)), "t"))
            eng.rows(exp.select(exp.cast(exp.Literal.string("x"), "INT")))
    assert eng.rows(exp.select("a").from_("t")) == [(1,)]


# --------------------------------------------------------------------------- the CLI contract


def _broken_introspect(eng: Engine, *args, **kwargs):
    """Stands in for a ruledisc bug: a statement naming a column that does not exist."""
    eng.rows(exp.select(exp.column("no_such_column_xyz")).from_("information_schema.tables"))


def test_cli_internal_error_one_line_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tiny_db(tmp_path / "db" / "tiny.duckdb")
    monkeypatch.setattr(pipeline, "introspect", _broken_introspect)
    with Unchanged(db):
        r = invoke("mine", db, *MINE)
    assert r.exit_code == INTERNAL, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ruledisc built a query the database rejected")
    assert "please report" in lines[0] and "--debug" in lines[0] and "Traceback" not in r.stderr
    assert "no_such_column_xyz" in lines[0]          # DuckDB's words name the culprit
    assert "information_schema" not in r.stderr      # the statement itself only under --debug


def test_cli_debug_shows_the_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tiny_db(tmp_path / "db" / "tiny.duckdb")
    monkeypatch.setattr(pipeline, "introspect", _broken_introspect)
    r = invoke("--debug", "mine", db, *MINE)
    assert r.exit_code == INTERNAL
    assert "Traceback" in r.stderr
    assert "statement (introspect): SELECT no_such_column_xyz FROM information_schema.tables" in r.stderr


# --------------------------------------------------------------------------- files that cannot be written


def test_full_disk_is_one_clean_line(tmp_path: Path) -> None:
    """The ``.wal`` is /dev/full: every write to it fails with ENOSPC, a genuine full disk
    for DuckDB (as root too). Mining runs, the commit fails, the database keeps its bytes."""
    db = tiny_db(tmp_path / "db" / "tiny.duckdb")
    Path(f"{db}.wal").symlink_to("/dev/full")
    with Unchanged(db):
        r = invoke("mine", db, *MINE)
        assert_error(r, DATA, "no space left on device writing", str(db))
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'ruledisc'"
                           ).fetchone() == (0,)
    finally:
        con.close()


def test_full_disk_in_engine_commit(tmp_path: Path) -> None:
    db = tiny_db(tmp_path / "tiny.duckdb")
    Path(f"{db}.wal").symlink_to("/dev/full")
    con = duckdb.connect(str(db))
    e = Engine(con)
    try:
        with pytest.raises(SourceError, match="no space left on device writing") as info:
            with e.transaction():
                e.execute(exp.Create(this=exp.to_table("x"), kind="TABLE",
                                     expression=exp.select(exp.Literal.number(1).as_("a"))))
        assert str(db) in str(info.value)
        assert e.rows(exp.select(exp.func("count", exp.Star())).from_("people")) == [(6,)]   # still usable
    finally:
        con.close()


_PROBE = """
import sys, ruledisc
try:
    open(sys.argv[1], "w")
except PermissionError:
    print("blocked")
"""


def _unprivileged() -> list[str] | None:
    """A command prefix under which permissions hold (root ignores them): nothing when
    not root, else a user namespace mapping us to nobody, else ``setpriv`` to nobody.
    None when neither works here."""
    if os.geteuid() != 0:
        return []
    base = Path(tempfile.mkdtemp(prefix="rd-probe-"))
    ro = base / "ro"
    ro.mkdir()
    base.chmod(0o755)
    ro.chmod(0o555)
    try:
        for prefix in (["unshare", "--user", "--map-user=65534", "--map-group=65534"],
                       ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]):
            if shutil.which(prefix[0]) is None:
                continue
            r = subprocess.run(prefix + [sys.executable, "-c", _PROBE, str(ro / "x")], capture_output=True,
                               text=True, cwd=base, env=_env(base), timeout=60)
            if r.returncode == 0 and r.stdout.strip() == "blocked":
                return prefix
        return None
    finally:
        ro.chmod(0o755)
        shutil.rmtree(base)


def _env(home: Path) -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
            "PYTHONPATH": root, "COLUMNS": "200"}


@pytest.fixture(scope="module")
def unprivileged() -> list[str]:
    prefix = _unprivileged()
    assert prefix is not None, ("running as root, and neither `unshare --user` nor `setpriv` can drop the "
                                "privilege to ignore file permissions here")
    return prefix


@pytest.fixture
def readonly_folder(unprivileged: list[str]) -> Iterator[Path]:
    """A writable DuckDB file (mode 666) in a folder nobody may write to (555); the folder
    is world-traversable, so ``setpriv`` to nobody reaches it."""
    base = Path(tempfile.mkdtemp(prefix="rd-ro-"))
    base.chmod(0o777)
    db = tiny_db(base / "ro" / "tiny.duckdb")
    db.chmod(0o666)
    db.parent.chmod(0o555)
    yield db
    db.parent.chmod(0o755)
    shutil.rmtree(base)


def _run_unprivileged(prefix: list[str], db: Path, *args: str) -> subprocess.CompletedProcess:
    home = db.parent.parent
    return subprocess.run(prefix + [sys.executable, *args], capture_output=True, text=True, cwd=home,
                          env=_env(home), timeout=300)


def test_cli_mine_into_readonly_folder(readonly_folder: Path, unprivileged: list[str]) -> None:
    db = readonly_folder
    with Unchanged(db):
        r = _run_unprivileged(unprivileged, db, "-m", "ruledisc.cli", "mine", str(db), *MINE)
    assert r.returncode == DATA, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("error: ") and "internal error" not in lines[0]
    assert "the folder is read-only" in lines[0] and f"{db}.wal" in lines[0] and "--dry-run" in lines[0]


_CHECKS = """
import sys
import duckdb
from sqlglot import exp
from ruledisc.engine import Engine
from ruledisc.errors import SourceError
from ruledisc.source import open_source
db = sys.argv[1]
src = open_source(db)
try:
    src.check_writable()
except SourceError as err:
    print("check:", err)
src.close()
con = duckdb.connect(db)
e = Engine(con)
try:
    with e.transaction():
        e.execute(exp.Create(this=exp.to_table("x"), kind="TABLE",
                             expression=exp.select(exp.Literal.number(1).as_("a"))))
except SourceError as err:
    print("commit:", err)
con.close()
"""


def test_readonly_folder_check_and_commit(readonly_folder: Path, unprivileged: list[str]) -> None:
    db = readonly_folder
    with Unchanged(db):
        r = _run_unprivileged(unprivileged, db, "-c", _CHECKS, str(db))
    assert r.returncode == 0, r.stderr
    out = dict(line.split(": ", 1) for line in r.stdout.splitlines())
    assert out["check"] == (f"{db} cannot be written: the folder is read-only (DuckDB needs to create {db}.wal "
                            "beside it); pass --dry-run to learn without writing")
    assert out["commit"] == (f"cannot write {db}: the folder is read-only (DuckDB needs to create {db}.wal "
                             "beside it); use --dry-run or copy the database")


# --------------------------------------------------------------------------- check_writable


def test_check_writable_passes_and_changes_nothing(tmp_path: Path) -> None:
    db = tiny_db(tmp_path / "db" / "tiny.duckdb")
    src = open_source(db)
    try:
        with Unchanged(db):
            src.check_writable()
        assert src.engine.rows(exp.select(exp.func("count", exp.Star())).from_("people")) == [(6,)]
    finally:
        src.close()


_HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("held", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator:
    """``holder(db, mode)``: another process holding ``db`` open (``ro`` or ``rw``) until the test ends."""
    procs: list[subprocess.Popen] = []

    def hold(db: Path, mode: str) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, "-c", _HOLD, str(db), mode], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        procs.append(p)
        assert p.stdout is not None and p.stdout.readline().strip() == "held"
        return p

    yield hold
    for p in procs:
        p.stdin.close()
        p.wait(timeout=30)


def test_check_writable_names_the_process_holding_the_file(tmp_path: Path, holder) -> None:
    db = tiny_db(tmp_path / "db" / "tiny.duckdb")
    p = holder(db, "ro")
    src = open_source(db)      # reading alongside a reader works
    try:
        with Unchanged(db), pytest.raises(SourceError) as info:
            src.check_writable()
        msg = str(info.value)
        assert msg.startswith(f"{db} cannot be written: another process holds it open (PID {p.pid})")
        assert msg.endswith("pass --dry-run to learn without writing")
        assert src.engine.rows(exp.select(exp.func("count", exp.Star())).from_("people")) == [(6,)]
    finally:
        src.close()


def test_a_file_another_process_writes_cannot_be_opened(tmp_path: Path, holder) -> None:
    db = tiny_db(tmp_path / "db" / "tiny.duckdb")
    p = holder(db, "rw")
    with pytest.raises(SourceError, match=rf"cannot read .*another process holds it open \(PID {p.pid}\)"):
        open_source(db)
    with Unchanged(db):
        r = invoke("mine", db, *MINE)
        assert_error(r, DATA, "tiny.duckdb", "another process holds it open")


def test_check_writable_on_a_readonly_connection(tmp_path: Path) -> None:
    db = tiny_db(tmp_path / "tiny.duckdb")
    con = duckdb.connect(str(db), read_only=True)
    try:
        with pytest.raises(SourceError, match="connection is read-only.*dry_run=True"):
            open_source(con).check_writable()
    finally:
        con.close()
    con = duckdb.connect(str(db))
    try:
        open_source(con).check_writable()
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["script", "folder", "frames"])
def test_check_writable_on_in_memory_sources_is_a_no_op(tmp_path: Path, kind: str) -> None:
    if kind == "script":
        db: object = tmp_path / "x.sql"
        Path(db).write_text(TINY)
    elif kind == "folder":
        db = tmp_path / "data"
        db.mkdir()
        (db / "people.csv").write_text("id,flag\n1,true\n2,false\n")
    else:
        db = {"people": pl.DataFrame({"id": [1, 2], "flag": [True, False]})}
    src = open_source(db)
    try:
        assert src.kind == kind
        src.check_writable()
    finally:
        src.close()


# --------------------------------------------------------------------------- glob-like file names


GLOBBY = {"*.csv": "star", "?.csv": "question", "[a].csv": "bracket", "a.csv": "plain", "ab.csv": "plain2",
          "x{1,2}.csv": "brace"}


def test_literal_path_escapes_glob_characters() -> None:
    assert literal_path("/d/*.csv") == "/d/[*].csv"
    assert literal_path("/d/[a]?.csv") == "/d/[[]a][?].csv"
    assert literal_path("/plain/a.csv") == "/plain/a.csv"


@pytest.mark.parametrize("odd", ["*.csv", "?.csv", "[a].csv"])
def test_folder_reads_each_file_by_its_exact_name(tmp_path: Path, odd: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in (odd, "a.csv", "ab.csv", "x{1,2}.csv"):
        (folder / name).write_text(f"id,what\n1,{GLOBBY[name]}\n")
    (folder / "dir.csv").mkdir()        # a folder named like a CSV file is not read
    src = open_source(folder)
    try:
        got = {t: src.engine.rows(exp.select("what").from_(exp.table_(t, db="main", quoted=True)))
               for (t,) in src.engine.rows(exp.select("table_name").from_("information_schema.tables"))}
    finally:
        src.close()
    odd_table = {"*.csv": "_", "?.csv": "_", "[a].csv": "_a_"}[odd]
    assert got == {odd_table: [(GLOBBY[odd],)], "a": [("plain",)], "ab": [("plain2",)],
                   "x_1_2_": [("brace",)]}


def test_folder_files_that_become_one_table_name(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("*.csv", "?.csv"):
        (folder / name).write_text("id\n1\n")
    with Unchanged(folder / "*.csv"):
        r = invoke("mine", folder, "--target", "_")
        assert_error(r, DATA, "'*.csv'", "'?.csv'", "table '_'", "rename one")


# --------------------------------------------------------------------------- wrong db arguments (Python API)


_closed = duckdb.connect()
_closed.close()

BAD_DB = [  # (label, db, error class, fragment)
    ("None", None, UsageError, "db is of type NoneType"),
    ("empty bytes", b"", UsageError, "give the path as a str"),
    ("bytes path", b"x.duckdb", UsageError, "give the path as a str"),
    ("int", 123, UsageError, "pass a DuckDB file path"),
    ("list", ["x.duckdb"], UsageError, "pass a DuckDB file path"),
    ("empty string", "", UsageError, "empty path"),
    ("blank string", "  ", UsageError, "empty path"),
    ("NUL in path", "a\0b.duckdb", UsageError, "NUL"),
    ("ragged columns", {"t": {"a": [1, 2], "b": [1]}}, SourceError, r"columns differ in length \(a: 2, b: 1\)"),
    ("scalar column", {"t": {"a": 5}}, UsageError, "list or array"),
    ("int frame", {"t": 5}, UsageError, r"db\['t'\] is of type int; give a polars or pandas DataFrame"),
    ("list frame", {"t": [1, 2]}, UsageError, "is of type list"),
    ("string frame", {"t": "people.csv"}, UsageError, "is of type str"),
    ("no columns", {"t": pl.DataFrame()}, SourceError, "has no columns"),
    ("empty column dict", {"t": {}}, SourceError, "has no columns"),
    ("int table name", {1: pl.DataFrame({"a": [1]})}, UsageError, "non-empty strings"),
    ("empty table name", {"": pl.DataFrame({"a": [1]})}, UsageError, "non-empty strings"),
    ("names differ in case", {"T": pl.DataFrame({"a": [1]}), "t": pl.DataFrame({"a": [1]})}, UsageError,
     "differ only in case"),
    ("closed connection", _closed, SourceError, "connection cannot be used.*pass an open connection"),
    ("too long a path", "x" * 5000, SourceError, "File name too long"),
]


@pytest.mark.parametrize("label, db, cls, fragment", BAD_DB, ids=[b[0] for b in BAD_DB])
def test_bad_db_arguments(label: str, db: object, cls: type, fragment: str) -> None:
    with pytest.raises(cls, match=fragment):
        open_source(db)   # type: ignore[arg-type]
    with pytest.raises(cls, match=fragment):
        ruledisc.mine(db, "t.flag", dry_run=True)   # type: ignore[arg-type]


def test_a_dict_of_columns_is_a_table() -> None:
    src = open_source({"people": {"id": [1, 2], "grp": ["a", "b"]}, "more": pl.DataFrame({"x": [1]}).lazy()})
    try:
        assert src.engine.rows(exp.select("id", "grp").from_("people").order_by("id")) == [(1, "a"), (2, "b")]
        assert src.engine.rows(exp.select("x").from_("more")) == [(1,)]
    finally:
        src.close()

