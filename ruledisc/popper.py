"""Popper ILP tasks (``bk.pl``, ``exs.pl``, ``bias.pl``) -> a DuckDB database to mine.

A small Prolog term reader (operators by precedence climbing) turns the files into
clauses. Ground facts become tables ``<pred>(a0, ..., a{n-1})``; background rules
that are pure Datalog are evaluated to their least fixpoint in SQL and stored as
tables too; ``pos``/``neg`` examples become ``<head>`` and ``<head>_neg``. What
cannot be a table (lists, compound terms, arithmetic, negation, built-ins) is
skipped and reported. ``bias.pl`` (ASP syntax) is read for its settings only.

>>> read_terms("p(X, [a|T]) :- X >= -1.5, \\\\+ q('A b').")[0].text()
"p(X, [a|T]) :- X >= -1.5, \\\\+ q('A b')."
"""

from __future__ import annotations

import gc
import json
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Union

import duckdb
import pyarrow as pa
from sqlglot import exp

from .engine import Engine
from .errors import DataError, SourceError, UsageError
from .introspect import RELATION, Catalog, Column, Predicate, Table, tab
from .progress import Phases, Reporter
from .recursion import fixpoint_query
from .rule import Atom, Comparison, Const, Literal, Rule, Var
from .source import create_table_as


class PrologSyntaxError(SourceError):
    """A Prolog file that does not parse; the message names file and line."""


# --------------------------------------------------------------------------- terms


class PVar(NamedTuple):
    name: str


class Struct(NamedTuple):
    """A compound term (at least one argument); a list is ``'.'(H, T)`` ending in ``'[]'``."""

    name: str
    args: tuple[Term, ...] = ()


class PStr(NamedTuple):
    """A double-quoted string."""

    text: str


Term = Union[PVar, Struct, PStr, str, int, float]   # a str is an atom
NIL = "[]"


class Clause(NamedTuple):
    term: Term
    line: int

    @property
    def head(self) -> Term:
        return self.term.args[0] if _is(self.term, ":-", 2) else self.term

    @property
    def body(self) -> Term | None:
        return self.term.args[1] if _is(self.term, ":-", 2) else None

    def text(self) -> str:
        return show(self.term) + "."


def _is(t: Term, name: str, arity: int) -> bool:
    return isinstance(t, Struct) and t.name == name and len(t.args) == arity


def show(t: Term, maxp: int = 1200) -> str:
    """Prolog text of a term: operators infix (bracketed where precedence needs it), lists in brackets."""
    if isinstance(t, PVar):
        return t.name
    if isinstance(t, PStr):
        return json.dumps(t.text)
    if isinstance(t, str):
        return _atom_text(t)
    if not isinstance(t, Struct):
        return repr(t)
    if t.name == "." and len(t.args) == 2:
        items, rest = [], t
        while _is(rest, ".", 2):
            items.append(show(rest.args[0], 999))
            rest = rest.args[1]
        return "[" + ", ".join(items) + ("" if rest == NIL else "|" + show(rest, 999)) + "]"
    name = _atom_text(t.name)
    if len(t.args) == 2 and t.name in _INFIX:
        p, typ = _INFIX[t.name]
        text = show(t.args[0], p if typ == "yfx" else p - 1) + (", " if t.name == "," else f" {name} ") + \
            show(t.args[1], p if typ == "xfy" else p - 1)
    elif len(t.args) == 1 and t.name in _PREFIX:
        p, typ = _PREFIX[t.name]
        text = f"{name} {show(t.args[0], p if typ == 'fy' else p - 1)}"
    else:
        return name + "(" + ", ".join(show(a, 999) for a in t.args) + ")"
    return f"({text})" if p > maxp else text


def _atom_text(a: str) -> str:
    return a if re.fullmatch(r"[a-z]\w*|[-+*/\\^<>=~:.?@#&$]+|\[\]|!|;|,|\{\}", a) else "'" + a.replace("'", "''") + "'"


# --------------------------------------------------------------------------- reader

_TOKEN = re.compile(r"""
    (?P<ws>\s+|%[^\n]*|/\*.*?\*/)
  | (?P<badcomment>/\*)
  | (?P<end>\.(?=[\s%]|\Z))
  | (?P<float>\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)
  | (?P<int>0'(?:\\.|''|[^\\\n])|0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+|\d+)
  | (?P<word>[^\W\d]\w*)
  | (?P<sym>[-+*/\\^<>=~:.?@#&$]+|!|;)
  | (?P<qname>'(?:[^'\\]|''|\\.)*')
  | (?P<str>"(?:[^"\\]|""|\\.)*")
  | (?P<punct>[()\[\]{},|])
  | (?P<bad>.)
""", re.VERBOSE | re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\n": ""}

_INFIX: dict[str, tuple[int, str]] = {
    ":-": (1200, "xfx"), "-->": (1200, "xfx"), ";": (1100, "xfy"), "|": (1100, "xfy"), "->": (1050, "xfy"),
    "*->": (1050, "xfy"), ",": (1000, "xfy"), ":": (200, "xfy"), "**": (200, "xfx"), "^": (200, "xfy"),
    **{op: (700, "xfx") for op in ("=", "\\=", "==", "\\==", "@<", "@>", "@=<", "@>=", "=..", "is", "=:=",
                                    "=\\=", "<", ">", "=<", ">=", "as")},
    **{op: (500, "yfx") for op in ("+", "-", "/\\", "\\/", "xor")},
    **{op: (400, "yfx") for op in ("*", "/", "//", "mod", "rem", "<<", ">>", "div", "rdiv", "divmod")},
}
_PREFIX: dict[str, tuple[int, str]] = {":-": (1200, "fx"), "?-": (1200, "fx"), "\\+": (900, "fy"),
                                       "-": (200, "fy"), "+": (200, "fy"), "\\": (200, "fy")}
_UNKNOWN_SYM_OP = (700, "xfx")   # clpfd's #=, #< ... : read as comparisons, then rejected as non-Datalog
_STARTS = {"num", "var", "name", "qname", "str"}


def _unquote(s: str) -> str:
    q = s[0]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), s[1:-1].replace(q + q, q),
                  flags=re.DOTALL)


def _char_code(c: str) -> int:
    """``0'c``: the code of c (``0'\\n``, ``0''``)."""
    return ord(_ESCAPES.get(c[1], c[1]) if c[0] == "\\" else c[0])


@dataclass
class _Tok:
    kind: str     # num, var, name, qname, str, punct, end
    text: str
    value: Any
    pos: int
    glued: bool   # no layout before it (``f(`` is a call, ``f (`` is not)


def _tokens(src: str, file: str, pos: int = 0) -> Iterator[_Tok]:
    glued = True
    for m in _TOKEN.finditer(src, pos):
        kind, text = m.lastgroup, m.group()
        if kind == "ws":
            glued = False
            continue
        if kind in ("bad", "badcomment"):
            what = {"'": "unterminated quoted atom", '"': "unterminated string", "/": "unterminated /* comment"}
            raise PrologSyntaxError(f"{file}:{src.count(chr(10), 0, m.start()) + 1}: "
                                    f"{what.get(text[0], f'unexpected character {text!r}')}")
        if kind == "int":
            value: Any = _char_code(text[2:]) if text.startswith("0'") else \
                int(text, 0) if text[:2] in ("0x", "0o", "0b") else int(text)
            kind = "num"
        elif kind == "float":
            value, kind = float(text), "num"
        elif kind == "word":
            kind = "var" if text[0] == "_" or text[0].isupper() else "name"
            value = text
        elif kind == "sym":
            value, kind = text, "name"
        elif kind in ("qname", "str"):
            value = _unquote(text)
        else:
            value = text
        yield _Tok(kind, text, value, m.start(), glued)
        glued = True


class _Parser:
    """Precedence climbing over the tokens of one clause."""

    def __init__(self, toks: list[_Tok], src: str, file: str, asp: bool):
        self.toks, self.i, self.src, self.file, self.asp = toks, 0, src, file, asp
        self.anon = 0

    def fail(self, msg: str) -> PrologSyntaxError:
        pos = self.toks[min(self.i, len(self.toks) - 1)].pos
        return PrologSyntaxError(f"{self.file}:{self.src.count(chr(10), 0, pos) + 1}: {msg}")

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def expect(self, text: str) -> None:
        t = self.peek()
        if t is None or t.kind != "punct" or t.text != text:
            raise self.fail(f"expected {text!r}, found {t.text if t else 'end of clause'!r}")
        self.i += 1

    def clause(self) -> Term:
        t = self.expr(1200)
        if self.peek() is not None:
            raise self.fail(f"operator expected before {self.peek().text!r}")
        return t

    def args(self, close: str) -> list[Term]:
        out = [self.expr(999)]
        while (t := self.peek()) is not None and t.kind == "punct" and t.text == ",":
            self.i += 1
            out.append(self.expr(999))
        self.expect(close)
        return out

    def primary(self, maxp: int) -> tuple[Term, int]:
        t = self.peek()
        if t is None:
            raise self.fail("unexpected end of clause")
        self.i += 1
        nxt = self.peek()
        call = nxt is not None and nxt.kind == "punct" and nxt.text == "(" and nxt.glued
        if t.kind == "num":
            return t.value, 0
        if t.kind == "str":
            return PStr(t.value), 0
        if t.kind == "var":
            if t.text == "_":
                self.anon += 1
                return PVar(f"_G{self.anon}"), 0
            return PVar(t.text), 0
        if t.kind in ("name", "qname"):
            if call:
                self.i += 1
                return Struct(t.value, tuple(self.args(")"))), 0
            if t.kind == "name" and t.text == "-" and nxt is not None and nxt.kind == "num" and nxt.glued:
                self.i += 1
                return -nxt.value, 0
            if t.kind == "name" and t.text in _PREFIX and nxt is not None and (
                    nxt.kind in _STARTS and nxt.text not in _INFIX or nxt.kind == "punct" and nxt.text in "([{"):
                p, typ = _PREFIX[t.text]
                p = min(p, maxp)
                return Struct(t.text, (self.expr(p if typ == "fy" else p - 1),)), p
            return t.value, 0
        if t.text == "(":
            inner = self.expr(1200)
            self.expect(")")
            return inner, 0
        if t.text == "[":
            if nxt is not None and nxt.text == "]":
                self.i += 1
                return NIL, 0
            items = [self.expr(999)]
            while (n := self.peek()) is not None and n.text == "," and n.kind == "punct":
                self.i += 1
                items.append(self.expr(999))
            tail: Term = NIL
            if (n := self.peek()) is not None and n.text == "|":
                self.i += 1
                tail = self.expr(999)
            self.expect("]")
            for item in reversed(items):
                tail = Struct(".", (item, tail))
            return tail, 0
        if t.text == "{":
            if nxt is not None and nxt.text == "}":
                self.i += 1
                return "{}", 0
            inner = self.expr(1200)
            self.expect("}")
            return Struct("{}", (inner,)), 0
        raise self.fail(f"unexpected {t.text!r}")

    def expr(self, maxp: int) -> Term:
        left, lp = self.primary(maxp)
        while (t := self.peek()) is not None:
            if t.kind not in ("name", "punct") or t.text not in _INFIX and not (
                    t.kind == "name" and not t.text[0].isalpha()):
                break
            p, typ = _INFIX.get(t.text, _UNKNOWN_SYM_OP)
            if p > maxp or lp > (p if typ == "yfx" else p - 1):
                break
            self.i += 1
            if self.asp and t.text == "," and (n := self.peek()) is not None and n.text == ")":
                break  # ASP one-tuple ``(a,)``
            right = self.expr(p if typ == "xfy" else p - 1)
            left, lp = Struct(t.text, (left, right)), p
        return left


@dataclass
class Read:
    """What one file held: clauses, the number of directives skipped, unreadable clauses."""

    clauses: list[Clause]
    directives: int = 0
    unreadable: list[str] = field(default_factory=list)


_LAYOUT = re.compile(r"(?:\s+|%[^\n]*|/\*.*?\*/)*", re.DOTALL)
_ARG = r"(?:[a-z]\w*|-?\d+(?:\.\d+)?)"
# fast path for the bulk of a task: ``p(c1, ..., cn).`` and ``pos(p(c1, ..., cn)).`` with plain constants
_FAST = re.compile(rf"([a-z]\w*)\((?:\s*([a-z]\w*)\()?\s*({_ARG}(?:\s*,\s*{_ARG})*)\s*\)(?(2)\s*\))\s*\.(?=[\s%]|\Z)")


def _const(text: str) -> Term:
    if text[0].isalpha():
        return text
    return float(text) if "." in text else int(text)


def _fast_term(m: re.Match) -> Term:
    outer, inner, args = m.groups()
    t = Struct(inner or outer, tuple([_const(a.strip()) for a in args.split(",")]))
    return Struct(outer, (t,)) if inner else t


def _clause_tokens(src: str, file: str, pos: int, line: int) -> tuple[list[_Tok], int]:
    """The tokens of the clause starting at ``pos`` and the position after its end."""
    toks = []
    for tok in _tokens(src, file, pos):
        if tok.kind == "end":
            return toks, tok.pos + 1
        toks.append(tok)
    raise PrologSyntaxError(f"{file}:{line}: unterminated clause (missing '.' at the end)")


def read_clauses(src: str, file: str = "<text>", lenient: bool = False) -> Read:
    """Parse Prolog text into clauses; ``:- ...`` directives are counted and skipped.

    ``lenient`` (for ASP ``bias.pl``): a clause that does not parse is noted in
    ``unreadable`` instead of raising."""
    out = Read([])
    pos, line, last = 0, 1, 0
    while (pos := _LAYOUT.match(src, pos).end()) < len(src):
        line += src.count("\n", last, pos)
        last = pos
        if m := _FAST.match(src, pos):
            out.clauses.append(Clause(_fast_term(m), line))
            pos = m.end()
            continue
        toks, pos = _clause_tokens(src, file, pos, line)
        if not toks:
            continue
        if toks[0].kind == "name" and toks[0].text in (":-", "?-"):
            out.directives += 1
            continue
        try:
            out.clauses.append(Clause(_Parser(toks, src, file, lenient).clause(), line))
        except PrologSyntaxError as err:
            if not lenient:
                raise
            out.unreadable.append(str(err))
    return out


def read_terms(src: str) -> list[Clause]:
    """The clauses of ``src`` (directives dropped)."""
    return read_clauses(src).clauses


# --------------------------------------------------------------------------- bias


@dataclass
class PopperBias:
    """The ``bias.pl`` settings ruledisc can use."""

    head_preds: list[tuple[str, int]] = field(default_factory=list)
    body_preds: list[tuple[str, int]] = field(default_factory=list)
    types: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    max_body: int | None = None
    max_vars: int | None = None
    max_clauses: int | None = None
    recursion: bool = False
    invention: bool = False


def _flat(t: Term, op: str) -> list[Term]:
    return _flat(t.args[0], op) + _flat(t.args[1], op) if _is(t, op, 2) else [t]


def read_bias(clauses: list[Clause]) -> PopperBias:
    """The settings among ``bias.pl``'s clauses; everything else is ignored."""
    b = PopperBias()
    for c in clauses:
        t = c.term
        if t in ("enable_recursion", "enable_pi"):
            b.recursion |= t == "enable_recursion"
            b.invention |= t == "enable_pi"
        if not isinstance(t, Struct):
            continue
        a = t.args
        if t.name in ("head_pred", "body_pred") and len(a) == 2 and isinstance(a[0], str) \
                and isinstance(a[1], int):
            (b.head_preds if t.name == "head_pred" else b.body_preds).append((a[0], a[1]))
        elif t.name in ("max_body", "max_vars", "max_clauses") and len(a) == 1 and isinstance(a[0], int):
            setattr(b, t.name, a[0])
        elif t.name == "type" and len(a) == 2 and isinstance(a[0], str):
            names = tuple(str(x) for x in _flat(a[1], ","))
            b.types[(a[0], len(names))] = names
    return b


# --------------------------------------------------------------------------- facts -> columns

Value = Union[str, int, float]
INT64 = (-(2**63), 2**63 - 1)


def _value(t: Term) -> Value | None:
    """A constant usable in a table cell; None for variables, lists and compound terms."""
    kind = type(t)
    if kind is str:
        return None if t in ("[]", "{}") else t
    if kind is int or kind is float:
        return t
    return t.text if kind is PStr else None


def _why_not_value(t: Term) -> str:
    if isinstance(t, PVar):
        return "a variable (non-ground fact)"
    if t == NIL or _is(t, ".", 2):
        return "a list argument"
    return f"a compound argument {t.name}/{len(t.args)}" if isinstance(t, Struct) else "an unsupported argument"


def sql_type(values: Any) -> str:
    """BIGINT if every value is an int (in range), DOUBLE if numeric, else VARCHAR."""
    kinds = {type(v) for v in values}
    if kinds <= {int} and kinds and all(INT64[0] <= v <= INT64[1] for v in (min(values), max(values))):
        return "BIGINT"
    if kinds and kinds <= {int, float}:
        return "DOUBLE"
    return "VARCHAR" if kinds else ""


def unify_types(types: Any) -> str:
    ts = {t for t in types if t}
    if not ts:
        return "VARCHAR"
    return ts.pop() if len(ts) == 1 else "DOUBLE" if ts <= {"BIGINT", "DOUBLE"} else "VARCHAR"


def _cell(v: Value, typ: str) -> Value:
    if typ == "VARCHAR":
        return v if isinstance(v, str) else repr(v)
    return float(v) if typ == "DOUBLE" else v


_ARROW = {"BIGINT": pa.int64(), "DOUBLE": pa.float64(), "VARCHAR": pa.string()}


# --------------------------------------------------------------------------- rules -> Datalog

_CMP = {"=": "=", "==": "=", "=:=": "=", "\\=": "!=", "\\==": "!=", "=\\=": "!=", "<": "<", ">": ">",
        "=<": "<=", ">=": ">="}
_NOT_DATALOG = {"\\+": "negation (\\+)", "!": "cut (!)", "is": "arithmetic (is/2)", ";": "disjunction (;)",
                "->": "if-then-else (->)", "*->": "soft cut (*->)", "not": "negation (not/1)",
                "call": "meta-call (call/N)", "findall": "aggregation (findall/3)"}


class NotDatalog(Exception):
    """Why a clause cannot be evaluated in SQL."""


def _dl_term(t: Term) -> Var | Const:
    if isinstance(t, PVar):
        return Var(t.name)
    v = _value(t)
    if v is None:
        raise NotDatalog(_why_not_value(t))
    return Const(v)


def to_datalog(c: Clause, tables: dict[tuple[str, int], str]) -> Rule:
    """A bk rule as a :class:`Rule` over table names; raises :class:`NotDatalog`."""
    head = c.head
    if not isinstance(head, Struct) or not head.args:
        raise NotDatalog("the head has no arguments")
    body: list[Literal] = []
    for g in _flat(c.body, ","):
        if g == "true":
            continue
        if not isinstance(g, (Struct, str)):
            raise NotDatalog(f"body goal {show(g)} is not a predicate call")
        name, args = (g, ()) if isinstance(g, str) else g
        if name in _CMP and len(args) == 2:
            body.append(Comparison(_CMP[name], _dl_term(args[0]), _dl_term(args[1])))
        elif name in _NOT_DATALOG:
            raise NotDatalog(_NOT_DATALOG[name])
        elif (name, len(args)) in tables:
            body.append(Atom(tables[(name, len(args))], tuple(_dl_term(a) for a in args)))
        else:
            raise NotDatalog(f"calls {name}/{len(args)}, which bk.pl does not define "
                             "(Prolog built-ins are not Datalog)")
    rule = _bind_equalities(Rule(Atom(tables[(head.name, len(head.args))],
                                      tuple(_dl_term(a) for a in head.args)), tuple(body)))
    if not any(isinstance(lit, Atom) for lit in rule.body):
        raise NotDatalog("no body atom over bk predicates (an infinite or built-in relation)")
    if not rule.is_range_restricted():
        loose = sorted(set(rule.variables()) - rule.body_vars())
        raise NotDatalog(f"not range-restricted: {', '.join(loose)} not bound by a body atom")
    return rule


def _bind_equalities(rule: Rule) -> Rule:
    """``X = t`` where no body atom binds X: put t for X and drop the equality."""
    for k, lit in enumerate(rule.body):
        if isinstance(lit, Comparison) and lit.op == "=":
            for var, val in ((lit.left, lit.right), (lit.right, lit.left)):
                if isinstance(var, Var) and var.name not in rule.body_vars():
                    sub = lambda t, var=var, val=val: val if t == var else t
                    body = tuple(Atom(b.pred, tuple(map(sub, b.args))) if isinstance(b, Atom)
                                 else Comparison(b.op, sub(b.left), sub(b.right))
                                 for j, b in enumerate(rule.body) if j != k)
                    return _bind_equalities(Rule(Atom(rule.head.pred, tuple(map(sub, rule.head.args))), body))
    return rule


def _family(typ: str) -> str:
    return "str" if typ == "VARCHAR" else "num"


def rule_types(rule: Rule, cat: Catalog) -> list[str]:
    """SQL types of the head's columns; raises :class:`NotDatalog` on a type clash."""
    seen: dict[str, str] = {}
    for lit in rule.body:
        if isinstance(lit, Atom):
            for a, typ in zip(lit.args, cat.predicate(lit.pred, len(lit.args)).types):
                if isinstance(a, Var) and _family(seen.setdefault(a.name, typ)) != _family(typ):
                    raise NotDatalog(f"type clash: {a.name} joins {seen[a.name]} and {typ} columns")
    for lit in rule.body:
        if isinstance(lit, Comparison):
            fams = {_family(seen[t.name]) if isinstance(t, Var) else _family(sql_type([t.value]))
                    for t in (lit.left, lit.right)}
            if len(fams) > 1:
                raise NotDatalog(f"type clash in {lit.text()}")
    return [seen[a.name] if isinstance(a, Var) else sql_type([a.value]) for a in rule.head.args]


# --------------------------------------------------------------------------- report


@dataclass
class TableInfo:
    name: str
    predicate: str          # name/arity in the task
    kind: str               # facts, rules, positives, negatives
    rows: int
    columns: list[tuple[str, str]]


@dataclass
class Skipped:
    item: str
    reason: str


@dataclass
class TargetInfo:
    predicate: str
    table: str
    negatives: str | None   # table of negative examples
    n_positives: int
    n_negatives: int
    background: list[str]
    command: str            # the suggested ``ruledisc mine`` command line


@dataclass
class ImportReport:
    task_dir: str
    out_path: str
    tables: list[TableInfo] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    targets: list[TargetInfo] = field(default_factory=list)
    bias: PopperBias | None = None
    notes: list[str] = field(default_factory=list)
    directives: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def commands(self) -> list[str]:
        return [t.command for t in self.targets]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.bias is not None:
            d["bias"]["types"] = {f"{n}/{a}": list(ts) for (n, a), ts in self.bias.types.items()}
        d["commands"] = self.commands
        return d

    def summary(self) -> str:
        lines = [f"imported {self.task_dir} into {self.out_path} ({self.timings.get('total_s', 0):.2f}s)"]
        lines += [f"  {t.name:<24} {t.rows:>8} rows  {t.kind} {t.predicate}" for t in self.tables]
        if self.directives:
            lines.append(f"{self.directives} directive(s) (:- ...) ignored")
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)}:")
            lines += [f"  {s.item}: {s.reason}" for s in self.skipped]
        lines += [f"note: {n}" for n in self.notes]
        if self.targets:
            lines.append("next:")
            lines += [f"  {t.command}" for t in self.targets]
        return "\n".join(lines)


# --------------------------------------------------------------------------- import


@dataclass
class _Pred:
    """One bk predicate name/arity: its facts and rules, and why it cannot be a table."""

    name: str
    arity: int
    facts: list[tuple[Value, ...]] = field(default_factory=list)
    rules: list[Clause] = field(default_factory=list)
    bad: str | None = None
    table: str = ""

    @property
    def key(self) -> str:
        return f"{self.name}/{self.arity}"


_FRAME = "__rd_popper_frame"


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building millions of acyclic tuples (halves the parse time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _read(path: Path, lenient: bool = False) -> Read:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(f"cannot read {path}: {err}") from err
    return read_clauses(text, path.name, lenient)


def _group_bk(clauses: list[Clause], skipped: list[Skipped]) -> dict[tuple[str, int], _Pred]:
    """Facts and rules per name/arity; facts that are not constants mark the predicate bad."""
    preds: dict[tuple[str, int], _Pred] = {}
    for c in clauses:
        head = c.head
        if not isinstance(head, Struct) or not head.args:
            skipped.append(Skipped(f"bk.pl:{c.line}", f"{show(head)} has no arguments, so no table"))
            continue
        p = preds.setdefault((head.name, len(head.args)), _Pred(head.name, len(head.args)))
        if c.body is not None:
            p.rules.append(c)
            continue
        row = tuple(_value(a) for a in head.args)
        if None in row and p.bad is None:
            p.bad = f"bk.pl:{c.line}: {_why_not_value(head.args[row.index(None)])}"
        p.facts.append(row)
    return preds


def _name_tables(keys: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    arities: dict[str, set[int]] = {}
    for n, a in keys:
        arities.setdefault(n, set()).add(a)
    return {(n, a): n if len(arities[n]) == 1 else f"{n}_{a}" for n, a in keys}


def _examples(clauses: list[Clause]) -> dict[tuple[str, int], dict[str, list[Term]]]:
    """``pos``/``neg`` atoms per example predicate."""
    out: dict[tuple[str, int], dict[str, list[Term]]] = {}
    for c in clauses:
        t = c.term
        if not (isinstance(t, Struct) and t.name in ("pos", "neg") and len(t.args) == 1
                and isinstance(t.args[0], Struct)):
            raise DataError(f"exs.pl:{c.line}: expected pos(atom). or neg(atom)., found {show(t)}")
        ex = t.args[0]
        out.setdefault((ex.name, len(ex.args)), {"pos": [], "neg": []})[t.name].append(ex)
    return out


def _write(eng: Engine, name: str, types: list[str], rows: list[tuple[Value, ...]]) -> int:
    """``CREATE TABLE main.name AS`` the rows (bulk, through an arrow frame); returns the row count."""
    cells = list(dict.fromkeys(tuple(_cell(v, t) for v, t in zip(r, types)) for r in rows))
    cols = [f"a{i}" for i in range(len(types))]
    data = list(zip(*cells)) if cells else [()] * len(types)
    frame = pa.Table.from_arrays([pa.array(list(d), type=_ARROW[t]) for d, t in zip(data, types)], names=cols)
    eng.con.register(_FRAME, frame)
    try:
        eng.execute(create_table_as(name, exp.select(*[exp.column(c, quoted=True) for c in cols])
                                    .from_(exp.to_identifier(_FRAME, quoted=True))))
    finally:
        eng.con.unregister(_FRAME)
    return len(cells)


def _register(cat: Catalog, name: str, types: list[str]) -> None:
    cols = tuple(f"a{i}" for i in range(len(types)))
    cat.tables[name] = Table(name, tuple(Column(c, t) for c, t in zip(cols, types)))
    cat.predicates[name] = Predicate(name, name, cols, RELATION, tuple(types))


def _strata(preds: dict[tuple[str, int], _Pred]) -> list[_Pred]:
    """Rule-defined predicates in dependency order; mutual recursion is skipped."""
    ruled = {k: p for k, p in preds.items() if p.rules and p.bad is None}
    deps = {k: {(g.name, len(g.args)) for c in p.rules for g in _flat(c.body, ",")
                if isinstance(g, Struct) and (g.name, len(g.args)) in ruled} - {k} for k, p in ruled.items()}
    reach = {k: set(d) for k, d in deps.items()}
    for _ in ruled:
        for k in reach:
            reach[k] |= {y for x in reach[k] for y in reach[x]}
    for k, p in ruled.items():
        if k in reach[k]:
            others = sorted(f"{n}/{a}" for n, a in reach[k] if k in reach[(n, a)] and (n, a) != k)
            p.bad = f"mutual recursion with {', '.join(others)} is not supported"
    order: list[_Pred] = []
    done: set[tuple[str, int]] = set()
    while len(done) < len(ruled):
        ready = [k for k in ruled if k not in done and (deps[k] <= done or ruled[k].bad)]
        if not ready:
            break
        for k in ready:
            done.add(k)
            order.append(ruled[k])
    return order


def import_popper(task_dir: str | Path, out_path: str | Path, reporter: Reporter | None = None) -> ImportReport:
    """Read a Popper task folder into the DuckDB file ``out_path`` (created if missing).

    One transaction: on any error a new file is removed and an existing one left as it was.
    Refuses (UsageError) if ``out_path`` already holds a table the import would create."""
    with _no_gc():
        return _import(Path(task_dir), Path(out_path), Phases(reporter))


def _import(d: Path, out: Path, ph: Phases) -> ImportReport:
    if not d.is_dir():
        raise UsageError(f"task folder {str(d)!r} does not exist; give a folder holding bk.pl and exs.pl")
    for f in ("bk.pl", "exs.pl"):
        if not (d / f).is_file():
            raise SourceError(f"{d / f} is missing; a Popper task folder holds bk.pl, exs.pl and bias.pl")
    rep = ImportReport(str(d), str(out))
    with ph.phase("parse"):
        bk, exs = _read(d / "bk.pl"), _read(d / "exs.pl")
        bias_read = _read(d / "bias.pl", lenient=True) if (d / "bias.pl").is_file() else None
    rep.directives = bk.directives + exs.directives
    if bias_read is None:
        rep.notes.append("no bias.pl: every bk table is offered as background")
    else:
        rep.bias = read_bias(bias_read.clauses)
        if bias_read.unreadable:
            rep.notes.append(f"bias.pl: {len(bias_read.unreadable)} clause(s) in ASP syntax not read")
    plan = _plan(bk.clauses, exs.clauses, rep)
    with ph.phase("write"):
        _write_db(out, plan, rep)
    rep.skipped.sort(key=lambda s: s.item.startswith("examples"))
    _suggest(rep, plan)
    ph.total()
    rep.timings = dict(ph.timings)
    return rep


@dataclass
class _Plan:
    preds: dict[tuple[str, int], _Pred]
    types: dict[tuple[str, int], list[str]]          # fact / example columns
    examples: dict[tuple[str, int], dict[str, list[tuple[Value, ...]]]]   # pos / neg rows
    example_tables: dict[tuple[str, int], str]

    def tables(self) -> list[tuple[str, str]]:
        """(table, what it holds) for every table the import may create."""
        out = [(p.table, p.key) for p in self.preds.values() if p.bad is None]
        for k, base in self.example_tables.items():
            out += [(base + s, f"examples {k[0]}/{k[1]}") for s in ("", "_neg") if s == "" or self.examples[k]["neg"]]
        return out


def _plan(bk: list[Clause], exs: list[Clause], rep: ImportReport) -> _Plan:
    """Everything decided before the database is touched: names, rows, types."""
    preds = _group_bk(bk, rep.skipped)
    ex_terms = _examples(exs)
    names = _name_tables(list(preds))
    for k, p in preds.items():
        p.table = names[k]
    bk_names = {p.name for p in preds.values()}
    clash = sorted({n for n, _ in ex_terms} & bk_names)
    if clash:
        raise DataError(f"example predicate {clash[0]!r} is also defined in bk.pl; a target must not be "
                        "background knowledge (rename it in exs.pl)")
    ex_names = _name_tables(list(ex_terms))
    examples: dict[tuple[str, int], dict[str, list[tuple[Value, ...]]]] = {}
    for k, sides in ex_terms.items():
        rows = {s: [tuple(_value(a) for a in t.args) for t in ts] for s, ts in sides.items()}
        bad = next((t.args[r.index(None)] for s in rows for t, r in zip(sides[s], rows[s]) if None in r), None)
        if bad is not None:
            rep.skipped.append(Skipped(f"examples {k[0]}/{k[1]}", f"{_why_not_value(bad)}; "
                                       "ruledisc learns over constants only"))
            continue
        examples[k] = rows
        both = set(rows["pos"]) & set(rows["neg"])
        if both:
            rep.notes.append(f"{len(both)} example(s) of {k[0]}/{k[1]} are both pos and neg")
    plan = _Plan(preds, _column_types(preds, examples, rep.bias or PopperBias()), examples,
                 {k: ex_names[k] for k in examples})
    taken: dict[str, str] = {}
    for tname, what in plan.tables():
        if tname.lower() in taken:  # DuckDB matches names case-insensitively
            raise DataError(f"{what} and {taken[tname.lower()]} would both be table {tname!r}")
        taken[tname.lower()] = what
    return plan


def _column_types(preds: dict[tuple[str, int], _Pred], examples: dict, bias: PopperBias) \
        -> dict[tuple[str, int], list[str]]:
    """Per column from its values; columns of one Popper ``type`` share the widest SQL type."""
    own: dict[tuple[str, int], list[str]] = {}
    for k, p in preds.items():
        if p.bad is None and p.facts:
            own[k] = [sql_type(col) for col in zip(*p.facts)]
    for k, rows in examples.items():
        both = rows["pos"] + rows["neg"]
        own[k] = [sql_type(col) for col in zip(*both)]
    by_type: dict[str, list[str]] = {}
    for k, ts in own.items():
        for name, t in zip(bias.types.get(k, ()), ts):
            by_type.setdefault(name, []).append(t)
    out = {}
    for k, ts in own.items():
        names = bias.types.get(k, ())
        out[k] = [unify_types(by_type[names[i]] if i < len(names) else [t]) for i, t in enumerate(ts)]
    return out


def _existing_tables(eng: Engine) -> set[str]:
    q = (exp.select("table_name").from_("information_schema.tables")
         .where("table_schema = 'main' AND table_catalog = current_database()"))
    return {r[0].lower() for r in eng.rows(q)}


def _write_db(out: Path, plan: _Plan, rep: ImportReport) -> None:
    """Open or create ``out``, refuse clashing names, write everything in one transaction."""
    if out.is_dir():
        raise UsageError(f"{out} is a folder; give a DuckDB file path to write")
    existed = out.exists()
    try:
        con = duckdb.connect(str(out))
    except (duckdb.Error, OSError) as err:
        raise SourceError(f"cannot open {out} as a DuckDB database: {str(err).splitlines()[0]}") from err
    eng, ok = Engine(con), False
    try:
        existing = _existing_tables(eng)
        busy = sorted(t for t, _ in plan.tables() if t.lower() in existing)
        if busy:
            raise UsageError(f"{out} already has table(s) {', '.join(busy)}; import into a new file")
        with eng.transaction():
            _write_all(eng, plan, rep)
        ok = True
    finally:
        con.close()
        if not ok and not existed:
            out.unlink(missing_ok=True)
            Path(str(out) + ".wal").unlink(missing_ok=True)


def _write_all(eng: Engine, plan: _Plan, rep: ImportReport) -> None:
    """Fact tables, then derived tables stratum by stratum, then the example tables."""
    cat = Catalog({})
    tables = {k: p.table for k, p in plan.preds.items()}
    for p in plan.preds.values():
        if p.bad is None and not p.rules:
            types = plan.types[(p.name, p.arity)]
            n = _write(eng, p.table, types, p.facts)
            _register(cat, p.table, types)
            rep.tables.append(TableInfo(p.table, p.key, "facts", n, [(f"a{i}", t) for i, t in enumerate(types)]))
    for p in _strata(plan.preds):
        if p.bad is None:
            _derive(eng, cat, p, plan, tables, rep)
    rep.skipped += [Skipped(p.key, p.bad) for p in plan.preds.values() if p.bad]
    for k, rows in plan.examples.items():
        types, base = plan.types[k], plan.example_tables[k]
        for side, suffix, kind in (("pos", "", "positives"), ("neg", "_neg", "negatives")):
            if side == "neg" and not rows["neg"]:
                continue
            n = _write(eng, base + suffix, types, rows[side])
            rep.tables.append(TableInfo(base + suffix, f"{k[0]}/{k[1]}", kind, n,
                                        [(f"a{i}", t) for i, t in enumerate(types)]))


def _derive(eng: Engine, cat: Catalog, p: _Pred, plan: _Plan, tables: dict[tuple[str, int], str],
            rep: ImportReport) -> None:
    """Evaluate one predicate's rules (and facts) to its least fixpoint, stored as a table.
    Sets ``p.bad`` instead when the rules are not Datalog."""
    rules = []
    for c in p.rules:
        for g in _flat(c.body, ","):
            dep = plan.preds.get((g.name, len(g.args))) if isinstance(g, Struct) else None
            if dep is not None and dep is not p and dep.table not in cat.predicates:
                p.bad = f"bk.pl:{c.line}: depends on {dep.key}, which was skipped"
                return
        try:
            rules.append(to_datalog(c, tables))
        except NotDatalog as err:
            p.bad = f"bk.pl:{c.line}: not Datalog: {err}"
            return
    try:
        types = _derived_types(cat, p, rules, plan.types.get((p.name, p.arity)) if p.facts else None)
    except NotDatalog as err:
        p.bad = f"bk.pl:{p.rules[0].line}: {err}"
        return
    cols = list(cat.predicates[p.table].columns)
    facts = f"__rd_popper_facts__{p.table}"
    if p.facts:  # the facts come in as one more base rule
        _write(eng, facts, types, p.facts)
        _register(cat, facts, types)
        args = tuple(Var(f"A{i}") for i in range(p.arity))
        rules.append(Rule(Atom(p.table, args), (Atom(facts, args),)))
    eng.execute(create_table_as(p.table, fixpoint_query(rules, cat, cols, types)))
    if p.facts:
        eng.execute(exp.Drop(tables=[tab(facts)], kind="TABLE"))
        del cat.predicates[facts], cat.tables[facts]
    n = eng.scalar(exp.select(exp.func("count", exp.Star())).from_(tab(p.table)))
    rep.tables.append(TableInfo(p.table, p.key, "rules", int(n), list(zip(cols, types))))


def _derived_types(cat: Catalog, p: _Pred, rules: list[Rule], fact_types: list[str] | None) -> list[str]:
    """Column types of a derived predicate (registered in ``cat``): from its base
    rules and facts, then checked against every rule."""
    heads = [rule_types(r, cat) for r in rules if p.table not in {a.pred for a in r.body if isinstance(a, Atom)}]
    heads += [fact_types] if fact_types else []
    if not heads:
        raise NotDatalog("no base case: every rule reads the predicate itself")
    if any(len({_family(t) for t in ts}) > 1 for ts in zip(*heads)):
        raise NotDatalog("its rules derive values of different types in one argument")
    types = [unify_types(ts) for ts in zip(*heads)]
    _register(cat, p.table, types)
    try:
        for r in rules:
            rule_types(r, cat)
    except NotDatalog:
        del cat.predicates[p.table], cat.tables[p.table]
        raise
    return types


def _suggest(rep: ImportReport, plan: _Plan) -> None:
    """Targets and the ``ruledisc mine`` command for each."""
    made = {t.predicate: t.name for t in rep.tables if t.kind in ("facts", "rules")}
    b = rep.bias or PopperBias(recursion=True)
    background = [] if b.body_preds else list(made.values())
    for n, a in b.body_preds:
        key = f"{n}/{a}"
        if key in made:
            background.append(made[key])
        else:
            why = "skipped" if any(s.item == key for s in rep.skipped) else "no facts or rules in bk.pl"
            rep.notes.append(f"body_pred {key} left out of --background ({why})")
    max_body = b.max_body
    if max_body is not None and max_body > 6:
        rep.notes.append(f"max_body {max_body} clamped to 6, the most `ruledisc mine` accepts")
        max_body = 6
    max_vars = b.max_vars
    if max_vars is not None and max_vars > 10:
        rep.notes.append(f"max_vars {max_vars} clamped to 10, the most `ruledisc mine` accepts")
        max_vars = 10
    heads = {f"{n}/{a}" for n, a in b.head_preds}
    if not plan.example_tables:
        rep.notes.append("no target left to mine: every example predicate was skipped")
    for k, base in plan.example_tables.items():
        pred = f"{k[0]}/{k[1]}"
        if heads and pred not in heads:
            rep.notes.append(f"examples of {pred} are not a head_pred in bias.pl")
        if not plan.examples[k]["pos"]:
            rep.notes.append(f"{pred} has no pos examples; `ruledisc mine` needs some")
        neg = base + "_neg" if plan.examples[k]["neg"] else None
        cmd = ["ruledisc", "mine", rep.out_path, "--target", base]
        cmd += ["--negatives", neg] if neg else []
        cmd += ["--background", ",".join(background)] if background else []
        cmd += ["--max-body", str(max_body)] if max_body else []
        cmd += ["--max-vars", str(max_vars)] if max_vars else []
        cmd += [] if b.recursion else ["--recursion", "off"]
        cmd += ["--invention", "on"] if b.invention else []
        rep.targets.append(TargetInfo(pred, base, neg, len(plan.examples[k]["pos"]), len(plan.examples[k]["neg"]),
                                      background, " ".join(shlex.quote(c) for c in cmd)))
