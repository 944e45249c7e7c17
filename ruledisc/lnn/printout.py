"""LNN's tabular printout: per node its world, kind and name, then per grounding its
state and bounds.

```
AXIOM  Implies: (Smokes(x) → Cancer(x))
'Anna'                                                      TRUE (1.0, 1.0)
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .constants import World, classify
from .formula import Connective, Formula

if TYPE_CHECKING:
    from .model import Model

RULE = "*" * 75


def world_name(b: tuple[float, float] | None) -> str:
    for w in World:
        if b == w.value:
            return w.name
    return "OPEN" if b is None else str(b)


def _grounding(names: tuple[str, ...]) -> str:
    return repr(names[0]) if len(names) == 1 else repr(names)


def _params(node: Formula, roundoff: int) -> str:
    if not isinstance(node, Connective):
        return ""
    w = [round(v, roundoff) for v in node.neuron.weights.tolist()]
    return f"params  β: {round(float(node.neuron.bias), roundoff)},  w: {w}\n"


def render(model: Model, nodes: list[Formula] | None, header_len: int = 50, roundoff: int = 5,
           params: bool = False, max_groundings: int | None = None) -> str:
    """The printout of ``nodes`` (every root formula and predicate when None)."""
    pairs = model.nodes() if nodes is None else [(model.key(n), n) for n in nodes]
    blocks = []
    for key, node in pairs:
        header = f"{world_name(model._defaults[key]):<6} {type(node).__name__}: {node.name}"
        rows = model.store.decoded(key, max_groundings)
        bounds = lambda lo, hi: f"({round(lo, roundoff)}, {round(hi, roundoff)})"
        p = _params(node, roundoff) if params else ""
        if model.store.arity[key] == 0:
            (_, lo, hi), = rows
            blocks.append(f"{header:<{header_len}} {classify(lo, hi, model.alpha).name:>13} {bounds(lo, hi)}\n{p}")
            continue
        lines = [f"{_grounding(g):<{header_len}} {classify(lo, hi, model.alpha).name:>13} {bounds(lo, hi)}"
                 for g, lo, hi in rows]
        more = model.store.n[key] - len(rows)
        if more > 0:
            lines.append(f"... {more} more grounding(s)")
        blocks.append(header + "\n" + p + "".join(line + "\n" for line in lines))
    title = f"{'LNN Model':^75}".rstrip()
    return "\n".join([RULE, title, "", *blocks, RULE])


