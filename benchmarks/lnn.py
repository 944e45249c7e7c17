"""LNN at scale: the smokers-and-friends axioms over a synthetic friendship graph.

    python benchmarks/lnn.py                       # 10k, 100k, 1M people
    python benchmarks/lnn.py --sizes 10000         # one size

Each size runs in a child process (peak memory = the child's VmHWM). About 10 friends per
person (5 random picks each, both directions); 5% of people smoke, 2% have cancer. The
model is LNN's example: ``Smokes(x) → Cancer(x)`` and ``Friends(x, y) → (Smokes(x) ↔
Smokes(y))``, both axioms. Measured:

- load: ``add_knowledge`` and ``add_data`` from the DuckDB tables;
- infer: ``model.infer()`` to convergence (grounding rounds, passes, write-back);
- epoch: one ``train`` epoch (SUPERVISED + CONTRADICTION, Cancer labelled for 1% of people),
  without the inference ``train`` runs before and after it;
- baseline, same process: the SQL join alone, ``Friends ⋈ Smokes(x) ⋈ Smokes(y)`` over the
  model's atom tables after inference (the join LNN's grounding does in pandas).

The target: 1M people infer in under 60 s and 8 GiB. Prints a table and writes
``benchmarks/out/lnn.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runlib import peak_mib, write_json  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
TARGET_S, TARGET_MIB = 60.0, 8 * 1024


def _tables(con, n: int, seed: int) -> int:
    import numpy as np
    import pyarrow as pa
    from sqlglot import exp
    rng = np.random.default_rng(seed)
    a = np.repeat(np.arange(n, dtype=np.int64), 5)
    b = rng.integers(0, n, size=len(a), dtype=np.int64)
    keep = a != b
    a, b = a[keep], b[keep]
    frames = {"friends": pa.table({"a": np.concatenate([a, b]), "b": np.concatenate([b, a])}),
              "smokes": pa.table({"p": rng.choice(n, n // 20, replace=False)}),
              "cancer": pa.table({"p": rng.choice(n, n // 50, replace=False)}),
              "cancer_labels": pa.table({"p": rng.choice(n, max(n // 100, 1), replace=False)})}
    for name, frame in frames.items():
        con.register("bench_frame", frame)
        sel = exp.select(exp.Star()).from_("bench_frame").distinct()
        con.execute(exp.Create(this=exp.to_table(name), kind="TABLE", expression=sel).sql("duckdb"))
        con.unregister("bench_frame")
    return int(con.execute("SELECT count(*) FROM friends").fetchone()[0])


def child(n: int, seed: int) -> dict:
    import duckdb
    import torch
    torch.set_num_threads(2)
    from ruledisc.lnn import Iff, Implies, Loss, Model, Predicate, Predicates, Variables, World
    con = duckdb.connect()
    t0 = time.perf_counter()
    n_friends = _tables(con, n, seed)
    gen_s = time.perf_counter() - t0
    x, y = Variables("x", "y")
    Smokes, Cancer = Predicates("Smokes", "Cancer")
    Friends = Predicate("Friends", arity=2)
    t0 = time.perf_counter()
    model = Model(db=con)
    model.add_knowledge(Implies(Smokes(x), Cancer(x)), Implies(Friends(x, y), Iff(Smokes(x), Smokes(y))),
                        world=World.AXIOM)
    model.add_data({Friends: "friends", Smokes: "smokes", Cancer: "cancer"})
    load_s = time.perf_counter() - t0
    res = model.infer()
    infer_peak = peak_mib()
    st = model.store
    smokers = int(con.execute(f"SELECT count(*) FROM ruledisc.{st.prefix}p_Smokes WHERE lower >= 1").fetchone()[0])
    t0 = time.perf_counter()
    join_rows = con.execute(
        f"SELECT count(*) FROM ruledisc.{st.prefix}p_Friends f JOIN ruledisc.{st.prefix}p_Smokes s ON s.a0 = f.a0 "
        f"JOIN ruledisc.{st.prefix}p_Smokes t ON t.a0 = f.a1").fetchone()[0]
    join_s = time.perf_counter() - t0
    model.add_labels({Cancer: "cancer_labels"})
    t0 = time.perf_counter()
    model.train(losses=[Loss.SUPERVISED, Loss.CONTRADICTION], epochs=1, learning_rate=0.01)
    train_s = time.perf_counter() - t0
    epoch_s = model.timings.get("epochs", float("nan"))
    return {"people": n, "friends": n_friends, "generate_s": gen_s, "load_s": load_s, "infer_s": res.seconds["total"],
            "infer_phases_s": res.seconds, "passes": res.passes, "rounds": res.rounds, "tightened": res.tightened,
            "contradictions": res.contradictions, "smokers_after": smokers, "infer_peak_mib": infer_peak,
            "join_s": join_s, "join_rows": int(join_rows), "ratio_infer_join": res.seconds["total"] / join_s,
            "train_s": train_s, "epoch_s": epoch_s, "peak_mib": peak_mib()}


def _run(n: int, seed: int, timeout: float) -> dict:
    out = OUT / "lnn_child.json"
    out.unlink(missing_ok=True)
    try:
        proc = subprocess.run([sys.executable, __file__, "--child-out", str(out), "--sizes", str(n),
                               "--seed", str(seed)], timeout=timeout, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return {"people": n, "error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0 or not out.exists():
        return {"people": n, "error": ((proc.stderr or proc.stdout).strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.read_text())


def table(results: list[dict]) -> str:
    lines = ["| people | friends | load s | infer s (ground / torch / write) | passes | rounds | peak MiB (infer) | "
             "SQL join s | infer / join | epoch s | peak MiB | target |", "|" + "---|" * 12]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['people']:,} | error: {r['error']} |" + " |" * 10)
            continue
        ph = r["infer_phases_s"]
        ok = r["infer_s"] < TARGET_S and r["infer_peak_mib"] < TARGET_MIB if r["people"] >= 1_000_000 else "-"
        lines.append(f"| {r['people']:,} | {r['friends']:,} | {r['load_s']:.1f} | {r['infer_s']:.1f} "
                     f"({ph['ground']:.1f} / {ph['infer']:.1f} / {ph['write']:.1f}) | {r['passes']} | {r['rounds']} | "
                     f"{r['infer_peak_mib']:.0f} | {r['join_s']:.2f} | {r['ratio_infer_join']:.0f}x | "
                     f"{r['epoch_s']:.1f} | {r['peak_mib']:.0f} | {ok} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--child-out", type=Path)
    a = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    if a.child_out:
        write_json(a.child_out, child(int(a.sizes), a.seed))
        return
    results = []
    for n in [int(s) for s in a.sizes.split(",") if s]:
        results.append(_run(n, a.seed, a.timeout))
        print(table(results[-1:]), flush=True)
    print(table(results))
    write_json(OUT / "lnn.json", {"results": results, "target": {"infer_s": TARGET_S, "peak_mib": TARGET_MIB}})


if __name__ == "__main__":
    main()
