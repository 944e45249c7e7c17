"""Inputs that used to be accepted silently or reported misleadingly (issue 16): each now
ends in one ``error:`` line naming what to do, the database unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clihelp import DATA, USAGE, Unchanged, assert_error, build_db, invoke

FLAGS = """
CREATE TABLE k (id INTEGER PRIMARY KEY, grp VARCHAR);
INSERT INTO k SELECT i, ['a', 'b'][i % 2 + 1] FROM range(20) r(i);
CREATE TABLE flags (id INTEGER PRIMARY KEY REFERENCES k (id), level INTEGER, ok INTEGER);
INSERT INTO flags SELECT id, id % 3 + 1, CASE WHEN grp = 'a' THEN 1 ELSE 0 END FROM k;
CREATE TABLE loose (id INTEGER, ok BOOLEAN);
INSERT INTO loose VALUES (1, TRUE), (NULL, FALSE), (3, FALSE);
"""


@pytest.fixture
def flags(tmp_path: Path) -> Path:
    return build_db(tmp_path / "db" / "flags.duckdb", None, FLAGS)


def test_integer_column_without_0_1_values_says_so(flags: Path) -> None:
    with Unchanged(flags):
        assert_error(invoke("mine", flags, "--target", "flags.level"), DATA, "flags.level", "0 and 1",
                     "flags.level=VALUE")


def test_null_keys_are_not_called_duplicates(flags: Path) -> None:
    with Unchanged(flags):
        line = assert_error(invoke("mine", flags, "--target", "loose.ok", "--key", "id"), DATA, "NULL", "1 rows")
    assert "duplicate" not in line


def test_eval_without_stored_rules_for_the_target_is_an_error(tmp_path: Path, flags: Path) -> None:
    dl = tmp_path / "ok.dl"
    dl.write_text("flags.ok(X) :- k.grp(X, a).\n")
    r = invoke("apply", dl, flags)
    assert r.exit_code == 0, r.stderr
    r = invoke("eval", flags, "--target", "flags.ok")
    assert r.exit_code == 0 and "f1 1.0000" in r.stdout, r.stderr + r.stdout
    with Unchanged(flags):
        assert_error(invoke("eval", flags, "--target", "loose.ok", "--key", "id"), DATA, "no stored rules",
                     "'loose.ok'", "flags.ok")


def test_apply_to_a_sql_script_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "db" / "w.sql"
    script.parent.mkdir()
    script.write_text(FLAGS)
    dl = tmp_path / "ok.dl"
    dl.write_text("flags.ok(X) :- k.grp(X, a).\n")
    with Unchanged(script):
        assert_error(invoke("apply", dl, script), USAGE, "w.sql", "temporary", "would be lost")


def test_rules_takes_the_target_as_mine_does(tmp_path: Path, flags: Path) -> None:
    dl = tmp_path / "ok.dl"
    dl.write_text("flags.ok(X) :- k.grp(X, a).\n")
    assert invoke("apply", dl, flags).exit_code == 0
    r = invoke("rules", flags, "--target", "flags.ok", "--json")
    assert r.exit_code == 0 and '"flags.ok(X) :- k.grp(X, a)."' in r.stdout, r.stdout


def test_a_database_held_by_another_process_fails_before_the_work(flags: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               f"c = duckdb.connect({str(flags)!r}, read_only=True)\n"
                               "print('open', flush=True)\ntime.sleep(60)\n"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with Unchanged(flags):
            t0 = time.perf_counter()
            r = invoke("mine", flags, "--target", "flags.ok", "--epochs", "5000")
            took = time.perf_counter() - t0
            assert_error(r, DATA, "flags.duckdb", "--dry-run")
        assert took < 20, f"the lock was found after {took:.1f}s of work"
        r = invoke("mine", flags, "--target", "flags.ok", "--dry-run", "--quiet", "--max-body", "1")
        assert r.exit_code == 0 and "flags.ok(X) :- k.grp(X, a)." in r.stdout, r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_schema_named_like_the_database_file_is_refused_before_work(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "shop.duckdb", "shop")
    with Unchanged(db):
        assert_error(invoke("mine", db, "--target", "customers.churned", "--schema", "shop"), USAGE,
                     "--schema 'shop'", "catalog")


def test_import_kg_into_a_file_named_like_the_graph_schema(tmp_path: Path) -> None:
    kg = tmp_path / "g"
    kg.mkdir()
    (kg / "train.txt").write_text("a\tr\tb\nb\tr\tc\n")
    out = tmp_path / "db" / "kg.duckdb"
    out.parent.mkdir()
    assert_error(invoke("import-kg", kg, out), USAGE, "kg.duckdb", "graph.duckdb")
    assert not out.exists()


def test_mining_a_script_says_nothing_persists(tmp_path: Path) -> None:
    script = tmp_path / "w.sql"
    script.write_text(FLAGS)
    r = invoke("mine", script, "--target", "flags.ok", "--max-body", "1", "--quiet")
    assert r.exit_code == 0, r.stderr
    assert "flags.ok(X) :- k.grp(X, a)." in r.stdout
    assert "in memory only" in " ".join(r.stdout.split())


def test_column_target_metrics_carry_the_baseline(flags: Path) -> None:
    r = invoke("mine", flags, "--target", "flags.ok", "--max-body", "1", "--dry-run", "--json")
    assert r.exit_code == 0, r.stderr
    m = json.loads(r.stdout)["metrics"]
    assert m["accuracy"] == 1.0 and m["baseline_accuracy"] == 0.5     # 10 positives, 10 negatives
    assert m["baseline_f1"] == pytest.approx(2 / 3)                   # every row called positive


def test_integer_target_with_a_third_value_is_refused(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "w.duckdb", None, FLAGS + "UPDATE flags SET ok = 2 WHERE id < 3;")
    with Unchanged(db):
        assert_error(invoke("mine", db, "--target", "flags.ok"), DATA, "flags.ok", "0 and 1", "3 other rows")


def test_a_column_named_with_leading_underscores_gives_constants(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "w.duckdb", None, FLAGS.replace("grp", "__grp"))
    r = invoke("mine", db, "--target", "flags.ok", "--max-body", "1", "--dry-run", "--quiet")
    assert r.exit_code == 0 and "flags.ok(X) :- k.__grp(X, a)." in r.stdout, r.stdout + r.stderr


def test_out_on_a_full_device_is_refused_before_work(flags: Path) -> None:
    with Unchanged(flags):
        assert_error(invoke("mine", flags, "--target", "flags.ok", "--out", "/dev/full"), USAGE, "/dev/full")


def test_malformed_fact_names_the_option(tmp_path: Path, family: Path) -> None:
    dl = tmp_path / "gp.dl"
    dl.write_text("grandparent(X, Y) :- parent(X, Z), parent(Z, Y).\n")
    with Unchanged(family):
        assert_error(invoke("explain", family, "--target", "grandparent", "--rules", dl, "--fact", "grandparent(ann"),
                     USAGE, "--fact 'grandparent(ann'")


@pytest.mark.parametrize("folder", ["g*", "g[1]"])
def test_import_kg_reads_the_folder_named_not_a_glob(tmp_path: Path, folder: str) -> None:
    for name, rel in ((folder, "r"), ("gA", "other"), ("g1", "other")):
        (tmp_path / name).mkdir(exist_ok=True)
        (tmp_path / name / "train.txt").write_text(f"a\t{rel}\tb\nb\t{rel}\tc\n")
    out = tmp_path / "graph.duckdb"
    r = invoke("import-kg", tmp_path / folder, out, "--json")
    assert r.exit_code == 0, r.stderr
    assert [x["name"] for x in json.loads(r.stdout)["relations"]] == ["r"]


def test_import_kg_entities_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "train.txt").write_text("a\tr\tb\n")
    (tmp_path / "g" / "entities.txt").write_bytes(b"a\n\xff\n")
    assert_error(invoke("import-kg", tmp_path / "g", tmp_path / "graph.duckdb"), DATA, "entities.txt", "UTF-8")
    assert not (tmp_path / "graph.duckdb").exists()
