"""How the rules that fire for a candidate make its score: max (AnyBURL's, the rules'
weights compared best first), noisy-or, and a noisy-or whose per-rule weights are
learned in torch on the training queries.

Every function takes the fired rows of :class:`ruledisc.kg_rank.Fired` and returns one
score per (query, candidate) pair, ``(P,)``, higher is better.
"""

from __future__ import annotations

import numpy as np
import torch

from .kg_rank import Fired

TOP = 4   # max aggregation compares the best TOP weights of each candidate, in order


def max_scores(f: Fired, weight: np.ndarray) -> np.ndarray:
    """Lexicographic max: candidates ordered by their best rule's weight, ties broken
    by the second best, and so on (``TOP`` deep). ``weight``: ``(n_rules,)``."""
    pair, _, _ = f.pairs()
    n = int(pair[-1]) + 1 if len(pair) else 0
    w = weight[f.rid]
    order = np.lexsort((-w, pair))
    pair_s, w_s = pair[order], w[order]
    first = np.searchsorted(pair_s, np.arange(n))
    pos = np.arange(len(pair_s)) - first[pair_s]
    levels, code = np.unique(w_s, return_inverse=True)   # each weight as its rank among the weights
    base = len(levels) + 1
    top = np.zeros((n, TOP), dtype=np.int64)
    keep = pos < TOP
    top[pair_s[keep], pos[keep]] = code.reshape(-1)[keep] + 1
    if base ** TOP < 2 ** 53:   # the TOP ranks as the digits of one exact float: same order, no row sort
        return (top @ (base ** np.arange(TOP - 1, -1, -1, dtype=np.int64))).astype(np.float64)
    _, ordinal = np.unique(top, axis=0, return_inverse=True)
    return ordinal.reshape(-1).astype(np.float64)


def noisy_or_scores(f: Fired, weight: np.ndarray) -> np.ndarray:
    """``1 - prod(1 - w)`` over the rules that fire, as the monotone ``-sum(log(1 - w))``."""
    pair, _, _ = f.pairs()
    n = int(pair[-1]) + 1 if len(pair) else 0
    w = np.clip(weight[f.rid], 0.0, 1 - 1e-9)
    return np.bincount(pair, weights=-np.log1p(-w), minlength=n)


def _group_logsumexp(x: torch.Tensor, group: torch.Tensor, n: int) -> torch.Tensor:
    """``(n,)`` logsumexp of ``x`` ``(P,)`` within each group id of ``group`` ``(P,)``."""
    m = torch.full((n,), -torch.inf, dtype=x.dtype).scatter_reduce(0, group, x, "amax", include_self=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    s = torch.zeros(n, dtype=x.dtype).index_add_(0, group, torch.exp(x - m[group]))
    return m + torch.log(s)


class LearnedNoisyOr:
    """Noisy-or over learned rule weights ``sigmoid(theta)``, ``theta`` ``(n_rules,)``
    initialised at the logit of the rules' weights, fitted by a listwise softmax over each
    training query's candidates (cross-entropy of the answer; other known answers are
    already filtered out)."""

    def __init__(self, weight: np.ndarray):
        w = np.clip(weight, 1e-4, 1 - 1e-4)
        self.init = torch.tensor(np.log(w / (1 - w)), dtype=torch.float32)
        self.theta = self.init.clone()

    @staticmethod
    def _pair_logits(theta: torch.Tensor, rid: torch.Tensor, pair: torch.Tensor, n: int) -> torch.Tensor:
        """``(P,)`` the noisy-or's log-odds of missing, ``sum(softplus(theta))`` over the rules
        that fire: monotone in the noisy-or, and it separates the candidates near 1."""
        return torch.zeros(n, dtype=theta.dtype).index_add_(0, pair, torch.nn.functional.softplus(theta[rid]))

    def fit(self, f: Fired, epochs: int = 100, lr: float = 0.05, l2: float = 1e-3) -> list[float]:
        pair_np, pq_np, phit_np = f.pairs()
        if not phit_np.any():
            return []
        n = len(pq_np)
        pair, rid = torch.from_numpy(pair_np), torch.from_numpy(f.rid)
        pq = torch.from_numpy(pq_np)
        hit = torch.from_numpy(phit_np)
        answered = torch.zeros(f.n_queries, dtype=torch.bool)
        answered[pq[hit]] = True
        keep = answered[pq]             # pairs of queries whose answer some rule reaches
        theta = self.theta.clone().requires_grad_(True)
        opt = torch.optim.Adam([theta], lr=lr)
        losses = []
        for _ in range(epochs):
            opt.zero_grad()
            logit = self._pair_logits(theta, rid, pair, n)
            lse = _group_logsumexp(logit[keep], pq[keep], f.n_queries)
            loss = (lse[pq[hit]] - logit[hit]).mean() + l2 * ((theta - self.init) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        self.theta = theta.detach()
        return losses

    def scores(self, f: Fired) -> np.ndarray:
        pair, pq, _ = f.pairs()
        with torch.no_grad():
            return self._pair_logits(self.theta, torch.from_numpy(f.rid), torch.from_numpy(pair), len(pq)).numpy()

    @property
    def weights(self) -> np.ndarray:
        return torch.sigmoid(self.theta).numpy()
