"""The 20 ∂ILP tasks (Evans & Grefenstette 2018): share of seeds mined exactly, time, peak memory.

For each task, seed and noise level a fresh child process (so peak memory is per run)
builds the training world ``train_world(task, seed)`` in an in-memory DuckDB connection,
flips a share of its target labels (below), mines the target with
``ruledisc.mine(con, target=..., dry_run=True, seed=seed, noise=ρ)`` (ρ > 0 is the noise
mode, told the rate that was flipped), writes the result as a
rules file and evaluates it with ``ruledisc.evaluate`` on the clean, bigger, unseen
test world ``test_world(task, seed)``. A run is *exact* when the test precision and
recall are both 1.0; the share of exact seeds is compared with the share of ∂ILP's
runs that reached the correct program (the paper's Table 2, noise-free).

Noise (rate ρ). For each argument position i of the target, its domain D_i is the
values of target column i together with the values of every background column (any
other table, any column, same dtype) that shares at least one value with target
column i. The example universe is E = D_1 x ... x D_n (the closed world) and the
positives P are the target's rows. k = round(ρ·|E|) atoms are drawn uniformly without
replacement from E with ``numpy.random.default_rng(seed * 1000 + round(ρ * 100))``;
each drawn positive is removed from the target table, each drawn negative is added to
it. Only the training world is noisy; the test world is always clean. k, |P| and |E|
are recorded with each run.

    python benchmarks/dilp.py                                   # 20 tasks x 20 seeds, noise 0
    python benchmarks/dilp.py --tasks predecessor,son --seeds 3 --noise 0,0.1,0.2
    python benchmarks/dilp.py --resume                          # go on after an interruption
    python benchmarks/dilp.py --summarise                       # table + JSON from the runs file

Every finished run is appended to ``benchmarks/out/dilp_runs.jsonl`` (one JSON object
a line) as soon as it ends; ``--resume`` skips the (task, seed, noise) already there,
(``--retry-failed``: but for runs that raised), otherwise the file is started afresh
(the old one is kept as ``dilp_runs.prev.jsonl``).
A run killed after ``--timeout`` is recorded with status ``timeout``. The summary (one
row per task) is printed and written, with the raw runs, to ``benchmarks/out/dilp.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from runlib import Snapshot, err_text, killed_at, peak_mib, quote_ident, read_runs, run_child, write_json  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out" / "dilp.json"
DEFAULT_RUNS = HERE / "out" / "dilp_runs.jsonl"
MAX_PEAK_MIB = 1024.0

# share of ∂ILP's runs that reached the correct program (Evans & Grefenstette 2018)
DILP_SHARE: dict[str, float] = {
    "predecessor": 1.0, "even_odd": 1.0, "even_succ2": 0.485, "less_than": 1.0, "fizz": 0.10, "buzz": 0.14,
    "member": 1.0, "length": 0.925, "son": 1.0, "grandparent": 0.965, "husband": 1.0, "uncle": 0.70,
    "relatedness": 1.0, "father": 1.0, "undirected_edge": 1.0, "adjacent_to_red": 0.505, "two_children": 0.95,
    "graph_colouring": 0.945, "connectedness": 1.0, "cyclic": 1.0,
}


# --------------------------------------------------------------------------- pure helpers


def noise_seed(seed: int, rho: float) -> int:
    return seed * 1000 + int(round(rho * 100))


def domains(world: dict[str, pl.DataFrame], target: str) -> list[list[Any]]:
    """D_i for each target column i, sorted: its values and those of every background column
    of the same dtype sharing at least one value with it."""
    tgt = world[target]
    out = []
    for col in tgt.columns:
        own = set(tgt[col].drop_nulls().to_list())
        dom = set(own)
        for name, df in world.items():
            if name == target:
                continue
            for c in df.columns:
                if df[c].dtype != tgt[col].dtype:
                    continue
                vals = set(df[c].drop_nulls().to_list())
                if vals & own:
                    dom |= vals
        out.append(sorted(dom))
    return out


def flip_labels(world: dict[str, pl.DataFrame], target: str, rho: float,
                seed: int) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
    """A copy of ``world`` with k = round(rho·|E|) target atoms of E flipped (see the module
    docstring); ``world`` itself is left as it is. Returns the new world and the counts."""
    tgt = world[target]
    doms = domains(world, target)
    shape = tuple(len(d) for d in doms)
    universe = int(np.prod(shape, dtype=np.int64)) if shape else 0
    positives = set(tgt.iter_rows())
    k = int(round(rho * universe))
    info: dict[str, Any] = {"noise": rho, "k": k, "positives": len(positives), "universe": universe,
                            "domain_sizes": list(shape), "removed": 0, "added": 0}
    if k == 0:
        return dict(world), info
    rng = np.random.default_rng(noise_seed(seed, rho))
    idx = rng.choice(universe, size=k, replace=False)
    coords = np.unravel_index(idx, shape)
    flipped = {tuple(doms[i][int(coords[i][j])] for i in range(len(doms))) for j in range(k)}
    removed, added = flipped & positives, flipped - positives
    rows = sorted((positives - removed) | added)
    new = dict(world)
    new[target] = pl.DataFrame(rows, schema=tgt.schema, orient="row")
    info.update(removed=len(removed), added=len(added))
    return new, info


def _key(task: str, seed: int, noise: float) -> tuple[str, int, float]:
    return task, int(seed), round(float(noise), 6)


def run_key(run: dict[str, Any]) -> tuple[str, int, float]:
    return _key(run["task"], run["seed"], run["noise"])


def summarise(runs: list[dict[str, Any]], noises: list[float] | None = None,
              tasks: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per task: ∂ILP's share, our share of exact seeds per noise level, seconds, peak memory.
    A later run of the same (task, seed, noise) replaces an earlier one; runs that timed
    out or raised count as not exact."""
    latest: dict[tuple[str, int, float], dict[str, Any]] = {}
    for r in runs:
        latest[run_key(r)] = r
    runs = list(latest.values())
    if noises is None:
        noises = sorted({round(float(r["noise"]), 6) for r in runs})
    if tasks is None:
        seen = {r["task"] for r in runs}
        tasks = [t for t in DILP_SHARE if t in seen] + sorted(seen - set(DILP_SHARE))
    out: dict[str, dict[str, Any]] = {}
    for t in tasks:
        mine = [r for r in runs if r["task"] == t]
        shares: dict[str, dict[str, Any]] = {}
        for n in noises:
            at = [r for r in mine if round(float(r["noise"]), 6) == round(float(n), 6)]
            exact = sum(1 for r in at if r.get("exact"))
            shares[str(n)] = {"exact": exact, "runs": len(at), "share": exact / len(at) if at else None}
        secs = [r["mine_s"] for r in mine if r.get("mine_s") is not None]
        peaks = [r["peak_mib"] for r in mine if r.get("peak_mib") is not None]
        dilp = DILP_SHARE.get(t)
        below = [n for n, s in shares.items() if s["share"] is not None and dilp is not None and s["share"] < dilp]
        max_peak = max(peaks) if peaks else None
        out[t] = {"dilp_share": dilp, "shares": shares,
                  "median_s": round(statistics.median(secs), 3) if secs else None,
                  "max_s": round(max(secs), 3) if secs else None,
                  "max_peak_mib": max_peak,
                  "timeouts": sum(1 for r in mine if r.get("status") == "timeout"),
                  "errors": sum(1 for r in mine if r.get("status") not in ("ok", "timeout")),
                  "below_dilp_at": below,
                  "memory_flag": max_peak is not None and max_peak >= MAX_PEAK_MIB}
    return out


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%".replace(".0%", "%")


def format_table(summary: dict[str, dict[str, Any]]) -> str:
    noises = list(next(iter(summary.values()))["shares"]) if summary else []
    header = ["task", "∂ILP"] + [f"exact@{n}" for n in noises] + ["med_s", "max_s", "peak_MiB", "mark"]
    rows = []
    for t, s in summary.items():
        cells = [t, _pct(s["dilp_share"])]
        for n in noises:
            sh = s["shares"][n]
            mark = "!" if n in s["below_dilp_at"] else ""
            cells.append(f"{_pct(sh['share'])} ({sh['exact']}/{sh['runs']}){mark}" if sh["runs"] else "-")
        marks = []
        if s["below_dilp_at"]:
            marks.append("<∂ILP")
        if s["memory_flag"]:
            marks.append(">=1GiB")
        if s["timeouts"]:
            marks.append(f"{s['timeouts']} timeout")
        if s["errors"]:
            marks.append(f"{s['errors']} error")
        cells += [_fmt(s["median_s"]), _fmt(s["max_s"]), _fmt(s["max_peak_mib"], 0), " ".join(marks)]
        rows.append(cells)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in (0, len(cells) - 1) else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _fmt(v: Any, digits: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


# --------------------------------------------------------------------------- child


def _connect(world: dict[str, pl.DataFrame], threads: int | None):
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for i, (name, df) in enumerate(world.items()):
        tmp = f"__bench_frame_{i}"
        con.register(tmp, df)
        con.execute("CREATE TABLE " + quote_ident(name) + " AS SELECT * FROM " + quote_ident(tmp))
        con.unregister(tmp)
    return con


def child(args: argparse.Namespace) -> int:
    """One run: build, add noise, mine, evaluate on the test world; write the result JSON."""
    import torch

    import ruledisc
    from ruledisc.datasets.dilp import BY_NAME, test_world, train_world

    if args.threads:
        torch.set_num_threads(args.threads)
    task, seed, rho = BY_NAME[args.child], args.seed, args.noise
    out: dict[str, Any] = {"task": task.name, "target": task.target, "seed": seed, "noise": rho,
                           "status": "ok", "exact": False, "threads": args.threads}
    state = Snapshot(Path(args.snapshot), "build") if args.snapshot else None
    world, noise = flip_labels(train_world(task, seed), task.target, rho, seed)
    out["noise_info"] = noise
    out.update(k=noise["k"], positives=noise["positives"], universe=noise["universe"])
    if state:
        state.set(noise_info=noise)
    con = _connect(world, args.threads)
    try:
        t0 = time.perf_counter()
        try:
            if state:
                state.set(stage="mine", mine_started=t0)
            # noisy training labels run in the noise mode, told the rate that was flipped
            res = ruledisc.mine(con, target=task.target, dry_run=True, seed=seed, reporter=state, noise=rho)
        finally:
            out["mine_s"] = round(time.perf_counter() - t0, 4)
        out["train"] = {k: round(v, 6) for k, v in res.metrics.items()}
        out["training_errors"] = res.info.get("training_errors")
        out["rules"] = [r.text for r in res.rules]
        d = res.to_dict()
        if "invented" in d:
            out["invented"] = d["invented"]
        out["info"] = res.info
        if state:
            state.set(stage="evaluate", rules=out["rules"])
        with tempfile.TemporaryDirectory(prefix="ruledisc-dilp-") as tmp:
            path = Path(tmp) / "rules.json"
            path.write_text(res.to_json())
            test_con = _connect(test_world(task, seed), args.threads)
            try:
                t1 = time.perf_counter()
                ev = ruledisc.evaluate(test_con, target=task.target, rules=path)
                out["evaluate_s"] = round(time.perf_counter() - t1, 4)
            finally:
                test_con.close()
        out["test"] = {k: ev[k] for k in ("precision", "recall", "f1", "true_positives", "false_positives",
                                          "false_negatives")}
        out["exact"] = ev["precision"] == 1.0 and ev["recall"] == 1.0
    except Exception as err:  # recorded, not raised: a failing run is a result
        out["status"], out["error"] = "error", err_text(err)
    finally:
        con.close()
        if state:
            state.stop()
    out["peak_mib"] = peak_mib()
    Path(args.result).write_text(json.dumps(out, default=str))
    return 0


# --------------------------------------------------------------------------- parent

def _run_one(task: str, seed: int, noise: float, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    result, snap = work / f"{task}.{seed}.{noise}.json", work / f"{task}.{seed}.{noise}.snapshot.json"
    for p in (result, snap):
        p.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", task, "--seed", str(seed),
           "--noise-level", repr(noise), "--result", str(result), "--snapshot", str(snap),
           "--threads", str(args.threads)]
    base = {"task": task, "seed": seed, "noise": noise, "exact": False}
    status, wall, got = run_child(cmd, args.timeout, snap, result)
    if status == "timeout":
        out = dict(base, status="timeout", wall_s=wall)
        if got is None:
            return out
        ni = got.get("noise_info") or {}
        out.update({k: ni[k] for k in ("k", "positives", "universe") if k in ni})
        out.update(snapshot=got, noise_info=ni or None, peak_mib=got.get("peak_mib"),
                   error=killed_at(args.timeout, got, "stage", "phase"))
        return out
    if status == "crash":
        return dict(base, status="crash", wall_s=wall, **got)
    got["wall_s"] = wall
    return got


def _floats(s: str) -> list[float]:
    return [float(x) for x in s.split(",") if x.strip()]


def _report(runs: list[dict[str, Any]], noises: list[float] | None, tasks: list[str] | None, out: Path,
            runs_path: Path, config: dict[str, Any]) -> None:
    summary = summarise(runs, noises, tasks)
    print(format_table(summary))
    wanted = set(summary)
    picked = [r for r in runs if r["task"] in wanted
              and (noises is None or round(float(r["noise"]), 6) in {round(n, 6) for n in noises})]
    out.parent.mkdir(parents=True, exist_ok=True)
    write_json(out, {"config": config, "runs_file": str(runs_path), "dilp_share": DILP_SHARE,
                      "tasks": summary, "runs": picked})
    print(f"\nwrote {out}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", help="comma-separated task names (default: all 20)")
    ap.add_argument("--seeds", type=int, default=20, help="seeds 0..N-1")
    ap.add_argument("--seed-list", help="comma-separated seeds (overrides --seeds)")
    ap.add_argument("--noise", help="comma-separated noise rates (default 0)")
    ap.add_argument("--jobs", type=int, default=2, help="children at once")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch and DuckDB threads per child (default: CPUs / jobs)")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="JSON summary path")
    ap.add_argument("--runs", default=str(DEFAULT_RUNS), help="JSONL file of runs")
    ap.add_argument("--resume", action="store_true", help="skip runs already in the runs file")
    ap.add_argument("--retry-failed", action="store_true",
                    help="with --resume: run again those that raised or crashed (not timeouts)")
    ap.add_argument("--summarise", action="store_true", help="only summarise the runs file")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--noise-level", dest="noise_level", type=float, default=0.0, help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--snapshot", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        args.noise = args.noise_level
        return child(args)

    from ruledisc.datasets.dilp import BY_NAME, TASKS

    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()] if args.tasks else None
    unknown = [t for t in tasks or [] if t not in BY_NAME]
    if unknown:
        ap.error(f"unknown task(s) {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    noises = _floats(args.noise) if args.noise else None
    runs_path, out_path = Path(args.runs), Path(args.out)

    if args.summarise:
        runs = read_runs(runs_path)
        if not runs:
            print(f"no runs in {runs_path}", file=sys.stderr)
            return 1
        _report(runs, noises, tasks, out_path, runs_path, {"summarise": True})
        return 0

    tasks = tasks or [t.name for t in TASKS]
    noises = noises or [0.0]
    seeds = [int(s) for s in args.seed_list.split(",") if s.strip()] if args.seed_list else list(range(args.seeds))
    args.threads = args.threads or max(1, (os.cpu_count() or 1) // max(1, args.jobs))
    runs_path.parent.mkdir(parents=True, exist_ok=True)
    if args.resume:
        done = {run_key(r) for r in read_runs(runs_path)
                if not (args.retry_failed and r.get("status") not in ("ok", "timeout"))}
    else:
        done = set()
        if runs_path.exists():
            os.replace(runs_path, runs_path.with_name(runs_path.stem + ".prev" + runs_path.suffix))
        runs_path.write_text("")
    todo = [(t, s, n) for n in noises for t in tasks for s in seeds if _key(t, s, n) not in done]
    print(f"{len(todo)} runs to do ({len(done)} already in {runs_path}), {args.jobs} at once, "
          f"{args.threads} threads each", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="ruledisc-dilp-") as work, \
            ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futures = [ex.submit(_run_one, t, s, n, args, Path(work)) for t, s, n in todo]
        try:
            for i, fut in enumerate(as_completed(futures), 1):
                r = fut.result()
                with runs_path.open("a") as f:
                    f.write(json.dumps(r, default=str) + "\n")
                secs = r.get("mine_s", r.get("wall_s"))
                tail = "" if r["status"] == "ok" else f"  {r['status']}: {r.get('error') or '-'}"
                print(f"[{time.strftime('%H:%M:%S')}] {i}/{len(todo)} {r['task']:<16} seed {r['seed']:>2} "
                      f"noise {r['noise']:<4} exact {'yes' if r['exact'] else 'no ':<3} {_fmt(secs)}s "
                      f"{_fmt(r.get('peak_mib'), 0)} MiB{tail}", file=sys.stderr, flush=True)
        except KeyboardInterrupt:
            for fut in futures:
                fut.cancel()
            print(f"interrupted; finished runs are in {runs_path} (--resume goes on)", file=sys.stderr)
            raise

    wanted = {_key(t, s, n) for t in tasks for s in seeds for n in noises}
    runs = [r for r in read_runs(runs_path) if run_key(r) in wanted]
    config = {"tasks": tasks, "seeds": seeds, "noise": noises, "jobs": args.jobs, "timeout": args.timeout,
              "threads": args.threads, "cpus": os.cpu_count()}
    _report(runs, noises, tasks, out_path, runs_path, config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
