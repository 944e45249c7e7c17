"""LNN's enumerations, spelled as IBM's ``lnn`` spells them, and the nine node states.

>>> Fact.TRUE.value, World.AXIOM.value
((1.0, 1.0), (1.0, 1.0))
>>> classify(1.0, 0.0), classify(0.0, 1.0), classify(0.7, 0.9), classify(0.5, 0.5)
(<State.CONTRADICTION: 'CONTRADICTION'>, <State.UNKNOWN: 'UNKNOWN'>, <State.APPROX_TRUE: 'APPROX_TRUE'>, <State.EXACT_UNKNOWN: 'EXACT_UNKNOWN'>)
"""

from __future__ import annotations

from enum import Enum

from ..errors import UsageError

TOL = 1e-9   # bounds closer than this are equal (float arithmetic of the neurons)


class Fact(Enum):
    """Classical truth as bounds ``(lower, upper)``."""

    UNKNOWN = (0.0, 1.0)
    FALSE = (0.0, 0.0)
    TRUE = (1.0, 1.0)
    CONTRADICTION = (1.0, 0.0)


class World(Enum):
    """What an unseen grounding is: OPEN unknown, CLOSED false, AXIOM true."""

    OPEN = (0.0, 1.0)
    CLOSED = (0.0, 0.0)
    AXIOM = (1.0, 1.0)


class Loss(Enum):
    SUPERVISED = "supervised"        # squared distance of bounds to labelled bounds
    CONTRADICTION = "contradiction"  # sum of lower - upper where lower > upper
    LOGICAL = "logical"              # neurons that stop behaving classically at alpha
    UNCERTAINTY = "uncertainty"      # sum of upper - lower (prefer tight bounds)


class Direction(Enum):
    UPWARD = "upward"
    DOWNWARD = "downward"


class State(Enum):
    """A grounding's bounds read classically, at threshold ``alpha``."""

    TRUE = "TRUE"
    APPROX_TRUE = "APPROX_TRUE"
    UNKNOWN = "UNKNOWN"
    APPROX_UNKNOWN = "APPROX_UNKNOWN"
    EXACT_UNKNOWN = "EXACT_UNKNOWN"
    APPROX_FALSE = "APPROX_FALSE"
    FALSE = "FALSE"
    CONTRADICTION = "CONTRADICTION"
    APPROX_CONTRADICTION = "APPROX_CONTRADICTION"


def classify(lower: float, upper: float, alpha: float = 1.0) -> State:
    """The state of bounds ``[lower, upper]``. Every ``lower > upper`` is a contradiction:
    CONTRADICTION when the bounds straddle 1/2 or lie in different classical regions,
    APPROX_CONTRADICTION when both lie in the same fuzzy region (LNN calls those TRUE
    or FALSE and so hides them)."""
    lo, hi = 1.0 - alpha, alpha
    if lower > upper + TOL:
        same = (lower < 0.5 and upper > lo) or (upper > 0.5 and lower < hi)
        return State.APPROX_CONTRADICTION if same else State.CONTRADICTION
    if lower >= hi - TOL:
        return State.TRUE
    if upper <= lo + TOL:
        return State.FALSE
    if abs(lower - 0.5) <= TOL and abs(upper - 0.5) <= TOL:
        return State.EXACT_UNKNOWN
    if lower <= lo + TOL and upper >= hi - TOL:
        return State.UNKNOWN
    if lower > 0.5:
        return State.APPROX_TRUE
    if upper < 0.5:
        return State.APPROX_FALSE
    return State.APPROX_UNKNOWN


Bounds = tuple[float, float]


def to_bounds(value: object, where: str) -> Bounds:
    """A Fact, World, bool, float or ``(lower, upper)`` pair as bounds; anything else is a
    :class:`UsageError` naming ``where``."""
    if isinstance(value, (Fact, World)):
        return value.value
    if isinstance(value, bool):
        return (1.0, 1.0) if value else (0.0, 0.0)
    if isinstance(value, (int, float)):
        b = (float(value), float(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        b = (float(value[0]), float(value[1]))
    else:
        raise UsageError(f"{where}: expected a Fact, a bool, a truth value or a (lower, upper) pair, got {value!r}")
    if not all(0.0 <= v <= 1.0 for v in b):
        raise UsageError(f"{where}: bounds must lie in [0, 1], got {value!r}")
    return b
