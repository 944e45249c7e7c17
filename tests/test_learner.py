"""The learner: crisp weights reproduce the views; weights beat a confidence ranking."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
import torch
from sqlglot import exp

import ruledisc
from ruledisc.bias import Bias, search
from ruledisc.compile import union_all, view_select
from ruledisc.engine import Engine
from ruledisc.ground import HEADS, build_heads, ground
from ruledisc.introspect import introspect
from ruledisc.learner import LearnerConfig, confidence_baseline, fit, forward_crisp
from ruledisc.score import program_counts
from ruledisc.semantics import TNorm, conj, disj, scatter_disj
from ruledisc.target import materialise_examples, parse_target


def _setup(con: duckdb.DuckDBPyConnection, target: str, **bias):
    eng = Engine(con)
    cat = introspect(eng)
    tgt = parse_target(target, cat)
    ex = materialise_examples(eng, tgt, cat)
    cands, _ = search(eng, cat, tgt, Bias(**bias), ex["positives"])
    build_heads(eng, cat, tgt, cands, 10**6, 0)
    g = ground(eng, cat, tgt, cands)
    heads = eng.numpy(exp.select("hid", "c0", "c1").from_(HEADS).order_by("hid"))
    return eng, cat, tgt, cands, g, heads


@pytest.fixture(scope="module")
def grandparent_setup():
    from conftest import SAMPLES
    con = duckdb.connect()
    con.execute((SAMPLES / "family.sql").read_text())
    # every level: the learner is tested on many overlapping candidates, not only the exact one
    yield con, _setup(con, "grandparent", include=frozenset({"parent", "male", "female"}), exhaustive=True)
    con.close()


@pytest.mark.parametrize("tnorm", list(TNorm))
def test_crisp_forward_pass_equals_the_view_rows(grandparent_setup, tnorm) -> None:
    family_con, (eng, cat, tgt, cands, g, heads) = grandparent_setup
    assert len(cands) > 5
    rng = np.random.default_rng(0)
    for trial in range(5):
        chosen = sorted(rng.choice(len(cands), size=1 + trial, replace=False).tolist())
        truth = forward_crisp(g, chosen, tnorm)
        assert set(torch.unique(truth).tolist()) <= {0.0, 1.0}
        predicted = {(heads["c0"][i], heads["c1"][i]) for i in np.flatnonzero(truth.numpy() == 1.0)}
        sql = union_all([view_select(cands[i].rule, cat, ["a", "b"]) for i in chosen])
        assert predicted == set(family_con.execute(sql.sql("duckdb")).fetchall())


def _overlap_db() -> duckdb.DuckDBPyConnection:
    """t = a ∪ b exactly; c covers a ∪ b plus five negatives (confidence 0.95)."""
    con = duckdb.connect()
    a = [f"e{i}" for i in range(50)]
    b = [f"e{i}" for i in range(50, 100)]
    noise = [f"e{i}" for i in range(100, 105)]
    other = [f"e{i}" for i in range(105, 160)]
    con.execute("CREATE TABLE t (x VARCHAR); CREATE TABLE a (x VARCHAR); CREATE TABLE b (x VARCHAR); "
                "CREATE TABLE c (x VARCHAR); CREATE TABLE d (x VARCHAR)")
    for name, rows in {"t": a + b, "a": a, "b": b, "c": a + b + noise, "d": a + b + noise + other}.items():
        con.executemany(f"INSERT INTO {name} VALUES (?)", [(r,) for r in rows])
    return con


def test_learner_drops_an_overlapping_rule_that_a_confidence_ranking_keeps() -> None:
    con = _overlap_db()
    eng = Engine(con)
    cat = introspect(eng)
    tgt = parse_target("t", cat)
    ex = materialise_examples(eng, tgt, cat)
    cands, _ = search(eng, cat, tgt, Bias(max_body=2), ex["positives"])
    texts = {c.rule.text(): c.confidence for c in cands}
    assert texts["t(X) :- c(X)."] == pytest.approx(100 / 105)
    # the counting heuristic keeps every rule above its threshold: c(X) brings five false positives
    base = [cands[i].rule for i in confidence_baseline(np.array([c.confidence for c in cands]), 0.9)]
    assert "t(X) :- c(X)." in {r.text() for r in base}
    base_counts = program_counts(eng, cat, tgt, base)
    assert base_counts.negative == 5 and base_counts.f1 < 1.0
    # the learner weighs the rules jointly: a and b explain every positive, c only adds negatives
    res = ruledisc.mine(con, target="t", max_body=2, dry_run=True)
    assert sorted(r.text for r in res.rules) == ["t(X) :- a(X).", "t(X) :- b(X)."]
    assert res.metrics == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    con.close()


def test_training_is_deterministic_for_a_seed(grandparent_setup) -> None:
    _, (eng, cat, tgt, cands, g, _) = grandparent_setup
    lengths = np.array([c.length for c in cands], dtype=float)
    conf = np.array([c.confidence for c in cands])
    w1 = fit(g, lengths, conf, LearnerConfig(epochs=50, seed=3)).weights
    w2 = fit(g, lengths, conf, LearnerConfig(epochs=50, seed=3)).weights
    assert np.array_equal(w1, w2)


def test_tnorms_against_hand_computed_values() -> None:
    x = torch.tensor([[0.5, 0.8], [1.0, 0.3]])
    assert torch.allclose(conj(x, TNorm.PRODUCT), torch.tensor([0.4, 0.3]))
    assert torch.allclose(conj(x, TNorm.LUKASIEWICZ), torch.tensor([0.3, 0.3]))
    assert torch.allclose(conj(x, TNorm.GODEL), torch.tensor([0.5, 0.3]))
    assert torch.allclose(disj(x, TNorm.PRODUCT), torch.tensor([0.9, 1.0]))
    assert torch.allclose(disj(x, TNorm.LUKASIEWICZ), torch.tensor([1.0, 1.0]))
    assert torch.allclose(disj(x, TNorm.GODEL), torch.tensor([0.8, 1.0]))
    v, idx = torch.tensor([0.5, 0.8, 0.3]), torch.tensor([0, 0, 2])
    assert torch.allclose(scatter_disj(v, idx, 3, TNorm.PRODUCT), torch.tensor([0.9, 0.0, 0.3]), atol=1e-5)
    assert torch.allclose(scatter_disj(v, idx, 3, TNorm.LUKASIEWICZ), torch.tensor([1.0, 0.0, 0.3]))
    assert torch.allclose(scatter_disj(v, idx, 3, TNorm.GODEL), torch.tensor([0.8, 0.0, 0.3]))


def _bce(g, w: torch.Tensor, tnorm: TNorm) -> float:
    from ruledisc.learner import ClauseSelector
    h = ClauseSelector(torch.zeros(g.n_clauses), tnorm)(g, w).clamp(1e-6, 1 - 1e-6)
    return float((g.weights * -(g.labels * torch.log(h) + (1 - g.labels) * torch.log1p(-h))).sum())


@pytest.mark.parametrize("tnorm", list(TNorm))
def test_merging_heads_with_equal_clause_sets_keeps_the_loss(grandparent_setup, tnorm) -> None:
    from ruledisc.ground import compress
    _, (_, _, _, cands, g, _) = grandparent_setup
    small = compress(g)
    assert small.n_heads < g.n_heads / 10 and small.clause.shape[0] < g.clause.shape[0] / 10
    assert float(small.weights.sum()) == pytest.approx(float(g.weights.sum()))
    rng = np.random.default_rng(1)
    for _ in range(3):
        w = torch.tensor(rng.uniform(0, 1, len(cands)), dtype=torch.float32)
        assert _bce(small, w, tnorm) == pytest.approx(_bce(g, w, tnorm), rel=1e-4)


def test_compress_leaves_soft_truth_alone(grandparent_setup) -> None:
    from ruledisc.ground import Groundings, compress
    _, (_, _, _, _, g, _) = grandparent_setup
    soft = Groundings(g.clause, g.head, torch.full_like(g.truth, 0.7), g.labels, g.weights, g.n_clauses)
    assert compress(soft) is soft


def test_crisp_pruning_drops_rules_another_rule_already_covers(grandparent_setup) -> None:
    from ruledisc.ground import compress
    from ruledisc.learner import prune_redundant
    _, (_, _, _, cands, g, _) = grandparent_setup
    precise = [i for i, c in enumerate(cands) if c.neg == 0]
    texts = {cands[i].rule.text() for i in precise}
    assert "grandparent(X, Y) :- parent(X, Z), parent(Z, Y)." in texts and len(precise) > 2
    lengths = np.array([c.length for c in cands], dtype=np.float64)
    for gg in (g, compress(g)):
        # even with the general rule weighted lowest, its specialisations go, not it
        weights = np.array([0.6 if c.length == 2 else 0.9 for c in cands])
        kept = prune_redundant(gg, precise, weights, lengths)
        assert [cands[i].rule.text() for i in kept] == ["grandparent(X, Y) :- parent(X, Z), parent(Z, Y)."]
