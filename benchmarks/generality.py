"""Discovery on data nobody tuned for: planted-rule draws (ruledisc/datasets/planted.py),
mined with the defaults only, scored on the unseen test database, beside the majority-class
baseline.

    python benchmarks/generality.py                 # 12 seeds picked now, tiny and small
    python benchmarks/generality.py --seeds 7,8 --sizes tiny --timeout 300

Each draw: ``ruledisc mine train.duckdb --target T --out rules.json`` (the console script, in a
child process: imports count, as a user sees it), then ``ruledisc eval test.duckdb --target T
--rules rules.json``. Reported: whether the planted program came back exactly (the same rule
texts), the unseen F1, the baseline's F1 (every row positive, or none: the better), wall time and
the child's peak memory. Prints a table; writes ``benchmarks/out/generality.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.runlib import write_json  # noqa: E402
from ruledisc.datasets.planted import draw  # noqa: E402

CLI = Path(sys.executable).with_name("ruledisc")


def _child(args: list[str], timeout: float) -> tuple[int, str, str, float, float]:
    """Run the console script; (exit code, stdout, stderr, seconds, peak MiB of children so far)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=timeout)
        code, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        code, out, err = -1, "", "timeout"
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return code, out, err, time.perf_counter() - t0, peak


def baseline_f1(positives: int, rows: int) -> float:
    """F1 of the better constant program for the positive class: all rows positive (or none)."""
    if positives == 0:
        return 0.0
    precision = positives / rows
    return 2 * precision / (precision + 1)


def run_one(seed: int, size: str, timeout: float, work: Path) -> dict[str, Any]:
    d = draw(seed, size)
    folder = work / f"{size}-{seed}"
    d.write(folder, fmt="duckdb")
    train, test, rules = folder / "train.duckdb", folder / "test.duckdb", folder / "rules.json"
    row: dict[str, Any] = {"seed": seed, "size": size, "target": d.target, "noise": round(d.noise, 3),
                           "tables": len(d.train), "rows": sum(f.height for f in d.train.values()),
                           "planted": d.rules}
    code, out, err, secs, peak = _child(["mine", str(train), "--target", d.target, "--out", str(rules),
                                         "--quiet", "--json", "--dry-run"], timeout)
    row.update(mine_s=round(secs, 2), peak_mib=round(peak, 1), exit=code)
    if code != 0:
        row.update(status="timeout" if code == -1 else "error", error=err.strip().splitlines()[-1:] or [""])
        return row
    learned = [r["text"] for r in json.loads(out)["rules"]]
    row["learned"] = learned
    row["exact"] = sorted(learned) == sorted(d.rules)
    code, out, err, _, _ = _child(["eval", str(test), "--target", d.target, "--rules", str(rules), "--json"], timeout)
    if code != 0:
        row.update(status="eval error", error=err.strip().splitlines()[-1:] or [""])
        return row
    ev = json.loads(out)
    pos = ev["true_positives"] + ev["false_negatives"]
    rows = d.test[d.target_table].height
    row.update(status="ok", f1=round(ev["f1"], 4), precision=round(ev["precision"], 4),
               recall=round(ev["recall"], 4), baseline_f1=round(baseline_f1(pos, rows), 4))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", help="comma-separated seeds (default: --n seeds picked now)")
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--sizes", default="tiny,small")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "generality.json")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")] if a.seeds else random.SystemRandom().sample(range(10_000, 10**6), a.n)
    print(f"seeds: {','.join(map(str, seeds))}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="ruledisc-generality-") as tmp:
        for size in a.sizes.split(","):
            for seed in seeds:
                r = run_one(seed, size, a.timeout, Path(tmp))
                rows.append(r)
                print(f"{size:<6} {seed:>7} {r['target']:<28} noise {r['noise']:.3f}  {r['status']:<8} "
                      f"exact {str(r.get('exact', '-')):<5} f1 {r.get('f1', float('nan')):.3f} "
                      f"(baseline {r.get('baseline_f1', float('nan')):.3f})  {r['mine_s']:>6.1f}s "
                      f"{r['peak_mib']:>7.0f} MiB", flush=True)
    print("\nsize    draws  ok  exact  median f1  worst f1  median baseline  median s  max s")
    summary = {}
    for size in a.sizes.split(","):
        rs = [r for r in rows if r["size"] == size]
        ok = [r for r in rs if r["status"] == "ok"]
        f1s = [r["f1"] for r in ok]
        s = {"draws": len(rs), "ok": len(ok), "exact": sum(bool(r.get("exact")) for r in rs),
             "median_f1": statistics.median(f1s) if f1s else None, "worst_f1": min(f1s) if f1s else None,
             "median_baseline_f1": statistics.median([r["baseline_f1"] for r in ok]) if ok else None,
             "median_s": statistics.median([r["mine_s"] for r in rs]), "max_s": max(r["mine_s"] for r in rs)}
        summary[size] = s
        fmt = lambda v: "-" if v is None else f"{v:.3f}"
        print(f"{size:<6} {s['draws']:>6} {s['ok']:>3} {s['exact']:>6} {fmt(s['median_f1']):>10} "
              f"{fmt(s['worst_f1']):>9} {fmt(s['median_baseline_f1']):>16} {s['median_s']:>9.1f} {s['max_s']:>6.1f}")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    write_json(a.out, {"seeds": seeds, "summary": summary, "runs": rows})
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
