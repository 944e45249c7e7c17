"""Rules files: the JSON that ``mine --out`` writes, and hand-written ``.dl`` Datalog.

A JSON file carries the head's column names and SQL types and the signature of
every predicate its rules read, so it applies to a database that lacks the
target table, or whose tables lack declared keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import RuleSyntaxError, SchemaError, SourceError, UsageError
from .introspect import ATTRIBUTE, Catalog, Predicate
from .parse import parse_program, parse_rule
from .rule import Atom, Rule, Var
from .writeback import StoredRule


@dataclass
class RuleSet:
    target: str
    rules: list[StoredRule]
    columns: list[tuple[str, str]] | None = None
    predicates: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables_only: bool = False   # bodies read the tables even where a table is another set's head (a graph)


def load_rules(path: str | Path) -> list[RuleSet]:
    """Read a ``.json`` or ``.dl`` rules file into one :class:`RuleSet` per head."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"rules file {str(p)!r} does not exist")
    try:
        text = p.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(f"cannot read rules file {p}: {err}") from err
    if p.suffix.lower() == ".json":
        return _from_json(text, p)
    if p.suffix.lower() in (".dl", ".pl", ".datalog"):
        return _from_datalog(text)
    raise UsageError(f"rules file {p} must end in .json (from mine --out) or .dl (Datalog)")


def rule_sets(rules: Any) -> list[RuleSet]:
    """Rule sets from a rules file path, or from a mining result (anything with ``to_dict``)."""
    if hasattr(rules, "to_dict"):
        return from_dict(rules.to_dict(), "the mining result")
    return load_rules(rules)


def _from_json(text: str, p: Path) -> list[RuleSet]:
    try:
        d = json.loads(text)
    except ValueError as err:
        raise SourceError(f"{p} is not a ruledisc rules file (JSON from mine --out): {err}") from err
    return from_dict(d, str(p))


def from_dict(d: Any, where: str) -> list[RuleSet]:
    """The invented predicates' rule sets (in the file's order), then the target's; for the
    result of ``mine --all-relations``, one set per relation, whose bodies read the tables."""
    p = where
    if isinstance(d, dict) and d.get("all_relations"):
        if not isinstance(d.get("targets"), list):
            raise SourceError(f"{p} is not a ruledisc rules file (JSON from mine --out): no 'targets' list")
        sets = [s for t in d["targets"] for s in from_dict(t, where)]
        return [RuleSet(s.target, s.rules, s.columns, s.predicates, tables_only=True) for s in sets]
    try:
        preds = d.get("predicates") or {}
        out = [RuleSet(inv["name"], [StoredRule(parse_rule(t)) for t in inv["rules"]], _columns(inv), preds)
               for inv in d.get("invented") or []]
        rules = []
        for r in d["rules"]:
            rules.append(StoredRule(parse_rule(r["text"]), r.get("weight"), r.get("support"),
                                    r.get("confidence"), r.get("head_coverage"), r.get("precision"),
                                    r.get("recall"), r.get("pca_confidence")))
        out.append(RuleSet(d["target"], rules, _columns(d), preds))
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise SourceError(f"{p} is not a ruledisc rules file (JSON from mine --out): {err}") from err
    except RuleSyntaxError as err:
        raise SourceError(f"{p}: bad rule text: {err}") from err
    return out


def _columns(d: dict[str, Any]) -> list[tuple[str, str]] | None:
    return [(c["name"], c["type"]) for c in d["head_columns"]] if d.get("head_columns") else None


def _from_datalog(text: str) -> list[RuleSet]:
    prog = parse_program(text)
    if not prog.rules:
        raise SourceError("the Datalog file holds no rules")
    decls = {d.pred: d for d in prog.decls}
    sets: dict[str, RuleSet] = {}
    for r in prog.rules:
        name = r.head.pred
        if name not in sets:
            d = decls.get(name)
            sets[name] = RuleSet(name, [], list(d.columns) if d else None)
        sets[name].rules.append(StoredRule(r))
    return list(sets.values())


def predicate_signatures(cat: Catalog, rules: list[Rule], derived: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """The predicates ``rules`` read, as JSON-able signatures; the program's own
    heads and the ``derived`` ones (invented, other rule sets) are not tables."""
    out = {}
    derived = {r.head.pred for r in rules} | (derived or set())
    for r in rules:
        for lit in r.body:
            if isinstance(lit, Atom) and lit.pred not in out and lit.pred not in derived:
                p = cat.predicate(lit.pred, len(lit.args))
                out[lit.pred] = {"table": p.table, "columns": list(p.columns), "kind": p.kind}
    return out


def register_predicates(cat: Catalog, sigs: dict[str, dict[str, Any]]) -> None:
    """Add attribute predicates a file names but the database declares no key for."""
    for name, s in sigs.items():
        if name in cat.predicates:
            continue
        t = cat.table(s["table"])
        types = tuple(t.column(c).type for c in s["columns"])
        cat.predicates[name] = Predicate(name, t.name, tuple(s["columns"]), s.get("kind", ATTRIBUTE), types)


def head_columns(rs: RuleSet, cat: Catalog) -> list[tuple[str, str]]:
    """Column names and types of the head: from the file, the target table, or the body."""
    if rs.columns:
        return rs.columns
    arity = len(rs.rules[0].rule.head.args)
    if rs.target in cat.tables and len(cat.tables[rs.target].columns) == arity:
        return [(c.name, c.type) for c in cat.tables[rs.target].columns]
    rule = rs.rules[0].rule
    out = []
    for i, a in enumerate(rule.head.args):
        typ = "VARCHAR"
        if isinstance(a, Var):
            typ = _head_arg_type(rs, cat, i) or typ
        name = a.name.lower() if isinstance(a, Var) else f"c{i}"
        out.append((name if name not in [n for n, _ in out] else f"{name}_{i}", typ))
    return out


def _head_arg_type(rs: RuleSet, cat: Catalog, i: int) -> str | None:
    """The SQL type of head argument ``i``, from the first body atom (of a table) binding it."""
    for sr in rs.rules:
        a = sr.rule.head.args[i]
        for lit in sr.rule.body:
            if isinstance(lit, Atom) and a in lit.args and lit.pred != sr.rule.head.pred:
                return cat.predicate(lit.pred, len(lit.args)).types[lit.args.index(a)]
    return None


def check_rules(rs: RuleSet) -> None:
    for r in rs.rules:
        if len(r.rule.head.args) != len(rs.rules[0].rule.head.args):
            raise SchemaError(f"rules for {rs.target!r} disagree on the head's arity")
