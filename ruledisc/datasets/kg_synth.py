"""Synthetic knowledge graphs with planted rules, in ``ruledisc import-kg``'s layout.

Base relations ``b0 .. b{k-1}`` draw their heads with Zipf weights (power-law
out-degrees: a few hubs, a long tail) and their tails uniformly, so a chain body's
groundings stay near ``|b_i| * |b_j| / entities`` however large the graph.
Each planted rule adds its head relation's facts: every body grounding ``(x, y)``
gets the head fact with probability ``confidence``, drawn from a hash of the pair
(reproducible, independent of row order). The head relations have no other facts,
so a planted rule's standard confidence is its ``confidence`` up to sampling noise.

``facts.txt`` holds the base relations; the planted heads are split by hash into
``train.txt`` (80%), ``valid.txt`` and ``test.txt`` (10% each).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from sqlglot import exp

from ..engine import Engine

SCALE = 1_000_000   # hash draws are compared in millionths


@dataclass(frozen=True)
class Planted:
    """``head(X, Y) :- body`` with the probability that a grounding gets its head."""

    head: str
    kind: str                 # "chain": b(X, Z), c(Z, Y); "inverse": b(Y, X)
    body: tuple[str, ...]
    confidence: float

    @property
    def text(self) -> str:
        if self.kind == "chain":
            return f"{self.head}(X, Y) :- {self.body[0]}(X, Z), {self.body[1]}(Z, Y)."
        return f"{self.head}(X, Y) :- {self.body[0]}(Y, X)."


PLANTED = (
    Planted("p0", "chain", ("b0", "b1"), 0.8),
    Planted("p1", "inverse", ("b2",), 0.9),
    Planted("p2", "chain", ("b3", "b4"), 0.5),
)


def _base(n_facts: int, n_entities: int, n_base: int, alpha: float, rng: np.random.Generator) -> pa.Table:
    """``h, r, t`` for the base relations: heads Zipf(alpha), tails uniform, distinct."""
    w = 1.0 / np.arange(1, n_entities + 1) ** alpha
    w /= w.sum()
    perm = rng.permutation(n_entities)    # hubs are not the smallest ids
    per = n_facts // n_base
    h = perm[rng.choice(n_entities, size=per * n_base, p=w)]
    t = rng.integers(0, n_entities, size=per * n_base)
    r = np.repeat(np.arange(n_base), per)
    return pa.table({"h": pa.array(h, pa.int64()), "r": pa.array(r, pa.int64()), "t": pa.array(t, pa.int64())})


def _draw(seed: int, k: int, p: float) -> exp.Expr:
    """``hash(x, y, seed, k) % SCALE < p * SCALE``: the Bernoulli draw of one head."""
    h = exp.func("hash", exp.column("x"), exp.column("y"), exp.Literal.number(seed), exp.Literal.number(k))
    return exp.LT(this=exp.Mod(this=h, expression=exp.Literal.number(SCALE)),
                  expression=exp.Literal.number(int(round(p * SCALE))))


def _rel(r: int) -> exp.Select:
    return exp.select("h", "t").from_("base").where(exp.EQ(this=exp.column("r"), expression=exp.Literal.number(r)))


def _groundings(p: Planted) -> exp.Select:
    """Distinct ``x, y`` pairs the body of ``p`` holds for."""
    b = [int(name[1:]) for name in p.body]
    if p.kind == "inverse":
        return exp.select(exp.column("t").as_("x"), exp.column("h").as_("y")).distinct() \
            .from_(_rel(b[0]).subquery("a"))
    return exp.select(exp.column("h", "a").as_("x"), exp.column("t", "c").as_("y")).distinct() \
        .from_(_rel(b[0]).subquery("a")).join(_rel(b[1]).subquery("c"), on=exp.EQ(
            this=exp.column("t", "a"), expression=exp.column("h", "c")))


def generate(out_dir: str | Path, n_facts: int, seed: int = 0, alpha: float = 1.0, n_base: int = 8,
             n_entities: int | None = None, planted: tuple[Planted, ...] = PLANTED) -> dict[str, int]:
    """Write ``facts.txt``, ``train.txt``, ``valid.txt``, ``test.txt`` and
    ``relations.txt`` into ``out_dir``; return the triples per file."""
    if n_base < max(int(n[1:]) for p in planted for n in p.body) + 1:
        raise ValueError(f"planted rules read base relations beyond b{n_base - 1}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_ent = n_entities or max(100, n_facts // 5)
    con = duckdb.connect()
    eng = Engine(con)
    con.register("base_frame", _base(n_facts, n_ent, n_base, alpha, rng))
    eng.execute(exp.Create(this=exp.to_table("base"), kind="TABLE",
                           expression=exp.select("h", "r", "t").distinct().from_("base_frame")))
    parts = []
    for k, p in enumerate(planted):
        g = _groundings(p).subquery("g")
        parts.append(exp.select("x", "y", exp.Literal.string(p.head).as_("rel")).from_(g).where(_draw(seed, k, p.confidence)))
    heads = parts[0]
    for q in parts[1:]:
        heads = exp.union(heads, q, distinct=False)
    eng.execute(exp.Create(this=exp.to_table("heads"), kind="TABLE", expression=heads))
    name = lambda c: exp.Concat(expressions=[exp.Literal.string("e"), exp.cast(exp.column(c), "VARCHAR")])
    split = exp.Mod(this=exp.func("hash", exp.column("x"), exp.column("y"), exp.column("rel"),
                                  exp.Literal.number(seed + 1)), expression=exp.Literal.number(10))
    files = {
        "facts": exp.select(name("h").as_("h"), exp.Concat(expressions=[exp.Literal.string("b"), exp.cast(
            exp.column("r"), "VARCHAR")]).as_("r"), name("t").as_("t")).from_("base").order_by("r", "h", "t"),
        "train": exp.select(name("x"), "rel", name("y")).from_("heads").where(
            exp.GTE(this=split.copy(), expression=exp.Literal.number(2))),
        "valid": exp.select(name("x"), "rel", name("y")).from_("heads").where(
            exp.EQ(this=split.copy(), expression=exp.Literal.number(1))),
        "test": exp.select(name("x"), "rel", name("y")).from_("heads").where(
            exp.EQ(this=split.copy(), expression=exp.Literal.number(0))),
    }
    counts = {}
    for f, q in files.items():
        frame = eng.polars(q)
        frame.write_csv(out / f"{f}.txt", separator="\t", include_header=False, quote_style="never")
        counts[f] = frame.height
    names = [f"b{i}" for i in range(n_base)] + [p.head for p in planted]
    (out / "relations.txt").write_text("\n".join(names) + "\n")
    con.close()
    return counts
