"""Bridges between LNN models and the rest of ruledisc: mined rules in, SQL views out.

``from_rules`` reads rules (a ``mine --out`` JSON file, a ``.dl`` file, Datalog text, or a
mining result) as formulae ``Implies(And(body), head)`` whose world is ``(confidence, 1)``:
each rule holds at least as much as it was measured to, so a body proved TRUE gives its
head a lower bound of the rule's confidence (Łukasiewicz). Body predicates that are tables
(or keyed columns) of the database are loaded as TRUE facts.

``write_views`` gives SQL users each predicate's bounds, constants as text, with the state.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from ..compile import literal
from ..errors import UsageError
from ..rule import Atom as RuleAtom
from ..rule import Const, Rule
from .constants import World
from .formula import And, Formula, Implies, Predicate, Variable
from .store import SCHEMA, arg

if TYPE_CHECKING:
    from .model import Model


def _rules(source: Any) -> list[tuple[Rule, float | None]]:
    from ..parse import parse_program
    from ..rulesfile import rule_sets
    if isinstance(source, (list, tuple)) and all(isinstance(r, Rule) for r in source):
        return [(r, None) for r in source]
    if isinstance(source, str) and ":-" in source and not Path(source).exists():
        return [(r, None) for r in parse_program(source).rules]
    return [(sr.rule, sr.confidence if sr.confidence is not None else sr.weight)
            for rs in rule_sets(source) for sr in rs.rules]


def formulae_from_rules(rules: list[tuple[Rule, float | None]], weighted: bool = True
                        ) -> tuple[list[Formula], dict[str, Predicate], set[str]]:
    """Formulae (one per rule), the predicates they use by name, and the head predicates."""
    preds: dict[str, Predicate] = {}
    heads = {r.head.pred for r, _ in rules}
    out = []

    def atom(a: RuleAtom):
        p = preds.get(a.pred)
        if p is None:
            p = preds[a.pred] = Predicate(a.pred, arity=len(a.args))
        elif p.arity != len(a.args):
            raise UsageError(f"from_rules: predicate {a.pred} is used with {p.arity} and {len(a.args)} arguments")
        return p(*[str(t.value) if isinstance(t, Const) else Variable(t.name) for t in a.args])

    for r, conf in rules:
        bad = [lit.text() for lit in r.body if not isinstance(lit, RuleAtom)]
        if bad:
            raise UsageError(f"from_rules: {r.text()} has a comparison ({bad[0]}); LNN formulae hold predicates only")
        if not r.body:
            raise UsageError(f"from_rules: {r.text()} is a fact, not a rule")
        body = [atom(lit) for lit in r.body]
        world = (float(conf), 1.0) if weighted and conf is not None else World.AXIOM
        out.append(Implies(body[0] if len(body) == 1 else And(*body), atom(r.head), world=world,
                           name=r.text()))
    return out, preds, heads


def load_tables(model: Model, preds: dict[str, Predicate], skip: set[str]) -> list[str]:
    """Load each predicate that names a table or keyed column of the model's database
    (and is not in ``skip``) as TRUE facts. Returns the names loaded."""
    from ..introspect import introspect
    cat = introspect(model.eng, infer=False)
    loaded = []
    for name, p in sorted(preds.items()):
        if name in skip or name not in cat.predicates:
            continue
        cp = cat.predicate(name, p.arity)
        t = exp.table_(cp.table, db=cp.schema, quoted=True)
        cols = [exp.column(c, quoted=True) for c in cp.columns]
        sel = exp.select(*[exp.cast(c, "VARCHAR").as_(f"c{i}") for i, c in enumerate(cols)],
                         literal(1.0).as_("lower"), literal(1.0).as_("upper")).from_(t)
        if cols:
            sel = sel.where(exp.and_(*[c.copy().is_(exp.null()).not_() for c in cols]))
        model.store.load(model.key(p), sel)
        loaded.append(name)
    return loaded


def state_sql(alpha: float) -> exp.Expr:
    """The state of ``lower, upper`` as a SQL CASE (the rules of ``constants.classify``)."""
    lo, hi, t = exp.column("lower", "t"), exp.column("upper", "t"), 1e-9
    f = lambda v: literal(v)
    cases = [
        (exp.GT(this=lo.copy(), expression=exp.Add(this=hi.copy(), expression=f(t))), "CONTRADICTION"),
        (exp.GTE(this=lo.copy(), expression=f(alpha - t)), "TRUE"),
        (exp.LTE(this=hi.copy(), expression=f(1 - alpha + t)), "FALSE"),
        (exp.and_(exp.EQ(this=lo.copy(), expression=f(0.5)), exp.EQ(this=hi.copy(), expression=f(0.5))),
         "EXACT_UNKNOWN"),
        (exp.and_(exp.LTE(this=lo.copy(), expression=f(1 - alpha + t)),
                  exp.GTE(this=hi.copy(), expression=f(alpha - t))), "UNKNOWN"),
        (exp.GT(this=lo.copy(), expression=f(0.5)), "APPROX_TRUE"),
        (exp.LT(this=hi.copy(), expression=f(0.5)), "APPROX_FALSE"),
    ]
    case = exp.Case(ifs=[exp.If(this=c, true=exp.Literal.string(s)) for c, s in cases],
                    default=exp.Literal.string("APPROX_UNKNOWN"))
    return case


def write_views(model: Model, prefix: str | None = None) -> list[str]:
    """One view per predicate, ``ruledisc.<prefix><name>(x0 .., lower, upper, state)``,
    constants decoded; ``prefix`` defaults to the model's table prefix (``lnn_``)."""
    st = model.store
    prefix = st.prefix if prefix is None else prefix
    names = []
    ours = {st.prefix + k for k in [*model._defaults, "const"]}
    for name, p in sorted(model.predicates.items()):
        k = model.key(p)
        if prefix + name in ours:
            raise UsageError(f"write_views: a view {prefix + name} would replace one of the model's tables; "
                             "give another prefix")
        sel = exp.select(*[exp.column("name", f"k{i}").as_(f"x{i}") for i in range(p.arity)],
                         exp.column("lower", "t"), exp.column("upper", "t"),
                         state_sql(model.alpha).as_("state")).from_(st.table(k, "t"))
        for i in range(p.arity):
            sel = sel.join(st.table("const", f"k{i}"),
                           on=exp.EQ(this=exp.column("id", f"k{i}"), expression=exp.column(arg(i), "t")))
        view = exp.table_(prefix + name, db=SCHEMA, quoted=True)
        model.eng.execute(exp.Create(this=view, kind="VIEW", replace=True, expression=sel))
        names.append(f"{SCHEMA}.{prefix}{name}")
    return names
