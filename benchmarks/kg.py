"""Knowledge-graph scale: all-relations mining and ranking on family and wn18rr, and mining
on synthetic graphs of 1M to 20M facts with planted rules.

    python benchmarks/kg.py                                   # family, wn18rr, synthetic 1M..20M
    python benchmarks/kg.py --datasets family --synthetic ""  # one dataset only

Each case runs in a child process (its peak memory is the child's VmHWM):

- a benchmark graph (``--data``, default ``../shared/data/kg``): ``import-kg``, ``mine
  --all-relations``, ``eval --ranking --split test``; the table puts the published numbers
  (NCRL paper; AnyBURL run on this kind of machine) beside ours;
- a synthetic graph (``ruledisc.datasets.kg_synth``, generated once into ``benchmarks/out``):
  import, mine, then the baseline in the same process: the SQL of the three planted rules'
  exact measures alone (their bodies' distinct groundings joined with the heads). Each
  planted rule must be found with its confidence: 0.8 x planted on the background (which
  holds 80% of the planted heads) and the planted value against every split.

Prints a table, writes ``benchmarks/out/kg.json`` and the log-log plot of time and memory
against facts, ``benchmarks/out/kg_scaling.svg``.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runlib import peak_mib, write_json  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "kg"
PUBLISHED = {   # filtered MRR, Hits@1, Hits@10 (and seconds, where published) on these splits
    "family": [("AnyBURL 23-1 (2 threads, 13 s learn + 5 s apply)", 0.983, 0.977, 0.990),
               ("NCRL", 0.92, 0.856, 0.996), ("DRUM", 0.89, 0.826, 0.992), ("NeuralLP", 0.88, 0.801, 0.985)],
    "wn18rr": [("AnyBURL 23-1 (2 threads, 10 s learn)", 0.388, 0.362, 0.449)],
}
PLANTED_SHARE = 0.8   # kg_synth puts 80% of the planted heads in train (the background)
MEMORY_LIMIT = "5GB"  # DuckDB's limit for the synthetic graphs (the target is a peak under 8 GiB)


def _child_real(name: str, data: Path) -> dict:
    from ruledisc.kg import import_kg
    from ruledisc.kg_run import mine_all, rank_eval
    db = OUT / f"kg_{name}.duckdb"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    import_kg(data / name, db)
    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = mine_all(db)
    mine_s = time.perf_counter() - t0
    mine_peak = peak_mib()
    t0 = time.perf_counter()
    rep = rank_eval(db, split="test")
    eval_s = time.perf_counter() - t0
    return {"case": name, "import_s": import_s, "mine_s": mine_s, "eval_s": eval_s, "mine_timings": res.timings,
            "eval_timings": rep["timings"], "rules": len(res.rules), "stats": res.info,
            "aggregations": rep["aggregations"], "queries": rep["queries"], "mine_peak_mib": mine_peak,
            "peak_mib": peak_mib()}


def _planted_check(db: Path, res) -> tuple[list[dict], float]:
    """Each planted rule: found, its stored confidence, and its confidence against every split;
    plus the seconds the baseline (their exact measures in SQL alone) took."""
    import duckdb

    from ruledisc.datasets.kg_synth import PLANTED
    con = duckdb.connect(str(db), read_only=True)
    rows, base_s = [], 0.0
    for p in PLANTED:
        texts = {r.text: r for m in res.results if m.target == p.head for r in m.rules}
        want = p.text[:-1] + (", X != Y, X != Z, Y != Z." if p.kind == "chain" else ", X != Y.")
        rule = texts.get(want)
        row = {"rule": want, "planted": p.confidence, "found": rule is not None}
        if rule is not None:
            rid = con.execute("SELECT id FROM kg.relations WHERE name = ?", [p.head]).fetchone()[0]
            t0 = time.perf_counter()
            n, bg, every = con.execute(_counts(rule.sql, rid)).fetchone()
            base_s += time.perf_counter() - t0
            row |= {"confidence": rule.confidence, "expected_background": PLANTED_SHARE * p.confidence,
                    "confidence_every_split": every / n if n else 0.0, "pca_confidence": rule.pca_confidence,
                    "support": rule.support, "ok": abs(rule.confidence - PLANTED_SHARE * p.confidence) <= 0.02
                    and abs(every / n - p.confidence) <= 0.02 and bg == rule.support}
        rows.append(row)
    con.close()
    return rows, base_s


def _counts(rule_sql: str, rid: int) -> str:
    """``count(*)``, heads in the background, heads in every split: a rule's body (its view
    SQL) left-joined with the head relation's triples."""
    import sqlglot
    from sqlglot import exp
    f = lambda c: exp.column(c, "f")
    on = exp.and_(exp.EQ(this=f("r"), expression=exp.Literal.number(rid)),
                  exp.EQ(this=f("h"), expression=exp.column("h", "b")), exp.EQ(this=f("t"), expression=exp.column("t", "b")))
    bg = exp.In(this=f("split"), expressions=[exp.Literal.string("facts"), exp.Literal.string("train")])
    return exp.select(exp.func("count", exp.Star()), exp.Filter(this=exp.func("count", f("h")),
                                                                 expression=exp.Where(this=bg)),
                      exp.func("count", f("h"))).from_(sqlglot.parse_one(rule_sql, read="duckdb").subquery("b")) \
        .join(exp.table_("facts", db="kg").as_("f"), on=on, join_type="LEFT").sql("duckdb")


def _child_synth(n: int, seed: int) -> dict:
    from ruledisc.kg import import_kg
    from ruledisc.kg_run import mine_all
    src = OUT / f"kg_synth_{n}"
    db = OUT / f"kg_synth_{n}.duckdb"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    import_kg(src, db)
    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = mine_all(db, seed=seed, memory_limit=MEMORY_LIMIT)
    mine_s = time.perf_counter() - t0
    mine_peak = peak_mib()
    planted, base_s = _planted_check(db, res)
    return {"case": f"synthetic {n:,}", "facts": n, "import_s": import_s, "mine_s": mine_s,
            "mine_timings": res.timings, "rules": len(res.rules), "stats": res.info, "planted": planted,
            "baseline_s": base_s, "ratio_mine_baseline": mine_s / base_s if base_s else None,
            "mine_peak_mib": mine_peak, "peak_mib": peak_mib()}


def _generate(n: int, seed: int) -> float:
    from ruledisc.datasets.kg_synth import generate
    d = OUT / f"kg_synth_{n}"
    if (d / "test.txt").exists():
        return 0.0
    t0 = time.perf_counter()
    tmp = OUT / f"kg_synth_{n}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    generate(tmp, n, seed=seed)
    tmp.rename(d)
    return time.perf_counter() - t0


def _run_child(args: list[str], timeout: float) -> dict:
    out = OUT / "kg_child.json"
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, __file__, "--child-out", str(out), *args], timeout=timeout,
                              capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0 or not out.exists():
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"]}
    res = json.loads(out.read_text())
    res["wall_s"] = time.perf_counter() - t0
    return res


def _svg(points: list[dict], path: Path) -> None:
    """A log-log plot of mining seconds and peak GiB against facts (two series, one chart)."""
    pts = [p for p in points if "facts" in p and "mine_s" in p]
    if len(pts) < 2:
        return
    w, h, m = 560, 360, 60
    xs = [math.log10(p["facts"]) for p in pts]
    series = {"mining s": [p["mine_s"] for p in pts], "peak GiB": [p["peak_mib"] / 1024 for p in pts]}
    ys = [math.log10(v) for vs in series.values() for v in vs if v > 0]
    x0, x1 = min(xs), max(xs)
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    sx = lambda x: m + (x - x0) / (x1 - x0 or 1) * (w - 2 * m)
    sy = lambda y: h - m - (y - y0) / (y1 - y0 or 1) * (h - 2 * m)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
             f'font-size="11"><rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="13">ruledisc mine --all-relations: '
             f'synthetic graphs (log-log)</text>']
    for e in range(y0, y1 + 1):
        parts.append(f'<line x1="{m}" x2="{w - m}" y1="{sy(e)}" y2="{sy(e)}" stroke="#ddd"/>'
                     f'<text x="{m - 6}" y="{sy(e) + 4}" text-anchor="end">{10.0 ** e:g}</text>')
    for p, x in zip(pts, xs):
        parts.append(f'<text x="{sx(x)}" y="{h - m + 16}" text-anchor="middle">{p["facts"] / 1e6:g}M</text>')
    parts.append(f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">facts</text>')
    for (name, vs), colour in zip(series.items(), ("#c0392b", "#2471a3")):
        line = " ".join(f"{sx(x)},{sy(math.log10(v))}" for x, v in zip(xs, vs) if v > 0)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        k = list(series).index(name)
        parts.append(f'<text x="{w - m - 70}" y="{m + 14 * k}" fill="{colour}">{name}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")


def _table(results: list[dict]) -> str:
    lines = ["| case | import s | mine s | eval s | peak MiB | rules | MRR | Hits@1 | Hits@3 | Hits@10 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['case']} | error: {r['error']} |||||||||")
            continue
        agg = r.get("aggregations", {})
        for k, (name, m) in enumerate(agg.items() or [("", None)]):
            head = (f"| {r['case']} | {r['import_s']:.1f} | {r['mine_s']:.1f} | {r.get('eval_s', 0):.1f} | "
                    f"{r['peak_mib']:.0f} | {r['rules']} |") if k == 0 else "| | | | | | |"
            lines.append(head + (f" {name}: {m['mrr']:.4f} | {m['hits@1']:.4f} | {m['hits@3']:.4f} | "
                                 f"{m['hits@10']:.4f} |" if m else " | | | |"))
        for name, mrr, h1, h10 in PUBLISHED.get(r["case"], []):
            lines.append(f"| | | | | | | {name}: {mrr:.3f} | {h1:.3f} | | {h10:.3f} |")
        for p in r.get("planted", []):
            lines.append(f"| | planted {p['rule']} | conf {p.get('confidence', 0):.4f} (want "
                         f"{p.get('expected_background', 0):.4f}) | every split {p.get('confidence_every_split', 0):.4f}"
                         f" (want {p['planted']}) | ok: {p.get('ok')} | | | | | |")
        if r.get("baseline_s"):
            lines.append(f"| | baseline: planted rules' SQL alone {r['baseline_s']:.1f} s | ratio mine/baseline "
                         f"{r['ratio_mine_baseline']:.1f}x | | | | | | | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="family,wn18rr")
    ap.add_argument("--synthetic", default="1000000,2000000,5000000,10000000,20000000")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--child-out", type=Path)
    ap.add_argument("--case")
    a = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    if a.child_out:
        kind, _, name = a.case.partition(":")
        res = _child_real(name, a.data) if kind == "real" else _child_synth(int(name), a.seed)
        write_json(a.child_out, res)
        return
    results = []
    for name in [d for d in a.datasets.split(",") if d]:
        r = _run_child(["--case", f"real:{name}", "--data", str(a.data)], a.timeout)
        results.append({"case": name} | r)
        print(_table(results[-1:]), flush=True)
    for n in [int(x) for x in a.synthetic.split(",") if x]:
        gen_s = _generate(n, a.seed)
        r = _run_child(["--case", f"synth:{n}", "--seed", str(a.seed)], a.timeout)
        results.append({"case": f"synthetic {n:,}", "facts": n, "generate_s": gen_s} | r)
        print(_table(results[-1:]), flush=True)
    print(_table(results))
    write_json(OUT / "kg.json", {"results": results, "published": PUBLISHED})
    _svg(results, OUT / "kg_scaling.svg")


if __name__ == "__main__":
    main()
