"""Database -> typed predicates.

Every table is a relation predicate of its arity. A table with a key (declared
primary key, or ``--key``) also gives one attribute predicate per non-key column,
``table.column(Key..., Value)``. Argument *domains* say which columns can join:
declared keys and foreign keys, plus value overlap measured in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from .engine import Engine
from .errors import SchemaError, SourceError
from .names import target_name

RELATION, ATTRIBUTE = "relation", "attribute"
OVERLAP_MIN = 0.5       # |A ∩ B| / min(|A|, |B|) for two joinable columns to share a domain
DOMAIN_OVERLAP_MIN = 0.3  # |A ∩ D| / |A| for a joinable column to join a whole domain D
INCLUSION_MIN = 0.9     # |A ∩ B| / |A| for a value column to be an inferred foreign key
UNIQUE_ROWS = 2_000_000  # relation tables up to this size are checked for unique columns
MAX_CATEGORIES = 30     # a value column with at most this many distinct values is categorical
GENERIC_KEYS = {"id", "key", "pk", "rowid", "uid"}
MAX_CONSTANTS = 12      # most frequent values offered as constants per column


def family(sql_type: str) -> str:
    """Coarse type family deciding which columns may be compared or joined."""
    t = sql_type.upper()
    if t == "BOOLEAN":
        return "bool"
    if re.match(r"(TINY|SMALL|BIG|HUGE|U)?INT|INTEGER|UBIGINT|USMALLINT|UTINYINT|UINTEGER", t):
        return "int"
    if re.match(r"DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC", t):
        return "float"
    if re.match(r"VARCHAR|TEXT|STRING|CHAR|ENUM|UUID", t):
        return "str"
    if re.match(r"DATE|TIME", t):
        return "date"
    return "other"


@dataclass(frozen=True)
class Column:
    name: str
    type: str

    @property
    def family(self) -> str:
        return family(self.type)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    fks: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise SchemaError(f"table {self.name!r} has no column {name!r}; "
                          f"it has {', '.join(c.name for c in self.columns)}")


@dataclass(frozen=True)
class Predicate:
    """A predicate over one table: arguments are that table's columns, in order."""

    name: str
    table: str
    columns: tuple[str, ...]
    kind: str
    types: tuple[str, ...]
    schema: str = "main"   # where the table lives: user tables in main, derived ones elsewhere

    @property
    def arity(self) -> int:
        return len(self.columns)


@dataclass
class Catalog:
    """Tables, predicates and argument domains of one database."""

    tables: dict[str, Table]
    predicates: dict[str, Predicate] = field(default_factory=dict)
    domains: dict[tuple[str, str], str] = field(default_factory=dict)   # (table, col) -> domain
    constants: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)                # table -> row count
    unique: set[tuple[str, str]] = field(default_factory=set)         # keyless columns with distinct values

    def predicate(self, name: str, arity: int | None = None) -> Predicate:
        p = self.predicates.get(name)
        if p is None:
            raise SchemaError(f"unknown predicate {name!r}: no table or keyed table column by that name")
        if arity is not None and p.arity != arity:
            raise SchemaError(f"predicate {name!r} has arity {p.arity}, used with {arity} arguments")
        return p

    def table(self, name: str) -> Table:
        t = self.tables.get(name)
        if t is None:
            known = ", ".join(sorted(self.tables)) or "none"
            raise SchemaError(f"unknown table {name!r} (tables: {known})")
        return t

    def domain(self, table: str, col: str) -> str | None:
        return self.domains.get((table, col))


def tab(name: str, alias: str | None = None, schema: str = "main") -> exp.Table:
    """A table, always schema-qualified (user tables: ``main.name``) and quoted."""
    t = exp.table_(name, db=schema, quoted=True)
    return t.as_(alias, quoted=True) if alias else t


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _read_tables(eng: Engine) -> dict[str, Table]:
    cols: dict[str, list[Column]] = {}
    q = (exp.select("table_name", "column_name", "data_type")
         .from_("information_schema.columns")
         .where("table_schema = 'main' AND table_catalog = current_database()")
         .order_by("table_name", "ordinal_position"))
    for t, c, typ in eng.rows(q):
        cols.setdefault(t, []).append(Column(c, typ))
    keys: dict[str, tuple[str, ...]] = {}
    fks: dict[str, list] = {}
    q = (exp.select("table_name", "constraint_type", "constraint_column_names", "referenced_table",
                    "referenced_column_names")
         .from_("duckdb_constraints()")
         .where("schema_name = 'main' AND database_name = current_database()"))
    for t, kind, ccols, rt, rcols in eng.rows(q):
        if kind == "PRIMARY KEY" or kind == "UNIQUE" and t not in keys:
            keys[t] = tuple(ccols)
        elif kind == "FOREIGN KEY":
            fks.setdefault(t, []).append((tuple(ccols), rt, tuple(rcols)))
    return {t: Table(t, tuple(cs), keys.get(t, ()), tuple(fks.get(t, ()))) for t, cs in cols.items()}


def introspect(eng: Engine, keys: dict[str, tuple[str, ...]] | None = None, infer: bool = True) -> Catalog:
    """Read tables, keys and FKs, then build predicates and infer domains in SQL.

    ``keys`` overrides or adds keys (``--key``): table -> key columns. ``infer=False`` reads
    the declared structure only (no row counts, inferred keys, unique columns or domains):
    enough to compile given rules, in constant time however large the tables.
    """
    tables = _read_tables(eng)
    if not tables:
        raise SourceError("the database has no tables in schema main; nothing to learn from")
    for t, k in (keys or {}).items():
        if t in tables:
            for c in k:
                tables[t].column(c)
            tables[t] = Table(t, tables[t].columns, tuple(k), tables[t].fks)
    if not infer:
        cat = Catalog(tables, rows={})
        for t in tables.values():
            _add_predicates(cat, t)
        return cat
    cat = Catalog(tables, rows=_row_counts(eng, list(tables)))
    _infer_keys(eng, cat)
    _unique_columns(eng, cat)
    for t in tables.values():
        _add_predicates(cat, t)
    _infer_domains(eng, cat)
    return cat


def _infer_keys(eng: Engine, cat: Catalog) -> None:
    """A table without a declared key (parquet, csv, DataFrames) gets one if a column
    named like its key (``id``, ``order_id`` in ``orders``) holds unique, non-NULL values."""
    for t in list(cat.tables.values()):
        if t.key or cat.rows.get(t.name, 0) == 0:
            continue
        names = _ref_names(t.name, "id") - {t.name.lower()}
        for c in t.columns:
            if c.name.lower() in names and c.family in ("int", "str"):
                n, nd = eng.rows(exp.select(exp.func("count", col(c.name)), exp.func(
                    "count", exp.Distinct(expressions=[col(c.name)]))).from_(tab(t.name)))[0]
                if n == nd == cat.rows[t.name]:
                    cat.tables[t.name] = Table(t.name, t.columns, (c.name,), t.fks)
                    break


def _unique_columns(eng: Engine, cat: Catalog) -> None:
    """Columns of keyless relation tables whose values are distinct and non-NULL
    (``has_car(train, car)``: a car is in one train). Two literals agreeing on such
    a column read the same row. Tables past ``UNIQUE_ROWS`` are not checked."""
    for t in cat.tables.values():
        n = cat.rows.get(t.name, 0)
        if t.key or len(t.columns) < 2 or not 0 < n <= UNIQUE_ROWS:
            continue
        counts = [exp.func("count", exp.Distinct(expressions=[col(c.name)])) for c in t.columns]
        got = eng.rows(exp.select(*counts).from_(tab(t.name)))[0]
        cat.unique |= {(t.name, c.name) for c, nd in zip(t.columns, got) if nd == n}


def _row_counts(eng: Engine, names: list[str]) -> dict[str, int]:
    """Rows per table, one query (sizes batches of SQL work so memory stays bounded)."""
    parts = [exp.select(exp.Literal.number(i).as_("t"), exp.func("count", exp.Star()).as_("n")).from_(tab(n))
             for i, n in enumerate(names)]
    u = parts[0]
    for p in parts[1:]:
        u = exp.union(u, p, distinct=False)
    return {names[int(i)]: int(n) for i, n in eng.rows(u)}


def _add_predicates(cat: Catalog, t: Table) -> None:
    rel = target_name(t.name)   # predicate names are stored names: a table "a.b" is not column b of a
    cat.predicates[rel] = Predicate(rel, t.name, tuple(c.name for c in t.columns), RELATION,
                                    tuple(c.type for c in t.columns))
    if not t.key:
        return
    for c in t.columns:
        if c.name in t.key:
            continue
        name = target_name(t.name, c.name)
        key_types = tuple(t.column(k).type for k in t.key)
        cat.predicates[name] = Predicate(name, t.name, t.key + (c.name,), ATTRIBUTE, key_types + (c.type,))


def _value_sets(cols: list[tuple[str, str]]) -> exp.Expr:
    parts = []
    for i, (t, c) in enumerate(cols):
        parts.append(exp.select(exp.Literal.number(i).as_("c"),
                                exp.cast(col(c), "VARCHAR").as_("v"))
                     .distinct().from_(tab(t)).where(col(c).is_(exp.null()).not_()))
    u = parts[0]
    for p in parts[1:]:
        u = exp.union(u, p, distinct=False)
    return u


def _infer_domains(eng: Engine, cat: Catalog) -> None:
    """Union-find over columns: same domain if declared key/FK or overlapping values."""
    joinable: set[tuple[str, str]] = set()
    value_cols: set[tuple[str, str]] = set()
    for t in cat.tables.values():
        for c in t.columns:
            if c.family in ("float", "bool", "other"):
                continue
            if not t.key or c.name in t.key or any(c.name in fk[0] for fk in t.fks):
                joinable.add((t.name, c.name))
            else:
                value_cols.add((t.name, c.name))
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        parent[find(a)] = find(b)

    for t in cat.tables.values():
        for cols, rt, rcols in t.fks:
            for a, b in zip(cols, rcols):
                union((t.name, a), (rt, b))
    by_family: dict[str, list[tuple[str, str]]] = {}
    for tc in sorted(joinable | value_cols):
        by_family.setdefault(cat.tables[tc[0]].column(tc[1]).family, []).append(tc)
    key_cols = {(t.name, k) for t in cat.tables.values() for k in t.key}
    for cols in by_family.values():
        if len(cols) < 2:
            continue
        v = _value_sets(cols)
        counts = dict(eng.rows(exp.select("c", "count(*)").from_(v.subquery("v")).group_by("c")))
        a, b = exp.to_identifier("a"), exp.to_identifier("b")
        pairs = eng.rows(
            exp.select("a.c", "b.c", "count(*)").from_(v.subquery(a))
            .join(v.subquery(b), on="a.v = b.v AND a.c < b.c").group_by("a.c", "b.c"))
        for i, j, n in pairs:
            ci, cj = cols[i], cols[j]
            ni, nj = counts.get(i, 0), counts.get(j, 0)
            if ci in joinable and cj in joinable:
                # surrogate keys 1..N of keyed tables all overlap (and small counts overlap them):
                # next to a keyed table, the names must agree too
                keyed = cat.tables[ci[0]].key or cat.tables[cj[0]].key
                if n / max(1, min(ni, nj)) >= OVERLAP_MIN and (not keyed or _names_agree(ci, cj, cat)):
                    union(ci, cj)
                continue
            for val, other, nv in ((ci, cj, ni), (cj, ci, nj)):
                if val in value_cols and (other in key_cols or other in joinable) \
                        and n / max(1, nv) >= INCLUSION_MIN and _looks_like_fk(val, other, cat, nv):
                    joinable.add(val)
                    union(val, other)
        _merge_into_domains(eng, cat, v, cols, joinable, find, union)
    for tc in joinable:
        cat.domains[tc] = "/".join(find(tc))
    _read_constants(eng, cat, value_cols - joinable)


def _merge_into_domains(eng: Engine, cat: Catalog, v: exp.Expr, cols: list[tuple[str, str]],
                        joinable: set[tuple[str, str]], find: Any, union: Any) -> None:
    """Second pass: a joinable column joins a domain when enough of its values
    occur anywhere in that domain, not only in one of its columns. (Mothers
    barely overlap brothers or sisters, but many are someone's child.) Keyless
    tables only: in keyed ones, surrogate keys 1..N overlap by accident."""
    idx = [i for i, tc in enumerate(cols) if tc in joinable and not cat.tables[tc[0]].key]
    for _ in range(len(idx)):
        roots = {i: "/".join(find(cols[i])) for i in idx}
        if len(set(roots.values())) < 2:
            return
        dom = exp.values([(exp.Literal.number(i), exp.Literal.string(r)) for i, r in roots.items()], "m", ["c", "d"])
        mine = exp.select("v.c", "v.v", "m.d").from_(v.subquery("v")).join(dom, on="v.c = m.c")
        q = (exp.select("a.c", "b.d", "count(DISTINCT a.v) AS n", "max(a.total) AS total")
             .from_(exp.select("x.c", "x.v", "x.d", "count(*) OVER (PARTITION BY x.c) AS total")
                    .from_(mine.subquery("x")).subquery("a"))
             .join(mine.subquery("b"), on="a.v = b.v AND a.d <> b.d")
             .group_by("a.c", "b.d"))
        merged = False
        for c, d, n, total in eng.rows(q):
            if n / max(1, total) >= DOMAIN_OVERLAP_MIN and "/".join(find(cols[c])) != d:
                other = next(cols[i] for i in idx if roots[i] == d)
                union(cols[c], other)
                merged = True
        if not merged:
            return


def _ref_names(table: str, column: str) -> set[str]:
    """Names a column referring to ``table.column`` would likely have (for ``line_items``:
    ``line_items_id``, ``line_item_id``, ``line_id``, ...)."""
    rt = table.lower()
    stems = {rt, rt.rstrip("s"), rt[:-3] + "y" if rt.endswith("ies") else rt, rt.split("_")[0]}
    return {column.lower()} | stems | {s + "_id" for s in stems} | {s + "id" for s in stems}


def _names_agree(a: tuple[str, str], b: tuple[str, str], cat: Catalog) -> bool:
    """Two key columns of keyed tables name the same thing: one name twice
    (``customer_id``), or one column named after the other's table whose key it
    is (``orders.customer_id`` and ``customers.id``)."""
    na, nb = a[1].lower(), b[1].lower()
    if na == nb:
        return na not in GENERIC_KEYS   # every table's ``id``
    refers = lambda x, y: cat.tables[y[0]].key == (y[1],) and x[1].lower() in _ref_names(*y)
    return refers(a, b) or refers(b, a)


def _looks_like_fk(val: tuple[str, str], ref: tuple[str, str], cat: Catalog, n_distinct: int) -> bool:
    """Name evidence for an inferred FK: same column name, or named after the table."""
    return val[1].lower() in _ref_names(*ref) or (cat.tables[val[0]].column(val[1]).family == "str" and n_distinct > MAX_CATEGORIES)


def _read_constants(eng: Engine, cat: Catalog, cols: set[tuple[str, str]]) -> None:
    """Categorical value columns: their most frequent values become constant candidates."""
    for t, c in sorted(cols):
        n = eng.scalar(exp.select(exp.func("count", exp.Distinct(expressions=[col(c)]))).from_(tab(t)))
        if n is None or n == 0 or n > MAX_CATEGORIES:
            continue
        rows = eng.rows(exp.select(col(c), "count(*) AS n").from_(tab(t)).where(col(c).is_(exp.null()).not_())
                        .group_by(col(c)).order_by("n DESC", col(c)).limit(MAX_CONSTANTS))
        cat.constants[(t, c)] = [r[0] for r in rows]
    for t in cat.tables.values():
        for c in t.columns:
            if c.family == "bool" and (t.name, c.name) not in cat.constants and t.key:
                cat.constants[(t.name, c.name)] = [True, False]
