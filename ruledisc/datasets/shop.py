"""A small relational sample: customers with support tickets, and two target columns
whose generating rules are known (joins through a foreign key, constants).

``customers.churned``::

    customers.churned(X) :- customers.plan(X, basic), tickets.customer_id(Y, X), tickets.severity(Y, high).
    customers.churned(X) :- customers.plan(X, trial), customers.region(X, north).

``customers.support_tier=gold``::

    customers.support_tier=gold(X) :- customers.plan(X, premium), tickets.channel(Y, phone),
                                        tickets.customer_id(Y, X).
"""

from __future__ import annotations

import numpy as np
import polars as pl

REGIONS = ("north", "south", "east", "west")
PLANS = ("basic", "premium", "trial")
SEVERITIES = ("low", "medium", "high")
CHANNELS = ("email", "phone", "chat")
KEYS = {"customers": ["customer_id"], "tickets": ["ticket_id"]}
FKS = {"tickets": [("customer_id", "customers", "customer_id")]}
RULES = {
    "customers.churned": [
        "customers.churned(X) :- customers.plan(X, basic), tickets.customer_id(Y, X), tickets.severity(Y, high).",
        "customers.churned(X) :- customers.plan(X, trial), customers.region(X, north).",
    ],
    "customers.support_tier=gold": [
        "customers.support_tier=gold(X) :- customers.plan(X, premium), tickets.channel(Y, phone), "
        "tickets.customer_id(Y, X).",
    ],
}


def generate(n_customers: int = 600, seed: int = 0) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    cid = np.arange(1, n_customers + 1)
    region = rng.choice(REGIONS, n_customers)
    plan = rng.choice(PLANS, n_customers, p=[0.45, 0.3, 0.25])
    tenure = rng.integers(1, 61, n_customers)
    n_tickets = rng.poisson(1.5, n_customers)
    t_cust = np.repeat(cid, n_tickets)
    nt = len(t_cust)
    severity = rng.choice(SEVERITIES, nt, p=[0.5, 0.3, 0.2])
    channel = rng.choice(CHANNELS, nt)
    tickets = pl.DataFrame({"ticket_id": np.arange(1, nt + 1), "customer_id": t_cust,
                            "severity": severity, "channel": channel})
    high = set(tickets.filter(pl.col("severity") == "high")["customer_id"].to_list())
    phone = set(tickets.filter(pl.col("channel") == "phone")["customer_id"].to_list())
    churned = [(p == "basic" and c in high) or (p == "trial" and r == "north")
               for c, p, r in zip(cid, plan, region)]
    tier = ["gold" if p == "premium" and c in phone else "silver" if p == "premium" else "bronze"
            for c, p in zip(cid, plan)]
    customers = pl.DataFrame({"customer_id": cid, "region": region, "plan": plan, "tenure_months": tenure,
                              "support_tier": tier, "churned": churned})
    return {"customers": customers, "tickets": tickets}


def to_sql(tables: dict[str, pl.DataFrame], header: str = "") -> str:
    from ..sqltext import script
    return script(tables, keys=KEYS, fks=FKS, header=header)
