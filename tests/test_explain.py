"""``explain``: the rules that fire for one row, the rows they used, and near misses."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLES, make_db
from typer.testing import CliRunner

from ruledisc.cli import app
from ruledisc.datasets import business
from ruledisc.explain import explain

PREDICTED = """SELECT o.order_id FROM orders o WHERE
  EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.order_id AND s.carrier = 'slowpost' AND s.distance_km > 800)
  OR (o.priority = 'standard' AND o.order_date > DATE '2024-11-24')
  OR EXISTS (SELECT 1 FROM line_items l JOIN products p USING (product_id)
             WHERE l.order_id = o.order_id AND p.category = 'furniture')"""


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> tuple[Path, Path]:
    """The noisy business sample and its generating rules as a .dl file."""
    d = tmp_path_factory.mktemp("explain")
    rules = d / "late.dl"
    rules.write_text("\n".join(business.RULES["orders.late"]) + "\n")
    return make_db(d / "business.duckdb", (SAMPLES / "business.sql").read_text()), rules


def _one(path: Path, where: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"SELECT min(order_id) FROM orders o WHERE {where}").fetchone()[0]
    finally:
        con.close()


def test_true_positive_shows_the_rule_and_its_rows(db):
    path, rules = db
    key = _one(path, f"late AND order_id IN ({PREDICTED}) AND NOT EXISTS (SELECT 1 FROM line_items l JOIN products p "
                     "USING (product_id) WHERE l.order_id = o.order_id AND p.category = 'furniture')")
    ex = explain(path, "orders.late", key=str(key), rules=rules)
    assert ex.outcome == "true positive" and ex.label == 1 and ex.predicted
    assert len(ex.fired) >= 1 and not ex.closest
    texts = {f.rule for f in ex.fired}
    assert texts <= set(business.RULES["orders.late"])
    tables = {r["table"] for f in ex.fired for g in f.groundings for r in g.rows}
    assert tables & {"shipments", "orders"}
    for f in ex.fired:   # each grounding names the order and the rows of the tables it read
        assert all(str(key) in " ".join(g.atoms) for g in f.groundings)


def test_false_positive_fires_against_a_negative_label(db):
    path, rules = db
    key = _one(path, f"NOT late AND order_id IN ({PREDICTED})")
    ex = explain(path, "orders.late", key=str(key), rules=rules)
    assert ex.outcome == "false positive" and ex.label == 0 and ex.fired


def test_false_negative_names_the_closest_rule_and_the_failed_literal(db):
    path, rules = db
    key = _one(path, f"late AND order_id NOT IN ({PREDICTED}) AND EXISTS (SELECT 1 FROM shipments s WHERE "
                     "s.order_id = o.order_id AND s.carrier = 'slowpost' AND s.distance_km <= 800)")
    distance = duckdb.connect(str(path), read_only=True).execute(
        "SELECT distance_km FROM shipments WHERE order_id = ?", [key]).fetchone()[0]
    ex = explain(path, "orders.late", key=str(key), rules=rules)
    assert ex.outcome == "false negative" and not ex.fired
    slow = [c for c in ex.closest if "slowpost" in c.rule]
    assert slow and slow[0].failed == ["Z > 800.0"]
    assert slow[0].why == [f"Z > 800.0: {distance!r} > 800.0 is false"]
    assert {r["table"] for g in slow[0].groundings for r in g.rows} == {"shipments"}


def test_cli_text_json_and_errors(db):
    path, rules = db
    key = _one(path, f"late AND order_id IN ({PREDICTED})")
    r = CliRunner().invoke(app, ["explain", str(path), "--target", "orders.late", "--key", str(key),
                                 "--rules", str(rules)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"orders.late({key}): true positive") and "  fires  orders.late(X) :- " in r.output
    r = CliRunner().invoke(app, ["explain", str(path), "--target", "orders.late", "--key", str(key),
                                 "--rules", str(rules), "--json"])
    assert json.loads(r.output)["outcome"] == "true positive"
    r = CliRunner().invoke(app, ["explain", str(path), "--target", "orders.late", "--key", "999999",
                                 "--rules", str(rules)])
    assert r.exit_code == 1 and "has no row with order_id = 999999" in r.output
    r = CliRunner().invoke(app, ["explain", str(path), "--target", "orders.late", "--rules", str(rules)])
    assert r.exit_code == 2 and "give exactly one of --fact" in r.output
    r = CliRunner().invoke(app, ["explain", str(path), "--target", "orders.late", "--key", "1"])
    assert r.exit_code == 1 and "no stored rules" in r.output


def test_table_target_fact_and_near_miss(tmp_path):
    path = make_db(tmp_path / "family.duckdb", (SAMPLES / "family.sql").read_text())
    rules = tmp_path / "gm.dl"
    rules.write_text("grandmother(X, Y) :- female(X), grandparent(X, Y).\n")
    con = duckdb.connect(str(path), read_only=True)
    gm = con.execute("SELECT * FROM grandmother ORDER BY ALL LIMIT 1").fetchone()
    gp = con.execute("SELECT * FROM grandparent EXCEPT SELECT * FROM grandmother ORDER BY ALL LIMIT 1").fetchone()
    con.close()
    ex = explain(path, "grandmother", fact=f"grandmother({gm[0]}, {gm[1]})", rules=rules)
    assert ex.outcome == "true positive"
    assert ex.fired[0].groundings[0].atoms == [f"female({gm[0]})", f"grandparent({gm[0]}, {gm[1]})"]
    ex = explain(path, "grandmother", fact=f"grandmother({gp[0]}, {gp[1]})", rules=rules)
    assert ex.outcome == "true negative"     # closed world: not in the table
    assert ex.closest[0].why == [f"female(X): female({gp[0]}) is not a fact"]
