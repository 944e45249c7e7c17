"""The whole contract of issue 16, tried as an attacker and as a careless user would.

Runs a few hundred cases against the real console script (``ruledisc`` next to
``sys.executable``) in subprocesses, and against the Python API in this process (each
call in ``try``/``except``). Every case states what it expects:

- ``OK``: exit 0, no traceback, and a stated post-condition (rules stored under the
  documented name, every other target's rules and views and the user's tables as they
  were, views that no target owns absent, read-only commands leave the file's bytes);
- ``ERROR``: the stated exit code (2 usage, 1 data), exactly one stderr line starting
  ``error: ``, no traceback, no internal error, the database file's bytes (sha256) and its
  folder's listing unchanged (a new output file not left behind);
- ``OK|ERROR``: random mutations of rules files: either of the above;
- ``DEBUG``: ``--debug``: the traceback, then the same one ``error: `` line last;
- ``INTERRUPTED|OK``: a signal at a random moment: one line and 130 for SIGINT (silent death
  for SIGTERM/SIGHUP), or a finished run; the target's rules wholly old (then the file's
  bytes as they were) or wholly new, everything else untouched;
- ``OLD|NEW``: ``kill -9`` during write-back: the database opens (its ``.wal`` replayed) and
  holds the old or the new rules of the target, nothing else changed.

Fixtures are built in a temporary folder: ``sample_dbs/{shop,family,business}.sql`` as
DuckDB files, small worlds with odd identifiers, a graph, Popper/Aleph/KG folders, rules
files valid and mutated. The random parts (identifiers, mutations, signal moments) draw
from a seed picked at run time and printed; ``--seed N`` repeats a run.

    .venv/bin/python benchmarks/contract.py            # every case (about 10 minutes on 2 cores)
    .venv/bin/python benchmarks/contract.py --quick    # about 60 cases
    .venv/bin/python benchmarks/contract.py --only sigint --seed 123 --keep

Prints a table per category and every case that did not end cleanly, and writes
``benchmarks/out/contract.json`` (every case: name, category, command, expected, exit
code, stderr's first line, clean, reason).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("ruledisc")     # the installed console script
SAMPLES = ROOT / "sample_dbs"
RESULTS = ROOT / "benchmarks" / "out" / "contract.json"

USAGE, DATA, INTERNAL, INTERRUPT_EXIT = 2, 1, 3, 130
INTERRUPTED_LINE = "error: interrupted; the database is unchanged"
STORED_LINE = "error: interrupted after the rules were stored (the database holds the new rules)"
FAST = ("--max-body", "1", "--epochs", "40", "--quiet")
WFAST = (*FAST, "--background", "kind")       # the worlds: only kind explains a label
UNPRIVILEGED = ["unshare", "--user", "--map-user=65534", "--map-group=65534"]   # root ignores permissions


# =========================================================================== cases


class Expect(Enum):
    OK = "OK"
    ERROR = "ERROR"
    EITHER = "OK|ERROR"
    DEBUG = "DEBUG"
    INTERRUPT = "INTERRUPTED|OK"
    CRASH = "OLD|NEW"


Step = tuple[str, ...] | Callable[["Ctx"], None]


@dataclass
class Case:
    """One command (or API call) and what it must end in."""

    name: str
    category: str
    expect: Expect
    args: tuple[str, ...] = ()                 # CLI arguments; ``{db}``, ``{dir}``, ... filled per case
    code: tuple[int, ...] = (0,)               # exit code(s) an ERROR / DEBUG case must end with
    frags: tuple[str, ...] = ()                # the error line must hold each (case-insensitive)
    fixture: str | None = None                 # template copied to {dir}/db/<fixture>.duckdb = {db}
    setup: Callable[[Ctx], None] | None = None
    pre: tuple[Step, ...] = ()                 # steps that must succeed before the command
    post: Callable[[Ctx, Run], str | None] | None = None
    watch: tuple[str, ...] | None = None       # files whose bytes and folder must not change
    target: str | tuple[str, ...] | None = None  # stored name(s) the command may (re)write; "*": any new one
    writes: bool | None = None                 # OK case: may change the file (default: target given)
    schemas: tuple[str, ...] = ("ruledisc",)
    api: Callable[[Ctx], Any] | None = None    # in-process call instead of a command
    raises: str | None = None                  # API ERROR: the RulediscError subclass expected
    runner: str = "cli"                        # cli, api, signal, kill
    sig: int = signal.SIGINT
    delay: float | None = None                 # signal / kill: seconds after the start ...
    after_wal: float | None = None             # ... or after <db>.wal appears
    after_line: str | None = None              # ... or ``delay`` s after a stdout line starting so
    traceback: bool = True                     # DEBUG: a traceback is due
    prefix: tuple[str, ...] = ()               # run the script under this (unprivileged)
    quick: bool = False
    timeout: float = 240.0
    about: str = ""

    def expected(self) -> str:
        if self.raises:
            return f"{self.expect.value} {self.raises}"
        if self.expect in (Expect.ERROR, Expect.DEBUG):
            return f"{self.expect.value} exit {'/'.join(map(str, self.code))}"
        return self.expect.value


@dataclass
class Run:
    code: int | None
    stdout: str
    stderr: str
    seconds: float
    command: str
    timed_out: bool = False
    error: BaseException | None = None       # API: what the call raised
    value: Any = None                        # API: what it returned


@dataclass
class Ctx:
    case: Case
    dir: Path
    fx: Fixtures
    rng: random.Random
    vars: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def db(self) -> Path:
        return Path(self.vars["db"])

    def sub(self, text: str) -> str:
        for k, v in self.vars.items():
            text = text.replace("{" + k + "}", v)
        return text

    def write(self, name: str, content: str | bytes, var: str | None = None) -> Path:
        p = self.dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        if var:
            self.vars[var] = str(p)
        return p


def ok(name: str, cat: str, args: Iterable[str], **kw: Any) -> Case:
    return Case(name, cat, Expect.OK, tuple(args), **kw)


def err(name: str, cat: str, args: Iterable[str], code: int | tuple[int, ...], *frags: str, **kw: Any) -> Case:
    return Case(name, cat, Expect.ERROR, tuple(args), code=code if isinstance(code, tuple) else (code,),
                frags=frags, **kw)


def api_err(name: str, call: Callable[[Ctx], Any], raises: str, *frags: str, **kw: Any) -> Case:
    kw.setdefault("fixture", "family")
    return Case(name, "api", Expect.ERROR, (), code=(), frags=frags, api=call, raises=raises, runner="api", **kw)


def api_ok(name: str, call: Callable[[Ctx], Any], post: Callable[[Ctx, Run], str | None], **kw: Any) -> Case:
    kw.setdefault("fixture", "family")
    return Case(name, "api", Expect.OK, (), api=call, post=post, runner="api", **kw)


# =========================================================================== SQL text (fixtures only)


def q(name: str) -> str:
    """``name`` as a quoted SQL identifier (the campaign builds its fixtures' SQL text)."""
    return '"' + name.replace('"', '""') + '"'


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# =========================================================================== stored names (from the guide)


_SPECIAL, _VSPECIAL = re.compile(r'[."=#]'), re.compile(r'["#]')


def _bare(part: str, special: re.Pattern[str]) -> bool:
    return bool(part) and part == part.strip() and not special.search(part)


def canon(table: str, column: str | None = None, value: str | None = None) -> str:
    """The stored name of a target as docs/guide.md ("Stored names") defines it."""
    low = table.lower()
    reserved = column is None and (low in ("rules", "kg_rules") or low.startswith("lnn_"))
    out = table if _bare(table, _SPECIAL) and not reserved else q(table)
    if column is None:
        return out
    out += "." + (column if _bare(column, _SPECIAL) else q(column))
    if value is None:
        return out
    return out + "=" + (value if _bare(value, _VSPECIAL) else q(value))


_OWNED = re.compile(r"#(r\d+|inv\d+)\Z")


def owner(name: str) -> str:
    """The target a stored object belongs to: ``t#inv1#r2`` -> ``t``."""
    while (m := _OWNED.search(name)) is not None:
        name = name[:m.start()]
    return name


# =========================================================================== reading a database


def sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None


def listing(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir())
    except OSError:
        return []


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


@dataclass
class Store:
    """What ruledisc keeps in its schemas: per owning target, its rule rows and its views
    (name, row count); views that fail to read; views whose owner's union view is gone."""

    groups: dict[tuple[str, str], Any]
    problems: list[str]

    def of(self, schema: str, target: str) -> Any:
        return self.groups.get((schema, target))


def read_store(db: Path, schemas: Iterable[str], write: bool = False) -> Store:
    """Every stored target in ``schemas``. ``write``: open read-write (replays a ``.wal`` a
    killed run left, as the next user would)."""
    con = duckdb.connect(str(db), read_only=not write)
    groups: dict[tuple[str, str], dict[str, list]] = {}
    problems: list[str] = []
    try:
        present = {r[0] for r in _rows(con, "SELECT schema_name FROM information_schema.schemata")}
        for schema in dict.fromkeys(schemas):
            if schema not in present:
                continue
            tables = {r[0]: r[1] for r in _rows(con, "SELECT table_name, table_type FROM information_schema.tables "
                                                     "WHERE table_schema = ?", [schema])}
            rule_rows: list[tuple[str, str]] = []
            if tables.get("rules") == "BASE TABLE":
                rule_rows += [(t, f"{n}: {txt}") for t, n, txt in _rows(
                    con, f"SELECT target, rule_no, rule_text FROM {q(schema)}.rules ORDER BY ALL")]
            if tables.get("kg_rules") == "BASE TABLE":
                # rules as data, keyed by the relation's own name (its stored name is canon(name))
                rule_rows += [(canon(t), f"kg {n}") for t, n in _rows(
                    con, f"SELECT target, count(*) FROM {q(schema)}.kg_rules GROUP BY target ORDER BY ALL")]
            views = sorted(n for n, kind in tables.items() if kind == "VIEW")
            for t, text in rule_rows:
                groups.setdefault((schema, owner(t)), {"rules": [], "views": []})["rules"].append((t, text))
            for v in views:
                try:
                    n = _rows(con, f"SELECT count(*) FROM {q(schema)}.{q(v)}")[0][0]
                except duckdb.Error as e:
                    n = "fails"
                    problems.append(f"view {schema}.{v} fails: {str(e).splitlines()[0][:120]}")
                groups.setdefault((schema, owner(v)), {"rules": [], "views": []})["views"].append((v, n))
                m = _OWNED.search(v)
                if m is not None and v[:m.start()] not in views:
                    problems.append(f"view {schema}.{v!r} has no union view {v[:m.start()]!r} (dangling)")
            targets_with_rules = {t for t, _ in rule_rows if not _OWNED.search(t)}
            missing = sorted(t for t in targets_with_rules if t not in views and tables.get(t) != "BASE TABLE")
            problems += [f"rules of {schema}.{t!r} have no union view" for t in missing]
    finally:
        con.close()
    frozen = {k: (tuple(sorted(v["rules"])), tuple(sorted(v["views"], key=str))) for k, v in groups.items()}
    return Store(frozen, problems)


def user_data(db: Path, exclude: Iterable[str]) -> dict[str, str]:
    """A hash of the rows of every table and view outside ruledisc's schemas."""
    skip = {s.lower() for s in exclude} | {"information_schema", "pg_catalog"}
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for schema, name in _rows(con, "SELECT table_schema, table_name FROM information_schema.tables "
                                       "WHERE table_catalog = current_database()"):
            if schema.lower() in skip:
                continue
            try:
                rows = _rows(con, f"SELECT * FROM {q(schema)}.{q(name)} ORDER BY ALL")
                out[f"{schema}.{name}"] = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
            except duckdb.Error as e:
                out[f"{schema}.{name}"] = f"fails: {str(e).splitlines()[0][:80]}"
        return out
    finally:
        con.close()


def db_count(db: Path, schema: str, name: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return _rows(con, f"SELECT count(*) FROM {q(schema)}.{q(name)}")[0][0]
    finally:
        con.close()


# =========================================================================== fixtures


WORLD = """
CREATE TABLE kind (id INTEGER PRIMARY KEY, k VARCHAR);
INSERT INTO kind SELECT i, ['a', 'b', 'c', 'd'][i % 4 + 1] FROM range(40) r(i);
CREATE TABLE t (id INTEGER PRIMARY KEY REFERENCES kind (id), inv1 BOOLEAN, r1 BOOLEAN, flag BOOLEAN,
  level VARCHAR, tag VARCHAR, n INTEGER, m INTEGER, o INTEGER);
INSERT INTO t SELECT id, k = 'a', k = 'b', k = 'c', CASE WHEN k = 'd' THEN 'Yes' ELSE 'yes' END,
  ['a#r1', 'b.c', 'x=y', 'd'][id % 4 + 1], id % 3, id % 3 + 2, id % 3 + 1 FROM kind;
CREATE TABLE t__flag (id INTEGER REFERENCES kind (id));
INSERT INTO t__flag SELECT id FROM kind WHERE k = 'd';
CREATE TABLE rules (id INTEGER REFERENCES kind (id));
INSERT INTO rules SELECT id FROM kind WHERE k = 'a';
CREATE TABLE kg_rules (id INTEGER REFERENCES kind (id));
INSERT INTO kg_rules SELECT id FROM kind WHERE k = 'b';
CREATE TABLE lnn_model (id INTEGER REFERENCES kind (id));
INSERT INTO lnn_model SELECT id FROM kind WHERE k = 'd';
CREATE TABLE "t#r1" (id INTEGER REFERENCES kind (id));
INSERT INTO "t#r1" SELECT id FROM kind WHERE k = 'c';
CREATE TABLE "a.b" (id INTEGER REFERENCES kind (id));
INSERT INTO "a.b" SELECT id FROM kind WHERE k = 'a';
CREATE TABLE "x=y" (id INTEGER PRIMARY KEY REFERENCES kind (id), "a.b" BOOLEAN);
INSERT INTO "x=y" SELECT id, k = 'b' FROM kind;
CREATE TABLE loose (id INTEGER, ok BOOLEAN);
INSERT INTO loose VALUES (1, TRUE), (NULL, FALSE), (3, FALSE), (NULL, TRUE);
"""

LEGACY = """
DROP TABLE t__flag;
CREATE SCHEMA ruledisc;
CREATE TABLE ruledisc.rules (run_id VARCHAR, target VARCHAR, rule_no INTEGER, rule_text VARCHAR, sql_text VARCHAR,
  weight DOUBLE, support BIGINT, confidence DOUBLE, head_coverage DOUBLE, precision DOUBLE, recall DOUBLE,
  created_at TIMESTAMP, head_columns VARCHAR, predicates VARCHAR, pca_confidence DOUBLE);
CREATE VIEW ruledisc.t__flag__r1 AS SELECT k.id AS id FROM main.kind AS k WHERE k.k = 'c';
CREATE VIEW ruledisc.t__flag AS SELECT id, 0.9 AS score FROM ruledisc.t__flag__r1;
INSERT INTO ruledisc.rules VALUES ('old', 't__flag', 1, 't__flag(X) :- kind.k(X, c).',
  'SELECT k.id AS id FROM main.kind AS k WHERE k.k = ''c''', 0.9, 10, 1.0, 1.0, 1.0, 1.0, now()::TIMESTAMP,
  '[{"name": "id", "type": "INTEGER"}]', '{"kind.k": {"table": "kind", "columns": ["id", "k"], "kind": "attribute"}}',
  1.0);
"""

CRASH_WORLD = """
CREATE TABLE kind (id INTEGER PRIMARY KEY, k VARCHAR);
INSERT INTO kind SELECT i, ['a', 'b', 'c', 'd'][i % 4 + 1] FROM range(40) r(i);
CREATE TABLE t (id INTEGER PRIMARY KEY REFERENCES kind (id), flag BOOLEAN, other BOOLEAN);
INSERT INTO t SELECT id, k = 'a', k = 'b' FROM kind;
"""
CRASH_RELABEL = "UPDATE t SET flag = id IN (SELECT id FROM kind WHERE k IN ('a', 'c'))"
CRASH_A = "t.flag"
CRASH_C_DL = "near(X) :- kind.k(X, d).\n"
CRASH_A_DL = "t.flag(X) :- kind.k(X, b).\nt.flag(X) :- kind.k(X, d).\n"

GM_RULE = "grandmother(X, Y) :- female(X), parent(X, Z), parent(Z, Y)."
VALID_JSON: dict[str, Any] = {
    "target": "grandmother",
    "head": "grandmother(X, Y)",
    "head_columns": [{"name": "grandmother", "type": "VARCHAR"}, {"name": "grandchild", "type": "VARCHAR"}],
    "rules": [
        {"text": GM_RULE, "sql": "", "weight": 0.98, "support": 474, "confidence": 1.0, "head_coverage": 1.0,
         "precision": 1.0, "recall": 1.0, "pca_confidence": 1.0},
        {"text": "grandmother(X, Y) :- mother(X, Z), parent(Z, Y).", "sql": "", "weight": 0.5, "support": 474,
         "confidence": 1.0, "head_coverage": 1.0, "precision": 1.0, "recall": 1.0, "pca_confidence": None},
    ],
    "invented": [],
    "metrics": {"precision": 1.0, "recall": 1.0, "f1": 1.0},
    "views": [],
    "timings": {"total_s": 0.9},
    "predicates": {
        "female": {"table": "female", "columns": ["name"], "kind": "relation"},
        "parent": {"table": "parent", "columns": ["parent", "child"], "kind": "relation"},
        "mother": {"table": "mother", "columns": ["mother", "child"], "kind": "relation"},
    },
    "run_id": "0123456789ab",
}
VALID_DL = """% grandparents, by hand
.decl grandmother(grandmother: VARCHAR, grandchild: VARCHAR)
grandmother(X, Y) :- female(X), parent(X, Z), parent(Z, Y).
gp(X, Y) :- parent(X, Z), parent(Z, Y), X != Y.
old_man(X) :- gp(X, Y), male(X).
"""
GP_DL = "grandparent(X, Y) :- parent(X, Z), parent(Z, Y).\n"

POPPER_BK = """parent(ann, bob). parent(bob, cid). parent(cid, dan). parent(ann, eve). parent(eve, fay).
female(ann). female(eve). female(fay). male(bob). male(cid). male(dan).
"""
POPPER_EXS = """pos(grandparent(ann, cid)). pos(grandparent(bob, dan)). pos(grandparent(ann, fay)).
neg(grandparent(ann, bob)). neg(grandparent(cid, ann)). neg(grandparent(bob, cid)).
"""
POPPER_BIAS = "head_pred(grandparent,2).\nbody_pred(parent,2).\n"


def nested(depth: int, open_: str = "f(", close: str = ")") -> str:
    return open_ * depth + "a" + close * depth


def graph_lines(relations: Iterable[str], n: int = 40) -> str:
    return "".join(f"e{i}\t{r}\te{i + 1}\n" for i in range(n) for r in relations)


class Fixtures:
    """Template databases and folders, each built once (on first use) and copied per case."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root, self.seed = root, seed
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._built: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._built:
                self._built[name] = getattr(self, f"_build_{name.replace('-', '_')}")()
            return self._built[name]

    def template(self, name: str) -> Path:
        return self.get(name) if name not in ("crash",) else self.get("crash")["db"]

    def _sql_db(self, name: str, sql: str) -> Path:
        path = self.root / "templates" / f"{name}.duckdb"
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
        try:
            con.execute(sql)
        finally:
            con.close()
        return path

    def _build_shop(self) -> Path:
        return self._sql_db("shop", (SAMPLES / "shop.sql").read_text())

    def _build_family(self) -> Path:
        return self._sql_db("family", (SAMPLES / "family.sql").read_text())

    def _build_business(self) -> Path:
        return self._sql_db("business", (SAMPLES / "business.sql").read_text())

    def _build_world(self) -> Path:
        return self._sql_db("world", WORLD)

    def _build_legacy(self) -> Path:
        return self._sql_db("legacy", WORLD + LEGACY)

    def _build_empty(self) -> Path:
        return self._sql_db("empty", "")

    def _build_graph(self) -> Path:
        """A graph imported by the console script: relations r, rules and kg_rules."""
        folder = self.root / "templates" / "graph-src"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "train.txt").write_text(graph_lines(("r", "rules", "kg_rules")))
        (folder / "test.txt").write_text("e1\tr\te2\ne5\trules\te6\n")
        path = self.root / "templates" / "graph.duckdb"
        _must([str(SCRIPT), "import-kg", str(folder), str(path), "--quiet"])
        return path

    def _build_mined(self) -> Path:
        """The world with t.flag, t.r1 and the table rules mined (a store to keep intact)."""
        path = self.root / "templates" / "mined.duckdb"
        shutil.copyfile(self.get("world"), path)
        for target in ("t.flag", "t.r1", "rules"):
            _must([str(SCRIPT), "mine", str(path), "--target", target, *WFAST])
        return path

    def _build_shop_mined(self) -> Path:
        path = self.root / "templates" / "shop_mined.duckdb"
        shutil.copyfile(self.get("shop"), path)
        _must([str(SCRIPT), "mine", str(path), "--target", "customers.plan=premium", *FAST])
        return path

    def _build_crash(self) -> dict[str, Any]:
        """The store of tests/test_crash.py: A = t.flag (rewritten), B = t.other, C = the .dl head
        ``near``; A's labels changed after, so a new run finds two rules. Also the state of a
        full, uninterrupted ``mine`` and ``apply`` of A, and how long each took."""
        base = self.root / "templates" / "crash"
        base.mkdir(parents=True, exist_ok=True)
        db = base / "crash.duckdb"
        con = duckdb.connect(str(db))
        con.execute(CRASH_WORLD)
        con.close()
        _must([str(SCRIPT), "mine", str(db), "--target", CRASH_A, *WFAST])
        _must([str(SCRIPT), "mine", str(db), "--target", "t.other", *WFAST])
        (base / "c.dl").write_text(CRASH_C_DL)
        _must([str(SCRIPT), "apply", str(base / "c.dl"), str(db)])
        con = duckdb.connect(str(db))
        con.execute(CRASH_RELABEL)
        con.close()
        out: dict[str, Any] = {"db": db, "old": read_store(db, ["ruledisc"]).groups,
                               "user": user_data(db, ["ruledisc"])}
        for kind in ("mine", "apply"):
            copy_ = base / f"full-{kind}.duckdb"
            shutil.copyfile(db, copy_)
            t0 = time.monotonic()
            _must(crash_command(kind, copy_))
            out[f"{kind}_s"] = time.monotonic() - t0
            out[kind] = read_store(copy_, ["ruledisc"]).groups[("ruledisc", CRASH_A)]
        return out


def crash_command(kind: str, db: Path) -> list[str]:
    if kind == "mine":
        return [str(SCRIPT), "mine", str(db), "--target", CRASH_A, *WFAST]
    dl = db.with_suffix(".dl")
    dl.write_text(CRASH_A_DL)
    return [str(SCRIPT), "apply", str(dl), str(db)]


def _must(cmd: list[str]) -> None:
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, env=ENV)
    if p.returncode != 0:
        raise RuntimeError(f"fixture step failed: {shlex.join(cmd)}: {p.stderr.strip()[:300]}")


ENV = {**os.environ, "COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1"}


# =========================================================================== odd worlds


TOKENS = ["a", "B", "z9", "'", '"', '""', ";", ".", "=", "#", "\n", "\t", " ", "_", "-", "(", ")",
          "é", "e\u0301", "🙂", "ß", "Ω", "日本", "select", "DROP", "table", "from", "where", "null", "--", "/*",
          "*/", "%", "\\", "$1", "?", "'; drop table x; --", "#r1", "#inv1", "__r1"]
WHOLE = ["score", "conf", "id", "rowid", "rules", "kg_rules", "lnn_x", "main", "ruledisc", "select", "X",
         "target", "a.b", "x=y", "t#r1", "t#inv1", '"', "Rules", "information_schema"]


@dataclass(frozen=True)
class OddWorld:
    """K(key PK, k) with 4 values; T(key PK FK K, flag, cat) with flag = (k = ks[0]) and
    cat = cats[i]; P(key FK K) holding the keys with k = ks[0]: the planted rule is
    ``P(X) :- K.k(X, ks[0])`` (and the same for T.flag and T.cat=cats[0])."""

    k_table: str
    t_table: str
    p_table: str
    key: str
    k_col: str
    flag: str
    cat: str
    ks: tuple[str, str, str, str]
    cats: tuple[str, str, str, str]
    rows: int = 24

    @property
    def planted(self) -> int:
        return len([i for i in range(self.rows) if i % 4 == 0])

    def spec(self, kind: str) -> str:
        return {"table": canon(self.p_table), "column": canon(self.t_table, self.flag),
                "value": canon(self.t_table, self.cat, self.cats[0])}[kind]

    def background(self) -> tuple[str, ...]:
        if "," in self.k_table or self.k_table != self.k_table.strip():
            return ()
        return ("--background", self.k_table)

    def build(self, path: Path) -> None:
        con = duckdb.connect(str(path))
        try:
            con.execute(f"CREATE TABLE {q(self.k_table)} ({q(self.key)} INTEGER PRIMARY KEY, {q(self.k_col)} VARCHAR)")
            con.executemany(f"INSERT INTO {q(self.k_table)} VALUES (?, ?)",
                            [[i, self.ks[i % 4]] for i in range(self.rows)])
            con.execute(f"CREATE TABLE {q(self.t_table)} ({q(self.key)} INTEGER PRIMARY KEY REFERENCES "
                        f"{q(self.k_table)} ({q(self.key)}), {q(self.flag)} BOOLEAN, {q(self.cat)} VARCHAR)")
            con.executemany(f"INSERT INTO {q(self.t_table)} VALUES (?, ?, ?)",
                            [[i, i % 4 == 0, self.cats[i % 4]] for i in range(self.rows)])
            con.execute(f"CREATE TABLE {q(self.p_table)} ({q(self.key)} INTEGER REFERENCES "
                        f"{q(self.k_table)} ({q(self.key)}))")
            con.executemany(f"INSERT INTO {q(self.p_table)} VALUES (?)", [[i] for i in range(self.rows) if i % 4 == 0])
        finally:
            con.close()


FIXED_WORLDS: dict[str, OddWorld] = {
    "quotes": OddWorld("k'k", "o'brien", 'p"q', "id'", 'k"', 'fl"ag', "c'", ("it's", 'say "hi"', "b", "c"),
                       ("it's", '"', "''", "c")),
    "semicolons": OddWorld("k; DROP TABLE x", "t; DROP TABLE kk; --", "p;", "id;", "k;--", "x;y", "c;",
                           ("'; DROP TABLE kk; --", "b", "c", ";"), ("a';--", "b", "c", "d")),
    "unicode": OddWorld("日本", "Ω", "🙂", "ключ", "é", "e\u0301", "ß", ("ä", "a\u0308", "日", "🙂"),
                        ("日本", "Ω", "c", "\u2028")),
    "keywords": OddWorld("select", "from", "where", "order", "group", "null", "table",
                         ("null", "NULL", "select", "true"), ("true", "false", "null", "1")),
    "dots": OddWorld("k.k", "a.b", "p.q.r", "i.d", "c.d", "f.l.ag", "v.w", ("a.b", "b", "c", "d"),
                     ("v.w", "x.y", "c", "d")),
    "equals": OddWorld("k=k", "x=y", "p=", "i=d", "=", "p=q", "c=v", ("a=b", "=", "c", "d"),
                       ("=", "a=b", "c", "d")),
    "hash": OddWorld("k#r1", "h#r1", "p#inv1", "id#", "#k", "inv#1", "c#r2", ("#inv1", "b", "c", "d"),
                     ("#r1", "x#y", "c", "d")),
    "newlines": OddWorld("k\nk", "new\nline", "p\tq", "i\nd", "k\r\n", "tab\tcol", "c\n",
                         ("line\nbreak", "b", "c", "d"), ("a\nb", "\t", "c", "d")),
    "blanks": OddWorld(" k", "trail ", " p ", " id", "k ", " flag", "c ", (" ", "b", "c", "d"),
                       (" a ", "", "c", "d")),
    "dunder": OddWorld("__kk", "__t", "__p", "__id", "__k", "__flag", "__cat", ("a", "b", "c", "d"),
                       ("a", "b", "c", "d")),
    "reserved": OddWorld("rules", "kg_rules", "lnn_p", "score", "conf", "rowid", "target",
                         ("rules", "b", "c", "d"), ("score", "b", "c", "d")),
}


def random_world(rng: random.Random) -> OddWorld:
    def ident() -> str:
        r = rng.random()
        if r < 0.2:
            return rng.choice(WHOLE)
        return "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 4)))

    while True:
        names = [ident() for _ in range(7)]
        if len({n.casefold() for n in names}) == 7 and all(n.strip("\0") for n in names):
            break
    ks = tuple(dict.fromkeys(ident() for _ in range(12)))[:4]
    cats = tuple(dict.fromkeys([rng.choice(["", *TOKENS])] + [ident() for _ in range(12)]))[:4]
    if len(ks) < 4 or len(cats) < 4:
        return random_world(rng)
    return OddWorld(*names, ks, cats)   # type: ignore[arg-type]


# =========================================================================== post-conditions


Post = Callable[[Ctx, Run], "str | None"]


def all_of(*posts: Post | None) -> Post:
    def go(c: Ctx, r: Run) -> str | None:
        for p in posts:
            if p is not None and (why := p(c, r)) is not None:
                return why
        return None
    return go


def out_has(*texts: str) -> Post:
    def go(c: Ctx, r: Run) -> str | None:
        missing = [t for t in texts if c.sub(t) not in r.stdout]
        return f"stdout lacks {missing[0]!r}: {r.stdout[:160]!r}" if missing else None
    return go


def json_out(check: Callable[[Any], str | None]) -> Post:
    def go(c: Ctx, r: Run) -> str | None:
        try:
            doc = json.loads(r.stdout)
        except ValueError as e:
            return f"stdout is not JSON ({e}): {r.stdout[:120]!r}"
        return check(doc)
    return go


def stored(name: str, *, schema: str = "ruledisc", rules: int | None = None, min_rules: int = 0,
           view_rows: int | None = None) -> Post:
    """The target is stored under ``name``: its union view (with ``view_rows`` rows), one
    view per rule, ``rules`` (or at least ``min_rules``) rule rows."""
    def go(c: Ctx, r: Run) -> str | None:
        st = read_store(c.db, [schema])
        g = st.of(schema, name)
        if g is None:
            names = sorted(t for s, t in st.groups if s == schema)
            return f"nothing stored under {name!r} in {schema!r} (stored: {names})"
        rule_rows, views = g
        graph = any(text.startswith("kg ") for _, text in rule_rows)
        main = [x for x in rule_rows if x[0] == name and not x[1].startswith("kg ")]
        if rules is not None and len(main) != rules:
            return f"{name!r}: {len(main)} rules stored, expected {rules}: {main}"
        if len(main) < min_rules:
            return f"{name!r}: {len(main)} rules stored, expected at least {min_rules}"
        vnames = {v for v, _ in views}
        if name not in vnames:
            return f"{name!r}: no union view (views: {sorted(vnames)})"
        if not graph:   # a graph relation has views for the best rules only
            want = {f"{name}#r{k}" for k in range(1, len(main) + 1)}
            if not want <= vnames:
                return f"{name!r}: rule views {sorted(want - vnames)} missing"
        if view_rows is not None:
            got = dict(views)[name]
            if got != view_rows:
                return f"{name!r}: union view holds {got} rows, expected {view_rows}"
        return None
    return go


def not_stored(*names: str, schema: str = "ruledisc") -> Post:
    def go(c: Ctx, r: Run) -> str | None:
        st = read_store(c.db, [schema])
        bad = [n for n in names if st.of(schema, n) is not None]
        return f"stored under {bad}" if bad else None
    return go


def ran_within(seconds: float) -> Post:
    def go(c: Ctx, r: Run) -> str | None:
        return f"took {r.seconds:.1f}s (the check must come before the work; limit {seconds}s)" \
            if r.seconds > seconds else None
    return go


def no_file(*names: str) -> Post:
    def go(c: Ctx, r: Run) -> str | None:
        left = [n for n in names if Path(c.sub(n)).exists()]
        return f"left behind: {left}" if left else None
    return go


def one_line_usage(c: Ctx, r: Run) -> str | None:
    """typer's errors: no boxed panel, no usage text, nothing on stdout."""
    if "╭" in r.stderr or "Usage:" in r.stderr:
        return "boxed panel / usage text on stderr"
    if r.stdout.strip():
        return f"stdout not empty: {r.stdout[:80]!r}"
    return None


# =========================================================================== running one case


def run_cli(c: Ctx, args: Iterable[str], timeout: float, prefix: tuple[str, ...] = ()) -> Run:
    cmd = [*prefix, str(SCRIPT), *[c.sub(a) for a in args]]
    shown = shlex.join(["ruledisc", *cmd[len(prefix) + 1:]])
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, cwd=c.dir, timeout=timeout, stdin=subprocess.DEVNULL,
                           env=_env_for(prefix, c))
    except subprocess.TimeoutExpired as e:
        return Run(None, _text(e.stdout), _text(e.stderr), time.monotonic() - t0, shown, timed_out=True)
    return Run(p.returncode, _text(p.stdout), _text(p.stderr), time.monotonic() - t0, shown)


def _env_for(prefix: tuple[str, ...], c: Ctx) -> dict[str, str]:
    if not prefix:
        return ENV
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(c.dir), "LANG": "C.UTF-8",
            "COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1"}


def _text(b: bytes | str | None) -> str:
    if b is None:
        return ""
    return b if isinstance(b, str) else b.decode("utf-8", errors="replace")


def run_api(c: Ctx, call: Callable[[Ctx], Any], timeout: float) -> Run:
    box: dict[str, Any] = {}

    def go() -> None:
        try:
            box["value"] = call(c)
        except BaseException as e:   # noqa: BLE001 - every outcome is recorded
            box["error"] = e

    t0 = time.monotonic()
    th = threading.Thread(target=go, daemon=True)
    th.start()
    th.join(timeout)
    took = time.monotonic() - t0
    shown = f"api: {c.case.about or c.case.name}"
    if th.is_alive():
        return Run(None, "", "", took, shown, timed_out=True)
    e = box.get("error")
    return Run(0 if e is None else 1, "", f"{type(e).__name__}: {e}" if e else "", took, shown, error=e,
               value=box.get("value"))


def run_signal(c: Ctx, cmd: list[str], sig: int, delay: float | None, after_wal: float | None,
               after_line: str | None = None) -> Run:
    """Start ``cmd``; send ``sig`` ``delay`` s after the start, ``after_wal`` s after
    ``<db>.wal`` first appears, or ``delay`` s after a stdout line starting ``after_line``.
    A run that ends first is left to end."""
    wal = Path(str(c.db) + ".wal")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=c.dir, env=ENV,
                         stdin=subprocess.DEVNULL)
    sent = None
    head = b""
    try:
        if after_line is not None and p.stdout is not None:
            for raw in p.stdout:
                head += raw
                if raw.decode("utf-8", "replace").startswith(after_line):
                    time.sleep(delay or 0.0)
                    break
            delay = 0.0
        while p.poll() is None:
            if delay is not None and time.monotonic() - t0 >= delay:
                break
            if after_wal is not None and wal.exists():
                time.sleep(after_wal)
                break
            if time.monotonic() - t0 > 120:
                break
            time.sleep(0.0005)
        if p.poll() is None:
            p.send_signal(sig)
            sent = time.monotonic() - t0
        out, errs = p.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        out, errs = p.communicate()
        return Run(None, _text(out), _text(errs), time.monotonic() - t0, shlex.join(cmd), timed_out=True)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    c.data["sent_at"] = sent
    out = head + (out or b"")
    name = signal.Signals(sig).name
    when = f"{delay:.3f}s" if delay is not None else f".wal+{(after_wal or 0) * 1000:g}ms"
    if after_line is not None:
        when = f"{c.case.delay or 0:.3f}s after the line {after_line!r}"
    shown = f"{name} at {when}" + (f" (sent {sent:.3f}s)" if sent is not None else " (finished first)")
    return Run(p.returncode, _text(out), _text(errs), time.monotonic() - t0,
               f"{shlex.join(['ruledisc', *cmd[1:]])}  # {shown}")


@dataclass
class Outcome:
    case: Case
    run: Run | None
    clean: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        r = self.run
        first = r.stderr.splitlines()[0] if r and r.stderr.splitlines() else ""
        return {"name": self.case.name, "category": self.case.category,
                "command": r.command if r else shlex.join(["ruledisc", *self.case.args]),
                "expected": self.case.expected(), "exit_code": r.code if r else None,
                "stderr_first_line": first[:500], "clean": self.clean, "reason": self.reason,
                "seconds": round(r.seconds, 2) if r else None, "quick": self.case.quick}


def run_case(case: Case, fx: Fixtures, root: Path, seed: int, index: int) -> Outcome:
    slug = re.sub(r"[^\w.-]+", "_", case.name)[:60]
    c = Ctx(case, root / f"{index:03d}-{slug}", fx, random.Random(f"{seed}:{case.name}"))
    c.dir.mkdir(parents=True)
    c.vars["dir"] = str(c.dir)
    dbdir = c.dir / "db"
    dbdir.mkdir()
    run: Run | None = None
    try:
        if case.fixture:
            src = fx.template(case.fixture)
            db = dbdir / ("crash.duckdb" if case.fixture == "crash" else f"{case.fixture}.duckdb")
            shutil.copyfile(src, db)
            c.vars["db"] = str(db)
        if case.setup:
            case.setup(c)
        for step in case.pre:
            if callable(step):
                step(c)
                continue
            r = run_cli(c, step, case.timeout)
            if r.code != 0:
                first = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
                return Outcome(case, r, False, f"pre-step failed (exit {r.code}): {r.command}: {first[:200]}")
        return _execute(c)
    except Exception as e:  # noqa: BLE001 - a broken case is reported, the campaign goes on
        tb = traceback.format_exc(limit=3).strip().splitlines()
        return Outcome(case, run, False, f"campaign error: {type(e).__name__}: {e} [{tb[-1][:120]}]")
    finally:
        for p in c.procs:
            if p.poll() is None:
                p.kill()
            p.wait()


def _watch_paths(c: Ctx) -> list[Path]:
    case = c.case
    names = case.watch if case.watch is not None else (("{db}",) if case.fixture else ())
    return [Path(c.sub(n)) for n in names]


def _snap(paths: list[Path]) -> list[tuple[str | None, list[str]]]:
    return [(sha256(p), listing(p.parent)) for p in paths]


def _unchanged(paths: list[Path], before: list, after: list) -> str | None:
    for p, (h0, l0), (h1, l1) in zip(paths, before, after):
        if h0 != h1:
            return f"{p.name}: bytes changed" if h0 and h1 else f"{p.name}: {'created' if h1 else 'removed'}"
        if l0 != l1:
            added, gone = sorted(set(l1) - set(l0)), sorted(set(l0) - set(l1))
            return f"folder of {p.name} changed: +{added} -{gone}"
    return None


def _execute(c: Ctx) -> Outcome:
    case = c.case
    paths = _watch_paths(c)
    before = _snap(paths)
    has_db = "db" in c.vars and c.db.is_file() and case.expect in (Expect.OK, Expect.EITHER)
    if has_db:
        c.data["store"] = read_store(c.db, case.schemas)
        c.data["user"] = user_data(c.db, case.schemas)
    if case.runner == "api":
        run = run_api(c, case.api, case.timeout)   # type: ignore[arg-type]
        return Outcome(case, run, *judge_api(c, run, paths, before))
    if case.runner in ("signal", "kill"):
        return _execute_signal(c)
    run = run_cli(c, case.args, case.timeout, case.prefix)
    after = _snap(paths)
    return Outcome(case, run, *judge_cli(c, run, paths, before, after))


# =========================================================================== judging


def _error_line_problems(c: Ctx, r: Run) -> list[str]:
    case = c.case
    why = []
    lines = r.stderr.splitlines()
    if len(lines) != 1:
        why.append(f"{len(lines)} stderr lines")
    first = lines[0] if lines else ""
    if lines and not first.startswith("error: "):
        why.append("stderr does not start with 'error: '")
    if "internal error" in r.stderr.lower() or "please report" in r.stderr.lower() or r.code == INTERNAL:
        why.append("internal error")
    low = first.lower()
    missing = [f for f in case.frags if c.sub(f).lower() not in low]
    if missing and lines:
        why.append(f"message lacks {missing[0]!r}")
    return why


def _post(c: Ctx, r: Run) -> str | None:
    if c.case.post is None:
        return None
    try:
        return c.case.post(c, r)
    except Exception as e:  # noqa: BLE001
        return f"post-condition could not be checked: {type(e).__name__}: {str(e)[:160]}"


def _store_intact(c: Ctx) -> str | None:
    """After an OK run: no broken or dangling views, the user's tables as they were, and
    every target other than the case's own exactly as before."""
    case = c.case
    if "store" not in c.data or not c.db.is_file():
        return None
    after = read_store(c.db, case.schemas)
    if after.problems:
        return after.problems[0]
    user = user_data(c.db, case.schemas)
    changed = sorted(k for k in set(user) | set(c.data["user"]) if user.get(k) != c.data["user"].get(k))
    if changed:
        return f"user table(s) changed: {changed[:3]}"
    mine = {case.target} if isinstance(case.target, str) else set(case.target or ())
    before: dict = c.data["store"].groups
    for key in sorted(set(before) | set(after.groups), key=str):
        if key[1] in mine or (case.target == "*" and key not in before):
            continue
        if before.get(key) != after.groups.get(key):
            return f"target {key[1]!r} in {key[0]!r} changed: {before.get(key)} -> {after.groups.get(key)}"
    return None


def judge_cli(c: Ctx, r: Run, paths: list[Path], before: list, after: list) -> tuple[bool, str]:
    case = c.case
    if r.timed_out:
        return False, f"timed out after {r.seconds:.0f}s"
    tb = "Traceback" in r.stderr or "Traceback" in r.stdout
    want_ok = case.expect == Expect.OK or (case.expect == Expect.EITHER and r.code == 0)
    if case.expect == Expect.DEBUG:
        why = []
        if r.code not in case.code:
            why.append(f"exit {r.code}, expected {case.code}")
        if case.traceback and not tb:
            why.append("no traceback under --debug")
        lines = r.stderr.strip().splitlines()
        last = lines[-1] if lines else ""
        if not last.startswith("error: "):
            why.append("last stderr line is not 'error: ...'")
        if "internal error" in last.lower():
            why.append("internal error")
        missing = [f for f in case.frags if c.sub(f).lower() not in last.lower()]
        if missing:
            why.append(f"message lacks {missing[0]!r}")
        if (u := _unchanged(paths, before, after)) is not None:
            why.append(u)
        return not why, "; ".join(why) or "traceback, then one error line"
    if want_ok:
        why = []
        if r.code != 0:
            first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
            return False, f"exit {r.code}: {first[:200]}"
        if tb:
            why.append("traceback on exit 0")
        if any(line.startswith("error:") for line in r.stderr.splitlines()):
            why.append("an error: line on exit 0")
        writes = case.writes if case.writes is not None else case.target is not None
        if not writes and (u := _unchanged(paths, before, after)) is not None:
            why.append(f"a command that must not write changed the file: {u}")
        if not why and (s := _store_intact(c)) is not None:
            why.append(s)
        if not why and (p := _post(c, r)) is not None:
            why.append(p)
        return not why, "; ".join(why) or "ok"
    # an error is due
    why = []
    if r.code == 0:
        return False, "exit 0: accepted silently (an error was due)" + \
            (f"; {u}" if (u := _unchanged(paths, before, after)) else "")
    if case.expect == Expect.ERROR and r.code not in case.code:
        why.append(f"exit {r.code}, expected {'/'.join(map(str, case.code))}")
    elif case.expect == Expect.EITHER and r.code not in (USAGE, DATA):
        why.append(f"exit {r.code}")
    if tb:
        why.append("traceback")
    why += _error_line_problems(c, r)
    if (u := _unchanged(paths, before, after)) is not None:
        why.append(u)
    if not why and (p := _post(c, r)) is not None:
        why.append(p)
    return not why, "; ".join(why) or "clean error"


def judge_api(c: Ctx, r: Run, paths: list[Path], before: list) -> tuple[bool, str]:
    case = c.case
    if r.timed_out:
        return False, f"call did not return within {case.timeout:.0f}s"
    after = _snap(paths)
    import ruledisc
    e = r.error
    if case.expect == Expect.OK:
        if e is not None:
            return False, f"raised {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
        why = [w for w in (_store_intact(c), _post(c, r)) if w]
        return not why, "; ".join(why) or "ok"
    if e is None:
        return False, f"returned {type(r.value).__name__} without an error" + \
            (f"; {u}" if (u := _unchanged(paths, before, after)) else "")
    why = []
    if not isinstance(e, ruledisc.RulediscError):
        why.append(f"raw {type(e).__name__}, not a RulediscError")
    elif isinstance(e, ruledisc.InternalError) and case.raises != "InternalError":
        why.append("InternalError")
    elif case.raises and case.raises not in [k.__name__ for k in type(e).__mro__]:
        why.append(f"{type(e).__name__}, expected {case.raises}")
    msg = str(e)
    if "\n" in msg.strip():
        why.append("message spans several lines")
    missing = [f for f in case.frags if f.lower() not in msg.lower()]
    if missing:
        why.append(f"message lacks {missing[0]!r}")
    if (u := _unchanged(paths, before, after)) is not None:
        why.append(u)
    return not why, "; ".join(why) or f"{type(e).__name__}"


def _execute_signal(c: Ctx) -> Outcome:
    """A signal or kill -9 to ``mine``/``apply`` of target A of the crash store."""
    case = c.case
    crash = c.fx.get("crash")
    kind = case.args[0]
    cmd = crash_command(kind, c.db)
    before_bytes, before_list = sha256(c.db), listing(c.db.parent)
    if case.runner == "kill":
        r = run_signal(c, cmd, signal.SIGKILL, case.delay, case.after_wal)
    else:
        r = run_signal(c, cmd, case.sig, case.delay, case.after_wal, case.after_line)
    if r.timed_out:
        return Outcome(case, r, False, "timed out")
    after_bytes, after_list = sha256(c.db), listing(c.db.parent)
    why: list[str] = []
    if "Traceback" in r.stderr or "Traceback" in r.stdout:
        why.append("traceback")
    try:
        state, problem = crash_state(c, crash, kind)
    except Exception as e:  # noqa: BLE001
        return Outcome(case, r, False, f"the database does not open after the run: {type(e).__name__}: {e}")
    if problem:
        why.append(problem)
    finished = r.code == 0
    lines = r.stderr.splitlines()
    if finished:
        if state != "new":
            why.append(f"exit 0 but target A is {state}")
    elif case.runner == "kill":
        if r.code != -signal.SIGKILL:
            why.append(f"exit {r.code}")
    elif case.sig == signal.SIGINT:
        if r.code != INTERRUPT_EXIT:
            why.append(f"exit {r.code}, expected 130")
        if lines not in ([INTERRUPTED_LINE], [STORED_LINE]):
            why.append(f"stderr is not one interrupt line: {r.stderr[:120]!r}")
        if state == "old" and (before_bytes != after_bytes or before_list != after_list):
            why.append("target old but the file or its folder changed: "
                       + ("bytes" if before_bytes != after_bytes else f"{before_list} -> {after_list}"))
        if state == "new" and lines == [INTERRUPTED_LINE]:
            why.append("exit 130 says 'the database is unchanged' but the new rules were committed")
        if state == "old" and lines == [STORED_LINE]:
            why.append("exit 130 says the rules were stored but the old rules are there")
    else:
        if r.code not in (-case.sig, 128 + case.sig, INTERRUPT_EXIT):
            why.append(f"exit {r.code}")
        if len(lines) > 1:
            why.append(f"{len(lines)} stderr lines")
    if case.post is not None and not why:
        if (p := _post(c, r)) is not None:
            why.append(p)
    ended = "finished" if finished else "killed" if case.runner == "kill" else "signalled"
    return Outcome(case, r, not why, "; ".join(why) or f"{ended}, target A {state}")


def crash_state(c: Ctx, crash: dict[str, Any], kind: str) -> tuple[str, str | None]:
    """``old``/``new``/``mixed`` for target A after the run, and the first problem found."""
    st = read_store(c.db, ["ruledisc"], write=True)
    if st.problems:
        return "broken", st.problems[0]
    a = st.groups.get(("ruledisc", CRASH_A))
    old, new = crash["old"][("ruledisc", CRASH_A)], crash[kind]
    state = "old" if a == old else "new" if a == new else "mixed"
    others = {k: v for k, v in st.groups.items() if k[1] != CRASH_A}
    old_others = {k: v for k, v in crash["old"].items() if k[1] != CRASH_A}
    if others != old_others:
        return state, f"another target changed: {sorted(set(others.items()) ^ set(old_others.items()))[:2]}"
    if state == "mixed":
        return state, f"target A is neither old nor new: {a}"
    if user_data(c.db, ["ruledisc"]) != crash["user"]:
        return state, "user tables changed"
    return state, None


# =========================================================================== catalogue: rules lost


def _copy_db(name: str, var: str, fixture: str | None = None) -> Callable[[Ctx], None]:
    """A second copy of the case's database (or of a template) at ``{dir}/<name>``."""
    def go(c: Ctx) -> None:
        dst = c.dir / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(c.fx.template(fixture) if fixture else c.db, dst)
        c.vars[var] = str(dst)
    return go


_EXT = re.compile(r"_(pl|b|f|n|txt|csv|sql|dl|json|duckdb|parquet)$")


def rel_path(key: str) -> str:
    """A keyword's file: ``db__data__t_csv`` -> ``db/data/t.csv``, ``gp_dl`` -> ``gp.dl``."""
    return _EXT.sub(r".\1", key.replace("__", "/"))


def _files(**files: str | bytes) -> Callable[[Ctx], None]:
    """Write files into the case folder (see :func:`rel_path`); each path is also the
    variable named like the keyword (``{gp_dl}``)."""
    def go(c: Ctx) -> None:
        for key, content in files.items():
            c.write(rel_path(key), content, var=key)
    return go


def _sql(sql: str) -> Callable[[Ctx], None]:
    def go(c: Ctx) -> None:
        con = duckdb.connect(str(c.db))
        try:
            con.execute(sql)
        finally:
            con.close()
    return go


def cases_lost() -> list[Case]:
    L = "lost"
    W = dict(fixture="world")
    mine = lambda t, *extra: ("mine", "{db}", "--target", t, *WFAST, *extra)  # noqa: E731
    cs = [
        ok("table-t-keeps-column-targets-t.inv1-t.r1", L, mine("t"), **W, pre=(mine("t.inv1"), mine("t.r1")),
           target="t", post=stored("t"), quick=True,
           about="mining table t must not touch column targets t.inv1 / t.r1 (their old names matched t's)"),
        ok("dl-head-t-keeps-column-targets", L, ("apply", "{t_dl}", "{db}"), **W,
           setup=_files(t_dl="t(X, A, B, C) :- t.inv1(X, A), t.r1(X, B), t.flag(X, C).\n"),
           pre=(mine("t.inv1"), mine("t.r1")), target="t", post=stored("t", rules=1, view_rows=40)),
        ok("column-t.inv1-after-table-t", L, mine("t.inv1"), **W, pre=(mine("t"), mine("t.r1")), target="t.inv1",
           post=stored("t.inv1", rules=1, view_rows=10)),
        ok("t__flag-then-t.flag-stored-apart", L, mine("t.flag"), **W, pre=(mine("t__flag"),), target="t.flag",
           post=all_of(stored("t.flag", rules=1, view_rows=10), stored("t__flag", rules=1, view_rows=10)),
           quick=True),
        ok("t.flag-then-t__flag-stored-apart", L, mine("t__flag"), **W, pre=(mine("t.flag"),), target="t__flag",
           post=all_of(stored("t__flag", rules=1, view_rows=10), stored("t.flag", rules=1, view_rows=10))),
        ok("rules-target-t.flag-only-its-rows", L, ("rules", "{db}", "--target", "t.flag", "--json"), **W,
           pre=(mine("t.flag"), mine("t__flag")),
           post=json_out(lambda d: None if [x["target"] for x in d] == ["t.flag"] else f"rows: {d}")),
        ok("user-table-rules-as-target", L, mine("rules"), **W, target='"rules"',
           post=stored('"rules"', rules=1, view_rows=10), quick=True),
        ok("user-table-rules-eval", L, ("eval", "{db}", "--target", "rules"), **W, pre=(mine("rules"),),
           post=out_has("f1 1.0000")),
        ok("user-table-kg_rules-as-target", L, mine("kg_rules"), **W, target='"kg_rules"',
           post=stored('"kg_rules"', rules=1, view_rows=10)),
        ok("user-table-lnn_model-as-target", L, mine("lnn_model"), **W, target='"lnn_model"',
           post=stored('"lnn_model"', rules=1, view_rows=10)),
        ok("table-rules-then-t.flag-keeps-it", L, mine("t.flag"), **W, pre=(mine("rules"),), target="t.flag",
           post=stored('"rules"', rules=1)),
        ok("dl-head-named-rules", L, ("apply", "{r_dl}", "{db}"), fixture="family",
           setup=_files(r_dl="rules(X) :- female(X).\n"), target='"rules"', post=stored('"rules"', rules=1)),
        ok("dl-head-named-kg_rules", L, ("apply", "{r_dl}", "{db}"), fixture="family",
           setup=_files(r_dl="kg_rules(X, Y) :- parent(X, Y).\n"), target='"kg_rules"',
           post=stored('"kg_rules"', rules=1)),
        ok("dl-head-named-lnn_x-and-Rules", L, ("apply", "{r_dl}", "{db}"), fixture="family",
           setup=_files(r_dl="lnn_x(X) :- male(X).\nRules(X) :- female(X).\n"), target=('"lnn_x"', '"Rules"'),
           post=all_of(stored('"lnn_x"', rules=1), stored('"Rules"', rules=1))),
        ok("graph-relations-rules-kg_rules", L, ("mine", "{db}", "--all-relations", "--max-body", "1", "--quiet"),
           fixture="graph", target=("r", '"rules"', '"kg_rules"'),
           post=all_of(stored('"rules"', view_rows=40), stored('"kg_rules"', view_rows=40), stored("r")), quick=True),
        ok("graph-rank-eval-after-reserved-names", L, ("eval", "{db}", "--ranking", "--train-queries", "10"),
           fixture="graph", pre=(("mine", "{db}", "--all-relations", "--max-body", "1", "--quiet"),),
           post=out_has("MRR")),
        ok("table-t#r1-kept-when-mining-t", L, mine("t"), **W, pre=(mine('"t#r1"'),), target="t",
           post=stored('"t#r1"', rules=1, view_rows=10)),
        ok("table-t#r1-after-t", L, mine('"t#r1"'), **W, pre=(mine("t"), mine("t.r1")), target='"t#r1"',
           post=stored('"t#r1"', rules=1, view_rows=10)),
        ok("values-with-#-.-=-stored-apart", L, mine("t.tag=x=y"), **W,
           pre=(mine("t.tag=a#r1"), mine("t.tag=b.c")), target="t.tag=x=y",
           post=all_of(stored("t.tag=x=y", rules=1, view_rows=10), stored('t.tag="a#r1"', rules=1, view_rows=10),
                       stored("t.tag=b.c", rules=1, view_rows=10))),
        ok("value-a#r1-quoted-spelling", L, mine('t.tag="a#r1"'), **W, target='t.tag="a#r1"',
           post=stored('t.tag="a#r1"', rules=1, view_rows=10)),
        ok("mine-again-replaces-only-own", L, mine("t.flag"), fixture="mined", target="t.flag",
           post=stored("t.flag", rules=1, view_rows=10)),
        ok("mine-other-keeps-mined-store", L, mine("t.inv1"), fixture="mined", target="t.inv1",
           post=stored("t.inv1", rules=1, view_rows=10)),
        ok("invented-predicates-kept", L, ("mine", "{db}", "--target", "grandparent", *FAST), fixture="family",
           pre=(("mine", "{db}", "--target", "grandmother", *FAST),), target="grandparent",
           post=stored("grandmother", min_rules=1)),
        err("case-differing-values-refused", L, mine("t.level=yes"), DATA, "t.level=Yes", **W,
            pre=(mine("t.level=Yes"),)),
        ok("legacy-store-eval-reads-it", L, ("eval", "{db}", "--target", "t.flag"), fixture="legacy",
           post=out_has("f1 1.0000")),
        ok("legacy-store-migrated-on-write", L, mine("t.r1"), fixture="legacy", target=("t.r1", "t__flag", "t__flag__r1", "t.flag"),
           post=all_of(stored("t.flag", rules=1, view_rows=10), not_stored("t__flag"), stored("t.r1", rules=1))),
        ok("legacy-rules-target-old-spelling", L, ("rules", "{db}", "--target", "t.flag", "--json"), fixture="legacy",
           post=json_out(lambda d: None if len(d) == 1 else f"{len(d)} rows")),
        ok("second-schema-keeps-default", L, mine("t.flag", "--schema", "alt"), fixture="mined",
           schemas=("ruledisc", "alt"), target="t.flag", post=stored("t.flag", schema="alt", rules=1)),
        ok("apply-json-into-store-keeps-others", L, ("apply", "{dir}/flag.json", "{db}"), fixture="mined",
           setup=lambda c: _must([str(SCRIPT), "mine", str(c.db), "--target", "t.inv1", *WFAST,
                                  "--dry-run", "--out", str(c.dir / "flag.json")]),
           target="t.inv1", post=stored("t.inv1", rules=1, view_rows=10)),
        ok("dry-run-writes-nothing", L, mine("t.inv1", "--dry-run"), fixture="mined", writes=False),
        # --out unusable: must fail before the database changes
        err("out-dev-full", L, mine("t.flag", "--out", "/dev/full"), (USAGE, DATA), "--out", **W, quick=True,
            about="--out a file that accepts the open but not the write: the DB must not change first"),
        err("out-is-a-folder", L, mine("t.flag", "--out", "{dir}"), USAGE, "--out", **W, quick=True),
        err("out-missing-folder", L, mine("t.flag", "--out", "{dir}/no/such/x.json"), USAGE, "--out", **W),
        err("out-parent-is-a-file", L, mine("t.flag", "--out", "{db}/x.json"), USAGE, "--out", **W),
        err("out-is-the-db", L, mine("t.flag", "--out", "{db}"), USAGE, "--out", **W),
        err("out-proc-file", L, mine("t.flag", "--out", "/proc/version"), (USAGE, DATA), "--out", **W),
        err("out-dev-full-all-relations", L, ("mine", "{db}", "--all-relations", "--max-body", "1", "--quiet",
                                              "--out", "/dev/full"), (USAGE, DATA), "--out", fixture="graph"),
        err("out-unwritable-folder", L, mine("t.flag", "--out", "{dir}/ro/x.json"), USAGE, "--out", **W,
            setup=_ro_folder("ro"), prefix=tuple(UNPRIVILEGED)),
    ]
    return cs


def _ro_folder(name: str) -> Callable[[Ctx], None]:
    """A folder nobody may write to; the case folder and its database open to ``nobody``."""
    def go(c: Ctx) -> None:
        d = c.dir / name
        d.mkdir(exist_ok=True)
        for p in (c.dir, c.dir / "db"):
            if p.exists():
                p.chmod(0o777)
        if "db" in c.vars:
            c.db.chmod(0o666)
        d.chmod(0o555)
    return go


# =========================================================================== catalogue: not one clean line


MISSING_PERIOD = "grandmother(X, Y) :- female(X), parent(X, Z), parent(Z, Y)"


def _json_mut(mutate: Callable[[dict], None]) -> str:
    d = copy.deepcopy(VALID_JSON)
    mutate(d)
    return json.dumps(d)


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def go(d: dict) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for p in parents:
            d = d[p]
        d[last] = value
    return go


def _ro_db() -> Callable[[Ctx], None]:
    """The database writable (666) in a folder nobody may write to (555)."""
    def go(c: Ctx) -> None:
        c.dir.chmod(0o777)
        c.db.chmod(0o666)
        c.db.parent.chmod(0o555)
    return go


def _full_disk(c: Ctx) -> None:
    Path(str(c.db) + ".wal").symlink_to("/dev/full")


def cases_one_line() -> list[Case]:
    N = "not-one-line"
    cs: list[Case] = []
    for label, text in [("newline", MISSING_PERIOD + "\n"), ("no-newline", MISSING_PERIOD),
                        ("blank-lines", MISSING_PERIOD + "\n\n\n"), ("crlf", MISSING_PERIOD + "\r\n"),
                        ("comment", MISSING_PERIOD + "  % no period\n"),
                        ("second-rule", "gp(X, Y) :- parent(X, Z), parent(Z, Y).\n" + MISSING_PERIOD + "\n")]:
        cs.append(err(f"dl-last-rule-without-period-{label}", N, ("apply", "{bad_dl}", "{db}"), USAGE, "bad.dl",
                      "line", fixture="family", setup=_files(bad_dl=text), quick=label == "newline"))
    s = ("mine", "{db}", "--target", "customers.churned", *FAST)
    cs += [
        err("seed-negative", N, (*s, "--seed", "-5"), USAGE, "--seed", fixture="shop", quick=True),
        err("seed-huge", N, (*s, "--seed", "99999999999999999999999"), USAGE, "--seed", fixture="shop"),
        err("seed-2^32", N, (*s, "--seed", str(2 ** 32)), USAGE, "--seed", fixture="shop"),
        err("seed-negative-all-relations", N, ("mine", "{db}", "--all-relations", "--seed", "-5"), USAGE, "--seed",
            fixture="graph"),
        err("seed-huge-all-relations", N, ("mine", "{db}", "--all-relations", "--seed", "9" * 23), USAGE, "--seed",
            fixture="graph"),
        err("readonly-folder-mine", N, ("mine", "{db}", "--target", "t.flag", *WFAST), DATA, "--dry-run",
            fixture="world", setup=_ro_db(), prefix=tuple(UNPRIVILEGED)),
        err("readonly-folder-apply", N, ("apply", "{gp_dl}", "{db}"), DATA, "family.duckdb", fixture="family",
            setup=lambda c: (_files(gp_dl=GP_DL)(c), _ro_db()(c)), prefix=tuple(UNPRIVILEGED)),
        err("readonly-folder-all-relations", N, ("mine", "{db}", "--all-relations", "--max-body", "1", "--quiet"),
            DATA, "--dry-run", fixture="graph", setup=_ro_db(), prefix=tuple(UNPRIVILEGED)),
        err("full-disk-mine", N, ("mine", "{db}", "--target", "t.flag", *WFAST), DATA, "no space", fixture="world",
            setup=_full_disk, quick=True),
        err("full-disk-apply", N, ("apply", "{gp_dl}", "{db}"), DATA, "no space", fixture="family",
            setup=lambda c: (_files(gp_dl=GP_DL)(c), _full_disk(c))),
        err("full-disk-all-relations", N, ("mine", "{db}", "--all-relations", "--max-body", "1", "--quiet"), DATA,
            "no space", fixture="graph", setup=_full_disk),
        err("full-disk-import-kg", N, ("import-kg", "{g}", "{dir}/db/new.duckdb", "--quiet"), DATA, "no space",
            setup=lambda c: (_files(g__train_txt=graph_lines(("r",)))(c), c.vars.__setitem__("g", str(c.dir / "g")),
                             (c.dir / "db").mkdir(exist_ok=True), Path(c.dir / "db" / "new.duckdb.wal").symlink_to("/dev/full")),
            watch=(), post=no_file("{dir}/db/new.duckdb"),
            about="the .wal symlinked to /dev/full (removed by the import's clean-up, so only the DB file is checked)"),
    ]
    bad_json = [
        ("weight-heavy", _set("rules.0.weight", "heavy"), "rules[0].weight"),
        ("weight-nan", _set("rules.0.weight", math.nan), "rules[0].weight"),
        ("weight-bool", _set("rules.0.weight", True), "rules[0].weight"),
        ("type-garbage", _set("head_columns.0.type", "NOT A TYPE(("), "head_columns[0].type"),
        ("type-decimal-2-5", _set("head_columns.1.type", "DECIMAL(2,5)"), "head_columns[1].type"),
        ("type-sql-injection", _set("head_columns.0.type", "VARCHAR; DROP TABLE parent"), "head_columns[0].type"),
        ("type-number", _set("head_columns.0.type", 5), "head_columns[0].type"),
        ("support-negative", _set("rules.0.support", -5), "rules[0].support"),
        ("support-2^63", _set("rules.0.support", 2 ** 63), "rules[0].support"),
        ("confidence-1.5", _set("rules.0.confidence", 1.5), "rules[0].confidence"),
        ("text-number", _set("rules.0.text", 5), "rules[0].text"),
        ("rules-string", _set("rules", "x"), "rules"),
        ("predicates-string", _set("predicates", "x"), "predicates"),
        ("column-name-empty", _set("head_columns.0.name", ""), "head_columns[0].name"),
    ]
    for label, mutate, frag in bad_json:
        cs.append(err(f"rules-json-{label}", N, ("apply", "{r_json}", "{db}"), DATA, "r.json", frag,
                      fixture="family", setup=_files(r_json=_json_mut(mutate)), quick=label == "weight-heavy"))
    for command in ("eval", "explain"):
        extra = ("--fact", "grandmother(beth1, ann72)") if command == "explain" else ()
        for label, mutate, frag in bad_json[:4:3]:
            cs.append(err(f"{command}-rules-json-{label}", N,
                          (command, "{db}", "--target", "grandmother", "--rules", "{r_json}", *extra), DATA,
                          "r.json", frag, fixture="family", setup=_files(r_json=_json_mut(mutate))))
    cs += [
        err("rules-json-nested-100000", N, ("apply", "{r_json}", "{db}"), DATA, "r.json", fixture="family",
            setup=_files(r_json="[" * 100_000 + "]" * 100_000)),
        err("rules-json-binary", N, ("apply", "{r_json}", "{db}"), DATA, "r.json", fixture="family",
            setup=_files(r_json=b"\xff\xfe\x00garbage\x80")),
        err("dl-binary", N, ("apply", "{r_dl}", "{db}"), (USAGE, DATA), "r.dl", fixture="family",
            setup=_files(r_dl=b"\xff\xfe\x00a(X) :- b(X).\x80")),
    ]
    for where in ("bk.pl", "exs.pl"):
        files = {"t__bk_pl": POPPER_BK, "t__exs_pl": POPPER_EXS}
        key = "t__" + where.replace(".", "_")
        files[key] += (f"p({nested(3000)}).\n" if where == "bk.pl" else f"pos(grandparent({nested(3000)}, a)).\n")
        cs.append(err(f"popper-nested-3000-{where}", N, ("import-popper", "{dir}/t", "{dir}/db/out.duckdb", "-q"),
                      DATA, where, "nesting", setup=_popper_files(files), watch=("{dir}/db/out.duckdb",),
                      quick=where == "bk.pl"))
    for where, (a, b) in {"x.b": ("p(", ")"), "x.f": ("[", "]"), "x.n": ("\\+ ", "")}.items():
        files = {"t__x_b": "p(a).\n", "t__x_f": "t(a).\n", "t__x_n": "t(b).\n"}
        files["t__" + where.replace(".", "_")] += f"t({nested(3000, a, b)}).\n"
        cs.append(err(f"aleph-nested-3000-{where}", N, ("import-aleph", "{dir}/t", "{dir}/db/out.duckdb", "-q"),
                      DATA, where, "nesting", setup=_popper_files(files), watch=("{dir}/db/out.duckdb",)))
    return cs


def _popper_files(files: dict[str, str | bytes]) -> Callable[[Ctx], None]:
    def go(c: Ctx) -> None:
        (c.dir / "db").mkdir(exist_ok=True)
        for key, content in files.items():
            c.write(rel_path(key), content)
    return go


# =========================================================================== catalogue: typer


def cases_typer() -> list[Case]:
    T = "typer"
    m = ("mine", "{db}", "--target", "customers.churned")
    rows = [
        ("seed-abc", (*m, "--seed", "abc"), ("--seed",)),
        ("noise-lots", (*m, "--noise", "lots"), ("--noise",)),
        ("epochs-float", (*m, "--epochs", "1.5"), ("--epochs",)),
        ("max-body-x", (*m, "--max-body", "x"), ("--max-body",)),
        ("unknown-option", (*m, "--sed", "1"), ("--sed",)),
        ("target-without-value", ("mine", "{db}", "--target"), ("--target",)),
        ("extra-argument", ("mine", "{db}", "extra", "--target", "customers.churned"), ("extra",)),
        ("explain-without-target", ("explain", "{db}"), ("--target",)),
        ("mine-without-db", ("mine",), ("db",)),
        ("apply-without-db", ("apply", "rules.json"), ("db",)),
        ("unknown-command", ("frobnicate", "{db}"), ("frobnicate",)),
        ("unknown-global-option", ("--bogus", "mine"), ("--bogus",)),
        ("json-with-value", ("rules", "{db}", "--json=yes"), ("--json",)),
        ("short-t-without-value", ("mine", "{db}", "-t"), ("-t",)),
        ("eval-train-queries-abc", ("eval", "{db}", "--ranking", "--train-queries", "abc"), ("--train-queries",)),
        ("explain-key-without-value", ("explain", "{db}", "--target", "customers.churned", "--key"), ("--key",)),
        ("import-kg-without-out", ("import-kg", "{dir}"), ("out",)),
        ("min-confidence-abc", ("mine", "{db}", "--all-relations", "--min-confidence", "abc"), ("--min-confidence",)),
        ("debug-after-command", ("mine", "{db}", "--debug", "--target", "customers.churned"), ("--debug",)),
    ]
    return [err(f"typer-{label}", T, args, USAGE, *frags, fixture="shop", post=one_line_usage,
                quick=label in ("seed-abc", "unknown-option", "explain-without-target", "unknown-command", "epochs-float",
                              "extra-argument"))
            for label, args, frags in rows]


# =========================================================================== catalogue: Python API


def _closed() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.close()
    return con


def _rd() -> Any:
    import ruledisc
    return ruledisc


def cases_api() -> list[Case]:
    r = _rd
    db = lambda c: str(c.db)  # noqa: E731
    dl = lambda c: str(c.dir / "gp.dl")  # noqa: E731
    gp = _files(gp_dl=GP_DL)
    cs = [
        api_err("mine db=None", lambda c: r().mine(None, "mother"), "UsageError", "db", quick=True),
        api_err("mine db=b''", lambda c: r().mine(b"", "mother"), "UsageError", "db"),
        api_err("mine db=123", lambda c: r().mine(123, "mother"), "UsageError", "db"),
        api_err("mine db=''", lambda c: r().mine("", "mother"), "UsageError", "db"),
        api_err("mine db=['x']", lambda c: r().mine(["x.duckdb"], "mother"), "UsageError", "db"),
        api_err("mine db NUL", lambda c: r().mine("a\0b.duckdb", "mother"), "UsageError", "NUL"),
        api_err("mine closed connection", lambda c: r().mine(_closed(), "mother"), "SourceError", "closed",
                quick=True),
        api_err("mine read-only connection", lambda c: _with_ro(c, lambda con: r().mine(con, "grandparent")),
                "SourceError", "read-only"),
        api_err("mine ragged dict", lambda c: r().mine({"t": {"a": [1, 2], "b": [1]}}, "t"), "RulediscError",
                "length"),
        api_err("mine dict of ints", lambda c: r().mine({"t": 5}, "t"), "UsageError", "'t'"),
        api_err("mine dict key 5", lambda c: r().mine({5: {"a": [1]}}, "t"), "UsageError", "name"),
        api_err("mine dict keys differ in case", lambda c: r().mine({"T": {"a": [1]}, "t": {"a": [2]}}, "t"),
                "UsageError", "case"),
        api_err("mine target=123", lambda c: r().mine(db(c), 123), "UsageError", "target", quick=True),
        api_err("mine target=None", lambda c: r().mine(db(c), None), "UsageError", "target"),
        api_err("mine target=''", lambda c: r().mine(db(c), ""), "UsageError", "target"),
        api_err("mine target=['mother']", lambda c: r().mine(db(c), ["mother"]), "UsageError", "target"),
        api_err("mine max_body='3'", lambda c: r().mine(db(c), "mother", max_body="3"), "UsageError", "max_body",
                quick=True),
        api_err("mine max_body=2.5", lambda c: r().mine(db(c), "mother", max_body=2.5), "UsageError", "max_body"),
        api_err("mine max_body=True", lambda c: r().mine(db(c), "mother", max_body=True), "UsageError", "max_body"),
        api_err("mine seed=-1", lambda c: r().mine(db(c), "mother", seed=-1), "UsageError", "seed", quick=True),
        api_err("mine seed=2**70", lambda c: r().mine(db(c), "mother", seed=2 ** 70), "UsageError", "seed"),
        api_err("mine seed=1.5", lambda c: r().mine(db(c), "mother", seed=1.5), "UsageError", "seed"),
        api_err("mine epochs=10**23", lambda c: r().mine(db(c), "mother", epochs=10 ** 23), "UsageError", "epochs"),
        api_err("mine epochs=None", lambda c: r().mine(db(c), "mother", epochs=None), "UsageError", "epochs"),
        api_err("mine min_support=-5", lambda c: r().mine(db(c), "mother", min_support=-5), "UsageError",
                "support"),
        api_err("mine noise=nan", lambda c: r().mine(db(c), "mother", noise=float("nan")), "UsageError", "noise"),
        api_err("mine noise='0.1'", lambda c: r().mine(db(c), "mother", noise="0.1"), "UsageError", "noise"),
        api_err("mine tnorm=5", lambda c: r().mine(db(c), "mother", tnorm=5), "UsageError", "tnorm"),
        api_err("mine dry_run='yes'", lambda c: r().mine(db(c), "mother", dry_run="yes"), "UsageError", "dry_run"),
        api_err("mine background=5", lambda c: r().mine(db(c), "mother", background=5), "UsageError",
                "background"),
        api_err("mine exclude=[1, 2]", lambda c: r().mine(db(c), "mother", exclude=[1, 2]), "UsageError",
                "exclude"),
        api_err("mine key={'a'}", lambda c: r().mine(db(c), "mother", key={"a": 1}), "UsageError", "key"),
        api_err("mine unknown option", lambda c: r().mine(db(c), "mother", maxbody=2), "UsageError", "maxbody"),
        api_err("mine schema=None", lambda c: r().mine(db(c), "mother", schema=None), "UsageError", "schema"),
        api_err("mine schema='main'", lambda c: r().mine(db(c), "mother", schema="main"), "UsageError", "schema"),
        api_err("mine reporter=5", lambda c: r().mine(db(c), "mother", reporter=5, max_body=1, epochs=5),
                "UsageError", "reporter", quick=True),
        api_err("apply rules=None", lambda c: r().apply(None, db(c)), "UsageError", "rules", quick=True),
        api_err("apply rules=123", lambda c: r().apply(123, db(c)), "UsageError", "rules"),
        api_err("apply db=None", lambda c: r().apply(dl(c), None), "UsageError", "db", setup=gp),
        api_err("apply schema=5", lambda c: r().apply(dl(c), db(c), schema=5), "UsageError", "schema", setup=gp),
        api_err("apply schema='main'", lambda c: r().apply(dl(c), db(c), schema="main"), "UsageError", "schema",
                setup=gp),
        api_err("apply to a .sql script", lambda c: r().apply(dl(c), str(SAMPLES / "family.sql")), "UsageError",
                "temporary", setup=gp, quick=True),
        api_err("apply to a dict of frames", lambda c: r().apply(dl(c), {"parent": {"parent": ["a"], "child": ["b"]}}),
                "UsageError", "frames", setup=gp),
        api_err("score db=None", lambda c: r().score(dl(c), None), "UsageError", "db", setup=gp),
        api_err("score rules=None", lambda c: r().score(None, db(c)), "UsageError", "rules"),
        api_err("score target=5", lambda c: r().score(dl(c), db(c), target=5), "UsageError", "target", setup=gp),
        api_err("score target unknown", lambda c: r().score(dl(c), db(c), target="nope"), "UsageError", "nope",
                setup=gp),
        api_err("evaluate target=None", lambda c: r().evaluate(db(c), None, rules=dl(c)), "UsageError", "target",
                setup=gp),
        api_err("evaluate rules=5", lambda c: r().evaluate(db(c), "grandparent", rules=5), "UsageError", "rules"),
        api_err("evaluate key=5", lambda c: r().evaluate(db(c), "grandparent", key=5), "UsageError", "key"),
        api_err("evaluate schema=5", lambda c: r().evaluate(db(c), "grandparent", rules=dl(c), schema=5),
                "UsageError", "schema", setup=gp, quick=True),
        api_err("evaluate no stored rules", lambda c: r().evaluate(db(c), "grandparent"), "DataError", "mine"),
        api_err("stored_rules db=None", lambda c: r().stored_rules(None), "UsageError", "db"),
        api_err("stored_rules target=5", lambda c: r().stored_rules(db(c), 5), "UsageError", "target"),
        api_err("stored_rules schema=None", lambda c: r().stored_rules(db(c), schema=None), "UsageError", "schema"),
        api_err("explain key=5", lambda c: r().explain(db(c), "grandparent", key=5, rules=dl(c)), "UsageError",
                "key", setup=gp),
        api_err("explain target=5", lambda c: r().explain(db(c), 5, fact="grandparent(a, b)", rules=dl(c)),
                "UsageError", "target", setup=gp),
        api_err("explain fact=5", lambda c: r().explain(db(c), "grandparent", fact=5, rules=dl(c)), "UsageError",
                "fact", setup=gp),
        api_err("explain db=None", lambda c: r().explain(None, "grandparent", fact="grandparent(a, b)", rules=dl(c)),
                "UsageError", "db", setup=gp),
        api_err("explain neither fact nor key", lambda c: r().explain(db(c), "grandparent", rules=dl(c)),
                "UsageError", "fact", setup=gp),
        api_err("parse_rule(None)", lambda c: r().parse_rule(None), "UsageError", "text", quick=True),
        api_err("parse_rule(5)", lambda c: r().parse_rule(5), "UsageError", "text"),
        api_err("parse_rule('')", lambda c: r().parse_rule(""), "UsageError"),
        api_err("parse_rule(bytes)", lambda c: r().parse_rule(b"a(X) :- b(X)."), "UsageError", "text"),
        api_err("parse_rule syntax", lambda c: r().parse_rule("a(X) :-"), "RuleSyntaxError", "column"),
        api_err("parse_program(None)", lambda c: r().parse_program(None), "UsageError", "text"),
        api_err("parse_program unclosed", lambda c: r().parse_program("a(X :- b(X)."), "RuleSyntaxError", "line 1"),
        api_err("import_kg folder=None", lambda c: r().import_kg(None, str(c.dir / "kg.x.duckdb")), "UsageError",
                "kg_dir"),
        api_err("import_kg out=5", lambda c: r().import_kg(str(c.dir), 5), "UsageError", "out"),
        api_err("mine_all db=None", lambda c: r().mine_all(None), "UsageError", "db"),
        api_err("mine_all min_confidence='x'", lambda c: r().mine_all(db(c), min_confidence="x"), "UsageError",
                "min_confidence"),
        api_err("mine_all not a graph", lambda c: r().mine_all(db(c)), "UsageError", "graph"),
        api_err("rank_eval split=5", lambda c: r().rank_eval(db(c), 5), "UsageError", "split"),
        api_err("rank_eval train_queries=-1", lambda c: r().rank_eval(db(c), train_queries=-1), "UsageError",
                "train_queries"),
        api_err("rank_eval db=None", lambda c: r().rank_eval(None), "UsageError", "db"),
        api_err("engine: a statement ruledisc built wrongly", _engine_bug, "InternalError", "please report",
                fixture=None),
        api_ok("mine dict of frames dry-run", lambda c: r().mine({"t": {"id": list(range(20)), "g": ["a", "b"] * 10,
                                                                        "flag": [True, False] * 10}},
                                                                 "t.flag", dry_run=True, max_body=1, epochs=40),
               lambda c, run: None if run.value.metrics["f1"] == 1.0 else f"f1 {run.value.metrics}", fixture=None,
               quick=True),
        api_ok("score a .dl file", lambda c: r().score(dl(c), db(c)),
               lambda c, run: None if run.value.height > 0 else "no rows scored", setup=gp),
        api_ok("evaluate a .dl file", lambda c: r().evaluate(db(c), "grandparent", rules=dl(c)),
               lambda c, run: None if run.value["f1"] == 1.0 else f"f1 {run.value['f1']}", setup=gp),
        api_ok("mine a connection", lambda c: _with_rw(c, lambda con: r().mine(con, "mother", max_body=2, epochs=40)),
               stored("mother", min_rules=1), target="mother"),
    ]
    return cs


def _with_ro(c: Ctx, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
    con = duckdb.connect(str(c.db), read_only=True)
    try:
        return fn(con)
    finally:
        con.close()


def _with_rw(c: Ctx, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
    con = duckdb.connect(str(c.db))
    try:
        return fn(con)
    finally:
        con.close()


def _engine_bug(c: Ctx) -> Any:
    from sqlglot import exp

    from ruledisc.engine import Engine
    con = duckdb.connect()
    try:
        return Engine(con).rows(exp.select(exp.column("no_such_column")).from_("information_schema.tables"))
    finally:
        con.close()


# =========================================================================== catalogue: silently accepted / misleading


def cases_misleading() -> list[Case]:
    M = "misleading"
    s = ("mine", "{db}", "--target", "customers.churned", *FAST)
    a = ("mine", "{db}", "--all-relations", "--max-body", "1", "--quiet")
    G = dict(fixture="graph")
    S = dict(fixture="shop")
    W = dict(fixture="world")
    cs = [
        err("min-support-negative", M, (*s, "--min-support", "-5"), USAGE, "--min-support", **S, quick=True),
        err("min-support-zero", M, (*s, "--min-support", "0"), USAGE, "--min-support", **S),
        err("min-support-negative-all-relations", M, (*a, "--min-support", "-5"), USAGE, "--min-support", **G),
        err("epochs-huge", M, (*s, "--epochs", "99999999999999999999999"), USAGE, "--epochs", **S, timeout=60,
            quick=True),
        err("epochs-negative", M, (*s, "--epochs", "-1"), USAGE, "--epochs", **S),
        err("epochs-100001", M, (*s, "--epochs", "100001"), USAGE, "--epochs", **S),
        err("train-queries-negative", M, ("eval", "{db}", "--ranking", "--train-queries", "-1"), USAGE,
            "--train-queries", **G, quick=True),
        err("train-queries-zero", M, ("eval", "{db}", "--ranking", "--train-queries", "0"), USAGE, "--train-queries",
            **G),
        err("max-examples-10", M, (*s, "--max-examples", "10"), USAGE, "--max-examples", **S),
        err("max-examples-huge", M, (*s, "--max-examples", "9" * 20), USAGE, "--max-examples", **S),
        err("noise-0.5", M, (*s, "--noise", "0.5"), USAGE, "--noise", **S),
        err("noise-negative", M, (*s, "--noise", "-0.1"), USAGE, "--noise", **S),
        err("noise-nan", M, (*s, "--noise", "nan"), USAGE, "--noise", **S, quick=True),
        err("noise-inf", M, (*s, "--noise", "inf"), USAGE, "--noise", **S),
        err("max-vars-0", M, (*s, "--max-vars", "0"), USAGE, "--max-vars", **S),
        err("max-vars-11", M, (*s, "--max-vars", "11"), USAGE, "--max-vars", **S),
        err("max-body-7", M, ("mine", "{db}", "--target", "customers.churned", "--max-body", "7"), USAGE,
            "--max-body", **S),
        err("max-body-negative", M, ("mine", "{db}", "--target", "customers.churned", "--max-body", "-1"), USAGE,
            "--max-body", **S),
        err("max-body-4-all-relations", M, ("mine", "{db}", "--all-relations", "--max-body", "4"), USAGE,
            "--max-body", **G),
        err("max-rules-0", M, (*a, "--max-rules", "0"), USAGE, "--max-rules", **G),
        err("min-confidence-1.5", M, (*a, "--min-confidence", "1.5"), USAGE, "--min-confidence", **G),
        err("min-confidence-nan", M, (*a, "--min-confidence", "nan"), USAGE, "--min-confidence", **G),
        err("memory-limit-lots", M, (*a, "--memory-limit", "lots"), USAGE, "--memory-limit", **G),
        err("split-bogus", M, ("eval", "{db}", "--ranking", "--split", "bogus"), USAGE, "--split", **G),
        err("min-confidence-with-target", M, (*s, "--min-confidence", "0.5"), USAGE, "--min-confidence", **S,
            quick=True),
        err("max-rules-with-target", M, (*s, "--max-rules", "5"), USAGE, "--max-rules", **S),
        err("memory-limit-with-target", M, (*s, "--memory-limit", "1GB"), USAGE, "--memory-limit", **S),
        err("apply-into-sql-script", M, ("apply", "{gp_dl}", "{script}"), USAGE, "would be lost", fixture=None,
            setup=lambda c: (_files(gp_dl=GP_DL)(c), _copy_sample(c, "family.sql", "script")),
            watch=("{script}",), quick=True),
        err("apply-into-folder", M, ("apply", "{gp_dl}", "{dir}/db/data"), USAGE, "would be lost",
            setup=lambda c: (_files(gp_dl=GP_DL, db__data__parent_csv="parent,child\na,b\nb,c\n")(c)),
            watch=("{dir}/db/data/parent.csv",)),
        err("apply-into-csv-file", M, ("apply", "{gp_dl}", "{dir}/db/parent.csv"), (USAGE, DATA), "parent.csv",
            setup=_files(gp_dl=GP_DL, db__parent_csv="parent,child\na,b\n"), watch=("{dir}/db/parent.csv",)),
        err("eval-no-stored-rules-for-target", M, ("eval", "{db}", "--target", "customers.churned"), DATA,
            "no stored rules", fixture="shop_mined", quick=True),
        err("eval-no-ruledisc-schema", M, ("eval", "{db}", "--target", "customers.churned"), DATA, "mine", **S),
        err("explain-no-stored-rules", M, ("explain", "{db}", "--target", "customers.churned", "--key", "3"), DATA,
            "mine", fixture="shop_mined"),
        ok("rules-target-spelled-as-mine-takes", M, ("rules", "{db}", "--target", "customers.plan=premium", "--json"),
           fixture="shop_mined", post=json_out(lambda d: None if d and {x["target"] for x in d} ==
                                               {"customers.plan=premium"} else f"rows: {d}"), quick=True),
        err("int-column-values-0-1-2", M, ("mine", "{db}", "--target", "t.n", *WFAST), DATA, "0 and 1", **W,
            quick=True, about="an INTEGER column holding 0, 1 and 2 as a boolean target"),
        err("int-column-values-2-3-4", M, ("mine", "{db}", "--target", "t.m", *WFAST), DATA, "0 and 1", **W),
        err("int-column-values-1-2-3", M, ("mine", "{db}", "--target", "t.o", *WFAST), DATA, "0 and 1", **W),
        ok("int-column-value-target", M, ("mine", "{db}", "--target", "t.n=2", *WFAST), **W, target="t.n=2",
           post=stored("t.n=2")),
        err("null-keys-not-called-duplicates", M, ("mine", "{db}", "--target", "loose.ok", "--key", "id", *FAST),
            DATA, "NULL", **W, post=lambda c, r: "says duplicate" if "duplicate" in r.stderr else None),
        err("apply-json-head-differs-from-target", M, ("apply", "{r_json}", "{db}"), DATA, "grandparent",
            fixture="family", setup=_files(r_json=_json_mut(_set("target", "grandparent")))),
        err("apply-json-invented-head-differs", M, ("apply", "{r_json}", "{db}"), DATA, "gm_inv1", fixture="family",
            setup=_files(r_json=_json_mut(_set("invented", [{"name": "gm_inv1", "rules": ["other(X) :- male(X)."],
                                                             "head_columns": [{"name": "a0", "type": "VARCHAR"}]}])))),
        ok("csv-named-star-read-literally", M, ("mine", "{dir}/db/data", "--target", "_.flag", "--dry-run", "--json",
                                                *FAST),
           setup=_files(**{"db__data__*_csv": "id,flag\n" + "".join(f"{i},{str(i % 2 == 0).lower()}\n"
                                                                     for i in range(8)),
                           "db__data__k_csv": "id,g\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(8)),
                           "db__data__other_csv": "id,flag\n" + "".join(f"{i},true\n" for i in range(100, 160))}),
           post=json_out(lambda d: None if d["info"]["examples"]["positives"] == 4 else
                         f"positives {d['info']['examples']}"), writes=False, watch=("{dir}/db/data/k.csv",)),
        err("csv-star-and-question-one-table", M, ("mine", "{dir}/db/data", "--target", "_"), DATA, "rename",
            setup=_files(**{"db__data__*_csv": "id\n1\n", "db__data__?_csv": "id\n2\n"}),
            watch=("{dir}/db/data/*.csv",)),
        ok("column-with-dot-and-equals-target", M, ("mine", "{db}", "--target", '"x=y"."a.b"', *WFAST), **W,
           target='"x=y"."a.b"', post=stored('"x=y"."a.b"', rules=1, view_rows=10), quick=True),
        ok("table-with-dot-unquoted-target", M, ("mine", "{db}", "--target", "a.b", *WFAST), **W, target='"a.b"',
           post=stored('"a.b"', rules=1, view_rows=10)),
        ok("table-with-dot-quoted-target", M, ("mine", "{db}", "--target", '"a.b"', *WFAST), **W, target='"a.b"',
           post=stored('"a.b"', rules=1, view_rows=10)),
        err("unbalanced-quote-target", M, ("mine", "{db}", "--target", '"a.b', *WFAST), USAGE, "--target", **W),
        err("double-dot-target", M, ("mine", "{db}", "--target", "t..flag", *WFAST), (USAGE, DATA), "t..flag", **W),
        err("held-read-only-fails-before-work", M, ("mine", "{db}", "--target", "t.flag", "--epochs", "5000",
                                                    "--max-body", "3", "--background", "kind"),
            DATA, "--dry-run", **W, setup=_holder("ro"), post=ran_within(20), quick=True),
        ok("held-read-only-dry-run-works", M, ("mine", "{db}", "--target", "t.flag", *WFAST, "--dry-run"), **W,
           setup=_holder("ro"), writes=False, post=out_has("t.flag(X) :- kind.k(X, c).")),
        err("held-read-write", M, ("mine", "{db}", "--target", "t.flag", *WFAST), DATA, "another process", **W,
            setup=_holder("rw")),
        err("held-read-write-apply", M, ("apply", "{gp_dl}", "{db}"), DATA, "another process", fixture="family",
            setup=lambda c: (_files(gp_dl=GP_DL)(c), _holder("rw")(c))),
        err("db-named-ruledisc-default-schema", M, ("mine", "{dir}/db/ruledisc.duckdb", "--target",
                                                    "customers.churned", *FAST), USAGE, "--schema", **S,
            setup=lambda c: (c.db.rename(c.db.with_name("ruledisc.duckdb"))),
            watch=("{dir}/db/ruledisc.duckdb",)),
        err("target-and-all-relations", M, ("mine", "{db}", "--target", "r", "--all-relations"), USAGE, "--target",
            **G),
        err("neither-target-nor-all-relations", M, ("mine", "{db}"), USAGE, "--target", **G),
        err("eval-neither-target-nor-ranking", M, ("eval", "{db}"), USAGE, "--ranking", **G),
        err("all-relations-on-a-non-graph", M, ("mine", "{db}", "--all-relations"), USAGE, "graph", **S),
        err("ranking-on-a-non-graph", M, ("eval", "{db}", "--ranking"), USAGE, "graph", **S),
        err("ranking-without-rules", M, ("eval", "{db}", "--ranking"), DATA, "mine", **G),
    ]
    return cs


def _copy_sample(c: Ctx, sample: str, var: str) -> None:
    dst = c.dir / "db" / sample
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / sample, dst)
    c.vars[var] = str(dst)


_HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("held", flush=True)
sys.stdin.read()
"""


def _holder(mode: str) -> Callable[[Ctx], None]:
    """Another process holding the case's database open (``ro`` or ``rw``) until the case ends."""
    def go(c: Ctx) -> None:
        p = subprocess.Popen([sys.executable, "-c", _HOLD, str(c.db), mode], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        c.procs.append(p)
        line = p.stdout.readline().strip() if p.stdout else ""
        if line != "held":
            raise RuntimeError(f"the holder process did not open {c.db}")
    return go


# =========================================================================== catalogue: injection and odd identifiers


def _world_setup(w: OddWorld) -> Callable[[Ctx], None]:
    def go(c: Ctx) -> None:
        d = c.dir / "db"
        d.mkdir(exist_ok=True)
        db = d / "w.duckdb"
        w.build(db)
        c.vars["db"] = str(db)
        c.data["world"] = w
    return go


def _odd_cases(label: str, w: OddWorld, rng: random.Random, quick: bool, full: bool) -> list[Case]:
    """mine each kind of target of ``w``; for ``full``: eval, explain, rules and apply round trips."""
    INJ = "injection"
    bg = w.background()
    out: list[Case] = []
    kinds = ("table", "column", "value")
    for kind in kinds:
        spec = w.spec(kind)
        args = ("mine", "{db}", "--target", spec, *FAST, *bg)
        out.append(Case(f"odd-{label}-mine-{kind}", INJ, Expect.OK, args, setup=_world_setup(w), target=spec,
                        watch=("{db}",), post=all_of(stored(spec, rules=1, view_rows=w.planted), _only_target(spec)),
                        quick=quick and kind == "column", about=f"{label}: {spec!r}"))
    if not full:
        return out
    spec = w.spec("column")
    mine = ("mine", "{db}", "--target", spec, *FAST, *bg, "--out", "{dir}/rules.json")
    out += [
        Case(f"odd-{label}-eval", INJ, Expect.OK, ("eval", "{db}", "--target", spec, "--json"), setup=_world_setup(w),
             pre=(mine,), watch=("{db}",), post=json_out(lambda d: None if d["f1"] == 1.0 else f"f1 {d['f1']}")),
        Case(f"odd-{label}-explain", INJ, Expect.OK, ("explain", "{db}", "--target", spec, "--key", "0"),
             setup=_world_setup(w), pre=(mine,), watch=("{db}",), post=out_has("true positive")),
        Case(f"odd-{label}-rules", INJ, Expect.OK, ("rules", "{db}", "--target", spec, "--json"), setup=_world_setup(w),
             pre=(mine,), watch=("{db}",),
             post=json_out(lambda d, s=spec: None if [x["target"] for x in d] == [s] else f"rows {d}")),
        Case(f"odd-{label}-apply-copy", INJ, Expect.OK, ("apply", "{dir}/rules.json", "{copy}"),
             setup=lambda c, w=w: (_world_setup(w)(c), _copy_db("copy/w.duckdb", "copy")(c)), pre=(mine,),
             watch=("{copy}",), writes=True,
             post=lambda c, r, s=spec, n=w.planted: (None if db_count(Path(c.vars["copy"]), "ruledisc", s) == n
                                                      else "the applied view holds other rows")),
    ]
    return out


def _only_target(spec: str) -> Post:
    def go(c: Ctx, r: Run) -> str | None:
        st = read_store(c.db, ["ruledisc"])
        others = sorted(t for _, t in st.groups if t != spec)
        return f"other stored names appeared: {others}" if others else None
    return go


def cases_injection(seed: int, n_random: int) -> list[Case]:
    INJ = "injection"
    s = ("mine", "{db}", *FAST)
    S = dict(fixture="shop")
    cs: list[Case] = []
    for label, w in FIXED_WORLDS.items():
        cs += _odd_cases(label, w, random.Random(f"{seed}:{label}"), quick=label in ("quotes", "semicolons", "dunder"),
                         full=label in ("quotes", "semicolons", "dots", "newlines"))
    for i in range(n_random):
        rng = random.Random(f"{seed}:random-world-{i}")
        cs += _odd_cases(f"random{i}", random_world(rng), rng, quick=False, full=i < 1)
    for label, schema in [("quote", 's"; DROP TABLE customers; --'), ("unicode", "日本 schéma"), ("dot", "a.b"),
                          ("newline", "x\ny"), ("keyword", "select")]:
        cs.append(ok(f"schema-{label}", INJ, (*s, "--target", "customers.plan=premium", "--schema", schema), **S,
                     schemas=("ruledisc", schema), target="customers.plan=premium",
                     post=stored("customers.plan=premium", schema=schema, min_rules=1)))
    for label, schema in [("main", "main"), ("MAIN", "MAIN"), ("information_schema", "information_schema"),
                          ("temp", "temp"), ("empty", ""), ("catalog", "shop"), ("system", "system")]:
        cs.append(err(f"schema-refused-{label}", INJ, (*s, "--target", "customers.churned", "--schema", schema),
                      USAGE, "--schema", **S))
    bad_targets = [
        ("table-drop", "customers; DROP TABLE tickets; --", DATA, "customers; DROP"),
        ("column-drop", "customers.churned; DROP TABLE tickets", DATA, "churned; DROP"),
        ("value-or-1", "customers.plan=x' OR '1'='1", DATA, "no positive"),
        ("value-quote-comment", "customers.plan=trial' --", DATA, "no positive"),
        ("quoted-table-drop", '"customers""; DROP TABLE tickets; --"', DATA, "DROP TABLE"),
        ("union-select", "customers.plan=trial' UNION SELECT * FROM tickets --", DATA, "no positive"),
        ("newline", "customers\n; DROP TABLE tickets", DATA, "customers"),
        ("semicolon-only", ";", DATA, ";"),
    ]
    for label, target, code, frag in bad_targets:
        cs.append(err(f"target-{label}", INJ, (*s, "--target", target), code, frag, **S, quick=label == "table-drop"))
    opts = [
        ("key", ("--target", "customers.churned", "--key", "customer_id); DROP TABLE tickets; --"), DATA, "DROP"),
        ("background", ("--target", "customers.churned", "--background", "tickets; DROP TABLE customers"), USAGE,
         "--background"),
        ("exclude", ("--target", "customers.churned", "--exclude", "x'--"), USAGE, "--exclude"),
        ("negatives", ("--target", "customers.churned", "--negatives", "tickets; DROP TABLE customers"),
         (USAGE, DATA), "tickets; DROP"),
    ]
    for label, extra, code, frag in opts:
        cs.append(err(f"option-{label}-injection", INJ, (*s, *extra), code, frag, **S))
    cs += [
        err("memory-limit-injection", INJ, ("mine", "{db}", "--all-relations", "--memory-limit",
                                          "1GB'; DROP TABLE kg.facts; --"), USAGE, "--memory-limit", fixture="graph"),
        err("explain-key-injection", INJ, ("explain", "{db}", "--target", "t.flag", "--key", "1' OR '1'='1"),
            (USAGE, DATA), "1' OR", fixture="mined"),
        ok("explain-fact-injection", INJ, ("explain", "{db}", "--target", "grandparent", "--rules", "{gp_dl}",
                                         "--fact", "grandparent('x'') OR 1=1 --', bob)"), fixture="family",
           setup=_files(gp_dl=GP_DL), post=out_has("true negative"),
           about="a quoted constant is a value: not predicted, nothing run"),
        ok("dl-constant-injection", INJ, ("apply", "{r_dl}", "{db}"), fixture="world", target="kk",
           setup=_files(r_dl="kk(X) :- kind.k(X, 'a''; DROP TABLE kind; --').\n"),
           post=stored("kk", rules=1, view_rows=0)),
        ok("dl-head-injection", INJ, ("apply", "{r_dl}", "{db}"), fixture="family",
           setup=_files(r_dl='"x; DROP TABLE parent; --"(X) :- female(X).\n'), target=canon("x; DROP TABLE parent; --"),
           post=stored(canon("x; DROP TABLE parent; --"), rules=1)),
        ok("dl-comparison-constant-injection", INJ, ("apply", "{r_dl}", "{db}"), fixture="world", target="kk",
           setup=_files(r_dl="kk(X) :- kind.k(X, K), K != 'x''); DROP TABLE kind; --'.\n"),
           post=stored("kk", rules=1, view_rows=40)),
        ok("popper-quoted-atoms", INJ, ("import-popper", "{dir}/t", "{dir}/db/out.duckdb", "-q"),
           setup=_popper_files({"t__bk_pl": POPPER_BK + "parent('x''); DROP TABLE parent; --', 'a\"b').\n",
                                "t__exs_pl": POPPER_EXS}),
           watch=("{dir}/db/out.duckdb",), writes=True,
           post=lambda c, r: None if db_count(c.dir / "db" / "out.duckdb", "main", "parent") == 6 else "parent rows"),
        ok("kg-relation-injection-names", INJ, ("import-kg", "{dir}/g", "{dir}/db/g.duckdb", "-q"),
           setup=_files(g__train_txt=graph_lines(("r'; DROP TABLE kg.facts; --", '"', "sélect", "a.b", "x=y"), 10)),
           watch=("{dir}/db/g.duckdb",), writes=True,
           post=lambda c, r: None if db_count(c.dir / "db" / "g.duckdb", "kg", "facts") == 50 else "facts rows"),
        ok("kg-mine-injection-names", INJ, ("mine", "{db}", "--all-relations", "--max-body", "1", "--quiet"),
           setup=lambda c: (_files(g__train_txt=graph_lines(("r'; DROP TABLE kg.facts; --", '"', "a.b", "x=y#r1")))(c),
                            (c.dir / "db").mkdir(exist_ok=True), _must([str(SCRIPT), "import-kg", str(c.dir / "g"),
                                                           str(c.dir / "db" / "g.duckdb"), "-q"]),
                            c.vars.__setitem__("db", str(c.dir / "db" / "g.duckdb"))),
           target=(canon("r'; DROP TABLE kg.facts; --"), canon('"'), canon("a.b"), canon("x=y#r1")),
           watch=("{db}",), post=stored(canon("x=y#r1"), view_rows=40)),
    ]
    return cs


# =========================================================================== catalogue: bad files (Popper, Aleph, KG)


def cases_bad_files() -> list[Case]:
    B = "bad-files"
    out_new = ("{dir}/db/out.duckdb",)
    imp = ("import-popper", "{dir}/t", "{dir}/db/out.duckdb", "-q")
    ale = ("import-aleph", "{dir}/t", "{dir}/db/out.duckdb", "-q")
    kg = ("import-kg", "{dir}/g", "{dir}/db/out.duckdb", "-q")
    P = lambda **f: _popper_files(f)  # noqa: E731
    good = {"t__bk_pl": POPPER_BK, "t__exs_pl": POPPER_EXS}
    cs = [
        ok("popper-valid", B, imp, setup=P(**good, t__bias_pl=POPPER_BIAS), watch=out_new, writes=True,
           post=lambda c, r: None if db_count(c.dir / "db" / "out.duckdb", "main", "grandparent") == 3 else "rows",
           quick=True),
        ok("popper-valid-then-mine", B, ("mine", "{dir}/db/out.duckdb", "--target", "grandparent", *FAST,
                                         "--dry-run"),
           setup=P(**good), pre=(imp,), watch=out_new, writes=False),
        err("popper-missing-folder", B, ("import-popper", "{dir}/nope", "{dir}/db/out.duckdb"), USAGE, "nope",
            setup=P(), watch=out_new),
        err("popper-empty-folder", B, imp, DATA, "bk.pl", setup=lambda c: (P()(c), (c.dir / "t").mkdir()),
            watch=out_new),
        err("popper-no-exs", B, imp, DATA, "exs.pl", setup=P(t__bk_pl=POPPER_BK), watch=out_new),
        err("popper-bk-invalid-utf8", B, imp, DATA, "bk.pl", setup=P(t__bk_pl=b"parent(a, b).\n\xff\xfe(\x80).\n",
                                                                      t__exs_pl=POPPER_EXS), watch=out_new),
        err("popper-bk-unterminated", B, imp, DATA, "bk.pl", setup=P(t__bk_pl="parent(a, b).\nparent(b, c\n",
                                                                      t__exs_pl=POPPER_EXS), watch=out_new),
        err("popper-bk-nul-bytes", B, imp, DATA, "bk.pl", setup=P(t__bk_pl="parent(a,\0 b).\n",
                                                                   t__exs_pl=POPPER_EXS), watch=out_new),
        err("popper-exs-not-pos-neg", B, imp, DATA, "exs.pl", setup=P(t__bk_pl=POPPER_BK,
                                                                       t__exs_pl="grandparent(ann, cid).\n"),
            watch=out_new),
        err("popper-example-in-bk", B, imp, DATA, "parent", setup=P(t__bk_pl=POPPER_BK,
                                                                     t__exs_pl="pos(parent(ann, bob)).\n"),
            watch=out_new),
        err("popper-bk-is-a-folder", B, imp, DATA, "bk.pl", setup=lambda c: (P(t__exs_pl=POPPER_EXS)(c),
                                                                              (c.dir / "t" / "bk.pl").mkdir()),
            watch=out_new),
        err("popper-tables-differ-in-case", B, imp, DATA, "table", setup=P(t__bk_pl=POPPER_BK + "'PARENT'(a, b).\n",
                                                                     t__exs_pl=POPPER_EXS),
            watch=out_new),
        err("popper-out-is-a-folder", B, ("import-popper", "{dir}/t", "{dir}/db"), USAGE, "folder", setup=P(**good),
            watch=("{dir}/db/x",)),
        err("popper-out-in-missing-folder", B, ("import-popper", "{dir}/t", "{dir}/no/out.duckdb"), DATA, "out.duckdb",
            setup=P(**good), watch=("{dir}/no",)),
        err("popper-out-has-the-tables", B, imp, USAGE, "already", setup=P(**good), pre=(imp,), watch=out_new),
        err("popper-out-is-garbage", B, imp, DATA, "out.duckdb",
            setup=lambda c: (P(**good)(c), c.write("db/out.duckdb", b"not a database\n" * 100)), watch=out_new),
        err("popper-out-zero-bytes", B, imp, DATA, "out.duckdb",
            setup=lambda c: (P(**good)(c), c.write("db/out.duckdb", b"")), watch=out_new),
        err("popper-bk-huge-line", B, imp, DATA, "bk.pl",
            setup=P(t__bk_pl="p(" + "a" * 2_000_000 + "\n", t__exs_pl=POPPER_EXS), watch=out_new),
        ok("aleph-valid", B, ale, setup=P(t__x_b=POPPER_BK, t__x_f="grandparent(ann, cid).\ngrandparent(bob, dan).\n",
                                          t__x_n="grandparent(ann, bob).\n"), watch=out_new, writes=True,
           post=lambda c, r: None if db_count(c.dir / "db" / "out.duckdb", "main", "grandparent") == 2 else "rows"),
        err("aleph-no-b", B, ale, DATA, ".b", setup=P(t__x_f="t(a).\n"), watch=out_new),
        err("aleph-two-b", B, ale, DATA, ".b", setup=P(t__x_b="p(a).\n", t__y_b="p(b).\n", t__x_f="t(a).\n"),
            watch=out_new),
        err("aleph-missing-f", B, ale, DATA, "x.f", setup=P(t__x_b="p(a).\n"), watch=out_new),
        err("aleph-garbage-f", B, ale, DATA, "x.f", setup=P(t__x_b="p(a).\n", t__x_f="t(a) :- .\n"), watch=out_new),
        ok("kg-valid", B, kg, setup=_files(g__train_txt=graph_lines(("r", "s"), 10), g__test_txt="e1\tr\te2\n"),
           watch=out_new, writes=True,
           post=lambda c, r: None if db_count(c.dir / "db" / "out.duckdb", "kg", "facts") == 21 else "facts rows"),
        err("kg-missing-folder", B, ("import-kg", "{dir}/nope", "{dir}/db/out.duckdb"), USAGE, "nope",
            setup=lambda c: (c.dir / "db").mkdir(exist_ok=True), watch=out_new),
        err("kg-no-files", B, kg, DATA, "train.txt", setup=lambda c: ((c.dir / "g").mkdir(), (c.dir / "db").mkdir(exist_ok=True)),
            watch=out_new),
        err("kg-line-without-tabs", B, kg, DATA, "train.txt", setup=_kg_files({"train.txt": "a r b\n"}),
            watch=out_new, quick=True),
        err("kg-two-fields", B, kg, DATA, "train.txt", setup=_kg_files({"train.txt": "a\tr\tb\nc\td\n"}),
            watch=out_new),
        err("kg-four-fields", B, kg, DATA, "train.txt", setup=_kg_files({"train.txt": "a\tr\tb\nc\tr\td\te\n"}),
            watch=out_new),
        err("kg-invalid-utf8", B, kg, DATA, "train.txt", setup=_kg_files({"train.txt": b"a\tr\tb\n\xff\tr\t\xfe\n"}),
            watch=out_new),
        err("kg-relations-differ-in-case", B, kg, DATA, "case", setup=_kg_files({"train.txt": "a\tr\tb\nb\tR\tc\n"}),
            watch=out_new),
        err("kg-out-named-kg", B, ("import-kg", "{dir}/g", "{dir}/db/kg.duckdb"), USAGE, "kg.duckdb",
            setup=_kg_files({"train.txt": "a\tr\tb\n"}), watch=("{dir}/db/kg.duckdb",)),
        err("kg-out-already-has-graph", B, kg, USAGE, "already", setup=_kg_files({"train.txt": "a\tr\tb\n"}),
            pre=(kg,), watch=out_new),
        err("kg-relation-named-like-a-table", B, ("import-kg", "{dir}/g", "{db}"), USAGE, "parent",
            fixture="family", setup=_kg_files({"train.txt": "a\tparent\tb\n"})),
        err("kg-out-is-a-folder", B, ("import-kg", "{dir}/g", "{dir}/db"), USAGE, "folder",
            setup=_kg_files({"train.txt": "a\tr\tb\n"}), watch=("{dir}/db/x",)),
        err("kg-entities-invalid-utf8", B, kg, DATA, "entities.txt",
            setup=_kg_files({"train.txt": "a\tr\tb\n", "entities.txt": b"a\n\xff\n"}), watch=out_new,
            quick=True),
        ok("kg-empty-train", B, kg, setup=_kg_files({"train.txt": "", "test.txt": "a\tr\tb\n"}), watch=out_new,
           writes=True),
        ok("kg-folder-with-glob-brackets", B, ("import-kg", "{dir}/g[1]", "{dir}/db/out.duckdb", "-q"),
           setup=lambda c: (_kg_files({"train.txt": "a\tr\tb\nb\tr\tc\n"}, folder="g[1]")(c),
                            _kg_files({"train.txt": "x\ts\ty\n"}, folder="g1")(c)),
           watch=out_new, writes=True,
           post=lambda c, r: _facts(c, 2)),
        ok("kg-folder-named-star", B, ("import-kg", "{dir}/g*", "{dir}/db/out.duckdb", "-q"),
           setup=lambda c: (_kg_files({"train.txt": "a\tr\tb\n"}, folder="g*")(c),
                            _kg_files({"train.txt": "x\ts\ty\nx\ts\tz\n"}, folder="gA")(c)),
           watch=out_new, writes=True, post=lambda c, r: _facts(c, 1), quick=True),
        ok("folder-source-with-glob-name", B, ("mine", "{dir}/db/da[t]a", "--target", "p.flag", "--dry-run", *FAST),
           setup=_files(**{"db__da[t]a__p_csv": "id,flag\n1,true\n2,false\n3,true\n4,false\n",
                           "db__da[t]a__k_csv": "id,g\n1,a\n2,b\n3,a\n4,b\n"}),
           watch=("{dir}/db/da[t]a/p.csv",), writes=False),
    ]
    return cs


def _facts(c: Ctx, n: int) -> str | None:
    got = db_count(c.dir / "db" / "out.duckdb", "kg", "facts")
    return None if got == n else f"kg.facts holds {got} rows, expected {n} (another folder read?)"


def _kg_files(files: dict[str, str | bytes], folder: str = "g") -> Callable[[Ctx], None]:
    def go(c: Ctx) -> None:
        (c.dir / "db").mkdir(exist_ok=True)
        for name, content in files.items():
            c.write(f"{folder}/{name}", content)
    return go


# =========================================================================== catalogue: random mutations of rules files


_NOISE = list("().,:-!=<>'\"%/ \n\t\\_XYZabc019[]{}#;") + [":-", ".decl", "%", "\"", "''", "NaN", "null", "-1",
                                                           "1e999", "VARCHAR", "grandmother", "\u00e9", "\u2028"]
_JSON_VALUES: list[Any] = [None, True, False, -1, 0, 1, 2 ** 63, 10 ** 400, 1.5, -0.0, "", "heavy", "NOT A TYPE((",
                           "DECIMAL(2,5)", "VARCHAR", "BIGINT", "grandparent", "grandmother", "relation", "attribute",
                           GM_RULE, "grandmother(X, Y) :- parent(X, Y).", "x(X) :- y(X)", "'; DROP TABLE parent; --",
                           "\u00e9\n", [], [1, 2], {}, {"name": 5}]


def mutate_text(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        n = len(text)
        i = rng.randint(0, n)
        j = rng.randint(i, min(n, i + 12))
        op = rng.choice(["delete", "insert", "duplicate", "truncate", "swap"])
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + rng.choice(_NOISE) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "truncate":
            text = text[:i]
        else:
            pieces = re.findall(r"\w+|\s+|.", text, re.S)
            words = [k for k, p in enumerate(pieces) if not p.isspace()]
            if len(words) >= 2:
                a, b = rng.choice(words), rng.choice(words)
                pieces[a], pieces[b] = pieces[b], pieces[a]
                text = "".join(pieces)
    return text


def _paths(node: Any, at: tuple = ()) -> Iterable[tuple]:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield at + (k,)
        yield from _paths(v, at + (k,))


def mutate_json(rng: random.Random, doc: dict[str, Any]) -> str:
    if rng.random() < 0.2:
        return mutate_text(rng, json.dumps(doc, indent=1))
    d = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(d))
        if not paths:
            break
        path = rng.choice(paths)
        parent = d
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        op = rng.choice(["delete", "replace", "replace", "duplicate"])
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = copy.deepcopy(rng.choice(_JSON_VALUES))
        elif isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
    return json.dumps(d)


def cases_mutation(seed: int, n: int) -> list[Case]:
    cs = []
    for i in range(n):
        rng = random.Random(f"{seed}:mutation-{i}")
        if i % 2 == 0:
            name, text = "r.json", mutate_json(rng, VALID_JSON)
        else:
            name, text = "r.dl", mutate_text(rng, VALID_DL)
        cs.append(Case(f"mutated-{name.split('.')[1]}-{i:02d}", "mutation", Expect.EITHER,
                       ("apply", "{dir}/" + name, "{db}"), fixture="family",
                       setup=lambda c, name=name, text=text: c.write(name, text), writes=True, target="*",
                       quick=i < 4, about=text[:300]))
    return cs


# =========================================================================== catalogue: sources


def cases_sources() -> list[Case]:
    S = "sources"
    m = ("--target", "customers.churned", *FAST)
    cs = [
        err("missing-db", S, ("mine", "{dir}/db/nope.duckdb", *m), DATA, "does not exist",
            setup=lambda c: (c.dir / "db").mkdir(exist_ok=True), watch=("{dir}/db/nope.duckdb",), quick=True),
        err("garbage-db", S, ("mine", "{dir}/db/x.duckdb", *m), DATA, "x.duckdb",
            setup=_files(db__x_duckdb="this is not a database\n" * 50), watch=("{dir}/db/x.duckdb",)),
        err("zero-byte-db", S, ("mine", "{dir}/db/x.duckdb", *m), DATA, "x.duckdb",
            setup=_files(db__x_duckdb=b""), watch=("{dir}/db/x.duckdb",), quick=True),
        err("zero-byte-db-apply", S, ("apply", "{gp_dl}", "{dir}/db/x.duckdb"), DATA,
            setup=_files(gp_dl=GP_DL, db__x_duckdb=b""), watch=("{dir}/db/x.duckdb",)),
        err("truncated-db", S, ("mine", "{dir}/db/x.duckdb", *m), DATA, "x.duckdb",
            setup=lambda c: c.write("db/x.duckdb", c.fx.template("shop").read_bytes()[:20_000]),
            watch=("{dir}/db/x.duckdb",)),
        ok("garbage-wal-beside-db", S, ("mine", "{db}", "--target", "customers.plan=premium", *FAST), fixture="shop",
           setup=lambda c: Path(str(c.db) + ".wal").write_bytes(b"\x00garbage wal" * 100),
           target="customers.plan=premium", post=stored("customers.plan=premium", min_rules=1),
           about="DuckDB drops a WAL whose checksum fails; the run works"),
        err("empty-duckdb", S, ("mine", "{db}", "--target", "anything"), DATA, "no tables", fixture="empty"),
        err("empty-folder", S, ("mine", "{dir}/db/data", "--target", "x"), DATA, "no .parquet",
            setup=lambda c: (c.dir / "db" / "data").mkdir(parents=True, exist_ok=True), watch=("{dir}/db/data/x",)),
        err("sql-invalid", S, ("mine", "{dir}/db/bad.sql", "--target", "t"), DATA, "bad.sql",
            setup=_files(db__bad_sql="CREATE TABLE t (a INT);\nSELEKT broken;\n"), watch=("{dir}/db/bad.sql",)),
        err("sql-invalid-utf8", S, ("mine", "{dir}/db/bad.sql", "--target", "t"), DATA, "bad.sql",
            setup=_files(db__bad_sql=b"CREATE TABLE t (a INT);\n\xff\xfe\n"), watch=("{dir}/db/bad.sql",)),
        err("sql-empty", S, ("mine", "{dir}/db/e.sql", "--target", "t"), DATA, "no tables",
            setup=_files(db__e_sql="-- nothing\n"), watch=("{dir}/db/e.sql",)),
        err("duckdb-named-sql", S, ("mine", "{dir}/db/shop.sql", *m), DATA, "shop.sql",
            setup=lambda c: c.write("db/shop.sql", c.fx.template("shop").read_bytes()), watch=("{dir}/db/shop.sql",)),
        err("single-csv-file", S, ("mine", "{dir}/db/t.csv", "--target", "t"), DATA, "folder",
            setup=_files(db__t_csv="a\n1\n"), watch=("{dir}/db/t.csv",)),
        err("garbage-parquet", S, ("mine", "{dir}/db/data", "--target", "t"), DATA, "t.parquet",
            setup=_files(db__data__t_parquet=b"PAR1 nope"), watch=("{dir}/db/data/t.parquet",)),
        err("ragged-csv", S, ("mine", "{dir}/db/data", "--target", "t.flag"), DATA, "t",
            setup=_files(db__data__t_csv='id,flag\n1,true\n2,"unterminated\n'), watch=("{dir}/db/data/t.csv",)),
        err("dev-null-db", S, ("mine", "/dev/null", *m), DATA, "/dev/null", watch=()),
        err("long-path", S, ("mine", "{dir}/" + "x" * 5000, *m), DATA, "too long", watch=()),
        err("db-is-a-folder-of-nothing-usable", S, ("mine", "{dir}/db/data", *m), DATA, "no .parquet",
            setup=_files(db__data__notes_txt="hello\n"), watch=("{dir}/db/data/notes.txt",)),
        ok("db-name-with-newline-and-quote", S, ("mine", "{dir}/db/o'dd\nname.duckdb", *m, "--dry-run"),
           setup=lambda c: c.write("db/o'dd\nname.duckdb", c.fx.template("shop").read_bytes()),
           watch=("{dir}/db/o'dd\nname.duckdb",), writes=False),
        ok("mine-into-db-with-odd-name", S, ("mine", "{dir}/db/a b;'c.duckdb", "--target", "customers.plan=premium",
                                              *FAST),
           setup=lambda c: (c.write("db/a b;'c.duckdb", c.fx.template("shop").read_bytes()),
                            c.vars.__setitem__("db", str(c.dir / "db" / "a b;'c.duckdb"))),
           target="customers.plan=premium", post=stored("customers.plan=premium", min_rules=1)),
        err("mine-unknown-table", S, ("mine", "{db}", "--target", "nosuchtable"), DATA, "nosuchtable",
            fixture="shop", quick=True),
        err("mine-unknown-column", S, ("mine", "{db}", "--target", "customers.nope"), DATA, "nope", fixture="shop"),
        err("mine-varchar-without-value", S, ("mine", "{db}", "--target", "customers.region"), DATA, "=VALUE",
            fixture="shop"),
        err("mine-value-no-positives", S, ("mine", "{db}", "--target", "customers.plan=platinum"), DATA,
            "no positive", fixture="shop"),
        err("mine-empty-table-target", S, ("mine", "{db}", "--target", "vip"), DATA, "no positive", fixture="shop",
            pre=(_sql("CREATE TABLE vip (customer_id BIGINT)"),)),
        err("mine-key-not-unique", S, ("mine", "{db}", "--target", "flags.flag", "--key", "id"), DATA, "not unique",
            fixture="shop", pre=(_sql("CREATE TABLE flags (id BIGINT, flag BOOLEAN); INSERT INTO flags VALUES "
                                      "(1, TRUE), (1, FALSE), (2, TRUE)"),)),
        err("mine-double-column-with-value", S, ("mine", "{db}", "--target", "s.score=0.5"), DATA, "DOUBLE",
            fixture="shop", pre=(_sql("CREATE TABLE s (id BIGINT PRIMARY KEY, score DOUBLE); "
                                      "INSERT INTO s VALUES (1, 0.5), (2, 1.5)"),)),
        err("mine-key-unknown-column", S, ("mine", "{db}", "--target", "customers.churned", "--key", "nope"), DATA,
            "nope", fixture="shop"),
        err("mine-negatives-unknown", S, ("mine", "{db}", "--target", "grandparent", "--negatives", "nope"),
            (USAGE, DATA), "nope", fixture="family"),
        err("apply-missing-rules-file", S, ("apply", "{dir}/missing.json", "{db}"), DATA, "missing.json",
            fixture="family"),
        err("apply-rules-file-is-a-folder", S, ("apply", "{dir}", "{db}"), (USAGE, DATA), fixture="family"),
        err("apply-mutual-recursion", S, ("apply", "{r_dl}", "{db}"), DATA, "mutual", fixture="family",
            setup=_files(r_dl="a(X) :- b(X).\nb(X) :- a(X).\n")),
        err("apply-unknown-body-table", S, ("apply", "{r_dl}", "{db}"), DATA, "ghost", fixture="family",
            setup=_files(r_dl="grandparent(X, Y) :- ghost(X, Z), parent(Z, Y).\n")),
        err("apply-new-path-fails-leaves-nothing", S, ("apply", "{r_dl}", "{dir}/db/new.duckdb"), DATA, "no tables",
            setup=_files(r_dl="g(X) :- ghost(X).\n", db__keep="x"), watch=("{dir}/db/new.duckdb",)),
        err("eval-rules-for-another-target", S, ("eval", "{db}", "--target", "mother", "--rules", "{gp_dl}"), USAGE,
            "mother", fixture="family", setup=_files(gp_dl=GP_DL)),
        err("rules-without-schema", S, ("rules", "{db}"), DATA, "mine", fixture="shop"),
        err("explain-key-with-no-row", S, ("explain", "{db}", "--target", "t.flag", "--key", "999"), DATA, "999",
            fixture="mined"),
        err("explain-malformed-fact", S, ("explain", "{db}", "--target", "grandparent", "--rules", "{gp_dl}",
                                          "--fact", "grandparent(ann"), (USAGE, DATA), "fact", fixture="family",
            setup=_files(gp_dl=GP_DL), quick=True),
        ok("explain-fact-for-column-target", S, ("explain", "{db}", "--target", "t.flag", "--fact", "t.flag(2)"),
           fixture="mined", post=out_has("true positive")),
    ]
    return cs


# =========================================================================== catalogue: options


def cases_options() -> list[Case]:
    OPT = "options"
    s = ("mine", "{db}", "--target", "customers.churned")
    cs = [err(f"bad-{a[0][2:]}-{a[1]}", OPT, (*s, *a), USAGE, a[0], fixture="shop", quick=a[0] == "--tnorm")
          for a in [("--tnorm", "foo"), ("--max-body", "0"), ("--schema", "main"), ("--epochs", "0"),
                    ("--background", "nosuch"), ("--exclude", "nosuch"), ("--recursion", "maybe"),
                    ("--invention", "sometimes"), ("--max-vars", "0")]]
    for a in [("--tnorm", "godel"), ("--negatives", "customers"), ("--key", "customer_id"), ("--background", "orders"),
              ("--recursion", "on"), ("--noise", "0.1"), ("--max-examples", "500"), ("--epochs", "10")]:
        cs.append(err(f"all-relations-refuses-{a[0][2:]}", OPT, ("mine", "{db}", "--all-relations", *a), USAGE, a[0],
                      fixture="graph"))
    for a, belongs in [(("--target", "r", "--split", "valid"), "--split"),
                       (("--target", "r", "--train-queries", "10"), "--train-queries"),
                       (("--ranking", "--rules", "x.json"), "--rules"), (("--ranking", "--key", "h"), "--key")]:
        cs.append(err(f"eval-refuses-{belongs[2:]}", OPT, ("eval", "{db}", *a), USAGE, belongs, fixture="graph"))
    return cs


# =========================================================================== catalogue: --debug


def cases_debug() -> list[Case]:
    D = "debug"
    return [
        Case("debug-missing-db", D, Expect.DEBUG, ("--debug", "mine", "{dir}/db/nope.duckdb", "--target", "x"),
             code=(DATA,), frags=("nope.duckdb",), setup=lambda c: (c.dir / "db").mkdir(exist_ok=True),
             watch=("{dir}/db/nope.duckdb",), quick=True),
        Case("debug-bad-dl", D, Expect.DEBUG, ("--debug", "apply", "{bad_dl}", "{db}"), code=(USAGE,),
             frags=("line 1",), fixture="family", setup=_files(bad_dl=MISSING_PERIOD + "\n")),
        Case("debug-eval-no-rules", D, Expect.DEBUG, ("--debug", "eval", "{db}", "--target", "customers.churned"),
             code=(DATA,), frags=("mine",), fixture="shop"),
        Case("debug-full-disk", D, Expect.DEBUG, ("--debug", "mine", "{db}", "--target", "t.flag", *WFAST),
             code=(DATA,), frags=("no space",), fixture="world", setup=_full_disk),
        Case("debug-seed-negative", D, Expect.DEBUG, ("--debug", "mine", "{db}", "--target", "customers.churned",
                                                      "--seed", "-5"), code=(USAGE,), frags=("--seed",),
             fixture="shop", traceback=False),
        Case("debug-typer-error", D, Expect.DEBUG, ("--debug", "mine", "{db}", "--seed", "abc"), code=(USAGE,),
             frags=("--seed",), fixture="shop", traceback=False),
        Case("debug-unknown-table", D, Expect.DEBUG, ("--debug", "mine", "{db}", "--target", "nosuch"),
             code=(DATA,), frags=("nosuch",), fixture="shop"),
        Case("debug-bad-json", D, Expect.DEBUG, ("--debug", "apply", "{r_json}", "{db}"), code=(DATA,),
             frags=("r.json",), fixture="family", setup=_files(r_json=_json_mut(_set("rules.0.weight", "heavy")))),
    ]


# =========================================================================== catalogue: signals and kill -9


def cases_signals(seed: int, quick_only: bool) -> list[Case]:
    rng = random.Random(f"{seed}:signals")
    G = "sigint"
    cs: list[Case] = []
    for i, d in enumerate((0.05, 0.15, 0.3, 0.6)):
        cs.append(Case(f"sigint-imports-{d}s", G, Expect.INTERRUPT, ("mine",), fixture="crash", runner="signal",
                       delay=d, quick=i < 2, about="Ctrl-C while the imports load"))
    for i in range(7):
        d = round(rng.uniform(0.05, 3.5), 3)
        cs.append(Case(f"sigint-random-{i}-{d}s", G, Expect.INTERRUPT, ("mine",), fixture="crash", runner="signal",
                       delay=d, quick=i == 0))
    for ms in (0, 1, 5):
        cs.append(Case(f"sigint-wal+{ms}ms", G, Expect.INTERRUPT, ("mine",), fixture="crash", runner="signal",
                       after_wal=ms / 1000, quick=ms == 0, about="Ctrl-C as write-back begins"))
    for ms in (0, 5, 20):
        cs.append(Case(f"sigint-after-output+{ms}ms", G, Expect.INTERRUPT, ("mine",), fixture="crash",
                       runner="signal", delay=ms / 1000, after_line="views:",
                       about="Ctrl-C once the result is printed (the process is ending)"))
    for i in range(2):
        d = round(rng.uniform(0.05, 2.5), 3)
        cs.append(Case(f"sigint-apply-random-{i}-{d}s", G, Expect.INTERRUPT, ("apply",), fixture="crash",
                       runner="signal", delay=d))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        for i in range(2):
            d = round(rng.uniform(0.05, 3.0), 3)
            cs.append(Case(f"{sig.name.lower()}-random-{i}-{d}s", G, Expect.INTERRUPT, ("mine",), fixture="crash",
                           runner="signal", sig=sig, delay=d))
    K = "kill9"
    for ms in (0, 0.5, 2, 10):
        cs.append(Case(f"kill9-mine-wal+{ms}ms", K, Expect.CRASH, ("mine",), fixture="crash", runner="kill",
                       after_wal=ms / 1000, quick=ms == 0))
    for i in range(2):
        frac = round(rng.uniform(0.7, 1.0), 3)
        cs.append(Case(f"kill9-mine-random-{i}-{frac}", K, Expect.CRASH, ("mine",), fixture="crash", runner="kill",
                       delay=-frac))
    for ms in (0, 2):
        cs.append(Case(f"kill9-apply-wal+{ms}ms", K, Expect.CRASH, ("apply",), fixture="crash", runner="kill",
                       after_wal=ms / 1000))
    cs.append(Case("kill9-then-next-run", K, Expect.CRASH, ("mine",), fixture="crash", runner="kill", after_wal=0.0,
                   post=_next_run_after_kill, about="after a kill in write-back, the next run writes cleanly"))
    return cs


def _next_run_after_kill(c: Ctx, r: Run) -> str | None:
    p = subprocess.run(crash_command("mine", c.db), capture_output=True, text=True, timeout=300, env=ENV,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        return f"the next run failed: {p.stderr.strip()[:200]}"
    state, problem = crash_state(c, c.fx.get("crash"), "mine")
    if problem or state != "new":
        return f"after the next run: {problem or state}"
    p = subprocess.run([str(SCRIPT), "rules", str(c.db), "--json"], capture_output=True, text=True, timeout=300,
                       env=ENV, stdin=subprocess.DEVNULL)
    return None if p.returncode == 0 else f"rules failed after the kill: {p.stderr.strip()[:200]}"


# =========================================================================== catalogue: concurrent runs


def _concurrent(args: tuple[str, ...]) -> Step:
    """Start ``args`` in the background (on ``{wdb}``); the case's command races it."""
    def go(c: Ctx) -> None:
        p = subprocess.Popen([str(SCRIPT), *[c.sub(a) for a in args]], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=c.dir, env=ENV, stdin=subprocess.DEVNULL)
        c.procs.append(p)
        c.data["rival"] = (p, shlex.join(["ruledisc", *args]))
        time.sleep(c.rng.uniform(0.0, 1.5))
    return go


def _both_clean(main: str, rival: str) -> Post:
    """The rival run ended cleanly too (exit 0, or one error line); the store is whole and
    holds the target of each run that exited 0 (``main``: the case's, ``rival``: the
    other's), with its one rule and 10 rows."""
    def go(c: Ctx, r: Run) -> str | None:
        p, shown = c.data["rival"]
        out, errs = p.communicate(timeout=300)
        errs = _text(errs)
        if "Traceback" in errs or p.returncode not in (0, DATA) or \
                (p.returncode and (len(errs.splitlines()) != 1 or not errs.startswith("error: "))):
            return f"the rival {shown} ended with {p.returncode}: {errs[:160]!r}"
        db = Path(c.vars["wdb"])
        st = read_store(db, ["ruledisc"], write=True)
        if st.problems:
            return st.problems[0]
        wrote = [t for t, code in ((main, r.code), (rival, p.returncode)) if code == 0]
        missing = [t for t in wrote if st.of("ruledisc", t) is None]
        if missing:
            return f"a run exited 0 but {missing} is not stored"
        for t in dict.fromkeys((main, rival)):
            g = st.of("ruledisc", t)
            if g is not None and (len(g[0]) != 1 or dict(g[1]).get(t) != 10):
                return f"{t!r} stored inconsistently: {g}"
        return None
    return go


def cases_concurrent() -> list[Case]:
    C = "concurrent"
    wdb = lambda c: (shutil.copyfile(c.fx.template("world"), c.dir / "db" / "w.duckdb"),  # noqa: E731
                     c.vars.__setitem__("wdb", str(c.dir / "db" / "w.duckdb")))
    mine = lambda t: ("mine", "{wdb}", "--target", t, *WFAST)  # noqa: E731
    return [
        Case("concurrent-mine-two-targets", C, Expect.EITHER, mine("t.r1"), setup=wdb, pre=(_concurrent(mine("t.flag")),),
             watch=(), post=_both_clean("t.r1", "t.flag"), code=(DATA,)),
        Case("concurrent-mine-same-target", C, Expect.EITHER, mine("t.flag"), setup=wdb,
             pre=(_concurrent(mine("t.flag")),), watch=(), post=_both_clean("t.flag", "t.flag"), code=(DATA,)),
        Case("concurrent-apply-and-mine", C, Expect.EITHER, ("apply", "{r_dl}", "{wdb}"),
             setup=lambda c: (wdb(c), _files(r_dl="t.inv1(X) :- kind.k(X, a).\n")(c)),
             pre=(_concurrent(mine("t.flag")),), watch=(), post=_both_clean("t.inv1", "t.flag"), code=(DATA,)),
    ]


# =========================================================================== catalogue: happy paths


def cases_happy() -> list[Case]:
    H = "happy"
    return [
        ok("mine-shop-value-target", H, ("mine", "{db}", "--target", "customers.plan=premium", *FAST), fixture="shop",
           target="customers.plan=premium", post=stored("customers.plan=premium", min_rules=1), quick=True),
        ok("mine-json-dry-run-stdout-only", H, ("mine", "{db}", "--target", "customers.churned", "--json",
                                                "--dry-run", *FAST), fixture="shop", writes=False,
           post=all_of(json_out(lambda d: None if d["target"] == "customers.churned" else d["target"]),
                       lambda c, r: f"stderr not empty: {r.stderr[:80]!r}" if r.stderr.strip() else None)),
        ok("mine-out-file", H, ("mine", "{db}", "--target", "customers.plan=premium", *FAST, "--out", "{dir}/o.json"),
           fixture="shop", target="customers.plan=premium",
           post=lambda c, r: None if json.loads((c.dir / "o.json").read_text())["target"] == "customers.plan=premium"
           else "--out holds another target"),
        ok("mine-family-grandmother", H, ("mine", "{db}", "--target", "grandmother", *FAST), fixture="family",
           target="grandmother", post=stored("grandmother", min_rules=1)),
        ok("mine-business-late", H, ("mine", "{db}", "--target", "orders.late", *FAST, "--max-examples", "2000"),
           fixture="business", target="orders.late", post=stored("orders.late", min_rules=1)),
        ok("eval-business-test-with-rules", H, ("eval", "{test}", "--target", "orders.late", "--rules",
                                                "{dir}/late.json"),
           fixture="business", setup=lambda c: _copy_sample(c, "business_test.sql", "test"),
           pre=(("mine", "{db}", "--target", "orders.late", *FAST, "--max-examples", "2000", "--dry-run", "--out",
                 "{dir}/late.json"),), post=out_has("orders.late:"), watch=("{test}",)),
        ok("rules-json", H, ("rules", "{db}", "--json"), fixture="mined",
           post=json_out(lambda d: None if {x["target"] for x in d} == {"t.flag", "t.r1", '"rules"'} else str(d))),
        ok("rules-table", H, ("rules", "{db}"), fixture="mined", post=out_has("t.flag")),
        ok("explain-key", H, ("explain", "{db}", "--target", "t.flag", "--key", "2"), fixture="mined",
           post=out_has("true positive")),
        ok("explain-key-json", H, ("explain", "{db}", "--target", "t.flag", "--key", "1", "--json"), fixture="mined",
           post=json_out(lambda d: None)),
        ok("explain-fact", H, ("explain", "{db}", "--target", "grandparent", "--rules", "{gp_dl}", "--fact",
                               "grandparent(adam24, ned109)"), fixture="family", setup=_files(gp_dl=GP_DL),
           post=out_has("true positive")),
        ok("apply-json-into-a-fresh-copy", H, ("apply", "{dir}/o.json", "{copy}"), fixture="world",
           setup=_copy_db("copy/w.duckdb", "copy"),
           pre=(("mine", "{db}", "--target", "t.flag", *WFAST, "--dry-run", "--out", "{dir}/o.json"),),
           watch=("{copy}",), writes=True,
           post=lambda c, r: None if db_count(Path(c.vars["copy"]), "ruledisc", "t.flag") == 10 else "rows"),
        ok("apply-dl-valid", H, ("apply", "{r_dl}", "{db}"), fixture="family", setup=_files(r_dl=VALID_DL),
           target=("grandmother", "gp", "old_man"), post=stored("grandmother", rules=1, view_rows=474)),
        ok("mine-sql-script-dry-run", H, ("mine", "{script}", "--target", "customers.plan=premium", *FAST),
           setup=lambda c: _copy_sample(c, "shop.sql", "script"), watch=("{script}",), writes=False),
        ok("help", H, ("--help",), post=out_has("Usage")),
        ok("bare-command", H, (), post=out_has("Usage")),
    ]


# =========================================================================== the campaign


def catalogue(seed: int, quick: bool) -> list[Case]:
    cs = (cases_lost() + cases_one_line() + cases_typer() + cases_api() + cases_misleading()
          + cases_injection(seed, n_random=4) + cases_bad_files() + cases_mutation(seed, 20) + cases_sources()
          + cases_options() + cases_debug() + cases_signals(seed, quick) + cases_concurrent() + cases_happy())
    names = [c.name for c in cs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise SystemExit(f"duplicate case names: {dup}")
    return [c for c in cs if c.quick] if quick else cs


def _prepare_signal_delays(cases: list[Case], fx: Fixtures) -> None:
    """A kill at a fraction of a full run (negative delay): the fraction of the measured time."""
    need = [c for c in cases if c.runner == "kill" and c.delay is not None and c.delay < 0]
    if need:
        crash = fx.get("crash")
        for c in need:
            c.delay = round(-c.delay * crash[f"{c.args[0]}_s"], 3)


def _can_drop_privileges(root: Path) -> bool:
    probe = root / "probe-ro"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        r = subprocess.run([*UNPRIVILEGED, sys.executable, "-c",
                            f"open({str(probe / 'x')!r}, 'w')"], capture_output=True, timeout=60)
        return r.returncode != 0 and b"PermissionError" in r.stderr
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        probe.chmod(0o755)


def report(outcomes: list[Outcome], seed: int, seconds: float, quick: bool, path: Path) -> None:
    cats: dict[str, list[Outcome]] = {}
    for o in outcomes:
        cats.setdefault(o.case.category, []).append(o)
    print()
    print(f"{'category':<14} {'cases':>6} {'clean':>6} {'not clean':>10}")
    print("-" * 39)
    for cat, os_ in cats.items():
        n_clean = sum(o.clean for o in os_)
        print(f"{cat:<14} {len(os_):>6} {n_clean:>6} {len(os_) - n_clean:>10}")
    total_clean = sum(o.clean for o in outcomes)
    print("-" * 39)
    print(f"{'total':<14} {len(outcomes):>6} {total_clean:>6} {len(outcomes) - total_clean:>10}")
    bad = [o for o in outcomes if not o.clean]
    if bad:
        print(f"\nnot clean ({len(bad)}):")
        for o in bad:
            err_ = (o.run.stderr if o.run else "").strip().replace("\n", "\\n")[:200]
            print(f"- [{o.case.category}] {o.case.name}: {o.reason}")
            if o.run:
                print(f"    $ {o.run.command[:300]}")
            if err_:
                print(f"    stderr: {err_}")
    print(f"\nseed {seed}; {len(outcomes)} cases, {total_clean} clean, in {seconds:.0f}s "
          f"(repeat: {Path(sys.argv[0]).as_posix()} --seed {seed}{' --quick' if quick else ''})")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"seed": seed, "quick": quick, "seconds": round(seconds, 1), "cases": len(outcomes), "clean": total_clean,
           "categories": {cat: {"cases": len(os_), "clean": sum(o.clean for o in os_)} for cat, os_ in cats.items()},
           "results": [o.to_dict() for o in outcomes]}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str))
    os.replace(tmp, path)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="about 60 cases (under 90 s)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the random parts (default: picked now)")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--only", default=None, help="only cases whose name or category holds this text")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = ap.parse_args(argv)
    if not SCRIPT.exists():
        print(f"console script {SCRIPT} not found; install the package (pip install -e .)", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2 ** 31)
    print(f"seed {seed} (repeat with --seed {seed})", flush=True)
    cases = catalogue(seed, args.quick)
    if args.only:
        cases = [c for c in cases if args.only in c.name or args.only == c.category]
    if args.list:
        for c in cases:
            print(f"{c.category:<14} {c.name:<55} {c.expected()}")
        print(f"{len(cases)} cases")
        return 0
    root = Path(tempfile.mkdtemp(prefix="ruledisc-contract-"))
    root.chmod(0o755)
    fx = Fixtures(root, seed)
    t0 = time.monotonic()
    try:
        if any(c.prefix for c in cases) and not _can_drop_privileges(root):
            print("note: cannot drop privileges here (unshare); the read-only folder cases will fail", flush=True)
        _prepare_signal_delays(cases, fx)
        outcomes: list[Outcome | None] = [None] * len(cases)
        print(f"{len(cases)} cases, {args.jobs} at a time; temporary folder {root}", flush=True)
        done = 0
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {pool.submit(run_case, c, fx, root / "cases", seed, i): i for i, c in enumerate(cases)}
            for fut in as_completed(futures):
                i = futures[fut]
                o = fut.result()
                outcomes[i] = o
                done += 1
                mark = "ok " if o.clean else "BAD"
                print(f"[{done:>3}/{len(cases)}] {mark} {o.case.category:<13} {o.case.name:<50} "
                      f"{(o.run.seconds if o.run else 0):5.1f}s  {'' if o.clean else o.reason[:120]}", flush=True)
        report([o for o in outcomes if o is not None], seed, time.monotonic() - t0, args.quick, args.out)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            for p in root.rglob("*"):
                if p.is_dir() and not p.is_symlink():
                    p.chmod(0o755)
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
