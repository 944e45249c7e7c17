"""Rules files: the JSON that ``mine --out`` writes, and hand-written ``.dl`` Datalog.

A JSON file carries the head's column names and SQL types and the signature of
every predicate its rules read, so it applies to a database that lacks the
target table, or whose tables lack declared keys.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from .engine import Engine
from .errors import RulediscError, RuleSyntaxError, SchemaError, SourceError, UsageError
from .introspect import ATTRIBUTE, RELATION, Catalog, Predicate
from .names import table_of
from .parse import parse_program, parse_rule
from .rule import Atom, Rule, Var
from .writeback import StoredRule

MAX_BODY = 100   # body literals of one rule; DuckDB refuses (or takes minutes on) joins far longer


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
        try:
            return _from_datalog(text, str(p))
        except RuleSyntaxError as err:
            raise RuleSyntaxError(f"{p}: {err}") from err
    raise UsageError(f"rules file {p} must end in .json (from mine --out) or .dl (Datalog)")


def rule_sets(rules: Any) -> list[RuleSet]:
    """Rule sets from a rules file path, or from a mining result (anything with ``to_dict``)."""
    if hasattr(rules, "to_dict"):
        return from_dict(rules.to_dict(), "the mining result")
    if not isinstance(rules, (str, Path)) or not str(rules).strip():
        got = "an empty path" if isinstance(rules, (str, Path)) else type(rules).__name__
        raise UsageError(f"rules must be a rules file path (.json from mine --out, or .dl) or a MineResult, "
                         f"got {got}")
    return load_rules(rules)


def _from_json(text: str, p: Path) -> list[RuleSet]:
    try:
        d = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise SourceError(f"{p} is not a ruledisc rules file (JSON from mine --out): {err}") from err
    return from_dict(d, str(p))


def from_dict(d: Any, where: str) -> list[RuleSet]:
    """The invented predicates' rule sets (in the file's order), then the target's; for the
    result of ``mine --all-relations``, one set per relation, whose bodies read the tables.

    Every field is checked; a bad one is a :class:`SourceError` naming ``where`` and the field."""
    if not isinstance(d, dict):
        raise SourceError(f"{where} is not a ruledisc rules file (JSON from mine --out): "
                          f"expected an object, found {_json_kind(d)}")
    if d.get("all_relations"):
        targets = d.get("targets")
        if not isinstance(targets, list):
            raise SourceError(f"{where} is not a ruledisc rules file (JSON from mine --out): no 'targets' list")
        sets = [s for i, t in enumerate(targets) for s in _one_target(t, where, f"targets[{i}].")]
        return [RuleSet(s.target, s.rules, s.columns, s.predicates, tables_only=True) for s in sets]
    return _one_target(d, where, "")


def _one_target(d: Any, where: str, at: str) -> list[RuleSet]:
    f = _Fields(where)
    if not isinstance(d, dict):
        raise f.bad(at.rstrip("."), "an object", d)
    target = f.string(d, at, "target")
    preds = _predicates(f, d.get("predicates"), at + "predicates")
    out = []
    for k, inv in enumerate(f.items(d, at, "invented", required=False)):
        here = f"{at}invented[{k}]"
        if not isinstance(inv, dict):
            raise f.bad(here, "an object", inv)
        name = f.string(inv, here + ".", "name")
        texts = f.items(inv, here + ".", "rules")
        rules = [StoredRule(f.rule(t, f"{here}.rules[{i}]", name)) for i, t in enumerate(texts)]
        out.append(RuleSet(name, rules, f.columns(inv, here + ".", rules), preds))
    rules = []
    for i, r in enumerate(f.items(d, at, "rules")):
        here = f"{at}rules[{i}]"
        if not isinstance(r, dict):
            raise f.bad(here, "an object", r)
        rule = f.rule(r.get("text"), here + ".text", target)
        rules.append(StoredRule(rule, f.number(r, here, "weight"), f.count(r, here, "support"),
                                *(f.number(r, here, m, unit=True) for m in _UNIT_METRICS)))
    out.append(RuleSet(target, rules, f.columns(d, at, rules), preds))
    return out


_INT64_MAX = 2**63 - 1   # support is stored as BIGINT
_UNIT_METRICS = ("confidence", "head_coverage", "precision", "recall", "pca_confidence")
_KINDS = (RELATION, ATTRIBUTE)


def _json_kind(v: Any) -> str:
    """``v`` as the JSON it came from: its kind and (short) text."""
    if v is None:
        return "null"
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(v), type(v).__name__)
    text = json.dumps(v, default=str)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


@dataclass
class _Fields:
    """Typed reads of one JSON object's fields; each failure names the file and the field."""

    where: str

    def bad(self, field_: str, want: str, got: Any) -> SourceError:
        return SourceError(f"{self.where}: {field_} must be {want}, found {_json_kind(got)}")

    def string(self, d: dict[str, Any], at: str, key: str) -> str:
        v = d.get(key)
        if not isinstance(v, str) or not v:   # blanks are a name too: SQL allows " " as an identifier
            raise self.bad(at + key, "a non-empty string", v)
        return v

    def items(self, d: dict[str, Any], at: str, key: str, required: bool = True) -> list[Any]:
        v = d.get(key)
        if v is None and not required:
            return []
        if not isinstance(v, list):
            raise self.bad(at + key, "a list", v)
        return v

    def rule(self, text: Any, field_: str, head: str) -> Rule:
        if not isinstance(text, str):
            raise self.bad(field_, "rule text (a string)", text)
        try:
            rule = parse_rule(text)
        except RuleSyntaxError as err:
            raise SourceError(f"{self.where}: {field_}: bad rule text: {err}") from err
        if problem := _size_problem(rule):
            raise SourceError(f"{self.where}: {field_}: {problem}")
        if rule.head.pred != head:
            raise SourceError(f"{self.where}: {field_}: the rule's head {rule.head.pred!r} is not its target "
                              f"{head!r}; every rule of a set must derive the set's own predicate")
        return rule

    def number(self, d: dict[str, Any], field_: str, key: str, unit: bool = False) -> float | None:
        v = d.get(key)
        if v is None:
            return None
        want = "a number from 0 to 1 or null" if unit else "a finite number or null"
        # abs(v) <= max is False for NaN and infinity, and compares huge ints exactly
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not abs(v) <= sys.float_info.max or \
                unit and not 0 <= v <= 1:
            raise self.bad(f"{field_}.{key}", want, v)
        return float(v)

    def count(self, d: dict[str, Any], field_: str, key: str) -> int | None:
        v = d.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= _INT64_MAX:
            raise self.bad(f"{field_}.{key}", "a whole number from 0 to 2^63 - 1, or null", v)
        return v

    def columns(self, d: dict[str, Any], at: str, rules: list[StoredRule]) -> list[tuple[str, str]] | None:
        """``head_columns`` (None when absent); as many as the head has arguments."""
        raw = d.get("head_columns")
        at += "head_columns"
        if raw is None or raw == []:
            if not rules:
                raise SourceError(f"{self.where}: {at} is missing and there are no rules to infer the head's "
                                  "columns from")
            return None
        if not isinstance(raw, list):
            raise self.bad(at, "a list of {\"name\": ..., \"type\": ...} objects", raw)
        out: list[tuple[str, str]] = []
        for j, c in enumerate(raw):
            if not isinstance(c, dict):
                raise self.bad(f"{at}[{j}]", 'an object {"name": ..., "type": ...}', c)
            name = self.string(c, f"{at}[{j}].", "name")
            if name.lower() in (n.lower() for n, _ in out):
                raise SourceError(f"{self.where}: {at}[{j}].name {name!r} names two columns")
            typ = c.get("type")
            if not isinstance(typ, str):
                raise self.bad(f"{at}[{j}].type", "an SQL type name (a string)", typ)
            if problem := type_problem(typ):
                raise SourceError(f"{self.where}: {at}[{j}].type {typ!r}: {problem}")
            out.append((name, typ))
        arity = {len(r.rule.head.args) for r in rules}
        if arity and arity != {len(out)}:
            raise SourceError(f"{self.where}: {at} names {len(out)} column(s), the rules' head has "
                              f"{' or '.join(map(str, sorted(arity)))} argument(s)")
        return out


def _predicates(f: _Fields, raw: Any, at: str) -> dict[str, dict[str, Any]]:
    """The ``predicates`` signatures: ``{name: {"table": str, "columns": [str, ...], "kind": ...}}``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise f.bad(at, "an object of predicate signatures", raw)
    for name, sig in raw.items():
        here = f"{at}[{json.dumps(name)}]"
        if not isinstance(sig, dict):
            raise f.bad(here, 'an object {"table": ..., "columns": [...], "kind": ...}', sig)
        f.string(sig, here + ".", "table")
        cols = sig.get("columns")
        if not isinstance(cols, list) or not cols or not all(isinstance(c, str) and c for c in cols):
            raise f.bad(here + ".columns", "a non-empty list of column names", cols)
        if sig.get("kind", ATTRIBUTE) not in _KINDS:
            raise f.bad(here + ".kind", f"{RELATION!r} or {ATTRIBUTE!r}", sig.get("kind"))
    return raw


def _size_problem(rule: Rule) -> str | None:
    n = len(rule.body)
    return f"a body of {n} literals; ruledisc applies rules of at most {MAX_BODY}" if n > MAX_BODY else None


@lru_cache(maxsize=256)
def type_problem(typ: str) -> str | None:
    """Why ``typ`` is no SQL column type DuckDB can use (None if it is one)."""
    try:
        dtype = sqlglot.parse_one(typ, read="duckdb", into=exp.DataType)
    except (SqlglotError, ValueError, RecursionError):
        return "not an SQL type (e.g. VARCHAR, BIGINT, DOUBLE, DATE)"
    con = duckdb.connect()
    try:
        Engine(con, keep_log=False).execute(exp.select(exp.cast(exp.null(), dtype)))
    except RulediscError as err:   # whatever the class, the type is what DuckDB refused
        why = str(err.__cause__ or err).strip().splitlines()
        return f"DuckDB cannot use it ({why[0] if why else type(err).__name__})"
    finally:
        con.close()
    return None


def _from_datalog(text: str, where: str = "the Datalog text") -> list[RuleSet]:
    prog = parse_program(text)
    if not prog.rules:
        raise SourceError(f"{where} holds no rules")
    decls = {d.pred: d for d in prog.decls}
    for d in prog.decls:
        for col, typ in d.columns:
            if problem := type_problem(typ):
                raise SourceError(f"{where}: .decl {d.pred}: column {col} has type {typ!r}: {problem}")
    sets: dict[str, RuleSet] = {}
    for r in prog.rules:
        if problem := _size_problem(r):
            raise SourceError(f"{where}: rule for {r.head.pred!r}: {problem}")
        name = r.head.pred
        if name not in sets:
            d = decls.get(name)
            if d is not None and len(d.columns) != len(r.head.args):
                raise SourceError(f"{where}: .decl {name} names {len(d.columns)} column(s), the rule "
                                  f"{r.text()!r} has {len(r.head.args)} argument(s)")
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
    table = table_of(rs.target)
    if table in cat.tables and len(cat.tables[table].columns) == arity:
        return [(c.name, c.type) for c in cat.tables[table].columns]
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
