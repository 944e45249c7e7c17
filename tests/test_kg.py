"""``ruledisc import-kg``: ids, splits, per-relation views over the background, errors."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from ruledisc.cli import app
from ruledisc.errors import DataError, UsageError
from ruledisc.kg import import_kg

FILES = {
    "entities.txt": "bob\nann\ncid\ndan\n",
    "facts.txt": "ann\tparent\tbob\nbob\tparent\tcid\nann\tparent\tbob\n",
    "train.txt": "ann\tgrandparent\tcid\n",
    "valid.txt": "bob\tparent\teve\n",
    "test.txt": "bob\tgrandparent\tfay\n",
}


def _kg(tmp_path, files=FILES):
    d = tmp_path / "kg"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text)
    return d


def test_import_writes_ids_splits_and_background_views(tmp_path):
    out = tmp_path / "g.duckdb"
    rep = import_kg(_kg(tmp_path), out)
    assert rep.entities == 6 and rep.splits == {"facts": 2, "train": 1, "valid": 1, "test": 1}
    # no relations.txt: relation ids follow the names alphabetically
    assert [(r.name, r.id, r.background, r.held_out) for r in rep.relations] == [
        ("grandparent", 0, 1, 1), ("parent", 1, 2, 1)]
    con = duckdb.connect(str(out), read_only=True)
    # listed entities keep the file's order (not alphabetical); the others follow by name
    assert con.execute("SELECT id, name FROM kg.entities ORDER BY id").fetchall() == [
        (0, "bob"), (1, "ann"), (2, "cid"), (3, "dan"), (4, "eve"), (5, "fay")]
    assert con.execute("SELECT count(*) FROM kg.facts").fetchone() == (5,)   # the duplicate line is one triple
    # views hold facts + train only: the valid and test triples stay out of rule bodies
    assert con.execute("SELECT h, t FROM parent ORDER BY h").fetchall() == [(0, 2), (1, 0)]
    assert con.execute("SELECT h, t FROM grandparent").fetchall() == [(1, 2)]
    assert con.execute("SELECT split FROM kg.facts WHERE h = 0 AND t = 5").fetchall() == [("test",)]


def test_cli_prints_the_next_command_and_refuses_a_second_import(tmp_path):
    d, out = _kg(tmp_path), tmp_path / "g.duckdb"
    r = CliRunner().invoke(app, ["import-kg", str(d), str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert f"ruledisc mine {out} --target grandparent" in r.output
    r = CliRunner().invoke(app, ["import-kg", str(d), str(out), "-q"])
    assert r.exit_code == 2 and "already holds a schema 'kg'" in r.output


def test_bad_inputs_are_errors_and_leave_no_file(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        import_kg(tmp_path / "nope", tmp_path / "a.duckdb")
    bad = _kg(tmp_path, {"facts.txt": "ann\tparent\n"})
    with pytest.raises(DataError, match="lack a field"):
        import_kg(bad, tmp_path / "b.duckdb")
    assert not (tmp_path / "b.duckdb").exists()
    # a relation named like a table the file already has: refused, the table untouched
    used = tmp_path / "used.duckdb"
    con = duckdb.connect(str(used))
    con.execute("CREATE TABLE parent (x INTEGER); INSERT INTO parent VALUES (1)")
    con.close()
    (bad / "facts.txt").write_text("ann\tparent\tbob\n")
    with pytest.raises(UsageError, match="already has a table or view 'parent'"):
        import_kg(bad, used)
    con = duckdb.connect(str(used), read_only=True)
    assert con.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'kg'").fetchall() == []
    assert con.execute("SELECT * FROM parent").fetchall() == [(1,)]
    con.close()
    (bad / "facts.txt").write_text("ann\tParent\tbob\nann\tparent\tcid\n")
    with pytest.raises(DataError, match="differ only in case"):
        import_kg(bad, tmp_path / "c.duckdb")


def test_amie_measures_match_a_brute_force_count():
    """support, head coverage, standard and PCA confidence of rules on a random graph."""
    import random

    import polars as pl
    from conftest import world_con

    from ruledisc.introspect import introspect
    from ruledisc.parse import parse_rule
    from ruledisc.score import rule_counts
    from ruledisc.source import open_source
    from ruledisc.target import materialise_examples, parse_target

    rnd = random.Random(7)
    ents = list(range(30))
    rel = {k: {(rnd.choice(ents), rnd.choice(ents)) for _ in range(n)} for k, n in (("p", 60), ("q", 60), ("r", 45))}
    world = {k: pl.DataFrame({"h": [a for a, _ in v], "t": [b for _, b in v]}) for k, v in rel.items()}
    src = open_source(world_con(world))
    cat = introspect(src.engine, {})
    target = parse_target("r", cat, None, None)
    materialise_examples(src.engine, target, cat)
    rules = [parse_rule("r(X, Y) :- p(X, Y)."), parse_rule("r(X, Y) :- p(X, Z), q(Z, Y)."),
             parse_rule("r(X, Y) :- q(Y, X).")]
    derive = [rel["p"], {(x, y) for x, z in rel["p"] for z2, y in rel["q"] if z == z2}, {(x, y) for y, x in rel["q"]}]
    subjects = {x for x, _ in rel["r"]}
    for c, heads in zip(rule_counts(src.engine, cat, target, rules), derive):
        support = len(heads & rel["r"])
        pca = len({(x, y) for x, y in heads if x in subjects})
        assert (c.derived, c.support, c.pca_derived) == (len(heads), support, pca)
        assert c.recall == pytest.approx(support / len(rel["r"]))          # head coverage
        assert c.confidence == pytest.approx(support / len(heads))         # standard confidence
        assert c.pca_confidence == pytest.approx(support / pca)


def test_a_rules_table_from_an_older_version_gains_the_new_column(tmp_path):
    import ruledisc
    from ruledisc.writeback import RULES_COLUMNS

    db = tmp_path / "g.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE p (h INTEGER, t INTEGER); INSERT INTO p VALUES (1, 2), (2, 3), (3, 1);"
                "CREATE TABLE r AS SELECT * FROM p; CREATE SCHEMA ruledisc;")
    old = ", ".join(f"{c} {t}" for c, t in RULES_COLUMNS if c != "pca_confidence")
    con.execute(f"CREATE TABLE ruledisc.rules ({old})")
    con.close()
    res = ruledisc.mine(db, "r", max_body=1)
    assert [r.text for r in res.rules] == ["r(X, Y) :- p(X, Y)."]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT rule_text, pca_confidence FROM ruledisc.rules").fetchall() == [
        ("r(X, Y) :- p(X, Y).", 1.0)]
