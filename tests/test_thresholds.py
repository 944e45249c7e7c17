"""Learned thresholds: the split, the snap, and recovery of numeric and date rules."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import polars as pl
import pytest

import ruledisc
from ruledisc.thresholds import as_const, as_number, best_split, roundest, snap


def test_roundest_picks_fewest_digits_in_the_gap():
    assert roundest(798.3, 801.2) == 800
    assert roundest(6, 7) == 6
    assert roundest(15, 23) == 20
    assert roundest(0.1234, 0.1301) == 0.13
    assert roundest(0.1234, 0.1251) == 0.124
    assert roundest(-3.5, -2.2) == -3


def test_snap_keeps_the_crisp_split():
    values = np.array([1.0, 5.0, 799.6, 803.9, 900.0])
    t = snap(801.7, values)
    assert t == 800
    assert ((values > t) == (values > 801.7)).all()
    assert snap(0.5, values) < 1.0          # below every value: still below
    assert snap(950.0, values) == 900.0     # above every value: at the largest


def test_best_split_maximises_youden_j():
    x = np.array([1, 2, 3, 4, 10, 11, 12, 13], dtype=float)
    y = np.array([0, 0, 0, 0, 1, 1, 1, 0], dtype=float)
    assert 4 < best_split(x, y, ">") < 10
    assert 12 < best_split(x, y, "<=") < 13     # "<=" covers the low side: best drops only the 13
    assert best_split(x, np.ones(8), ">") == float(np.median(x))   # one class: no split to learn


def test_dates_round_trip_as_days():
    d = as_number("2024-11-24", date=True)
    assert as_const(d, "date").value == "2024-11-24"
    assert as_number(dt.date(1970, 1, 2), date=True) == 1.0
    assert as_const(6.0, "int").value == 6 and isinstance(as_const(6.0, "int").value, int)


def _customers(n: int, seed: int, noise: float) -> duckdb.DuckDBPyConnection:
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "premium", "trial"], n)
    tenure = rng.integers(1, 61, n)
    spend = np.round(rng.gamma(2, 200, n), 2)
    region = rng.choice(["north", "south", "east", "west"], n)
    signup = np.datetime64("2023-01-01") + rng.integers(0, 730, n).astype("timedelta64[D]")
    churn = ((plan == "basic") & (tenure <= 6)) | ((spend > 800) & (region == "north")) \
        | ((plan == "trial") & (signup > np.datetime64("2024-09-30")))
    churn ^= rng.random(n) < noise
    df = pl.DataFrame({"customer_id": np.arange(n), "plan": plan, "tenure": tenure, "spend": spend,
                       "region": region, "signup": signup.astype("datetime64[D]"), "churned": churn})
    con = duckdb.connect()
    con.register("df", df)
    con.execute("CREATE TABLE customers AS SELECT * FROM df")
    con.execute("ALTER TABLE customers ADD PRIMARY KEY (customer_id)")
    return con


SHAPES = {   # rule text with its threshold left out -> (true threshold, tolerance)
    "customers.churned(X) :- customers.plan(X, basic), customers.tenure(X, Y), Y <= ?.": (6, 0),
    "customers.churned(X) :- customers.region(X, north), customers.spend(X, Y), Y > ?.": (800.0, 16.0),
    "customers.churned(X) :- customers.plan(X, trial), customers.signup(X, Y), Y > ?.": ("2024-09-30", 3),
}


def _shape(rule: ruledisc.Rule) -> tuple[str, object]:
    """The rule's text with its one threshold replaced by ``?``, and the threshold."""
    cmp = next(lit for lit in rule.body if isinstance(lit, ruledisc.Comparison))
    body = tuple(ruledisc.Comparison(cmp.op, cmp.left, ruledisc.Const("?")) if lit is cmp else lit for lit in rule.body)
    return ruledisc.Rule(rule.head, body).text().replace("'?'", "?"), cmp.right.value


@pytest.mark.slow
@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_integer_float_and_date_thresholds_are_recovered(noise):
    con = _customers(2000, seed=0, noise=noise)
    res = ruledisc.mine(con, "customers.churned", dry_run=True, noise=noise)
    found = dict(_shape(r.rule) for r in res.rules)
    assert set(found) == set(SHAPES)
    for shape, (true, tol) in SHAPES.items():
        got = found[shape]
        if isinstance(true, str):   # a date: within ``tol`` days
            assert abs((dt.date.fromisoformat(got) - dt.date.fromisoformat(true)).days) <= tol, (shape, got)
        else:
            assert abs(got - true) <= tol, (shape, got)
    if noise == 0:
        assert res.metrics["f1"] == 1.0
    # the rule's SQL is the crisp comparison
    assert any("> 800.0" in r.sql for r in res.rules)
    assert any("<= 6" in r.sql for r in res.rules)


def test_threshold_rules_apply_to_new_rows(tmp_path):
    rules = tmp_path / "rules.dl"
    rules.write_text("customers.churned(X) :- customers.plan(X, trial), customers.signup(X, Y), Y > '2024-09-30'.\n"
                     "customers.churned(X) :- customers.spend(X, Y), Y > 800.0.\n")
    db = tmp_path / "new.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, plan TEXT, spend DOUBLE, signup DATE)")
    con.execute("INSERT INTO customers VALUES (1, 'trial', 10, DATE '2024-10-01'), (2, 'trial', 10, DATE '2024-09-30'),"
                " (3, 'basic', 800.01, DATE '2020-01-01'), (4, 'basic', 800, DATE '2020-01-01')")
    con.close()
    ruledisc.apply(rules, db)
    con = duckdb.connect(str(db))
    rows = con.execute('SELECT x FROM ruledisc."customers.churned" ORDER BY 1').fetchall()   # .dl heads: x, y, ..
    assert rows == [(1,), (3,)]


def test_constants_are_chosen_by_support_not_frequency():
    """A rare city (outside the 12 most frequent values) that explains the label is found."""
    rng = np.random.default_rng(3)
    n = 1500
    common = [f"c{i:02d}" for i in range(24)]
    city = rng.choice(common, n).astype(object)
    city[rng.choice(n, 40, replace=False)] = "zermatt"       # 40 rows: rarer than every common city
    churn = city == "zermatt"
    df = pl.DataFrame({"customer_id": np.arange(n), "city": city, "churned": churn})
    con = duckdb.connect()
    con.register("df", df)
    con.execute("CREATE TABLE customers AS SELECT * FROM df")
    con.execute("ALTER TABLE customers ADD PRIMARY KEY (customer_id)")
    frequent = con.execute("SELECT city FROM customers GROUP BY city ORDER BY count(*) DESC, city LIMIT 12").fetchall()
    assert ("zermatt",) not in frequent
    res = ruledisc.mine(con, "customers.churned", dry_run=True)
    assert [r.text for r in res.rules] == ["customers.churned(X) :- customers.city(X, zermatt)."]
