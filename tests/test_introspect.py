"""Argument domains inferred from values in SQL."""

from __future__ import annotations

import duckdb
import pytest
from sqlglot import exp

from ruledisc.datasets import dilp
from ruledisc.engine import Engine
from ruledisc.introspect import introspect


def test_a_column_joins_a_domain_its_values_overlap_as_a_whole() -> None:
    """Mothers who married in overlap no single column enough (brothers are men,
    and 16 of 35 mothers are someone's child), but they do overlap the people domain."""
    con = duckdb.connect()
    for name, df in dilp.train_world(dilp.BY_NAME["uncle"]).items():
        con.register("frame", df)
        con.execute(exp.Create(this=exp.to_table(name, quoted=True), kind="TABLE",
                               expression=exp.select("*").from_("frame")).sql("duckdb"))
        con.unregister("frame")
    cat = introspect(Engine(con))
    people = cat.domain("brother", "x")
    assert people is not None
    assert {cat.domain(t, c) for t in ("father", "mother", "brother", "uncle") for c in ("x", "y")} == {people}


def test_unrelated_string_columns_keep_separate_domains() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE owns (person VARCHAR, pet VARCHAR);"
                "INSERT INTO owns VALUES ('ann', 'rex'), ('bob', 'tom'), ('cy', 'kit');"
                "CREATE TABLE knows (a VARCHAR, b VARCHAR);"
                "INSERT INTO knows VALUES ('ann', 'bob'), ('bob', 'cy'), ('cy', 'dan');")
    cat = introspect(Engine(con))
    assert cat.domain("owns", "person") == cat.domain("knows", "a") == cat.domain("knows", "b")
    assert cat.domain("owns", "pet") != cat.domain("owns", "person")


def _keyed_db(declare_fks: bool) -> duckdb.DuckDBPyConnection:
    """Surrogate keys 1..N everywhere, so every id column overlaps every other."""
    con = duckdb.connect()
    con.execute("CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, segment TEXT)")
    con.execute("CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER"
                + (" REFERENCES customers (customer_id)" if declare_fks else "") + ", channel TEXT)")
    con.execute("CREATE TABLE shipments (shipment_id INTEGER PRIMARY KEY, order_id INTEGER, carrier TEXT)")
    con.execute("INSERT INTO customers SELECT i, 'c' || (i % 3) FROM range(1, 41) t(i)")
    con.execute("INSERT INTO orders SELECT i, 1 + i % 40, 'web' FROM range(1, 121) t(i)")
    con.execute("INSERT INTO shipments SELECT i, i, 'fastco' FROM range(1, 121) t(i)")
    return con


@pytest.mark.parametrize("declare_fks", [True, False])
def test_foreign_keys_declared_or_inferred_by_name_and_inclusion(declare_fks):
    cat = introspect(Engine(_keyed_db(declare_fks)))
    d = cat.domain
    assert d("orders", "customer_id") == d("customers", "customer_id")
    assert d("shipments", "order_id") == d("orders", "order_id")        # inferred: name + every value included
    # overlapping surrogate keys with unrelated names stay apart
    assert d("orders", "order_id") != d("customers", "customer_id")
    assert d("shipments", "shipment_id") != d("orders", "order_id")
