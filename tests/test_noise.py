"""Noise mode: mislabelled training examples do not change the learned program."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

import ruledisc
from ruledisc.cli import app
from ruledisc.learner import generalise


def test_generalise_drops_literals_while_errors_stay_within_the_noise() -> None:
    """Clause 1 (3 literals) derives heads {0, 1}: one error (head 4). The shorter
    clause 0 derives all five, labelled 1, 1, 0, 0, 1: two errors. Swapped when the
    noise explains two errors (rounded), not one; swapped anyway once it is no worse."""
    preds = {(0,): np.array([1, 1, 1, 1, 1], bool), (1,): np.array([1, 1, 0, 0, 0], bool)}
    labels, weights, lengths = np.array([1.0, 1, 0, 0, 1]), np.ones(5), np.array([1.0, 3.0])
    assert generalise(lambda p: preds[tuple(p)], labels, weights, [1], lengths, 1.0) == [1]
    assert generalise(lambda p: preds[tuple(p)], labels, weights, [1], lengths, 1.4) == [1]
    assert generalise(lambda p: preds[tuple(p)], labels, weights, [1], lengths, 2.0) == [0]
    labels[3] = 1.0   # now the shorter clause is simply better
    assert generalise(lambda p: preds[tuple(p)], labels, weights, [1], lengths, 0.0) == [0]


def _noisy_predecessor(n: int, flips: int, seed: int) -> tuple[duckdb.DuckDBPyConnection, int]:
    """succ over 0..n-1 and predecessor with ``flips`` atoms of the n x n closed world flipped."""
    rng = np.random.default_rng(seed)
    truth = {(i + 1, i) for i in range(n - 1)}
    universe = [(a, b) for a in range(n) for b in range(n)]
    flipped = {universe[i] for i in rng.choice(len(universe), size=flips, replace=False)}
    rows = sorted(truth ^ flipped)
    con = duckdb.connect()
    con.execute("CREATE TABLE succ(x BIGINT, y BIGINT); CREATE TABLE predecessor(x BIGINT, y BIGINT)")
    con.executemany("INSERT INTO succ VALUES (?, ?)", [(i, i + 1) for i in range(n - 1)])
    con.executemany("INSERT INTO predecessor VALUES (?, ?)", rows)
    return con, len(flipped)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_ten_percent_flipped_labels_leave_predecessor_exact(seed: int) -> None:
    con, flipped = _noisy_predecessor(10, 10, seed)
    res = ruledisc.mine(con, target="predecessor", dry_run=True, noise=0.1, seed=seed)
    assert [r.text for r in res.rules] == ["predecessor(X, Y) :- succ(Y, X)."]
    # the program disagrees with exactly the flipped labels, and says so
    assert res.info["training_errors"] == flipped
    assert res.info["recursive"] is False and res.info["invented"] == 0


def test_noise_option_is_checked() -> None:
    r = CliRunner().invoke(app, ["mine", "x.sql", "--target", "t", "--noise", "0.7"])
    assert r.exit_code == 2 and r.stderr.startswith("error: --noise must be")


def test_training_labels_of_a_closed_world_target_are_every_atom_over_its_domains() -> None:
    """predecessor over 0..9 (succ holds 0..9): 10 x 10 labels, whatever the table holds;
    with --negatives, the labelled rows."""
    from ruledisc.engine import Engine
    from ruledisc.introspect import introspect
    from ruledisc.target import label_universe, parse_target
    con, _ = _noisy_predecessor(10, 0, 0)
    eng = Engine(con)
    cat = introspect(eng, {})
    assert label_universe(eng, parse_target("predecessor", cat), cat, 9) == 100
    con.execute("CREATE TABLE not_pred AS SELECT y AS x, x AS y FROM predecessor")
    cat = introspect(eng, {})
    assert label_universe(eng, parse_target("predecessor", cat, None, "not_pred"), cat, 18) == 18
