"""The pure helpers of benchmarks/dilp.py: label noise and the summary."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import polars as pl
import pytest

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "dilp.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_dilp", _PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_dilp"] = mod
    spec.loader.exec_module(mod)
    return mod


def _world() -> dict[str, pl.DataFrame]:
    s2 = {"x": pl.Utf8, "y": pl.Utf8}
    return {
        "edge": pl.DataFrame([("a", "b"), ("b", "c")], schema=s2, orient="row"),
        # node overlaps the target's values (d joins the domain); colour does not
        "colour": pl.DataFrame([("a", "red"), ("d", "green")], schema={"node": pl.Utf8, "colour": pl.Utf8},
                               orient="row"),
        "num": pl.DataFrame({"n": [1, 2]}, schema={"n": pl.Int64}),  # another dtype
        "t": pl.DataFrame([("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")], schema=s2, orient="row"),
    }


def _rows(df: pl.DataFrame) -> set[tuple]:
    return set(df.iter_rows())


def test_domains(bench):
    assert bench.domains(_world(), "t") == [["a", "b", "c", "d"]] * 2


def test_flip_count_universe_and_input_untouched(bench):
    world = _world()
    before = {k: v.clone() for k, v in world.items()}
    new, info = bench.flip_labels(world, "t", 0.25, seed=3)
    assert (info["k"], info["positives"], info["universe"]) == (4, 4, 16)
    diff = _rows(new["t"]) ^ _rows(world["t"])
    assert len(diff) == 4 == info["removed"] + info["added"]
    assert info["removed"] == len(_rows(world["t"]) - _rows(new["t"]))
    universe = set(itertools.product("abcd", repeat=2))
    assert diff <= universe and _rows(new["t"]) <= universe
    assert new["t"].schema == world["t"].schema
    for name, df in world.items():  # the given world is left as it was
        assert df.equals(before[name])
    for name in ("edge", "colour", "num"):
        assert new[name] is world[name]


def test_flip_deterministic_by_seed_and_zero_noise(bench):
    a, _ = bench.flip_labels(_world(), "t", 0.5, seed=1)
    b, _ = bench.flip_labels(_world(), "t", 0.5, seed=1)
    assert a["t"].equals(b["t"])
    others = [bench.flip_labels(_world(), "t", 0.5, seed=s)[0]["t"] for s in range(2, 6)]
    assert any(not o.equals(a["t"]) for o in others)
    same, info = bench.flip_labels(_world(), "t", 0.0, seed=1)
    assert info["k"] == 0 and same["t"].equals(_world()["t"])
    assert bench.noise_seed(2, 0.1) == 2010 and bench.noise_seed(2, 0.2) == 2020


def test_test_world_stays_clean(bench):
    from ruledisc.datasets.dilp import BY_NAME, test_world, train_world

    task = BY_NAME["undirected_edge"]
    clean = test_world(task, 0)
    noisy, info = bench.flip_labels(train_world(task, 0), task.target, 0.2, seed=0)
    assert info["k"] > 0 and not noisy[task.target].equals(train_world(task, 0)[task.target])
    assert test_world(task, 0)[task.target].equals(clean[task.target])


def test_summary_shares(bench):
    def run(task, seed, noise, exact, status="ok", secs=1.0, peak=100.0):
        return {"task": task, "seed": seed, "noise": noise, "exact": exact, "status": status,
                "mine_s": secs, "peak_mib": peak}

    runs = [run("fizz", 0, 0.0, False), run("fizz", 0, 0.0, True),  # the later run replaces the earlier
            run("fizz", 1, 0.0, False, "timeout", None, None), run("fizz", 2, 0.0, False, "error", 3.0),
            run("fizz", 3, 0.0, True, secs=5.0, peak=2048.0),
            run("member", 0, 0.0, True), run("member", 1, 0.0, False),
            run("member", 0, 0.1, True), run("member", 1, 0.1, True)]
    s = bench.summarise(runs, [0.0, 0.1])
    assert list(s) == ["fizz", "member"]
    f = s["fizz"]
    assert f["shares"]["0.0"] == {"exact": 2, "runs": 4, "share": 0.5}
    assert f["shares"]["0.1"] == {"exact": 0, "runs": 0, "share": None}
    assert f["below_dilp_at"] == [] and f["memory_flag"] and f["timeouts"] == 1 and f["errors"] == 1
    assert (f["median_s"], f["max_s"], f["max_peak_mib"]) == (3.0, 5.0, 2048.0)
    m = s["member"]
    assert m["shares"]["0.0"]["share"] == 0.5 and m["shares"]["0.1"]["share"] == 1.0
    assert m["below_dilp_at"] == ["0.0"] and not m["memory_flag"]
    table = bench.format_table(s)
    assert "<∂ILP" in table and ">=1GiB" in table and "50% (2/4)" in table


def test_quote_ident(bench):
    assert bench.quote_ident('we"ird') == '"we""ird"'
