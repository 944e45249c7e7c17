"""The randomised planted-rule generator: reproducible draws, canonical rule texts, labels
that ruledisc's own evaluation of the planted program reproduces, noise and shape ranges."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from sqlglot import exp

import ruledisc
from ruledisc import Comparison, UsageError, parse_rule
from ruledisc.datasets.planted import SIZES, Draw, draw, singular
from ruledisc.thresholds import snap

SHAPE_SEEDS = range(50)
SQL_SEEDS = range(24)


def _frames_equal(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> bool:
    return list(a) == list(b) and all(a[t].equals(b[t]) for t in a)


def _predicted(d: Draw, db: Path) -> set[int]:
    """Keys of the target table that ``ruledisc apply`` of the planted ``.dl`` derives in ``db``."""
    rules = db.with_suffix(".dl")
    rules.write_text(d.program())
    views = ruledisc.apply(rules, db)
    view = exp.Table(this=exp.to_identifier(d.target, quoted=True), db=exp.to_identifier("ruledisc"))
    assert view.sql("duckdb") in views
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.sql(exp.select("*").from_(view).sql("duckdb")).pl()
    finally:
        con.close()
    assert got.columns[-1] == "score" and got.height == got.select(got.columns[0]).n_unique()
    return set(got[got.columns[0]].to_list())


def _load(d: Draw, which: str, path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute(d.to_sql(which))
    con.close()
    return path


def _positives(frame: pl.DataFrame, key: str, label: str) -> set[int]:
    return set(frame.filter(pl.col(label))[key].to_list())


def test_same_seed_gives_the_same_draw():
    for seed in (0, 7, 123):
        a, b = draw(seed, "tiny"), draw(seed, "tiny")
        assert _frames_equal(a.train, b.train) and _frames_equal(a.test, b.test)
        assert (a.rules, a.target, a.keys, a.fks, a.declared, a.noise, a.shape) == \
               (b.rules, b.target, b.keys, b.fks, b.declared, b.noise, b.shape)
        assert a.to_sql("train") == b.to_sql("train")


def test_different_seeds_give_different_draws():
    draws = [draw(s, "tiny") for s in range(10)]
    assert len({tuple(d.rules) for d in draws}) == 10
    for a, b in zip(draws, draws[1:]):
        assert not _frames_equal(a.train, b.train)
    assert len({d.noise for d in draws}) == 10
    one = draws[0]   # train and test: the same schema, other rows
    assert {t: f.schema for t, f in one.train.items()} == {t: f.schema for t, f in one.test.items()}
    assert not _frames_equal(one.train, one.test)


def test_rule_texts_are_canonical_and_round_trip():
    for seed in SHAPE_SEEDS:
        d = draw(seed, "tiny")
        assert d.rules and len(set(d.rules)) == len(d.rules)
        for text in d.rules:
            rule = parse_rule(text)
            assert rule.text() == text
            assert rule.canonical().text() == text
            assert rule.head.text() == f"{d.target}(X)" and rule.is_range_restricted()


def test_describe_names_every_table_and_rule():
    d = draw(3, "tiny")
    text = d.describe()
    assert text.startswith("seed 3: ") and f"target {d.target}:" in text
    assert all(f"  {name} ({frame.height}): " in text for name, frame in d.train.items())
    assert all(f"  {r}" in text.splitlines() for r in d.rules)


@pytest.mark.parametrize("seed", SQL_SEEDS)
def test_test_labels_are_the_planted_program_evaluated_by_ruledisc(seed, tmp_path):
    d = draw(seed, "tiny")
    db = _load(d, "test", tmp_path / "test.duckdb")
    key = d.keys[d.target_table][0]
    expected = _positives(d.test[d.target_table], key, d.target_column)
    assert expected and _predicted(d, db) == expected


def test_small_draw_labels_match_ruledisc_too(tmp_path):
    d = draw(1000, "small")
    db = _load(d, "test", tmp_path / "test.duckdb")
    key = d.keys[d.target_table][0]
    assert _predicted(d, db) == _positives(d.test[d.target_table], key, d.target_column)


@pytest.mark.parametrize("noise", [0.0, 0.05, 0.1, 0.2])
def test_noise_flips_that_share_of_training_labels_only(noise):
    for seed in range(5):
        d = draw(seed, "small", noise=noise)
        labels = d.train[d.target_table][d.target_column].to_numpy()
        flipped = int(np.sum(labels != d.clean_train))
        assert flipped == round(noise * len(labels)) and d.noise == noise
        # the rows and the program do not depend on the noise
        assert d.rules == draw(seed, "small", noise=0.0).rules


def test_noise_against_ruledisc_and_default_noise(tmp_path):
    for seed in range(3):
        d = draw(seed, "tiny", noise=0.1)
        db = _load(d, "train", tmp_path / f"train{seed}.duckdb")
        frame = d.train[d.target_table]
        key = d.keys[d.target_table][0]
        predicted = _predicted(d, db)
        labelled = _positives(frame, key, d.target_column)
        assert len(predicted ^ labelled) == round(0.1 * frame.height)
    defaults = [draw(s, "tiny").noise for s in range(20)]
    assert all(0.0 <= n <= 0.2 for n in defaults) and max(defaults) - min(defaults) > 0.05


def _check_schema(d: Draw, size: int) -> None:
    assert 3 <= d.shape["tables"] == len(d.train) <= 8
    assert abs(d.shape["total_rows"] - size) <= 0.05 * size + 8 * 8
    assert d.target_table in d.train and d.train[d.target_table][d.target_column].dtype == pl.Boolean
    for name, frame in d.train.items():
        key = d.keys[name]
        assert key in (["id"], [singular(name) + "_id"]) and frame.columns[0] == key[0]
        assert frame[key[0]].to_list() == list(range(1, frame.height + 1))
        assert frame.height == d.shape["rows"][name] == d.test[name].height
        for col, parent, pkey in d.fks.get(name, []):
            assert col == singular(parent) + "_id" and pkey == d.keys[parent][0]
            assert list(d.train).index(parent) < list(d.train).index(name)       # parents first
            assert frame[col].min() >= 1 and frame[col].max() <= d.train[parent].height
        for col, dtype in frame.schema.items():
            if dtype == pl.String:
                assert frame[col].n_unique() <= 8 and all(v.islower() for v in frame[col].unique())
            if dtype == pl.Date:
                assert (frame[col].max() - frame[col].min()).days <= 800
    assert set(d.train) - set(d.fks) == {next(iter(d.train))}   # one root; every other table references


def _check_program(d: Draw) -> None:
    s = d.shape
    assert 1 <= s["rules"] == len(d.rules) <= 3 and len(s["branches"]) == s["rules"]
    for branches, hops, consts, thresholds, cover in zip(s["branches"], s["hops"], s["constants"],
                                                         s["thresholds"], s["coverage"]):
        assert branches in (1, 2) and len(hops) == branches and all(1 <= h <= 3 for h in hops)
        assert len(consts) <= 2 and len(thresholds) <= 2 and len(consts) + len(thresholds) >= branches
        assert 0.05 <= cover <= 0.40
        for pred, op, theta in thresholds:
            assert op in (">", "<=")
            table, col = pred.split(".")
            values = d.train[table][col]
            if values.dtype == pl.Date:
                assert dt.date.fromisoformat(theta) in set(values.to_list())   # a day that occurs
            else:   # as round as the split allows: ruledisc snaps learned thresholds the same way
                assert snap(float(theta), np.unique(values.to_numpy()).astype(float)) == theta
    assert s["positive_rate"] <= 0.75
    assert s["positive_rate"] == pytest.approx(float(d.clean_train.mean()))
    literals = [parse_rule(t).body for t in d.rules]
    for body, thresholds in zip(literals, s["thresholds"]):
        assert sum(isinstance(lit, Comparison) for lit in body) == len(thresholds)


def test_shapes_stay_in_their_ranges():
    seen: dict[str, set] = {k: set() for k in ("tables", "rules", "branches", "hops", "directions", "declared",
                                                "kinds", "theme")}
    for seed in SHAPE_SEEDS:
        d = draw(seed, "small")
        _check_schema(d, SIZES["small"])
        _check_program(d)
        seen["tables"].add(d.shape["tables"])
        seen["rules"].add(d.shape["rules"])
        seen["branches"] |= set(d.shape["branches"])
        seen["hops"] |= {h for hs in d.shape["hops"] for h in hs}
        seen["directions"] |= {x for r in d.shape["directions"] for b in r for x in b}
        seen["declared"].add(d.declared)
        seen["kinds"] |= {str(t) for f in d.train.values() for t in f.schema.values()}
        seen["theme"].add(d.shape["theme"])
    # over 50 seeds the whole range is drawn
    assert seen["tables"] == set(range(3, 9)) and seen["rules"] == {1, 2, 3}
    assert seen["branches"] == {1, 2} and seen["hops"] == {1, 2, 3}
    assert seen["directions"] == {"n:1", "1:n"} and seen["declared"] == {True, False}
    assert seen["kinds"] == {"Int64", "Float64", "String", "Date", "Boolean"} and len(seen["theme"]) >= 5


def test_two_branch_rules_are_about_a_third():
    rules = [b for s in range(100) for b in draw(s, "tiny").shape["branches"]]
    assert 0.2 <= rules.count(2) / len(rules) <= 0.4


def test_integer_size_and_tiny_size():
    d = draw(5, 3000)
    _check_schema(d, 3000)
    _check_program(d)
    assert d.size == 3000
    _check_schema(draw(5, "tiny"), SIZES["tiny"])


def test_write_sql_and_duckdb(tmp_path):
    draws = [draw(s, "tiny") for s in range(10)]
    for d in (next(d for d in draws if d.declared), next(d for d in draws if not d.declared)):
        seed = d.seed
        for fmt in ("sql", "duckdb"):
            paths = d.write(tmp_path / f"{seed}{fmt}", fmt)
            assert paths["planted"].read_text() == d.program()
            for which in ("train", "test"):
                if fmt == "sql":
                    con = duckdb.connect()
                    con.execute(paths[which].read_text())
                else:
                    con = duckdb.connect(str(paths[which]), read_only=True)
                for name, frame in d.tables(which).items():
                    got = con.sql(exp.select("*").from_(name).sql("duckdb")).pl()
                    assert got.equals(frame), (seed, fmt, which, name)
                constraints = con.execute("SELECT count(*) FROM duckdb_constraints() "
                                          "WHERE constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')").fetchone()[0]
                assert constraints == (len(d.keys) + sum(map(len, d.fks.values())) if d.declared else 0)
                con.close()


@pytest.mark.parametrize("kwargs, fragment", [
    ({"seed": -1}, "seed must be a non-negative integer"),
    ({"seed": "3"}, "seed must be a non-negative integer"),
    ({"seed": True}, "seed must be a non-negative integer"),
    ({"seed": 1, "size": "huge"}, "unknown size 'huge'"),
    ({"seed": 1, "size": 10}, "size must be between 300"),
    ({"seed": 1, "size": 2.5}, "size must be one of tiny"),
    ({"seed": 1, "noise": 0.7}, "noise must be a share of labels in [0, 0.5)"),
    ({"seed": 1, "noise": -0.1}, "noise must be a share of labels"),
    ({"seed": 1, "noise": "0.1"}, "noise must be a share of labels"),
])
def test_bad_arguments_are_usage_errors(kwargs, fragment):
    with pytest.raises(UsageError) as err:
        draw(**kwargs)
    assert fragment in str(err.value)


def test_bad_which_and_format(tmp_path):
    d = draw(0, "tiny")
    with pytest.raises(UsageError, match="which must be 'train' or 'test'"):
        d.to_sql("valid")
    with pytest.raises(UsageError, match="fmt must be 'sql' or 'duckdb'"):
        d.write(tmp_path, "csv")
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_large_draw_is_fast():
    t0 = time.perf_counter()
    d = draw(11, "large")
    elapsed = time.perf_counter() - t0
    assert elapsed < 20, f"a large draw took {elapsed:.1f}s"
    assert abs(d.shape["total_rows"] - 1_000_000) <= 50_000
    _check_program(d)


@pytest.mark.parametrize("seed", range(200, 230))
def test_every_planted_rule_derives_rows_in_the_unseen_database(seed: int) -> None:
    """The test database has positives to score (seed 202's once had none)."""
    d = draw(seed, "tiny")
    assert d.test[d.target_table][d.target_column].sum() > 0
