"""``mine --all-relations`` and ``eval --ranking`` on a graph imported by ``import-kg``:
open the database, run :mod:`ruledisc.kg_mine` or :mod:`ruledisc.kg_rank`, write or
report. The rules are stored like any other (``ruledisc.rules``, a view per rule, a
union view per relation); their bodies read the relation views in ``main``."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlglot import exp

from .arguments import check_fields, need_int, need_str
from .compile import view_select
from .engine import Engine
from .errors import DataError, SourceError, UsageError
from .introspect import introspect
from .kg_mine import KgOptions, MeasuredRule, mine_graph
from .kg_rank import fired, metrics, ranks
from .kg_rules import KgRule
from .kg_sql import PREDICTED, RULE_COLUMNS, has_graph, q, relations, setup, with_table
from .names import owns, relation_name, view_name
from .progress import Phases, Reporter
from .result import LearnedRule, MineResult
from .rule import pred_text
from .rulesfile import predicate_signatures
from .source import DatabaseLike, Source, open_source
from .writeback import RuleGroup, StoredRule, check_schema_name, check_schema_usable, insert_rows, write_groups

COLUMNS = [("h", "INTEGER"), ("t", "INTEGER")]
RULE_VIEWS = 10   # rule views per relation; the relation's union view holds every rule


@dataclass
class AllRelationsResult:
    """One :class:`MineResult` per relation, and the run's cost."""

    results: list[MineResult]
    timings: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)
    run_id: str = ""

    @property
    def rules(self) -> list[LearnedRule]:
        return [r for m in self.results for r in m.rules]

    def to_dict(self) -> dict[str, Any]:
        return {"all_relations": True, "run_id": self.run_id, "targets": [m.to_dict() for m in self.results],
                "timings": {k: round(v, 4) for k, v in self.timings.items()}, "info": self.info}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=str)


def _graph(src: Source) -> Engine:
    eng = src.engine
    if not has_graph(eng):
        raise UsageError("--all-relations and --ranking need a knowledge graph imported by "
                         "`ruledisc import-kg DIR OUT.duckdb` (tables kg.facts, kg.entities, kg.relations)")
    return eng


def mine_all(db: DatabaseLike, reporter: Reporter | None = None, *, schema: str = "ruledisc",
             dry_run: bool = False, rule_views: int | None = RULE_VIEWS, memory_limit: str | None = None,
             **options: Any) -> AllRelationsResult:
    """Mine path and constant rules for every relation of an imported graph; store them
    unless ``dry_run``. ``options``: the fields of :class:`ruledisc.kg_mine.KgOptions`.

    Every rule gets a row (with its SQL) in ``<schema>.rules``; each relation gets the union
    view ``<schema>."<relation>"`` of all its rules, and its ``rule_views`` best rules a view
    each (``None``: all; each view costs DuckDB a few milliseconds of catalog work).
    ``memory_limit`` (DuckDB's, e.g. ``"6GB"``): past it, DuckDB spills to disk."""
    check_schema_name(schema)
    opts = _options(options)
    ph = Phases(reporter)
    src = open_source(db)
    try:
        if not dry_run:
            src.check_writable()   # before the work, not after it
            check_schema_usable(src.engine, schema)
        eng = _graph(src)
        if memory_limit:
            set_memory_limit(eng, memory_limit)
        mined = mine_graph(eng, opts, ph)
        with ph.phase("writeback"):
            cat = introspect(eng, infer=False)   # the relation views' columns: all rules need
            n_rel = len(mined.names)
            relation_preds = [relation_name(n) for n in mined.names]   # the relations as predicates
            groups, results = [], []
            for name in mined.names:
                ms = mined.rules[name]
                rules = [m.rule.to_rule(relation_preds, n_rel) for m in ms]
                selects = [view_select(r, cat, [c for c, _ in COLUMNS]) for r in rules]
                learned = [_learned(m, r, eng.sql(sel)) for m, r, sel in zip(ms, rules, selects)]
                preds = predicate_signatures(cat, rules, set()) if rules else {}
                stored = [StoredRule(lr.rule, lr.weight, lr.support, lr.confidence, lr.head_coverage,
                                     lr.precision, lr.recall, lr.pca_confidence) for lr in learned]
                groups.append(RuleGroup(relation_name(name), COLUMNS, stored, preds, selects, [lr.sql for lr in learned],
                                        rule_views, _predicted(schema, name, n_rel)))
                results.append(MineResult(relation_name(name), f"{pred_text(relation_name(name))}(X, Y)", [{"name": c, "type": t} for c, t in COLUMNS],
                                          learned, _coverage(ms), [], {}, preds, mined.run_id))
            if not dry_run:
                views = write_groups(src.writer(), cat, schema, groups, mined.run_id, tables_only=True,
                                     before=lambda w: _write_rule_table(w, schema, mined))
                by_target = {m.target: [v for v in views if owns(m.target, view_name(v))] for m in results}
                for m in results:
                    m.views = by_target[m.target]
        ph.total()
        for m in results:
            m.timings = dict(ph.timings)
        return AllRelationsResult(results, dict(ph.timings), mined.stats, mined.run_id)
    finally:
        src.close()


def set_memory_limit(eng: Engine, limit: str) -> None:
    """DuckDB's ``memory_limit`` (``"6GB"``, ``"800MB"``); a bad value is a usage error."""
    try:
        eng.execute(exp.Set(expressions=[exp.SetItem(this=exp.EQ(this=exp.column("memory_limit"),
                                                                  expression=exp.Literal.string(limit)))]))
    except DataError as err:
        raise UsageError(f"--memory-limit {limit!r}: give a size such as 6GB or 800MB ({err})") from err


def _rule_table(schema: str) -> exp.Table:
    return exp.table_("kg_rules", db=schema, quoted=True)


def _predicted(schema: str, name: str, n_rel: int) -> exp.Query:
    """The union view of a relation: its rules, read as data from ``<schema>.kg_rules``."""
    tree = with_table(q(PREDICTED, nrel=n_rel), "rd_kg_rules_table", _rule_table(schema))
    return exp.replace_placeholders(tree, target=exp.Literal.string(name))


def _write_rule_table(eng: Engine, schema: str, mined: Any) -> None:
    """``<schema>.kg_rules``: each stored rule as numbers (relation ids, constants), the
    form the union views walk; the relations written replace their earlier rows."""
    tab = _rule_table(schema)
    eng.execute(exp.Create(this=exp.Schema(this=tab, expressions=[
        exp.ColumnDef(this=exp.to_identifier(c), kind=exp.DataType.build(t)) for c, t in RULE_COLUMNS]),
        kind="TABLE", exists=True))
    eng.execute(exp.delete(tab.copy(), where=exp.In(this=exp.column("target"),
                                                    expressions=[exp.Literal.string(n) for n in mined.names])))
    rows = []
    for name in mined.names:
        for k, m in enumerate(mined.rules[name], start=1):
            r = m.rule
            p = list(r.path) + [None] * (3 - len(r.path))
            rows.append((name, k, m.weight, m.confidence, len(r.path) if r.is_path else 0, *p, r.const,
                         r.side if not r.is_path else None, r.bconst))
    if rows:
        insert_rows(eng, tab, RULE_COLUMNS, rows)


def _options(options: dict[str, Any]) -> KgOptions:
    names = set(KgOptions.__dataclass_fields__)
    bad = sorted(set(options) - names)
    if bad:
        raise UsageError(f"unknown option(s) for all-relations mining: {', '.join(bad)}")
    opts = KgOptions(**options)
    check_fields(opts)
    if not 1 <= opts.max_length <= 3:
        raise UsageError(f"--max-body {opts.max_length}: knowledge-graph paths have 1 to 3 steps")
    if opts.min_support < 1 or not 0 <= opts.min_confidence <= 1 or opts.max_rules < 1:
        raise UsageError("--min-support must be at least 1, --min-confidence within [0, 1], --max-rules at least 1")
    return opts


def _learned(m: MeasuredRule, rule: Any, sql: str) -> LearnedRule:
    return LearnedRule(rule, sql, m.weight, m.support, m.confidence, m.head_coverage, m.confidence,
                       m.head_coverage, m.pca_confidence)


def _coverage(ms: Sequence[MeasuredRule]) -> dict[str, float]:
    """Summary metrics of a relation's rules: the best rule's confidence and head coverage."""
    if not ms:
        return {"rules": 0.0}
    best = max(ms, key=lambda m: m.weight)
    return {"rules": float(len(ms)), "best_confidence": best.confidence, "best_head_coverage": best.head_coverage}


# ---------------------------------------------------------------- ranking evaluation

AGGREGATIONS = ("learned", "max", "noisy-or")


def _stored(eng: Engine, schema: str, names: list[str]) -> tuple[list[KgRule], np.ndarray]:
    """The stored rules of the graph's relations (``<schema>.kg_rules``, written by
    ``mine --all-relations``), as records, with their weights."""
    ids = {n: i for i, n in enumerate(names)}
    cols = ("target", "weight", "len", "p1", "p2", "p3", "c", "side", "d")
    sel = exp.select(*cols).from_(_rule_table(schema)).order_by("target", "rule_no")
    try:
        rows = eng.rows(sel)
    except DataError as err:
        raise SourceError(f"no stored rules in schema {schema!r}; run `ruledisc mine DB --all-relations` first") \
            from err
    rules, weights = [], []
    for target, w, n, p1, p2, p3, c, side, d in rows:
        if target not in ids:
            continue
        if n:
            rules.append(KgRule(ids[target], tuple(p for p in (p1, p2, p3)[:n])))
        else:
            rules.append(KgRule(ids[target], (p1,), const=c, side=side, bconst=d))
        weights.append(float(w))
    if not rules:
        raise DataError(f"schema {schema!r} holds no rules over the graph's relations; "
                        "run `ruledisc mine DB --all-relations` first")
    return rules, np.asarray(weights, dtype=np.float64)


def rank_eval(db: DatabaseLike, split: str = "test", reporter: Reporter | None = None, *,
              schema: str = "ruledisc", train_queries: int = 4000, epochs: int = 60, seed: int = 0,
              rules: Sequence[KgRule] | None = None, weights: Sequence[float] | None = None) -> dict[str, Any]:
    """Filtered MRR and Hits@1/3/10 of the stored rules (or ``rules`` with ``weights``) on
    the queries of ``split``, for the learned aggregation (fitted on up to ``train_queries``
    training queries) and the max and noisy-or baselines."""
    import torch

    from .kg_aggregate import LearnedNoisyOr, max_scores, noisy_or_scores
    from .kg_rank import SPLITS
    check_schema_name(schema)
    need_str("split", split)
    need_int("train_queries", train_queries, low=1, high=10 ** 9)
    need_int("epochs", epochs, low=1, high=100_000)
    need_int("seed", seed, low=0, high=2 ** 32 - 1)
    if split not in SPLITS:
        raise UsageError(f"--split {split!r}: choose one of {', '.join(SPLITS)}")
    ph = Phases(reporter)
    src = open_source(db)
    try:
        eng = _graph(src)
        names = relations(eng)
        n_rel = len(names)
        t0 = time.perf_counter()
        if rules is None:
            rules, w = _stored(eng, schema, names)
        else:
            w = np.asarray(weights if weights is not None else [1.0] * len(rules), dtype=np.float64)
        with ph.phase("apply"):
            setup(eng, n_rel)
            test = fired(eng, rules, n_rel, split)
            train = fired(eng, rules, n_rel, "train", max_queries=train_queries, seed=seed)
        ph.note(f"{test.n_queries} {split} queries, {len(test.qid)} rule firings")
        with ph.phase("aggregate"):
            torch.manual_seed(seed)
            model = LearnedNoisyOr(w)
            model.fit(train, epochs=epochs)
            scores = {"learned": model.scores(test), "max": max_scores(test, w), "noisy-or": noisy_or_scores(test, w)}
            out = {k: metrics(ranks(test, s), test.relation, names) for k, s in scores.items()}
        ph.total()
        return {"split": split, "queries": test.n_queries, "rules": len(rules), "entities": test.n_entities,
                "train_queries": train.n_queries,
                "aggregations": {k: v.to_dict() for k, v in out.items()},
                "timings": dict(ph.timings) | {"total_s": time.perf_counter() - t0}}
    finally:
        src.close()
