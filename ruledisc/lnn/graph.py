"""Formulae compiled to neurons over index batches, and the upward/downward passes in torch.

A *unit* is one formula body evaluated on its groundings: the ops (leaves, ``not``, and
weighted ANDs; Or/Implies/Iff/Xor are ANDs with negated inputs and output) run on
(n,) tensors, one entry per grounding. Leaves gather atom bounds by id; the root feeds
the unit's output atoms: a root formula's own table, or a quantifier's table (one atom
per binding of its free variables). Atom bounds only ever tighten: lower by max, upper by
min, each pass Gauss-Seidel (a unit sees the atoms the previous one wrote).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from ..semantics import TNorm, wand, wand_down
from .constants import TOL
from .formula import Atom, Connective, Formula, Iff, Implies, Neuron, Not, Or, Proposition, Quantifier, Variable, Xor

Term = Variable | str
Atoms = dict[str, list[torch.Tensor]]   # key -> [lower (n,), upper (n,)]


@dataclass(frozen=True)
class Leaf:
    key: str                   # atom table
    terms: tuple[Term, ...]    # its arguments: variables or constants


@dataclass
class Op:
    kind: str                  # "leaf" | "not" | "and"
    children: tuple[int, ...] = ()
    neg_in: tuple[bool, ...] = ()
    neg_out: bool = False
    neuron: Neuron | None = None
    tnorm: TNorm = TNorm.LUKASIEWICZ
    leaf: int = -1


@dataclass
class Unit:
    """One formula body. ``kind``: "formula" (output = the root's own atoms, one per
    grounding), "exists" or "forall" (output = the quantifier's atoms, by free variables)."""

    name: str
    variables: tuple[Variable, ...]
    out: str
    out_terms: tuple[Term, ...]
    kind: str
    ops: list[Op] = field(default_factory=list)
    leaves: list[Leaf] = field(default_factory=list)
    n: int = 0
    leaf_ids: list[torch.Tensor] = field(default_factory=list)   # per leaf: (n,) atom ids
    out_ids: torch.Tensor | None = None                          # (n,) output atom ids
    seen: dict = field(default_factory=dict)   # leaf table -> informative atoms (bool) when last grounded
    snap: dict | None = None   # table -> the atom tensors of its last run (None: never ran)
    fresh: int = 0             # groundings from this row on were added after its last run


def compile_unit(unit: Unit, body: Formula, key_of: Callable[[Formula], str], tnorm: TNorm) -> None:
    """Fill ``unit.ops`` (children before parents; the root last) and ``unit.leaves``."""
    memo: dict[int, int] = {}
    leaves: dict[Leaf, int] = {}

    def add(op: Op) -> int:
        unit.ops.append(op)
        return len(unit.ops) - 1

    def leaf(key: str, terms: tuple[Term, ...]) -> int:
        lf = Leaf(key, terms)
        if lf not in leaves:
            leaves[lf] = len(unit.leaves)
            unit.leaves.append(lf)
        return add(Op("leaf", leaf=leaves[lf]))

    def neuron_op(f: Connective, children: tuple[int, ...], neg_in: tuple[bool, ...], neg_out: bool) -> int:
        return add(Op("and", children, neg_in, neg_out, f.neuron, f.tnorm or tnorm))

    def build(f: Formula, top: bool = False) -> int:
        if id(f) in memo:
            return memo[id(f)]
        if isinstance(f, Proposition):
            i = leaf(key_of(f), ())
        elif isinstance(f, Atom):
            i = leaf(key_of(f.pred), f.args)
        elif isinstance(f, Quantifier) and not top:
            i = leaf(key_of(f), f.variables)
        elif isinstance(f, Not):
            i = add(Op("not", (build(f.operands[0]),)))
        elif isinstance(f, Iff):   # Xor too: an Iff whose output is negated
            a, b = (build(x) for x in f.operands)
            left = neuron_op(f.left, (a, b), (False, True), True)
            right = neuron_op(f.right, (b, a), (False, True), True)
            i = neuron_op(f, (left, right), (False, False), False)
            if isinstance(f, Xor):
                i = add(Op("not", (i,)))
        elif isinstance(f, Connective):
            kids = tuple(build(x) for x in f.operands)
            neg = isinstance(f, (Or, Implies))
            neg_in = (False, True) if isinstance(f, Implies) else (neg,) * len(kids)
            i = neuron_op(f, kids, neg_in, neg)
        elif isinstance(f, Quantifier):   # the unit of a quantifier evaluates its body
            i = build(f.operands[0])
        else:
            raise TypeError(f"cannot compile {f!r}")
        memo[id(f)] = i
        return i

    build(body, top=True)


def _tighten(a: tuple[torch.Tensor, torch.Tensor], lo: torch.Tensor, hi: torch.Tensor):
    return torch.maximum(a[0], lo), torch.minimum(a[1], hi)


Vals = list[tuple[torch.Tensor, torch.Tensor]]


def upward(unit: Unit, atoms: Atoms, rows: torch.Tensor | None = None) -> Vals:
    """Every op's bounds from its children, on all groundings or on ``rows`` (m,):
    list of (lower, upper), each (n,) or (m,)."""
    vals: Vals = []
    for op in unit.ops:
        if op.kind == "leaf":
            ids = unit.leaf_ids[op.leaf] if rows is None else unit.leaf_ids[op.leaf][rows]
            lo, hi = atoms[unit.leaves[op.leaf].key]
            vals.append((lo[ids], hi[ids]))
        elif op.kind == "not":
            lo, hi = vals[op.children[0]]
            vals.append((1.0 - hi, 1.0 - lo))
        else:
            L, U = _inputs(op, vals)
            n = op.neuron
            lo, hi = wand(L, n.weights, n.bias, op.tnorm), wand(U, n.weights, n.bias, op.tnorm)
            vals.append((1.0 - hi, 1.0 - lo) if op.neg_out else (lo, hi))
    return vals


def _inputs(op: Op, vals: Vals) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The AND's input bounds, negated inputs flipped: k x (n,), k x (n,)."""
    ls, us = [], []
    for c, neg in zip(op.children, op.neg_in):
        lo, hi = vals[c]
        ls.append(1.0 - hi if neg else lo)
        us.append(1.0 - lo if neg else hi)
    return ls, us


def run_unit(unit: Unit, atoms: Atoms, rows: torch.Tensor | None = None, up: bool = True,
             down: bool = True) -> None:
    """One upward and one downward pass of ``unit`` (on ``rows`` (m,) of its groundings, or
    all), tightening ``atoms``: new tensors, never in place, so autograd sees every step.
    ``up`` / ``down`` False: the root's value is not written / nothing goes downward."""
    if unit.n == 0:
        return
    vals = upward(unit, atoms, rows)
    ids = unit.out_ids if rows is None else unit.out_ids[rows]
    if up:
        _output_up(unit, atoms, vals[-1], ids)
    if not down:
        return
    lo, hi = atoms[unit.out]
    root = vals[-1]
    if unit.kind == "formula":
        vals[-1] = _tighten(root, lo[ids], hi[ids])
    elif unit.kind == "forall":
        vals[-1] = (torch.maximum(root[0], lo[ids]), root[1])
    else:
        vals[-1] = (root[0], torch.minimum(root[1], hi[ids]))
    gathered = {i: v for i, v in enumerate(vals) if unit.ops[i].kind == "leaf"}
    for i in range(len(unit.ops) - 1, -1, -1):
        op = unit.ops[i]
        L, U = vals[i]
        if op.kind == "leaf":
            leaf_ids = unit.leaf_ids[op.leaf] if rows is None else unit.leaf_ids[op.leaf][rows]
            if not L.requires_grad:   # inference: write only the atoms this pass tightens
                g_lo, g_hi = gathered[i]
                hit = ((L > g_lo + TOL) | (U < g_hi - TOL)).nonzero().squeeze(1)
                if len(hit) == 0:
                    continue
                if len(hit) < len(L):
                    leaf_ids, L, U = leaf_ids[hit], L[hit], U[hit]
            _scatter(atoms, unit.leaves[op.leaf].key, leaf_ids, L, U)
        elif op.kind == "not":
            c = op.children[0]
            vals[c] = _tighten(vals[c], 1.0 - U, 1.0 - L)
        else:
            lo_o, hi_o = (1.0 - U, 1.0 - L) if op.neg_out else (L, U)
            CL, CU = _inputs(op, vals)
            n = op.neuron
            derived = wand_down(lo_o, hi_o, CL, CU, n.weights, n.bias, op.tnorm)
            for (c, neg), (dl, du) in zip(zip(op.children, op.neg_in), derived):
                vals[c] = _tighten(vals[c], 1.0 - du, 1.0 - dl) if neg else _tighten(vals[c], dl, du)


def _scatter(atoms: Atoms, key: str, ids: torch.Tensor, L: torch.Tensor, U: torch.Tensor) -> None:
    lo, hi = atoms[key]
    atoms[key] = [lo.scatter_reduce(0, ids, L, reduce="amax", include_self=True),
                  hi.scatter_reduce(0, ids, U, reduce="amin", include_self=True)]


def _output_up(unit: Unit, atoms: Atoms, root: tuple[torch.Tensor, torch.Tensor], ids: torch.Tensor) -> None:
    """The root's bounds into the output atoms: as they are (formula), or the group max
    (exists) / min (forall) over the groundings the model holds (quantifier units always
    run on all their groundings)."""
    if unit.kind == "formula":
        _scatter(atoms, unit.out, ids, root[0], root[1])
        return
    lo, hi = atoms[unit.out]
    red, empty = ("amax", 0.0) if unit.kind == "exists" else ("amin", 1.0)
    gl = torch.full_like(lo, empty).scatter_reduce(0, ids, root[0], reduce=red, include_self=False)
    gu = torch.full_like(hi, empty).scatter_reduce(0, ids, root[1], reduce=red, include_self=False)
    has = torch.zeros(len(lo), dtype=torch.bool).index_fill(0, ids, True)
    atoms[unit.out] = [torch.where(has, torch.maximum(lo, gl), lo), torch.where(has, torch.minimum(hi, gu), hi)]


def _moved(old: list[torch.Tensor], new: list[torch.Tensor]) -> torch.Tensor | None:
    """Atoms whose bounds differ between two versions: (n,) bool; None when the tensors are
    the very same (nothing wrote them)."""
    if old[0] is new[0] and old[1] is new[1]:
        return None
    return ((new[0] - old[0]).abs() > TOL) | ((new[1] - old[1]).abs() > TOL)


def fixpoint(units: list[Unit], atoms: Atoms, max_passes: int, up: bool = True, down: bool = True) -> int:
    """Passes over every unit until no bound moves; returns the passes. A unit runs on all
    its groundings the first time (``unit.snap`` is None), then only on the groundings
    added since (``unit.fresh``) or naming an atom that moved since its last run (all of
    them when more than half would), across calls."""
    for p in range(1, max_passes + 1):
        before = {k: list(v) for k, v in atoms.items()}
        for u in units:
            rows = _active(u, atoms) if u.snap is not None else None
            if rows is not None and len(rows) == 0:
                continue
            snap = {k: list(atoms[k]) for k in {lf.key for lf in u.leaves} | {u.out}}   # what this run reads
            run_unit(u, atoms, rows, up, down)
            u.snap, u.fresh = snap, u.n
        if not any(m is not None and bool(m.any()) for m in (_moved(before[k], atoms[k]) for k in atoms)):
            return p
    return max_passes


def _active(u: Unit, atoms: Atoms) -> torch.Tensor | None:
    """Groundings of ``u`` added since its last run or naming an atom that moved since:
    (m,) row ids; None means all of them."""
    if u.n == 0:
        return torch.zeros(0, dtype=torch.long)
    if u.kind != "formula":
        return None
    mask = torch.zeros(u.n, dtype=torch.bool)
    mask[u.fresh:] = True
    for key, ids in [*((lf.key, u.leaf_ids[j]) for j, lf in enumerate(u.leaves)), (u.out, u.out_ids)]:
        old = u.snap[key]
        new = atoms[key]
        if old[0] is new[0] and old[1] is new[1]:
            continue
        n_old = len(old[0])
        moved = torch.ones(len(new[0]), dtype=torch.bool)
        moved[:n_old] = _moved(old, [new[0][:n_old], new[1][:n_old]])
        mask |= moved[ids]
    rows = mask.nonzero().squeeze(1)
    return None if len(rows) * 2 > u.n else rows
