"""The Python API's contract for wrong arguments: each raises one specific RulediscError
whose message says what to pass, before anything is read or written."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import ruledisc
from ruledisc.errors import RulediscError, SourceError, UsageError

SAMPLES = Path(__file__).resolve().parent.parent / "sample_dbs"
FAMILY = SAMPLES / "family.sql"
GP = "grandparent(X, Y) :- parent(X, Z), parent(Z, Y).\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("api")
    db = root / "family.duckdb"
    con = duckdb.connect(str(db))
    con.execute(FAMILY.read_text())
    con.close()
    dl = root / "gp.dl"
    dl.write_text(GP)
    return {"db": db, "dl": dl, "root": root}


def _closed() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.close()
    return con


CASES = [
    # mine: the database
    ("mine db=None", lambda f: ruledisc.mine(None, "mother"), UsageError, "db"),
    ("mine db=b''", lambda f: ruledisc.mine(b"", "mother"), UsageError, "db"),
    ("mine db=123", lambda f: ruledisc.mine(123, "mother"), UsageError, "db"),
    ("mine db=''", lambda f: ruledisc.mine("", "mother"), UsageError, "db"),
    ("mine closed connection", lambda f: ruledisc.mine(_closed(), "mother"), SourceError, "closed"),
    ("mine ragged dict", lambda f: ruledisc.mine({"t": {"a": [1, 2], "b": [1]}}, "t"), RulediscError, "t"),
    ("mine dict of non-frames", lambda f: ruledisc.mine({"t": 5}, "t"), UsageError, "'t'"),
    ("mine dict with a bad name", lambda f: ruledisc.mine({5: {"a": [1]}}, "t"), UsageError, "name"),
    # mine: the target and options
    ("mine target=123", lambda f: ruledisc.mine(f["db"], 123), UsageError, "target"),
    ("mine target=None", lambda f: ruledisc.mine(f["db"], None), UsageError, "target"),
    ("mine target=''", lambda f: ruledisc.mine(f["db"], ""), UsageError, "target"),
    ("mine max_body='3'", lambda f: ruledisc.mine(f["db"], "mother", max_body="3"), UsageError, "max_body"),
    ("mine max_body=2.5", lambda f: ruledisc.mine(f["db"], "mother", max_body=2.5), UsageError, "max_body"),
    ("mine seed=-1", lambda f: ruledisc.mine(f["db"], "mother", seed=-1), UsageError, "seed"),
    ("mine seed=2**70", lambda f: ruledisc.mine(f["db"], "mother", seed=2 ** 70), UsageError, "seed"),
    ("mine epochs=10**23", lambda f: ruledisc.mine(f["db"], "mother", epochs=10 ** 23), UsageError, "epochs"),
    ("mine min_support=-5", lambda f: ruledisc.mine(f["db"], "mother", min_support=-5), UsageError, "min-support"),
    ("mine noise=nan", lambda f: ruledisc.mine(f["db"], "mother", noise=float("nan")), UsageError, "noise"),
    ("mine dry_run='yes'", lambda f: ruledisc.mine(f["db"], "mother", dry_run="yes"), UsageError, "dry_run"),
    ("mine background=5", lambda f: ruledisc.mine(f["db"], "mother", background=5), UsageError, "background"),
    ("mine unknown option", lambda f: ruledisc.mine(f["db"], "mother", maxbody=2), UsageError, "maxbody"),
    ("mine schema=None", lambda f: ruledisc.mine(f["db"], "mother", schema=None), UsageError, "schema"),
    ("mine reporter=5", lambda f: ruledisc.mine(f["db"], "mother", reporter=5), UsageError, "reporter"),
    ("evaluate schema=5", lambda f: ruledisc.evaluate(f["db"], "grandparent", rules=f["dl"], schema=5), UsageError,
     "schema"),
    # apply / score / evaluate / stored_rules / explain
    ("apply rules=None", lambda f: ruledisc.apply(None, f["db"]), UsageError, "rules"),
    ("apply rules=123", lambda f: ruledisc.apply(123, f["db"]), UsageError, "rules"),
    ("apply db=None", lambda f: ruledisc.apply(f["dl"], None), UsageError, "db"),
    ("apply to a .sql script", lambda f: ruledisc.apply(f["dl"], FAMILY), UsageError, "temporary"),
    ("score db=None", lambda f: ruledisc.score(f["dl"], None), UsageError, "db"),
    ("score rules=None", lambda f: ruledisc.score(None, f["db"]), UsageError, "rules"),
    ("score target=5", lambda f: ruledisc.score(f["dl"], f["db"], target=5), UsageError, "target"),
    ("evaluate target=None", lambda f: ruledisc.evaluate(f["db"], None, rules=f["dl"]), UsageError, "target"),
    ("evaluate rules=5", lambda f: ruledisc.evaluate(f["db"], "grandparent", rules=5), UsageError, "rules"),
    ("evaluate key=5", lambda f: ruledisc.evaluate(f["db"], "grandparent", key=5), UsageError, "key"),
    ("evaluate no stored rules", lambda f: ruledisc.evaluate(f["db"], "grandparent"), SourceError, "ruledisc mine"),
    ("stored_rules db=None", lambda f: ruledisc.stored_rules(None), UsageError, "db"),
    ("stored_rules target=5", lambda f: ruledisc.stored_rules(f["db"], 5), UsageError, "target"),
    ("explain key=5", lambda f: ruledisc.explain(f["db"], "grandparent", key=5, rules=f["dl"]), UsageError, "key"),
    ("explain db=None", lambda f: ruledisc.explain(None, "grandparent", fact="grandparent(a, b)", rules=f["dl"]),
     UsageError, "db"),
    # parsing
    ("parse_rule(None)", lambda f: ruledisc.parse_rule(None), UsageError, "text"),
    ("parse_rule(5)", lambda f: ruledisc.parse_rule(5), UsageError, "text"),
    ("parse_program(None)", lambda f: ruledisc.parse_program(None), UsageError, "text"),
    # knowledge graphs
    ("import_kg folder=None", lambda f: ruledisc.import_kg(None, f["root"] / "kg.duckdb"), UsageError, "kg_dir"),
    ("mine_all db=None", lambda f: ruledisc.mine_all(None), UsageError, "db"),
    ("mine_all min_confidence='x'", lambda f: ruledisc.mine_all(f["db"], min_confidence="x"), UsageError,
     "min_confidence"),
    ("rank_eval split=5", lambda f: ruledisc.rank_eval(f["db"], 5), UsageError, "split"),
    ("rank_eval train_queries=-1", lambda f: ruledisc.rank_eval(f["db"], train_queries=-1), UsageError,
     "train_queries"),
]


@pytest.mark.parametrize("name, call, kind, fragment", CASES, ids=[c[0] for c in CASES])
def test_wrong_api_arguments(files: dict[str, Path], name: str, call, kind: type, fragment: str) -> None:
    before = files["db"].read_bytes()
    with pytest.raises(RulediscError) as info:
        call(files)
    err = info.value
    assert isinstance(err, kind), f"{type(err).__name__}: {err}"
    assert type(err).__name__ != "InternalError", str(err)
    msg = str(err)
    assert "\n" not in msg and fragment in msg, msg
    assert files["db"].read_bytes() == before
