"""Stored names (ruledisc/names.py): every target kind has its own name, a run replaces
only its own target's rules and views, and stores of older versions are migrated."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from clihelp import DATA, USAGE, Unchanged, assert_error, build_db, invoke

from ruledisc.names import owns, parse_spec, target_name

WORLD = """
CREATE TABLE kind (id INTEGER PRIMARY KEY, k VARCHAR);
INSERT INTO kind SELECT i, ['a', 'b', 'c', 'd'][i % 4 + 1] FROM range(40) r(i);
CREATE TABLE t (id INTEGER PRIMARY KEY REFERENCES kind (id), inv1 BOOLEAN, r1 BOOLEAN, flag BOOLEAN, level VARCHAR);
INSERT INTO t SELECT id, k = 'a', k = 'b', k = 'c', CASE WHEN k = 'd' THEN 'Yes' ELSE 'yes' END FROM kind;
CREATE TABLE t__flag (id INTEGER REFERENCES kind (id));
INSERT INTO t__flag SELECT id FROM kind WHERE k = 'd';
CREATE TABLE rules (id INTEGER REFERENCES kind (id));
INSERT INTO rules SELECT id FROM kind WHERE k = 'a';
"""
FAST = ("--max-body", "1", "--epochs", "40", "--quiet", "--background", "kind")


def _db(tmp_path: Path) -> Path:
    return build_db(tmp_path / "db" / "w.duckdb", None, WORLD)


def _mine(db: Path, target: str) -> None:
    r = invoke("mine", db, "--target", target, *FAST)
    assert r.exit_code == 0, r.stderr


def _store(db: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Stored rule texts per target, and each view's row count."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rules: dict[str, list[str]] = {}
        for target, text in con.execute("SELECT target, rule_text FROM ruledisc.rules ORDER BY target, rule_no") \
                .fetchall():
            rules.setdefault(target, []).append(text)
        views = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE "
                                           "table_schema = 'ruledisc' AND table_type = 'VIEW'").fetchall()]
        quoted = {v: '"' + v.replace('"', '""') + '"' for v in views}
        counts = {v: con.execute(f"SELECT count(*) FROM ruledisc.{q}").fetchone()[0] for v, q in quoted.items()}
    finally:
        con.close()
    return rules, counts


def _apply_dl(tmp_path: Path, db: Path, text: str) -> None:
    f = tmp_path / "r.dl"
    f.write_text(text)
    r = invoke("apply", f, db)
    assert r.exit_code == 0, r.stderr


# --------------------------------------------------------------------------- pure functions


@pytest.mark.parametrize("parts, name", [
    (("t",), "t"), (("t", "flag"), "t.flag"), (("t", "plan", "gold"), "t.plan=gold"),
    (("t__flag",), "t__flag"), (("a.b",), '"a.b"'), (("t", "a.b"), 't."a.b"'), (("x=y", "flag"), '"x=y".flag'),
    (("t", "c", "a.b=c"), "t.c=a.b=c"), (("t", "c", "x#y"), 't.c="x#y"'), (("t", "c", ""), 't.c=""'),
    (('q"t',), '"q""t"'), (("rules",), '"rules"'), (("KG_Rules",), '"KG_Rules"'), (("lnn_p_x",), '"lnn_p_x"'),
    (("rules", "flag"), "rules.flag"), (("t", "c", " padded "), 't.c=" padded "'),
])
def test_target_names_round_trip(parts: tuple[str, ...], name: str) -> None:
    assert target_name(*parts) == name
    table, column, value = parse_spec(name)
    assert (table, column, value)[:len(parts)] == parts


def test_no_two_targets_own_each_others_objects() -> None:
    names = [target_name(*p) for p in [("t",), ("t", "r1"), ("t", "inv1"), ("t__flag",), ("t", "flag"),
                                       ("t", "flag", "r1"), ("t#r1",), ('"t"',)]]
    assert len(set(names)) == len(names)
    objects = {n: [n, f"{n}#r1", f"{n}#r12", f"{n}#inv1", f"{n}#inv2#r3"] for n in names}
    for a in names:
        for b in names:
            for o in objects[b]:
                assert owns(a, o) == (a == b), (a, o)


@pytest.mark.parametrize("spec", ['"a.b', 't."a', 't.c"x"', "t..c"])
def test_bad_quoting_in_target_is_a_usage_error(tmp_path: Path, spec: str) -> None:
    db = _db(tmp_path)
    with Unchanged(db):
        assert_error(invoke("mine", db, "--target", spec), USAGE, "--target")


# --------------------------------------------------------------------------- nothing of another target lost


@pytest.mark.slow
def test_table_target_keeps_column_targets_named_like_its_views(tmp_path: Path) -> None:
    db = _db(tmp_path)
    _mine(db, "t.inv1")
    _mine(db, "t.r1")
    before_rules, before_views = _store(db)
    assert before_rules["t.inv1"] == ["t.inv1(X) :- kind.k(X, a)."]
    assert before_rules["t.r1"] == ["t.r1(X) :- kind.k(X, b)."]
    assert before_views["t.inv1"] == 10 and before_views["t.r1"] == 10 and before_views["t.r1#r1"] == 10
    _apply_dl(tmp_path, db, "t(X, A, B, C, D) :- t.inv1(X, A), t.r1(X, B), t.flag(X, C), t.level(X, D).\n")
    rules, views = _store(db)
    assert rules["t"] == ["t(X, A, B, C, D) :- t.inv1(X, A), t.r1(X, B), t.flag(X, C), t.level(X, D)."]
    assert {k: v for k, v in rules.items() if k != "t"} == before_rules
    assert views["t"] == 40 and views["t#r1"] == 40
    assert {k: v for k, v in views.items() if not owns("t", k)} == before_views
    # mining a column target again replaces its own rules only
    _mine(db, "t.inv1")
    again_rules, again_views = _store(db)
    assert again_rules == rules and again_views == views


@pytest.mark.slow
def test_table_named_like_a_column_target_is_stored_apart(tmp_path: Path) -> None:
    db = _db(tmp_path)
    _mine(db, "t.flag")
    _mine(db, "t__flag")
    rules, views = _store(db)
    assert rules["t.flag"] == ["t.flag(X) :- kind.k(X, c)."]
    assert rules["t__flag"] == ["t__flag(X) :- kind.k(X, d)."]
    assert views["t.flag"] == 10 and views["t__flag"] == 10
    r = invoke("rules", db, "--target", "t.flag", "--json")
    assert r.exit_code == 0, r.stderr
    assert '"t.flag"' in r.stdout and "t__flag(" not in r.stdout


@pytest.mark.slow
def test_user_table_named_rules_is_a_target(tmp_path: Path) -> None:
    db = _db(tmp_path)
    _mine(db, "rules")
    rules, views = _store(db)
    assert rules['"rules"'] == ["rules(X) :- kind.k(X, a)."]
    assert views['"rules"'] == 10
    r = invoke("eval", db, "--target", "rules")
    assert r.exit_code == 0, r.stderr
    assert "f1 1.0000" in r.stdout


@pytest.mark.slow
def test_values_equal_up_to_case_are_refused_not_overwritten(tmp_path: Path) -> None:
    db = _db(tmp_path)
    _mine(db, "t.level=Yes")
    before = _store(db)
    with Unchanged(db):
        assert_error(invoke("mine", db, "--target", "t.level=yes", *FAST), DATA, "t.level=Yes", "case")
    assert _store(db) == before


@pytest.mark.slow
def test_quoted_names_in_target(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "q.duckdb", None, WORLD + """
        CREATE TABLE "x=y" (id INTEGER PRIMARY KEY REFERENCES kind (id), "a.b" BOOLEAN);
        INSERT INTO "x=y" SELECT id, k = 'b' FROM kind;""")
    _mine(db, '"x=y"."a.b"')
    rules, views = _store(db)
    assert rules['"x=y"."a.b"'] == ['"x=y"."a.b"(X) :- kind.k(X, b).']   # the head, as Datalog
    assert views['"x=y"."a.b"'] == 10
    r = invoke("eval", db, "--target", '"x=y"."a.b"')
    assert r.exit_code == 0 and "f1 1.0000" in r.stdout, r.stderr


@pytest.mark.slow
def test_datalog_head_named_rules(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "w.duckdb", None, WORLD.replace("CREATE TABLE rules", "CREATE TABLE other")
                  .replace("INSERT INTO rules", "INSERT INTO other"))
    _apply_dl(tmp_path, db, "rules(X) :- kind.k(X, a).\n")
    rules, views = _store(db)
    assert rules['"rules"'] == ["rules(X) :- kind.k(X, a)."]
    assert views['"rules"'] == 10 and views['"rules"#r1'] == 10


@pytest.mark.slow
def test_graph_relations_named_like_ruledisc_tables(tmp_path: Path) -> None:
    kg = tmp_path / "g"
    kg.mkdir()
    edges = [(f"e{i}", f"e{i + 1}") for i in range(80)]
    (kg / "train.txt").write_text("".join(f"{h}\t{r}\t{t}\n" for h, t in edges for r in ("r", "rules", "kg_rules")))
    db = tmp_path / "db" / "graph.duckdb"
    db.parent.mkdir()
    assert invoke("import-kg", kg, db, "--quiet").exit_code == 0
    r = invoke("mine", db, "--all-relations", "--max-body", "1", "--quiet")
    assert r.exit_code == 0, r.stderr
    rules, views = _store(db)
    assert 'rules(X, Y) :- r(X, Y), X != Y.' in rules['"rules"']
    assert 'kg_rules(X, Y) :- r(X, Y), X != Y.' in rules['"kg_rules"']
    assert views['"rules"'] == 80 and views['"kg_rules"'] == 80
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(DISTINCT target) FROM ruledisc.kg_rules").fetchone() == (3,)
    con.close()


# --------------------------------------------------------------------------- migration of older stores


LEGACY = """
DROP TABLE t__flag;
CREATE SCHEMA ruledisc;
CREATE TABLE ruledisc.rules (run_id VARCHAR, target VARCHAR, rule_no INTEGER, rule_text VARCHAR, sql_text VARCHAR,
  weight DOUBLE, support BIGINT, confidence DOUBLE, head_coverage DOUBLE, precision DOUBLE, recall DOUBLE,
  created_at TIMESTAMP, head_columns VARCHAR, predicates VARCHAR, pca_confidence DOUBLE);
CREATE VIEW ruledisc.t__flag__r1 AS SELECT k.id AS id FROM main.kind AS k WHERE k.k = 'c';
CREATE VIEW ruledisc.t__flag AS SELECT id, 0.9 AS score FROM ruledisc.t__flag__r1;
INSERT INTO ruledisc.rules VALUES ('old', 't__flag', 1, 't__flag(X) :- kind.k(X, c).',
  'SELECT k.id AS id FROM main.kind AS k WHERE k.k = ''c''', 0.9, 10, 1.0, 1.0, 1.0, 1.0, now()::TIMESTAMP,
  '[{"name": "id", "type": "INTEGER"}]', '{"kind.k": {"table": "kind", "columns": ["id", "k"], "kind": "attribute"}}',
  1.0);
"""


@pytest.mark.slow
def test_legacy_store_is_read_then_migrated_on_write(tmp_path: Path) -> None:
    db = build_db(tmp_path / "db" / "old.duckdb", None, WORLD + LEGACY)
    r = invoke("eval", db, "--target", "t.flag")           # read as it is
    assert r.exit_code == 0 and "f1 1.0000" in r.stdout, r.stderr
    _mine(db, "t.r1")                                        # the first write migrates
    rules, views = _store(db)
    assert rules["t.flag"] == ["t.flag(X) :- kind.k(X, c)."]
    assert views["t.flag"] == 10 and views["t.flag#r1"] == 10
    assert not any(v.startswith("t__flag") for v in views)
    assert rules["t.r1"] == ["t.r1(X) :- kind.k(X, b)."]
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t__flag (id INTEGER REFERENCES kind (id)); "
                "INSERT INTO t__flag SELECT id FROM kind WHERE k = 'd'")
    con.close()
    _mine(db, "t__flag")                                     # the table target no longer clashes
    rules2, views2 = _store(db)
    assert rules2["t.flag"] == rules["t.flag"] and views2["t.flag"] == 10
    assert rules2["t__flag"] == ["t__flag(X) :- kind.k(X, d)."]
