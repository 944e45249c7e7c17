"""Bad rules files and bad Prolog task files: every one ends in one clean error line.

A ``.dl`` or rules JSON that does not parse or holds a field of the wrong type or
range, and a Prolog term nested too deep, end with exactly one ``error: ...`` line
naming the file and the spot or field, exit 1 (bad file) or 2 (Datalog syntax), no
traceback, the database byte-identical. Property tests mutate valid files at random
(bytes, tokens, JSON values and keys) and require exactly that, or a valid result.
"""

from __future__ import annotations

import copy
import json
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from clihelp import DATA, USAGE, Unchanged, assert_error, invoke, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruledisc.errors import PrologSyntaxError, RuleSyntaxError, UsageError
from ruledisc.parse import parse_program, parse_rule
from ruledisc.prolog import MAX_NESTING, read_clauses, read_terms
from ruledisc.rulesfile import MAX_BODY, load_rules

SAMPLES = Path(__file__).resolve().parent.parent / "sample_dbs"

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
# the same target through an invented predicate (``<target>#inv<k>``)
VALID_JSON_INVENTED: dict[str, Any] = {
    **VALID_JSON,
    "rules": [{"text": "grandmother(X, Y) :- female(X), grandmother#inv1(X, Y).", "weight": 1.0, "support": 474,
               "confidence": 1.0}],
    "invented": [{"name": "grandmother#inv1", "head": "grandmother#inv1(X, Y)",
                  "head_columns": [{"name": "a0", "type": "VARCHAR"}, {"name": "a1", "type": "VARCHAR"}],
                  "rules": ["grandmother#inv1(X, Y) :- parent(X, Z), parent(Z, Y)."], "sql": "", "facts": 0}],
    "predicates": {k: VALID_JSON["predicates"][k] for k in ("female", "parent")},
}
VALID_DL = """% grandparents, by hand
.decl grandmother(grandmother: VARCHAR, grandchild: VARCHAR)
grandmother(X, Y) :- female(X), parent(X, Z), parent(Z, Y).
gp(X, Y) :- parent(X, Z), parent(Z, Y), X != Y.
old_man(X) :- gp(X, Y), male(X).
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sample_dbs/family.sql`` as a closed DuckDB file; tests copy it."""
    path = tmp_path_factory.mktemp("bad_files") / "family.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.execute((SAMPLES / "family.sql").read_text())
    finally:
        con.close()
    return path


@pytest.fixture
def family(template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "db" / "family.duckdb"
    db.parent.mkdir()
    shutil.copyfile(template, db)
    return db


def write_json(path: Path, d: Any) -> Path:
    path.write_text(json.dumps(d))
    return path


# --------------------------------------------------------------------------- Datalog syntax


MISSING_PERIOD = "grandmother(X, Y) :- female(X), parent(X, Z), parent(Z, Y)"


@pytest.mark.parametrize("text", [
    MISSING_PERIOD + "\n",          # the report: IndexError
    MISSING_PERIOD,
    MISSING_PERIOD + "\n\n\n",
    MISSING_PERIOD + "\r\n",
    MISSING_PERIOD + "  % no period\n",
], ids=["newline", "no-newline", "blank-lines", "crlf", "comment"])
def test_dl_last_rule_without_period(tmp_path: Path, family: Path, text: str) -> None:
    rules = tmp_path / "bad.dl"
    rules.write_text(text)
    with Unchanged(family):
        r = invoke("apply", rules, family)
        assert_error(r, USAGE, "bad.dl", f"line 1, column {len(MISSING_PERIOD) + 1}", "expected '.', found end of input")


@pytest.mark.parametrize("text, fragment", [
    ("a(X) :- b(X).\nc(X) :- d(X)\n", "line 2, column 13: expected '.', found end of input: 'c(X) :- d(X)'"),
    ("a(X) :- b(X).\n\nc(X) :- d(X) e(X).", "line 3, column 14: expected '.', found 'e'"),
    ("a(X :- b(X).", "line 1, column 5: expected ')', found ':-'"),
    ("a(X) :- ", "line 1, column 8: expected a variable or constant, found end of input"),
    ("a(X) :- b(X), X", "line 1, column 16: expected a comparison operator, found end of input"),
    ("a(X) :- b(X), X <", "line 1, column 18: expected a variable or constant, found end of input"),
    ("a(X) :- b(X) @ c.", "line 1, column 14: unexpected character '@'"),
    (".decl a(x", "line 1, column 10: expected ':', found end of input"),
    (".decl a(x:", "line 1, column 11: expected a column type, found end of input"),
    (".decl", "line 1, column 6: expected a predicate name, found end of input"),
    ("a(X) :- b(X).\f\nc(Y", "line 2, column 4: expected ')', found end of input"),
    ("a(X, Y) :- b(X).", "line 1, column 1: every head variable"),
])
def test_datalog_errors_point_at_the_spot(text: str, fragment: str) -> None:
    with pytest.raises(RuleSyntaxError) as err:
        parse_program(text)
    assert fragment in str(err.value)


@pytest.mark.parametrize("bad", [None, 5, b"a(X) :- b(X).", ["a(X) :- b(X)."]])
def test_parse_rule_wants_text(bad: object) -> None:
    with pytest.raises(UsageError, match="takes the rule text as a str"):
        parse_rule(bad)  # type: ignore[arg-type]


def test_dl_bad_decl_type(tmp_path: Path, family: Path) -> None:
    rules = tmp_path / "typed.dl"
    rules.write_text(".decl gp(a: symbol, b: VARCHAR)\ngp(X, Y) :- parent(X, Z), parent(Z, Y).\n")
    with Unchanged(family):
        assert_error(invoke("apply", rules, family), DATA, "typed.dl", "column a", "'symbol'", "not an SQL type")


def test_dl_decl_arity(tmp_path: Path, family: Path) -> None:
    rules = tmp_path / "typed.dl"
    rules.write_text(".decl gp(a: VARCHAR)\ngp(X, Y) :- parent(X, Z), parent(Z, Y).\n")
    with Unchanged(family):
        assert_error(invoke("apply", rules, family), DATA, "typed.dl", "1 column(s)", "2 argument(s)")


def test_dl_body_too_long(tmp_path: Path, family: Path) -> None:
    rules = tmp_path / "long.dl"
    rules.write_text("g(X) :- " + ", ".join(["parent(X, Y)"] * (MAX_BODY + 1)) + ".\n")
    with Unchanged(family):
        assert_error(invoke("apply", rules, family), DATA, "long.dl", f"{MAX_BODY + 1} literals",
                     f"at most {MAX_BODY}")


# --------------------------------------------------------------------------- rules JSON fields


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """A mutation: put ``value`` at the dotted ``path`` (list indices as numbers)."""
    def go(d: dict) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for p in parents:
            d = d[p]
        d[last] = value
    return go


def _drop(path: str) -> Callable[[dict], None]:
    def go(d: dict) -> None:
        *parents, last = path.split(".")
        for p in parents:
            d = d[int(p) if p.isdigit() else p]
        del d[last]
    return go


BAD_FIELDS: list[tuple[str, Callable[[dict], None], tuple[str, ...]]] = [
    ("weight-string", _set("rules.0.weight", "heavy"), ("rules[0].weight", '"heavy"')),
    ("weight-nan", _set("rules.0.weight", math.nan), ("rules[0].weight", "NaN")),
    ("weight-inf", _set("rules.1.weight", math.inf), ("rules[1].weight", "Infinity")),
    ("weight-bool", _set("rules.0.weight", True), ("rules[0].weight", "a boolean")),
    ("support-negative", _set("rules.0.support", -5), ("rules[0].support", "whole number")),
    ("support-over-int64", _set("rules.0.support", 2**63), ("rules[0].support", "2^63 - 1")),
    ("weight-huge-int", _set("rules.0.weight", 10**400), ("rules[0].weight", "finite number")),
    ("support-fraction", _set("rules.0.support", 1.5), ("rules[0].support", "whole number")),
    ("confidence-over-1", _set("rules.0.confidence", 1.5), ("rules[0].confidence", "from 0 to 1")),
    ("precision-negative", _set("rules.1.precision", -0.1), ("rules[1].precision", "from 0 to 1")),
    ("recall-string", _set("rules.0.recall", "x"), ("rules[0].recall",)),
    ("head-coverage-list", _set("rules.0.head_coverage", []), ("rules[0].head_coverage",)),
    ("pca-nan", _set("rules.0.pca_confidence", math.nan), ("rules[0].pca_confidence",)),
    ("type-garbage", _set("head_columns.0.type", "NOT A TYPE(("), ("head_columns[0].type", "not an SQL type")),
    ("type-duckdb-refuses", _set("head_columns.1.type", "DECIMAL(2,5)"),
     ("head_columns[1].type", "DuckDB cannot use it")),
    ("type-trailing-sql", _set("head_columns.0.type", "VARCHAR; DROP TABLE parent"),
     ("head_columns[0].type", "not an SQL type")),
    ("type-number", _set("head_columns.0.type", 5), ("head_columns[0].type",)),
    ("column-name-empty", _set("head_columns.0.name", ""), ("head_columns[0].name",)),
    ("column-name-twice", _set("head_columns.1.name", "GRANDMOTHER"), ("head_columns[1].name", "two columns")),
    ("columns-string", _set("head_columns", "x"), ("head_columns must be a list",)),
    ("columns-too-few", lambda d: d["head_columns"].pop(), ("1 column(s)", "2 argument(s)")),
    ("rules-string", _set("rules", "x"), ("rules must be a list", '"x"')),
    ("rules-missing", _drop("rules"), ("rules must be a list", "null")),
    ("rule-number", _set("rules.0", 5), ("rules[0] must be an object",)),
    ("text-number", _set("rules.0.text", 5), ("rules[0].text",)),
    ("text-garbage", _set("rules.1.text", "grandmother(X, Y) :-"), ("rules[1].text", "bad rule text")),
    ("body-too-long", _set("rules.0.text", "grandmother(X, Y) :- " + ", ".join(["parent(X, Y)"] * 101) + "."),
     ("rules[0].text", "101 literals")),
    ("target-missing", _drop("target"), ("target must be a non-empty string",)),
    ("target-number", _set("target", 7), ("target",)),
    ("predicates-string", _set("predicates", "x"), ("predicates must be",)),
    ("predicate-number", _set("predicates.parent", 5), ('predicates["parent"]',)),
    ("predicate-table", _set("predicates.parent.table", None), ('predicates["parent"].table',)),
    ("predicate-columns", _set("predicates.parent.columns", []), ('predicates["parent"].columns',)),
    ("predicate-kind", _set("predicates.parent.kind", "x"), ('predicates["parent"].kind',)),
    ("invented-number", _set("invented", 3), ("invented must be a list",)),
    ("invented-entry", _set("invented", [5]), ("invented[0] must be an object",)),
    ("invented-no-rules", _set("invented", [{"name": "gm_inv1"}]), ("invented[0].rules must be a list",)),
    ("no-rules-no-columns", lambda d: (d.__setitem__("rules", []), d.pop("head_columns")),
     ("head_columns is missing",)),
    ("all-relations-no-targets", _set("all_relations", True), ("no 'targets' list",)),
]


@pytest.mark.parametrize("mutate, fragments", [(m, f) for _, m, f in BAD_FIELDS], ids=[n for n, _, _ in BAD_FIELDS])
def test_rules_json_bad_field(tmp_path: Path, family: Path, mutate: Callable[[dict], None],
                              fragments: tuple[str, ...]) -> None:
    d = copy.deepcopy(VALID_JSON)
    mutate(d)
    rules = write_json(tmp_path / "rules.json", d)
    with Unchanged(family):
        assert_error(invoke("apply", rules, family), DATA, "rules.json", *fragments)


@pytest.mark.parametrize("doc, fragment", [
    ([1, 2], "expected an object, found a list"),
    ("rules", "expected an object, found a string"),
    (None, "expected an object, found null"),
])
def test_rules_json_not_an_object(tmp_path: Path, family: Path, doc: Any, fragment: str) -> None:
    rules = write_json(tmp_path / "rules.json", doc)
    with Unchanged(family):
        assert_error(invoke("apply", rules, family), DATA, "rules.json", fragment)


def test_invented_names_read_back() -> None:
    rule = parse_rule("t.c#inv1(X, Y) :- succ(X, Z), t.c#inv2(Z, Y).")
    assert (rule.head.pred, rule.body[1].pred) == ("t.c#inv1", "t.c#inv2")
    assert parse_rule(rule.text()) == rule


def test_rules_json_nested_too_deep(tmp_path: Path, family: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text("[" * 100_000 + "]" * 100_000)
    with Unchanged(family):
        assert_error(invoke("apply", rules, family), DATA, "rules.json", "not a ruledisc rules file")


@pytest.mark.parametrize("command", ["eval", "explain"])
@pytest.mark.parametrize("mutate, fragments", [
    (_set("rules.0.weight", "heavy"), ("rules[0].weight",)),
    (_set("head_columns.0.type", "NOT A TYPE(("), ("head_columns[0].type",)),
], ids=["weight", "type"])
def test_eval_and_explain_check_the_file(tmp_path: Path, family: Path, command: str,
                                         mutate: Callable[[dict], None], fragments: tuple[str, ...]) -> None:
    d = copy.deepcopy(VALID_JSON)
    mutate(d)
    rules = write_json(tmp_path / "rules.json", d)
    extra = ["--fact", "grandmother(beth1, ann72)"] if command == "explain" else []
    with Unchanged(family):
        r = invoke(command, family, "--target", "grandmother", "--rules", rules, *extra)
        assert_error(r, DATA, "rules.json", *fragments)


def test_head_differs_from_target(tmp_path: Path, family: Path) -> None:
    d = copy.deepcopy(VALID_JSON)
    d["target"] = "grandparent"
    rules = write_json(tmp_path / "rules.json", d)
    with Unchanged(family):
        assert_error(invoke("apply", rules, family), DATA, "rules.json", "rules[0].text", "'grandmother'",
                     "'grandparent'")


def test_invented_head_differs_from_its_name(tmp_path: Path, family: Path) -> None:
    d = copy.deepcopy(VALID_JSON)
    d["invented"] = [{"name": "gm_inv1", "rules": ["other(X) :- male(X)."],
                      "head_columns": [{"name": "a0", "type": "VARCHAR"}]}]
    rules = write_json(tmp_path / "rules.json", d)
    with Unchanged(family):
        assert_error(invoke("apply", rules, family), DATA, "rules.json", "invented[0].rules[0]", "'other'",
                     "'gm_inv1'")


@pytest.mark.parametrize("doc, typ", [(VALID_JSON, "VARCHAR"), (VALID_JSON, "TEXT"), (VALID_JSON, "VARCHAR(20)"),
                                      (VALID_JSON_INVENTED, "VARCHAR")], ids=["varchar", "text", "varchar20", "invented"])
def test_valid_rules_json_applies(tmp_path: Path, family: Path, doc: dict[str, Any], typ: str) -> None:
    d = copy.deepcopy(doc)
    d["head_columns"][0]["type"] = typ
    r = invoke("apply", write_json(tmp_path / "rules.json", d), family)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    con = duckdb.connect(str(family), read_only=True)
    try:
        n = con.execute('SELECT count(*) FROM ruledisc.grandmother').fetchone()[0]
    finally:
        con.close()
    assert n == 474


def test_valid_dl_applies(tmp_path: Path, family: Path) -> None:
    rules = tmp_path / "gp.dl"
    rules.write_text(VALID_DL)
    assert [s.target for s in load_rules(rules)] == ["grandmother", "gp", "old_man"]
    r = invoke("apply", rules, family)
    assert r.exit_code == 0, r.stderr


# --------------------------------------------------------------------------- Prolog nesting


def _nested(depth: int, open_: str = "f(", close: str = ")") -> str:
    return open_ * depth + "a" + close * depth


@pytest.mark.parametrize("term", [
    _nested(3000),
    _nested(3000, "[", "]"),
    _nested(3000, "(", ")"),
    _nested(3000, "{", "}"),
    _nested(3000, "\\+ ", ""),
    _nested(MAX_NESTING + 1),
], ids=["compound", "list", "brackets", "braces", "prefix-op", "just-over"])
def test_prolog_nesting_too_deep(term: str) -> None:
    with pytest.raises(PrologSyntaxError, match=f"bk.pl:2: term nesting deeper than {MAX_NESTING} levels"):
        read_clauses(f"p(a).\np({term}).\n", "bk.pl")


def test_prolog_nesting_at_the_limit_reads() -> None:
    (c,) = read_terms(f"p({_nested(MAX_NESTING - 1)}).")
    assert c.text() == f"p({_nested(MAX_NESTING - 1)})."


def test_prolog_long_chains_read_and_print() -> None:
    body = ", ".join(f"q{i}(X)" for i in range(5000))
    (c,) = read_terms(f"p(X) :- {body}.")
    assert c.text() == f"p(X) :- {body}."
    sums = " + ".join(["1"] * 5000) + " - 2"
    (c,) = read_terms(f"p({sums}).")
    assert c.text() == f"p({sums})."
    alts = " ; ".join(f"q{i}" for i in range(5000))
    (c,) = read_terms(f"p :- {alts}.")
    assert c.text() == f"p :- {alts}."


def _task(root: Path, **files: str) -> Path:
    root.mkdir()
    for name, text in files.items():
        (root / name.replace("_", ".")).write_text(text)
    return root


@pytest.mark.parametrize("where", ["bk_pl", "exs_pl"])
def test_import_popper_deep_term(tmp_path: Path, where: str) -> None:
    files = {"bk_pl": "p(a).\n", "exs_pl": "pos(t(a)).\n"}
    files[where] += f"p({_nested(3000)}).\n" if where == "bk_pl" else f"pos(t({_nested(3000)})).\n"
    task = _task(tmp_path / "task", **files)
    out = tmp_path / "out.duckdb"
    assert_error(invoke("import-popper", task, out), DATA, where.replace("_", ".") + ":2",
                 f"nesting deeper than {MAX_NESTING}")
    assert not out.exists()


@pytest.mark.parametrize("where", ["x_b", "x_f", "x_n"])
def test_import_aleph_deep_term(tmp_path: Path, where: str) -> None:
    files = {"x_b": "p(a).\n", "x_f": "t(a).\n", "x_n": "t(b).\n"}
    files[where] += f"t({_nested(3000)}).\n"
    task = _task(tmp_path / "task", **files)
    out = tmp_path / "out.duckdb"
    assert_error(invoke("import-aleph", task, out), DATA, where.replace("_", ".") + ":2",
                 f"nesting deeper than {MAX_NESTING}")
    assert not out.exists()


def test_import_popper_long_body_is_skipped(tmp_path: Path) -> None:
    body = ", ".join(["p(X)"] * 3000)
    task = _task(tmp_path / "task", bk_pl=f"p(a).\nq(X) :- {body}.\n", exs_pl="pos(t(a)).\nneg(t(b)).\n")
    r = invoke("import-popper", task, tmp_path / "out.duckdb", "--quiet")
    assert r.exit_code == 0, r.stderr
    assert "q/1: bk.pl:2: not Datalog: a body of 3000 goals" in r.stdout


# --------------------------------------------------------------------------- property tests


def _apply_is_clean(template: Path, text: str, suffix: str) -> None:
    """``ruledisc apply`` of ``text``: exit 0, or one clean error line and the DB unchanged."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db" / "family.duckdb"
        db.parent.mkdir()
        shutil.copyfile(template, db)
        rules = Path(tmp) / f"rules{suffix}"
        rules.write_text(text, encoding="utf-8")
        before = snapshot(db)
        r = invoke("apply", rules, db)
        if r.exit_code == 0:
            assert r.exception is None, repr(r.exception)
            assert "Traceback" not in r.stderr and "internal error" not in r.stderr
            return
        assert r.exit_code in (DATA, USAGE), f"exit {r.exit_code}: {r.stderr!r}\n{text[:2000]}"
        assert_error(r, r.exit_code)
        assert snapshot(db) == before, f"DB changed by a failed apply: {r.stderr!r}"


_CHARS = st.characters(blacklist_categories=("Cs",))
_NOISE = st.one_of(st.sampled_from(list("().,:-!=<>'\"%/ \n\t\\_XYZabc019[]{}#;")) | st.sampled_from(
    [":-", ".decl", "%", "\"", "''", "NaN", "null", "-1", "1e999", "VARCHAR", "grandmother", "\u00e9", "\u2028"]),
    st.text(_CHARS, min_size=1, max_size=3))
_PIECES = re.compile(r"\w+|\s+|.", re.S)


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> str:
    """1-3 of: delete a span, insert noise, duplicate a span, truncate, swap two tokens."""
    for _ in range(draw(st.integers(1, 3))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 12)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "truncate", "swap"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(_NOISE) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "truncate":
            text = text[:i]
        else:
            pieces = _PIECES.findall(text)
            words = [k for k, p in enumerate(pieces) if not p.isspace()]
            if len(words) >= 2:
                a, b = draw(st.sampled_from(words)), draw(st.sampled_from(words))
                pieces[a], pieces[b] = pieces[b], pieces[a]
                text = "".join(pieces)
    return text


_JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**65), 2**65), st.sampled_from([-1, 0, 1, 2**63, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "heavy", "NOT A TYPE((", "DECIMAL(2,5)", "VARCHAR", "BIGINT", "grandparent", "grandmother",
                     "relation", "attribute", "parent", GM_RULE, "grandmother(X, Y) :- parent(X, Y).",
                     "x(X) :- y(X)", "'; DROP TABLE parent; --", "\u00e9\n"]),
    st.text(_CHARS, max_size=8),
    st.lists(st.integers(-2, 2), max_size=2),
    st.dictionaries(st.sampled_from(["name", "type", "text", "table", "columns"]), st.integers(), max_size=2),
)


def _paths(node: Any, at: tuple = ()) -> Iterator[tuple]:
    """The path of every value under ``node`` (dict keys, list indices)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield at + (k,)
        yield from _paths(v, at + (k,))


@st.composite
def json_mutation(draw: st.DrawFn, doc: dict[str, Any]) -> str:
    """1-3 of: delete a key or item, replace a value (any JSON type), duplicate a list item;
    or a byte-level mutation of the JSON text."""
    if draw(st.integers(0, 4)) == 0:
        return draw(text_mutation(json.dumps(doc, indent=1)))
    d = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(d))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = d
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        op = draw(st.sampled_from(["delete", "replace", "replace", "duplicate"]))
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(_JSON_VALUES)
        elif isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
    return json.dumps(d)


# about 5 s each: no ``slow`` mark
_PROPERTY = settings(max_examples=60, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_PROPERTY
@given(data=st.data())
def test_mutated_rules_json_is_clean(template: Path, data: st.DataObject) -> None:
    doc = data.draw(st.sampled_from([VALID_JSON, VALID_JSON_INVENTED]))
    _apply_is_clean(template, data.draw(json_mutation(doc)), ".json")


@_PROPERTY
@given(data=st.data())
def test_mutated_datalog_is_clean(template: Path, data: st.DataObject) -> None:
    _apply_is_clean(template, data.draw(text_mutation(VALID_DL)), ".dl")
