"""The grounding compiler: golden SQL files, and SQL results against a naive Python join."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruledisc.compile import view_select
from ruledisc.engine import Engine
from ruledisc.introspect import introspect
from ruledisc.parse import parse_program
from ruledisc.rule import Atom, Comparison, Const, Rule, Var

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name, fixture", [("family_rules", "family_con"), ("shop_rules", "shop_con")])
def test_golden_sql(name: str, fixture: str, request: pytest.FixtureRequest) -> None:
    con = request.getfixturevalue(fixture)
    cat = introspect(Engine(con))
    rules = parse_program((GOLDEN / f"{name}.dl").read_text()).rules
    got = []
    for r in rules:
        cols = [f"a{i}" for i in range(len(r.head.args))]
        sql = view_select(r, cat, cols).sql("duckdb", pretty=True)
        con.execute(sql).fetchall()  # every golden query runs
        got.append(f"-- {r.text()}\n{sql};\n")
    text = "\n".join(got)
    path = GOLDEN / f"{name}.sql"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def _naive(rule: Rule, facts: dict[str, set[tuple]]) -> set[tuple]:
    """Evaluate a rule body by brute-force nested loops over the facts."""
    atoms = [lit for lit in rule.body if isinstance(lit, Atom)]
    out = set()
    for combo in itertools.product(*[sorted(facts[a.pred]) for a in atoms]):
        env: dict[str, object] = {}
        ok = True
        for atom, row in zip(atoms, combo):
            for arg, val in zip(atom.args, row):
                if isinstance(arg, Const):
                    ok &= arg.value == val
                elif arg.name in env:
                    ok &= env[arg.name] == val
                else:
                    env[arg.name] = val
        for c in rule.body:
            if isinstance(c, Comparison) and ok:
                lhs = env[c.left.name]
                rhs = c.right.value if isinstance(c.right, Const) else env[c.right.name]
                ok &= {"=": lhs == rhs, "!=": lhs != rhs, "<": lhs < rhs, "<=": lhs <= rhs, ">": lhs > rhs,
                       ">=": lhs >= rhs}[c.op]
        if ok:
            out.add(tuple(env[a.name] for a in rule.head.args))
    return out


ENT = st.sampled_from(["a", "b", "c", "d"])


@st.composite
def world_and_rule(draw):
    facts = {
        "e": set(draw(st.lists(st.tuples(ENT, ENT), max_size=8))),
        "f": set(draw(st.lists(st.tuples(ENT, ENT), max_size=8))),
        "u": set(draw(st.lists(st.tuples(ENT), max_size=4))),
    }
    vars_ = ["X", "Y", "Z", "W"]
    n = draw(st.integers(1, 3))
    body = []
    for i in range(n):
        p = draw(st.sampled_from(["e", "f", "u"]))
        arity = 1 if p == "u" else 2
        args = [Var("X") if i == 0 and j == 0 else draw(st.one_of(st.sampled_from(vars_).map(Var), ENT.map(Const)))
                for j in range(arity)]
        body.append(Atom(p, tuple(args)))
    bound = sorted({a.name for b in body for a in b.args if isinstance(a, Var)})
    if len(bound) >= 2 and draw(st.booleans()):
        body.append(Comparison(draw(st.sampled_from(["!=", "<", "="])), Var(bound[0]), Var(bound[1])))
    head_vars = draw(st.lists(st.sampled_from(bound), min_size=1, max_size=2))
    return facts, Rule(Atom("h", tuple(Var(v) for v in head_vars)), tuple(body))


@given(world_and_rule())
@settings(max_examples=60, deadline=None)
def test_compiled_sql_equals_a_naive_join(case) -> None:
    facts, rule = case
    con = duckdb.connect()
    con.execute("CREATE TABLE e (s VARCHAR, o VARCHAR); CREATE TABLE f (s VARCHAR, o VARCHAR); "
                "CREATE TABLE u (s VARCHAR)")
    for name, rows in facts.items():
        if rows:
            marks = ", ".join(["?"] * len(next(iter(rows))))
            con.executemany(f"INSERT INTO {name} VALUES ({marks})", sorted(rows))
    cat = introspect(Engine(con))
    sql = view_select(rule, cat, [f"h{i}" for i in range(len(rule.head.args))]).sql("duckdb")
    assert set(con.execute(sql).fetchall()) == _naive(rule, facts)
    con.close()


def test_identifiers_are_quoted_so_odd_names_work() -> None:
    con = duckdb.connect()
    con.execute('CREATE TABLE "we""ird; DROP TABLE x" ("a b" VARCHAR, "select" VARCHAR)')
    con.execute("INSERT INTO \"we\"\"ird; DROP TABLE x\" VALUES ('p', 'q')")
    cat = introspect(Engine(con))
    from ruledisc.parse import parse_rule
    r = parse_rule('h(X, Y) :- "we""ird; DROP TABLE x"(X, Y).')
    assert con.execute(view_select(r, cat, ["x", "y"]).sql("duckdb")).fetchall() == [("p", "q")]
