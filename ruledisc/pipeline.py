"""The library objects behind the CLI: ``mine``, ``apply``, ``evaluate``, ``stored_rules``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sqlglot import exp

from .arguments import check_fields, need_names, need_rules, need_str
from .bias import Bias, search
from .chain import fit_chain
from .compile import IdbSources, Relation, view_select
from .derived import dependency_order, materialise, program_query, reads, register, rename_preds
from .engine import Engine
from .errors import DataError, SourceError, UsageError
from .ground import build_heads, ground
from .ground_recursive import build_universe, ground_program
from .introspect import Catalog, introspect
from .invent import Invention, discard, invent, names_for, renamed, used
from .learner import LearnerConfig, fit
from .names import legacy_owns, owns, spellings, stored_name
from .progress import Phases, Reporter
from .recursion import is_recursive, reading
from .result import InventedPredicate, LearnedRule, MineResult
from .rule import Rule
from .rulesfile import (
    RuleSet,
    check_rules,
    head_columns,
    predicate_signatures,
    register_predicates,
    rule_sets,
)
from .score import Counts, derived_facts, program_counts, rule_counts
from .semantics import TNorm
from .source import DatabaseLike, Source, open_source
from .target import TABLE, Target, label_universe, learning_sample, materialise_examples, parse_target
from .thresholds import with_thresholds
from .writeback import (
    RuleGroup,
    StoredRule,
    check_schema_name,
    check_schema_usable,
    program_scores,
    view_table,
    write_groups,
    write_rules,
)


@dataclass(frozen=True)
class MineOptions:
    """Every knob of a mining run, validated on construction."""

    max_body: int = 3
    max_vars: int | None = None
    tnorm: str = "product"
    epochs: int = 300
    lr: float = 0.1
    sparsity: float = 1.0
    seed: int = 0
    schema: str = "ruledisc"
    dry_run: bool = False
    negatives: str | None = None
    key: tuple[str, ...] | None = None
    background: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    min_support: int | None = None
    min_confidence: float = 0.1
    max_candidates: int = 400
    max_negatives: int = 200_000
    max_examples: int = 20_000   # labelled examples the learner reads; past it, a weighted sample
    threshold: float = 0.5
    device: str | None = None
    recursion: str = "auto"     # auto: tried when the flat program leaves training errors
    steps: int = 20             # forward-chaining rounds while training recursive rules
    invention: str = "auto"     # auto: tried when the rules so far leave training errors
    noise: float = 0.0          # share of training labels expected wrong: > 0 is the noise mode

    def __post_init__(self) -> None:
        check_fields(self)
        if not 0 <= self.seed < 2 ** 32:
            raise UsageError(f"--seed must be between 0 and {2 ** 32 - 1}, got {self.seed}")
        if self.epochs > MAX_EPOCHS:
            raise UsageError(f"--epochs must be at most {MAX_EPOCHS}, got {self.epochs}")
        if self.min_support is not None and not 1 <= self.min_support <= 10 ** 12:
            raise UsageError(f"--min-support must be at least 1, got {self.min_support}")
        if not 100 <= self.max_examples <= 10 ** 9:
            raise UsageError(f"--max-examples must be between 100 and 1000000000, got {self.max_examples}")
        if not (0 < self.lr <= 10 and 0 <= self.sparsity <= 100 and 0 < self.threshold < 1):
            raise UsageError(f"lr must be in (0, 10], sparsity in [0, 100], threshold in (0, 1); got {self.lr}, "
                             f"{self.sparsity}, {self.threshold}")
        if not (1 <= self.max_candidates <= 100_000 and 1 <= self.max_negatives <= 10 ** 9 and self.steps <= 1000):
            raise UsageError("max_candidates must be in [1, 100000], max_negatives in [1, 1e9], steps at most 1000")
        if not 1 <= self.max_body <= 6:
            raise UsageError(f"--max-body must be between 1 and 6, got {self.max_body}")
        if self.max_vars is not None and not 1 <= self.max_vars <= 10:
            raise UsageError(f"--max-vars must be between 1 and 10, got {self.max_vars}")
        if self.epochs < 1:
            raise UsageError(f"--epochs must be at least 1, got {self.epochs}")
        if self.tnorm not in {t.value for t in TNorm}:
            raise UsageError(f"--tnorm must be product, lukasiewicz or godel, got {self.tnorm!r}")
        if not 0 <= self.min_confidence <= 1:
            raise UsageError(f"min_confidence must be in [0, 1], got {self.min_confidence}")
        if self.recursion not in ("auto", "on", "off"):
            raise UsageError(f"--recursion must be auto, on or off, got {self.recursion!r}")
        if self.invention not in ("auto", "on", "off"):
            raise UsageError(f"--invention must be auto, on or off, got {self.invention!r}")
        if not 0 <= self.noise < 0.5:
            raise UsageError(f"--noise must be at least 0 and below 0.5, got {self.noise}")
        if self.steps < 1:
            raise UsageError(f"--steps must be at least 1, got {self.steps}")
        check_schema_name(self.schema)

    @classmethod
    def from_kwargs(cls, **kw: Any) -> MineOptions:
        names = {f.name for f in fields(cls)}
        bad = sorted(set(kw) - names)
        if bad:
            raise UsageError(f"unknown option(s) {', '.join(bad)}; known: {', '.join(sorted(names))}")
        for k in ("key", "background", "exclude"):
            if isinstance(kw.get(k), str):
                kw[k] = tuple(s.strip() for s in kw[k].split(",") if s.strip())
            elif isinstance(kw.get(k), (list, tuple, set, frozenset)):
                kw[k] = tuple(kw[k])
        return cls(**kw)


MAX_EPOCHS = 100_000
def _keys_for(target_spec: str, key: tuple[str, ...] | None) -> dict[str, tuple[str, ...]]:
    if not key:
        return {}
    table = target_spec.partition("=")[0].rpartition(".")[0] or target_spec
    return {table: key}


def _check_tables(cat: Catalog, names: Sequence[str] | None, what: str) -> None:
    for n in names or ():
        if n not in cat.tables:
            raise UsageError(f"{what} names unknown table {n!r} (tables: {', '.join(sorted(cat.tables))})")


def mine(db: DatabaseLike, target: str, reporter: Reporter | None = None, **options: Any) -> MineResult:
    """Learn rules explaining ``target`` from the rest of ``db``; store them unless ``dry_run``.

    ``db``: DuckDB path, ``.sql`` script, folder of parquet/csv, open connection or
    dict of DataFrames. Options: see :class:`MineOptions`.
    """
    need_str("target", target)
    if reporter is not None and not all(callable(getattr(reporter, m, None)) for m in ("start", "done", "note")):
        raise UsageError(f"reporter must be None or have start, done and note methods "
                         f"(ruledisc.progress.Reporter), got {reporter!r}")
    opts = MineOptions.from_kwargs(**options)
    ph = Phases(reporter)
    src = open_source(db)
    try:
        if not opts.dry_run:
            src.check_writable()   # before the work, not after it
            check_schema_usable(src.engine, opts.schema)
        return _mine(src, target, opts, ph)
    finally:
        src.close()


def _mine(src: Source, target_spec: str, opts: MineOptions, ph: Phases) -> MineResult:
    eng = src.engine
    with ph.phase("introspect"), eng.in_phase("introspect"):
        cat = introspect(eng, _keys_for(target_spec, opts.key))
        _check_tables(cat, opts.background, "--background")
        _check_tables(cat, opts.exclude, "--exclude")
        if opts.negatives:
            cat.table(opts.negatives)
        target = parse_target(target_spec, cat, opts.key, opts.negatives)
        examples = materialise_examples(eng, target, cat)
        examples["learn"] = learning_sample(eng, target, examples, opts.max_examples, opts.seed) \
            if examples["positives"] + examples["negatives"] > opts.max_examples else dict(examples)
        if opts.noise > 0:
            examples["labels"] = label_universe(eng, target, cat, examples["positives"] + examples["negatives"])
    flat = _learn(eng, cat, target, examples, opts, ph, recursive=False)
    best = flat
    lam = _literal_cost(opts)
    if opts.recursion != "off" and target.kind == TABLE and (opts.recursion == "on" or _short(flat, opts, examples)
                                                             or _sprawling(flat, opts)):
        ph.note("trying recursive rules")
        rec = _learn(eng, cat, target, examples, opts, ph, recursive=True)
        if rec.cost(lam) < flat.cost(lam) or (opts.recursion == "on" and rec.cost(lam) == flat.cost(lam)) or \
                (rec.cost(lam) == flat.cost(lam) and rec.size < flat.size):
            best = rec
    invs: list[Invention] = []
    if opts.invention != "off" and (opts.invention == "on" or _short(best, opts, examples)):
        ph.note("trying invented predicates")
        with ph.phase("invention"), eng.in_phase("invention"):
            invs = invent(eng, cat, target, _bias(opts, False), ph.note)
        if invs:
            rec_ok = opts.recursion != "off" and target.kind == TABLE
            inv = _learn(eng, cat, target, examples, opts, ph, recursive=rec_ok,
                         invented=frozenset(i.name for i in invs))
            inv.inventions = used([r.rule for r in inv.rules], invs)
            if inv.cost(lam) < best.cost(lam) or (opts.invention == "on" and inv.cost(lam) == best.cost(lam)):
                best = inv
    invented = _name_inventions(cat, target, opts, best) if best.inventions else []
    discard(eng, cat, invs)
    learned, prog = best.rules, best.program
    metrics = {"precision": prog.precision, "recall": prog.recall, "f1": prog.f1,
               **_baseline(prog, examples, target)}
    run_id = uuid.uuid4().hex[:12]
    columns = list(zip(target.head_columns, target.head_types))
    aux_names = {i.name for i in invented}
    preds = predicate_signatures(cat, [r.rule for r in learned] + [r for i in invented for r in i.rules], aux_names)
    views: list[str] = []
    if not opts.dry_run:
        with ph.phase("writeback"):
            writer = src.writer()
            stored = [StoredRule(r.rule, r.weight, r.support, r.confidence, r.head_coverage, r.precision,
                                 r.recall, r.pca_confidence) for r in learned]
            aux = [RuleGroup(i.name, i.columns, [StoredRule(r) for r in i.rules], preds) for i in invented]
            views = write_rules(writer, cat, opts.schema, target.name, columns, stored, run_id, preds, aux)
    ph.total()
    info = {"examples": examples, "heads": best.heads, "candidates": best.n_candidates, "search": best.levels,
            "groundings": best.n_groundings, "device": best.device, "recursive": best.recursive,
            "invented": len(invented), "training_errors": best.errors,
            "persisted": src.kind in ("duckdb", "connection")}
    return MineResult(target.name, target.head_atom().text(), target.head_json(), learned, metrics, views,
                      ph.timings, preds, run_id, info, invented)


def _baseline(prog: Counts, examples: dict[str, Any], target: Target) -> dict[str, float]:
    """What a program that learned nothing scores, for explicit labels (column targets,
    ``--negatives``): ``baseline_f1`` of calling every labelled row positive and the majority
    class's ``baseline_accuracy`` beside the program's ``accuracy``, so a user sees whether
    anything was learned."""
    p, n = examples["positives"], examples["negatives"]
    if target.closed_world or not p + n:   # the closed world's negatives are not counted up front
        return {}
    return {"baseline_f1": 2 * p / (2 * p + n) if p else 0.0, "accuracy": (prog.support + n - prog.negative) / (p + n),
            "baseline_accuracy": max(p, n) / (p + n)}


def _name_inventions(cat: Catalog, target: Target, opts: MineOptions, best: _Pass) -> list[InventedPredicate]:
    """Rename the inventions ``best`` uses to ``<target>__invK``, read from their views
    in the output schema; rewrite the rules and their SQL accordingly."""
    names = names_for(target.name, best.inventions)
    out = []
    for inv in best.inventions:
        old = cat.predicate(inv.name)
        register(cat, names[inv.name], old.columns, old.types, opts.schema)
    for inv in best.inventions:
        name, old = names[inv.name], cat.predicate(inv.name)
        rules = renamed(inv, names)
        sql = program_query(rules, cat, old.columns, old.types).sql("duckdb")
        out.append(InventedPredicate(name, list(zip(old.columns, old.types)), rules, sql, inv.rows))
    view = reading({target.name}, Relation(view_table(opts.schema, target.name), target.head_columns)) \
        if best.recursive else None
    best.rules = [replace(lr, rule=(r := rename_preds(lr.rule, names)),
                          sql=view_select(r, cat, target.head_columns, view).sql("duckdb")) for lr in best.rules]
    return out


@dataclass
class _Pass:
    """One search-ground-learn-score pass (flat or recursive)."""

    rules: list[LearnedRule]
    program: Counts
    heads: dict[str, int]
    n_candidates: int
    levels: list[dict[str, int]]
    n_groundings: int
    device: str
    recursive: bool
    inventions: list[Invention] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.program.negative + (self.program.positives - self.program.support)

    @property
    def size(self) -> int:
        """Body literals of the program, invented predicates included."""
        return sum(len(r.rule.body) for r in self.rules) + sum(len(r.body) for i in self.inventions for r in i.rules)

    def cost(self, literal_cost: float) -> float:
        """Training errors plus, in noise mode, the program's size (MDL)."""
        return self.errors + literal_cost * self.size


NOISE_SLACK = 1.5   # noise mode: errors up to this times the expected mislabelled examples are noise
LITERAL_COST = 0.5  # noise mode: training labels a body literal must explain (a 2-literal rule fitting
                    # one mislabelled atom does not pay; a 3-literal rule explaining 2 does)


def _literal_cost(opts: MineOptions) -> float:
    """Noise mode's price of a body literal, in training errors (0: any error counts)."""
    return LITERAL_COST if opts.noise > 0 else 0.0


SPRAWL = 3   # a flat program of more rules than this may be a recursive one written out


def _sprawling(p: _Pass, opts: MineOptions) -> bool:
    """A flat program that fits with many long rules (``edge`` chains of every shape
    for connectedness): a recursive program with as few errors and fewer literals is
    preferred, so it is worth a try. The noise mode's literal price keeps flat
    programs shorter, so there three rules already count."""
    noisy = opts.noise > 0
    return len(p.rules) + noisy > SPRAWL and p.size + noisy > 2 * SPRAWL


def _short(p: _Pass, opts: MineOptions, examples: dict[str, int]) -> bool:
    """Whether a richer language (recursion, invention) is worth a try: the program
    leaves training errors, more than the noise mode expects from mislabelling
    (the rate times the training labels: under the closed world, every atom over
    the head's domains). Trying recursion and invention on every noisy run costs
    a minute or two on a tiny world."""
    if opts.noise == 0:
        return p.errors > 0
    return p.errors > NOISE_SLACK * opts.noise * examples.get("labels", 0)


def _bias(opts: MineOptions, recursive: bool, invented: frozenset[str] = frozenset()) -> Bias:
    return Bias(max_body=opts.max_body, max_vars=opts.max_vars, min_support=opts.min_support,
                min_confidence=opts.min_confidence, max_candidates=opts.max_candidates,
                include=frozenset(opts.background) if opts.background is not None else None,
                exclude=frozenset(opts.exclude), recursive=recursive, invented=invented)


def _learn(eng: Engine, cat: Catalog, target: Target, examples: dict[str, int], opts: MineOptions,
           ph: Phases, recursive: bool, invented: frozenset[str] = frozenset()) -> _Pass:
    bias = _bias(opts, recursive, invented)
    if invented and bias.include is not None:
        bias = replace(bias, include=bias.include | invented)
    with ph.phase("candidates"), eng.in_phase("candidates"):
        cands, stats = search(eng, cat, target, bias, examples["learn"]["positives"], ph.note)
    cfg = LearnerConfig(tnorm=TNorm(opts.tnorm), epochs=opts.epochs, lr=opts.lr, sparsity=opts.sparsity,
                        threshold=opts.threshold, seed=opts.seed, device=opts.device,
                        literal_cost=_literal_cost(opts), noise=opts.noise,
                        noise_errors=opts.noise * examples.get("labels", 0))
    lengths = np.array([c.length for c in cands], dtype=np.float64)
    confidence = np.array([c.confidence for c in cands], dtype=np.float64)
    progress = lambda i, n: ph.note(f"grounding {i}/{n} clauses")
    if recursive and any(c.recursive for c in cands):
        with ph.phase("grounding"), eng.in_phase("grounding"):
            heads = build_universe(eng, cat, target, cands, opts.max_negatives, opts.seed)
            cg = ground_program(eng, cat, target, cands, progress)
        with ph.phase("learning"):
            fitres = fit_chain(cg, lengths, confidence, cfg, opts.steps, rules=[c.rule for c in cands])
        n_groundings = int(cg.clause.shape[0])
    else:
        with ph.phase("grounding"), eng.in_phase("grounding"):
            heads = build_heads(eng, cat, target, cands, opts.max_negatives, opts.seed)
            g = ground(eng, cat, target, cands, progress)
        with ph.phase("learning"):
            fitres = fit(g, lengths, confidence, cfg)
        n_groundings = int(g.clause.shape[0])
    with ph.phase("scoring"), eng.in_phase("scoring"):
        chosen = fitres.program
        rules = [with_thresholds(cands[i].rule, fitres.thresholds.get(i, {}), cat) for i in chosen]
        idb = derived_facts(eng, cat, target, rules)
        counts = rule_counts(eng, cat, target, rules, idb)
        order = sorted(range(len(rules)), key=lambda k: (-fitres.weights[chosen[k]], -counts[k].support,
                                                          rules[k].text()))
        # a recursive rule's SQL reads the target from the union view it is stored beside
        view = reading({target.name}, Relation(view_table(opts.schema, target.name), target.head_columns)) \
            if idb is not None else None
        learned = [_learned(rules[k], float(fitres.weights[chosen[k]]), counts[k], cat, target, view)
                   for k in order]
        prog = program_counts(eng, cat, target, [r.rule for r in learned])
    return _Pass(learned, prog, heads, len(cands), stats.levels, n_groundings, fitres.device,
                 is_recursive(rules))


def _learned(rule: Rule, weight: float, c: Counts, cat: Catalog, target: Target,
             idb: IdbSources | None = None) -> LearnedRule:
    sql = view_select(rule, cat, target.head_columns, idb).sql("duckdb")
    return LearnedRule(rule, sql, weight, c.support, c.confidence, c.recall, c.precision, c.recall, c.pca_confidence)


def apply(rules: str | Path | MineResult, db: DatabaseLike, schema: str = "ruledisc",
          reporter: Reporter | None = None) -> list[str]:
    """Compile rules (a rules file, or a :class:`MineResult`) into views in ``db``
    (a new DuckDB path is created); returns the views' names. :func:`score`
    returns the predicted rows instead, writing nothing."""
    check_schema_name(schema)
    sets = rule_sets(need_rules(rules))
    path = Path(db) if isinstance(db, (str, Path)) else None
    existed = path.exists() if path is not None else True
    ph = Phases(reporter)
    src = open_source(db, create=True)
    ok = False
    try:
        if src.kind in ("script", "folder", "frames"):
            what = {"script": "a .sql script", "folder": "a folder of files", "frames": "a dict of frames"}[src.kind]
            raise UsageError(f"{db if src.kind != 'frames' else 'db'} is {what}, loaded into a temporary database: "
                             "views applied there would be lost; give a DuckDB file (created if missing) or, "
                             "to score rows without writing, use `ruledisc eval` / ruledisc.score")
        check_schema_usable(src.engine, schema)
        with ph.phase("apply"):
            eng = src.engine
            cat = introspect(eng)
            tables_only = any(s.tables_only for s in sets)
            groups = _groups(sets, cat, schema, tables_only)
            views = write_groups(eng, cat, schema, groups, uuid.uuid4().hex[:12], tables_only=tables_only)
        ok = True
        return views
    finally:
        src.close()
        if not ok and path is not None and not existed and path.exists():
            path.unlink()  # a failed apply to a new path leaves nothing behind
            Path(str(path) + ".wal").unlink(missing_ok=True)


def score(rules: str | Path | MineResult, db: DatabaseLike, target: str | None = None) -> pl.DataFrame:
    """Score the rows of ``db`` (new, unlabelled data: only the tables the rule bodies
    read are needed) with ``rules`` (a rules file or a :class:`MineResult`); writes nothing.

    Returns a polars DataFrame with the head's columns (a column target: its key)
    and ``score``, the noisy-or of the confidences of the rules that fire, one row
    per predicted fact. ``target`` picks a rule set when a ``.dl`` file holds several.
    """
    need_str("target", target, optional=True)
    sets = rule_sets(need_rules(rules))
    name = target or (rules.target if isinstance(rules, MineResult) else sets[-1].target)
    if name not in {s.target for s in sets}:
        raise UsageError(f"no rules for {name!r}; the rules are for {', '.join(sorted({s.target for s in sets}))}")
    for rs in sets:
        check_rules(rs)
    src = open_source(db)
    try:
        eng = src.engine
        cat = introspect(eng)
        rs = _prepare_program(eng, cat, sets, name)
        return eng.polars(program_scores(cat, head_columns(rs, cat), rs.rules))
    finally:
        src.close()


def _groups(sets: Sequence[RuleSet], cat: Catalog, schema: str, tables_only: bool = False) -> list[RuleGroup]:
    """Rule sets in dependency order, as groups to write; a set read by another is a
    derived predicate of it (an invented predicate, a helper rule of a ``.dl`` file),
    unless ``tables_only`` (a graph's rules: every body atom reads its table)."""
    by_name: dict[str, RuleSet] = {}
    for rs in sets:
        check_rules(rs)
        register_predicates(cat, rs.predicates)
        if rs.target in by_name:
            by_name[rs.target].rules.extend(rs.rules)
        else:
            by_name[rs.target] = rs
    if not tables_only:
        by_name = _stored_names(by_name)
    order = list(by_name) if tables_only else dependency_order({n: [r.rule for r in rs.rules]
                                                                for n, rs in by_name.items()})
    derived = set(by_name)
    groups = []
    for n in order:
        rs = by_name[n]
        cols = head_columns(rs, cat)
        if not tables_only and any(n in reads([r.rule for r in o.rules]) for m, o in by_name.items() if m != n):
            register(cat, n, [c for c, _ in cols], [t for _, t in cols], schema)
        preds = predicate_signatures(cat, [r.rule for r in rs.rules], set() if tables_only else derived) \
            if rs.rules else {}
        groups.append(RuleGroup(stored_name(n) if tables_only else n, cols, rs.rules, preds))
    return groups


def _stored_names(sets: dict[str, RuleSet]) -> dict[str, RuleSet]:
    """Rule sets keyed by their stored names (:func:`ruledisc.names.stored_name`), heads
    and the bodies that read them renamed alike."""
    ren = {n: stored_name(n) for n in sets if stored_name(n) != n}
    if not ren:
        return sets
    return {ren.get(n, n): replace(rs, target=ren.get(n, n), rules=[replace(r, rule=rename_preds(r.rule, ren))
                                                                     for r in rs.rules])
            for n, rs in sets.items()}


def _stored_rulesets(src: Source, schema: str, target: str, legacy: str | None = None) -> list[RuleSet]:
    """The stored rules of ``target`` and of its invented predicates (a store of an older
    version not yet migrated: those of ``legacy``, its name there)."""
    eng = src.engine
    tab = exp.table_("rules", db=schema, quoted=True)
    try:
        stored = [r[0] for r in eng.rows(exp.select("target").distinct().from_(tab))]
    except DataError as err:
        raise SourceError(f"no stored rules in schema {schema!r}; run `ruledisc mine` first or pass --rules") \
            from err
    legacy_rows = stored
    if _has_column(eng, schema, "rules", "name_scheme"):
        legacy_rows = [r[0] for r in eng.rows(exp.select("target").distinct().from_(tab.copy())
                                              .where(exp.column("name_scheme").is_(exp.null())))]
    names = [t for t in stored if owns(target, t) and t not in legacy_rows]
    if not names and legacy is not None:
        names = [t for t in legacy_rows
                 if legacy_owns(legacy, t) and (t == legacy or t[len(legacy):].startswith("__inv"))]
    if not names:
        raise DataError(f"no stored rules for target {target!r} in schema {schema!r}; run `ruledisc mine "
                        f"DB --target ...` first or pass --rules (stored: {', '.join(sorted(stored)) or 'none'})")
    q = (exp.select("target", "rule_text", "head_columns", "predicates", "weight", "confidence")
         .from_(tab.copy()).where(exp.column("target").isin(*[exp.Literal.string(n) for n in names]))
         .order_by("target", "rule_no"))
    from .parse import parse_rule
    main = legacy if target not in names else target
    sets: dict[str, RuleSet] = {target: RuleSet(target, [])}
    for name, text, cols, preds, weight, confidence in eng.rows(q):
        rs = sets.setdefault(target if name == main else name, RuleSet(target if name == main else name, []))
        rs.columns = [(c["name"], c["type"]) for c in json.loads(cols)]
        rs.predicates = json.loads(preds)
        rs.rules.append(StoredRule(parse_rule(text), weight, confidence=confidence))
    return list(sets.values())


def _prepare_program(eng: Engine, cat: Catalog, sets: Sequence[RuleSet], target: str) -> RuleSet:
    """The target's rule set; the derived predicates it reads become TEMP tables."""
    by_name = {rs.target: rs for rs in sets}
    main = by_name[target]
    register_predicates(cat, main.predicates)
    programs = {n: [r.rule for r in rs.rules] for n, rs in by_name.items()}
    needed: set[str] = set()
    todo = [target]
    while todo:
        for dep in reads(programs[todo.pop()]) & set(programs):
            if dep not in needed and dep != target:
                needed.add(dep)
                todo.append(dep)
    for n in dependency_order({n: programs[n] for n in needed}):
        rs = by_name[n]
        register_predicates(cat, rs.predicates)
        materialise(eng, cat, n, programs[n], [t for _, t in head_columns(rs, cat)])
    return main


def target_program(src: Source, cat: Catalog, target: str, rules: str | Path | MineResult | None,
                   schema: str, legacy: str | None = None) -> RuleSet:
    """The rules of ``target`` (given, or stored in ``schema``), with the derived
    predicates they read materialised as TEMP tables."""
    if rules is not None:
        sets = rule_sets(rules)
        if not any(s.target == target for s in sets):
            where = "the mining result" if isinstance(rules, MineResult) else f"rules file {rules}"
            raise UsageError(f"{where} has no rules for target {target!r}")
    else:
        sets = _stored_rulesets(src, schema, target, legacy)
    return _prepare_program(src.engine, cat, sets, target)


def evaluate(db: DatabaseLike, target: str, rules: str | Path | None = None, schema: str = "ruledisc",
             key: tuple[str, ...] | str | None = None, negatives: str | None = None) -> dict[str, Any]:
    """Precision, recall and F1 of rules (a file, or the stored ones) on ``db``'s labels."""
    need_str("target", target)
    check_schema_name(schema)
    key = need_names("key", key)
    if rules is not None:
        need_rules(rules)
    need_str("negatives", negatives, optional=True)
    src = open_source(db)
    try:
        eng = src.engine
        cat = introspect(eng, _keys_for(target, key))
        tgt = parse_target(target, cat, key, negatives)
        rs = target_program(src, cat, tgt.name, rules, schema, tgt.legacy_name)
        materialise_examples(eng, tgt, cat)
        rule_list = [r.rule for r in rs.rules]
        prog = program_counts(eng, cat, tgt, rule_list)
        per_rule = rule_counts(eng, cat, tgt, rule_list)
    finally:
        src.close()
    return {"target": tgt.name, "rules": len(rule_list),
            "precision": prog.precision, "recall": prog.recall, "f1": prog.f1,
            "true_positives": prog.support, "false_positives": prog.negative,
            "false_negatives": prog.positives - prog.support,
            "per_rule": [{"text": r.text(), "support": c.support, "precision": c.precision, "recall": c.recall}
                         for r, c in zip(rule_list, per_rule)]}


def _has_column(eng: Engine, schema: str, table: str, column: str) -> bool:
    q = exp.select("count(*)").from_("information_schema.columns").where(exp.and_(
        exp.EQ(this=exp.column("table_schema"), expression=exp.Literal.string(schema)),
        exp.EQ(this=exp.column("table_name"), expression=exp.Literal.string(table)),
        exp.EQ(this=exp.column("column_name"), expression=exp.Literal.string(column))))
    return bool(eng.scalar(q))


def stored_rules(db: DatabaseLike, target: str | None = None, schema: str = "ruledisc"):
    """The ``<schema>.rules`` table (optionally one target) as a polars DataFrame."""
    check_schema_name(schema)
    need_str("target", target, optional=True)
    src = open_source(db)
    try:
        q = exp.select("target", "rule_no", "rule_text", "weight", "support", "confidence", "head_coverage",
                       "precision", "recall", "run_id", "created_at") \
            .from_(exp.table_("rules", db=schema, quoted=True)).order_by("target", "rule_no")
        if target:
            now, old = spellings(target)
            match = exp.column("target").isin(*[exp.Literal.string(n) for n in now])
            if _has_column(src.engine, schema, "rules", "name_scheme"):
                old_rows = exp.and_(exp.column("name_scheme").is_(exp.null()),
                                    exp.column("target").isin(*[exp.Literal.string(n) for n in old]))
                match = exp.and_(exp.column("name_scheme").is_(exp.null()).not_(), match)
            else:   # a store no version with stored-name schemes has written to
                old_rows = exp.column("target").isin(*[exp.Literal.string(n) for n in old])
            q = q.where(exp.or_(match, old_rows))
        try:
            return src.engine.polars(q)
        except DataError as err:
            raise SourceError(f"no stored rules in schema {schema!r} of {db}; run `ruledisc mine` first") \
                from err
    finally:
        src.close()
