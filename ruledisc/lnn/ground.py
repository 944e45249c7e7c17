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
from .store import FRAME, Store, arg, informative

ORDERED_BELOW = 200_000   # atoms created from fewer groundings get ids in argument order


def _col(v: int) -> str:
    return f"v{v}"


def _vars(lf: Leaf) -> set[Term]:
    return {t for t in lf.terms if not isinstance(t, str)}


def plan(leaves: Sequence[Leaf], start: int, n_vars: int) -> list[int]:
    """Leaf ``start``, then the fewest leaves that bind the variables it lacks: each step
    the leaf that shares a bound variable (no cross product) and binds the most new ones."""
    chosen = [start]
    bound = _vars(leaves[start])
    while len(bound) < n_vars:
        best, score = None, None
        for j, lf in enumerate(leaves):
            new, shared = len(_vars(lf) - bound), len(_vars(lf) & bound)
            if j not in chosen and new and (score is None or (shared > 0, new) > score):
                best, score = j, (shared > 0, new)
        assert best is not None, "every variable occurs in some leaf"
        chosen.append(best)
        bound |= _vars(leaves[best])
    return chosen


def _anchor(store: Store, leaves: Sequence[Leaf], chosen: list[int], unit: Unit, consts: dict[str, int],
            only: dict[int, str] | None = None) -> exp.Select:
    """The bindings of the unit's variables that the plan ``chosen`` reaches through
    informative atoms; ``only``: plan position -> a table of atom ids the leaf there is
    restricted to (the atoms that became informative since the last grounding)."""
    pos = {v: j for j, v in enumerate(unit.variables)}
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
        if only and n in only:
            add_join(sel, exp.to_table(only[n], alias=f"d{n}"),
                     exp.EQ(this=exp.column("id", f"d{n}"), expression=exp.column("id", alias)))
    sel = sel.select(*[first[v].copy().as_(_col(pos[v])) for v in unit.variables], copy=False)
    return sel.where(exp.and_(*conds, copy=False), copy=False).distinct()


def _plans(leaves: Sequence[Leaf], n_vars: int) -> list[list[int]]:
    """One plan per leaf, less those that join a leaf binding every variable by itself: what
    they reach, that leaf's own plan reaches too."""
    out = []
    for j in range(len(leaves)):
        chosen = plan(leaves, j, n_vars)
        if not any(len(_vars(leaves[i])) == n_vars for i in chosen[1:]):
            out.append(chosen)
    return out


def _union(parts: list[exp.Select]) -> exp.Query:
    body: exp.Query = parts[0]
    for p in parts[1:]:
        body = exp.union(body, p, distinct=True, copy=False)
    return body


def _delta_tables(store: Store, delta: dict[str, np.ndarray]) -> dict[str, str]:
    """Each key's new informative atom ids as a temp table ``rd_lnn_d<i>``."""
    import pyarrow as pa
    out = {}
    for i, (key, ids) in enumerate(sorted(delta.items())):
        if len(ids) == 0:
            continue
        name = f"rd_lnn_d{i}"
        store.eng.con.register(FRAME, pa.table({"id": pa.array(ids, pa.int64())}))
        try:
            store.temp(name, exp.select("id").from_(FRAME))
        finally:
            store.eng.con.unregister(FRAME)
        out[key] = name
    return out


def ground(store: Store, unit: Unit, consts: dict[str, int], default: Callable[[str], Bounds],
           delta: dict[str, np.ndarray] | None = None) -> int:
    """Ground ``unit``, or (with ``delta``: per leaf table, the ids of atoms that became
    informative since) add the groundings those atoms reach. Creates the atoms the new
    groundings name and appends to ``unit.leaf_ids`` / ``unit.out_ids``. Returns the number
    of new groundings."""
    gtab = f"rd_lnn_g_{unit.out}"
    leaves = list(unit.leaves)
    nv = len(unit.variables)
    if delta is None and unit.kind == "formula":   # a root formula's own data
        leaves.append(Leaf(unit.out, unit.out_terms))
    plans = [c for c in _plans(leaves, nv) if all(store.n[leaves[j].key] for j in c)]   # empty tables reach nothing
    if delta is None:
        if not nv:
            body = exp.select(literal(1).as_("one"))
        elif plans:
            body = _union([_anchor(store, leaves, c, unit, consts) for c in plans])
        else:   # nothing informative yet: no groundings
            body = exp.select(*[exp.cast(exp.null(), "BIGINT").as_(_col(j)) for j in range(nv)]).where(exp.false())
        store.temp(gtab, body)
        new, used = gtab, plans
    elif not nv:   # a propositional unit has its one grounding from the start
        return 0
    else:
        tabs = _delta_tables(store, delta)
        parts, used = [], []
        for chosen in plans:
            for n, lj in enumerate(chosen):
                if leaves[lj].key in tabs:
                    parts.append(_anchor(store, leaves, chosen, unit, consts, {n: tabs[leaves[lj].key]}))
                    used.append(chosen)
        if not parts:
            return 0
        new = "rd_lnn_new"
        store.temp(new, exp.except_(_union(parts), exp.select(exp.Star()).from_(gtab), copy=False))
        n_new = store.count(new)
        if not n_new:
            return 0
        store.eng.execute(exp.insert(exp.select(exp.Star()).from_(new), exp.to_table(gtab)))
    pos = {v: j for j, v in enumerate(unit.variables)}

    def proj(terms: tuple[Term, ...], alias: str | None) -> list[exp.Expr]:
        return [literal(consts[t]) if isinstance(t, str) else exp.column(_col(pos[t]), alias) for t in terms]

    outs = [*unit.leaves, Leaf(unit.out, unit.out_terms)]
    in_every = set.intersection(*[{leaves[j] for j in c} for c in used]) if used else set()
    small = (store.count(new) if delta is None else n_new) < ORDERED_BELOW
    for lf in outs:
        if lf not in in_every:   # a leaf of every plan: the join found its atoms, all exist
            full = set(_vars(lf)) == set(unit.variables) and len(lf.terms) == nv
            store.add_missing(lf.key, proj(lf.terms, None), new, default(lf.key), distinct=not full, ordered=small)
    sel = exp.select().from_(exp.to_table(new, alias="g"))
    for n, lf in enumerate(outs):
        alias = f"l{n}"
        sel = sel.select(exp.column("id", alias).as_(f"i{n}"), copy=False)
        on = [exp.EQ(this=exp.column(arg(i), alias), expression=e) for i, e in enumerate(proj(lf.terms, "g"))]
        add_join(sel, store.table(lf.key, alias), exp.and_(*on, copy=False) if on else None)
    cols = store.eng.numpy(sel)
    ids = [torch.from_numpy(np.ascontiguousarray(cols[f"i{n}"], dtype=np.int64)) for n in range(len(outs))]
    if delta is None or unit.out_ids is None:
        unit.leaf_ids, unit.out_ids, unit.snap = ids[:-1], ids[-1], None
    else:
        unit.leaf_ids = [torch.cat([a, b]) for a, b in zip(unit.leaf_ids, ids[:-1])]
        unit.out_ids = torch.cat([unit.out_ids, ids[-1]])
    added = len(ids[-1])
    unit.n = len(unit.out_ids)
    return added
