from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_dbs"


def world_con(world: dict, path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (in memory, or the file ``path``) with one table per frame of ``world``."""
    con = duckdb.connect(str(path) if path else ":memory:")
    for name, df in world.items():
        con.register("frame", df)
        con.execute(exp.Create(this=exp.to_table(name, quoted=True), kind="TABLE",
                               expression=exp.select("*").from_("frame")).sql("duckdb"))
        con.unregister("frame")
    return con


def make_db(path: Path, sql: str) -> Path:
    con = duckdb.connect(str(path))
    con.execute(sql)
    con.close()
    return path


@pytest.fixture
def family_db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "family.duckdb", (SAMPLES / "family.sql").read_text())


@pytest.fixture
def shop_db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "shop.duckdb", (SAMPLES / "shop.sql").read_text())


@pytest.fixture
def family_con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute((SAMPLES / "family.sql").read_text())
    yield con
    con.close()


@pytest.fixture
def shop_con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute((SAMPLES / "shop.sql").read_text())
    yield con
    con.close()


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A DuckDB file (closed) holding ``sample_dbs/shop.sql``, in a folder of its own."""
    from clihelp import build_db
    return build_db(tmp_path / "db" / "shop.duckdb", "shop")


@pytest.fixture
def family(tmp_path: Path) -> Path:
    """A DuckDB file (closed) holding ``sample_dbs/family.sql``, in a folder of its own."""
    from clihelp import build_db
    return build_db(tmp_path / "db" / "family.duckdb", "family")
