"""The LNN API on DuckDB: the smokers example, each connective's upward and downward rules
against hand-computed bounds (propositional and first-order, every t-norm), worlds,
contradictions, training, and that inference only tightens bounds."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruledisc.errors import SchemaError, UsageError
from ruledisc.lnn import (
    And,
    Direction,
    Exists,
    Fact,
    ForAll,
    Iff,
    Implies,
    Loss,
    Model,
    Not,
    Or,
    Predicate,
    Predicates,
    Propositions,
    State,
    Variables,
    World,
    Xor,
)
from ruledisc.lnn.constants import classify

GOLDEN = Path(__file__).parent / "golden"
TNORMS = ["lukasiewicz", "godel", "product"]
x, y = Variables("x", "y")


def approx(b):
    return pytest.approx(b, abs=1e-5)


def bounds(node, g=None):
    t = node.get_data(g) if g is not None else node.get_data()
    return tuple(t[0].tolist())


def smokers() -> tuple[Model, dict]:
    Smokes, Cancer = Predicates("Smokes", "Cancer")
    Friends = Predicate("Friends", arity=2)
    model = Model()
    model.add_knowledge(Implies(Smokes(x), Cancer(x)), Implies(Friends(x, y), Iff(Smokes(x), Smokes(y))),
                        world=World.AXIOM)
    friends = [("Anna", "Bob"), ("Bob", "Anna"), ("Anna", "Edward"), ("Edward", "Anna"), ("Anna", "Frank"),
               ("Frank", "Anna"), ("Bob", "Chris")]
    model.add_data({Friends: {f: Fact.TRUE for f in friends},
                    Smokes: {p: Fact.TRUE for p in ("Anna", "Edward", "Frank", "Gary")},
                    Cancer: {p: Fact.TRUE for p in ("Anna", "Edward")}})
    return model, {"Smokes": Smokes, "Cancer": Cancer, "Friends": Friends}


def test_smokers_infers_every_entailed_bound_and_pins_the_printout():
    model, p = smokers()
    steps, tightened = model.infer()
    everyone = {"Anna", "Bob", "Chris", "Edward", "Frank", "Gary"}
    assert p["Smokes"].state() == {name: State.TRUE for name in everyone}
    assert p["Cancer"].state() == {name: State.TRUE for name in everyone}
    assert tightened == 6 and steps >= 2          # Smokes Bob, Chris; Cancer Bob, Chris, Frank, Gary
    assert p["Cancer"].state("Chris") is State.TRUE
    assert bounds(p["Smokes"], "Bob") == (1.0, 1.0)
    out = io.StringIO()
    with redirect_stdout(out):
        model.print()
    assert out.getvalue() == (GOLDEN / "lnn_smokers.txt").read_text()
    assert model.infer().tightened == 0           # at the fixpoint: a second run changes nothing


def _prop(tnorm, build, data, world=None, formula_data=None):
    A, B = Propositions("A", "B")
    f = build(A, B)
    model = Model(tnorm=tnorm)
    model.add_knowledge(f, world=world)
    model.add_data({k: v for k, v in (("A", data.get("A")), ("B", data.get("B"))) if v is not None} |
                   ({f: formula_data} if formula_data else {}))
    model.infer()
    return f, A, B


UPWARD = [  # connective, A, B, expected per t-norm (lukasiewicz, godel, product)
    (And, (0.7, 0.9), (0.6, 0.8), [(0.3, 0.7), (0.6, 0.8), (0.42, 0.72)]),
    (Or, (0.2, 0.4), (0.1, 0.3), [(0.3, 0.7), (0.2, 0.4), (0.28, 0.58)]),
    (Implies, (0.7, 0.9), (0.2, 0.4), [(0.3, 0.7), (0.2, 0.4), (0.28, 0.58)]),
    (Iff, (0.7, 0.9), (0.6, 0.8), [(0.6, 1.0), (0.6, 0.8), (0.4864, 0.8084)]),
    (Xor, (0.7, 0.9), (0.6, 0.8), [(0.0, 0.4), (0.2, 0.4), (0.1916, 0.5136)]),
]


@pytest.mark.parametrize("t", range(3), ids=TNORMS)
@pytest.mark.parametrize("conn,a,b,want", UPWARD, ids=[c[0].__name__ for c in UPWARD])
def test_upward_propositional(conn, a, b, want, t):
    f, A, B = _prop(TNORMS[t], lambda A, B: conn(A, B), {"A": a, "B": b})
    assert bounds(f) == approx(want[t])
    assert bounds(A) == approx(a) and bounds(B) == approx(b)   # consistent inputs are not tightened


@pytest.mark.parametrize("t", range(3), ids=TNORMS)
@pytest.mark.parametrize("conn,a,b,want", UPWARD, ids=[c[0].__name__ for c in UPWARD])
def test_upward_first_order(conn, a, b, want, t):
    A, B = Predicates("A", "B")
    f = conn(A(x), B(x))
    model = Model(tnorm=TNORMS[t])
    model.add_knowledge(f)
    model.add_data({A: {"p": a, "q": Fact.TRUE}, B: {"p": b, "q": Fact.TRUE}})
    model.infer()
    assert bounds(f, "p") == approx(want[t])
    assert f.state("q") is (State.FALSE if conn is Xor else State.TRUE)


def test_direction_upward_only_leaves_the_operands():
    A, B = Propositions("A", "B")
    model = Model()
    rule = Implies(A, B)
    model.add_knowledge(rule, world=World.AXIOM)
    model.add_data({A: Fact.TRUE})
    model.infer(direction=Direction.UPWARD)
    assert B.state() is State.UNKNOWN and rule.state() is State.TRUE
    model.infer(direction=Direction.DOWNWARD)
    assert B.state() is State.TRUE


@pytest.mark.parametrize("tnorm", TNORMS)
def test_not_both_ways(tnorm):
    f, A, _ = _prop(tnorm, lambda A, B: Not(A), {"A": (0.7, 0.9)})
    assert bounds(f) == approx((0.1, 0.3))
    g, A, _ = _prop(tnorm, lambda A, B: Not(A), {}, formula_data=(0.2, 0.4))
    assert bounds(A) == approx((0.6, 0.8))


DOWNWARD = [  # formula, data, world, formula bounds, expected (A, B) per t-norm
    ("and-axiom", And, {}, World.AXIOM, None, [((1, 1), (1, 1))] * 3),
    ("and-lower", And, {}, None, (0.8, 1.0), [((0.8, 1), (0.8, 1))] * 3),
    ("and-upper", And, {"A": Fact.TRUE}, None, (0.0, 0.3), [((1, 1), (0, 0.3))] * 3),
    ("or-lower", Or, {"A": Fact.FALSE}, None, (0.9, 1.0), [((0, 0), (0.9, 1))] * 3),
    ("modus-ponens", Implies, {"A": (0.8, 1.0)}, World.AXIOM, None,
     [((0.8, 1), (0.8, 1)), ((0.8, 1), (1, 1)), ((0.8, 1), (1, 1))]),
    ("modus-tollens", Implies, {"B": (0.0, 0.3)}, World.AXIOM, None,
     [((0, 0.3), (0, 0.3)), ((0, 0), (0, 0.3)), ((0, 0), (0, 0.3))]),
]


@pytest.mark.parametrize("t", range(3), ids=TNORMS)
@pytest.mark.parametrize("case", DOWNWARD, ids=[c[0] for c in DOWNWARD])
def test_downward_propositional(case, t):
    _, conn, data, world, fdata, want = case
    f, A, B = _prop(TNORMS[t], lambda A, B: conn(A, B), data, world, fdata)
    assert (bounds(A), bounds(B)) == (approx(want[t][0]), approx(want[t][1]))


@pytest.mark.parametrize("t", range(3), ids=TNORMS)
def test_first_order_upward_and_downward(t):
    """The same rules per grounding; downward creates the atoms it proves (B(p), A(q))."""
    A, B = Predicates("A", "B")
    model = Model(tnorm=TNORMS[t])
    conj = And(A(x), B(x))
    rule = Implies(A(x), B(x), world=World.AXIOM)
    model.add_knowledge(conj, rule)
    model.add_data({A: {"p": (0.8, 1.0), "r": (0.7, 0.9)}, B: {"q": (0.0, 0.3), "r": (0.6, 0.8)}})
    model.infer()
    up = [(0.3, 0.7), (0.6, 0.8), (0.42, 0.72)][t]
    b_p = [(0.8, 1.0), (1.0, 1.0), (1.0, 1.0)][t]
    a_q = [(0.0, 0.3), (0.0, 0.0), (0.0, 0.0)][t]
    assert bounds(B, "p") == approx(b_p)
    assert bounds(A, "q") == approx(a_q)
    # the axiom A(r) -> B(r) also acts on r: Łukasiewicz needs B(r) >= A(r) + 1 - 1, i.e. >= 0.7
    if t == 0:
        assert bounds(B, "r") == approx((0.7, 0.8))      # modus ponens: B >= A_lower
        assert bounds(A, "r") == approx((0.7, 0.8))      # modus tollens: A <= B_upper
        assert bounds(conj, "r") == approx((0.4, 0.6))   # And over the tightened A(r), B(r)
    else:   # Gödel and product: modus ponens wants B(r) >= 1 > 0.8: a contradiction, reported
        assert B.state("r") is State.CONTRADICTION and bounds(B, "r")[0] == 1.0
    assert set(A.state()) == {"p", "q", "r"} and set(B.state()) == {"p", "q", "r"}
    model2 = Model(name="up", tnorm=TNORMS[t])
    conj2 = And(A(x), B(x))
    model2.add_knowledge(conj2)
    model2.add_data({A: {"r": (0.7, 0.9)}, B: {"r": (0.6, 0.8)}})
    model2.infer()
    assert bounds(conj2, "r") == approx(up)


def test_quantifiers():
    Smokes, Cancer = Predicates("Smokes", "Cancer")
    Friends = Predicate("Friends", arity=2)
    model = Model()
    every = ForAll(x, Implies(Smokes(x), Cancer(x)))
    some = Exists(y, Friends(x, y))
    model.add_knowledge(every, world=World.AXIOM)
    model.add_knowledge(some)
    model.add_data({Smokes: {"a": Fact.TRUE, "b": Fact.TRUE},
                    Friends: {("a", "b"): Fact.TRUE, ("c", "d"): Fact.FALSE, ("c", "e"): (0.0, 0.4)}})
    model.infer()
    assert Cancer.state() == {"a": State.TRUE, "b": State.TRUE}
    assert every.state() is State.TRUE
    assert some.state() == {"a": State.TRUE, "c": State.APPROX_FALSE}
    assert bounds(some, "c") == approx((0.0, 0.4))   # max over the groundings held


def test_forall_upward_is_the_minimum():
    A = Predicate("A")
    model = Model()
    q = ForAll(x, A(x))
    model.add_knowledge(q)
    model.add_data({A: {"p": Fact.TRUE, "q": (0.6, 0.9)}})
    model.infer()
    assert bounds(q) == approx((0.6, 0.9))


@pytest.mark.parametrize("world,want", [(World.OPEN, State.UNKNOWN), (World.CLOSED, State.FALSE)])
def test_open_and_closed_world(world, want):
    A = Predicate("A")
    B = Predicate("B", world=world)
    model = Model()
    conj = And(A(x), B(x))
    model.add_knowledge(conj)
    model.add_data({A: {"p": Fact.TRUE, "q": Fact.TRUE}, B: {"p": Fact.TRUE}})
    model.infer()
    assert conj.state("p") is State.TRUE
    assert conj.state("q") is want
    assert B.state("q") is (State.UNKNOWN if world == World.OPEN else State.FALSE)


def test_an_axiom_that_forces_a_contradiction_is_reported():
    Smokes, Cancer = Predicates("Smokes", "Cancer")
    model = Model()
    rule = Implies(Smokes(x), Cancer(x))
    model.add_knowledge(rule, world=World.AXIOM)
    model.add_data({Smokes: {"a": Fact.TRUE, "b": Fact.TRUE}, Cancer: {"a": Fact.FALSE}})
    res = model.infer()
    assert Cancer.state() == {"a": State.CONTRADICTION, "b": State.TRUE}
    assert bounds(Cancer, "a") == (1.0, 0.0)
    assert res.contradictions == 3   # Smokes(a) by modus tollens, Cancer(a), the axiom at a
    assert sorted((n, g) for n, g, _ in model.contradictions()) == [
        ("(Smokes(x) → Cancer(x))", "a"), ("Cancer", "a"), ("Smokes", "a")]


def test_nine_states():
    cases = {(1, 1): State.TRUE, (0, 0): State.FALSE, (0, 1): State.UNKNOWN, (1, 0): State.CONTRADICTION,
             (0.7, 1): State.APPROX_TRUE, (0, 0.3): State.APPROX_FALSE, (0.2, 0.7): State.APPROX_UNKNOWN,
             (0.5, 0.5): State.EXACT_UNKNOWN, (0.3, 0.2): State.APPROX_CONTRADICTION}
    assert {b: classify(*b) for b in cases} == cases
    assert len(set(cases.values())) == len(State) == 9
    assert classify(0.96, 1.0, alpha=0.95) is State.TRUE and classify(0.0, 0.04, alpha=0.95) is State.FALSE


def test_training_supervised_and_contradiction_meets_the_labels():
    A, B = Predicates("A", "B")
    conj = And(A(x), B(x))
    model = Model()
    model.add_knowledge(conj)
    model.add_data({A: {c: Fact.TRUE for c in "pqrs"},
                    B: {"p": Fact.TRUE, "q": Fact.FALSE, "r": Fact.FALSE, "s": (0.2, 0.3)}})
    model.add_labels({conj: {c: Fact.TRUE for c in "pqrs"}})
    model.infer()
    assert conj.state("q") is State.FALSE
    epochs, losses = model.train(losses=[Loss.SUPERVISED, Loss.CONTRADICTION], epochs=200, learning_rate=0.05)
    assert epochs == 200 and losses[-1] < 0.01 < losses[0]
    w = conj.params("weights")
    assert float(w[1]) < 0.1                           # B no longer counts in the conjunction
    assert all(float(conj.get_data(c)[0, 0]) > 0.95 for c in "pqrs")


def test_training_removes_a_contradiction_and_keeps_the_label():
    A, B = Predicates("A", "B")
    rule = Implies(A(x), B(x), world=World.AXIOM)
    model = Model()
    model.add_knowledge(rule)
    model.add_data({A: {"p": Fact.TRUE}, B: {"p": Fact.FALSE}})
    model.add_labels({B: {"p": Fact.FALSE}})
    assert model.infer().contradictions > 0
    model.train(losses={Loss.SUPERVISED: 1.0, Loss.CONTRADICTION: 1.0}, epochs=60, learning_rate=0.05)
    assert model.contradictions() == []
    assert B.state("p") is State.FALSE
    assert float(rule.params("bias")) < 0.05        # the rule learned it cannot fire here


@pytest.mark.parametrize("kind", ["dict", "polars", "table"])
def test_bulk_data_from_a_dict_a_frame_or_a_table(kind):
    con = duckdb.connect()
    rows = [("Anna", "Bob"), ("Bob", "Chris")]
    con.execute("CREATE TABLE friends(a VARCHAR, b VARCHAR, lower DOUBLE, upper DOUBLE)")
    con.executemany("INSERT INTO friends VALUES (?, ?, 0.9, 1.0)", rows)
    Friends, Knows = Predicate("Friends", 2), Predicate("Knows", 2)
    model = Model(db=con)
    model.add_knowledge(Implies(Friends(x, y), Knows(x, y)), world=World.AXIOM)
    data = {"dict": {r: (0.9, 1.0) for r in rows},
            "polars": pl.DataFrame({"a": [r[0] for r in rows], "b": [r[1] for r in rows],
                                    "lower": [0.9] * 2, "upper": [1.0] * 2}),
            "table": "friends"}[kind]
    model.add_data({Friends: data})
    model.infer()
    assert Knows.state() == {("Anna", "Bob"): State.APPROX_TRUE, ("Bob", "Chris"): State.APPROX_TRUE}
    assert bounds(Knows, ("Anna", "Bob")) == approx((0.9, 1.0))
    assert con.execute("SELECT count(*) FROM ruledisc.lnn_p_Knows WHERE lower > 0.89").fetchone()[0] == 2


def test_bad_inputs_get_clear_errors():
    A = Predicate("A")
    R = Predicate("R", arity=2)
    model = Model()
    model.add_knowledge(Implies(A(x), R(x, y)))
    with pytest.raises(UsageError, match="has 1 constant"):
        model.add_data({R: {"a": Fact.TRUE}})
    with pytest.raises(UsageError, match=r"lie in \[0, 1\]"):
        model.add_data({A: {"a": (0.2, 1.5)}})
    with pytest.raises(SchemaError, match="no table 'nope'"):
        model.add_data({A: "nope"})
    with pytest.raises(UsageError, match="call predicate A"):
        And(A, R(x, y))
    with pytest.raises(UsageError, match="two different predicates"):
        model.add_knowledge(Implies(Predicate("A")(x), R(x, x)))
    with pytest.raises(UsageError, match="takes 2 argument"):
        R(x)
    with pytest.raises(UsageError, match="not in this model"):
        model.state(Or(A(x), A(y)))
    with pytest.raises(UsageError, match=r"lie in \[0, 1\]"):
        model.add_labels({A: {"a": (0.5, 2.0)}})
    assert not model._labels                       # a refused label leaves no label table behind
    with pytest.raises(UsageError, match="has no grounding 'zz'"):
        A.state("zz")
    with pytest.raises(UsageError, match="direction"):
        model.infer(direction="sideways")
    with pytest.raises(UsageError, match="already open"):
        Model(db=model.eng.con)
    with pytest.raises(UsageError, match="needs labels"):
        model.train(losses=Loss.SUPERVISED, epochs=1)


def test_from_rules_and_views():
    con = duckdb.connect()
    con.execute("CREATE TABLE parent(a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO parent VALUES (?, ?)", [("ann", "bob"), ("bob", "cid"), ("bob", "dan"),
                                                         ("eve", "ann")])
    model = Model.from_rules("grandparent(X, Y) :- parent(X, Z), parent(Z, Y).", db=con)
    model.infer()
    sql = ("SELECT DISTINCT p.a, q.b FROM parent p JOIN parent q ON p.b = q.a ORDER BY 1, 2")
    want = con.execute(sql).fetchall()
    assert model.write_views() == ["ruledisc.lnn_grandparent", "ruledisc.lnn_parent"]
    got = con.execute("SELECT x0, x1 FROM ruledisc.lnn_grandparent WHERE state = 'TRUE' ORDER BY 1, 2").fetchall()
    assert got == want == [("ann", "cid"), ("ann", "dan"), ("eve", "bob")]


def test_from_rules_json_confidence_is_the_rules_lower_bound(tmp_path):
    import json
    rules = {"target": "likes", "rules": [{"text": "likes(X, Y) :- friend(X, Y).", "confidence": 0.75}]}
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    con = duckdb.connect()
    con.execute("CREATE TABLE friend(a VARCHAR, b VARCHAR); INSERT INTO friend VALUES ('u', 'v')")
    model = Model.from_rules(path, db=con)
    model.infer()
    assert model["likes"].state(("u", "v")) is State.APPROX_TRUE
    assert bounds(model["likes"], ("u", "v")) == approx((0.75, 1.0))
    with pytest.raises(UsageError, match="comparison"):
        Model.from_rules("late(O) :- orders.days(O, D), D > 5.")


FORMULAE = [
    lambda A, B, R: Implies(A(x), B(x)),
    lambda A, B, R: And(A(x), Not(B(x))),
    lambda A, B, R: Or(A(x), R(x, y)),
    lambda A, B, R: Implies(R(x, y), Iff(A(x), A(y))),
    lambda A, B, R: Xor(A(x), B(x)),
    lambda A, B, R: Exists(y, R(x, y)),
]
BOUND = st.tuples(st.floats(0, 1), st.floats(0, 1)).map(lambda t: (min(t), max(t)))
CONST = st.sampled_from(["a", "b", "c"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fs=st.lists(st.integers(0, len(FORMULAE) - 1), min_size=1, max_size=3, unique=True),
       axiom=st.booleans(), tnorm=st.sampled_from(TNORMS),
       a=st.dictionaries(CONST, BOUND, max_size=3), b=st.dictionaries(CONST, BOUND, max_size=3),
       r=st.dictionaries(st.tuples(CONST, CONST), BOUND, max_size=4))
def test_inference_only_tightens_bounds(fs, axiom, tnorm, a, b, r):
    A, B = Predicates("A", "B")
    R = Predicate("R", arity=2)
    model = Model(tnorm=tnorm)
    model.add_knowledge(*[FORMULAE[i](A, B, R) for i in fs], world=World.AXIOM if axiom else None)
    model.add_data({A: a, B: b, R: r})
    before = {p: {g: bounds(p, g) for g in p.state()} for p in (A, B, R)}
    model.infer()
    after = {p: {g: bounds(p, g) for g in p.state()} for p in (A, B, R)}
    for p in (A, B, R):
        for g, (lo, hi) in before[p].items():
            new_lo, new_hi = after[p][g]
            assert new_lo >= lo - 1e-6 and new_hi <= hi + 1e-6, (p.name, g, (lo, hi), (new_lo, new_hi))
        for g in set(after[p]) - set(before[p]):   # atoms created by inference start UNKNOWN
            assert 0.0 <= after[p][g][0] and after[p][g][1] <= 1.0
    again = {p: {g: bounds(p, g) for g in p.state()} for p in (A, B, R)}
    model.infer()
    for p in (A, B, R):
        for g, (lo, hi) in again[p].items():
            assert bounds(p, g)[0] >= lo - 1e-6 and bounds(p, g)[1] <= hi + 1e-6
