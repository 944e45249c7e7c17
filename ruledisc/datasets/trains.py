"""Michalski's east-west trains (Aleph's ``train.b``/``.f``/``.n``) as a SQL sample.

The Aleph files are imported with :func:`ruledisc.popper.import_aleph` (the same
path as ``ruledisc import-aleph``) and the tables written as SQL text. The classic
answer is ``eastbound(X) :- has_car(X, Y), short(Y), closed(Y).``
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from sqlglot import exp

from ..engine import Engine
from ..introspect import tab
from ..sqltext import script

ALEPH_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "aleph" / "trains"
RULE = "eastbound(X) :- closed(Y), has_car(X, Y), short(Y)."


def to_sql(aleph_dir: Path) -> str:
    from ..popper import import_aleph
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "trains.duckdb"
        rep = import_aleph(aleph_dir, db)
        con = duckdb.connect(str(db), read_only=True)
        try:
            eng = Engine(con)
            tables = {t.name: eng.polars(exp.select("*").from_(tab(t.name))) for t in rep.tables}
        finally:
            con.close()
    return script(tables, header=(
        "-- Michalski's east-west trains, imported from Aleph's trains example (train.b, train.f, train.n)\n"
        "-- with `ruledisc import-aleph`. Target: eastbound (negatives: eastbound_neg).\n"
        f"-- The classic answer: {RULE}"))
