"""A multi-table business database whose target columns follow known rules.

Tables: ``customers``, ``products``, ``orders``, ``line_items``, ``shipments``
(declared keys and foreign keys). Two boolean target columns, each the OR of
rules with joins, constants and thresholds (numbers and dates)::

    orders.late(X) :- shipments.order_id(Y, X), shipments.carrier(Y, slowpost), shipments.distance_km(Y, Z), Z > 800.
    orders.late(X) :- orders.priority(X, standard), orders.order_date(X, Y), Y > '2024-11-24'.
    orders.late(X) :- line_items.order_id(Y, X), line_items.product_id(Y, Z), products.category(Z, furniture).

    customers.churned(X) :- customers.segment(X, consumer), customers.tenure_months(X, Y), Y <= 6.
    customers.churned(X) :- orders.customer_id(Y, X), shipments.order_id(Z, Y), shipments.damaged(Z, true).

``noise`` flips that share of each target column's labels (the training database);
a held-out database is drawn with another seed and clean labels. :func:`generate`
is vectorised, so it also builds the 10-million-line benchmark database.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

SEGMENTS, SEGMENT_P = ("consumer", "smb", "enterprise"), (0.5, 0.35, 0.15)
REGIONS = ("north", "south", "east", "west")
CATEGORIES, CATEGORY_P = ("electronics", "apparel", "grocery", "toys", "furniture"), (0.25, 0.25, 0.25, 0.17, 0.08)
CHANNELS = ("web", "store", "phone")
PRIORITIES, PRIORITY_P = ("standard", "express"), (0.7, 0.3)
CARRIERS = ("fastco", "parcelnet", "slowpost")
LATE_KM = 800.0
RUSH_FROM = dt.date(2024, 11, 24)     # standard orders placed after this day are late
CHURN_MONTHS = 6
DAMAGE_RATE = 0.03
KEYS = {"customers": ["customer_id"], "products": ["product_id"], "orders": ["order_id"],
        "line_items": ["line_id"], "shipments": ["shipment_id"]}
FKS = {"orders": [("customer_id", "customers", "customer_id")],
       "line_items": [("order_id", "orders", "order_id"), ("product_id", "products", "product_id")],
       "shipments": [("order_id", "orders", "order_id")]}
RULES = {
    "orders.late": [
        "orders.late(X) :- shipments.carrier(Y, slowpost), shipments.distance_km(Y, Z), shipments.order_id(Y, X), "
        "Z > 800.0.",
        "orders.late(X) :- orders.order_date(X, Y), orders.priority(X, standard), Y > '2024-11-24'.",
        "orders.late(X) :- line_items.order_id(Y, X), line_items.product_id(Y, Z), products.category(Z, furniture).",
    ],
    "customers.churned": [
        "customers.churned(X) :- customers.segment(X, consumer), customers.tenure_months(X, Y), Y <= 6.",
        "customers.churned(X) :- orders.customer_id(Y, X), shipments.damaged(Z, true), shipments.order_id(Z, Y).",
    ],
}
THRESHOLDS = {"orders.late": [LATE_KM, RUSH_FROM.isoformat()], "customers.churned": [CHURN_MONTHS]}


def generate(n_orders: int = 4000, seed: int = 0, noise: float = 0.0, lines_per_order: float = 2.5,
             ) -> dict[str, pl.DataFrame]:
    """The five tables; ``noise`` flips that share of ``orders.late`` and ``customers.churned``."""
    rng = np.random.default_rng(seed)
    n_cust = max(10, n_orders // 4)
    n_prod = max(20, min(5000, n_orders // 20))
    cust = np.arange(1, n_cust + 1)
    segment = rng.choice(SEGMENTS, n_cust, p=SEGMENT_P)
    tenure = rng.integers(1, 73, n_cust)
    customers = pl.DataFrame({"customer_id": cust, "segment": segment, "region": rng.choice(REGIONS, n_cust),
                              "tenure_months": tenure})
    prod = np.arange(1, n_prod + 1)
    category = rng.choice(CATEGORIES, n_prod, p=CATEGORY_P)
    products = pl.DataFrame({"product_id": prod, "category": category,
                             "unit_price": np.round(rng.gamma(2.0, 40.0, n_prod), 2),
                             "weight_kg": np.round(rng.gamma(1.5, 4.0, n_prod), 1)})
    oid = np.arange(1, n_orders + 1)
    o_cust = rng.integers(1, n_cust + 1, n_orders)
    day0 = np.datetime64("2024-01-01")
    o_date = day0 + rng.integers(0, 366, n_orders).astype("timedelta64[D]")
    priority = rng.choice(PRIORITIES, n_orders, p=PRIORITY_P)
    n_lines = 1 + rng.poisson(lines_per_order - 1, n_orders)
    l_order = np.repeat(oid, n_lines)
    n_l = len(l_order)
    l_prod = rng.integers(1, n_prod + 1, n_l)
    line_items = pl.DataFrame({"line_id": np.arange(1, n_l + 1), "order_id": l_order, "product_id": l_prod,
                               "quantity": rng.integers(1, 6, n_l), "discount": np.round(rng.beta(1, 6, n_l), 2)})
    carrier = rng.choice(CARRIERS, n_orders)
    distance = np.round(rng.gamma(2.0, 300.0, n_orders), 1)
    damaged = rng.random(n_orders) < DAMAGE_RATE
    shipments = pl.DataFrame({"shipment_id": oid, "order_id": oid, "carrier": carrier,
                              "distance_km": distance, "damaged": damaged})
    furniture = np.bincount(l_order, weights=(category[l_prod - 1] == "furniture"), minlength=n_orders + 1)[1:] > 0
    rush = (priority == "standard") & (o_date > np.datetime64(RUSH_FROM))
    late = ((carrier == "slowpost") & (distance > LATE_KM)) | rush | furniture
    damaged_cust = np.bincount(o_cust, weights=damaged, minlength=n_cust + 1)[1:] > 0
    churned = ((segment == "consumer") & (tenure <= CHURN_MONTHS)) | damaged_cust
    late ^= rng.random(n_orders) < noise
    churned ^= rng.random(n_cust) < noise
    orders = pl.DataFrame({"order_id": oid, "customer_id": o_cust, "order_date": o_date.astype("datetime64[D]"),
                           "channel": rng.choice(CHANNELS, n_orders), "priority": priority, "late": late})
    customers = customers.with_columns(pl.Series("churned", churned))
    return {"customers": customers, "products": products, "orders": orders, "line_items": line_items,
            "shipments": shipments}


def to_sql(tables: dict[str, pl.DataFrame], header: str = "") -> str:
    from ..sqltext import script
    return script(tables, keys=KEYS, fks=FKS, header=header)
