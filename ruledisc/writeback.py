"""Write learned rules back as SQL: ``<schema>.rules``, one view per rule and
one union view per target, all in one transaction. DDL is built as sqlglot
trees; user tables are only ever read (views name them as ``main.<table>``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlglot import exp

from .compile import IdbSources, Relation, literal, union_all, view_select
from .engine import Engine
from .errors import TargetError, UsageError
from .introspect import Catalog
from .names import owns, rule_view, view_ref
from .recursion import FIX, is_recursive, reading, with_fixpoint
from .rule import Rule

RULES_COLUMNS = (
    ("run_id", "VARCHAR"), ("target", "VARCHAR"), ("rule_no", "INTEGER"), ("rule_text", "VARCHAR"),
    ("sql_text", "VARCHAR"), ("weight", "DOUBLE"), ("support", "BIGINT"), ("confidence", "DOUBLE"),
    ("head_coverage", "DOUBLE"), ("precision", "DOUBLE"), ("recall", "DOUBLE"),
    ("created_at", "TIMESTAMP"), ("head_columns", "VARCHAR"), ("predicates", "VARCHAR"),
    ("pca_confidence", "DOUBLE"), ("name_scheme", "INTEGER"),
)
NAME_SCHEME = 2   # names.py's scheme; rows of older versions hold NULL here (see migrate.py)


@dataclass(frozen=True)
class StoredRule:
    """A rule as written to the database (metrics may be NULL for applied rules)."""

    rule: Rule
    weight: float | None = None
    support: int | None = None
    confidence: float | None = None
    head_coverage: float | None = None
    precision: float | None = None
    recall: float | None = None
    pca_confidence: float | None = None


def check_schema_name(schema: str) -> str:
    if not isinstance(schema, str):
        raise UsageError(f"schema must be a string (default 'ruledisc'), got {schema!r}")
    if not schema or schema.lower() in ("main", "information_schema", "pg_catalog", "temp"):
        raise UsageError(f"--schema {schema!r} is not allowed; ruledisc writes only to its own schema "
                         "(default ruledisc)")
    return schema


def check_schema_usable(eng: Engine, schema: str) -> None:
    """Refuse a ``--schema`` that is also an attached catalog's name (the database file's
    own stem, ``system``, ``temp``, ``memory``): DuckDB cannot tell ``shop.rules`` apart."""
    catalogs = [r[0] for r in eng.rows(exp.select("database_name").from_(exp.func("duckdb_databases")))]
    clash = [c for c in catalogs if c.lower() == schema.lower()]
    if clash:
        raise UsageError(f"--schema {schema!r} is also the name of the database catalog {clash[0]!r} (DuckDB names "
                         "a file's catalog after the file); choose another --schema")


def rule_view_name(target: str, k: int) -> str:
    return rule_view(target, k)


def view_table(schema: str, name: str) -> exp.Table:
    return exp.table_(name, db=schema, quoted=True)


def union_view(schema: str, target: str, columns: Sequence[tuple[str, str]],
               confidences: Sequence[float]) -> exp.Query:
    """Predicted facts: the union of the rule views, with a noisy-or ``score``
    over the confidences of the rules that fire."""
    names = [c for c, _ in columns]
    if not confidences:
        return exp.select(*[exp.cast(exp.null(), t).as_(c, quoted=True) for c, t in columns],
                          exp.cast(exp.null(), "DOUBLE").as_("score")).where(exp.false())
    parts = [exp.select(*[exp.column(c, quoted=True) for c in names], _conf(conf))
             .from_(view_table(schema, rule_view_name(target, k + 1)))
             for k, conf in enumerate(confidences)]
    return _noisy_or(parts, names)


def _noisy_or(parts: Sequence[exp.Query], names: Sequence[str]) -> exp.Select:
    """``names, score`` grouped over ``parts`` (rows of ``names, conf``)."""
    miss = exp.func("sum", exp.func("ln", exp.func("greatest", exp.Sub(this=exp.Literal.number(1),
                                                                        expression=exp.column("conf")),
                                                   exp.Literal.number(1e-12))))
    score = exp.func("round", exp.Sub(this=exp.Literal.number(1), expression=exp.func("exp", miss)),
                     exp.Literal.number(6))
    return exp.select(*[exp.column(c, quoted=True) for c in names], score.as_("score")) \
        .from_(union_all(parts).subquery("u", copy=False)).group_by(*[exp.column(c, quoted=True) for c in names])


def _conf(conf: float) -> exp.Expr:
    return exp.cast(literal(min(max(conf, 0.0), 1.0)), "DOUBLE").as_("conf")


def recursive_union_view(cat: Catalog, columns: Sequence[tuple[str, str]], rules: Sequence[Rule],
                         confidences: Sequence[float]) -> exp.Query:
    """Predicted facts of a recursive program: its least fixpoint (``WITH RECURSIVE``),
    scored by the rules that fire on it."""
    names, types = [c for c, _ in columns], [t for _, t in columns]
    idb = reading({r.head.pred for r in rules}, Relation(exp.table_(FIX, quoted=True), tuple(names)))
    parts = [view_select(r, cat, names, idb).select(_conf(conf), copy=False) for r, conf in zip(rules, confidences)]
    return with_fixpoint(_noisy_or(parts, names), rules, cat, names, types)


def program_scores(cat: Catalog, columns: Sequence[tuple[str, str]], rules: Sequence[StoredRule]) -> exp.Query:
    """The rows a program predicts with their noisy-or ``score``, as one query (what the
    union view holds, without writing any view)."""
    names = [c for c, _ in columns]
    confs = [r.confidence if r.confidence is not None else (r.weight or 1.0) for r in rules]
    program = [r.rule for r in rules]
    if not program:
        return union_view("main", "none", columns, [])
    if is_recursive(program):
        return recursive_union_view(cat, columns, program, confs)
    return _noisy_or([view_select(r, cat, names).select(_conf(c), copy=False) for r, c in zip(program, confs)], names)


def schema_objects(eng: Engine, schema: str) -> dict[str, str]:
    """Every table and view in ``schema``: name -> ``BASE TABLE`` / ``VIEW``."""
    q = exp.select("table_name", "table_type").from_("information_schema.tables").where(
        exp.EQ(this=exp.column("table_schema"), expression=exp.Literal.string(schema)))
    return dict(eng.rows(q))


def stored_targets(eng: Engine, rules_tab: exp.Table) -> list[str]:
    """The distinct ``target`` values of the rules table."""
    return [r[0] for r in eng.rows(exp.select("target").distinct().from_(rules_tab.copy()))]


def _check_clashes(objects: dict[str, str], groups: Sequence[RuleGroup]) -> None:
    """DuckDB matches names ignoring case: refuse to write a view whose name equals, up to
    case, an object of another target (``t.c=Yes`` and ``t.c=yes``) or ruledisc's own."""
    lower: dict[str, list[str]] = {}
    for o in objects:
        lower.setdefault(o.lower(), []).append(o)
    mine = [g.target for g in groups]
    for g in groups:
        for other in lower.get(g.target.lower(), []):
            if other != g.target and not any(owns(m, other) for m in mine):
                raise TargetError(f"cannot store target {g.target!r}: the database already holds {other!r}, "
                                  "a name equal up to case (DuckDB ignores case in names); rename one of them "
                                  "or use another --schema")


@dataclass
class RuleGroup:
    """The rules of one head, as written: name, head columns and types, rules, and
    the signatures of the predicates they read."""

    target: str
    columns: Sequence[tuple[str, str]]
    rules: Sequence[StoredRule]
    predicates: dict[str, Any]
    selects: Sequence[exp.Select] | None = None   # the rules' compiled bodies, if already built
    sql_texts: Sequence[str] | None = None        # ... and their SQL text
    rule_views: int | None = None   # views for the first N rules only
    union: exp.Query | None = None  # the union view's query, if not the union of the rule views


@dataclass
class _Plan:
    group: RuleGroup
    selects: list[exp.Select]
    union: exp.Query
    recursive: bool


def _plan(cat: Catalog, schema: str, g: RuleGroup, tables_only: bool = False) -> _Plan:
    names = [c for c, _ in g.columns]
    program = [r.rule for r in g.rules]
    recursive = is_recursive(program) and not tables_only
    # recursive rule views read the target from the union view (the fixpoint)
    idb: IdbSources | None = reading({r.head.pred for r in program},
                                     Relation(view_table(schema, g.target), tuple(names))) if recursive else None
    selects = list(g.selects) if g.selects is not None else \
        [view_select(r.rule, cat, names, idb) for r in g.rules]  # compile first: fail before writing
    confs = [r.confidence if r.confidence is not None else (r.weight or 1.0) for r in g.rules]
    if g.union is not None:
        union = g.union
    elif recursive:
        union = recursive_union_view(cat, g.columns, program, confs)
    elif g.rule_views is not None and g.rule_views < len(selects):
        union = _noisy_or([s.copy().select(_conf(c), copy=False) for s, c in zip(selects, confs)], names) \
            if selects else union_view(schema, g.target, g.columns, [])
    else:
        union = union_view(schema, g.target, g.columns, confs)
    return _Plan(g, selects, union, recursive)


def write_rules(eng: Engine, cat: Catalog, schema: str, target: str, columns: Sequence[tuple[str, str]],
                rules: Sequence[StoredRule], run_id: str, predicates: dict[str, Any],
                aux: Sequence[RuleGroup] = ()) -> list[str]:
    """Replace ``target``'s rules and views in ``schema`` (with the views of the
    invented predicates ``aux`` its rules read), atomically. Returns view names."""
    from .derived import dependency_order
    by_name = {g.target: g for g in aux}
    order = dependency_order({g.target: [r.rule for r in g.rules] for g in aux})
    return write_groups(eng, cat, schema, [*(by_name[n] for n in order),
                                           RuleGroup(target, columns, rules, predicates)], run_id)


def write_groups(eng: Engine, cat: Catalog, schema: str, groups: Sequence[RuleGroup], run_id: str,
                 tables_only: bool = False, before: Callable[[Engine], None] | None = None) -> list[str]:
    """Write rule groups in order, in one transaction; a group may read the heads of
    earlier groups, which it then reads from their views. Returns the view names,
    those of groups no other group reads first. ``tables_only``: every body atom reads
    the user's table of that name, heads included (a knowledge graph's rules, one step
    each, never recursive). ``before`` runs first inside the transaction (tables the union
    views read)."""
    from .derived import reads, register
    from .migrate import migrate_legacy
    check_schema_name(schema)
    plans = []
    helper = set()
    for k, g in enumerate(groups):
        plans.append(_plan(cat, schema, g, tables_only))
        if not tables_only and any(g.target in reads([r.rule for r in later.rules]) for later in groups[k + 1:]):
            register(cat, g.target, [c for c, _ in g.columns], [t for _, t in g.columns], schema)
            helper.add(g.target)
    now = datetime.now(UTC).replace(tzinfo=None)
    rules_tab = exp.table_("rules", db=schema, quoted=True)
    with eng.transaction():
        eng.execute(exp.Create(this=exp.to_identifier(schema, quoted=True), kind="SCHEMA", exists=True))
        eng.execute(exp.Create(this=exp.Schema(this=rules_tab, expressions=[
            exp.ColumnDef(this=exp.to_identifier(c), kind=exp.DataType.build(t)) for c, t in RULES_COLUMNS]),
            kind="TABLE", exists=True))
        if before is not None:
            before(eng)
        for c, t in RULES_COLUMNS:   # a rules table written by an older version lacks the newer columns
            eng.execute(exp.Alter(this=rules_tab.copy(), kind="TABLE", actions=[exp.ColumnDef(
                this=exp.to_identifier(c), kind=exp.DataType.build(t), exists=True)]))
        migrate_legacy(eng, cat, schema, rules_tab)
        objects = schema_objects(eng, schema)
        _check_clashes(objects, groups)
        stored = stored_targets(eng, rules_tab)
        for g in groups:   # a run replaces its own target's objects, never another's
            gone = [t for t in stored if owns(g.target, t)]
            if gone:
                eng.execute(exp.delete(rules_tab, where=exp.column("target").isin(
                    *[exp.Literal.string(t) for t in gone])))
            for v, kind in objects.items():
                if kind == "VIEW" and owns(g.target, v):
                    eng.execute(exp.Drop(tables=[view_table(schema, v)], kind="VIEW", exists=True))
        written = [(p.group.target in helper, _write_plan(eng, schema, p, run_id, now, rules_tab)) for p in plans]
    return [v for h, vs in sorted(written, key=lambda t: t[0]) for v in vs]


def insert_rows(eng: Engine, table: exp.Table, columns: Sequence[tuple[str, str]],
                rows: Sequence[tuple[Any, ...]]) -> None:
    """Append ``rows`` to ``table`` through an arrow frame (one statement, no literals to parse)."""
    import pyarrow as pa
    types = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
             "TIMESTAMP": pa.timestamp("us")}
    frame = pa.table({c: pa.array([r[i] for r in rows], types[t]) for i, (c, t) in enumerate(columns)})
    eng.con.register("rd_rows_frame", frame)
    try:
        eng.execute(exp.insert(exp.select(*[exp.column(c) for c, _ in columns]).from_("rd_rows_frame"), table,
                               columns=[c for c, _ in columns]))
    finally:
        eng.con.unregister("rd_rows_frame")


def _write_plan(eng: Engine, schema: str, p: _Plan, run_id: str, now: datetime, rules_tab: exp.Table) -> list[str]:
    g = p.group
    views = []
    create_union = exp.Create(this=view_table(schema, g.target), kind="VIEW", replace=True, expression=p.union)
    if p.recursive:
        eng.execute(create_union)
    for k, sel in enumerate(p.selects[:g.rule_views], start=1):
        eng.execute(exp.Create(this=view_table(schema, rule_view_name(g.target, k)), kind="VIEW",
                               replace=True, expression=sel))
        views.append(view_ref(schema, rule_view_name(g.target, k)))
    if not p.recursive:
        eng.execute(create_union)
    head_json = json.dumps([{"name": c, "type": t} for c, t in g.columns])
    pred_json = json.dumps(g.predicates)
    texts = g.sql_texts if g.sql_texts is not None else [eng.sql(sel) for sel in p.selects]
    rows = [(run_id, g.target, k, r.rule.text(), text, r.weight, r.support, r.confidence, r.head_coverage,
             r.precision, r.recall, now, head_json, pred_json, r.pca_confidence, NAME_SCHEME)
            for k, (r, text) in enumerate(zip(g.rules, texts), start=1)]
    if rows:
        insert_rows(eng, rules_tab, RULES_COLUMNS, rows)
    return [view_ref(schema, g.target)] + views
