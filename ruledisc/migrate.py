"""Move a store written before the stored-name scheme of :mod:`ruledisc.names`.

Older versions named a column target ``<table>__<column>`` (and a value
``<table>__<column>__<value>``), rule views ``<target>__r<k>`` and invented predicates
``<target>__inv<k>``: a table ``t__flag`` and the column target ``t.flag`` shared a name.
Their rows in ``<schema>.rules`` hold NULL in ``name_scheme``. The first write to such a
store (``mine``, ``apply``) renames, inside the same transaction, every legacy target, its
views and its rows: a legacy name is resolved against the catalog (a table of that name;
else a table and a column, and a value, split at ``__``). Views are re-created from their
own definitions with the references to renamed views rewritten, so nothing is recomputed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlglot
from sqlglot import exp

from .derived import rename_preds
from .engine import Engine
from .introspect import Catalog
from .names import LEGACY_OWNED, invented, rule_view, target_name
from .parse import parse_rule

_INV = re.compile(r"(.+)__inv(\d+)\Z")


def resolve_legacy(name: str, cat: Catalog) -> str:
    """The new stored name of legacy target ``name``.

    >>> from ruledisc.introspect import Catalog, Column, Table
    >>> t = Table("t", (Column("id", "INTEGER"), Column("flag", "BOOLEAN"), Column("plan", "VARCHAR")))
    >>> cat = Catalog({"t": t, "t__flag": Table("t__flag", (Column("id", "INTEGER"),))})
    >>> [resolve_legacy(n, cat) for n in ("t__flag", "t__plan__gold__x", "grandparent")]
    ['t__flag', 't.plan=gold__x', 'grandparent']
    """
    if name in cat.tables:
        return target_name(name)
    for i in _seps(name):
        table, rest = name[:i], name[i + 2:]
        if table not in cat.tables:
            continue
        cols = {c.name for c in cat.tables[table].columns}
        if rest in cols:
            return target_name(table, rest)
        for j in _seps(rest):
            if rest[:j] in cols:
                return target_name(table, rest[:j], rest[j + 2:])
    return target_name(name)   # a .dl head or a graph relation without a table of its own


def _seps(s: str) -> list[int]:
    return [m.start() for m in re.finditer(r"(?=__)", s) if m.start() > 0]


def _renames(targets: Sequence[str], cat: Catalog) -> dict[str, str]:
    """Legacy stored target -> new name, invented predicates included."""
    mains = [t for t in targets if not ((m := _INV.match(t)) and m.group(1) in targets)]
    out = {t: resolve_legacy(t, cat) for t in mains}
    for t in targets:
        if t not in out:
            m = _INV.match(t)
            assert m is not None
            out[t] = invented(out[m.group(1)], int(m.group(2)))
    return out


def _view_renames(views: Sequence[str], renames: dict[str, str]) -> dict[str, str]:
    """Legacy view -> new view name; a view that is a target's name belongs to it."""
    out = {}
    owners = sorted(renames, key=len, reverse=True)
    for v in views:
        if v in renames:
            out[v] = renames[v]
            continue
        for t in owners:
            m = LEGACY_OWNED.match(v, len(t)) if v.startswith(t) else None
            if m and m.group(1).startswith("r"):
                out[v] = rule_view(renames[t], int(m.group(1)[1:]))
                break
    return out


def _definitions(eng: Engine, schema: str) -> dict[str, str]:
    q = exp.select("view_name", "sql").from_(exp.func("duckdb_views")).where(
        exp.EQ(this=exp.column("schema_name"), expression=exp.Literal.string(schema)))
    return dict(eng.rows(q))


def _retarget(tree: exp.Expr, schema: str, views: dict[str, str]) -> exp.Expr:
    """Point references to renamed views of ``schema`` at their new names."""
    for t in tree.find_all(exp.Table):
        if t.name in views and t.args.get("db") is not None and t.db == schema:
            t.set("this", exp.to_identifier(views[t.name], quoted=True))
    return tree


def _order(defs: dict[str, exp.Expr], schema: str) -> list[str]:
    """Views in creation order: those a view reads come first."""
    deps = {v: {t.name for t in d.find_all(exp.Table) if t.name in defs and t.name != v and t.db == schema}
            for v, d in defs.items()}
    done: list[str] = []
    while len(done) < len(defs):
        ready = sorted(v for v in defs if v not in done and deps[v] <= set(done))
        if not ready:   # a cycle (a recursive program's views read each other): keep the rest as is
            ready = sorted(v for v in defs if v not in done)[:1]
        done.extend(ready)
    return done


def migrate_legacy(eng: Engine, cat: Catalog, schema: str, rules_tab: exp.Table) -> dict[str, str]:
    """Rename the legacy targets of ``rules_tab`` and their views (see the module
    docstring); runs inside the caller's transaction. Returns old -> new target names."""
    legacy = [r[0] for r in eng.rows(exp.select("target").distinct().from_(rules_tab.copy())
                                     .where(exp.column("name_scheme").is_(exp.null())))]
    if not legacy:
        return {}
    renames = _renames(legacy, cat)
    defs = _definitions(eng, schema)
    views = _view_renames(list(defs), renames)
    trees = {}
    for old, new in views.items():
        create = sqlglot.parse_one(defs[old], dialect="duckdb")
        create.set("this", exp.table_(new, db=schema, quoted=True))
        trees[new] = _retarget(create, schema, views)
    for old in views:
        eng.execute(exp.Drop(tables=[exp.table_(old, db=schema, quoted=True)], kind="VIEW", exists=True))
    selects = {n: t.expression for n, t in trees.items()}
    for n in _order(selects, schema):
        eng.execute(trees[n])
    preds = dict(renames)   # predicates are stored names: a table's head too
    _rewrite_rows(eng, rules_tab, renames, preds, views, schema)
    return renames


def _rewrite_rows(eng: Engine, rules_tab: exp.Table, renames: dict[str, str], preds: dict[str, str],
                  views: dict[str, str], schema: str) -> None:
    """The legacy rows again, with new target names, rule heads and SQL: read once, written
    back in one arrow insert (a graph's store holds tens of thousands of rows)."""
    from .writeback import NAME_SCHEME, RULES_COLUMNS, insert_rows
    legacy = exp.column("name_scheme").is_(exp.null())
    names = [c for c, _ in RULES_COLUMNS]
    at = {c: i for i, c in enumerate(names)}
    rows = []
    for row in eng.rows(exp.select(*names).from_(rules_tab.copy()).where(legacy)):
        r = list(row)
        r[at["target"]] = renames[r[at["target"]]]
        r[at["rule_text"]] = rename_preds(parse_rule(r[at["rule_text"]]), preds).text()
        if r[at["sql_text"]]:
            r[at["sql_text"]] = _retarget(sqlglot.parse_one(r[at["sql_text"]], dialect="duckdb"), schema,
                                          views).sql("duckdb")
        r[at["name_scheme"]] = NAME_SCHEME
        rows.append(tuple(r))
    eng.execute(exp.delete(rules_tab.copy(), where=legacy.copy()))
    insert_rows(eng, rules_tab.copy(), RULES_COLUMNS, rows)
