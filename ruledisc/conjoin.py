"""Conjunctions of branches: clauses that test the head through separate walks.

``f(X) :- has_car(X, Y), roof_open(Y), has_car(X, Z), roof_closed(Z)`` is two
branches from the head, each a complete clause the search counted on its own.
For a one-argument head with explicit labels the search grows one branch per
clause (see :class:`ruledisc.bias.Refiner`); here the examples each branch reaches
are stored once (``rd_cover``), and one self-join on the example id counts every
pair of branches. Two 3-literal branches cost one grouped query instead of a beam
through six levels of refinements whose orderings all reach the same clause.
Rounds repeat while the body limit allows: pairs, then a pair and one more branch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlglot import exp

from .compile import body_joined, temp_table, union_all
from .engine import Engine
from .introspect import Catalog
from .rule import Comparison, Const, Rule, Var
from .target import LEARN, Target

COVER = "rd_cover"
EXAMPLES = "rd_cover_ex"
PAIR_ROWS = 40_000_000   # join rows one round may produce (estimated from the branches' counts)
MAX_POOL = 2_000         # branches (or conjunctions) one round combines
BATCH = 32               # branches per INSERT of their covers
FP_MOD = 2**61 - 1       # fingerprints: sum of hash(head) mod this, over the heads a clause reaches


@dataclass(frozen=True)
class Part:
    """A clause that may be conjoined: its counts and its size under the bias."""

    rule: Rule
    pos: int
    neg: int
    fp: int
    length: int
    n_vars: int   # existential variables, threshold values excluded (as the refiner counts)


def applies(target: Target) -> bool:
    """Covers are counted on the labelled examples: explicit labels, variable heads."""
    return not target.closed_world and all(isinstance(a, Var) for a in target.head_atom().args)


def existential_vars(rule: Rule) -> int:
    head = set(rule.head_vars())
    compared = {lit.left.name for lit in rule.body
                if isinstance(lit, Comparison) and isinstance(lit.left, Var) and isinstance(lit.right, Const)}
    return len(set(rule.variables()) - head - compared)


def part(rule: Rule, pos: int, neg: int, fp: int) -> Part:
    return Part(rule, pos, neg, fp, len(rule.body), existential_vars(rule))


def merge(a: Rule, b: Rule) -> Rule:
    """``a``'s body and ``b``'s body with ``b``'s existential variables renamed apart."""
    head = set(b.head_vars())
    taken = set(a.variables())
    m = {v: v for v in head}
    k = 0
    for v in b.variables():
        if v in head:
            continue
        while f"B{k}" in taken:
            k += 1
        m[v] = f"B{k}"
        taken.add(m[v])
    renamed = b.rename(m)
    return Rule(a.head, a.body + tuple(lit for lit in renamed.body if lit not in a.body)).canonical()


Z = 2.0   # the confidence bounds' z


def wilson(pos: int, neg: int) -> float:
    """Lower Wilson bound of the confidence: high for precise clauses with support."""
    n = pos + neg
    if n == 0:
        return 0.0
    p = pos / n
    z2 = Z * Z
    return (p + z2 / (2 * n) - Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n)


def wilson_sql(pos: exp.Expr, neg: exp.Expr) -> exp.Expr:
    """:func:`wilson` over SQL counts."""
    par = lambda e: exp.Paren(this=e)
    num = lambda v: exp.Literal.number(v)
    n = lambda: exp.Cast(this=par(exp.Add(this=pos.copy(), expression=neg.copy())), to=exp.DataType.build("DOUBLE"))
    p = lambda: par(exp.Div(this=pos.copy(), expression=n()))
    z2 = Z * Z
    var = exp.Div(this=par(exp.Mul(this=p(), expression=par(exp.Sub(this=num(1), expression=p())))), expression=n())
    spread = exp.Sqrt(this=exp.Add(this=par(var), expression=par(
        exp.Div(this=num(z2 / 4), expression=par(exp.Mul(this=n(), expression=n()))))))
    top = exp.Sub(this=exp.Add(this=p(), expression=par(exp.Div(this=num(z2 / 2), expression=n()))),
                  expression=par(exp.Mul(this=num(Z), expression=spread)))
    return exp.Div(this=par(top), expression=par(exp.Add(this=num(1), expression=par(exp.Div(this=num(z2),
                                                                                              expression=n())))))


def _examples(eng: Engine, arity: int) -> dict[int, int]:
    """``rd_ex(ex, c0.., label, h)``: the learning examples numbered, with their fingerprint hash."""
    cols = [exp.column(f"c{i}") for i in range(arity)]
    h = exp.Mod(this=exp.Anonymous(this="hash", expressions=[c.copy() for c in cols]),
                expression=exp.Literal.number(FP_MOD))
    num = exp.Window(this=exp.RowNumber(), over="OVER")
    eng.execute(temp_table(EXAMPLES, exp.select(num.as_("ex"), *cols, "label", h.as_("h")).from_(LEARN)))
    return {int(k): int(v) for k, v in eng.rows(exp.select("label", "count(*)").from_(EXAMPLES).group_by("label"))}


def _cover_query(i: int, p: Part, cat: Catalog, arity: int) -> exp.Select:
    body = body_joined(p.rule, cat, EXAMPLES, "e")
    n = exp.Literal.number
    return body.select.select(n(i).as_("f"), exp.column("ex", "e"), exp.column("label", "e"), exp.column("h", "e"),
                              n(p.length).as_("len"), n(p.n_vars).as_("nv"), n(p.neg).as_("fneg"),
                              copy=False).distinct(copy=False)


def _pool(parts: list[Part], n_pos: int, n_neg: int, n_ex: int, room: int) -> list[Part]:
    """Branches worth combining: enough support, some negatives left to remove, and
    more of the positives than of the negatives (Youden's J > 0), best J first, as
    many as keep the pair join near ``PAIR_ROWS``."""
    ok = [p for p in parts if p.neg > 0 and p.length < room and p.pos / n_pos > p.neg / n_neg]
    ok.sort(key=lambda p: (-(p.pos / n_pos - p.neg / n_neg), p.length, p.rule.text()))
    out, total = [], 0
    for p in ok[:MAX_POOL]:
        total += p.pos + p.neg
        if total * total / max(1, n_ex) > PAIR_ROWS and out:
            break
        out.append(p)
    return out


def _pairs(eng: Engine, left: list[Part], right: list[Part], cat: Catalog, arity: int, max_body: int,
           room_vars: int, min_sup: int, min_conf: float, most: int) -> list[tuple[int, int, int, int, int]]:
    """``(i, j, pos, neg, fp)`` for conjunctions of ``left[i]`` and ``right[j]`` (ids
    offset by len(left)) that keep ``min_sup`` positives, reach ``min_conf`` and
    remove negatives that each part alone keeps; the ``most`` best."""
    same_side = left is right
    every = left if same_side else left + right
    rows: list[exp.Select] = [_cover_query(i, p, cat, arity) for i, p in enumerate(every)]
    eng.execute(exp.Drop(tables=[exp.to_table(COVER)], kind="TABLE", exists=True))
    for start in range(0, len(rows), BATCH):
        q = union_all(rows[start:start + BATCH])
        if start == 0:
            eng.execute(temp_table(COVER, q))
        else:
            eng.execute(exp.Insert(this=exp.to_table(COVER), expression=q))
    a, b = (lambda c: exp.column(c, "a")), (lambda c: exp.column(c, "b"))
    n = exp.Literal.number
    on = exp.and_(
        exp.EQ(this=a("ex"), expression=b("ex")),
        exp.LT(this=a("f"), expression=b("f")) if same_side else exp.and_(
            exp.LT(this=a("f"), expression=n(len(left))), exp.GTE(this=b("f"), expression=n(len(left)))),
        exp.LTE(this=exp.Add(this=a("len"), expression=b("len")), expression=n(max_body)),
        exp.LTE(this=exp.Add(this=a("nv"), expression=b("nv")), expression=n(room_vars)), copy=False)
    pos = exp.Count(this=exp.Star())
    pos = exp.Filter(this=pos, expression=exp.Where(this=exp.EQ(this=a("label"), expression=n(1))))
    neg = exp.Filter(this=exp.Count(this=exp.Star()),
                     expression=exp.Where(this=exp.EQ(this=a("label"), expression=n(0))))
    fp = exp.Sum(this=a("h"))
    least = exp.Least(this=exp.Min(this=a("fneg")), expressions=[exp.Min(this=b("fneg"))])
    having = exp.and_(exp.GTE(this=pos.copy(), expression=n(min_sup)),
                      exp.GTE(this=pos.copy(), expression=exp.Mul(this=exp.Literal.number(min_conf),
                                                                   expression=exp.Add(this=pos.copy(),
                                                                                      expression=neg.copy()))),
                      exp.LT(this=neg.copy(), expression=least), copy=False)
    score = wilson_sql(pos, neg)
    q = exp.select(a("f"), b("f"), pos.as_("pos"), neg.as_("neg"), fp.as_("fp")) \
        .from_(exp.to_table(COVER).as_("a")).join(exp.to_table(COVER).as_("b"), on=on) \
        .group_by(a("f"), b("f")).having(having) \
        .order_by(exp.Ordered(this=score, desc=True), a("f"), b("f")).limit(most)
    off = 0 if same_side else len(left)
    out = [(int(i), int(j) - off, int(p), int(ng), int(h)) for i, j, p, ng, h in eng.rows(q)]
    eng.execute(exp.Drop(tables=[exp.to_table(COVER)], kind="TABLE", exists=True))
    return out


def conjoin(eng: Engine, cat: Catalog, target: Target, parts: list[Part], max_body: int, max_vars: int,
            min_sup: int, min_conf: float, most: int) -> list[Part]:
    """Conjunctions of the given complete clauses (pairs, then a pair and one more
    clause while ``max_body`` allows), each with its exact counts on the examples."""
    arity = target.arity
    counts = _examples(eng, arity)
    n_pos, n_neg = counts.get(1, 0), counts.get(0, 0)
    if not n_pos or not n_neg:
        return []
    n_ex = n_pos + n_neg
    room_vars = max_vars - arity
    pool = _pool(parts, n_pos, n_neg, n_ex, max_body)
    found: list[Part] = []
    left, right = pool, pool
    seen = {p.rule.text() for p in parts}
    while left and right:
        got = []
        for i, j, pos, neg, fp in _pairs(eng, left, right, cat, arity, max_body, room_vars, min_sup, min_conf, most):
            rule = merge(left[i].rule, right[j].rule)
            k = rule.text()
            if k in seen or len(rule.body) > max_body or existential_vars(rule) > room_vars:
                continue
            seen.add(k)
            got.append(part(rule, pos, neg, fp))
        found += got
        # the next round adds one branch to the conjunctions that still keep negatives
        left = _pool(got, n_pos, n_neg, n_ex, max_body - 1)[: max(1, int(math.sqrt(MAX_POOL)))]
        right = [p for p in pool if p.length < max_body - min((q.length for q in left), default=max_body)]
    eng.execute(exp.Drop(tables=[exp.to_table(EXAMPLES)], kind="TABLE", exists=True))
    return found
