"""A small Prolog reader: terms, operators by precedence climbing, lists, quoted
atoms, strings and comments, enough for ILP task files (Popper's ``bk.pl``,
``exs.pl``, ``bias.pl``).

>>> read_terms("p(X, [a|T]) :- X >= -1.5, \\\\+ q('A b').")[0].text()
"p(X, [a|T]) :- X >= -1.5, \\\\+ q('A b')."
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union

from .errors import PrologSyntaxError

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
        return self.term.args[0] if is_struct(self.term, ":-", 2) else self.term

    @property
    def body(self) -> Term | None:
        return self.term.args[1] if is_struct(self.term, ":-", 2) else None

    def text(self) -> str:
        return show(self.term) + "."


def is_struct(t: Term, name: str, arity: int) -> bool:
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
        while is_struct(rest, ".", 2):
            items.append(show(rest.args[0], 999))
            rest = rest.args[1]
        return "[" + ", ".join(items) + ("" if rest == NIL else "|" + show(rest, 999)) + "]"
    name = _atom_text(t.name)
    if len(t.args) == 2 and t.name in _INFIX:
        p, typ = _INFIX[t.name]
        text = _show_chain(t, p, typ)
    elif len(t.args) == 1 and t.name in _PREFIX:
        p, typ = _PREFIX[t.name]
        text = f"{name} {show(t.args[0], p if typ == 'fy' else p - 1)}"
    else:
        return name + "(" + ", ".join(show(a, 999) for a in t.args) + ")"
    return f"({text})" if p > maxp else text


def _show_chain(t: Struct, p: int, typ: str) -> str:
    """An infix term and the operators of its priority and type chained on its
    associative side (``a, b, c``; ``1 + 2 - 3``), without recursing along the chain."""
    def same(x: Term) -> bool:
        return isinstance(x, Struct) and len(x.args) == 2 and _INFIX.get(x.name) == (p, typ)

    def op(name: str) -> str:
        return ", " if name == "," else f" {_atom_text(name)} "

    if typ == "yfx":   # left-nested: ((a + b) - c)
        spine = [t]
        while same(spine[-1].args[0]):
            spine.append(spine[-1].args[0])
        parts = [show(spine[-1].args[0], p)]
        for node in reversed(spine):
            parts += [op(node.name), show(node.args[1], p - 1)]
        return "".join(parts)
    parts, rest = [], t   # xfy: right-nested a, (b, c); xfx: one step
    while True:
        parts += [show(rest.args[0], p - 1), op(rest.name)]
        rest = rest.args[1]
        if typ != "xfy" or not same(rest):
            break
    parts.append(show(rest, p if typ == "xfy" else p - 1))
    return "".join(parts)


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


MAX_NESTING = 200   # terms nested deeper (arguments, brackets, prefix operators) are refused


class _Parser:
    """Precedence climbing over the tokens of one clause. Chains of one operator
    (``a, b, c, ...``; ``1 + 2 + ...``) are read in a loop, so a body of any length
    parses; true nesting is limited to :data:`MAX_NESTING` levels."""

    def __init__(self, toks: list[_Tok], src: str, file: str, asp: bool):
        self.toks, self.i, self.src, self.file, self.asp = toks, 0, src, file, asp
        self.anon = 0
        self.depth = -1   # the clause is level 0, the arguments of its head level 1, ...

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

    def _infix(self) -> tuple[str, int, str] | None:
        """The infix operator at the cursor: name, priority, type."""
        t = self.peek()
        if t is None or t.kind not in ("name", "punct") or t.text not in _INFIX and not (
                t.kind == "name" and not t.text[0].isalpha()):
            return None
        return (t.text, *_INFIX.get(t.text, _UNKNOWN_SYM_OP))

    def expr(self, maxp: int) -> Term:
        """A term of priority at most ``maxp``. The right operands of an ``xfy``
        chain wait on a stack instead of in nested calls."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail(f"term nesting deeper than {MAX_NESTING} levels")
        pending: list[tuple[Term, str, int, int]] = []   # (left operand, operator, outer maxp, priority)
        left, lp = self.primary(maxp)
        while True:
            op = self._infix()
            if op is not None and op[1] <= maxp and lp <= (op[1] if op[2] == "yfx" else op[1] - 1):
                name, p, typ = op
                self.i += 1
                if self.asp and name == "," and (n := self.peek()) is not None and n.text == ")":
                    continue  # ASP one-tuple ``(a,)``: the ``)`` ends this operand
                if typ == "xfy":
                    pending.append((left, name, maxp, p))
                    maxp = p
                    left, lp = self.primary(maxp)
                else:
                    left, lp = Struct(name, (left, self.expr(p - 1))), p
                continue
            if not pending:
                break
            first, name, maxp, lp = pending.pop()
            left = Struct(name, (first, left))
        self.depth -= 1
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
