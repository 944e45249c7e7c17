"""Learning the neurons' weights from labelled bounds.

Each epoch restarts from the data's bounds, runs the passes to the fixpoint without
gradients, then one more upward/downward pass with them (the fixed point's last step
carries the gradient; memory is one pass, not all of them), and takes an Adam step on
the weighted losses. Parameters are projected after each step: weights >= 0, and <= 1
for Gödel and product; the Łukasiewicz bias >= 0.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import torch

from ..errors import UsageError
from ..learner import Adam
from ..semantics import TNorm
from .constants import Loss
from .graph import Atoms, fixpoint, run_unit

if TYPE_CHECKING:
    from .model import Model


def _losses(losses: Any) -> dict[Loss, float]:
    if isinstance(losses, Loss):
        return {losses: 1.0}
    if isinstance(losses, dict):
        out = dict(losses)
    elif isinstance(losses, (list, tuple, set)):
        out = {x: 1.0 for x in losses}
    else:
        raise UsageError(f"losses: give a Loss, a list of Loss or a dict {{Loss: coefficient}}, got {losses!r}")
    for k in out:
        if not isinstance(k, Loss):
            raise UsageError(f"losses: {k!r} is not a Loss (SUPERVISED, CONTRADICTION, LOGICAL, UNCERTAINTY)")
    return {k: float(v) for k, v in out.items()}


def _label_ids(model: Model) -> dict[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Per labelled table: atom ids (m,), label lower (m,) and upper (m,)."""
    from sqlglot import exp

    from .store import arg
    out = {}
    st = model.store
    for k in sorted(model._labels):
        lk, arity = "l" + k, st.arity[k]
        st.add_missing(k, [exp.column(arg(i)) for i in range(arity)], st.table(lk), model._defaults[k])
        on = [exp.EQ(this=exp.column(arg(i), "t"), expression=exp.column(arg(i), "l")) for i in range(arity)]
        sel = exp.select(exp.column("id", "t"), exp.column("lower", "l"), exp.column("upper", "l")).from_(
            st.table(lk, "l"))
        sel = sel.join(st.table(k, "t"), on=exp.and_(*on) if on else None, join_type="INNER" if on else "CROSS")
        d = st.eng.numpy(sel)
        out[k] = (torch.from_numpy(d["id"].astype("int64")), torch.from_numpy(d["lower"]).to(model.dtype),
                  torch.from_numpy(d["upper"]).to(model.dtype))
    return out


def _loss(model: Model, atoms: Atoms, weights: dict[Loss, float], labels: dict, alpha: float) -> torch.Tensor:
    total = torch.zeros((), dtype=model.dtype)
    if Loss.SUPERVISED in weights:
        for k, (ids, lo, hi) in labels.items():
            L, U = atoms[k]
            total = total + weights[Loss.SUPERVISED] * (((L[ids] - lo) ** 2).sum() + ((U[ids] - hi) ** 2).sum())
    if Loss.CONTRADICTION in weights or Loss.UNCERTAINTY in weights:
        for L, U in atoms.values():
            if Loss.CONTRADICTION in weights:
                total = total + weights[Loss.CONTRADICTION] * (L - U).clamp(min=0).sum()
            if Loss.UNCERTAINTY in weights:
                total = total + weights[Loss.UNCERTAINTY] * (U - L).clamp(min=0).sum()
    if Loss.LOGICAL in weights:
        for neuron, tnorm in model.neurons():
            if tnorm != TNorm.LUKASIEWICZ:
                continue
            w, b = neuron.weights, neuron.bias
            true_out = b - (1 - alpha) * w.sum()               # every input at alpha: output >= alpha
            false_out = b - alpha * w                           # one input at 1 - alpha: output <= 1 - alpha
            total = total + weights[Loss.LOGICAL] * ((alpha - true_out).clamp(min=0)
                                                     + (false_out - (1 - alpha)).clamp(min=0).sum())
    return total


def _project(model: Model) -> None:
    with torch.no_grad():
        for neuron, tnorm in model.neurons():
            neuron.weights.clamp_(min=0.0, max=None if tnorm == TNorm.LUKASIEWICZ else 1.0)
            neuron.bias.clamp_(min=0.0)


def train(model: Model, losses: Any, epochs: int, learning_rate: float, max_passes: int = 1000,
          logical_alpha: float = 0.95) -> tuple[int, list[float]]:
    """Fit the neurons to the labels; returns LNN's ``(epochs run, loss per epoch)`` and
    leaves the model's bounds inferred with the learned weights."""
    weights = _losses(losses)
    if epochs < 1 or learning_rate <= 0:
        raise UsageError("train: epochs must be >= 1 and learning_rate > 0")
    if Loss.SUPERVISED in weights and not model._labels:
        raise UsageError("train: SUPERVISED loss needs labels; add them with model.add_labels")
    t0 = time.perf_counter()
    model._reset_bounds()
    model.infer(max_passes=max_passes)       # the groundings the data (and the current weights) reach
    t1 = time.perf_counter()
    labels = _label_ids(model)
    params = [t for n, _ in model.neurons() for t in (n.weights, n.bias)]
    if not params:
        raise UsageError("train: the model has no weighted connective to learn")
    for t in params:
        t.requires_grad_(True)
    opt = Adam(params, lr=learning_rate)   # torch.optim imports torch._dynamo: seconds per process
    history: list[float] = []
    try:
        for _ in range(epochs):
            atoms = model._load_atoms("data")
            model._extend(atoms)
            for u in model.units:
                u.snap = None
            with torch.no_grad():
                fixpoint(model.units, atoms, max_passes)
            atoms = {k: [v[0].detach(), v[1].detach()] for k, v in atoms.items()}
            for u in model.units:
                run_unit(u, atoms)
            loss = _loss(model, atoms, weights, labels, logical_alpha)
            if loss.requires_grad:
                loss.backward()
                opt.step()
            _project(model)
            history.append(float(loss.detach()))
    finally:
        for t in params:
            t.requires_grad_(False)
    t2 = time.perf_counter()
    model._reset_bounds()
    model.infer(max_passes=max_passes)
    model.timings = {"infer_before": t1 - t0, "epochs": t2 - t1, "infer_after": time.perf_counter() - t2}
    return len(history), history
