"""The differentiable rule learner: one weight per candidate clause.

Forward pass over the index batches (see :class:`~ruledisc.ground.Groundings`)::

    body truth     b_p                                   (P,)  crisp facts: 1.0
    weighted       v_p = weighted(b_p, sigmoid(w)[clause_p])   (P,)
    head truth     h   = scatter_disj(v, head_p)         (H,)  t-conorm over clauses

Loss: weighted binary cross-entropy on the labelled heads plus a sparsity term
that charges every rule for its weight and length, so a rule stays only if it
explains more than it costs. Rules are read off as ``sigmoid(w) > threshold``.
The weights choose the program jointly: a rule whose positives another rule
already explains, or whose extra heads are mostly negative, is switched off even
when its own confidence is high.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from .ground import Groundings, Soft, compress
from .semantics import TNorm, scatter_disj, weighted
from .thresholds import snap


@dataclass(frozen=True)
class LearnerConfig:
    """tnorm: disjunction semantics; sparsity: cost of one rule, in labelled
    examples it must explain; length_cost: extra cost per body literal."""

    tnorm: TNorm = TNorm.PRODUCT
    epochs: int = 300
    lr: float = 0.1
    sparsity: float = 1.0
    length_cost: float = 0.1
    threshold: float = 0.5
    seed: int = 0
    device: str | None = None
    literal_cost: float = 0.0   # noise mode: a body literal must explain this many training labels
    noise: float = 0.0          # noise mode: expected share of wrong training labels
    noise_errors: float = 0.0   # noise mode: the errors that share means (rate x training labels)


@dataclass
class FitResult:
    weights: np.ndarray           # (C,) learned rule weights in [0, 1]
    losses: list[float] = field(default_factory=list)
    device: str = "cpu"
    program: list[int] = field(default_factory=list)   # chosen clauses, after crisp pruning
    thresholds: dict[int, dict[int, float]] = field(default_factory=dict)   # clause -> body position -> θ

    def selected(self, threshold: float) -> list[int]:
        return [int(i) for i in np.flatnonzero(self.weights > threshold)]


class ClauseSelector(torch.nn.Module):
    """Weights over candidate clauses; ``forward`` gives the truth of each head atom."""

    def __init__(self, init_logits: torch.Tensor, tnorm: TNorm):
        super().__init__()
        self.logits = torch.nn.Parameter(init_logits.clone())
        self.tnorm = tnorm

    def rule_weights(self) -> torch.Tensor:
        """(C,) in (0, 1)."""
        return torch.sigmoid(self.logits)

    def forward(self, g: Groundings, weights: torch.Tensor | None = None,
                truth: torch.Tensor | None = None) -> torch.Tensor:
        """(H,) head truth. ``weights`` (C,) overrides the learned ones (e.g. crisp 0/1);
        ``truth`` (P,) the pairs' body truth (soft thresholds)."""
        w = self.rule_weights() if weights is None else weights
        v = weighted(g.truth if truth is None else truth, w[g.clause], self.tnorm)
        return scatter_disj(v, g.head, g.n_heads, self.tnorm)


def init_logits(confidence: np.ndarray) -> torch.Tensor:
    """Start each rule at (a damped logit of) its confidence: the counting baseline
    as initialiser, not as the answer."""
    c = np.clip(confidence, 0.02, 0.98)
    return torch.tensor(0.5 * np.log(c / (1 - c)), dtype=torch.float32)


class Adam:
    """Adam (Kingma & Ba) on a list of tensors, written out: ``torch.optim`` imports
    torch._dynamo on its first step, a fixed cost of seconds per process."""

    def __init__(self, params: list[torch.Tensor], lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            denom = (v / (1 - b2 ** self.t)).sqrt_().add_(self.eps)
            p.addcdiv_(m, denom, value=-self.lr / (1 - b1 ** self.t))
            p.grad = None


def fit(g: Groundings, lengths: np.ndarray, confidence: np.ndarray, cfg: LearnerConfig) -> FitResult:
    """Learn rule weights (and thresholds) by gradient descent (Adam, full batch, seeded).

    lengths, confidence: (C,). With crisp facts, heads reached by the same clause
    set are merged first (:func:`~ruledisc.ground.compress`): the loss is unchanged
    and an epoch costs O(distinct clause sets), not O(groundings). With learnable
    thresholds there are two stages: every clause at its initial thresholds
    (crisp, compressed), then the clauses that kept some weight, with soft
    comparisons whose thresholds move.
    """
    torch.manual_seed(cfg.seed)
    device = cfg.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if g.n_clauses == 0:
        return FitResult(np.zeros(0), [], device)
    soft = g.soft
    start = g if soft is None else _crisp_thresholds(g, soft, soft.center)[0]
    logits, _, losses = _train(compress(start, cfg.seed), init_logits(confidence), lengths, cfg, device)
    theta = None
    if soft is not None:   # the soft stage starts afresh: only the choice of clauses carries over
        keep = _soft_stage(logits)
        sub = _head_sample(g.select(np.isin(g.clause.numpy(), keep)), SOFT_HEADS, cfg.seed)
        sub_logits, u, more = _train(sub, init_logits(confidence), lengths, cfg, device)
        logits[keep] = sub_logits[keep]
        losses += more
        theta = soft.center + soft.scale * u
    weights = torch.sigmoid(logits).numpy().astype(np.float64)
    res = FitResult(weights, losses, device)
    if soft is not None:
        raw = g
        theta = polish(raw, soft, theta, res.selected(cfg.threshold))
        g, res.thresholds = _crisp_thresholds(raw, soft, theta)
    res.program = prune_redundant(g, res.selected(cfg.threshold), weights, lengths, cfg.literal_cost)
    if cfg.noise > 0 and bool((g.truth == 1).all()):
        predict = _predictor(g)
        labels, w = g.labels.numpy(), g.weights.numpy()
        budget = noise_budget(cfg.noise_errors)
        alt = greedy_mdl(predict, labels, w, lengths, cfg.literal_cost, budget)
        if mdl_key(predict(alt), labels, w, alt, lengths, cfg.literal_cost, budget) < \
                mdl_key(predict(res.program), labels, w, res.program, lengths, cfg.literal_cost, budget):
            res.program = alt
        res.program = generalise(predict, labels, w, res.program, lengths, cfg.noise_errors)
    if soft is not None:   # the final program's thresholds, polished together
        _, res.thresholds = _crisp_thresholds(raw, soft, polish(raw, soft, theta, res.program))
    return res


SOFT_FLOOR = 0.05   # clauses below this weight after the crisp stage are left out of the soft one
SOFT_MOST = 32      # and at most this many (the heaviest) go on


SOFT_HEADS = 20_000  # labelled heads the soft stage reads (a weighted sample past it; the polish reads all)


def _head_sample(g: Groundings, most: int, seed: int) -> Groundings:
    """``g`` on at most ``most`` heads, drawn uniformly and weighted up to the whole."""
    if g.n_heads <= most:
        return g
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(g.n_heads, most, replace=False))
    new_id = np.full(g.n_heads, -1, dtype=np.int64)
    new_id[pick] = np.arange(most)
    sub = g.select(new_id[g.head.numpy()] >= 0)
    scale = float(g.weights.sum()) / max(1e-9, float(g.weights[torch.from_numpy(pick)].sum()))
    return Groundings(sub.clause, torch.from_numpy(new_id[sub.head.numpy()]), sub.truth,
                      g.labels[torch.from_numpy(pick)], g.weights[torch.from_numpy(pick)] * scale, g.n_clauses,
                      sub.soft)


def _soft_stage(logits: torch.Tensor) -> np.ndarray:
    """Clauses that go on to the soft stage: the heaviest with weight left after the crisp one."""
    w = torch.sigmoid(logits).numpy()
    order = np.argsort(-w, kind="stable")
    return np.sort(order[w[order] > SOFT_FLOOR][:SOFT_MOST])


def _train(g: Groundings, logits: torch.Tensor, lengths: np.ndarray, cfg: LearnerConfig, device: str
           ) -> tuple[torch.Tensor, np.ndarray, list[float]]:
    """Adam on the clause logits (C,) and, if ``g.soft``, the scaled thresholds u (J,);
    returns both (on the CPU) and the losses."""
    g = g.to(device)
    model = ClauseSelector(logits, cfg.tnorm).to(device)
    u = torch.zeros(len(g.soft.slots) if g.soft is not None else 0, device=device, requires_grad=True)
    opt, opt_u = Adam(list(model.parameters()), lr=cfg.lr), Adam([u], lr=THETA_LR)
    cost = torch.tensor(1.0 + cfg.length_cost * lengths, dtype=torch.float32, device=device)
    total_w = g.weights.sum().clamp(min=1.0)
    losses = []
    for epoch in range(cfg.epochs):
        truth = g.soft.truth(u, _tau(epoch, cfg.epochs)) if g.soft is not None else None
        h = model(g, truth=truth)                                             # (H',)
        # noise mode: a label is the truth flipped with probability ρ (forward noise
        # correction); else one mislabelled atom outweighs many right ones in the loss
        h = (h * (1 - 2 * cfg.noise) + cfg.noise).clamp(1e-6, 1 - 1e-6)
        bce = -(g.labels * torch.log(h) + (1 - g.labels) * torch.log1p(-h))  # (H',)
        loss = (g.weights * bce).sum() / total_w + cfg.sparsity * (model.rule_weights() * cost).sum() / total_w
        loss.backward()
        opt.step()
        opt_u.step()
        losses.append(float(loss.detach()))
    return model.logits.detach().cpu(), u.detach().cpu().numpy().astype(np.float64), losses


TAU = (0.3, 0.01)   # soft comparison temperature, in spreads of the compared values: first and last epoch
THETA_LR = 0.01     # threshold step, in spreads per epoch (Adam)


def _tau(epoch: int, epochs: int) -> float:
    """Annealed temperature: soft early (every value pulls), nearly crisp at the end."""
    return TAU[0] * (TAU[1] / TAU[0]) ** (epoch / max(1, epochs - 1))


def polish(g: Groundings, soft: Soft, theta: np.ndarray, chosen: Sequence[int]) -> np.ndarray:
    """Crisp finish of the learned thresholds (J,) of the ``chosen`` clauses: each
    moves, one at a time, to the observed split with the fewest weighted training
    errors of the whole program, the nearest one on ties. Gradient descent on a
    sigmoid settles where the soft loss balances, which under label noise and a
    low rule weight can sit a few values off the crisp optimum."""
    theta = theta.copy()
    clause, head = g.clause.numpy(), g.head.numpy()
    labels, w = g.labels.numpy().astype(np.float64), g.weights.numpy().astype(np.float64)
    param = soft.param.numpy()
    chosen_set = set(chosen)
    for j, (c, _) in enumerate(soft.slots):
        if c not in chosen_set:
            continue
        rows = np.flatnonzero(clause == c)
        if len(rows) == 0 or (param[rows] >= 0).sum(axis=1).max() != 1:
            continue   # one threshold per clause: the split is then a sort
        holds = soft.holds(theta).numpy()
        others = np.zeros(g.n_heads, dtype=bool)
        m = np.isin(clause, [k for k in chosen if k != c]) & holds
        others[head[m]] = True
        k = int(np.argmax(param[rows[0]] >= 0))
        x, h = soft.raw[rows, k], head[rows]
        free = ~others[h]
        x, h = x[free], h[free]
        if len(x) == 0:
            continue
        gain = w[h] * (2 * labels[h] - 1)                 # errors saved by covering each head
        order = np.argsort(x, kind="stable")
        xs, gs = x[order], gain[order]
        last = np.r_[xs[1:] != xs[:-1], True]
        below = np.cumsum(gs)[last]                        # gain of covering x <= value
        vals = xs[last]
        # θ = cut: below all values, then at each value (the split is the same up to the next one)
        cuts = np.r_[vals[0] - 1.0, vals]
        score = np.r_[gs.sum(), gs.sum() - below] if soft.sign[j] > 0 else np.r_[0.0, below]
        best = np.flatnonzero(score >= score.max() - 1e-9)
        theta[j] = cuts[best[np.argmin(np.abs(cuts[best] - theta[j]))]]
    return theta


def _crisp_thresholds(g: Groundings, soft: Soft, theta: np.ndarray
                      ) -> tuple[Groundings, dict[int, dict[int, float]]]:
    """Snap thresholds (J,) to the roundest value with the same crisp split, and
    keep the pairs whose comparisons hold: crisp groundings for the pruning steps."""
    snapped = np.array([snap(t, obs) for t, obs in zip(theta, soft.observed)])
    out: dict[int, dict[int, float]] = {}
    for (c, lit), t in zip(soft.slots, snapped):
        out.setdefault(c, {})[lit] = float(t)
    crisp = g.select(soft.holds(snapped).numpy())
    crisp.soft = None
    return crisp, out


def prune_redundant(g: Groundings, chosen: list[int], weights: np.ndarray, lengths: np.ndarray,
                    literal_cost: float = 0.0) -> list[int]:
    """Drop chosen clauses the crisp program does not need.

    Soft weights leave a redundant rule switched on: while another rule's weight is
    short of exactly 1, covering the same positives still lowers the loss a little,
    and on a large database that outweighs the sparsity term. So the program is
    checked crisply: longest (then weakest) first, a clause is dropped if removing
    it does not increase the weighted errors on the labelled heads. Crisp facts only
    (body truth 1); otherwise ``chosen`` is returned as is. With ``literal_cost``
    (noise mode) a clause must explain more than that many labels per body literal.
    """
    if not chosen or not bool((g.truth == 1).all()):
        return chosen
    clause, head = g.clause.numpy(), g.head.numpy()
    w = g.weights.numpy().astype(np.float64)
    gain = w * g.labels.numpy() - w * (1 - g.labels.numpy())   # (H,) + for a positive head, - negative
    keep = set(chosen)
    cover = np.bincount(head[np.isin(clause, chosen)], minlength=g.n_heads)   # (H,) chosen rules per head
    for c in sorted(chosen, key=lambda c: (-lengths[c], weights[c], -c)):
        heads_c = head[clause == c]
        alone = heads_c[cover[heads_c] == 1]
        if gain[alone].sum() <= literal_cost * lengths[c]:
            keep.discard(c)
            cover[heads_c] -= 1
    return sorted(keep)


def _predictor(g: Groundings) -> Callable[[Sequence[int]], np.ndarray]:
    """:func:`crisp_predict` for many small programs: with pairs sorted by clause, a
    program costs the pairs of its own clauses, not a pass over all of them."""
    clause, head = g.clause.numpy(), g.head.numpy()
    if len(clause) and bool((np.diff(clause) < 0).any()):
        return lambda p: crisp_predict(g, p)
    bounds = np.searchsorted(clause, np.arange(g.n_clauses + 1))

    def predict(chosen: Sequence[int]) -> np.ndarray:
        covered = np.zeros(g.n_heads, dtype=bool)
        for c in chosen:
            covered[head[bounds[c]:bounds[c + 1]]] = True
        return covered
    return predict


def crisp_predict(g: Groundings, chosen: Sequence[int]) -> np.ndarray:
    """(H,) bool: the heads the crisp program ``chosen`` derives (crisp facts)."""
    covered = np.zeros(g.n_heads, dtype=bool)
    covered[g.head.numpy()[np.isin(g.clause.numpy(), list(chosen))]] = True
    return covered


def weighted_errors(v: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """Weighted training errors of crisp predictions: v, labels, weights (H,)."""
    return float((weights * np.where(v, 1 - labels, labels)).sum())


def noise_budget(noise_errors: float) -> int:
    """The training errors the noise mode takes as mislabelling: rate x labels, rounded."""
    return math.floor(noise_errors + 0.5)


def generalise(predict: Callable[[list[int]], np.ndarray], labels: np.ndarray, weights: np.ndarray,
               chosen: list[int], lengths: np.ndarray, noise_errors: float, literal_cost: float = 0.0) -> list[int]:
    """Noise mode: swap a chosen clause for a shorter candidate while the program's
    training errors stay within what the noise explains (``noise_errors``: the rate
    times the training labels, rounded) or grow by at most ``literal_cost``
    per literal saved.

    A program with fewer errors than the noise predicts fits mislabelled atoms:
    ``succ(Z, Y)`` in ``predecessor(X, Y) :- succ(Y, X), succ(Z, Y)`` only steers
    around the flipped (1, 0), and goes; the colour literals of graph colouring
    exclude true negatives, past the budget, and stay. (The one-literal shorter
    form may not be a candidate: candidates deriving the same heads are merged,
    keeping the shortest.)

    predict: chosen -> (H,) bool predictions; labels, weights: (H,).
    """
    def errors(v: np.ndarray) -> float:
        return weighted_errors(v, labels, weights)

    budget = noise_budget(noise_errors)
    chosen = sorted(chosen)
    base = errors(predict(chosen))
    by_length = np.argsort(lengths, kind="stable")
    changed = True
    while changed:
        changed = False
        for c in sorted(chosen, key=lambda c: -lengths[c]):
            rest = [k for k in chosen if k != c]
            for j in by_length:
                j = int(j)
                if lengths[j] >= lengths[c]:
                    break
                if j in chosen:
                    continue
                trial = sorted(rest + [j])
                e = errors(predict(trial))
                if e <= max(budget, base + literal_cost * float(lengths[c] - lengths[j])):
                    chosen, base, changed = trial, e, True
                    break
            if changed:
                break
    return chosen


def mdl_key(v: np.ndarray, labels: np.ndarray, weights: np.ndarray, chosen: Sequence[int], lengths: np.ndarray,
            literal_cost: float, budget: float = 0.0) -> tuple[float, float]:
    """Order of programs in the noise mode: errors past ``budget`` (those the noise
    explains are free) plus ``literal_cost`` per literal, rounded so float noise
    does not decide; then fewer errors."""
    errs = weighted_errors(v, labels, weights)
    size = float(lengths[list(chosen)].sum())
    return round(max(0.0, errs - budget) + literal_cost * size, 9), errs


def greedy_mdl(predict: Callable[[list[int]], np.ndarray], labels: np.ndarray, weights: np.ndarray,
               lengths: np.ndarray, literal_cost: float, budget: float = 0.0, top: int = 64) -> list[int]:
    """The noise mode's check on the learned program: add, one at a time, the
    clause that lowers :func:`mdl_key` the most, shortest candidates first, while
    it falls."""
    chosen: list[int] = []
    key = mdl_key(predict(chosen), labels, weights, chosen, lengths, literal_cost, budget)
    pool = [int(j) for j in np.argsort(lengths, kind="stable")]
    while True:
        best, best_key = None, key
        for j in pool:
            if j in chosen:
                continue
            trial = sorted(chosen + [j])
            k = mdl_key(predict(trial), labels, weights, trial, lengths, literal_cost, budget)
            if k < best_key:
                best, best_key = j, k
        if best is None or len(chosen) >= top:
            return chosen
        chosen, key = sorted(chosen + [best]), best_key


def forward_crisp(g: Groundings, selected: list[int], tnorm: TNorm = TNorm.PRODUCT) -> torch.Tensor:
    """(H,) head truth with weight 1 on ``selected`` rules and 0 elsewhere."""
    w = torch.zeros(g.n_clauses)
    w[selected] = 1.0
    model = ClauseSelector(torch.zeros(g.n_clauses), tnorm)
    with torch.no_grad():
        return model(g, w)


def confidence_baseline(confidence: np.ndarray, min_confidence: float = 0.8) -> list[int]:
    """The counting heuristic: every rule at or above a confidence threshold."""
    return [int(i) for i in np.flatnonzero(confidence >= min_confidence)]
