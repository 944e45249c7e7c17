"""A synthetic family database: ``parent``, ``male``, ``female`` and target tables.

Generations of couples with children, seeded; ``n_people`` from a few hundred
(sample database, tests) to 100k+ (benchmarks). Targets are derived from the
base facts by their textbook definitions, so the rules to recover are known.
"""

from __future__ import annotations

import numpy as np
import polars as pl

FEMALE = ("ann", "beth", "cara", "dora", "eve", "fay", "gina", "hana", "ida", "jane", "kim", "lea",
          "mia", "nora", "olga", "pia", "rosa", "sara", "tina", "uma", "vera", "wendy", "yara", "zoe")
MALE = ("adam", "bob", "carl", "dan", "eli", "fred", "gus", "hugo", "ivan", "jack", "karl", "leo",
        "max", "ned", "otto", "paul", "rex", "sam", "tom", "ugo", "vic", "walt", "yan", "zack")

# target -> its definition, the rule ruledisc should recover
RULES = {
    "grandparent": "grandparent(X, Y) :- parent(X, Z), parent(Z, Y).",
    "grandmother": "grandmother(X, Y) :- female(X), parent(X, Z), parent(Z, Y).",
    "mother": "mother(X, Y) :- female(X), parent(X, Y).",
    "son": "son(X, Y) :- male(X), parent(Y, X).",
}


def generate(n_people: int = 300, seed: int = 0) -> dict[str, pl.DataFrame]:
    """Tables of one family world, as polars DataFrames."""
    rng = np.random.default_rng(seed)
    female = rng.random(n_people) < 0.5
    idx = np.arange(n_people)
    names = np.array([(FEMALE if f else MALE)[i % 24] + str(i) for i, f in zip(idx, female)], dtype=object)
    # generation 0: ~8% founders; later people are children of earlier couples
    n0 = max(4, n_people // 12)
    par_rows: list[np.ndarray] = []
    start, end = 0, n0
    while end < n_people:
        gen = idx[start:end]
        mothers = rng.permutation(gen[female[gen]])
        fathers = rng.permutation(gen[~female[gen]])
        k = min(len(mothers), len(fathers))
        if k == 0:
            break
        need = n_people - end
        kids_per = rng.poisson(2.3, size=k) + 1
        total = int(min(kids_per.sum(), need))
        couple = np.repeat(np.arange(k), kids_per)[:total]
        kids = np.arange(end, end + total)
        par_rows.append(np.stack([mothers[:k][couple], kids]))
        par_rows.append(np.stack([fathers[:k][couple], kids]))
        start, end = end, end + total
    par = np.concatenate(par_rows, axis=1) if par_rows else np.zeros((2, 0), dtype=np.int64)
    parent = pl.DataFrame({"parent": names[par[0]].tolist(), "child": names[par[1]].tolist()},
                          schema={"parent": pl.String, "child": pl.String})
    male = pl.DataFrame({"name": names[~female].tolist()}, schema={"name": pl.String})
    fem = pl.DataFrame({"name": names[female].tolist()}, schema={"name": pl.String})
    gp = parent.join(parent.rename({"parent": "child", "child": "grandchild"}), on="child") \
        .select(pl.col("parent").alias("grandparent"), "grandchild").unique()
    gm = gp.join(fem, left_on="grandparent", right_on="name", how="semi").rename({"grandparent": "grandmother"})
    mother = parent.join(fem, left_on="parent", right_on="name", how="semi").rename({"parent": "mother"})
    son = parent.join(male, left_on="child", right_on="name", how="semi") \
        .select(pl.col("child").alias("son"), "parent")
    out = {"parent": parent, "male": male, "female": fem, "grandparent": gp, "grandmother": gm,
           "mother": mother, "son": son}
    return {k: v.sort(v.columns) for k, v in out.items()}


def to_sql(tables: dict[str, pl.DataFrame], header: str = "") -> str:
    """The tables as a SQL script (CREATE TABLE + INSERT), for ``sample_dbs/``."""
    from ..sqltext import script
    return script(tables, header=header)
