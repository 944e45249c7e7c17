"""``Model``: LNN's API over DuckDB tables (bounds) and torch (neurons).

>>> from ruledisc.lnn import Model, Propositions, Implies, Fact, World
>>> A, B = Propositions("A", "B")
>>> model = Model()
>>> model.add_knowledge(Implies(A, B), world=World.AXIOM)
>>> model.add_data({A: Fact.TRUE})
>>> steps, facts_inferred = model.infer()
>>> B.state()
<State.TRUE: 'TRUE'>
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import torch

from ..errors import UsageError
from ..semantics import TNorm
from ..source import open_source
from .constants import TOL, Bounds, Direction, Loss, State, World, classify, to_bounds
from .data import SRC, frame_source, grounding_key
from .formula import Formula, Predicate, Quantifier, walk
from .graph import Atoms, Unit, compile_unit, fixpoint
from .ground import ground
from .store import Store

_OPEN: dict[tuple[int, str], weakref.ref] = {}   # (connection, table prefix) -> the live model


@dataclass
class InferResult:
    """What ``infer`` did; unpacks as LNN's ``(steps, facts_inferred)``."""

    passes: int
    tightened: int
    contradictions: int = 0
    rounds: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def __iter__(self):
        return iter((self.passes, self.tightened))


class Model:
    """A set of formulae whose groundings and truth bounds live in DuckDB.

    ``db``: None (in memory), a DuckDB path or connection. ``tnorm``: the connectives'
    default semantics (``lukasiewicz``, ``godel`` or ``product``). ``alpha``: the
    threshold at which bounds read as TRUE / FALSE."""

    def __init__(self, name: str = "Model", db: Any = None, tnorm: str | TNorm = TNorm.LUKASIEWICZ,
                 alpha: float = 1.0, dtype: torch.dtype = torch.float32) -> None:
        if not 0.5 < alpha <= 1.0:
            raise UsageError(f"alpha must lie in (0.5, 1], got {alpha}")
        try:
            self.tnorm = TNorm(getattr(tnorm, "value", tnorm))
        except ValueError:
            raise UsageError(f"unknown t-norm {tnorm!r}; use lukasiewicz, godel or product") from None
        self.name, self.alpha, self.dtype = name, alpha, dtype
        if db is None:
            db = duckdb.connect()
        self.source = open_source(db, create=True)
        self.eng = self.source.writer()
        prefix = "lnn_" if name == "Model" else f"lnn_{name}_"
        live = _OPEN.get((id(self.eng.con), prefix))
        if live is not None and live() is not None:
            raise UsageError(f"a model named {name!r} is already open on this database; give Model(name=...)")
        _OPEN[(id(self.eng.con), prefix)] = weakref.ref(self)
        self.store = Store(self.eng, prefix)
        self.predicates: dict[str, Predicate] = {}
        self.formulae: list[Formula] = []
        self.units: list[Unit] = []
        self._keys: dict[int, str] = {}        # id(node) -> atom table
        self._nodes: dict[str, Formula] = {}   # atom table -> node
        self._defaults: dict[str, Bounds] = {}
        self._labels: set[str] = set()
        self.timings: dict[str, float] = {}
        self._passes = (True, True)   # the directions the units last ran

    # --- knowledge ---
    def key(self, node: Formula) -> str:
        if isinstance(node, Predicate):
            return self._register_predicate(node)
        k = self._keys.get(id(node))
        if k is None:
            raise UsageError(f"{node.name} is not in this model: add it with add_knowledge")
        return k

    def _register_predicate(self, p: Predicate) -> str:
        old = self.predicates.get(p.name)
        if old is not None and old is not p:
            raise UsageError(f"two different predicates are named {p.name!r}")
        if old is None:
            self.predicates[p.name] = p
            k = f"p_{p.name}"
            self._keys[id(p)], self._nodes[k], self._defaults[k] = k, p, p.world or World.OPEN.value
            self.store.create(k, p.arity, self._defaults[k])
            p._model = self
        return self._keys[id(p)]

    def add_knowledge(self, *formulae: Formula, world: Any = None) -> None:
        """Add formulae (and the predicates they use); ``world`` sets each one's world."""
        for f in formulae:
            if not isinstance(f, Formula):
                raise UsageError(f"add_knowledge takes formulae, got {f!r}")
            if f._model is not None and f._model is not self:
                raise UsageError(f"{f.name} is already in another model")
        for f in formulae:
            if world is not None:
                f.world = to_bounds(world, f"{f.name}: world")
            for node in walk(f):
                if isinstance(node, Predicate):
                    self._register_predicate(node)
                elif hasattr(node, "pred"):
                    self._register_predicate(node.pred)
            if isinstance(f, Predicate) or id(f) in self._keys:
                continue
            self._add_units(f)
            self.formulae.append(f)
            f._model = self

    def _add_units(self, f: Formula) -> None:
        inner = [q for q in walk(f) if isinstance(q, Quantifier) and q is not f]
        for q in reversed(inner):   # innermost first: their atoms feed the outer units
            self._add_unit(q, root=False)
        self._add_unit(f, root=True)

    def _add_unit(self, f: Formula, root: bool) -> None:
        if id(f) in self._keys:
            return
        quant = isinstance(f, Quantifier)
        k = f"q{len(self.units)}" if quant else f"f{len(self.units)}"
        default = f.world or World.OPEN.value
        self._keys[id(f)], self._nodes[k], self._defaults[k] = k, f, default
        self.store.create(k, len(f.variables), default)
        body_vars = f.operands[0].variables if quant else f.variables
        kind = ("exists" if f.symbol == "∃" else "forall") if quant else "formula"
        unit = Unit(f.name, tuple(body_vars), k, tuple(f.variables), kind)
        compile_unit(unit, f, self.key, self.tnorm)
        self.units.append(unit)
        f._model = self

    # --- data ---
    def add_data(self, data: dict) -> None:
        """Set bounds: ``{node: {grounding: Fact | (lower, upper) | bool}}``, ``{node: Fact}``
        for a proposition, or per node a polars DataFrame / DuckDB table name holding the
        arguments, then optional ``lower``, ``upper`` columns (TRUE when absent)."""
        self._load(data, labels=False)

    def add_labels(self, labels: dict) -> None:
        """Target bounds for training, in the shapes ``add_data`` takes."""
        self._load(labels, labels=True)

    def _load(self, data: dict, labels: bool) -> None:
        if not isinstance(data, dict):
            raise UsageError(f"{'add_labels' if labels else 'add_data'} takes a dict {{node: data}}, got {type(data).__name__}")
        for node, value in data.items():
            if isinstance(node, str):
                node = self[node]
            if not isinstance(node, Formula):
                raise UsageError(f"a data key is a predicate or formula, got {node!r}")
            k = self.key(node)
            try:
                source = frame_source(self.store, node, value, self.store.arity[k])   # checks the data first
                if labels:
                    self.store.create("l" + k, self.store.arity[k], World.OPEN.value)
                    self._labels.add(k)
                    k = "l" + k
                else:
                    for u in self.units:   # new data: every unit is grounded afresh
                        u.out_ids, u.leaf_ids, u.n, u.seen, u.snap, u.fresh = None, [], 0, {}, None, 0
                self.store.load(k, source)
            finally:
                self.eng.con.unregister(SRC)

    def _reset_bounds(self) -> None:
        """Every atom back to the bounds its data (or its table's default) gave it."""
        from sqlglot import exp
        for k in self._tables():
            sets = [exp.EQ(this=exp.column(c), expression=exp.column("d_" + c)) for c in ("lower", "upper")]
            self.eng.execute(exp.Update(this=self.store.table(k), expressions=sets))

    # --- inference ---
    def _load_atoms(self, column: str = "current") -> Atoms:
        atoms: Atoms = {}
        for k in self._tables():
            lo, hi, dlo, dhi = self.store.read(k)
            a, b = (lo, hi) if column == "current" else (dlo, dhi)
            atoms[k] = [torch.from_numpy(a).to(self.dtype), torch.from_numpy(b).to(self.dtype)]
        return atoms

    def _tables(self) -> list[str]:
        return list(self._defaults)

    def _extend(self, atoms: Atoms) -> None:
        for k, (lo, hi) in atoms.items():
            n = self.store.n[k]
            if n > len(lo):
                d = self._defaults[k]
                atoms[k] = [torch.cat([lo, torch.full((n - len(lo),), d[0], dtype=lo.dtype)]),
                            torch.cat([hi, torch.full((n - len(hi),), d[1], dtype=hi.dtype)])]

    @staticmethod
    def _informative(atoms: Atoms, key: str) -> np.ndarray:
        lo, hi = atoms[key]
        return ((lo > 0) | (hi < 1)).numpy()

    def _ground_round(self, atoms: Atoms, consts: dict[str, int]) -> bool:
        """Ground the units not grounded yet; extend the others by the groundings their
        newly informative atoms reach. True if any unit gained groundings."""
        grew = False
        for u in self.units:
            keys = sorted({lf.key for lf in u.leaves})
            now = {k: self._informative(atoms, k) for k in keys}
            if u.out_ids is None:
                added = ground(self.store, u, consts, self._defaults.__getitem__)
            else:
                delta = {}
                for k in keys:
                    old = u.seen[k]
                    fresh = now[k].copy()
                    fresh[:len(old)] &= ~old
                    delta[k] = np.nonzero(fresh)[0]
                if not any(len(d) for d in delta.values()):
                    continue
                added = ground(self.store, u, consts, self._defaults.__getitem__, delta)
            u.seen = now
            self._extend(atoms)
            grew |= added > 0
        return grew

    def _constants(self) -> dict[str, int]:
        names = sorted({t for u in self.units for lf in u.leaves for t in lf.terms if isinstance(t, str)})
        return self.store.const_ids(names)

    def _earlier(self, k: str, old: tuple[np.ndarray, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
        """Earlier bounds of ``k``'s atoms, those created since at the table's default: 2 x (n,)."""
        d = self._defaults[k]
        return (np.concatenate([old[0], np.full(n - len(old[0]), d[0])]),
                np.concatenate([old[1], np.full(n - len(old[1]), d[1])]))

    def _write(self, atoms: Atoms, synced: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        for k, (lo, hi) in atoms.items():
            lo_n, hi_n = lo.detach().numpy(), hi.detach().numpy()
            old_lo, old_hi = self._earlier(k, synced.get(k, (np.zeros(0), np.zeros(0))), len(lo_n))
            ids = np.nonzero((lo_n != old_lo) | (hi_n != old_hi))[0]
            self.store.write(k, ids, lo_n[ids], hi_n[ids])
            synced[k] = (lo_n.copy(), hi_n.copy())

    def infer(self, direction: Any = None, max_steps: int | None = None, max_passes: int = 1000,
              **_: Any) -> InferResult:
        """Upward and downward passes to convergence; grounding rounds until no formula gains
        groundings. Bounds only tighten. ``direction``: Direction.UPWARD or DOWNWARD runs that
        pass only. Returns passes and bounds tightened (and more)."""
        import time
        t0 = time.perf_counter()
        limit = max_steps or max_passes
        if direction not in (None, Direction.UPWARD, Direction.DOWNWARD):
            raise UsageError(f"infer: direction is Direction.UPWARD, Direction.DOWNWARD or None, got {direction!r}")
        up, down = direction != Direction.DOWNWARD, direction != Direction.UPWARD
        if (up, down) != self._passes:   # a unit's last run did not do this pass: run all of it
            for u in self.units:
                u.snap = None
            self._passes = (up, down)
        with torch.no_grad():
            atoms = self._load_atoms()
            start = {k: (v[0].numpy().copy(), v[1].numpy().copy()) for k, v in atoms.items()}
            synced = dict(start)
            consts = self._constants()
            passes = rounds = 0
            t_ground = t_torch = t_write = 0.0
            while True:
                ta = time.perf_counter()
                grew = self._ground_round(atoms, consts)
                tb = time.perf_counter()
                t_ground += tb - ta
                if not grew and rounds > 0:
                    break
                rounds += 1
                passes += fixpoint(self.units, atoms, limit, up, down)
                tc = time.perf_counter()
                t_torch += tc - tb
                self._write(atoms, synced)
                t_write += time.perf_counter() - tc
        tightened = contradictions = 0
        for k, (lo, hi) in atoms.items():
            lo_n, hi_n = lo.numpy(), hi.numpy()
            s_lo, s_hi = self._earlier(k, start[k], len(lo_n))
            tightened += int(((lo_n > s_lo + TOL) | (hi_n < s_hi - TOL)).sum())
            contradictions += int((lo_n > hi_n + TOL).sum())
        return InferResult(passes, tightened, contradictions, rounds,
                           {"ground": t_ground, "infer": t_torch, "write": t_write,
                            "total": time.perf_counter() - t0})

    # --- reading ---
    def __getitem__(self, name: str) -> Formula:
        if name in self.predicates:
            return self.predicates[name]
        for f in self.formulae:
            if f.name == name:
                return f
        raise UsageError(f"no predicate or formula named {name!r} in this model")

    def _bounds(self, node: Formula, groundings: list[Any]) -> list[tuple[float, float]]:
        k = self.key(node)
        arity = self.store.arity[k]
        out = []
        for g in groundings:   # one indexed lookup each: a table may hold millions of atoms
            names = grounding_key(g, arity, node.name)
            found = self.store.decoded(k, names=names) if arity else self.store.decoded(k)
            if not found:
                raise UsageError(f"{node.name} has no grounding {g!r}")
            out.append(found[0][1:])
        return out

    def state(self, node: Formula, groundings: Any = None) -> Any:
        k = self.key(node)
        if self.store.arity[k] == 0:
            ((_, lo, hi),) = self.store.decoded(k)
            return classify(lo, hi, self.alpha)
        if groundings is None or isinstance(groundings, list):
            rows = self.store.decoded(k)
            show = {names: classify(lo, hi, self.alpha) for names, lo, hi in rows}
            out = {(n[0] if len(n) == 1 else n): s for n, s in show.items()}
            if groundings is None:
                return out
            return {g: classify(*b, self.alpha) for g, b in zip(groundings, self._bounds(node, groundings))}
        return classify(*self._bounds(node, [groundings])[0], self.alpha)

    def get_data(self, node: Formula, *groundings: Any) -> torch.Tensor:
        k = self.key(node)
        if not groundings or self.store.arity[k] == 0:
            return torch.tensor([[lo, hi] for _, lo, hi in self.store.decoded(k)], dtype=torch.float64)
        return torch.tensor(self._bounds(node, list(groundings)), dtype=torch.float64)

    def print(self, node: Formula | None = None, header_len: int = 50, roundoff: int = 5, params: bool = False,
              max_groundings: int | None = None) -> None:
        from .printout import render
        print(render(self, [node] if node is not None else None, header_len, roundoff, params, max_groundings))

    def contradictions(self) -> list[tuple[str, Any, Bounds]]:
        """Every (node, grounding, bounds) whose lower bound exceeds its upper bound."""
        out = []
        for k, node in self._nodes.items():
            for names, lo, hi in self.store.decoded(k):
                if classify(lo, hi, self.alpha) in (State.CONTRADICTION, State.APPROX_CONTRADICTION):
                    out.append((node.name, names[0] if len(names) == 1 else names, (lo, hi)))
        return out

    def nodes(self) -> list[tuple[str, Formula]]:
        """(atom table, node): root formulae in the order added, then predicates by name."""
        roots = [(self._keys[id(f)], f) for f in self.formulae]
        preds = sorted(((self._keys[id(p)], p) for p in self.predicates.values()), key=lambda kv: kv[1].name)
        return roots + preds

    def neurons(self) -> list[tuple[Any, TNorm]]:
        """Every weighted connective's neuron once, with its t-norm (Iff/Xor hold three)."""
        seen: dict[int, tuple[Any, TNorm]] = {}
        for u in self.units:
            for op in u.ops:
                if op.neuron is not None:
                    seen.setdefault(id(op.neuron), (op.neuron, op.tnorm))
        return list(seen.values())

    def train(self, losses: Any = Loss.SUPERVISED, epochs: int = 300, learning_rate: float = 0.01,
              **kw: Any) -> tuple[int, list[float]]:
        from .train import train
        return train(self, losses, epochs, learning_rate, **kw)

    @classmethod
    def from_rules(cls, rules: Any, db: Any = None, weighted: bool = True, load_data: bool = True,
                   **kw: Any) -> Model:
        """A model of mined rules: each ``head :- body`` becomes ``Implies(And(body), head)``
        with world ``(confidence, 1)`` (AXIOM when unweighted or ``weighted=False``). With
        ``db``, body predicates that are its tables are loaded as TRUE facts."""
        from .bridge import _rules, formulae_from_rules, load_tables
        formulae, preds, heads = formulae_from_rules(_rules(rules), weighted)
        model = cls(db=db, **kw)
        model.add_knowledge(*formulae)
        if load_data and db is not None:
            load_tables(model, preds, heads)
        return model

    def write_views(self, prefix: str | None = None) -> list[str]:
        """Each predicate's bounds as a view ``ruledisc.<prefix><name>(x0 .., lower, upper,
        state)`` with constants as text. Returns the view names."""
        from .bridge import write_views
        return write_views(self, prefix)

    def close(self) -> None:
        _OPEN.pop((id(self.eng.con), self.store.prefix), None)
        self.source.close()

