"""Rules as plain immutable data with a canonical text form.

>>> r = Rule(Atom("gm", (Var("A"), Var("B"))),
...          (Atom("parent", (Var("A"), Var("C"))), Atom("parent", (Var("C"), Var("B"))),
...           Atom("female", (Var("A"),))))
>>> r.canonical().text()
'gm(X, Y) :- female(X), parent(X, Z), parent(Z, Y).'
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Union

_WORD = re.compile(r"[a-z][A-Za-z0-9_]*\Z")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?\Z")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
COMPARISON_OPS = ("=", "!=", "<", "<=", ">", ">=")
_FLIP = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
# Canonical variable names: head variables first, then existential ones.
_NAMES = ("X", "Y", "Z", "W", "V", "U", "T", "S", "R", "Q", "P", "O", "N", "M")


def var_name(i: int) -> str:
    """The i-th canonical variable name (X, Y, Z, W, ..., then V15, V16, ...)."""
    return _NAMES[i] if i < len(_NAMES) else f"V{i + 1}"


@dataclass(frozen=True, order=True)
class Var:
    name: str

    def text(self) -> str:
        return self.name


@dataclass(frozen=True)
class Const:
    """A constant: a str, int or float value."""

    value: str | int | float

    def text(self) -> str:
        v = self.value
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if _WORD.match(v) and v not in ("true", "false"):
            return v
        return "'" + v.replace("'", "''") + "'"

    def sort_key(self) -> tuple:
        return (type(self.value).__name__, str(self.value))


Term = Union[Var, Const]


def _term_key(t: Term) -> tuple:
    return (0, t.name) if isinstance(t, Var) else (1,) + t.sort_key()


def pred_text(name: str) -> str:
    """A predicate (a stored name, :mod:`ruledisc.names`) as Datalog: its table and column
    bare or double-quoted, a categorical target's value bare or single-quoted, an invented
    predicate's ``#inv<k>`` as it is.

    >>> pred_text("customers.plan=trial"), pred_text("orders.status=on hold"), pred_text('"a.b".c')
    ('customers.plan=trial', "orders.status='on hold'", '"a.b".c')
    >>> pred_text('"rules"'), pred_text("fizz#inv1"), pred_text("t.c=1.5#inv2")
    ('rules', 'fizz#inv1', 't.c=1.5#inv2')
    """
    from .names import split_pred
    table, column, value, suffix = split_pred(name)
    out = _part(table)
    if column is not None:
        out += "." + _part(column)
    if value is not None:
        out += "=" + (value if _PLAIN.match(value) or _NUMBER.match(value) else "'" + value.replace("'", "''") + "'")
    return out + suffix


def _part(p: str) -> str:
    return p if _PLAIN.match(p) else '"' + p.replace('"', '""') + '"'


@dataclass(frozen=True)
class Atom:
    """``pred(args...)``; ``pred`` is a table name or ``table.column``."""

    pred: str
    args: tuple[Term, ...]

    def text(self) -> str:
        return f"{pred_text(self.pred)}({', '.join(a.text() for a in self.args)})"

    def vars(self) -> tuple[Var, ...]:
        return tuple(a for a in self.args if isinstance(a, Var))

    def rename(self, m: dict[str, str]) -> Atom:
        return Atom(self.pred, tuple(Var(m[a.name]) if isinstance(a, Var) else a for a in self.args))

    def sort_key(self) -> tuple:
        return (0, self.pred, len(self.args), tuple(_term_key(a) for a in self.args))


@dataclass(frozen=True)
class Comparison:
    """A built-in ``left op right``; at least one side is a variable."""

    op: str
    left: Term
    right: Term

    def text(self) -> str:
        return f"{self.left.text()} {self.op} {self.right.text()}"

    def vars(self) -> tuple[Var, ...]:
        return tuple(a for a in (self.left, self.right) if isinstance(a, Var))

    def rename(self, m: dict[str, str]) -> Comparison:
        f = lambda t: Var(m[t.name]) if isinstance(t, Var) else t
        return Comparison(self.op, f(self.left), f(self.right)).normal()

    def normal(self) -> Comparison:
        """Variable first; for symmetric ops, the smaller variable first."""
        a, b, op = self.left, self.right, self.op
        if isinstance(a, Const) or (op in ("=", "!=") and isinstance(b, Var) and b.name < a.name):
            a, b, op = b, a, _FLIP[op]
        return Comparison(op, a, b)

    def sort_key(self) -> tuple:
        return (1, self.op, "", 0, (_term_key(self.left), _term_key(self.right)))


Literal = Union[Atom, Comparison]


@dataclass(frozen=True)
class Rule:
    """``head :- body.`` Immutable; :meth:`canonical` gives the form used for equality."""

    head: Atom
    body: tuple[Literal, ...]

    def text(self) -> str:
        if not self.body:
            return self.head.text() + "."
        return f"{self.head.text()} :- {', '.join(lit.text() for lit in self.body)}."

    __str__ = text

    def variables(self) -> list[str]:
        """Variable names in order of first appearance (head first)."""
        seen: dict[str, None] = {}
        for lit in (self.head, *self.body):
            for v in lit.vars():
                seen.setdefault(v.name, None)
        return list(seen)

    def head_vars(self) -> list[str]:
        return list(dict.fromkeys(v.name for v in self.head.vars()))

    def body_vars(self) -> set[str]:
        return {v.name for lit in self.body if isinstance(lit, Atom) for v in lit.vars()}

    def is_range_restricted(self) -> bool:
        """Every head variable and every compared variable is bound by a body atom."""
        bound = self.body_vars()
        cmp_vars = {v.name for lit in self.body if isinstance(lit, Comparison) for v in lit.vars()}
        return set(self.head_vars()) <= bound and cmp_vars <= bound

    def rename(self, m: dict[str, str]) -> Rule:
        return Rule(self.head.rename(m), tuple(lit.rename(m) for lit in self.body))

    def canonical(self) -> Rule:
        """Rename variables (head ones X, Y, ... by position; existential ones so that
        the sorted body is smallest) and sort the body. Renaming-invariant."""
        head = self.head_vars()
        exist = [v for v in self.variables() if v not in head]
        base = {v: var_name(i) for i, v in enumerate(head)}
        best: tuple | None = None
        perms = itertools.permutations(exist) if len(exist) <= 5 else [tuple(exist)]
        for perm in perms:
            m = dict(base)
            m.update({v: var_name(len(head) + i) for i, v in enumerate(perm)})
            # dedupe by sort key, not by ==: Const(0) == Const(0.0) in Python, but they differ
            lits = {lit.sort_key(): lit for lit in (x.rename(m) for x in self.body)}
            body = tuple(lits[k] for k in sorted(lits))
            key = tuple(lit.sort_key() for lit in body)
            if best is None or key < best[0]:
                best = (key, Rule(self.head.rename(m), body))
        assert best is not None
        return best[1]

    def key(self) -> str:
        """Canonical text: equal for rules equal up to renaming and literal order."""
        return self.canonical().text()

    @property
    def n_literals(self) -> int:
        return len(self.body)
