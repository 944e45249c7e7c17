"""The business sample: joins, constants and thresholds under 10% label noise."""

from __future__ import annotations

import pytest
from conftest import SAMPLES

import ruledisc
from ruledisc.datasets import business
from ruledisc.parse import parse_rule


def _thresholds(text: str) -> list[object]:
    return [lit.right.value for lit in parse_rule(text).body if isinstance(lit, ruledisc.Comparison)]


@pytest.mark.slow
@pytest.mark.parametrize("target", ["orders.late", "customers.churned"])
def test_generating_rules_recovered_and_held_out_f1(target, tmp_path):
    name = target
    res = ruledisc.mine(SAMPLES / "business.sql", target, noise=0.1, dry_run=True)
    assert sorted(r.text for r in res.rules) == sorted(business.RULES[name])
    learned = [t for r in res.rules for t in _thresholds(r.text)]
    for true in business.THRESHOLDS[name]:
        if isinstance(true, str):
            assert true in learned
        else:
            assert any(isinstance(t, (int, float)) and abs(t - true) <= 0.02 * abs(true) for t in learned)
    out = tmp_path / "rules.json"
    out.write_text(res.to_json())
    held_out = ruledisc.evaluate(SAMPLES / "business_test.sql", target, rules=out)
    assert held_out["f1"] >= 0.95


def test_learning_sample_is_stratified_and_weighted_back(tmp_path):
    import duckdb

    from ruledisc.engine import Engine
    from ruledisc.introspect import introspect
    from ruledisc.target import learning_sample, materialise_examples, parse_target
    con = duckdb.connect()
    con.execute((SAMPLES / "business_test.sql").read_text())
    eng = Engine(con)
    cat = introspect(eng)
    tgt = parse_target("orders.late", cat)
    counts = materialise_examples(eng, tgt, cat)
    kept = learning_sample(eng, tgt, counts, 1000, seed=0)
    assert abs(kept["positives"] - 500) <= 60 and abs(kept["negatives"] - 500) <= 60
    w = dict(con.execute("SELECT label, sum(w) FROM rd_learn GROUP BY label").fetchall())
    assert w[1] == pytest.approx(counts["positives"]) and w[0] == pytest.approx(counts["negatives"])
    assert con.execute("SELECT count(*) FROM rd_ex").fetchone()[0] == counts["positives"] + counts["negatives"]
