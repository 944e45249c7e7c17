"""End to end: mine the sample databases, check the exact rules and the rows the views return,
and apply saved rules to an unseen database."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import SAMPLES, make_db

import ruledisc
from ruledisc.datasets import family, shop

pytestmark = pytest.mark.slow
BACKGROUND = "parent,male,female"


def rows(db: Path, sql: str) -> set[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return set(con.execute(sql).fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def unseen_family(tmp_path_factory) -> Path:
    """A second family world the rules never saw: other seed, other size."""
    return make_db(tmp_path_factory.mktemp("unseen") / "family2.duckdb",
                   family.to_sql(family.generate(420, seed=11)))


@pytest.mark.parametrize("target", ["grandparent", "grandmother", "mother", "son"])
def test_family_targets_are_recovered_exactly_and_apply_to_unseen_data(
        target: str, family_db: Path, unseen_family: Path, tmp_path: Path) -> None:
    res = ruledisc.mine(family_db, target=target, background=BACKGROUND)
    assert [r.text for r in res.rules] == [family.RULES[target]]
    assert res.metrics == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    cols = [c["name"] for c in res.head_columns]
    quoted = ", ".join(f'"{c}"' for c in cols)
    assert rows(family_db, f'SELECT {quoted} FROM ruledisc."{target}"') == rows(family_db, f"SELECT * FROM {target}")
    stored = rows(family_db, "SELECT target, rule_no, rule_text, support, pca_confidence FROM ruledisc.rules")
    assert stored == {(target, 1, family.RULES[target], res.rules[0].support, 1.0)}
    assert res.rules[0].pca_confidence == 1.0
    # apply the saved rules to the unseen world: exactly its target rows
    out = tmp_path / f"{target}.json"
    out.write_text(res.to_json())
    views = ruledisc.apply(out, unseen_family)
    assert views == [f"ruledisc.{target}", f'ruledisc."{target}#r1"']
    expected = rows(unseen_family, f"SELECT * FROM {target}")
    assert len(expected) > 100
    assert rows(unseen_family, f'SELECT {quoted} FROM ruledisc."{target}"') == expected
    assert ruledisc.evaluate(unseen_family, target)["f1"] == 1.0


def test_default_background_still_gives_an_exact_program(family_db: Path) -> None:
    """With every table as background, shorter equivalent rules may win; the union is still exact."""
    res = ruledisc.mine(family_db, target="grandmother", dry_run=True)
    assert res.metrics["f1"] == 1.0
    assert res.views == []
    assert rows(family_db, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'ruledisc'") \
        == {(0,)}


@pytest.mark.parametrize("target", ["customers.churned", "customers.support_tier=gold"])
def test_column_targets_recover_the_known_rules_with_constants(target: str, shop_db: Path) -> None:
    res = ruledisc.mine(shop_db, target=target)
    name = res.target
    assert sorted(r.text for r in res.rules) == sorted(shop.RULES[name])
    assert res.metrics["f1"] == 1.0
    truth = "churned" if name.endswith("churned") else "support_tier = 'gold'"
    assert rows(shop_db, f'SELECT customer_id FROM ruledisc."{name}"') == \
        rows(shop_db, f"SELECT customer_id FROM customers WHERE {truth}")
    score = rows(shop_db, f'SELECT DISTINCT score FROM ruledisc."{name}"')
    assert score == {(1.0,)}


def test_apply_to_new_unlabelled_rows(shop_db: Path, tmp_path: Path) -> None:
    """The rules file carries the head's columns: the target column may be absent in the new data."""
    res = ruledisc.mine(shop_db, target="customers.churned", dry_run=True)
    path = tmp_path / "churn.json"
    path.write_text(res.to_json())
    fresh = shop.generate(200, seed=5)
    truth = fresh["customers"].filter(pl.col("churned"))["customer_id"].to_list()
    fresh["customers"] = fresh["customers"].drop("churned", "support_tier")
    new_db = tmp_path / "new.duckdb"
    con = duckdb.connect(str(new_db))
    for name, df in fresh.items():
        con.register("df", df)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM df")  # no primary keys declared here
        con.unregister("df")
    con.close()
    ruledisc.apply(path, new_db)
    assert rows(new_db, 'SELECT customer_id FROM ruledisc."customers.churned"') == {(c,) for c in truth}


def test_cli_mine_json_out_and_rules(family_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ruledisc.cli import app
    out = tmp_path / "mother.json"
    r = CliRunner().invoke(app, ["mine", str(family_db), "--target", "mother", "--background", BACKGROUND,
                                 "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["rules"][0]["text"] == family.RULES["mother"]
    assert set(d) >= {"target", "head", "rules", "metrics", "views", "timings"}
    assert json.loads(out.read_text())["rules"] == d["rules"]
    r = CliRunner().invoke(app, ["rules", str(family_db), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["rule_text"] == family.RULES["mother"]


def test_api_accepts_a_connection_and_a_dict_of_frames(family_con) -> None:
    res = ruledisc.mine(family_con, target="son", background=BACKGROUND)
    assert res.rules_df.select("text").to_series().to_list() == [family.RULES["son"]]
    assert family_con.execute('SELECT count(*) FROM ruledisc."son"').fetchone()[0] == \
        family_con.execute("SELECT count(*) FROM son").fetchone()[0]
    frames = family.generate(150, seed=2)
    res2 = ruledisc.mine(frames, target="mother", background=BACKGROUND, dry_run=True)
    assert [r.text for r in res2.rules] == [family.RULES["mother"]]


def test_folder_of_parquet_and_csv(tmp_path: Path) -> None:
    frames = family.generate(150, seed=3)
    for i, (name, df) in enumerate(frames.items()):
        (df.write_parquet if i % 2 else df.write_csv)(tmp_path / f"{name}.{'parquet' if i % 2 else 'csv'}")
    res = ruledisc.mine(tmp_path, target="son", background=BACKGROUND)
    assert [r.text for r in res.rules] == [family.RULES["son"]]


@pytest.mark.slow
def test_search_stops_deepening_once_one_clause_is_exact() -> None:
    """All seven family tables as background: level 2 holds an exact clause, so level 3's
    thousands of clauses are not counted (this took over a minute before)."""
    res = ruledisc.mine(SAMPLES / "family.sql", "grandmother", dry_run=True)
    assert [r.text for r in res.rules] == ["grandmother(X, Y) :- female(X), grandparent(X, Y)."]
    assert [lv["level"] for lv in res.info["search"]] == [1, 2]
