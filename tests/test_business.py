"""The business sample: joins, constants and thresholds under 10% label noise."""

from __future__ import annotations

import pytest
from conftest import SAMPLES

import ruledisc
from ruledisc.datasets import business
from ruledisc.parse import parse_rule

pytestmark = pytest.mark.slow


def _thresholds(text: str) -> list[object]:
    return [lit.right.value for lit in parse_rule(text).body if isinstance(lit, ruledisc.Comparison)]


@pytest.mark.parametrize("target", ["orders.late", "customers.churned"])
def test_generating_rules_recovered_and_held_out_f1(target, tmp_path):
    name = target.replace(".", "__")
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
