"""Knowledge-graph rules as small integer records, and their Datalog form.

A graph with ``R`` relations has ``2R`` *directed* relations: ``q < R`` is relation
``q`` read forward, ``q(A, B)``; ``q >= R`` is relation ``q - R`` read backward,
``(q - R)(B, A)``. Two rule shapes (AnyBURL's, under object identity: the variables
of a rule and its constants denote distinct entities):

- **path** ``r(X, Y) :- q1(X, Z), q2(Z, W), q3(W, Y)``: ``path`` lists the directed
  relations walked from ``X`` to ``Y`` (1 to 3 steps);
- **constant** ``r(X, c) :- q(X, A)`` or ``r(X, c) :- q(X, d)``: ``side`` 0; with the
  constant first, ``r(c, X) :- ...``, ``side`` 1. ``path`` is ``(q,)``, ``bconst`` is
  ``d`` (``None`` for the free ``A``).

>>> KgRule(0, (1, 5)).to_rule(["aunt", "brother", "father"], 3).text()
'aunt(X, Y) :- brother(X, Z), father(Y, Z), X != Y, X != Z, Y != Z.'
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from .rule import Atom, Comparison, Const, Rule, Var

_STEPS = ("X", "Z", "W", "Y")


def inverse(q: int, n_rel: int) -> int:
    """The directed relation read the other way."""
    return (q + n_rel) % (2 * n_rel)


@dataclass(frozen=True)
class KgRule:
    head: int
    path: tuple[int, ...]
    const: int | None = None    # constant rules: the head's constant entity
    side: int = 0               # constant rules: 0 for r(X, c), 1 for r(c, X)
    bconst: int | None = None   # constant rules: the body's constant d, or None for q(X, A)

    @property
    def is_path(self) -> bool:
        return self.const is None

    def direction(self, n_rel: int) -> int:
        """Constant rules: the directed head relation ``rho`` with ``rho(X, c)``."""
        return self.head + self.side * n_rel

    def to_rule(self, names: Sequence[str], n_rel: int) -> Rule:
        """The Datalog rule over the relation views ``name(h, t)``; the object identity
        constraints are written out as ``!=`` literals."""
        def atom(q: int, a: Var | Const, b: Var | Const) -> Atom:
            return Atom(names[q], (a, b)) if q < n_rel else Atom(names[q - n_rel], (b, a))

        if self.is_path:
            steps = [Var(v) for v in (_STEPS[:len(self.path)] + ("Y",))]
            body: list = [atom(q, steps[i], steps[i + 1]) for i, q in enumerate(self.path)]
            terms: list[Var | Const] = list(steps)
            head = Atom(names[self.head], (Var("X"), Var("Y")))
        else:
            x, c = Var("X"), Const(self.const)
            end: Var | Const = Var("Z") if self.bconst is None else Const(self.bconst)
            body = [atom(self.path[0], x, end)]
            terms = [x, c, end]
            head = Atom(names[self.head], (x, c) if self.side == 0 else (c, x))
        body += [Comparison("!=", a, b).normal() for a, b in itertools.combinations(_ordered(terms), 2)
                 if isinstance(a, Var) or isinstance(b, Var)]
        return Rule(head, tuple(body))


def _ordered(terms: list) -> list:
    """Variables by name (X, Y before Z, W), then constants: a stable literal order."""
    rank = {"X": 0, "Y": 1, "Z": 2, "W": 3}
    return sorted(terms, key=lambda t: (0, rank[t.name]) if isinstance(t, Var) else (1, 0))


def from_rule(rule: Rule, ids: dict[str, int], n_rel: int) -> KgRule | None:
    """The record of a stored rule of either shape (``None`` for any other rule)."""
    atoms = [lit for lit in rule.body if isinstance(lit, Atom)]
    h = rule.head
    if h.pred not in ids or len(h.args) != 2 or not atoms or any(a.pred not in ids or len(a.args) != 2
                                                                 for a in atoms):
        return None
    x, y = h.args
    if isinstance(x, Var) and isinstance(y, Var):
        path, at, left = [], x, list(atoms)
        while left:
            step = next(((a, k) for a in left for k in (0, 1) if a.args[k] == at), None)
            if step is None:
                return None
            a, k = step
            left.remove(a)
            path.append(ids[a.pred] + k * n_rel)
            at = a.args[1 - k]
        return KgRule(ids[h.pred], tuple(path)) if at == y and 1 <= len(path) <= 3 else None
    if len(atoms) != 1 or isinstance(x, Const) == isinstance(y, Const):
        return None
    side, v, c = (0, x, y) if isinstance(y, Const) else (1, y, x)
    a = atoms[0]
    if v not in a.args:
        return None
    k = a.args.index(v)
    other = a.args[1 - k]
    return KgRule(ids[h.pred], (ids[a.pred] + k * n_rel,), const=int(c.value), side=side,
                  bconst=int(other.value) if isinstance(other, Const) else None)
