"""Conjunctions of branches: counts against a brute-force evaluation, and a
two-branch rule recovered end to end."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from conftest import world_con

import ruledisc
from ruledisc.bias import Bias, Candidate, Refiner, budget, search
from ruledisc.conjoin import merge, wilson
from ruledisc.introspect import introspect
from ruledisc.parse import parse_rule
from ruledisc.rule import Atom, Comparison, Rule, Var
from ruledisc.source import open_source
from ruledisc.target import materialise_examples, parse_target

RULE = "f(X) :- circle(V), has_car(X, W), has_car(X, Y), has_load(W, V), has_load(Y, Z), square(Z)."


def _world(n: int = 160, seed: int = 3) -> tuple[dict[str, pl.DataFrame], dict[tuple, list]]:
    """Random trains; ``f`` holds when some load is a circle and some load is a square."""
    rng = np.random.default_rng(seed)
    facts: dict[str, list] = {k: [] for k in ("has_car", "has_load", "circle", "square", "short", "closed")}
    for t in range(n):
        for c in range(int(rng.integers(1, 4))):
            car = f"t{t}_c{c}"
            facts["has_car"].append((f"t{t}", car))
            if rng.random() < 0.5:
                facts["short"].append((car,))
            if rng.random() < 0.4:
                facts["closed"].append((car,))
            for k in range(int(rng.integers(1, 3))):
                load = f"{car}_l{k}"
                facts["has_load"].append((car, load))
                shape = rng.choice(["circle", "square", "other"], p=[0.3, 0.3, 0.4])
                if shape != "other":
                    facts[str(shape)].append((load,))
    world = {k: pl.DataFrame([list(c) for c in zip(*v)], schema=[f"a{i}" for i in range(len(v[0]))], orient="col")
             for k, v in facts.items()}
    index = _index({k: set(v) for k, v in facts.items()})
    pos = [t for t in (f"t{i}" for i in range(n)) if _holds(parse_rule(RULE), t, index)]
    world["f"] = pl.DataFrame({"a0": pos})
    world["f_neg"] = pl.DataFrame({"a0": [f"t{i}" for i in range(n) if f"t{i}" not in set(pos)]})
    return world, index


def _index(facts: dict[str, set]) -> dict[tuple, list]:
    """(predicate, position, value) -> the facts holding that value there."""
    index: dict[tuple, list] = {}
    for pred, rows in facts.items():
        for row in rows:
            for j, v in enumerate(row):
                index.setdefault((pred, j, v), []).append(row)
    return index


def _holds(rule: Rule, head: str, index: dict[tuple, list]) -> bool:
    """Brute force: some binding of the body's variables makes every literal a fact
    (the next literal is always one with a bound argument, read through the index)."""
    def solve(lits: list, b: dict[str, str]) -> bool:
        if not lits:
            return True
        lit = next((x for x in lits if isinstance(x, Comparison) and all(v.name in b for v in x.vars())), None) or \
            next(x for x in lits if isinstance(x, Atom) and any(a.name in b for a in x.args))
        rest = [x for x in lits if x is not lit]
        if isinstance(lit, Comparison):
            return b[lit.left.name] != b[lit.right.name] and solve(rest, b)
        j = next(j for j, a in enumerate(lit.args) if a.name in b)
        for row in index.get((lit.pred, j, b[lit.args[j].name]), []):
            nb = dict(b)
            if all(nb.setdefault(a.name, v) == v for a, v in zip(lit.args, row)) and solve(rest, nb):
                return True
        return False
    return solve(list(rule.body), {rule.head.args[0].name: head})


def test_merge_renames_apart_and_shares_the_head():
    a = parse_rule("f(X) :- has_car(X, Y), short(Y).")
    b = parse_rule("f(X) :- has_car(X, Y), closed(Y).")
    assert merge(a, b).text() == "f(X) :- closed(Y), has_car(X, Y), has_car(X, Z), short(Z)."
    assert merge(a, a).text() == "f(X) :- has_car(X, Y), has_car(X, Z), short(Y), short(Z)."


def test_wilson_orders_precise_supported_clauses_first():
    assert wilson(276, 0) > wilson(700, 40) > wilson(8, 0) > wilson(5, 5)
    assert wilson(0, 0) == 0.0


def test_budget_keeps_exact_clauses_among_many_broad_ones():
    head = Atom("f", (Var("X"),))
    broad = [Candidate(Rule(head, (Atom(f"p{i}", (Var("X"),)),)), 700, 60 + i) for i in range(10)]
    exact = Candidate(Rule(head, (Atom("q", (Var("X"),)),)), 250, 0)
    kept = budget(broad + [exact], 4)
    assert exact in kept and len(kept) == 4


def test_refiner_grows_one_branch_for_a_labelled_unary_head():
    world, _ = _world(40)
    src = open_source(world_con(world))
    cat = introspect(src.engine, {})
    target = parse_target("f", cat, None, "f_neg")
    ref = Refiner(cat, target, Bias(max_body=4, max_vars=4))
    r = parse_rule("f(X) :- has_car(X, Y), short(Y).")
    texts = {c.canonical().text() for c in ref.refine(r)}
    assert "f(X) :- has_car(X, Y), has_load(Y, Z), short(Y)." in texts     # deepens the branch
    assert not any(t.count("has_car") == 2 for t in texts)                # no second branch
    # a load is on one car: has_load(W, Z) beside has_load(Y, Z) would only rename Y
    assert {("has_car", "a1"), ("has_load", "a1")} <= cat.unique and ("has_car", "a0") not in cat.unique
    deeper = parse_rule("f(X) :- has_car(X, Y), has_load(Y, Z).")
    assert not any(lit.pred == "has_load" and lit.args[1] == Var("Z") and lit.args[0] != Var("Y")
                   for c in ref.refine(deeper) for lit in c.body if isinstance(lit, Atom))
    ref_rec = Refiner(cat, target, Bias(max_body=4, max_vars=4, conjunctions=False))
    assert any(c.canonical().text().count("has_car") == 2 for c in ref_rec.refine(r))


def test_conjunction_counts_match_brute_force():
    world, index = _world()
    src = open_source(world_con(world))
    eng = src.engine
    cat = introspect(eng, {})
    target = parse_target("f", cat, None, "f_neg")
    counts = materialise_examples(eng, target, cat)
    cands, stats = search(eng, cat, target, Bias(max_body=6, max_vars=5), counts["positives"])
    assert stats.conjunctions > 0
    two = [c for c in cands if c.rule.text().count("has_car") == 2]
    assert two and RULE in {c.rule.text() for c in two}
    pos, neg = set(world["f"]["a0"]), set(world["f_neg"]["a0"])
    for c in two[:25]:
        hits = {t for t in pos | neg if _holds(c.rule, t, index)}
        assert (c.pos, c.neg) == (len(hits & pos), len(hits & neg)), c.rule.text()


@pytest.mark.slow
def test_two_branch_rule_is_mined():
    world, _ = _world()
    res = ruledisc.mine(world_con(world), "f", negatives="f_neg", max_body=6, max_vars=5, recursion="off",
                        dry_run=True)
    assert [r.text for r in res.rules] == [RULE]
    assert res.metrics["f1"] == 1.0
