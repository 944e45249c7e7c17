"""Language bias and candidate clauses.

Clauses grow one literal at a time from the target's head (AMIE-style
refinement): every clause stays connected, variables are typed by domain, and
a refinement is kept only if enough positives still satisfy its body — counted
in SQL, many clauses per query. Complete (range-restricted) clauses also get
their negative count and a fingerprint of the heads they derive, so clauses
that derive the same labelled heads are merged, keeping the shortest.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

from sqlglot import exp

from . import conjoin
from .compile import add_join, body_joined, compile_body, head_select, union_all
from .constants import PENDING as VALUE_PENDING
from .constants import choose
from .engine import Engine
from .introspect import ATTRIBUTE, RELATION, Catalog, Predicate
from .rule import Atom, Comparison, Const, Rule, Var, var_name
from .target import LEARN, TABLE, Target
from .thresholds import OPS, PENDING, place, value_kind

BATCH = 32             # most clauses per counting query
BATCH_ROWS = 1_500_000  # clauses per query x rows of the largest body table, at most
SMALL_TABLE = 100       # a literal over a table this small may join the head alone (``zero(Y)``)
_VALUE = Var("_T")      # the compared value of a threshold literal ``t.col(K, V), V > θ``


@dataclass(frozen=True)
class Bias:
    """Which clauses may be candidates.

    max_body: body literals; max_vars: distinct variables (default head arity + 2);
    min_support: positives a body must reach (default 1% of positives, at least 1);
    min_confidence: a complete clause below it is never sent to the learner (AMIE's 0.1);
    beam: clauses kept per refinement level; max_candidates: clauses sent to the learner.
    """

    max_body: int = 3
    max_vars: int | None = None
    min_support: int | None = None
    min_confidence: float = 0.1
    allow_neq: bool = True
    thresholds: bool = True   # numeric and date attributes give ``t.col(K, V), V > θ`` / ``V <= θ``
    beam: int = 3000
    max_candidates: int = 400
    include: frozenset[str] | None = None   # only these tables, if given
    exclude: frozenset[str] = frozenset()
    recursive: bool = False   # the body may use the target (read from its table while counting)
    invented: frozenset[str] = frozenset()  # invented predicates: one per body, may repeat a variable
    conjunctions: bool = True  # combine complete clauses pairwise by their covers (see conjoin.py)
    exhaustive: bool = False   # search every level even once one clause is exact (see ``_exact``)


@dataclass
class Candidate:
    """A complete clause with its training counts (exact, from SQL)."""

    rule: Rule
    pos: int
    neg: int
    fingerprint: int = 0

    @property
    def confidence(self) -> float:
        return self.pos / max(1, self.pos + self.neg)

    @property
    def length(self) -> int:
        return len(self.rule.body)

    @property
    def recursive(self) -> bool:
        return any(isinstance(lit, Atom) and lit.pred == self.rule.head.pred for lit in self.rule.body)


@dataclass
class SearchStats:
    levels: list[dict[str, int]] = field(default_factory=list)
    conjunctions: int = 0   # clauses found by conjoining complete clauses


def body_predicates(cat: Catalog, target: Target, bias: Bias) -> list[Predicate]:
    """Predicates the body may use: relations of keyless (or key-only) tables and
    attributes of keyed tables, minus the target and anything excluded."""
    out = []
    skip = target.excluded(cat)
    if bias.recursive and target.kind == TABLE:
        skip -= {target.table}
    for p in sorted(cat.predicates.values(), key=lambda p: p.name):
        table = cat.tables[p.table]
        if p.name in skip or p.table in bias.exclude or (bias.include is not None and p.table not in bias.include):
            continue
        if p.kind == RELATION and table.key and len(table.key) < len(table.columns):
            continue  # keyed tables are read through their attribute predicates
        if p.kind == ATTRIBUTE and p.table == target.table and target.column is None:
            continue
        out.append(p)
    return out


class Refiner:
    """Generates one-literal refinements of a clause under the bias."""

    def __init__(self, cat: Catalog, target: Target, bias: Bias):
        self.cat, self.target, self.bias = cat, target, bias
        self.preds = body_predicates(cat, target, bias)
        self.max_vars = bias.max_vars or target.arity + 2
        self.head_domains = {var_name(i): d for i, d in enumerate(target.domains)}
        # one branch per clause: other branches are conjoined by their covers (conjoin.py)
        self.one_branch = bias.conjunctions and target.arity == 1 and conjoin.applies(target) \
            and not bias.recursive and not bias.invented

    def domains(self, rule: Rule) -> dict[str, str | None]:
        out = dict(self.head_domains)
        for lit in rule.body:
            if isinstance(lit, Atom):
                p = self.cat.predicates[lit.pred]
                for a, c in zip(lit.args, p.columns):
                    if isinstance(a, Var):
                        out.setdefault(a.name, self.cat.domain(p.table, c))
        return out

    def _arg_options(self, p: Predicate, j: int, doms: dict[str, str | None], fresh: str | None) -> list:
        column = p.columns[j]
        d = self.cat.domain(p.table, column)
        if d is None:
            if p.kind == ATTRIBUTE and j == p.arity - 1:
                # categorical: the values are chosen by support once the clause is counted
                out: list = [VALUE_PENDING] if (p.table, column) in self.cat.constants else []
                if self.bias.thresholds and value_kind(self.cat, p.table, column) is not None:
                    out.append(_VALUE)
                return out
            return []
        opts: list = [Var(v) for v, dv in doms.items() if dv == d]
        if fresh is not None:
            opts.append(Var(fresh))
        return opts

    def refine(self, rule: Rule) -> Iterable[Rule]:
        doms = self.domains(rule)
        body_vars = rule.body_vars()
        # The body stays one connected join: a literal joining only the head would
        # make the body a cross product of parts (``mother(X,Y) :- female(X), female(Y)``
        # derives |female|^2 heads). Every connected body is still reached, one
        # connected prefix at a time, and prefixes only have more support.
        anchor = body_vars or set(doms)
        head = set(rule.head_vars())
        # once the head is bound, a literal reached from the head alone may only test it
        no_branch = self.one_branch and head <= body_vars
        existing = set(rule.body)
        compared = {lit.left.name for lit in rule.body if isinstance(lit, Comparison) and isinstance(lit.right, Const)}
        n_vars = len(set(doms) - compared)   # a threshold's value variable is local to its comparison
        has_invented = any(isinstance(lit, Atom) and lit.pred in self.bias.invented for lit in rule.body)
        for p in self.preds:
            if has_invented and p.name in self.bias.invented:
                continue  # one invented predicate per clause, as in ∂ILP's templates
            # fresh variables are named by position so one literal can add several
            fresh_names = [f"_N{j}" for j in range(p.arity)]
            options = []
            for j in range(p.arity):
                fresh = fresh_names[j] if n_vars < self.max_vars else None
                options.append(self._arg_options(p, j, doms, fresh))
            small = self.cat.rows.get(p.table, SMALL_TABLE + 1) <= SMALL_TABLE
            for args in itertools.product(*options):
                new = {a.name for a in args if isinstance(a, Var) and a.name not in doms and a != _VALUE}
                if not any(isinstance(a, Var) and a.name in anchor for a in args) and not (
                        small and not new and any(isinstance(a, Var) for a in args)):
                    # must connect to the body; only a tiny table's literal over known variables
                    # may test the head alone (``zero(Y)``): ``edge(W, Y), edge(X, Z)`` is two
                    # unrelated conditions, not a join
                    continue
                if n_vars + len(new) > self.max_vars:
                    continue
                if no_branch and new and not any(isinstance(a, Var) and a.name in body_vars - head for a in args):
                    continue
                if p.kind == RELATION and p.name not in self.bias.invented and \
                        len({a for a in args if isinstance(a, Var)}) < sum(isinstance(a, Var) for a in args):
                    continue  # repeated variable inside one relation atom: skip (X, X)
                atom = Atom(p.name, tuple(args))
                if atom in existing or atom == rule.head:
                    continue
                if p.kind == RELATION and self._same_row(p, atom, rule, doms):
                    continue  # a unique column names one row: the literal only renames its other columns
                if p.kind == ATTRIBUTE and any(
                        isinstance(lit, Atom) and lit.pred == p.name and lit.args[:-1] == atom.args[:-1]
                        for lit in rule.body):
                    continue  # attributes are functional: a second value is redundant or false
                if args[-1] == _VALUE:
                    child = Rule(rule.head, rule.body + (atom,))
                    if child.is_range_restricted():   # thresholds are placed on complete clauses
                        for op in OPS:
                            yield Rule(rule.head, child.body + (Comparison(op, _VALUE, PENDING),))
                    continue
                yield Rule(rule.head, rule.body + (atom,))
        if self.bias.allow_neq:
            bound = sorted(body_vars)
            for a, b in itertools.combinations(bound, 2):
                if doms.get(a) is not None and doms.get(a) == doms.get(b):
                    c = Comparison("!=", Var(a), Var(b)).normal()
                    if c not in existing:
                        yield Rule(rule.head, rule.body + (c,))

    def _same_row(self, p: Predicate, atom: Atom, rule: Rule, doms: dict[str, str | None]) -> bool:
        """``has_car(W, Y)`` beside ``has_car(X, Y)`` when a car is in one train: W is X."""
        for lit in rule.body:
            if not isinstance(lit, Atom) or lit.pred != p.name or len(lit.args) != len(atom.args):
                continue
            for j, c in enumerate(p.columns):
                if (p.table, c) in self.cat.unique and isinstance(atom.args[j], Var) and atom.args[j] == lit.args[j] \
                        and all(isinstance(a, Var) and a.name not in doms
                                for k, a in enumerate(atom.args) if k != j):
                    return True
        return False

    def completable(self, rule: Rule, slots_left: int) -> bool:
        unbound = set(rule.head_vars()) - rule.body_vars()
        max_arity = max((p.arity for p in self.preds), default=1)
        return len(unbound) <= slots_left * max_arity


MAX_RECURSIVE_ATOMS = 2


def groundable(rule: Rule) -> bool:
    """A recursive clause the learner can ground compactly: at most two target atoms,
    none with a variable used nowhere else (``lt(W, Z)`` with Z free would ground
    once per Z; the same test on other atoms is a DISTINCT in SQL)."""
    uses: dict[str, int] = {}
    for a in rule.head.args + tuple(x for lit in rule.body if isinstance(lit, Atom) for x in lit.args):
        if isinstance(a, Var):
            uses[a.name] = uses.get(a.name, 0) + 1
    for lit in rule.body:
        if isinstance(lit, Comparison):
            for v in lit.vars():
                uses[v.name] = uses.get(v.name, 0) + 1
    rec = [lit for lit in rule.body if isinstance(lit, Atom) and lit.pred == rule.head.pred]
    return len(rec) <= MAX_RECURSIVE_ATOMS and all(
        uses[a.name] > 1 for lit in rec for a in lit.args if isinstance(a, Var))


def _as(e: exp.Expr, name: str) -> exp.Alias:
    return exp.Alias(this=e, alias=exp.to_identifier(name))


def _num(v: int) -> exp.Literal:
    return exp.Literal.number(v)


def _count(where: exp.Expr | None = None) -> exp.Expr:
    c = exp.Count(this=exp.Star())
    return exp.Filter(this=c, expression=exp.Where(this=where)) if where is not None else c


def _examples() -> exp.Table:
    return exp.Table(this=exp.to_identifier(LEARN), alias=exp.TableAlias(this=exp.to_identifier("e")))


def _support_query(cid: int, rule: Rule, cat: Catalog, target: Target) -> exp.Select:
    """Positives reached by a (possibly incomplete) clause: ``SELECT cid, pos``."""
    body = compile_body(rule, cat)
    conds = [exp.EQ(this=body.bindings[v.name].copy(), expression=exp.column(f"c{i}", "e"))
             for i, v in enumerate(rule.head.args) if isinstance(v, Var) and v.name in body.bindings]
    sub = body.select.select(_num(1), copy=False)
    if conds:
        sub = sub.where(exp.and_(*conds, copy=False), copy=False)
    where = exp.and_(exp.EQ(this=exp.column("label", "e"), expression=_num(1)), exp.Exists(this=sub), copy=False)
    return exp.Select(expressions=[_as(_num(cid), "cid"), _as(_count(), "pos"), _as(_num(0), "neg"),
                                   _as(_num(0), "fp")],
                      from_=exp.From(this=_examples()), where=exp.Where(this=where))


def _labelled_query(cid: int, rule: Rule, cat: Catalog, target: Target) -> exp.Select:
    """:func:`_complete_query` for targets with explicit labels (no closed world):
    the body joins the labelled examples on the head's arguments, so the planner
    starts from the examples (a sample, on big tables) and every hash table and the
    DISTINCT are bounded by them, not by the tables the body reads."""
    n = target.arity
    body = body_joined(rule, cat, LEARN, "e")
    hit = body.select.select(*[exp.column(f"c{i}", "e") for i in range(n)], exp.column("label", "e"), copy=False) \
        .distinct(copy=False).subquery("h", copy=False)
    label = lambda: exp.column("label", "h")
    fp = exp.Anonymous(this="hash", expressions=[exp.column(f"c{i}", "h") for i in range(n)])
    fp_sum = exp.Coalesce(this=exp.Sum(this=exp.Mod(this=fp, expression=_num(conjoin.FP_MOD))), expressions=[_num(0)])
    return exp.Select(expressions=[_as(_num(cid), "cid"), _as(_count(exp.EQ(this=label(), expression=_num(1))), "pos"),
                                   _as(_count(exp.EQ(this=label(), expression=_num(0))), "neg"), _as(fp_sum, "fp")],
                      from_=exp.From(this=hit))


def _complete_query(cid: int, rule: Rule, cat: Catalog, target: Target) -> exp.Select:
    """Labelled heads a complete clause derives: ``SELECT cid, pos, neg, fp``."""
    n = target.arity
    if not target.closed_world and not any(isinstance(a, Const) for a in rule.head.args):
        return _labelled_query(cid, rule, cat, target)
    heads = head_select(rule, cat, n).subquery("h", copy=False)
    on = exp.and_(*[exp.EQ(this=exp.column(f"c{i}", "h"), expression=exp.column(f"c{i}", "e"))
                    for i in range(n)], copy=False)
    label = lambda: exp.column("label", "e")
    neg_cond = exp.or_(exp.EQ(this=label(), expression=_num(0)), exp.Is(this=label(), expression=exp.Null()),
                       copy=False) if target.closed_world else exp.EQ(this=label(), expression=_num(0))
    fp = exp.Anonymous(this="hash", expressions=[exp.column(f"c{i}", "h") for i in range(n)])
    fp_sum = exp.Coalesce(this=exp.Sum(this=exp.Mod(this=fp, expression=_num(conjoin.FP_MOD))), expressions=[_num(0)])
    q = exp.Select(expressions=[_as(_num(cid), "cid"), _as(_count(exp.EQ(this=label(), expression=_num(1))), "pos"),
                                _as(_count(neg_cond), "neg"), _as(fp_sum, "fp")],
                   from_=exp.From(this=heads))
    add_join(q, _examples(), on, "LEFT")
    if not target.closed_world:
        q.set("where", exp.Where(this=exp.Not(this=exp.Is(this=label(), expression=exp.Null()))))
    return q


def _clause_query(i: int, rules: Sequence[Rule], complete: Sequence[bool], cat: Catalog, target: Target) -> exp.Select:
    return (_complete_query if complete[i] else _support_query)(i, rules[i], cat, target)


def batch_size(cat: Catalog, preds: Sequence[Predicate], most: int = BATCH) -> int:
    """Clauses per UNION ALL query: fewer on big tables, since DuckDB runs the
    branches of one query side by side and each holds its own hash tables."""
    rows = max((cat.rows.get(p.table, 0) for p in preds), default=0)
    return max(1, min(most, BATCH_ROWS // max(1, rows)))


def rules_batch(cat: Catalog, rules: Sequence[Rule], most: int = BATCH) -> int:
    """:func:`batch_size` for queries over ``rules``, sized by their largest body table."""
    preds = {cat.predicates[lit.pred] for r in rules for lit in r.body
             if isinstance(lit, Atom) and lit.pred in cat.predicates}
    return batch_size(cat, sorted(preds, key=lambda p: p.name), most)


def _run_batches(eng: Engine, n: int, query: Callable[[int], exp.Select], batch: int
                 ) -> dict[int, tuple[int, int, int]]:
    """Run ``query(i)`` for i < n, ``batch`` per UNION ALL; trees are built one batch
    at a time (thousands of candidate trees at once cost hundreds of MB)."""
    out: dict[int, tuple[int, int, int]] = {}
    for i in range(0, n, batch):
        for cid, pos, neg, fp in eng.rows(union_all([query(k) for k in range(i, min(n, i + batch))])):
            out[int(cid)] = (int(pos), int(neg), int(fp))
    return out


def search(eng: Engine, cat: Catalog, target: Target, bias: Bias, n_pos: int,
           progress: Callable[[str], None] | None = None) -> tuple[list[Candidate], SearchStats]:
    """Level-wise refinement with SQL support pruning; returns deduplicated candidates."""
    ref = Refiner(cat, target, bias)
    min_sup = bias.min_support if bias.min_support is not None else max(1, math.ceil(0.01 * n_pos))
    head = target.head_atom()
    frontier = [Rule(head, ())]
    counted: dict[str, tuple[int, int, int]] = {}
    seen: set[str] = set()
    complete: dict[str, Candidate] = {}
    branches: dict[str, conjoin.Part] = {}   # complete clauses by their counts: what conjoin combines
    stats = SearchStats()
    for level in range(1, bias.max_body + 1):
        slots_left = bias.max_body - level
        fresh: dict[str, Rule] = {}
        parent_of: dict[str, tuple[int, int, int] | None] = {}
        for r in frontier:
            for child in ref.refine(r):
                if not ref.completable(child, slots_left):
                    continue
                canon = child.canonical()
                k = canon.text()
                if k not in seen:
                    seen.add(k)
                    fresh[k] = canon
                    # a literal over known variables that changes no count changes nothing
                    # later either; one that adds a variable may enable later literals
                    adds_var = bool(child.body_vars() - r.body_vars() - set(r.head_vars()))
                    parent_of[k] = None if adds_var else counted.get(r.text())
        # one clause may be reached with its value chosen at different places: keep it once
        chosen = {r.text(): r for r in choose(eng, cat, target, list(fresh.values()), min_sup)}
        rules = place(eng, cat, target, [r for k, r in chosen.items() if k not in seen or k in fresh])
        is_complete = [r.is_range_restricted() for r in rules]
        query = partial(_clause_query, rules=rules, complete=is_complete, cat=cat, target=target)
        # explicit labels: complete clauses are counted from the examples (bounded memory per branch)
        counts = _run_batches(eng, len(rules), query, BATCH if not target.closed_world and all(is_complete)
                              else batch_size(cat, ref.preds))
        counted = {}
        kept = []
        for i, r in enumerate(rules):
            pos, neg, fp = counts.get(i, (0, 0, 0))
            if pos < min_sup:
                continue
            if is_complete[i]:
                counted[r.text()] = (pos, neg, fp)
                if parent_of.get(r.text()) == (pos, neg, fp):
                    continue  # the new literal changed nothing: its refinements are the parent's
                cand = Candidate(r, pos, neg, fp)
                if ref.one_branch:
                    key = f"{pos}/{neg}/{fp}"
                    if key not in branches or len(r.body) < branches[key].length:
                        branches[key] = conjoin.part(r, pos, neg, fp)
                if cand.recursive and not groundable(r):
                    kept.append((pos, r))
                    continue
                if cand.confidence < bias.min_confidence:
                    kept.append((pos, r))
                    continue
                # a recursive clause's heads depend on the program: never merge it by its counts
                key = r.text() if cand.recursive else f"{pos}/{neg}/{fp}"
                old = complete.get(key)
                if old is None or (cand.length, r.text()) < (old.length, old.rule.text()):
                    complete[key] = cand
                if neg == 0:
                    continue  # exact on the training labels: specialising cannot help
            kept.append((pos, r))
        kept.sort(key=lambda t: (-t[0], t[1].text()))
        frontier = [r for _, r in kept[: bias.beam]]
        stats.levels.append({"level": level, "clauses": len(rules), "kept": len(kept),
                             "complete": sum(is_complete)})
        if progress:
            progress(f"level {level}: {len(rules)} clauses, {len(kept)} with support >= {min_sup}")
        if not frontier or _exact(complete.values(), n_pos, bias):
            break
    if ref.one_branch and bias.max_body > 1 and branches:
        found = conjoin.conjoin(eng, cat, target, list(branches.values()), bias.max_body, ref.max_vars, min_sup,
                                bias.min_confidence, bias.max_candidates)
        for p in found:
            key = f"{p.pos}/{p.neg}/{p.fp}"
            old = complete.get(key)
            if old is None or (p.length, p.rule.text()) < (old.length, old.rule.text()):
                complete[key] = Candidate(p.rule, p.pos, p.neg, p.fp)
        stats.conjunctions = len(found)
        if progress:
            progress(f"conjunctions: {len(found)} clauses from {len(branches)} branches")
    return budget(list(complete.values()), bias.max_candidates), stats


def _exact(cands: Iterable[Candidate], n_pos: int, bias: Bias) -> bool:
    """One flat clause already derives every positive and no negative: a longer clause could
    at best tie it on the training labels, and ties go to the shorter, so the search stops
    deepening (a recursive or inventive pass searches on; its counts depend on the program)."""
    return not bias.exhaustive and not bias.recursive and not bias.invented and any(
        c.neg == 0 and c.pos >= n_pos and not c.recursive for c in cands)


def _score(c: Candidate) -> float:
    """Budget order: confidence and support (broad clauses first)."""
    return (c.pos + 1) / (c.pos + c.neg + 2) * math.sqrt(c.pos)


def budget(cands: list[Candidate], most: int) -> list[Candidate]:
    """The clauses that reach the learner when there are too many: taken in turn
    from two orders, by :func:`_score` (broad) and by the lower confidence bound
    (precise: an exact clause over a quarter of the positives is not crowded out
    by hundreds of broad ones that each keep some negatives)."""
    tie = lambda c: (c.length, c.rule.text())
    orders = [sorted(cands, key=lambda c: (-_score(c), *tie(c))),
              sorted(cands, key=lambda c: (-conjoin.wilson(c.pos, c.neg), *tie(c)))]
    out: dict[str, Candidate] = {}
    for pair in zip(*orders):
        for c in pair:
            if len(out) < most:
                out.setdefault(c.rule.text(), c)
    return sorted(out.values(), key=lambda c: (-_score(c), *tie(c)))
