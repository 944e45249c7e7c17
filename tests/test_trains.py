"""Michalski's trains: the classic rule, from the Aleph files and from the SQL sample."""

from __future__ import annotations

import duckdb
import pytest
from conftest import SAMPLES
from typer.testing import CliRunner

import ruledisc
from ruledisc.cli import app
from ruledisc.datasets.trains import RULE

ALEPH_B = """:- modeh(1, eastbound(+train)).
:- modeb(*, has_car(+train, -car)).
has_car(east1, c11). has_car(east1, c12). short(c11). closed(c11). long(c12).
has_car(east2, c21). short(c21). closed(c21).
has_car(west1, w11). has_car(west1, w12). short(w11). long(w12). closed(w12).
has_car(west2, w21). long(w21). closed(w21).
"""


@pytest.mark.slow
def test_classic_rule_from_the_sample():
    res = ruledisc.mine(SAMPLES / "trains.sql", "eastbound", negatives="eastbound_neg", dry_run=True)
    assert [r.text for r in res.rules] == [RULE]
    assert res.metrics["f1"] == 1.0


def test_import_aleph_reads_b_f_n(tmp_path):
    task = tmp_path / "trains"
    task.mkdir()
    (task / "train.b").write_text(ALEPH_B)
    (task / "train.f").write_text("eastbound(east1).\neastbound(east2).\n")
    (task / "train.n").write_text("eastbound(west1).\neastbound(west2).\n")
    out = tmp_path / "t.duckdb"
    r = CliRunner().invoke(app, ["import-aleph", str(task), str(out), "-q"])
    assert r.exit_code == 0, r.output
    con = duckdb.connect(str(out))
    assert con.execute("SELECT count(*) FROM has_car").fetchone() == (6,)
    assert sorted(con.execute("SELECT * FROM eastbound_neg").fetchall()) == [("west1",), ("west2",)]
    con.close()
    res = ruledisc.mine(out, "eastbound", negatives="eastbound_neg", dry_run=True, max_body=3)
    assert [r.text for r in res.rules] == [RULE]


def test_import_aleph_without_positives_is_an_error(tmp_path):
    task = tmp_path / "t"
    task.mkdir()
    (task / "train.b").write_text(ALEPH_B)
    r = CliRunner().invoke(app, ["import-aleph", str(task), str(tmp_path / "o.duckdb")])
    assert r.exit_code == 1
    assert "train.f is missing" in r.output
