"""The CLI error contract (SPEC.md, "Bad input").

Every user mistake ends with exactly one line ``error: ...`` on stderr, exit code 2
for usage errors and 1 for data errors, no traceback unless ``--debug`` is given,
and the database (its bytes and the files beside it) unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clihelp import DATA, USAGE, Unchanged, assert_error, build_db, invoke

# --------------------------------------------------------------------------- missing / unreadable / empty


def test_missing_db_file(tmp_path: Path) -> None:
    db = tmp_path / "db" / "nope.duckdb"
    db.parent.mkdir()
    with Unchanged(db):
        r = invoke("mine", db, "--target", "customers.churned")
        assert_error(r, DATA, "nope.duckdb", "does not exist")
    assert not db.exists()


def test_garbage_duckdb_file(tmp_path: Path) -> None:
    db = tmp_path / "db" / "x.duckdb"
    db.parent.mkdir()
    db.write_text("this is not a database\n" * 50)
    with Unchanged(db):
        r = invoke("mine", db, "--target", "customers.churned")
        assert_error(r, DATA, "x.duckdb", "cannot read")


def test_sql_script_with_invalid_sql(tmp_path: Path) -> None:
    script = tmp_path / "db" / "bad.sql"
    script.parent.mkdir()
    script.write_text("CREATE TABLE t (a INT);\nSELEKT broken FROM nowhere;\n")
    with Unchanged(script):
        r = invoke("mine", script, "--target", "t")
        assert_error(r, DATA, "bad.sql", "failed")


def test_empty_duckdb_file(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "empty.duckdb", None)
    assert db.exists()
    with Unchanged(db):
        r = invoke("mine", db, "--target", "anything")
        assert_error(r, DATA, "no tables")


def test_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "db" / "data"
    folder.mkdir(parents=True)
    with Unchanged(folder):
        r = invoke("mine", folder, "--target", "anything")
        assert_error(r, DATA, "data", "no .parquet or .csv")
    assert list(folder.iterdir()) == []


# --------------------------------------------------------------------------- bad targets


def test_unknown_table_in_target(shop: Path) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "nosuchtable")
        assert_error(r, DATA, "'nosuchtable'", "customers")


def test_unknown_table_in_column_target(shop: Path) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "nosuchtable.flag")
        assert_error(r, DATA, "'nosuchtable'", "customers")


def test_unknown_column_in_target(shop: Path) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "customers.nope")
        assert_error(r, DATA, "'nope'", "customers")


def test_value_target_with_no_positives(shop: Path) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "customers.plan=platinum")
        assert_error(r, DATA, "no positive", "customers.plan=platinum")


def test_empty_table_target_has_no_positives(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "shop.duckdb", "shop", "CREATE TABLE vip (customer_id BIGINT);")
    with Unchanged(db):
        r = invoke("mine", db, "--target", "vip")
        assert_error(r, DATA, "'vip'", "no positive")


def test_key_not_unique(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "shop.duckdb", "shop",
                  "CREATE TABLE flags (id BIGINT, flag BOOLEAN);"
                  "INSERT INTO flags VALUES (1, TRUE), (1, FALSE), (2, TRUE), (3, FALSE);")
    with Unchanged(db):
        r = invoke("mine", db, "--target", "flags.flag", "--key", "id")
        assert_error(r, DATA, "'flags'", "not unique")


def test_varchar_column_without_value(shop: Path) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "customers.region")
        assert_error(r, DATA, "customers.region", "VARCHAR", "=VALUE")


def test_double_column_with_value(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "shop.duckdb", "shop",
                  "CREATE TABLE scores (id BIGINT PRIMARY KEY, score DOUBLE);"
                  "INSERT INTO scores VALUES (1, 0.5), (2, 1.5), (3, 0.5);")
    with Unchanged(db):
        r = invoke("mine", db, "--target", "scores.score=0.5")
        assert_error(r, DATA, "scores.score", "DOUBLE")


def test_column_target_on_table_without_key(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "shop.duckdb", "shop",
                  "CREATE TABLE flags (id BIGINT, code BIGINT, flag BOOLEAN);"
                  "INSERT INTO flags VALUES (1, 7, TRUE), (1, 8, FALSE), (3, 9, TRUE);")
    with Unchanged(db):   # ``id`` is not unique, so it is not taken as the key
        r = invoke("mine", db, "--target", "flags.flag")
        assert_error(r, DATA, "'flags'", "--key")


def test_key_names_unknown_column(shop: Path) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "customers.churned", "--key", "nope")
        assert_error(r, DATA, "'nope'", "customers")


# --------------------------------------------------------------------------- bad option values


@pytest.mark.parametrize("args, fragment", [
    (("--tnorm", "foo"), "--tnorm"),
    (("--max-body", "0"), "--max-body"),
    (("--schema", "main"), "--schema"),
    (("--epochs", "0"), "--epochs"),
    (("--background", "nosuch"), "--background"),
    (("--recursion", "maybe"), "--recursion"),
    (("--invention", "sometimes"), "--invention"),
    (("--max-vars", "0"), "--max-vars"),
    (("--noise", "0.5"), "--noise"),
])
def test_bad_option_values(shop: Path, args: tuple[str, ...], fragment: str) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "customers.churned", *args)
        line = assert_error(r, USAGE, fragment)
        assert args[1] in line


# --------------------------------------------------------------------------- rules / apply / eval


def test_rules_without_ruledisc_schema(shop: Path) -> None:
    with Unchanged(shop):
        r = invoke("rules", shop)
        assert_error(r, DATA, "'ruledisc'", "ruledisc mine")


def test_apply_missing_rules_file(tmp_path: Path, family: Path) -> None:
    with Unchanged(family):
        r = invoke("apply", tmp_path / "missing.json", family)
        assert_error(r, DATA, "missing.json", "does not exist")


def test_apply_datalog_with_mutually_defined_heads(tmp_path: Path, family: Path) -> None:
    rules = tmp_path / "loop.dl"
    rules.write_text("a(X) :- b(X).\nb(X) :- a(X).\n")
    with Unchanged(family):
        r = invoke("apply", rules, family)
        assert_error(r, DATA, "a -> b -> a", "mutual recursion")


def test_apply_malformed_json(tmp_path: Path, family: Path) -> None:
    rules = tmp_path / "broken.json"
    rules.write_text('{"target": "grandparent", "rules": [')
    with Unchanged(family):
        r = invoke("apply", rules, family)
        assert_error(r, DATA, "broken.json")


def test_apply_datalog_syntax_error(tmp_path: Path, family: Path) -> None:
    rules = tmp_path / "bad.dl"
    rules.write_text("grandparent(X, Y) :- parent(X, Z) parent(Z, Y).\n")
    with Unchanged(family):
        r = invoke("apply", rules, family)
        assert_error(r, USAGE, "line 1")


@pytest.mark.parametrize("sample", ["family", "shop"])
def test_apply_datalog_unknown_table(tmp_path: Path, sample: str) -> None:
    # family has the head's table (grandparent), shop does not; neither has ``ghost``
    db = build_db(tmp_path / "db" / f"{sample}.duckdb", sample)
    rules = tmp_path / "ghost.dl"
    rules.write_text("grandparent(X, Y) :- ghost(X, Z), parent(Z, Y).\n")
    with Unchanged(db):
        r = invoke("apply", rules, db)
        assert_error(r, DATA, "'ghost'")


def test_eval_rules_for_another_target(tmp_path: Path, family: Path) -> None:
    rules = tmp_path / "gp.dl"
    rules.write_text("grandparent(X, Y) :- parent(X, Z), parent(Z, Y).\n")
    with Unchanged(family):
        r = invoke("eval", family, "--target", "mother", "--rules", rules)
        assert_error(r, USAGE, "gp.dl", "'mother'")


# --------------------------------------------------------------------------- --debug


def test_debug_shows_traceback(tmp_path: Path) -> None:
    db = tmp_path / "db" / "nope.duckdb"
    db.parent.mkdir()
    with Unchanged(db):
        r = invoke("--debug", "mine", db, "--target", "customers.churned")
    assert r.exit_code == DATA
    assert "Traceback" in r.stderr
    assert "SourceError" in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "nope.duckdb" in last
    assert r.stdout == ""


# --------------------------------------------------------------------------- the happy path


@pytest.mark.slow
def test_mine_json_dry_run_prints_json_only(shop: Path) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "customers.churned", "--json", "--dry-run",
                   "--max-body", "1", "--epochs", "30")
    assert r.exception is None, repr(r.exception)
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.strip() == "", f"--json must print on stdout only; stderr: {r.stderr!r}"
    data = json.loads(r.stdout)
    assert data["target"] == "customers.churned"
    assert isinstance(data["rules"], list)


@pytest.mark.slow
def test_eval_with_mined_rules_for_another_target(tmp_path: Path, shop: Path) -> None:
    rules = tmp_path / "churn.json"
    r = invoke("mine", shop, "--target", "customers.churned", "--dry-run", "--max-body", "1",
               "--epochs", "30", "--quiet", "--out", rules)
    assert r.exit_code == 0, r.stderr
    assert json.loads(rules.read_text())["target"] == "customers.churned"
    with Unchanged(shop):
        r = invoke("eval", shop, "--target", "customers.plan=trial", "--rules", rules)
        assert_error(r, USAGE, "churn.json", "customers.plan=trial")
