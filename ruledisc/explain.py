"""Why one fact is (or is not) predicted: the rules that fire, with the rows they
used, and for a fact no rule derives, the rule that came closest and what failed.

A rule is tested on one fact by binding its head variables to the fact's values
and running the body as one SQL query (the same compiler as the views). For a
fact no rule derives, each rule is retried without one body literal (then two):
the rule that needs the fewest literals dropped came closest, and the dropped
literal is the one that failed, shown with the values the rest of the body gives.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlglot import exp

from .compile import IdbSources, compile_body, literal
from .engine import Engine
from .errors import DataError, UsageError
from .introspect import ATTRIBUTE, Catalog, col, family, introspect, tab
from .parse import parse_rule
from .rule import Atom, Comparison, Const, Rule, Var
from .score import derived_facts
from .source import DatabaseLike, open_source
from .target import EXAMPLES, TABLE, Target, materialise_examples, parse_target
from .writeback import StoredRule

MAX_GROUNDINGS = 5   # groundings shown per rule
MAX_DROPPED = 2      # literals a near-miss may lack


@dataclass
class Grounding:
    """One way a body holds: its ground literals and the table rows they read."""

    atoms: list[str]
    rows: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"atoms": self.atoms, "rows": self.rows}


@dataclass
class Firing:
    rule: str
    weight: float | None
    confidence: float | None
    groundings: list[Grounding]
    more: bool = False   # more groundings than shown

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "weight": self.weight, "confidence": self.confidence,
                "groundings": [g.to_dict() for g in self.groundings], "more_groundings": self.more}


@dataclass
class NearMiss:
    """A rule that would fire without ``failed``; ``why`` shows each failed literal
    with the values the rest of the body binds."""

    rule: str
    weight: float | None
    failed: list[str]
    why: list[str]
    groundings: list[Grounding]

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "weight": self.weight, "failed_literals": self.failed, "why": self.why,
                "groundings": [g.to_dict() for g in self.groundings]}


@dataclass
class Explanation:
    target: str
    fact: str
    label: int | None           # 1 positive, 0 negative, None unlabelled
    predicted: bool
    fired: list[Firing] = field(default_factory=list)
    closest: list[NearMiss] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """true/false positive/negative, or unlabelled."""
        if self.label is None:
            return "predicted (unlabelled)" if self.predicted else "not predicted (unlabelled)"
        return {(True, 1): "true positive", (True, 0): "false positive", (False, 1): "false negative",
                (False, 0): "true negative"}[(self.predicted, self.label)]

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "fact": self.fact, "label": self.label, "predicted": self.predicted,
                "outcome": self.outcome, "fired": [f.to_dict() for f in self.fired],
                "closest": [c.to_dict() for c in self.closest]}

    def text(self) -> str:
        lab = {1: "positive", 0: "negative", None: "unlabelled"}[self.label]
        out = [f"{self.fact}: {self.outcome} (label: {lab}; {len(self.fired)} rule(s) fire)"]
        for f in self.fired:
            out.append(f"  fires  {f.rule}   weight {_num(f.weight)}  confidence {_num(f.confidence)}")
            out += _groundings_text(f.groundings, f.more)
        for c in self.closest:
            out.append(f"  closest  {c.rule}   weight {_num(c.weight)}")
            out += [f"    fails  {w}" for w in c.why]
            out += _groundings_text(c.groundings, False, "with the rest of the body")
        if not self.fired and not self.closest:
            out.append("  no rule comes within two literals of deriving it")
        return "\n".join(out)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _groundings_text(gs: list[Grounding], more: bool, what: str = "using") -> list[str]:
    out = []
    for g in gs:
        out.append(f"    {what}: " + ", ".join(g.atoms))
        out += [f"      {r['table']}: " + ", ".join(f"{k}={v}" for k, v in r["row"].items()) for r in g.rows]
    if more:
        out.append(f"    (more groundings than the {MAX_GROUNDINGS} shown)")
    return out


# --------------------------------------------------------------------------- facts


def fact_values(target: Target, fact: str | None, key: str | None) -> tuple[Any, ...]:
    """The head values of ``--fact 'p(a, b)'`` (table targets) or ``--key v1,v2``."""
    if (fact is None) == (key is None):
        raise UsageError("give exactly one of --fact 'pred(a, b)' (table targets) or --key VALUE[,VALUE…] "
                         "(column targets: the row's key)")
    if fact is not None:
        try:
            rule = parse_rule(fact if fact.rstrip().endswith(".") else fact + ".")
        except UsageError as err:
            raise UsageError(f"--fact {fact!r} is not one ground atom like grandmother(ann, bob): {err}") from err
        if rule.body or any(isinstance(a, Var) for a in rule.head.args):
            raise UsageError(f"--fact must be one ground atom like grandmother(ann, bob), got {fact!r}")
        if rule.head.pred not in (target.name, target.table):
            raise UsageError(f"--fact is about {rule.head.pred!r}, the target is {target.name!r}")
        values = tuple(a.value for a in rule.head.args)
    else:
        values = tuple(v.strip() for v in key.split(","))   # type: ignore[union-attr]
    if len(values) != target.arity:
        raise UsageError(f"{target.name} has {target.arity} argument(s) ({', '.join(target.head_columns)}), "
                         f"got {len(values)}")
    return tuple(_typed(v, t) for v, t in zip(values, target.head_types))


def _typed(v: Any, sql_type: str) -> Any:
    """A fact or key value as the head column's type wants it (dates stay text: SQL casts them)."""
    fam = family(sql_type)
    try:
        if fam == "int":
            return int(v)
        if fam == "float":
            return float(v)
    except (TypeError, ValueError) as err:
        raise UsageError(f"{v!r} is not a value of the key column's type {sql_type}") from err
    if fam == "bool" and isinstance(v, str):
        if v.lower() not in ("true", "false"):
            raise UsageError(f"{v!r} is not a boolean (true or false)")
        return v.lower() == "true"
    return v


# --------------------------------------------------------------------------- rule tests


def _bind(rule: Rule, values: tuple[Any, ...]) -> Rule | None:
    """The rule with its head variables replaced by the fact's values (None: the head does not match)."""
    m: dict[str, Const] = {}
    for a, v in zip(rule.head.args, values):
        if isinstance(a, Const):
            if a.value != v:
                return None
        elif a.name in m and m[a.name].value != v:
            return None
        else:
            m[a.name] = Const(v)
    sub = lambda t: m.get(t.name, t) if isinstance(t, Var) else t
    body = tuple(Atom(lit.pred, tuple(sub(a) for a in lit.args)) if isinstance(lit, Atom)
                 else Comparison(lit.op, sub(lit.left), sub(lit.right)) for lit in rule.body)
    return Rule(Atom(rule.head.pred, tuple(Const(v) for v in values)), body)


def _query(rule: Rule, cat: Catalog, idb: IdbSources | None, limit: int) -> tuple[exp.Select, list[tuple]] | None:
    """SELECT the rows of every body atom's table (and each variable), ``limit`` groundings."""
    if not any(isinstance(lit, Atom) for lit in rule.body):
        return None
    body = compile_body(rule, cat, idb=idb)
    atoms = [lit for lit in rule.body if isinstance(lit, Atom)]
    cols: list[exp.Expr] = []
    layout: list[tuple] = []
    for i, a in enumerate(atoms):
        alias = body.aliases[i]
        p = cat.predicates.get(a.pred)
        if p is not None and p.table in cat.tables and p.schema == "main":
            for c in cat.tables[p.table].columns:
                cols.append(exp.Alias(this=col(c.name, alias), alias=exp.to_identifier(f"a{i}_{len(cols)}")))
                layout.append(("row", i, p.table, c.name))
    for v, e in body.bindings.items():
        cols.append(exp.Alias(this=e.copy(), alias=exp.to_identifier(f"v_{len(cols)}")))
        layout.append(("var", v))
    if not cols:
        cols.append(exp.Literal.number(1))
        layout.append(("none",))
    return body.select.select(*cols, copy=False).limit(limit, copy=False), layout


def _groundings(eng: Engine, rule: Rule, cat: Catalog, idb: IdbSources | None, limit: int
                ) -> tuple[list[Grounding], list[dict[str, Any]], bool]:
    """Up to ``limit`` groundings of a bound rule, the variable values of each, and whether there are more."""
    q = _query(rule, cat, idb, limit + 1)
    if q is None:
        return [], [], False
    select, layout = q
    rows = eng.rows(select)
    out, envs = [], []
    for r in rows[:limit]:
        env = {spec[1]: v for spec, v in zip(layout, r) if spec[0] == "var"}
        tables: dict[int, dict[str, Any]] = {}
        names: dict[int, str] = {}
        for spec, v in zip(layout, r):
            if spec[0] == "row":
                tables.setdefault(spec[1], {})[spec[3]] = v
                names[spec[1]] = spec[2]
        ground = [_ground_text(lit, env) for lit in rule.body]
        seen, uniq = set(), []
        for i in sorted(tables):
            key = (names[i], tuple(tables[i].items()))
            if key not in seen:
                seen.add(key)
                uniq.append({"table": names[i], "row": tables[i]})
        out.append(Grounding(ground, uniq))
        envs.append(env)
    return out, envs, len(rows) > limit


def _const(v: Any) -> Const:
    """A database value as a rule constant (dates, decimals: as text)."""
    return Const(v if isinstance(v, (str, int, float)) else str(v))


def _ground_text(lit: Atom | Comparison, env: dict[str, Any]) -> str:
    sub = lambda t: _const(env[t.name]) if isinstance(t, Var) and t.name in env else t
    if isinstance(lit, Atom):
        return Atom(lit.pred, tuple(sub(a) for a in lit.args)).text()
    return Comparison(lit.op, sub(lit.left), sub(lit.right)).text()


def _why(lit: Atom | Comparison, envs: list[dict[str, Any]], eng: Engine, cat: Catalog) -> str:
    """A failed literal, with what the data says instead."""
    env = envs[0] if envs else {}
    text = _ground_text(lit, env)
    if isinstance(lit, Comparison):
        return f"{lit.text()}: {text} is false"
    p = cat.predicates.get(lit.pred)
    if p is not None and p.kind == ATTRIBUTE and p.schema == "main":
        key = [env.get(a.name) if isinstance(a, Var) else a.value for a in lit.args[:-1]]
        if all(k is not None for k in key):
            t = cat.tables[p.table]
            where = exp.and_(*[exp.EQ(this=col(k), expression=literal(v)) for k, v in zip(t.key, key)])
            vals = [r[0] for r in eng.rows(exp.select(col(p.columns[-1])).from_(tab(p.table)).where(where).limit(3))]
            actual = ", ".join(map(repr, vals)) if vals else "no row"
            return f"{lit.text()}: {text} is not a fact ({p.table}.{p.columns[-1]} is {actual})"
    return f"{lit.text()}: {text} is not a fact"


def _closest(eng: Engine, cat: Catalog, idb: IdbSources | None, rules: list[StoredRule],
             values: tuple[Any, ...]) -> list[NearMiss]:
    """The rules that need the fewest body literals dropped to derive the fact. What
    stays must still join the head (a body cut loose from the fact proves nothing)."""
    for k in range(1, MAX_DROPPED + 1):
        found = []
        for sr in rules:
            rule = sr.rule
            for drop in itertools.combinations(range(len(rule.body)), k):
                rest = Rule(rule.head, tuple(lit for i, lit in enumerate(rule.body) if i not in drop))
                if not rest.body or not rest.is_range_restricted() or not _joins_head(rest):
                    continue
                bound = _bind(rest, values)
                if bound is None:
                    continue
                gs, envs, _ = _groundings(eng, bound, cat, idb, 1)
                if gs:
                    head_env = {a.name: v for a, v in zip(rule.head.args, values) if isinstance(a, Var)}
                    envs = [head_env | e for e in envs]
                    failed = [rule.body[i] for i in drop]
                    found.append(NearMiss(rule.text(), sr.weight, [f.text() for f in failed],
                                          [_why(f, envs, eng, cat) for f in failed], gs))
                    break
        if found:
            return sorted(found, key=lambda n: -(n.weight or 0))
    return []


def _joins_head(rule: Rule) -> bool:
    """Every body atom is linked to a head variable through shared variables."""
    reached = set(rule.head_vars())
    atoms = [lit for lit in rule.body if isinstance(lit, Atom)]
    grew = True
    while grew:
        grew = False
        for a in atoms:
            names = {v.name for v in a.vars()}
            if names & reached and not names <= reached:
                reached |= names
                grew = True
    return all({v.name for v in a.vars()} & reached for a in atoms)


# --------------------------------------------------------------------------- entry point


def explain(db: DatabaseLike, target: str, fact: str | None = None, key: str | None = None,
            rules: str | Path | None = None, schema: str = "ruledisc",
            key_columns: tuple[str, ...] | None = None) -> Explanation:
    """Explain one prediction of ``target``'s rules (stored in ``db``, or a rules file).

    ``fact``: a ground atom (table targets); ``key``: the row's key values,
    comma-separated (column targets; ``key_columns`` if the table declares no key).
    """
    from .arguments import need_names, need_rules, need_str
    from .pipeline import _keys_for, target_program
    need_str("target", target)
    need_str("fact", fact, optional=True)
    need_str("key", key, optional=True)
    key_columns = need_names("key_columns", key_columns)
    if rules is not None:
        need_rules(rules)
    src = open_source(db)
    try:
        eng = src.engine
        cat = introspect(eng, _keys_for(target, key_columns))
        tgt = parse_target(target, cat, key_columns, labelled=False)
        labelled = tgt.column is None or any(c.name == tgt.column for c in cat.tables[tgt.table].columns)
        values = fact_values(tgt, fact, key)
        rs = target_program(src, cat, tgt.name, rules, schema, tgt.legacy_name)
        if labelled:
            materialise_examples(eng, tgt, cat)
        label = _label(eng, tgt, values, labelled)
        program = [r.rule for r in rs.rules]
        idb = derived_facts(eng, cat, tgt, program)
        fired = []
        for sr in rs.rules:
            b = _bind(sr.rule, values)
            gs, _, more = _groundings(eng, b, cat, idb, MAX_GROUNDINGS) if b is not None else ([], [], False)
            if gs:
                fired.append(Firing(sr.rule.text(), sr.weight, sr.confidence, gs, more))
        head = Atom(tgt.name, tuple(_const(v) for v in values)).text()
        ex = Explanation(tgt.name, head, label, bool(fired), fired)
        if not fired:
            ex.closest = _closest(eng, cat, idb, rs.rules, values)
        return ex
    finally:
        src.close()


def _label(eng: Engine, tgt: Target, values: tuple[Any, ...], labelled: bool) -> int | None:
    """The fact's label: 1, 0, or None (unlabelled; a column target on rows without the column)."""
    if tgt.kind != TABLE:
        hit = exp.and_(*[exp.EQ(this=col(c), expression=literal(v)) for c, v in zip(tgt.head_columns, values)])
        if not eng.rows(exp.select(exp.Literal.number(1)).from_(tab(tgt.table)).where(hit).limit(1)):
            shown = ", ".join(f"{c} = {v!r}" for c, v in zip(tgt.head_columns, values))
            raise DataError(f"table {tgt.table!r} has no row with {shown}; --key takes the row's key value(s)")
    if not labelled:
        return None
    where = exp.and_(*[exp.EQ(this=exp.column(f"c{i}"), expression=literal(v)) for i, v in enumerate(values)])
    rows = eng.rows(exp.select("label").from_(EXAMPLES).where(where).limit(1))
    if rows:
        return None if rows[0][0] is None else int(rows[0][0])
    return 0 if tgt.kind == TABLE and tgt.closed_world else None

