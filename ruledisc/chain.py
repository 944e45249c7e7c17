"""Differentiable forward chaining over recursive candidates (∂ILP's inference).

    v_0 = 0                                                       (H,)
    v_{t+1}[h] = OR_{(c, h, b) groundings} weighted(AND_k v_t[b_k], sigmoid(w_c))

T steps of the immediate-consequence operator, with body atoms of the target
gathered from the previous valuation (other body facts are crisp, truth 1). The
valuation only grows, as the t-norms are monotone; the loss is BCE on the
labelled atoms of v_T. Rules are read off as for the flat learner, then pruned
crisply by the program's fixpoint.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .ground_recursive import ChainGroundings
from .learner import Adam, FitResult, LearnerConfig, generalise, weighted_errors
from .rule import Rule
from .semantics import TNorm, conj, disj

PATIENCE = 30       # epochs over which the loss must still fall ...
TOLERANCE = 1e-4    # ... by this fraction, or training stops


def pairs(g: ChainGroundings) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Distinct (clause, head) pairs: (P,) pair id of each grounding, (Q,) clause
    and (Q,) head of each pair."""
    key = g.clause * max(1, g.n_heads) + g.head
    uniq, inv = torch.unique(key, return_inverse=True)
    return inv, uniq // max(1, g.n_heads), uniq % max(1, g.n_heads)


class SlotSelector(torch.nn.Module):
    """∂ILP's program template: ``slots`` rule slots, each a softmax over the
    candidates plus an empty choice. A slot's value for a head is the convex
    combination of its candidates' values, so weak clauses cannot add up to a
    true head; slots are combined by the t-conorm."""

    def __init__(self, init: torch.Tensor):
        super().__init__()
        self.logits = torch.nn.Parameter(init.clone())          # (S, C + 1); last column: empty

    def probs(self) -> torch.Tensor:
        return torch.softmax(self.logits, dim=1)                # (S, C + 1)


def chain(g: ChainGroundings, probs: torch.Tensor, tnorm: TNorm, steps: int,
          paired: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
    """(H,) truth of every head atom after ``steps`` rounds.

    probs: (S, C) or (S, C + 1) slot weights over the clauses (crisp programs: one
    slot, 0/1 per clause). A clause's existential variables are a max over its
    groundings for each head (∂ILP); a slot sums its clauses' values weighted by
    ``probs`` (at most 1); slots combine by the t-conorm. ``paired``: :func:`pairs`
    of ``g``, computed once by a caller that runs many epochs.
    """
    has = g.body >= 0                          # (P, K)
    idx = g.body.clamp(min=0)                  # (P, K)
    pair, p_clause, p_head = paired if paired is not None else pairs(g)   # (P,), (Q,), (Q,)
    wq = probs[:, p_clause]                    # (S, Q)
    n_slots = probs.shape[0]
    v = torch.zeros(g.n_heads, dtype=probs.dtype, device=probs.device)
    one = torch.ones((), dtype=probs.dtype, device=probs.device)
    for _ in range(steps):
        b = conj(torch.where(has, v[idx], one), tnorm)                          # (P,)
        bq = torch.zeros(len(p_clause), dtype=b.dtype, device=b.device).scatter_reduce(
            0, pair, b, reduce="amax", include_self=True)                       # (Q,)
        slot = torch.zeros(n_slots, g.n_heads, dtype=b.dtype, device=b.device).index_add(
            1, p_head, wq * bq).clamp(max=1.0)                                   # (S, H)
        v = disj(slot.T, tnorm)                                                  # (H,)
    return v


def _iterate(g: ChainGroundings, chosen: list[int], max_steps: int) -> tuple[np.ndarray, int]:
    """Crisp forward chaining of the ``chosen`` clauses: (H,) bool after at most
    ``max_steps`` rounds, and the number of rounds that derived something new."""
    sel = np.zeros(g.n_clauses, dtype=bool)
    sel[chosen] = True
    keep = sel[g.clause.numpy()]
    head, body = g.head.numpy()[keep], g.body.numpy()[keep]
    has = body >= 0
    v = np.zeros(g.n_heads, dtype=bool)
    for t in range(max_steps):
        fire = np.all(~has | v[np.maximum(body, 0)], axis=1)
        nv = v.copy()
        nv[head[fire]] = True
        if (nv == v).all():
            return v, t
        v = nv
    return v, max_steps


def fixpoint(g: ChainGroundings, chosen: list[int], max_steps: int | None = None) -> np.ndarray:
    """(H,) bool: the crisp least fixpoint of the ``chosen`` clauses."""
    return _iterate(g, chosen, g.n_heads + 1 if max_steps is None else max_steps)[0]


def errors(g: ChainGroundings, chosen: list[int]) -> float:
    """Weighted training errors of the crisp program: positives missed + negatives derived."""
    v = fixpoint(g, chosen)
    lab, w = g.labels.numpy(), g.weights.numpy()
    return weighted_errors(v, lab, w)


def prune(g: ChainGroundings, chosen: list[int], weights: np.ndarray, lengths: np.ndarray,
          literal_cost: float = 0.0) -> list[int]:
    """Drop clauses (longest, then weakest, first) whose removal does not add errors
    (noise mode: adds at most ``literal_cost`` per body literal)."""
    keep = list(chosen)
    base = errors(g, keep)
    for c in sorted(chosen, key=lambda c: (-lengths[c], weights[c], -c)):
        trial = [k for k in keep if k != c]
        e = errors(g, trial)
        if e <= base + literal_cost * lengths[c]:
            keep, base = trial, e
    return sorted(keep)


def rounds(g: ChainGroundings, chosen: list[int], limit: int) -> int:
    """Rounds until the crisp fixpoint of ``chosen`` stops growing (at most ``limit``)."""
    return min(limit, _iterate(g, chosen, limit)[1] + 1)


def fit_chain(g: ChainGroundings, lengths: np.ndarray, confidence: np.ndarray, cfg: LearnerConfig,
              max_steps: int, slots: int = 4, rules: Sequence[Rule] | None = None) -> FitResult:
    """Learn a program of at most ``slots`` clauses through T rounds of forward
    chaining (Adam, seeded).

    T is the number of rounds the program of all sound candidates (confidence 1
    against the target's table) needs, plus two, at most ``max_steps``: a program
    that needs more rounds on the training data has an equivalent faster one here.
    Returns per-clause weights (the largest slot probability) and the program:
    see :func:`extract` (and :func:`simplify`, given the candidates' ``rules``).
    """
    sound = [int(i) for i in np.flatnonzero(confidence >= 1.0)]
    steps = min(max_steps, rounds(g, sound, max_steps) + 2)
    device = cfg.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if g.n_clauses == 0:
        return FitResult(np.zeros(0), [], device)
    gen = torch.Generator().manual_seed(cfg.seed)
    prior = torch.tensor(np.r_[4.0 * confidence ** 8 - 0.1 * lengths, 0.0], dtype=torch.float32)   # (C + 1,)
    init = prior.expand(slots, -1) + 0.5 * torch.randn(slots, g.n_clauses + 1, generator=gen)
    model = SlotSelector(init).to(device)
    gd = g.to(device)
    opt = Adam(list(model.parameters()), lr=cfg.lr)
    total_w = gd.weights.sum().clamp(min=1.0)
    losses: list[float] = []
    paired = pairs(gd)
    for _ in range(cfg.epochs):
        h = chain(gd, model.probs()[:, :-1], cfg.tnorm, steps, paired).clamp(1e-6, 1 - 1e-6)   # (H,)
        bce = -(gd.labels * torch.log(h) + (1 - gd.labels) * torch.log1p(-h))          # (H,)
        loss = (gd.weights * bce).sum() / total_w
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if losses[-1] < 1e-3 or (len(losses) > PATIENCE and
                                 losses[-PATIENCE - 1] - losses[-1] < TOLERANCE * max(losses[-1], 1e-3)):
            break  # fits, or converged
    probs = model.probs().detach().cpu().numpy().astype(np.float64)              # (S, C + 1)
    weights = probs[:, :-1].sum(axis=0).clip(max=1.0)
    program = extract(g, weights, lengths, literal_cost=cfg.literal_cost)
    if rules is not None:
        program = simplify(g, program, rules, cfg.literal_cost)
    program = compact(g, program, weights, lengths, cfg.literal_cost)
    if cfg.noise > 0:
        program = generalise(lambda p: fixpoint(g, p), g.labels.numpy(), g.weights.numpy(), program, lengths,
                             cfg.noise_errors)
    return FitResult(weights, losses, device, program)


def extract(g: ChainGroundings, weights: np.ndarray, lengths: np.ndarray, top: int = 64,
            literal_cost: float = 0.0) -> list[int]:
    """The crisp program the weights point to: clauses are added in order of weight
    while they lower the training errors (repeated until stable, since a recursive
    clause only helps once its base case is in), then pruned. In noise mode a
    clause must lower them by more than ``literal_cost`` per body literal."""
    order = [int(c) for c in np.argsort(-weights, kind="stable")[:top] if weights[c] > 1e-3]
    chosen: list[int] = []
    best = errors(g, chosen)
    changed = True
    while changed and best > 0:
        changed = False
        for c in order:
            if c in chosen:
                continue
            e = errors(g, chosen + [c])
            if e < best - literal_cost * lengths[c]:
                chosen, best, changed = chosen + [c], e, True
    return prune(g, chosen, weights, lengths, literal_cost)


MAX_COMPACT_TRIALS = 3000
COMPACT_WORK = 300_000_000   # groundings scanned by compaction's crisp fixpoints, about


def compact(g: ChainGroundings, chosen: list[int], weights: np.ndarray, lengths: np.ndarray,
            literal_cost: float = 0.0, max_trials: int = MAX_COMPACT_TRIALS) -> list[int]:
    """Add a candidate, prune, and keep the result when the program has fewer body
    literals and no more errors (noise mode: up to ``literal_cost`` per literal
    saved); shortest candidates first, until no addition helps. A recursive clause
    can stand for several flat or half-recursive ones the gradient picked first
    (``related(X, Y) :- related(X, Z), related(Y, Z)`` for two rules that walk
    ``parent`` from a related pair), and only together with them does it show.
    At most ``max_trials`` additions, fewer on many groundings (``COMPACT_WORK``)."""
    chosen = sorted(chosen)
    base, size = errors(g, chosen), float(lengths[chosen].sum())
    per_trial = max(1, int(g.clause.shape[0]) * (len(chosen) + 2))
    max_trials = max(50, min(max_trials, COMPACT_WORK // per_trial))
    trials = 0
    changed = bool(chosen)
    while changed and trials < max_trials:
        changed = False
        for j in np.argsort(lengths, kind="stable"):
            j = int(j)
            if j in chosen:
                continue
            if trials >= max_trials:
                break
            trials += 1
            trial = prune(g, chosen + [j], weights, lengths, literal_cost)
            t_size = float(lengths[trial].sum())
            if t_size < size:
                e = errors(g, trial)
                if e <= base + literal_cost * (size - t_size):
                    chosen, base, size, changed = trial, e, t_size, True
                    break
    return chosen


def simplify(g: ChainGroundings, chosen: list[int], rules: Sequence[Rule], literal_cost: float = 0.0) -> list[int]:
    """Replace a chosen clause by a candidate with one body literal fewer while the
    training errors do not grow (a literal that is always true on the training
    data, such as ``succ(W, Z)`` after ``lt(W, Y)``, says nothing)."""
    index = {r.canonical().text(): i for i, r in enumerate(rules)}
    chosen = list(chosen)
    base = errors(g, chosen)
    changed = True
    while changed:
        changed = False
        for pos, c in enumerate(chosen):
            r = rules[c]
            for k in range(len(r.body)):
                shorter = Rule(r.head, r.body[:k] + r.body[k + 1:])
                j = index.get(shorter.canonical().text()) if shorter.body else None
                if j is None or j in chosen:
                    continue
                trial = chosen[:pos] + [j] + chosen[pos + 1:]
                e = errors(g, trial)
                if e <= base + literal_cost:
                    chosen, base, changed = trial, e, True
                    break
            if changed:
                break
    return sorted(chosen)
