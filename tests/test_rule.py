"""Rule text: parsing, canonical form, round trips (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruledisc import RuleSyntaxError, parse_program, parse_rule
from ruledisc.rule import Atom, Comparison, Const, Rule, Var

PREDS = ["parent", "male", "customers.plan", "tickets.customer_id", "My Table", "t.odd col",  # stored names
         '"a.b"', '"a.b".c', 't."q""uote"', "t.c=on hold", '"rules"', "fizz#inv1", 'x.y="#"']
VARS = ["X", "Y", "Z", "W", "Person", "_G"]

consts = st.one_of(
    st.integers(-1000, 1000).map(Const),
    st.sampled_from(["bob", "New York", "it's", "true_", "x1", ""]).map(Const),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(Const),
    st.booleans().map(Const),
)


@st.composite
def rules(draw) -> Rule:
    n_head = draw(st.integers(1, 3))
    head_vars = draw(st.lists(st.sampled_from(VARS), min_size=n_head, max_size=n_head))
    body = []
    for v in dict.fromkeys(head_vars):  # bind each head variable
        pred = draw(st.sampled_from(PREDS))
        other = draw(st.one_of(st.sampled_from(VARS).map(Var), consts))
        body.append(Atom(pred, (Var(v), other)))
    for _ in range(draw(st.integers(0, 2))):
        pred = draw(st.sampled_from(PREDS))
        args = draw(st.lists(st.one_of(st.sampled_from(VARS).map(Var), consts), min_size=1, max_size=3))
        if not any(isinstance(a, Var) for a in args):
            args[0] = Var(head_vars[0])
        body.append(Atom(pred, tuple(args)))
    bound = sorted({a.name for lit in body for a in lit.args if isinstance(a, Var)})
    if draw(st.booleans()) and len(bound) >= 1:
        op = draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">="]))
        rhs = draw(st.one_of(st.sampled_from(bound).map(Var), st.integers(0, 9).map(Const)))
        body.append(Comparison(op, Var(bound[0]), rhs).normal())
    body = draw(st.permutations(body))
    return Rule(Atom("target", tuple(Var(v) for v in head_vars)), tuple(body))


@given(rules())
@settings(max_examples=300, deadline=None)
def test_text_parses_back_to_the_same_rule(rule: Rule) -> None:
    assert parse_rule(rule.text()) == rule


@given(rules(), st.randoms(use_true_random=False))
@settings(max_examples=300, deadline=None)
def test_renaming_variables_keeps_the_canonical_form(rule: Rule, rnd) -> None:
    names = rule.variables()
    fresh = [f"V{i}_{rnd.randint(0, 99)}" for i in range(len(names))]
    rnd.shuffle(fresh)
    renamed = rule.rename(dict(zip(names, fresh)))
    shuffled = Rule(renamed.head, tuple(rnd.sample(list(renamed.body), len(renamed.body))))
    assert shuffled.key() == rule.key()
    assert parse_rule(rule.key()).key() == rule.key()


def test_int_and_float_constants_stay_distinct_in_the_canonical_form() -> None:
    """0 == 0.0 in Python; the canonical form must not depend on which one a set keeps."""
    a = Rule(Atom("t", (Var("X"),)), (Atom("m", (Var("X"), Const(0))), Atom("m", (Var("X"), Const(0.0)))))
    b = Rule(a.head, tuple(reversed(a.body)))
    assert a.key() == b.key() == "t(X) :- m(X, 0.0), m(X, 0)."


def test_canonical_text_of_the_grandmother_rule() -> None:
    r = parse_rule("gm(A, B) :- parent(C, B), parent(A, C), female(A).")
    assert r.key() == "gm(X, Y) :- female(X), parent(X, Z), parent(Z, Y)."


def test_constants_and_quoting_round_trip() -> None:
    text = "churned(C) :- tickets.customer(T, C), tickets.severity(T, 'High Sev'), customers.tenure(C, M), M < 6."
    r = parse_rule(text)
    assert r.body[1] == Atom("tickets.severity", (Var("T"), Const("High Sev")))
    assert r.body[3] == Comparison("<", Var("M"), Const(6))
    assert parse_rule(r.text()) == r


@pytest.mark.parametrize("text, fragment", [
    ("gp(X, Y) :- parent(X Z).", "line 1, column 22: expected ')'"),
    ("gp(X, Y) :- parent(X, Z).", "every head variable"),
    ("gp(X, Y) :- parent(X, Y)", "expected '.'"),
    ("gp(X) :- p(X), 3 < 4.", "needs a variable"),
    ("gp(X) :- p(X) & q(X).", "unexpected character '&'"),
])
def test_syntax_errors_point_at_the_spot(text: str, fragment: str) -> None:
    with pytest.raises(RuleSyntaxError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        parse_rule(text)


def test_program_with_declarations_and_comments() -> None:
    prog = parse_program("""
        % a comment
        .decl gm(grandmother: VARCHAR, grandchild: VARCHAR)
        gm(X, Y) :- female(X), parent(X, Z), parent(Z, Y).  // trailing comment
        gm(X, Y) :- gm2(X, Y).
    """)
    assert [d.columns for d in prog.decls] == [(("grandmother", "VARCHAR"), ("grandchild", "VARCHAR"))]
    assert len(prog.rules) == 2
