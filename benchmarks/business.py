"""Column-target mining at scale: the business database with millions of line items.

    python benchmarks/business.py --lines 10000000 --target orders.late --noise 0.1

Builds ``benchmarks/out/business_<lines>.duckdb`` once (the generator of
``sample_dbs/business.sql``, scaled: 2.5 lines per order, tables written from
arrow, no declared keys: ruledisc infers them), then mines TARGET in a child
process (its peak memory is the child's VmHWM). The baseline, run in the same
child, is the grounding SQL of the learned rules alone: each rule's body over
every row, joined with the labels (the exact counts ``ruledisc eval`` computes).
Prints a table and writes ``benchmarks/out/business_<lines>.json``.
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


def build(path: Path, lines: int, noise: float, seed: int) -> float:
    """Write the database (unless it exists); returns seconds spent."""
    import duckdb

    from ruledisc.datasets import business
    if path.exists():
        return 0.0
    t0 = time.perf_counter()
    tables = business.generate(int(lines / 2.5), seed=seed, noise=noise)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    for name, frame in tables.items():
        con.from_arrow(frame.to_arrow()).create(name)
    con.close()
    tmp.rename(path)
    return time.perf_counter() - t0


def child(args: argparse.Namespace) -> None:
    import ruledisc
    t0 = time.perf_counter()
    res = ruledisc.mine(args.db, args.target, noise=args.noise, dry_run=True, max_examples=args.max_examples)
    mine_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    ev = ruledisc.evaluate(args.db, args.target, rules=res)
    sql_s = time.perf_counter() - t1
    out = {"rules": [r.text for r in res.rules], "timings": res.timings, "mine_s": mine_s,
           "grounding_sql_s": sql_s, "f1_all_rows": ev["f1"], "precision": ev["precision"], "recall": ev["recall"],
           "examples": res.info["examples"], "candidates": res.info["candidates"],
           "groundings": res.info["groundings"], "peak_mib": peak_mib()}
    Path(args.result).write_text(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--target", default="orders.late")
    ap.add_argument("--noise", type=float, default=0.1)
    ap.add_argument("--max-examples", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    OUT.mkdir(exist_ok=True)
    db = OUT / f"business_{args.lines}.duckdb"
    build_s = build(db, args.lines, args.noise, args.seed)
    result = OUT / f"business_{args.lines}.child.json"
    cmd = [sys.executable, __file__, "--child", "--db", str(db), "--result", str(result), "--target", args.target,
           "--noise", str(args.noise), "--max-examples", str(args.max_examples)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - t0
    r = json.loads(result.read_text())
    r.update(lines=args.lines, target=args.target, noise=args.noise, build_s=build_s, child_wall_s=wall,
             ratio_to_grounding_sql=r["mine_s"] / max(1e-9, r["grounding_sql_s"]))
    write_json(OUT / f"business_{args.lines}.json", r)
    rows = [("line items", f"{args.lines:,}"), ("target", args.target), ("label noise", f"{args.noise:.0%}")]
    rows += [(f"  {k[:-2]}", f"{v:.1f} s") for k, v in r["timings"].items() if k.endswith("_s")]
    rows += [("mine (wall, in child)", f"{r['mine_s']:.1f} s"),
             ("grounding SQL of the learned rules alone", f"{r['grounding_sql_s']:.1f} s"),
             ("ratio mine / grounding SQL", f"{r['ratio_to_grounding_sql']:.1f}x"),
             ("peak memory (child VmHWM)", f"{r['peak_mib']:.0f} MiB"),
             ("F1 on every row (noisy labels)", f"{r['f1_all_rows']:.3f}")]
    width = max(len(k) for k, _ in rows)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in rows))
    print("rules:")
    print("\n".join("  " + t for t in r["rules"]))


if __name__ == "__main__":
    main()
