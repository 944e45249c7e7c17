"""The grounding compiler: golden SQL files, and SQL results against a naive Python join."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruledisc.bias import Bias, Refiner
from ruledisc.compile import view_select
from ruledisc.engine import Engine
from ruledisc.introspect import introspect
from ruledisc.parse import parse_program
from ruledisc.rule import Atom, Comparison, Const, Rule, Var
from ruledisc.target import parse_target

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


def _body_is_connected(rule: Rule) -> bool:
    groups = [{a.name for a in lit.args if isinstance(a, Var)} for lit in rule.body if isinstance(lit, Atom)]
    reached, grew = set(groups[0]), True
    while grew:
        grew = False
        for g in groups:
            if g & reached and not g <= reached:
                reached |= g
                grew = True
    return all(g <= reached for g in groups)


def test_candidate_bodies_are_one_connected_join(family_con) -> None:
    """No body is a cross product of parts joined only through the head
    (``mother(X,Y) :- female(X), female(Y)``), yet connected rules are all reached."""
    cat = introspect(Engine(family_con))
    tgt = parse_target("mother", cat)
    ref = Refiner(cat, tgt, Bias(include=frozenset({"parent", "male", "female"})))
    frontier, seen = [Rule(tgt.head_atom(), ())], set()
    for _ in range(3):
        children = [c.canonical() for r in frontier for c in ref.refine(r)]
        assert all(_body_is_connected(c) for c in children)
        seen |= {c.text() for c in children}
        frontier = children
    assert len(seen) > 100
    assert "mother(X, Y) :- female(X), parent(X, Y)." in seen
    assert "mother(X, Y) :- female(X), female(Y)." not in seen
