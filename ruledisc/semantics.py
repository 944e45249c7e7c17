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
