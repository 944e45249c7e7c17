"""Datalog text -> :class:`Rule`; the inverse of :meth:`Rule.text`.

Accepts Prolog spelling: ``head(X, Y) :- body(X, Z), other(Z, Y), X != Y.``
plus ``%`` / ``//`` comments and Souffle-style ``.decl name(col: type, ...)``
declarations giving a head's column names and SQL types. A predicate name is an
identifier (an invented predicate's ``#inv<k>`` suffix included) or double-quoted,
optionally ``table.column``.

>>> parse_rule("gp(X, Y) :- parent(X, Z), parent(Z, Y).").text()
'gp(X, Y) :- parent(X, Z), parent(Z, Y).'
>>> parse_rule("fizz#inv1(X, Y) :- succ(X, Z), fizz#inv2(Z, Y).").head.pred
'fizz#inv1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import RuleSyntaxError, UsageError
from .names import target_name
from .rule import COMPARISON_OPS, Atom, Comparison, Const, Literal, Rule, Term, Var

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|%[^\n]*|//[^\n]*)
  | (?P<decl>\.decl\b)
  | (?P<num>-?\d+(\.\d+)?([eE][-+]?\d+)?)
  | (?P<str>'(?:[^']|'')*')
  | (?P<qname>"(?:[^"]|"")*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\#inv\d+)*)
  | (?P<op>:-|!=|<>|<=|>=|<|>|=)
  | (?P<punct>[(),.:])
    """,
    re.VERBOSE,
)


_KIND_NAMES = {"op": "a comparison operator", "name": "a name", "decl": "'.decl'"}


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    pos: int


@dataclass(frozen=True)
class Decl:
    """``.decl name(col: type, ...)``: head column names and SQL types."""

    pred: str
    columns: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Program:
    rules: tuple[Rule, ...]
    decls: tuple[Decl, ...]


def _tokenize(src: str) -> list[Tok]:
    """The tokens of ``src``; the closing ``eof`` token sits just after the last one,
    so "found end of input" points at the rule that lacks its end, not at a blank line."""
    out, i, end = [], 0, 0
    while i < len(src):
        m = _TOKEN.match(src, i)
        if not m:
            raise RuleSyntaxError(_where(src, i, f"unexpected character {src[i]!r}"))
        if m.lastgroup != "ws":
            out.append(Tok(m.lastgroup or "", m.group(), i))
            end = m.end()
        i = m.end()
    out.append(Tok("eof", "", end))
    return out


def _where(src: str, pos: int, msg: str) -> str:
    """``line N, column M: msg: 'the line'`` for the 0-based offset ``pos`` (may be ``len(src)``)."""
    start = src.rfind("\n", 0, pos) + 1
    stop = src.find("\n", pos)
    text = src[start:stop if stop >= 0 else len(src)].strip()
    where = f"line {src.count(chr(10), 0, pos) + 1}, column {pos - start + 1}: {msg}"
    return f"{where}: {text!r}" if text else where


def _found(t: Tok) -> str:
    return repr(t.text) if t.kind != "eof" else "end of input"


class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.toks = _tokenize(src)
        self.i = 0

    def peek(self, k: int = 0) -> Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self, text: str | None = None, kind: str | None = None) -> Tok:
        t = self.peek()
        if (text is not None and t.text != text) or (kind is not None and t.kind != kind):
            want = repr(text) if text else _KIND_NAMES.get(kind or "", kind)
            raise RuleSyntaxError(_where(self.src, t.pos, f"expected {want}, found {_found(t)}"))
        self.i += 1
        return t

    def name_part(self) -> str:
        t = self.peek()
        if t.kind == "name":
            self.i += 1
            return t.text
        if t.kind == "qname":
            self.i += 1
            return t.text[1:-1].replace('""', '"')
        raise RuleSyntaxError(_where(self.src, t.pos, f"expected a predicate name, found {_found(t)}"))

    def pred_name(self) -> str:
        """A predicate as its stored name (:mod:`ruledisc.names`): ``p``, ``t.c``, a categorical
        target's head ``t.c=value`` (value a name, number or string), each with an optional
        ``#inv<k>`` (an invented predicate) on its last bare part."""
        table, suffix = self._pred_part()
        value = self.peek(2).text == "=" and self.peek(3).kind in ("name", "num", "str", "qname") \
            and self.peek(4).text == "("
        column = val = None
        if self.peek().text == "." and self.peek(1).kind in ("name", "qname") and (self.peek(2).text == "(" or value):
            self.i += 1
            column, suffix = self._pred_part()
            if value:
                self.i += 1
                t = self.take()
                val = t.text[1:-1].replace(t.text[0] * 2, t.text[0]) if t.kind in ("str", "qname") else t.text
                if t.kind == "name":
                    val, suffix = _split_invented(val)
        return target_name(table, column, val) + suffix

    def _pred_part(self) -> tuple[str, str]:
        """One part of a predicate name, and the ``#inv<k>`` a bare part ends with."""
        bare = self.peek().kind == "name"
        part = self.name_part()
        return _split_invented(part) if bare else (part, "")

    def term(self) -> Term:
        t = self.peek()
        self.i += 1
        if t.kind == "name":
            if t.text[0].isupper() or t.text[0] == "_":
                return Var(t.text)
            if t.text in ("true", "false"):
                return Const(t.text == "true")
            return Const(t.text)
        if t.kind == "num":
            return Const(float(t.text) if any(c in t.text for c in ".eE") else int(t.text))
        if t.kind == "str":
            return Const(t.text[1:-1].replace("''", "'"))
        raise RuleSyntaxError(_where(self.src, t.pos, f"expected a variable or constant, found {_found(t)}"))

    def atom(self) -> Atom:
        pred = self.pred_name()
        self.take("(")
        args = [self.term()]
        while self.peek().text == ",":
            self.i += 1
            args.append(self.term())
        self.take(")")
        return Atom(pred, tuple(args))

    def literal(self) -> Literal:
        t1, t2 = self.peek(), self.peek(1)
        if t1.kind in ("name", "qname") and (t2.text in ("(", ".")):
            return self.atom()
        left = self.term()
        op = self.take(kind="op")
        if op.text not in COMPARISON_OPS and op.text != "<>":
            raise RuleSyntaxError(_where(self.src, op.pos, f"expected a comparison, found {op.text!r}"))
        right = self.term()
        cmp = Comparison("!=" if op.text == "<>" else op.text, left, right)
        if not cmp.vars():
            raise RuleSyntaxError(_where(self.src, t1.pos, "a comparison needs a variable"))
        return cmp.normal()

    def rule(self) -> Rule:
        start = self.peek().pos
        head = self.atom()
        body: list[Literal] = []
        if self.peek().text == ":-":
            self.i += 1
            body.append(self.literal())
            while self.peek().text == ",":
                self.i += 1
                body.append(self.literal())
        self.take(".")
        rule = Rule(head, tuple(body))
        if not rule.is_range_restricted():
            raise RuleSyntaxError(_where(self.src, start, "every head variable and compared variable "
                                                          "must appear in a body atom"))
        return rule

    def decl(self) -> Decl:
        self.take(kind="decl")
        pred = self.pred_name()
        self.take("(")
        cols = []
        while True:
            col = self.name_part()
            self.take(":")
            t = self.peek()
            if t.kind != "name":
                raise RuleSyntaxError(_where(self.src, t.pos, f"expected a column type, found {_found(t)}"))
            self.i += 1
            typ = t.text
            cols.append((col, typ))
            if self.peek().text != ",":
                break
            self.i += 1
        self.take(")")
        return Decl(pred, tuple(cols))

    def program(self) -> Program:
        rules, decls = [], []
        while self.peek().kind != "eof":
            if self.peek().kind == "decl":
                decls.append(self.decl())
            else:
                rules.append(self.rule())
        return Program(tuple(rules), tuple(decls))


def _check_text(text: object, fn: str) -> str:
    if not isinstance(text, str):
        raise UsageError(f"{fn} takes the rule text as a str, got {type(text).__name__}")
    return text


def _split_invented(name: str) -> tuple[str, str]:
    m = re.search(r"#inv\d+\Z", name)
    return (name[:m.start()], m.group()) if m else (name, "")


def parse_rule(text: str) -> Rule:
    """Parse exactly one rule."""
    prog = _Parser(_check_text(text, "parse_rule")).program()
    if len(prog.rules) != 1 or prog.decls:
        raise RuleSyntaxError(f"expected exactly one rule, found {len(prog.rules)}: {text.strip()!r}")
    return prog.rules[0]


def parse_program(text: str) -> Program:
    """Parse a ``.dl`` file: rules and ``.decl`` lines."""
    return _Parser(_check_text(text, "parse_program")).program()
