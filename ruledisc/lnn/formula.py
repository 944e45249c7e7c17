"""The symbolic side of an LNN model: variables, predicates, connectives, quantifiers.

Formulae are trees of plain Python objects, built as LNN builds them; a connective
carries its neuron's parameters (``weights``: (k,), ``bias``: ()). Bounds never live
here: a formula added to a :class:`~ruledisc.lnn.model.Model` asks the model, whose
bounds are DuckDB tables.

>>> x, y = Variables("x", "y")
>>> Smokes, Cancer = Predicates("Smokes", "Cancer")
>>> Friends = Predicate("Friends", arity=2)
>>> Implies(Friends(x, y), Iff(Smokes(x), Smokes(y))).name
'(Friends(x, y) → (Smokes(x) ↔ Smokes(y)))'
>>> ForAll(x, Implies(Smokes(x), Cancer(x))).variables
()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

from ..errors import UsageError
from ..semantics import TNorm
from .constants import Bounds, World, to_bounds

if TYPE_CHECKING:
    from .model import Model


class Variable:
    """A logical variable; two variables are the same if they have the same name."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise UsageError(f"a variable needs a non-empty name, got {name!r}")
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Variable) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("var", self.name))

    def __repr__(self) -> str:
        return self.name


def Variables(*names: str) -> tuple[Variable, ...]:
    return tuple(Variable(n) for n in names)


def _world(world: Any, where: str) -> Bounds | None:
    return None if world is None else to_bounds(world, f"{where}: world")


def _tnorm(activation: Any, tnorm: Any) -> TNorm | None:
    t = tnorm if tnorm is not None else (activation or {}).get("type") if isinstance(activation, dict) else None
    if t is None:
        return None
    try:
        return t if isinstance(t, TNorm) else TNorm(str(getattr(t, "value", t)).lower())
    except ValueError:
        raise UsageError(f"unknown t-norm {t!r}; use lukasiewicz, godel or product") from None


class Formula:
    """Base of every node. ``variables``: the free variables in order of first appearance."""

    connective = ""
    variables: tuple[Variable, ...] = ()
    operands: tuple[Formula, ...] = ()

    def __init__(self, world: Any = None) -> None:
        self.world: Bounds | None = _world(world, type(self).__name__)
        self._model: Model | None = None

    # --- delegated to the model that holds the bounds ---
    def _owner(self) -> Model:
        if self._model is None:
            raise UsageError(f"{self.name} is not in a model: add it with model.add_knowledge first")
        return self._model

    def state(self, groundings: Any = None):
        """The :class:`State` of one grounding, or a dict grounding -> State (all groundings,
        or those listed); a proposition's single State."""
        return self._owner().state(self, groundings)

    def get_data(self, *groundings: Any) -> torch.Tensor:
        """Bounds (n, 2) of the groundings given (all when none), in that order."""
        return self._owner().get_data(self, *groundings)

    def add_data(self, data: Any) -> None:
        self._owner().add_data({self: data})

    def add_labels(self, labels: Any) -> None:
        self._owner().add_labels({self: labels})

    def print(self, **kw: Any) -> None:
        self._owner().print(self, **kw)

    @property
    def propositional(self) -> bool:
        return not self.variables

    def __repr__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        raise NotImplementedError


class Predicate(Formula):
    """A relation of ``arity`` arguments; its groundings and bounds are a DuckDB table."""

    def __init__(self, name: str, arity: int = 1, world: Any = World.OPEN) -> None:
        super().__init__(world)
        if not isinstance(name, str) or not name:
            raise UsageError(f"a predicate needs a non-empty name, got {name!r}")
        if not isinstance(arity, int) or arity < 0:
            raise UsageError(f"predicate {name}: arity must be a whole number >= 0, got {arity!r}")
        self._name, self.arity = name, arity
        self.variables = tuple(Variable(f"x{i}") for i in range(arity))

    @property
    def name(self) -> str:
        return self._name

    def __call__(self, *args: Variable | str) -> Atom:
        if len(args) != self.arity:
            raise UsageError(f"{self.name} takes {self.arity} argument(s), got {len(args)}")
        for a in args:
            if not isinstance(a, (Variable, str)):
                raise UsageError(f"{self.name}: an argument is a Variable or a constant str, got {a!r}")
        return Atom(self, tuple(args))


class Proposition(Predicate):
    """A predicate of arity 0: one grounding, usable directly in a formula."""

    def __init__(self, name: str, world: Any = World.OPEN) -> None:
        super().__init__(name, 0, world)


def Predicates(*names: str, arity: int = 1, world: Any = World.OPEN) -> tuple[Predicate, ...]:
    return tuple(Predicate(n, arity, world) for n in names)


def Propositions(*names: str, world: Any = World.OPEN) -> tuple[Proposition, ...]:
    return tuple(Proposition(n, world) for n in names)


class Atom(Formula):
    """One occurrence of a predicate in a formula: ``Smokes(x)``, ``Friends(x, 'Anna')``."""

    def __init__(self, pred: Predicate, args: tuple[Variable | str, ...]) -> None:
        super().__init__()
        self.pred, self.args = pred, args
        self.variables = tuple(dict.fromkeys(a for a in args if isinstance(a, Variable)))

    @property
    def name(self) -> str:
        return f"{self.pred.name}({', '.join(a.name if isinstance(a, Variable) else repr(a) for a in self.args)})"


def _operand(f: Any, where: str) -> Formula:
    if isinstance(f, Proposition):
        return f
    if isinstance(f, Predicate):
        raise UsageError(f"{where}: call predicate {f.name} with its variables, e.g. {f.name}(x)")
    if not isinstance(f, Formula):
        raise UsageError(f"{where}: an operand must be a formula, got {f!r}")
    return f


class Neuron:
    """A weighted connective's parameters: ``weights`` (k,) >= 0 and ``bias`` () (beta)."""

    def __init__(self, k: int) -> None:
        self.weights = torch.ones(k, dtype=torch.float64)
        self.bias = torch.tensor(1.0, dtype=torch.float64)


class Connective(Formula):
    """An n-ary weighted connective over ``operands``."""

    symbol = ""

    def __init__(self, *formulae: Any, world: Any = None, activation: Any = None, tnorm: Any = None,
                 name: str | None = None) -> None:
        super().__init__(world)
        where = type(self).__name__
        self.operands = tuple(_operand(f, where) for f in formulae)
        self._check_arity()
        self.tnorm = _tnorm(activation, tnorm)
        self._label = name
        self.variables = tuple(dict.fromkeys(v for f in self.operands for v in f.variables))
        self.neuron = Neuron(len(self.operands))

    def _check_arity(self) -> None:
        if len(self.operands) < 2:
            raise UsageError(f"{type(self).__name__} needs at least two operands, got {len(self.operands)}")

    @property
    def name(self) -> str:
        if self._label:
            return self._label
        return "(" + f" {self.symbol} ".join(f.name for f in self.operands) + ")"

    def params(self, *names: str) -> Any:
        """LNN's accessor: ``params('weights', 'bias')`` -> the neuron's tensors."""
        out = []
        for n in names:
            if n not in ("weights", "bias"):
                raise UsageError(f"{self.name} has no parameter {n!r}; it has 'weights' and 'bias'")
            out.append(getattr(self.neuron, n))
        return out[0] if len(out) == 1 else out


class And(Connective):
    symbol = "∧"


class Or(Connective):
    symbol = "∨"


class Implies(Connective):
    symbol = "→"

    def _check_arity(self) -> None:
        if len(self.operands) != 2:
            raise UsageError(f"Implies takes two operands (antecedent, consequent), got {len(self.operands)}")


class Iff(Implies):
    """``a ↔ b``: an And of the two Implies neurons ``left`` (a → b) and ``right`` (b → a)."""

    symbol = "↔"

    def __init__(self, *formulae: Any, **kw: Any) -> None:
        super().__init__(*formulae, **kw)
        a, b = self.operands
        self.left, self.right = Implies(a, b, tnorm=self.tnorm), Implies(b, a, tnorm=self.tnorm)


class Xor(Iff):
    """``a ⊕ b``, read as ``¬(a ↔ b)``."""

    symbol = "⊕"


class Not(Formula):
    connective = "¬"

    def __init__(self, formula: Any, world: Any = None, name: str | None = None) -> None:
        super().__init__(world)
        self.operands = (_operand(formula, "Not"),)
        self.variables = self.operands[0].variables
        self._label = name

    @property
    def name(self) -> str:
        return self._label or f"¬{self.operands[0].name}"


class Quantifier(Formula):
    """``Exists``/``ForAll`` over ``quantified`` variables of one formula; the quantifier's
    groundings are the bindings of the remaining (free) variables."""

    symbol = ""

    def __init__(self, *args: Any, world: Any = None, name: str | None = None) -> None:
        super().__init__(world)
        where = type(self).__name__
        if len(args) < 2 or not all(isinstance(v, Variable) for v in args[:-1]):
            raise UsageError(f"{where} takes the quantified variables then one formula, e.g. {where}(x, P(x))")
        self.quantified = tuple(args[:-1])
        self.operands = (_operand(args[-1], where),)
        body = self.operands[0].variables
        missing = [v.name for v in self.quantified if v not in body]
        if missing:
            raise UsageError(f"{where}: variable(s) {', '.join(missing)} do not occur in {self.operands[0].name}")
        self.variables = tuple(v for v in body if v not in self.quantified)
        self._label = name

    @property
    def name(self) -> str:
        vs = ",".join(v.name for v in self.quantified)
        return self._label or f"({self.symbol}{vs}, {self.operands[0].name})"


class Exists(Quantifier):
    symbol = "∃"


class ForAll(Quantifier):
    symbol = "∀"


Forall = ForAll   # LNN spells it both ways


def walk(f: Formula):
    """Every node of ``f`` (pre-order; quantified bodies included)."""
    yield f
    for op in f.operands:
        yield from walk(op)
