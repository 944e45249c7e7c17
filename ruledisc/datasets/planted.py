"""Random databases with a planted rule program: schema, data and rules all drawn from a seed.

:func:`draw` returns a :class:`Draw`: a training database (labels flipped at rate
``noise``), an unseen test database (another draw of the same schema and program, clean
labels), the boolean target column (``orders.late``) and the planted program as ruledisc
rule texts, e.g.::

    orders.late(X) :- customers.segment(Y, smb), orders.customer_id(X, Y).
    orders.late(X) :- shipments.distance_km(Y, Z), shipments.order_id(Y, X), Z > 800.0.

What is drawn:

- a theme (retail, health, support, logistics, education, finance) and 3-8 of its entities
  as tables, each with an integer key (``<entity>_id``, sometimes ``id``), parents before
  children; each table after the first references one earlier table, sometimes two
  (``<parent entity>_id``; child rows pick parents with Zipf-like skew); keys and foreign
  keys declared in SQL or not;
- 1-4 attribute columns per table: categorical (3-8 words, Zipf-like frequencies), int and
  float (normal, lognormal, Poisson), date (about two years) and boolean (skewed rates);
- a target table holding at least a tenth of the rows, and its boolean target column, the
  OR of 1-3 rules. A rule walks 1-3 foreign-key hops from the target's row, either way
  (``orders.customer_id(X, Y)`` to the customer, ``shipments.order_id(Y, X)`` to a
  shipment), and tests 0-2 categorical or boolean constants and 0-2 ``>`` / ``<=``
  thresholds (a number rounded at a quantile, snapped as ruledisc snaps learned
  thresholds; a date is a day that occurs); 30% of rules have two branches, two walks
  joined on the head. Each rule covers 5-40% of the target's rows, every literal and
  branch of it matters, and each rule derives a share of positives no other rule does.

Everything is vectorised numpy/polars: a million rows take a few seconds.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from ..errors import InternalError, UsageError
from ..names import target_name
from ..parse import parse_rule
from ..rule import Atom, Comparison, Const, Rule, Var
from ..thresholds import snap

SIZES = {"tiny": 1_000, "small": 10_000, "medium": 100_000, "large": 1_000_000}
MIN_SIZE, MAX_SIZE = 300, 50_000_000
MAX_NOISE = 0.2                 # the default noise is drawn from [0, MAX_NOISE]
BRANCH_P = 0.4                  # rules tried with two branches: about 30% get them (not all targets allow two)
MIN_SHARE, MAX_SHARE = 0.05, 0.40   # rows of the target table each rule derives
MIN_POSITIVES = 8               # ... and at least this many
MAX_POSITIVE_RATE = 0.75        # the OR of the rules
MIN_GAIN = 0.2                  # dropping a literal or branch adds this share of the rule's rows ...
MIN_GAIN_ROWS = 4               # ... and at least this many
MIN_OWN = 0.3                   # share of a rule's rows that no other rule derives
MAX_EXISTENTIAL = 5             # variables besides the head's (Rule.canonical tries all orders)
RULE_TRIES, DRAW_TRIES = 400, 100
MIN_ROWS = 8                    # rows of the smallest table


class Kind(enum.Enum):
    """What a column holds."""

    CATEGORICAL = "categorical"
    INT = "int"
    FLOAT = "float"
    DATE = "date"
    BOOL = "bool"


class Direction(enum.Enum):
    """A hop to the row a foreign key references (n:1) or to a row referencing this one (1:n)."""

    UP = "n:1"
    DOWN = "1:n"


class Check(enum.Enum):
    """A condition: a constant (categorical or boolean) or a threshold (number or date)."""

    CONSTANT = "constant"
    THRESHOLD = "threshold"


CONSTANT_KINDS = (Kind.CATEGORICAL, Kind.BOOL)
THRESHOLD_KINDS = (Kind.INT, Kind.FLOAT, Kind.DATE)

# entity tables per theme, plural (table) name and level: parents have lower levels
THEMES: dict[str, tuple[tuple[str, int], ...]] = {
    "retail": (("regions", 0), ("categories", 0), ("stores", 1), ("customers", 1), ("suppliers", 1),
               ("products", 1), ("orders", 2), ("line_items", 3), ("shipments", 3), ("payments", 3),
               ("reviews", 3)),
    "health": (("regions", 0), ("insurers", 0), ("clinics", 1), ("doctors", 1), ("patients", 1), ("visits", 2),
               ("prescriptions", 3), ("claims", 3), ("referrals", 3), ("lab_results", 3)),
    "support": (("teams", 0), ("plans", 0), ("agents", 1), ("accounts", 1), ("products", 1), ("tickets", 2),
                ("messages", 3), ("escalations", 3), ("surveys", 3), ("calls", 3)),
    "logistics": (("depots", 0), ("carriers", 0), ("drivers", 1), ("vehicles", 1), ("clients", 1), ("routes", 1),
                  ("deliveries", 2), ("parcels", 3), ("incidents", 3), ("inspections", 3)),
    "education": (("schools", 0), ("departments", 1), ("teachers", 1), ("students", 1), ("courses", 1),
                  ("enrollments", 2), ("assignments", 3), ("exams", 3), ("submissions", 3)),
    "finance": (("banks", 0), ("advisors", 1), ("clients", 1), ("merchants", 1), ("accounts", 2), ("cards", 2),
                ("loans", 2), ("transactions", 3), ("repayments", 3), ("alerts", 3)),
}

CATEGORICAL: dict[str, tuple[str, ...]] = {
    "status": ("active", "pending", "closed", "suspended", "archived", "draft", "review", "expired"),
    "segment": ("consumer", "smb", "enterprise", "government", "education", "nonprofit", "startup", "reseller"),
    "channel": ("web", "store", "phone", "email", "app", "partner", "kiosk", "mail"),
    "tier": ("bronze", "silver", "gold", "platinum", "basic", "plus", "premium", "elite"),
    "color": ("red", "blue", "green", "black", "white", "grey", "yellow", "orange"),
    "size": ("small", "medium", "large", "xlarge", "mini", "compact", "jumbo", "standard"),
    "source": ("organic", "referral", "search", "social", "campaign", "affiliate", "direct", "event"),
    "method": ("card", "cash", "transfer", "cheque", "wallet", "voucher", "credit", "invoice"),
    "language": ("english", "spanish", "french", "german", "italian", "dutch", "polish", "swedish"),
    "device": ("desktop", "mobile", "tablet", "kiosk", "console", "watch", "tv", "voice"),
    "priority": ("low", "normal", "high", "urgent", "critical", "minor", "major", "routine"),
    "carrier": ("fastco", "parcelnet", "slowpost", "quickship", "airlift", "roadrunner", "seafreight", "citylink"),
    "brand": ("acme", "globex", "initech", "umbrella", "hooli", "vandelay", "stark", "wayne"),
    "climate": ("arid", "temperate", "tropical", "polar", "alpine", "coastal", "humid", "continental"),
    "shift": ("morning", "evening", "overnight", "weekend", "split", "early", "rotating", "oncall"),
    "kind": ("standard", "express", "bulk", "fragile", "returnable", "digital", "oversized", "perishable"),
    "country": ("france", "spain", "italy", "germany", "poland", "norway", "japan", "brazil"),
}
# name: (kind, distribution, a, b, lo, hi, decimals): normal(a, b), lognormal(a, b) or 1 + poisson(a)
NUMERIC: dict[str, tuple[Kind, str, float, float, float, float, int]] = {
    "quantity": (Kind.INT, "poisson", 3.0, 0, 1, 1e9, 0),
    "age": (Kind.INT, "normal", 45.0, 14.0, 18, 95, 0),
    "tenure_months": (Kind.INT, "lognormal", 3.0, 0.8, 1, 240, 0),
    "visits": (Kind.INT, "poisson", 6.0, 0, 1, 1e9, 0),
    "item_count": (Kind.INT, "poisson", 4.0, 0, 1, 1e9, 0),
    "duration_min": (Kind.INT, "lognormal", 3.5, 0.6, 1, 1e9, 0),
    "seats": (Kind.INT, "lognormal", 3.0, 0.7, 1, 1e9, 0),
    "stock": (Kind.INT, "lognormal", 4.5, 1.0, 0, 1e9, 0),
    "amount": (Kind.FLOAT, "lognormal", 4.0, 0.9, 0, 1e12, 2),
    "price": (Kind.FLOAT, "lognormal", 3.5, 0.8, 0, 1e12, 2),
    "weight_kg": (Kind.FLOAT, "lognormal", 1.5, 0.7, 0, 1e12, 1),
    "distance_km": (Kind.FLOAT, "lognormal", 5.5, 0.6, 0, 1e12, 1),
    "balance": (Kind.FLOAT, "lognormal", 7.0, 1.2, 0, 1e12, 2),
    "rating": (Kind.FLOAT, "normal", 3.6, 0.8, 1, 5, 1),
    "score": (Kind.FLOAT, "normal", 60.0, 15.0, 0, 100, 1),
    "discount": (Kind.FLOAT, "normal", 0.12, 0.06, 0, 0.6, 2),
    "temperature": (Kind.FLOAT, "normal", 21.0, 5.0, 0, 60, 1),
    "latency_ms": (Kind.FLOAT, "lognormal", 4.5, 0.8, 0, 1e12, 1),
    "volume_l": (Kind.FLOAT, "lognormal", 2.0, 0.8, 0, 1e12, 2),
}
DATES = ("created_on", "opened_on", "signup_date", "placed_on", "due_date", "shipped_on", "joined_on",
         "closed_on", "renewed_on", "last_seen")
BOOLS = ("is_active", "verified", "premium", "flagged", "damaged", "expedited", "remote", "gift", "archived",
         "insured", "refunded", "promo")
TARGETS = ("late", "churned", "fraud", "defaulted", "escalated", "cancelled", "upgraded", "overdue", "rejected",
           "lapsed")
KIND_P = {Kind.CATEGORICAL: 0.35, Kind.INT: 0.15, Kind.FLOAT: 0.2, Kind.DATE: 0.15, Kind.BOOL: 0.15}
_EPOCH = dt.date(1970, 1, 1)


def singular(table: str) -> str:
    """``categories`` -> ``category``, ``orders`` -> ``order`` (names ruledisc recognises as keys)."""
    return table[:-3] + "y" if table.endswith("ies") else table[:-1]


# ---------------------------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class ColumnSpec:
    """An attribute column and the distribution its values are drawn from."""

    name: str
    kind: Kind
    values: tuple[str, ...] = ()      # categorical: the words, most frequent first
    probs: tuple[float, ...] = ()
    dist: str = ""                    # int/float: normal, lognormal, poisson
    a: float = 0.0
    b: float = 0.0
    lo: float = 0.0
    hi: float = 0.0
    decimals: int = 0
    start: int = 0                    # date: first day (days since 1970) and span
    span: int = 0
    rate: float = 0.0                 # bool: share of true


@dataclass(frozen=True)
class FkSpec:
    column: str
    parent: str
    skew: float                       # Zipf exponent of the parents' popularity


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: str
    rows: int
    columns: tuple[ColumnSpec, ...]
    fks: tuple[FkSpec, ...]

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Step:
    """One foreign-key hop from ``src`` to ``dst``; ``table.column`` holds the reference."""

    src: str
    dst: str
    table: str
    column: str
    direction: Direction


@dataclass(frozen=True)
class Schema:
    theme: str
    tables: tuple[TableSpec, ...]     # parents first
    target_table: str
    target_column: str

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    def steps(self, name: str) -> list[Step]:
        """The hops from ``name``: up each of its foreign keys, down each one referencing it."""
        up = [Step(name, f.parent, name, f.column, Direction.UP) for f in self.table(name).fks]
        down = [Step(name, t.name, t.name, f.column, Direction.DOWN)
                for t in self.tables for f in t.fks if f.parent == name]
        return up + down


def _column(name: str, kind: Kind, rng: np.random.Generator) -> ColumnSpec:
    if kind is Kind.CATEGORICAL:
        k = int(rng.integers(3, 9))
        values = tuple(rng.permutation(np.array(CATEGORICAL[name]))[:k].tolist())
        w = 1.0 / np.arange(1, k + 1) ** rng.uniform(0.5, 1.5)
        return ColumnSpec(name, kind, values=values, probs=tuple((w / w.sum()).tolist()))
    if kind is Kind.DATE:
        start = dt.date(int(rng.integers(2020, 2025)), int(rng.integers(1, 13)), 1)
        return ColumnSpec(name, kind, start=(start - _EPOCH).days, span=int(rng.integers(600, 800)))
    if kind is Kind.BOOL:
        return ColumnSpec(name, kind, rate=float(rng.uniform(0.03, 0.45)))
    _, dist, a, b, lo, hi, dec = NUMERIC[name]
    scale = rng.uniform(0.7, 1.4)          # the same column name differs from draw to draw
    a = a + math.log(scale) if dist == "lognormal" else a * scale
    return ColumnSpec(name, kind, dist=dist, a=a, b=b * (scale if dist == "normal" else 1.0),
                      lo=lo, hi=hi, decimals=dec)


def _columns(rng: np.random.Generator, n: int, taken: set[str]) -> tuple[ColumnSpec, ...]:
    kinds, p = list(KIND_P), np.array(list(KIND_P.values()))
    pools = {Kind.CATEGORICAL: list(CATEGORICAL), Kind.DATE: list(DATES), Kind.BOOL: list(BOOLS),
             Kind.INT: [k for k, v in NUMERIC.items() if v[0] is Kind.INT],
             Kind.FLOAT: [k for k, v in NUMERIC.items() if v[0] is Kind.FLOAT]}
    out = []
    for _ in range(n):
        kind = kinds[int(rng.choice(len(kinds), p=p))]
        free = [c for c in pools[kind] if c not in taken]
        name = free[int(rng.integers(len(free)))]
        taken.add(name)
        out.append(_column(name, kind, rng))
    return tuple(out)


def _schema(rng: np.random.Generator, total: int) -> Schema:
    theme = sorted(THEMES)[int(rng.integers(len(THEMES)))]
    ents = THEMES[theme]
    k = int(rng.integers(3, 9))
    pick = [ents[i] for i in rng.choice(len(ents), size=min(k, len(ents)), replace=False)]
    order = sorted(range(len(pick)), key=lambda i: (pick[i][1], rng.random()))
    pick = [pick[i] for i in order]
    growth = rng.uniform(2.5, 5.0)
    w = np.array([growth ** lvl * rng.uniform(0.6, 1.6) for _, lvl in pick])
    rows = np.maximum(MIN_ROWS, np.round(total * w / w.sum())).astype(int)
    specs: list[TableSpec] = []
    for i, (name, lvl) in enumerate(pick):
        fks: list[FkSpec] = []
        if i:
            lower = [j for j in range(i) if pick[j][1] < lvl] or list(range(i))
            parents = [lower[int(rng.integers(len(lower)))]]
            if i >= 2 and rng.random() < 0.5:
                parents.append(int(rng.choice([j for j in range(i) if j != parents[0]])))
            fks = [FkSpec(singular(pick[j][0]) + "_id", pick[j][0], float(rng.uniform(0.2, 1.0)))
                   for j in parents]
        key = "id" if rng.random() < 0.2 else singular(name) + "_id"
        cols = _columns(rng, int(rng.integers(1, 5)), {key} | {f.column for f in fks})
        specs.append(TableSpec(name, key, int(rows[i]), cols, tuple(fks)))
    big = [t for t in specs if t.rows >= max(50, 0.1 * total)] or [max(specs, key=lambda t: t.rows)]
    degree = np.array([sum(len(u.fks) if u is t else sum(f.parent == t.name for f in u.fks) for u in specs)
                       for t in big], dtype=float)
    target = big[int(rng.choice(len(big), p=degree ** 2 / (degree ** 2).sum()))]   # favour tables with more joins
    taken = {c.name for c in target.columns}
    tcol = [c for c in TARGETS if c not in taken][int(rng.integers(len(TARGETS)))]
    return Schema(theme, tuple(specs), target.name, tcol)


# ------------------------------------------------------------------------------------------------ data


@dataclass
class Data:
    """Generated columns as numpy arrays: categorical as codes, dates as days since 1970;
    ``fk[table][column]`` holds the referenced row's index (its key minus one)."""

    cols: dict[str, dict[str, np.ndarray]]
    fk: dict[str, dict[str, np.ndarray]]

    def rows(self, table: str) -> int:
        return len(next(iter(self.cols[table].values())))


def _values(c: ColumnSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    if c.kind is Kind.CATEGORICAL:
        return rng.choice(len(c.values), size=n, p=np.array(c.probs)).astype(np.int8)
    if c.kind is Kind.BOOL:
        return rng.random(n) < c.rate
    if c.kind is Kind.DATE:
        return (c.start + np.floor(rng.beta(1.2, 1.2, n) * c.span)).astype(np.int32)
    if c.dist == "poisson":
        x = 1.0 + rng.poisson(c.a, n)
    elif c.dist == "normal":
        x = rng.normal(c.a, c.b, n)
    else:
        x = rng.lognormal(c.a, c.b, n)
    x = np.clip(np.round(x, c.decimals), c.lo, c.hi)
    return x.astype(np.int64) if c.kind is Kind.INT else x


def _references(n: int, parents: int, skew: float, rng: np.random.Generator) -> np.ndarray:
    w = 1.0 / np.arange(1, parents + 1) ** skew
    popular = rng.permutation(parents)       # the most popular parent is not the first row
    return popular[rng.choice(parents, size=n, p=w / w.sum())].astype(np.int64)


def _data(schema: Schema, rng: np.random.Generator) -> Data:
    cols: dict[str, dict[str, np.ndarray]] = {}
    fk: dict[str, dict[str, np.ndarray]] = {}
    for t in schema.tables:
        fk[t.name] = {f.column: _references(t.rows, schema.table(f.parent).rows, f.skew, rng) for f in t.fks}
        cols[t.name] = {c.name: _values(c, t.rows, rng) for c in t.columns}
    return Data(cols, fk)


def _frames(schema: Schema, data: Data, labels: np.ndarray) -> dict[str, pl.DataFrame]:
    out = {}
    for t in schema.tables:
        series = [pl.Series(t.key, np.arange(1, t.rows + 1, dtype=np.int64))]
        series += [pl.Series(f.column, data.fk[t.name][f.column] + 1) for f in t.fks]
        for c in t.columns:
            x = data.cols[t.name][c.name]
            if c.kind is Kind.CATEGORICAL:
                series.append(pl.Series(c.name, c.values, dtype=pl.String).gather(x.astype(np.int64)))
            elif c.kind is Kind.DATE:
                series.append(pl.Series(c.name, x, dtype=pl.Int32).cast(pl.Date))
            else:
                series.append(pl.Series(c.name, x))
        if t.name == schema.target_table:
            series.append(pl.Series(schema.target_column, labels))
        out[t.name] = pl.DataFrame(series)
    return out


# --------------------------------------------------------------------------------------------- program


@dataclass(frozen=True)
class Cond:
    """A test of the row at position ``pos`` of a branch's walk (0: the target's row)."""

    pos: int
    table: str
    column: str
    test: Check
    raw: float | int | bool           # compared with the numpy column (a code, a day number)
    value: str | int | float | bool   # as written in the rule
    op: str = "="


@dataclass(frozen=True)
class Branch:
    steps: tuple[Step, ...]
    conds: tuple[Cond, ...]


@dataclass(frozen=True)
class Planted:
    """One rule of the program: the conjunction of its branches."""

    branches: tuple[Branch, ...]

    def rule(self, head: str) -> Rule:
        names = iter(f"V{i}" for i in range(1, 100))
        x = Var("X")
        body: list[Atom | Comparison] = []
        for br in self.branches:
            at = [x]
            for s in br.steps:
                new = Var(next(names))
                args = (at[-1], new) if s.direction is Direction.UP else (new, at[-1])
                body.append(Atom(target_name(s.table, s.column), args))
                at.append(new)
            for c in br.conds:
                pred = target_name(c.table, c.column)
                if c.test is Check.CONSTANT:
                    body.append(Atom(pred, (at[c.pos], Const(c.value))))
                else:
                    v = Var(next(names))
                    body += [Atom(pred, (at[c.pos], v)), Comparison(c.op, v, Const(c.value))]
        return Rule(Atom(head, (x,)), tuple(body))


def _cond_mask(data: Data, c: Cond) -> np.ndarray:
    x = data.cols[c.table][c.column]
    if c.test is Check.CONSTANT:
        return x == c.raw
    return x > c.raw if c.op == ">" else x <= c.raw


def branch_mask(data: Data, br: Branch, skip: Cond | None = None) -> np.ndarray:
    """Rows of the walk's first table from which the walk reaches rows passing its tests."""
    tables = [br.steps[0].src] + [s.dst for s in br.steps]
    reach: np.ndarray | None = None
    for pos in range(len(tables) - 1, -1, -1):
        m = np.ones(data.rows(tables[pos]), dtype=bool)
        for c in br.conds:
            if c.pos == pos and c is not skip:
                m &= _cond_mask(data, c)
        if reach is not None:
            s = br.steps[pos]
            if s.direction is Direction.UP:
                m &= reach[data.fk[s.table][s.column]]
            else:
                m &= np.bincount(data.fk[s.table][s.column][reach], minlength=len(m)) > 0
        reach = m
    assert reach is not None
    return reach


def rule_mask(data: Data, rule: Planted, skip: Cond | Branch | None = None) -> np.ndarray:
    """Rows of the target table the rule derives (``skip``: without that test or branch)."""
    out: np.ndarray | None = None
    for br in rule.branches:
        if br is skip:
            continue
        m = branch_mask(data, br, skip if isinstance(skip, Cond) else None)
        out = m if out is None else out & m
    assert out is not None
    return out


def program_mask(data: Data, rules: Sequence[Planted]) -> np.ndarray:
    out = rule_mask(data, rules[0])
    for r in rules[1:]:
        out = out | rule_mask(data, r)
    return out


def _walk(schema: Schema, rng: np.random.Generator, other: tuple[Step, ...] = ()) -> tuple[Step, ...]:
    """1-3 hops from the target's table, never back to a table it passed. A second branch
    does not start up the same reference as ``other``: both would reach the same row."""
    hops = int(rng.choice([1, 2, 3], p=[0.4, 0.35, 0.25]))
    cur, seen, steps = schema.target_table, {schema.target_table}, []
    for _ in range(hops):
        opts = [s for s in schema.steps(cur) if s.dst not in seen
                and not (not steps and other and s == other[0] and s.direction is Direction.UP)]
        if not opts:
            break
        s = opts[int(rng.integers(len(opts)))]
        steps.append(s)
        seen.add(s.dst)
        cur = s.dst
    return tuple(steps)


def _round(x: float, values: np.ndarray, q: float) -> float:
    """A number with few significant digits near ``x``, keeping the split near quantile ``q``."""
    if x == 0:
        return 0.0
    top = math.floor(math.log10(abs(x)))
    for digits in (1, 2, 3):
        r = round(x, digits - 1 - top)
        if abs(float(np.mean(values <= r)) - q) <= 0.1:
            return r
    return x


def _threshold(c: ColumnSpec, x: np.ndarray, rng: np.random.Generator) -> tuple[float | int, str | int | float]:
    """(raw, written) threshold at a random quantile of the column's values ``x``."""
    q = rng.uniform(0.15, 0.85)
    if c.kind is Kind.DATE:
        day = int(np.quantile(x, q, method="lower"))      # a day that occurs: the start of its gap
        return day, (_EPOCH + dt.timedelta(days=day)).isoformat()
    raw = float(np.quantile(x, q))
    theta = snap(_round(raw, x, q), np.unique(x).astype(np.float64))
    if c.kind is Kind.INT:
        return int(theta), int(theta)
    return float(theta), float(theta)


def _cond(schema: Schema, data: Data, table: str, pos: int, test: Check, used: set[tuple[int, int, str]],
          branch: int, rng: np.random.Generator) -> Cond | None:
    kinds = CONSTANT_KINDS if test is Check.CONSTANT else THRESHOLD_KINDS
    opts = [c for c in schema.table(table).columns if c.kind in kinds and (branch, pos, c.name) not in used]
    if not opts:
        return None
    c = opts[int(rng.integers(len(opts)))]
    used.add((branch, pos, c.name))
    if c.kind is Kind.CATEGORICAL:
        p = np.sqrt(np.array(c.probs))
        code = int(rng.choice(len(c.values), p=p / p.sum()))
        return Cond(pos, table, c.name, test, code, c.values[code])
    if c.kind is Kind.BOOL:
        v = bool(rng.random() < 0.8)
        return Cond(pos, table, c.name, test, v, v)
    raw, written = _threshold(c, data.cols[table][c.name], rng)
    return Cond(pos, table, c.name, test, raw, written, str(rng.choice([">", "<="])))


def _counts(n_branches: int, rng: np.random.Generator) -> list[Check]:
    n_const, n_thr = (int(v) for v in rng.integers(0, 3, 2))
    while n_const + n_thr < n_branches:
        if n_const < 2 and rng.random() < 0.5:
            n_const += 1
        else:
            n_thr += 1
    tests = [Check.CONSTANT] * n_const + [Check.THRESHOLD] * n_thr
    return [tests[i] for i in rng.permutation(len(tests))]


def _random_rule(schema: Schema, data: Data, n_branches: int, rng: np.random.Generator) -> Planted | None:
    walks = [_walk(schema, rng)]
    if n_branches == 2:
        walks.append(_walk(schema, rng, walks[0]))
    if any(not w for w in walks):
        return None
    tests = _counts(len(walks), rng)
    if sum(len(w) for w in walks) + tests.count(Check.THRESHOLD) > MAX_EXISTENTIAL:
        return None
    slots = [(b, len(w)) for b, w in enumerate(walks)]       # each walk ends in a test
    anywhere = [(0, 0)] + [(b, p) for b, w in enumerate(walks) for p in range(1, len(w) + 1)]
    slots += [anywhere[int(rng.integers(len(anywhere)))] for _ in range(len(tests) - len(walks))]
    conds: list[list[Cond]] = [[] for _ in walks]
    used: set[tuple[int, int, str]] = set()
    for (b, pos), test in zip(slots, tests):
        table = schema.target_table if pos == 0 else walks[b][pos - 1].dst
        c = _cond(schema, data, table, pos, test, used, b, rng)
        if c is None:
            return None
        conds[b].append(c)
    return Planted(tuple(Branch(w, tuple(c)) for w, c in zip(walks, conds)))


def _matters(data: Data, rule: Planted, m: np.ndarray) -> bool:
    """Dropping any test or branch derives clearly more rows."""
    pos = int(m.sum())
    need = max(MIN_GAIN_ROWS, MIN_GAIN * pos)
    parts: list[Cond | Branch] = [c for br in rule.branches for c in br.conds]
    if len(rule.branches) > 1:
        parts += list(rule.branches)
    return all(int(rule_mask(data, rule, p).sum()) - pos >= need for p in parts)


def _own(masks: list[np.ndarray]) -> bool:
    """Each rule derives a share of rows that no other rule derives."""
    for i, m in enumerate(masks):
        others = np.zeros_like(m)
        for j, o in enumerate(masks):
            if j != i:
                others |= o
        if int((m & ~others).sum()) < MIN_OWN * int(m.sum()):
            return False
    return True


def _next_rule(schema: Schema, data: Data, rules: list[Planted], masks: list[np.ndarray], n_branches: int,
               rng: np.random.Generator) -> tuple[Planted, np.ndarray] | None:
    """A random rule with ``n_branches`` that fits beside ``rules`` (see the module docstring)."""
    n = data.rows(schema.target_table)
    for _ in range(RULE_TRIES):
        r = _random_rule(schema, data, n_branches, rng)
        if r is None:
            continue
        m = rule_mask(data, r)
        pos = int(m.sum())
        if not (max(MIN_POSITIVES, MIN_SHARE * n) <= pos <= MAX_SHARE * n) or not _own(masks + [m]):
            continue
        if float(np.mean(program_mask(data, rules + [r]))) > MAX_POSITIVE_RATE or not _matters(data, r, m):
            continue
        return r, m
    return None


def _plant(schema: Schema, data: Data, rng: np.random.Generator) -> list[Planted] | None:
    """1-3 rules, each with two branches at rate ``BRANCH_P`` (one where the schema allows no two)."""
    rules: list[Planted] = []
    masks: list[np.ndarray] = []
    for _ in range(int(rng.integers(1, 4))):
        got = None
        if rng.random() < BRANCH_P:
            got = _next_rule(schema, data, rules, masks, 2, rng)
        got = got or _next_rule(schema, data, rules, masks, 1, rng)
        if got is None:
            return None
        rules.append(got[0])
        masks.append(got[1])
    return rules


def canonical_text(rule: Rule) -> str:
    """The rule's canonical text, a fixed point of ``parse_rule(t).text()``."""
    text = rule.canonical().text()
    if parse_rule(text).text() != text or parse_rule(text).canonical().text() != text:
        raise InternalError(f"planted rule text does not round-trip: {text}")
    return text


# ------------------------------------------------------------------------------------------------ draw


@dataclass(frozen=True, eq=False)   # frames do not compare with ==
class Draw:
    """One draw (see the module docstring).

    ``train``/``test``: frames by table, parents first; ``target``: the boolean column's
    spec (``orders.late``), the head of every rule in ``rules`` (canonical ruledisc text);
    ``keys``/``fks``: each table's key and ``(column, parent, parent key)`` references,
    declared in SQL when ``declared``; ``noise``: the share of ``train`` labels flipped
    (``clean_train`` holds the unflipped ones); ``size``: the row count asked for;
    ``shape``: a summary (tables, rows, per rule its branches, hops per branch, hop
    directions, constants, thresholds, share of rows derived).
    """

    seed: int
    train: dict[str, pl.DataFrame]
    test: dict[str, pl.DataFrame]
    target: str
    rules: list[str]
    keys: dict[str, list[str]]
    fks: dict[str, list[tuple[str, str, str]]]
    declared: bool
    noise: float
    shape: dict
    size: int = 0
    clean_train: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False, compare=False)

    @property
    def target_table(self) -> str:
        return self.target.split(".")[0]

    @property
    def target_column(self) -> str:
        return self.target.split(".")[1]

    def describe(self) -> str:
        """The draw in a few lines: tables (key, references, columns), target, rules."""
        s = self.shape
        out = [f"seed {self.seed}: {s['theme']}, {s['tables']} tables, {s['total_rows']} rows, "
               f"keys {'declared' if self.declared else 'undeclared'}, noise {self.noise:.3f}"]
        for name, frame in self.train.items():
            refs = {c: f"{c}->{p}" for c, p, _ in self.fks.get(name, [])}
            cols = [f"{c}*" if c in self.keys[name] else refs.get(c, f"{c}:{str(t).lower()}")
                    for c, t in frame.schema.items()]
            out.append(f"  {name} ({frame.height}): {', '.join(cols)}")
        out.append(f"target {self.target}: {s['positive_rate']:.1%} positive, rules derive "
                   + ", ".join(f"{c:.1%}" for c in s["coverage"]))
        out += [f"  {r}" for r in self.rules]
        return "\n".join(out)

    def program(self) -> str:
        """The planted rules as a ``.dl`` file (``ruledisc apply`` / ``eval --rules``)."""
        return "\n".join(self.rules) + "\n"

    def tables(self, which: Literal["train", "test"]) -> dict[str, pl.DataFrame]:
        if which not in ("train", "test"):
            raise UsageError(f"which must be 'train' or 'test', not {which!r}")
        return self.train if which == "train" else self.test

    def to_sql(self, which: Literal["train", "test"]) -> str:
        """A DuckDB script: CREATE TABLE (keys and foreign keys when declared) and INSERTs."""
        from ..sqltext import script
        tables = self.tables(which)
        header = "\n".join([
            f"-- ruledisc.datasets.planted draw seed={self.seed} size={self.size} ({which}): "
            f"{self.shape['tables']} tables, target {self.target}, "
            + (f"{self.noise:.4f} of the labels flipped" if which == "train" else "clean labels"),
            "-- planted program:", *(f"--   {r}" for r in self.rules)])
        if self.declared:
            return script(tables, keys=self.keys, fks=self.fks, header=header)
        return script(tables, header=header)

    def write(self, path_dir: str | Path, fmt: Literal["sql", "duckdb"] = "sql") -> dict[str, Path]:
        """Write ``train.<fmt>``, ``test.<fmt>`` and ``planted.dl`` into ``path_dir`` (created);
        ``duckdb`` files load from arrow, fast at any size. Returns the paths by name."""
        if fmt not in ("sql", "duckdb"):
            raise UsageError(f"fmt must be 'sql' or 'duckdb', not {fmt!r}")
        d = Path(path_dir)
        d.mkdir(parents=True, exist_ok=True)
        out = {"planted": d / "planted.dl"}
        out["planted"].write_text(self.program())
        for which in ("train", "test"):
            p = d / f"{which}.{fmt}"
            if fmt == "sql":
                p.write_text(self.to_sql(which))
            else:
                self._write_duckdb(p, which)
            out[which] = p
        return out

    def _write_duckdb(self, path: Path, which: Literal["train", "test"]) -> None:
        import duckdb

        from ..sqltext import script
        path.unlink(missing_ok=True)
        tables = self.tables(which)
        empty = {t: df.clear() for t, df in tables.items()}
        ddl = script(empty, keys=self.keys, fks=self.fks) if self.declared else script(empty)
        con = duckdb.connect(str(path))
        try:
            con.execute(ddl)
            for name, df in tables.items():   # parents first: the references hold at each insert
                con.from_arrow(df.to_arrow()).insert_into(name)
        finally:
            con.close()


def _size(size: str | int) -> int:
    if isinstance(size, bool) or not isinstance(size, (str, int)):
        raise UsageError(f"size must be one of {', '.join(SIZES)} or a row count, not {size!r}")
    if isinstance(size, str):
        if size not in SIZES:
            raise UsageError(f"unknown size {size!r}; use one of {', '.join(SIZES)} or a row count")
        return SIZES[size]
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise UsageError(f"size must be between {MIN_SIZE} and {MAX_SIZE} rows, not {size}")
    return size


def _check(seed: int, noise: float | None) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed must be a non-negative integer, not {seed!r}")
    if noise is not None and (isinstance(noise, bool) or not isinstance(noise, (int, float))
                              or not 0.0 <= noise < 0.5):
        raise UsageError(f"noise must be a share of labels in [0, 0.5), not {noise!r}")


def _shape(schema: Schema, rules: list[Planted], data: Data, total: int) -> dict:
    n = data.rows(schema.target_table)
    consts = [[(target_name(c.table, c.column), c.value) for br in r.branches for c in br.conds
               if c.test is Check.CONSTANT] for r in rules]
    thresholds = [[(target_name(c.table, c.column), c.op, c.value) for br in r.branches for c in br.conds
                   if c.test is Check.THRESHOLD] for r in rules]
    return {
        "theme": schema.theme,
        "tables": len(schema.tables),
        "rows": {t.name: t.rows for t in schema.tables},
        "total_rows": sum(t.rows for t in schema.tables),
        "size": total,
        "target_rows": n,
        "rules": len(rules),
        "branches": [len(r.branches) for r in rules],
        "hops": [[len(br.steps) for br in r.branches] for r in rules],
        "directions": [[[s.direction.value for s in br.steps] for br in r.branches] for r in rules],
        "constants": consts,
        "thresholds": thresholds,
        "coverage": [float(np.mean(rule_mask(data, r))) for r in rules],
        "positive_rate": float(np.mean(program_mask(data, rules))),
    }


def _unseen(schema: Schema, rules: list[Planted], seed: int) -> Data:
    """The test database: new rows of the same schema where every planted rule still derives
    some rows (a tiny draw can leave a rule with none: then it could not be scored)."""
    for attempt in range(DRAW_TRIES):
        test = _data(schema, np.random.default_rng([seed, 2, attempt]) if attempt else np.random.default_rng([seed, 2]))
        if all(rule_mask(test, r).any() for r in rules):
            return test
    return test


def draw(seed: int, size: str | int = "small", noise: float | None = None) -> Draw:
    """A random schema, data and planted program, reproducible from ``seed``.

    ``size``: ``tiny`` (~1k rows in all tables), ``small`` (~10k), ``medium`` (~100k),
    ``large`` (~1M) or a row count. ``noise``: the share of training labels flipped
    (exactly ``round(noise * rows)`` of them); ``None`` draws it from [0, 0.2].
    """
    _check(seed, noise)
    total = _size(size)
    rng = np.random.default_rng([seed, 0])
    for attempt in range(DRAW_TRIES):
        schema = _schema(rng, total)
        train = _data(schema, np.random.default_rng([seed, 1, attempt]))
        rules = _plant(schema, train, rng)
        if rules is not None:
            break
    else:
        raise InternalError(f"no planted program found for seed {seed} in {DRAW_TRIES} schemas; please report it")
    head = target_name(schema.target_table, schema.target_column)
    texts = [canonical_text(r.rule(head)) for r in rules]
    side = np.random.default_rng([seed, 4])    # the same for every size
    declared = bool(side.random() < 0.5)
    rate = float(side.uniform(0.0, MAX_NOISE)) if noise is None else float(noise)
    clean = program_mask(train, rules)
    labels = clean.copy()
    flip = np.random.default_rng([seed, 3]).permutation(len(labels))[:round(rate * len(labels))]
    labels[flip] = ~labels[flip]
    test = _unseen(schema, rules, seed)
    return Draw(
        seed=seed, train=_frames(schema, train, labels), test=_frames(schema, test, program_mask(test, rules)),
        target=head, rules=texts, keys={t.name: [t.key] for t in schema.tables},
        fks={t.name: [(f.column, f.parent, schema.table(f.parent).key) for f in t.fks] for t in schema.tables if t.fks},
        declared=declared, noise=rate, shape=_shape(schema, rules, train, total), size=total,
        clean_train=clean)
