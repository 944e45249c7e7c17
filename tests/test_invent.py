"""Predicate invention and derived predicates: templates in SQL, learning fizz,
buzz and cyclic, write-back as views, rules files with several heads."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import world_con as _con

import ruledisc
from ruledisc.bias import Bias
from ruledisc.datasets import dilp
from ruledisc.derived import dependency_order, materialise, rename_preds
from ruledisc.engine import Engine
from ruledisc.errors import SchemaError
from ruledisc.introspect import introspect
from ruledisc.invent import invent
from ruledisc.parse import parse_program, parse_rule
from ruledisc.recursion import fixpoint_query
from ruledisc.target import materialise_examples, parse_target


def _numbers(n: int) -> str:
    rows = ", ".join(f"({i}, {i + 1})" for i in range(n - 1))
    return f"CREATE TABLE zero(x BIGINT); INSERT INTO zero VALUES (0); CREATE TABLE succ(x BIGINT, y BIGINT); " \
           f"INSERT INTO succ VALUES {rows};"


@pytest.mark.parametrize("name", [t.name for t in dilp.TASKS if "inv" in t.program])
def test_reference_programs_with_invented_predicates_define_the_targets(name: str) -> None:
    """Derived predicates in dependency order, then the target's fixpoint: the
    reference programs of fizz, buzz and cyclic give exactly the generated facts."""
    task = dilp.BY_NAME[name]
    for world in (dilp.train_world(task), dilp.test_world(task)):
        con = _con(world)
        eng = Engine(con)
        cat = introspect(eng)
        prog: dict[str, list] = {}
        for r in parse_program(task.program).rules:
            prog.setdefault(r.head.pred, []).append(r)
        for n in dependency_order(prog):
            if n != task.target:
                materialise(eng, cat, n, prog[n], ["BIGINT" if name != "cyclic" else "VARCHAR"] * 2)
        table = cat.tables[task.target]
        q = fixpoint_query(prog[task.target], cat, [c.name for c in table.columns], [c.type for c in table.columns])
        got = set(con.execute(q.sql("duckdb")).fetchall())
        assert got and got == set(con.execute(f'SELECT * FROM "{task.target}"').fetchall())


def test_dependency_order_and_renaming() -> None:
    a = [parse_rule("a(X) :- b(X, Y), a(Y).")]
    b = [parse_rule("b(X, Y) :- c(X, Z), t(Z, Y).")]
    c = [parse_rule("c(X, Y) :- t(X, Y).")]
    assert dependency_order({"a": a, "b": b, "c": c}) == ["c", "b", "a"]
    with pytest.raises(SchemaError, match="define each other"):
        dependency_order({"p": [parse_rule("p(X) :- q(X).")], "q": [parse_rule("q(X) :- p(X).")]})
    assert rename_preds(a[0], {"b": "a#inv1", "a": "z"}).text() == "z(X) :- a#inv1(X, Y), z(Y)."


def test_inventions_are_distinct_relations_in_sql() -> None:
    """On succ over 0..9: +2 and the closure (<) at level 1, +3 and +4 at level 2;
    succ∘succ⁻¹ (a subset of the diagonal) and near copies of succ are dropped."""
    con = duckdb.connect()
    con.execute(_numbers(10) + "CREATE TABLE fizz(x BIGINT); INSERT INTO fizz VALUES (0), (3), (6), (9);")
    eng = Engine(con)
    cat = introspect(eng)
    target = parse_target("fizz", cat)
    materialise_examples(eng, target, cat)
    invs = invent(eng, cat, target, Bias())
    facts = {}
    for inv in invs:
        rows = con.execute(f'SELECT a0, a1 FROM temp."{inv.name}"').fetchall()
        facts[frozenset(b - a for a, b in rows)] = (inv.level, len(rows))
    assert facts == {frozenset({2}): (1, 8), frozenset(range(1, 10)): (1, 45),
                     frozenset({3}): (2, 7), frozenset({4}): (2, 6)}
    assert [r.text() for r in invs[0].rules] == ["rd_inv1(X, Y) :- succ(X, Z), succ(Z, Y)."]


def _mine_and_test(name: str, **kw) -> tuple[ruledisc.MineResult, dict]:
    task = dilp.BY_NAME[name]
    res = ruledisc.mine(_con(dilp.train_world(task)), target=task.target, dry_run=True, **kw)
    return res, task


@pytest.mark.slow
def test_fizz_invents_plus_two_and_plus_three(tmp_path: Path) -> None:
    """∂ILP's fizz program, found with two invented predicates, exact on the bigger
    test world through a rules file, and written back as views."""
    res, task = _mine_and_test("fizz")
    assert [r.text for r in res.rules] == ["fizz(X) :- zero(X).", "fizz(X) :- fizz(Y), fizz#inv1(Y, X)."]
    assert [[r.text() for r in i.rules] for i in res.invented] == [
        ["fizz#inv1(X, Y) :- succ(X, Z), fizz#inv2(Z, Y)."], ["fizz#inv2(X, Y) :- succ(X, Z), succ(Z, Y)."]]
    assert res.info["invented"] == 2 and res.info["training_errors"] == 0
    assert '"ruledisc"."fizz#inv1"' in res.rules[1].sql
    rules = tmp_path / "fizz.json"
    rules.write_text(res.to_json())
    assert json.loads(rules.read_text())["invented"][1]["name"] == "fizz#inv2"
    test = _con(dilp.test_world(task))
    m = ruledisc.evaluate(test, target="fizz", rules=rules)
    assert (m["precision"], m["recall"], m["false_positives"]) == (1.0, 1.0, 0)

    # apply to a database with only the background tables: views for each head
    db = tmp_path / "numbers.duckdb"
    _con({k: v for k, v in dilp.test_world(task).items() if k != "fizz"}, db).close()
    views = ruledisc.apply(rules, db)
    assert views[:2] == ['ruledisc.fizz', 'ruledisc."fizz#r1"'] and 'ruledisc."fizz#inv2"' in views
    con = duckdb.connect(str(db))
    got = [r[0] for r in con.execute('SELECT x FROM ruledisc.fizz ORDER BY x').fetchall()]
    assert got == [i for i in range(task.test_size) if i % 3 == 0]
    assert con.execute('SELECT count(*) FROM ruledisc."fizz#inv1" WHERE a1 - a0 <> 3').fetchone() == (0,)
    stored = con.execute("SELECT target, rule_text FROM ruledisc.rules ORDER BY target, rule_no").fetchall()
    assert stored[-1] == ("fizz#inv2", "fizz#inv2(X, Y) :- succ(X, Z), succ(Z, Y).")
    con.close()


@pytest.mark.slow
def test_mined_invented_predicates_are_stored_and_replaced(tmp_path: Path) -> None:
    """mine writes the invented views; eval reads them from the stored rules; a
    second run without invention drops them."""
    task = dilp.BY_NAME["fizz"]
    db = tmp_path / "fizz.duckdb"
    _con(dilp.train_world(task), db).close()
    res = ruledisc.mine(db, target="fizz")
    assert 'ruledisc."fizz#inv1"' in res.views
    assert ruledisc.evaluate(db, target="fizz")["f1"] == 1.0
    ruledisc.mine(db, target="fizz", invention="off", recursion="off")
    con = duckdb.connect(str(db))
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_schema = 'ruledisc'").fetchall()}
    assert not any("inv" in n for n in names)
    assert con.execute("SELECT count(*) FROM ruledisc.rules WHERE target LIKE 'fizz#inv%'").fetchone() == (0,)
    con.close()


@pytest.mark.slow
def test_cyclic_invents_the_transitive_closure() -> None:
    res, task = _mine_and_test("cyclic")
    assert [r.text for r in res.rules] == ["cyclic(X) :- cyclic#inv1(X, X)."]
    assert [r.text() for r in res.invented[0].rules] == [
        "cyclic#inv1(X, Y) :- edge(X, Y).", "cyclic#inv1(X, Y) :- edge(X, Z), cyclic#inv1(Z, Y)."]


def test_datalog_file_with_a_helper_predicate(tmp_path: Path) -> None:
    """A .dl file whose rules read another head of the file: apply writes the helper
    first and the target reads its view; eval materialises it."""
    db = tmp_path / "n.duckdb"
    con = duckdb.connect(str(db))
    con.execute(_numbers(12) + "CREATE TABLE even(x BIGINT); INSERT INTO even SELECT range * 2 FROM range(6);")
    con.close()
    dl = tmp_path / "even.dl"
    dl.write_text("even(X) :- zero(X).\neven(X) :- even(Y), plus2(Y, X).\n"
                  "plus2(X, Y) :- succ(X, Z), succ(Z, Y).\n")
    views = ruledisc.apply(dl, db)
    assert "ruledisc.plus2" in views and "ruledisc.even" in views
    con = duckdb.connect(str(db))
    assert [r[0] for r in con.execute("SELECT x FROM ruledisc.even ORDER BY x").fetchall()] == [0, 2, 4, 6, 8, 10]
    con.close()
    m = ruledisc.evaluate(db, target="even", rules=dl)
    assert (m["precision"], m["recall"]) == (1.0, 1.0)


def test_reapplying_fewer_rules_drops_the_old_rule_views(tmp_path: Path) -> None:
    db = tmp_path / "n.duckdb"
    con = duckdb.connect(str(db))
    con.execute(_numbers(5))
    con.close()
    two, one = tmp_path / "two.dl", tmp_path / "one.dl"
    two.write_text("p(X) :- zero(X).\np(X) :- succ(X, Y).\n")
    one.write_text("p(X) :- zero(X).\n")
    assert ruledisc.apply(two, db) == ['ruledisc.p', 'ruledisc."p#r1"', 'ruledisc."p#r2"']
    assert ruledisc.apply(one, db) == ['ruledisc.p', 'ruledisc."p#r1"']
    con = duckdb.connect(str(db))
    names = sorted(r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = 'ruledisc'").fetchall())
    assert names == ["p", "p#r1", "rules"]
    con.close()
