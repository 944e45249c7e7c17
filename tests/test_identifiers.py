"""Property tests: any identifier works as a table, column, value or ``--schema`` name.

Each example builds a tiny DuckDB file whose names hypothesis draws (quotes, semicolons,
SQL keywords, dots, equals signs, ``#``, blanks at the ends, newlines, tabs, combining
marks, emoji, mixed case), with a planted one-literal rule, then runs ``mine``, ``rules``,
``eval``, ``explain`` and ``apply`` through the CLI. Every command must exit 0 (or, where the
input is refused by design, end with one clean ``error:`` line); user tables are never
changed; the target is stored under ``target_name(...)``; the rule found is the planted one
and its union view holds exactly the planted rows, also after ``apply`` into a copy.

The fixtures build their SQL text here (tests only): every name is double-quoted with
``"`` doubled, every value is a ``?`` parameter.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import duckdb
import pytest
from clihelp import invoke
from hypothesis import HealthCheck, Phase, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from ruledisc.names import parse_spec, target_name
from ruledisc.parse import parse_rule
from ruledisc.rule import Atom, Const

# --------------------------------------------------------------------------- names

TOKENS = ["a", "B", "z9", "'", '"', '""', ";", ".", "=", "#", "\n", "\t", " ", "_", "-", ",", "(", ")",
          "é", "e\u0301", "\u0301", "🙂", "👩\u200d👩\u200d👧", "ß", "Ω", "日本", "select", "DROP", "table",
          "from", "where", "null", "--", "/*", "*/", "%", "\\", "$1", "?", "'; drop table x; --"]
# whole names that collide with what ruledisc itself writes or reads
WHOLE = ["score", "conf", "id", "rowid", "rules", "kg_rules", "lnn_x", "main", "ruledisc", "select", "X", "t0",
         "u", "target", "fix", "a.b", "x=y", "t#r1", "t#inv1", '"', " ", "Rules", "information_schema"]

ident = st.one_of(st.sampled_from(WHOLE),
                  st.lists(st.sampled_from(TOKENS), min_size=1, max_size=5).map("".join),
                  st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                          min_size=1, max_size=8))
value = st.one_of(st.just(""), ident)


def q(name: str) -> str:
    """``name`` as a quoted SQL identifier (tests build their fixtures' SQL text)."""
    return '"' + name.replace('"', '""') + '"'


def _fold(name: str) -> str:
    return name.casefold()


class Kind(Enum):
    TABLE = "table"
    COLUMN = "column"
    VALUE = "value"


REFUSED_SCHEMAS = ("main", "information_schema", "pg_catalog", "temp")


@dataclass(frozen=True)
class World:
    """K(key PK, k) with 4 distinct k values; T(key PK FK K, flag, cat) with flag = (k = ks[0])
    and cat = cats[i] where k = ks[i]; P(key FK K) holding the keys with k = ks[0]."""

    k_table: str
    t_table: str
    p_table: str
    key: str
    k_col: str
    flag: str
    cat: str
    ks: tuple[str, ...]
    cats: tuple[str, ...]
    rows: int
    schema: str

    def k_of(self, i: int) -> str:
        return self.ks[i % 4]

    @property
    def planted(self) -> list[int]:
        return [i for i in range(self.rows) if i % 4 == 0]

    def spec(self, kind: Kind) -> tuple[str, tuple[str, ...]]:
        """The target as ``--target`` takes it, and the parts ``target_name`` takes."""
        parts = {Kind.TABLE: (self.p_table,), Kind.COLUMN: (self.t_table, self.flag),
                 Kind.VALUE: (self.t_table, self.cat, self.cats[0])}[kind]
        return target_name(*parts), parts

    def build(self, path: Path) -> None:
        con = duckdb.connect(str(path))
        try:
            con.execute(f"CREATE TABLE {q(self.k_table)} ({q(self.key)} INTEGER PRIMARY KEY, {q(self.k_col)} VARCHAR)")
            con.executemany(f"INSERT INTO {q(self.k_table)} VALUES (?, ?)",
                            [[i, self.k_of(i)] for i in range(self.rows)])
            con.execute(f"CREATE TABLE {q(self.t_table)} ({q(self.key)} INTEGER PRIMARY KEY "
                        f"REFERENCES {q(self.k_table)} ({q(self.key)}), {q(self.flag)} BOOLEAN, {q(self.cat)} VARCHAR)")
            con.executemany(f"INSERT INTO {q(self.t_table)} VALUES (?, ?, ?)",
                            [[i, i % 4 == 0, self.cats[i % 4]] for i in range(self.rows)])
            con.execute(f"CREATE TABLE {q(self.p_table)} ({q(self.key)} INTEGER "
                        f"REFERENCES {q(self.k_table)} ({q(self.key)}))")
            con.executemany(f"INSERT INTO {q(self.p_table)} VALUES (?)", [[i] for i in self.planted])
        finally:
            con.close()


@st.composite
def worlds(draw: st.DrawFn, schema: st.SearchStrategy[str]) -> World:
    # names distinct up to case across tables and columns alike (DuckDB ignores case)
    names = draw(st.lists(ident, min_size=7, max_size=7, unique_by=(str.lower, _fold)))
    ks = tuple(draw(st.lists(value, min_size=4, max_size=4, unique=True)))
    cats = tuple(draw(st.lists(value, min_size=4, max_size=4, unique=True)))
    return World(*names, ks, cats, draw(st.integers(20, 40)), draw(schema))


# --------------------------------------------------------------------------- checks


def note(what: str) -> None:
    """Count ``what`` in hypothesis' statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        event(what)


def clean(r, *, args: tuple[str, ...]) -> bool:
    """The command ended cleanly: exit 0, or exit 1/2 with exactly one ``error:`` line that is no
    internal error. Never a traceback. Returns whether it succeeded."""
    where = f"ruledisc {' '.join(map(repr, args))}"
    assert r.exception is None or isinstance(r.exception, SystemExit), \
        f"{where}: uncaught {type(r.exception).__name__}: {r.exception!r}\nstderr: {r.stderr}"
    assert "Traceback" not in r.stdout and "Traceback" not in r.stderr, f"{where}: traceback\n{r.stderr}"
    if r.exit_code == 0:
        return True
    lines = r.stderr.splitlines()
    assert r.exit_code in (1, 2), f"{where}: exit {r.exit_code}; stderr {r.stderr!r}"
    assert len(lines) == 1 and lines[0].startswith("error: "), f"{where}: not one error line: {r.stderr!r}"
    assert "internal error" not in lines[0], f"{where}: {lines[0]}"
    return False


def run_ok(*args: str) -> str:
    """Run the CLI; it must succeed. Returns stdout."""
    r = invoke(*args)
    ok = clean(r, args=args)
    assert ok, f"ruledisc {' '.join(map(repr, args))}: exit {r.exit_code}: {r.stderr.strip()}"
    return r.stdout


def user_tables(path: Path) -> dict[str, list[tuple]]:
    """Every table of schema main and its rows, sorted (what ruledisc must never change)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE "
                                           "table_schema = 'main' ORDER BY table_name").fetchall()]
        return {n: con.execute(f"SELECT * FROM main.{q(n)} ORDER BY ALL").fetchall() for n in names}
    finally:
        con.close()


def stored(path: Path, schema: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(target, rule_text) rows of ``<schema>.rules`` and the view names of ``schema``."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(f"SELECT target, rule_text FROM {q(schema)}.rules ORDER BY target, rule_no").fetchall()
        views = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                                           "AND table_type = 'VIEW' ORDER BY table_name", [schema]).fetchall()]
        return rows, views
    finally:
        con.close()


def view_keys(path: Path, schema: str, view: str, key: str) -> list[int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute(f"SELECT {q(key)} FROM {q(schema)}.{q(view)} ORDER BY 1").fetchall()]
    finally:
        con.close()


def background_arg(w: World) -> tuple[str, ...]:
    """``--background K`` where the comma-separated list can spell K (no comma, no blanks at
    its ends); else no restriction (then T's other column may explain the target as well)."""
    if "," in w.k_table or w.k_table != w.k_table.strip():
        return ()
    return ("--background", w.k_table)


def check_rule(w: World, name: str, text: str, restricted: bool) -> None:
    """The stored rule is ``<name>(X) :- K.k(X, ks[0]).`` with --background K; without it,
    one literal (``P(X)`` or ``T.cat(X, cats[0])`` explain the flag as well). Either way the
    union view is checked to hold exactly the planted rows."""
    rule = parse_rule(text)
    assert rule.head.pred == name, (rule.head.pred, name)
    assert len(rule.body) == 1, text
    if restricted:   # K's only predicate with a constant: k(key, value)
        lit = rule.body[0]
        assert isinstance(lit, Atom) and len(lit.args) == 2, text
        assert lit.args[1] == Const(w.ks[0]), (lit.args[1], w.ks[0], text)


# --------------------------------------------------------------------------- the round trip


def round_trip(w: World, kind: Kind, root: Path, schema_refusable: bool = False) -> None:
    """mine (with --out), rules, eval, explain, apply into a copy; see the module docstring.
    ``schema_refusable``: a clean usage error about ``--schema`` is an acceptable end too."""
    db, other = root / "db.duckdb", root / "other.duckdb"
    w.build(db)
    shutil.copyfile(db, other)
    before = user_tables(db)
    spec, parts = w.spec(kind)
    assert parse_spec(spec)[:len(parts)] == parts       # the spec names the target's parts
    sch = ("--schema", w.schema)
    bg = background_arg(w)
    out = root / "rules.json"
    mine = ("mine", str(db), "--target", spec, "--max-body", "1", "--epochs", "40", "--quiet", *bg, *sch,
            "--out", str(out))
    r = invoke(*mine)
    ok = clean(r, args=mine)
    if w.schema.lower() in REFUSED_SCHEMAS or (schema_refusable and not ok):
        assert not ok and r.exit_code == 2 and "--schema" in r.stderr, r.stderr
        note("schema refused")
        assert user_tables(db) == before
        return
    assert ok, f"mine {spec!r} failed: {r.stderr.strip()}"
    note(f"{kind.value}: mined")

    # stored under the canonical name; one planted rule; views consistent
    rows, views = stored(db, w.schema)
    assert rows, f"mine {spec!r} stored no rules; the planted rule was not found"
    assert {t for t, _ in rows} == {spec}, rows
    assert len(rows) == 1, rows
    check_rule(w, spec, rows[0][1], bool(bg))
    assert sorted(views) == sorted([spec, f"{spec}#r1"]), views
    assert view_keys(db, w.schema, spec, w.key) == w.planted
    assert view_keys(db, w.schema, f"{spec}#r1", w.key) == w.planted

    # rules / eval / explain read it back under the same spelling
    listed = json.loads(run_ok("rules", str(db), "--target", spec, "--json", *sch))
    assert [x["target"] for x in listed] == [spec] and listed[0]["rule_text"] == rows[0][1]
    evaluated = run_ok("eval", str(db), "--target", spec, *sch, "--json")
    assert json.loads(evaluated)["f1"] == 1.0, evaluated
    fire, miss = w.planted[0], 1
    if kind is Kind.TABLE:
        for k, fires in ((fire, True), (miss, False)):
            fact = Atom(w.p_table, (Const(k),)).text()
            ex = json.loads(run_ok("explain", str(db), "--target", spec, "--fact", fact, *sch, "--json"))
            assert ex["predicted"] is fires, ex
    else:
        for k, fires in ((fire, True), (miss, False)):
            ex = json.loads(run_ok("explain", str(db), "--target", spec, "--key", str(k), *sch, "--json"))
            assert ex["predicted"] is fires, ex

    # apply the --out file to a copy without the ruledisc schema
    apply = ("apply", str(out), str(other), *sch)
    r = invoke(*apply)
    if not clean(r, args=apply) and schema_refusable:
        assert r.exit_code == 2 and "--schema" in r.stderr, r.stderr
        assert user_tables(other) == before
        return
    assert r.exit_code == 0, f"apply failed: {r.stderr.strip()}"
    rows2, views2 = stored(other, w.schema)
    assert rows2 == rows
    assert sorted(views2) == sorted(views)
    assert view_keys(other, w.schema, spec, w.key) == w.planted

    assert user_tables(db) == before
    assert user_tables(other) == before
    note(f"{kind.value}: full round trip")


schemas = st.one_of(st.just("ruledisc"), ident)

# No shrinking: one CLI round trip takes seconds, and shrinking one failure could take many
# minutes; the failing example hypothesis prints is small enough as drawn.
SETTINGS = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                    phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(Kind), ids=[k.value for k in Kind])
@SETTINGS
@given(w=worlds(schemas))
def test_any_identifier_round_trips(kind: Kind, w: World) -> None:
    with tempfile.TemporaryDirectory() as d:
        try:
            round_trip(w, kind, Path(d))
        except duckdb.CatalogException as err:   # only the fixture's own CREATE can raise this here
            assume("already exists" not in str(err))
            raise


# --------------------------------------------------------------------------- the names themselves


@settings(max_examples=300, deadline=None)
@given(table=ident, column=st.one_of(st.none(), ident), val=st.one_of(st.none(), value))
def test_target_name_parses_back(table: str, column: str | None, val: str | None) -> None:
    if column is None:
        val = None
    name = target_name(table, column, val)
    assert "#" not in _unquoted(name)
    got = parse_spec(name)
    want = (table, column, val)
    assert got == want, (name, got, want)


def _unquoted(name: str) -> str:
    """``name`` without its double-quoted parts."""
    out, inside, i = [], False, 0
    while i < len(name):
        ch = name[i]
        if ch == '"':
            if inside and name[i + 1:i + 2] == '"':
                i += 2
                continue
            inside = not inside
        elif not inside:
            out.append(ch)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------- cases the properties found

PLAIN = World("kind", "t", "p", "id", "k", "flag", "cat", ("a", "b", "c", "d"), ("w", "x", "y", "z"), 24, "ruledisc")


def _with(**changes: object) -> World:
    return World(**{**PLAIN.__dict__, **changes})


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(Kind), ids=[k.value for k in Kind])
@pytest.mark.parametrize("w", [
    _with(key="score"), _with(key="conf"), _with(flag="score"), _with(p_table="t.flag"), _with(p_table="t#r1"),
    _with(k_table="k#inv1"), _with(p_table="RULES"), _with(t_table="rules"), _with(cats=("a=b", '"q"', " v ", "")),
    _with(ks=("'", "a'b", "1", "true")), _with(ks=("l1\nl2", "b", "c", "d")), _with(schema='s"; drop table t; --'),
    _with(schema="a.b"), _with(schema="RULEDISC"), _with(k_table="e\u0301", t_table="\u00e9"),
], ids=["key-score", "key-conf", "flag-score", "table-t.flag", "table-t#r1", "table-k#inv1", "table-RULES",
        "table-rules", "values-quoted", "constants-quoted", "constant-newline", "schema-injection", "schema-dot",
        "schema-case", "combining-mark"])
def test_chosen_identifiers_round_trip(w: World, kind: Kind, tmp_path: Path) -> None:
    round_trip(w, kind, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("w", [_with(key=" "), _with(k_table="\n"), _with(t_table="\t", cat=" ")],
                         ids=["key-blank", "table-newline", "table-tab"])
def test_blank_names_survive_apply_of_mines_own_out_file(w: World, tmp_path: Path) -> None:
    """A name of blanks only is a valid DuckDB name: `mine` takes it, so `apply` of its
    ``--out`` file must take it too (not "must be a non-empty string")."""
    round_trip(w, Kind.VALUE, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("schema", ["db", "other", "system"])
def test_schema_named_like_a_catalog(schema: str, tmp_path: Path) -> None:
    """``--schema`` equal to the database's own catalog name (the file's stem: ``db`` for
    db.duckdb, ``other`` for the copy) or DuckDB's ``system``: the run works, or is refused
    up front as a usage error; never "ruledisc built a query the database rejected"."""
    round_trip(_with(schema=schema), Kind.COLUMN, tmp_path, schema_refusable=True)


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(Kind), ids=[k.value for k in Kind])
@pytest.mark.parametrize("w", [
    _with(k_table="a", k_col="b", p_table="a.b"),                    # table "a.b" vs attribute a.b
    _with(k_table="a", k_col="b.c", t_table="a.b", cat="c"),         # attribute "a"."b.c" vs "a.b"."c"
], ids=["table-vs-attribute", "attribute-vs-attribute"])
def test_predicate_names_of_dotted_tables_do_not_clash(w: World, kind: Kind, tmp_path: Path) -> None:
    """A table ``a.b`` and the column ``b`` of table ``a`` are different predicates: the
    planted rule over ``a.b`` (the column) must be found whatever other tables exist."""
    round_trip(w, kind, tmp_path)
