"""A unit's groundings, computed in SQL and driven by the facts that can constrain it.

An atom is *informative* when its bounds say something (``lower > 0 or upper < 1``); an
atom that is UNKNOWN constrains nothing, in either direction. The groundings of a unit are
the union, over each of its leaves (and a root formula's own atoms), of that leaf's
informative atoms inner-joined with the informative atoms of the fewest other leaves that
bind the variables it lacks (preferring leaves that share a variable with what is bound,
in the formula's order). Every atom a grounding names is then created if missing, with
its table's default bounds, so that downward inference can prove it.

For ``Friends(x, y) → (Smokes(x) ↔ Smokes(y))`` that is every Friends row, including
(Bob, Chris) where nothing is known of Smokes(Bob) or Smokes(Chris): IBM's LNN joins the
operands' existing groundings instead, and never creates those two atoms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from sqlglot import exp

from ..compile import add_join, literal
from .constants import Bounds
from .graph import Leaf, Term, Unit
from .store import Store, arg, informative

G = "rd_lnn_g"


def _col(v: int) -> str:
    return f"v{v}"


def _anchor(store: Store, leaves: Sequence[Leaf], start: int, unit: Unit, consts: dict[str, int]) -> exp.Select:
    """The bindings of the unit's variables reached from leaf ``start``'s informative atoms."""
    pos = {v: j for j, v in enumerate(unit.variables)}
    chosen = [start]
    bound = set(t for t in leaves[start].terms if not isinstance(t, str))
    while len(bound) < len(pos):
        best, score = None, None
        for j, lf in enumerate(leaves):
            if j in chosen:
                continue
            vs = {t for t in lf.terms if not isinstance(t, str)}
            new, shared = len(vs - bound), len(vs & bound)
            if new and (score is None or (shared > 0, new) > score):
                best, score = j, (shared > 0, new)
        assert best is not None, "every variable occurs in some leaf"
        chosen.append(best)
        bound |= {t for t in leaves[best].terms if not isinstance(t, str)}
    first: dict[Term, exp.Expr] = {}
    conds: list[exp.Expr] = []
    sel = exp.select()
    for n, j in enumerate(chosen):
        alias = f"l{n}"
        on: list[exp.Expr] = []
        for i, t in enumerate(leaves[j].terms):
            c = exp.column(arg(i), alias)
            if isinstance(t, str):
                on.append(exp.EQ(this=c, expression=literal(consts[t])))
            elif t in first:
                on.append(exp.EQ(this=c, expression=first[t].copy()))
            else:
                first[t] = c
        on.append(informative(alias))
        if n == 0:
            sel = sel.from_(store.table(leaves[j].key, alias))
            conds.extend(on)
        else:
            add_join(sel, store.table(leaves[j].key, alias), exp.and_(*on, copy=False))
    sel = sel.select(*[first[v].copy().as_(_col(pos[v])) for v in unit.variables], copy=False)
    return sel.where(exp.and_(*conds, copy=False), copy=False).distinct()


def ground(store: Store, unit: Unit, consts: dict[str, int], default: Callable[[str], Bounds]) -> int:
    """Ground ``unit``: create the atoms its groundings name, and set ``unit.n``,
    ``unit.leaf_ids`` and ``unit.out_ids``. Returns the atoms created."""
    leaves = list(unit.leaves)
    if unit.kind == "formula":
        leaves.append(Leaf(unit.out, unit.out_terms))
    if unit.variables:
        parts = [_anchor(store, leaves, j, unit, consts) for j in range(len(leaves))]
        body = parts[0]
        for p in parts[1:]:
            body = exp.union(body, p, distinct=True, copy=False)
    else:
        body = exp.select(literal(1).as_("one"))
    store.temp(G, body)
    pos = {v: j for j, v in enumerate(unit.variables)}

    def proj(terms: tuple[Term, ...], alias: str | None) -> list[exp.Expr]:
        return [literal(consts[t]) if isinstance(t, str) else exp.column(_col(pos[t]), alias) for t in terms]

    created = 0
    for lf in [*unit.leaves, Leaf(unit.out, unit.out_terms)]:
        created += store.add_missing(lf.key, proj(lf.terms, None), G, default(lf.key))
    sel = exp.select().from_(exp.to_table(G, alias="g"))
    outs = [*unit.leaves, Leaf(unit.out, unit.out_terms)]
    for n, lf in enumerate(outs):
        alias = f"l{n}"
        sel = sel.select(exp.column("id", alias).as_(f"i{n}"), copy=False)
        on = [exp.EQ(this=exp.column(arg(i), alias), expression=e) for i, e in enumerate(proj(lf.terms, "g"))]
        add_join(sel, store.table(lf.key, alias), exp.and_(*on, copy=False) if on else None)
    cols = store.eng.numpy(sel)
    unit.n = len(cols["i0"]) if cols else 0
    ids = [torch.from_numpy(np.ascontiguousarray(cols[f"i{n}"], dtype=np.int64)) for n in range(len(outs))]
    unit.leaf_ids, unit.out_ids = ids[:-1], ids[-1]
    return created
