"""Constants chosen by support: which values a categorical literal ``t.col(K, v)`` tries.

The search first adds the literal with a placeholder value; one grouped query per
batch of such clauses then counts, for every value the clause's body reaches,
the labelled positives it keeps (on the examples the learner reads), and the
clause is expanded into one candidate per value with enough support, the best
supported first. A value no positive reaches is never tried, however frequent
it is in the table. Clauses that do not yet bind the head are expanded with the
column's most frequent values (from introspection).
"""

from __future__ import annotations

from sqlglot import exp

from .compile import body_joined, union_all
from .engine import Engine
from .introspect import MAX_CONSTANTS, Catalog
from .rule import Atom, Const, Rule, Var
from .target import LEARN, Target

PENDING = Const("\x00value")   # placeholder until the search picks the values
_FREE = "_V"                    # the placeholder's position as a variable while counting
BATCH = 16


def _pending(rule: Rule) -> int | None:
    for i, lit in enumerate(rule.body):
        if isinstance(lit, Atom) and lit.args and lit.args[-1] == PENDING:
            return i
    return None


def _with_value(rule: Rule, i: int, value: Const | Var) -> Rule:
    lit = rule.body[i]
    assert isinstance(lit, Atom)
    body = list(rule.body)
    body[i] = Atom(lit.pred, lit.args[:-1] + (value,))
    return Rule(rule.head, tuple(body))


def _typed(v: str, family: str) -> object:
    if family == "int":
        return int(v)
    if family == "float":
        return float(v)
    if family == "bool":
        return v.lower() == "true"
    return v


def choose(eng: Engine, cat: Catalog, target: Target, rules: list[Rule], min_support: int) -> list[Rule]:
    """Expand every rule holding the placeholder into one rule per supported value
    (at most ``MAX_CONSTANTS``, most positives first); other rules pass through."""
    todo = [(k, i) for k, r in enumerate(rules) if (i := _pending(r)) is not None]
    if not todo:
        return rules
    fallback: dict[int, list[Const]] = {}             # rules that do not bind the head yet
    supported: dict[int, list[tuple[int, str]]] = {}   # rule -> (positives, value as text)
    queries: list[tuple[int, exp.Select]] = []
    for k, i in todo:
        open_rule = _with_value(rules[k], i, Var(_FREE))
        if not set(open_rule.head_vars()) <= open_rule.body_vars():
            pred = cat.predicates[rules[k].body[i].pred]   # type: ignore[union-attr]
            fallback[k] = [Const(v) for v in cat.constants.get((pred.table, pred.columns[-1]), [])]
            continue
        body = body_joined(open_rule, cat, LEARN, "e")
        hits = body.select.select(*[exp.column(f"c{j}", "e") for j in range(target.arity)],
                                  exp.cast(body.bindings[_FREE].copy(), "VARCHAR").as_("v"), copy=False) \
            .where(exp.EQ(this=exp.column("label", "e"), expression=exp.Literal.number(1)), copy=False) \
            .distinct(copy=False)
        q = exp.select(exp.Literal.number(k).as_("k"), "v", exp.Count(this=exp.Star()).as_("pos")) \
            .from_(hits.subquery("h", copy=False)).group_by("v")
        queries.append((k, q))
    for start in range(0, len(queries), BATCH):
        for k, v, pos in eng.rows(union_all([q for _, q in queries[start:start + BATCH]])):
            if pos >= min_support and v is not None:
                supported.setdefault(int(k), []).append((int(pos), v))
    out = []
    pending = dict(todo)
    for k, r in enumerate(rules):
        if k not in pending:
            out.append(r)
            continue
        i = pending[k]
        pred = cat.predicates[r.body[i].pred]   # type: ignore[union-attr]
        fam = cat.tables[pred.table].column(pred.columns[-1]).family
        if k in fallback:
            consts = fallback[k]
        else:
            ranked = sorted(supported.get(k, []), key=lambda t: (-t[0], t[1]))[:MAX_CONSTANTS]
            consts = [Const(_typed(v, fam)) for _, v in ranked]
        out += [_with_value(r, i, c).canonical() for c in consts]
    return out
