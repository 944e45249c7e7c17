"""``ruledisc import-kg``: ids, splits, per-relation views over the background, errors."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from ruledisc.cli import app
from ruledisc.errors import DataError, UsageError
from ruledisc.kg import import_kg

FILES = {
    "entities.txt": "ann\nbob\ncid\ndan\n",
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
    assert [(r.name, r.background, r.held_out) for r in rep.relations] == [("parent", 2, 1), ("grandparent", 1, 1)]
    con = duckdb.connect(str(out), read_only=True)
    # listed entities keep their order; new ones follow in order of first use
    assert con.execute("SELECT id, name FROM kg.entities ORDER BY id").fetchall() == [
        (0, "ann"), (1, "bob"), (2, "cid"), (3, "dan"), (4, "eve"), (5, "fay")]
    assert con.execute("SELECT count(*) FROM kg.facts").fetchone() == (5,)   # the duplicate line is one triple
    # views hold facts + train only: the valid and test triples stay out of rule bodies
    assert con.execute("SELECT h, t FROM parent ORDER BY h").fetchall() == [(0, 1), (1, 2)]
    assert con.execute("SELECT h, t FROM grandparent").fetchall() == [(0, 2)]
    assert con.execute("SELECT split FROM kg.facts WHERE h = 1 AND t = 5").fetchall() == [("test",)]


def test_cli_prints_the_next_command_and_refuses_a_second_import(tmp_path):
    d, out = _kg(tmp_path), tmp_path / "g.duckdb"
    r = CliRunner().invoke(app, ["import-kg", str(d), str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert f"ruledisc mine {out} --target parent" in r.output
    r = CliRunner().invoke(app, ["import-kg", str(d), str(out), "-q"])
    assert r.exit_code == 2 and "already holds a schema 'kg'" in r.output


def test_bad_inputs_are_errors_and_leave_no_file(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        import_kg(tmp_path / "nope", tmp_path / "a.duckdb")
    bad = _kg(tmp_path, {"facts.txt": "ann\tparent\n"})
    with pytest.raises(DataError, match="lack a field"):
        import_kg(bad, tmp_path / "b.duckdb")
    assert not (tmp_path / "b.duckdb").exists()
    (bad / "facts.txt").write_text("ann\tParent\tbob\nann\tparent\tcid\n")
    with pytest.raises(DataError, match="differ only in case"):
        import_kg(bad, tmp_path / "c.duckdb")
