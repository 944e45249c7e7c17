"""Real-valued logic as pure tensor functions: product, Łukasiewicz, Gödel.

Shared by the rule learner (and later an LNN-style model). Truth values are
floats in [0, 1]; every function is differentiable almost everywhere.
"""

from __future__ import annotations

from enum import Enum

import torch

EPS = 1e-6


class TNorm(str, Enum):
    PRODUCT = "product"
    LUKASIEWICZ = "lukasiewicz"
    GODEL = "godel"


def conj(x: torch.Tensor, tnorm: TNorm) -> torch.Tensor:
    """AND over the last dim. ``x``: (..., k) -> (...)."""
    if x.shape[-1] == 0:
        return torch.ones(x.shape[:-1], dtype=x.dtype, device=x.device)
    if tnorm == TNorm.PRODUCT:
        return x.prod(dim=-1)
    if tnorm == TNorm.LUKASIEWICZ:
        return (x.sum(dim=-1) - (x.shape[-1] - 1)).clamp(min=0.0)
    return x.min(dim=-1).values


def disj(x: torch.Tensor, tnorm: TNorm) -> torch.Tensor:
    """OR over the last dim. ``x``: (..., k) -> (...)."""
    if tnorm == TNorm.PRODUCT:
        return 1.0 - (1.0 - x).prod(dim=-1)
    if tnorm == TNorm.LUKASIEWICZ:
        return x.sum(dim=-1).clamp(max=1.0)
    return x.max(dim=-1).values


def scatter_disj(values: torch.Tensor, index: torch.Tensor, n: int, tnorm: TNorm) -> torch.Tensor:
    """OR of ``values`` grouped by ``index``: (P,), (P,) -> (n,). Empty groups are 0."""
    if tnorm == TNorm.PRODUCT:
        # log-space product of (1 - v); a value of exactly 1 saturates its group to exactly 1
        sat = values >= 1.0
        logs = torch.log1p(-torch.where(sat, torch.zeros_like(values), values).clamp(max=1.0 - EPS))
        acc = torch.zeros(n, dtype=values.dtype, device=values.device).index_add(0, index, logs)
        n_sat = torch.zeros(n, dtype=values.dtype, device=values.device).index_add(0, index, sat.to(values.dtype))
        return torch.where(n_sat > 0, torch.ones_like(acc), 1.0 - torch.exp(acc))
    if tnorm == TNorm.LUKASIEWICZ:
        acc = torch.zeros(n, dtype=values.dtype, device=values.device).index_add(0, index, values)
        return acc.clamp(max=1.0)
    out = torch.zeros(n, dtype=values.dtype, device=values.device)
    return out.scatter_reduce(0, index, values, reduce="amax", include_self=True)


def scatter_exists(values: torch.Tensor, index: torch.Tensor, n: int) -> torch.Tensor:
    """Existential quantification (max over groundings) by group: (P,), (P,) -> (n,)."""
    out = torch.zeros(n, dtype=values.dtype, device=values.device)
    return out.scatter_reduce(0, index, values, reduce="amax", include_self=True)


def weighted(truth: torch.Tensor, weight: torch.Tensor, tnorm: TNorm) -> torch.Tensor:
    """A literal or clause scaled by its weight in [0, 1] before a disjunction."""
    if tnorm == TNorm.LUKASIEWICZ:
        return (truth + weight - 1.0).clamp(min=0.0)  # Łukasiewicz AND with the weight
    if tnorm == TNorm.GODEL:
        return torch.minimum(truth, weight)
    return truth * weight


# --- truth bounds (the LNN model): a weighted AND and its inverse -------------------------
# Or, Implies and Not reduce to this AND by negating inputs and output (De Morgan), so every
# connective of every t-norm has one upward and one downward rule here. Inputs are weighted
# as ``z = 1 - w (1 - x)`` (weight 0 drops an input); Łukasiewicz also has the bias beta:
# ``y = beta - sum w (1 - x)``, which is LNN's weighted Łukasiewicz AND. Inputs come as a
# list of k tensors (n,): a stacked (n, k) layout reduces over a short last dimension,
# several times slower on CPU.

def clamp01(x: torch.Tensor) -> torch.Tensor:
    """Clamp to [0, 1] with the gradient of the identity (LNN's ``val_clamp``): a saturated
    neuron still learns."""
    if not x.requires_grad:
        return x.clamp(0.0, 1.0)
    return x + (x.clamp(0.0, 1.0) - x).detach()


def _gaps(x: list[torch.Tensor], w: torch.Tensor) -> list[torch.Tensor]:
    """``w_j (1 - x_j)`` per input; unit weights skip the product."""
    if not w.requires_grad and bool((w == 1).all()):
        return [1.0 - xi for xi in x]
    return [(1.0 - xi) * w[j] for j, xi in enumerate(x)]


def wand(x: list[torch.Tensor], w: torch.Tensor, beta: torch.Tensor, tnorm: TNorm) -> torch.Tensor:
    """Weighted AND, increasing in each input: k x (n,), (k,), () -> (n,)."""
    gaps = _gaps(x, w)
    if tnorm == TNorm.LUKASIEWICZ:
        return clamp01(beta - sum(gaps[1:], gaps[0]))
    out = 1.0 - gaps[0]
    for g in gaps[1:]:
        out = torch.minimum(out, 1.0 - g) if tnorm == TNorm.GODEL else out * (1.0 - g)
    return clamp01(out)


def _others(z: list[torch.Tensor], i: int, reduce: str) -> torch.Tensor:
    """``reduce`` (min or prod) of the inputs other than ``i``: k x (n,) -> (n,)."""
    rest = [zj for j, zj in enumerate(z) if j != i]
    out = rest[0]
    for r in rest[1:]:
        out = torch.minimum(out, r) if reduce == "min" else out * r
    return out


def wand_down(lo: torch.Tensor, hi: torch.Tensor, L: list[torch.Tensor], U: list[torch.Tensor], w: torch.Tensor,
              beta: torch.Tensor, tnorm: TNorm) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Bounds each input of a weighted AND must meet when its output lies in [lo, hi] and
    its inputs in [L, U]: (n,), (n,), k x (n,), k x (n,) -> k x (lower (n,), upper (n,)).
    An input with weight 0 learns nothing; a rule that does not apply gives [0, 1]."""
    k = len(L)
    out = []
    use_lo, use_hi = lo > 0.0, hi < 1.0
    plain = tnorm == TNorm.LUKASIEWICZ and not (w.requires_grad or beta.requires_grad) and bool((w == 1).all())
    if tnorm == TNorm.LUKASIEWICZ:
        gu, gl = _gaps(U, w), _gaps(L, w)
        if plain:   # unit weights: x_i >= lo + (1 - beta) + sum of the others' (1 - U), the same for U
            shift = 1.0 - float(beta)
            lo_s, hi_s = (lo + shift, hi + shift) if shift else (lo, hi)
        else:
            su, sl = sum(gu[1:], gu[0]), sum(gl[1:], gl[0])
            base_l, base_u = beta - lo - su, beta - hi - sl   # + own gap = what input i may lose
    else:
        zl = [1.0 - g for g in _gaps(L, w)]
        zu = [1.0 - g for g in _gaps(U, w)]
    for i in range(k):
        wi = w[i]
        if float(wi.detach()) <= EPS:
            out.append((torch.zeros_like(lo), torch.ones_like(hi)))
            continue
        if plain:
            others = [j for j in range(k) if j != i]
            new_l = sum((gu[j] for j in others[1:]), lo_s + gu[others[0]])
            new_u = sum((gl[j] for j in others[1:]), hi_s + gl[others[0]])
            out.append((torch.where(use_lo, new_l.clamp_(0.0, 1.0), 0.0), torch.where(use_hi, new_u.clamp_(0.0, 1.0), 1.0)))
            continue
        if tnorm == TNorm.LUKASIEWICZ:
            new_l = 1.0 - (base_l + gu[i]) / wi
            new_u = 1.0 - (base_u + gl[i]) / wi
        else:
            if tnorm == TNorm.GODEL:
                z_lo = lo
                z_hi = torch.where(_others(zl, i, "min") > hi, hi, torch.ones_like(hi))
            else:
                pu, pl = _others(zu, i, "prod"), _others(zl, i, "prod")
                z_lo = torch.where(pu > EPS, lo / pu.clamp(min=EPS), torch.ones_like(lo))
                z_hi = torch.where(pl > EPS, hi / pl.clamp(min=EPS), torch.ones_like(hi))
            new_l = 1.0 - (1.0 - z_lo) / wi
            new_u = 1.0 - (1.0 - z_hi) / wi
        out.append((torch.where(use_lo, clamp01(new_l), 0.0), torch.where(use_hi, clamp01(new_u), 1.0)))
    return out
