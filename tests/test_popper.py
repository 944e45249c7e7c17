"""Popper tasks -> DuckDB: the Prolog reader, tables, Datalog bk rules in SQL, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import ruledisc
from ruledisc.cli import app
from ruledisc.errors import DataError, PrologSyntaxError, UsageError
from ruledisc.popper import import_popper
from ruledisc.prolog import PStr, PVar, Struct, read_clauses, show

# kinship-pi from Popper's examples, verbatim
KINSHIP_BK = """mother(ann,amy).
mother(ann,andy).
mother(amy,amelia).
mother(linda,gavin).
father(steve,amy).
father(steve,andy).
father(gavin,amelia).
father(andy,spongebob)."""
KINSHIP_EXS = """pos(grandparent(ann,amelia)).
pos(grandparent(steve,amelia)).
pos(grandparent(ann,spongebob)).
pos(grandparent(steve,spongebob)).
pos(grandparent(linda,amelia)).
neg(grandparent(amy,amelia))."""
KINSHIP_BIAS = """max_vars(4).
max_body(3).
max_clauses(3).
enable_pi.

head_pred(grandparent,2).
body_pred(mother,2).
body_pred(father,2)."""

FAMILY_BK = """% a family, with Datalog and non-Datalog background rules
parent(ann, bob).   parent(bob, 'Carl Jr').
parent('Carl Jr', dora).  /* a block
comment */
age(ann, 71). age(bob, 45). age('Carl Jr', 20). age(dora, -1).
height(ann, 1.62). height(bob, 2).
ancestor(X, Y) :- parent(X, Y).
ancestor(X, Y) :- parent(X, Z), ancestor(Z, Y).
older(X, Y) :- age(X, A), age(Y, B), A > B, X \\= Y.
senior(X) :- age(X, A), A >= 45.
known(dora).
known(X) :- parent(X, _).
len([], 0).
len([_|T], N) :- len(T, M), N is M + 1.
even(X) :- 0 is X mod 2.
odd(X) :- \\+ even(X).
last_of(L, X) :- append(_, [X], L).
p(X) :- q(X).
q(X) :- p(X).
q(ann).
tag(X, yes) :- senior(X).
self(X, Y) :- parent(X, _), Y = X.
:- dynamic foo/1.
"""
FAMILY_EXS = """pos(grandparent(ann, 'Carl Jr')).
pos(grandparent(bob, dora)).
neg(grandparent(ann, bob)).
neg(grandparent(dora, ann)).
"""
FAMILY_BIAS = """head_pred(grandparent,2).
body_pred(parent,2).
body_pred(ancestor,2).
body_pred(len,2).
type(parent,(person,person)).
type(role,(agent,)).
max_body(9).
enable_recursion.
:- clause(C), #count{V : var_type(C,V,ex)} != 1.
"""


def task(root: Path, bk: str, exs: str, bias: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "bk.pl").write_text(bk)
    (root / "exs.pl").write_text(exs)
    if bias is not None:
        (root / "bias.pl").write_text(bias)
    return root


def rows(db: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute(f'SELECT * FROM main."{table}"').fetchall())
    finally:
        con.close()


def types(db: Path, table: str) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[1] for r in con.execute(f'DESCRIBE main."{table}"').fetchall()]
    finally:
        con.close()


# --------------------------------------------------------------------------- reader


def test_reader_terms_operators_lists_comments() -> None:
    src = """% comment
    p('New York', "str", -3, 2.5, 0'a, [a, b|T], []). /* block */
    r(X) :- q(X, Y), \\+ s(Y), ( X = 1 ; X =< -2 ), Z is X * 2 + 1 mod 3, Z \\== 4.
    :- dynamic p/7.
    """
    read = read_clauses(src, "t.pl")
    assert read.directives == 1
    fact, rule = read.clauses
    assert fact.line == 2 and rule.line == 3
    assert fact.term == Struct("p", ("New York", PStr("str"), -3, 2.5, 97,
                                     Struct(".", ("a", Struct(".", ("b", PVar("T"))))), "[]"))
    head, body = rule.head, rule.body
    assert head == Struct("r", (PVar("X"),))
    goals = show(body)
    assert goals == "q(X, Y), \\+ s(Y), (X = 1 ; X =< -2), Z is X * 2 + 1 mod 3, Z \\== 4"
    # precedence: mod binds tighter than +, * tighter than +
    z_is = body.args[1].args[1].args[1].args[0]
    assert z_is == Struct("is", (PVar("Z"), Struct("+", (Struct("*", (PVar("X"), 2)), Struct("mod", (1, 3))))))


def test_reader_anonymous_variables_are_distinct() -> None:
    (c,) = read_clauses("p(_, _, X, X).").clauses
    a, b, x1, x2 = c.term.args
    assert a != b and x1 == x2 == PVar("X")


@pytest.mark.parametrize("src, line, fragment", [
    ("p(a).\nq(b)\n", 2, "unterminated clause"),
    ("p(a).\n\nq('abc).\n", 3, "unterminated quoted atom"),
    ("p(a).\n/* never closed\nq(b).\n", 2, "unterminated /* comment"),
    ("p(a).\nq(b c).\n", 2, "expected ')'"),
    ("p(a).\n#T1\nr(a).\n", 2, "operator expected"),
    ("p(a).\nq(a) :- .\n", 2, "unexpected"),
])
def test_reader_errors_name_file_and_line(src: str, line: int, fragment: str) -> None:
    with pytest.raises(PrologSyntaxError) as err:
        read_clauses(src, "bk.pl")
    assert str(err.value).startswith(f"bk.pl:{line}: ") and fragment in str(err.value)
    assert isinstance(err.value, ruledisc.SourceError)


# --------------------------------------------------------------------------- import


@pytest.fixture
def family(tmp_path: Path) -> tuple[Path, ruledisc.popper.ImportReport]:
    out = tmp_path / "family.duckdb"
    rep = import_popper(task(tmp_path / "family", FAMILY_BK, FAMILY_EXS, FAMILY_BIAS), out)
    return out, rep


def test_facts_become_typed_tables(family) -> None:
    db, rep = family
    assert rows(db, "parent") == [("Carl Jr", "dora"), ("ann", "bob"), ("bob", "Carl Jr")]
    assert rows(db, "age") == [("Carl Jr", 20), ("ann", 71), ("bob", 45), ("dora", -1)]
    assert types(db, "age") == ["VARCHAR", "BIGINT"]
    assert rows(db, "height") == [("ann", 1.62), ("bob", 2.0)]
    assert types(db, "height") == ["VARCHAR", "DOUBLE"]
    info = {t.name: (t.kind, t.rows) for t in rep.tables}
    assert info["parent"] == ("facts", 3) and info["age"] == ("facts", 4)
    assert rep.directives == 1


def test_datalog_rules_are_evaluated_to_their_fixpoint(family) -> None:
    db, rep = family
    assert rows(db, "ancestor") == [("Carl Jr", "dora"), ("ann", "Carl Jr"), ("ann", "bob"), ("ann", "dora"),
                                    ("bob", "Carl Jr"), ("bob", "dora")]
    assert rows(db, "older") == [("Carl Jr", "dora"), ("ann", "Carl Jr"), ("ann", "bob"), ("ann", "dora"),
                                 ("bob", "Carl Jr"), ("bob", "dora")]
    assert rows(db, "senior") == [("ann",), ("bob",)]
    assert rows(db, "known") == [("Carl Jr",), ("ann",), ("bob",), ("dora",)]  # its fact plus its rule
    assert rows(db, "tag") == [("ann", "yes"), ("bob", "yes")]  # reads another derived table
    assert rows(db, "self") == [("Carl Jr", "Carl Jr"), ("ann", "ann"), ("bob", "bob")]  # Y = X bound
    assert {t.name: t.kind for t in rep.tables}["ancestor"] == "rules"


def test_non_datalog_rules_are_skipped_with_reasons(family) -> None:
    db, rep = family
    skipped = {s.item: s.reason for s in rep.skipped}
    assert skipped["len/2"] == "bk.pl:13: a list argument"
    assert skipped["even/1"] == "bk.pl:15: not Datalog: arithmetic (is/2)"
    assert skipped["odd/1"] == "bk.pl:16: not Datalog: negation (\\+)"
    assert "append/3" in skipped["last_of/2"]
    assert "mutual recursion" in skipped["p/1"] and "mutual recursion" in skipped["q/1"]
    con = duckdb.connect(str(db), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert tables == {"parent", "age", "height", "ancestor", "older", "senior", "known", "tag", "self",
                      "grandparent", "grandparent_neg"}


def test_examples_and_suggested_command(family) -> None:
    db, rep = family
    assert rows(db, "grandparent") == [("ann", "Carl Jr"), ("bob", "dora")]
    assert rows(db, "grandparent_neg") == [("ann", "bob"), ("dora", "ann")]
    (t,) = rep.targets
    assert (t.table, t.negatives, t.n_positives, t.n_negatives) == ("grandparent", "grandparent_neg", 2, 2)
    assert t.background == ["parent", "ancestor"]  # len/2 was skipped
    assert t.command == (f"ruledisc mine {db} --target grandparent --negatives grandparent_neg "
                         "--background parent,ancestor --max-body 6")
    assert rep.bias.recursion and rep.bias.max_body == 9 and rep.bias.types[("role", 1)] == ("agent",)
    assert any("len/2 left out" in n for n in rep.notes) and any("clamped to 6" in n for n in rep.notes)
    assert rep.commands == [t.command]


def test_no_negatives_no_neg_table_and_types_unified(tmp_path: Path) -> None:
    d = task(tmp_path / "t", "num(a, 1).\nnum(b, 2).\n", "pos(big(1)).\npos(big(x)).\n",
             "type(num,(item,n)).\ntype(big,(n,)).\n")
    out = tmp_path / "t.duckdb"
    rep = import_popper(d, out)
    assert [t.name for t in rep.tables] == ["num", "big"]
    # big mixes 1 and x, so its column is VARCHAR, and num's column of the same Popper type follows
    assert types(out, "big") == ["VARCHAR"] and types(out, "num") == ["VARCHAR", "VARCHAR"]
    assert rows(out, "num") == [("a", "1"), ("b", "2")]
    assert rep.targets[0].negatives is None and "--negatives" not in rep.targets[0].command
    assert "--recursion off" in rep.targets[0].command  # bias.pl without enable_recursion


def test_list_examples_are_skipped(tmp_path: Path) -> None:
    rep = import_popper(task(tmp_path / "t", "zero(0).\n", "pos(f([1,2],2)).\n"), tmp_path / "t.duckdb")
    assert [s.item for s in rep.skipped] == ["examples f/2"] and rep.targets == []
    assert any("no target left" in n for n in rep.notes)


def test_target_named_like_background_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "t.duckdb"
    with pytest.raises(DataError, match="'parent' is also defined in bk.pl"):
        import_popper(task(tmp_path / "t", "parent(a, b).\n", "pos(parent(a, b)).\n"), out)
    assert not out.exists()


def test_existing_table_is_refused_and_file_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "t.duckdb"
    con = duckdb.connect(str(out))
    con.execute("CREATE TABLE mother (x VARCHAR); INSERT INTO mother VALUES ('keep')")
    con.close()
    with pytest.raises(UsageError, match="already has table"):
        import_popper(task(tmp_path / "kin", KINSHIP_BK, KINSHIP_EXS, KINSHIP_BIAS), out)
    assert rows(out, "mother") == [("keep",)]
    con = duckdb.connect(str(out))
    assert con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0] == 1
    con.close()


def test_bad_file_leaves_no_new_database(tmp_path: Path) -> None:
    out = tmp_path / "t.duckdb"
    with pytest.raises(PrologSyntaxError, match="exs.pl:2"):
        import_popper(task(tmp_path / "t", KINSHIP_BK, "pos(grandparent(ann,amelia)).\npos(oops(\n"), out)
    assert list(tmp_path.glob("t.duckdb*")) == []


def test_different_arities_get_suffixed_tables(tmp_path: Path) -> None:
    out = tmp_path / "t.duckdb"
    rep = import_popper(task(tmp_path / "t", "p(a).\np(a, b).\n", "pos(f(a)).\n"), out)
    assert {t.name: t.predicate for t in rep.tables} == {"p_1": "p/1", "p_2": "p/2", "f": "f/1"}
    # no bias.pl: every bk table is background, recursion left to `mine`
    assert rep.commands == [f"ruledisc mine {out} --target f --background p_1,p_2"]


def test_import_into_existing_database_keeps_its_tables(tmp_path: Path) -> None:
    out = tmp_path / "t.duckdb"
    con = duckdb.connect(str(out))
    con.execute("CREATE TABLE other AS SELECT 1 AS x")
    con.close()
    import_popper(task(tmp_path / "kin", KINSHIP_BK, KINSHIP_EXS, KINSHIP_BIAS), out)
    assert rows(out, "other") == [(1,)] and len(rows(out, "father")) == 4


# --------------------------------------------------------------------------- CLI


def test_cli_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "out.duckdb"
    r = CliRunner().invoke(app, ["import-popper", str(tmp_path / "nope"), str(out)])
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [f"error: task folder {str(tmp_path / 'nope')!r} does not exist; "
                                     "give a folder holding bk.pl and exs.pl"]
    assert not out.exists()


def test_cli_missing_exs(tmp_path: Path) -> None:
    d = tmp_path / "t"
    d.mkdir()
    (d / "bk.pl").write_text("p(a).\n")
    r = CliRunner().invoke(app, ["import-popper", str(d), str(tmp_path / "out.duckdb")])
    assert r.exit_code == 1 and r.stderr.startswith("error: ") and "exs.pl is missing" in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_cli_prints_summary_and_command(tmp_path: Path) -> None:
    out = tmp_path / "kin.duckdb"
    d = task(tmp_path / "kin", KINSHIP_BK, KINSHIP_EXS, KINSHIP_BIAS)
    r = CliRunner().invoke(app, ["import-popper", str(d), str(out)])
    assert r.exit_code == 0, r.stderr
    assert f"ruledisc mine {out} --target grandparent --negatives grandparent_neg " \
           "--background mother,father --max-body 3 --max-vars 4 --recursion off --invention on" in r.stdout
    assert rows(out, "mother") == [("amy", "amelia"), ("ann", "amy"), ("ann", "andy"), ("linda", "gavin")]
    r = CliRunner().invoke(app, ["import-popper", "--json", str(d), str(tmp_path / "kin2.duckdb")])
    assert r.exit_code == 0, r.stderr
    rep = json.loads(r.stdout)
    assert [(t["name"], t["rows"]) for t in rep["tables"]] == [("mother", 4), ("father", 4), ("grandparent", 5),
                                                               ("grandparent_neg", 1)]
    assert rep["bias"]["max_vars"] == 4 and len(rep["commands"]) == 1


@pytest.mark.slow
def test_kinship_pi_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "kin.duckdb"
    import_popper(task(tmp_path / "kin", KINSHIP_BK, KINSHIP_EXS, KINSHIP_BIAS), out)
    # Popper needs an invented parent/2 (4 variables); flat rules need only 3
    res = ruledisc.mine(out, target="grandparent", negatives="grandparent_neg", background=("mother", "father"),
                        dry_run=True, max_vars=3)
    assert res.metrics["precision"] == res.metrics["recall"] == 1.0
    assert sorted(r.rule.key() for r in res.rules) == [
        "grandparent(X, Y) :- father(X, Z), father(Z, Y).",
        "grandparent(X, Y) :- father(X, Z), mother(Z, Y).",
        "grandparent(X, Y) :- father(Z, Y), mother(X, Z).",
        "grandparent(X, Y) :- mother(X, Z), mother(Z, Y).",
    ]
