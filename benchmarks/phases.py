"""Per-phase timings of a mining run on the synthetic family database, against DuckDB alone.

For each target a child process (so peak memory is per target) builds the family
database with N people in an in-memory DuckDB connection, mines the target with
``background=parent,male,female`` and ``dry_run``, then replays every SQL statement
the run issued (from ``Engine.log``, in order, on the same connection) with plain
``con.execute(sql).fetchall()``: that is "DuckDB alone running the same queries".

Targets from the issue: total <= 3x the SQL alone, peak memory < 2 GiB.

    python benchmarks/phases.py                       # 100k people, four targets
    python benchmarks/phases.py --people 2000 --targets mother,son

Writes ``benchmarks/out/phases.json``. A child that runs past ``--timeout`` is
killed, or fails (DuckDB spills past ``--max-spill`` and runs out of memory); its
last snapshot (current phase, the statement in flight, the slowest statements so
far, memory) is reported instead of its result. DuckDB's own settings (threads,
memory_limit) are left at their defaults, as a user of ``ruledisc.mine`` gets them;
only its spill folder is moved into a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out" / "phases.json"
PHASES = ("introspect", "candidates", "grounding", "learning", "scoring")
BACKGROUND = ("parent", "male", "female")
MAX_RATIO = 3.0
MAX_PEAK_MIB = 2048.0
SNAPSHOT_EVERY_S = 2.0
TOP_N = 8


# --------------------------------------------------------------------------- memory

def _status_kib(field: str) -> int | None:
    try:
        m = re.search(rf"^{field}:\s+(\d+)\s+kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(m.group(1)) if m else None


def _reset_hwm() -> bool:
    """Reset the peak RSS (VmHWM) of this process; Linux only."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


# --------------------------------------------------------------------------- child

def _short(sql: str, n: int = 400) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= n else sql[: n - 3] + "..."


def _log_summary(log: list[Any], top: int = TOP_N) -> dict[str, Any]:
    per_phase: dict[str, dict[str, float]] = {}
    for q in log:
        d = per_phase.setdefault(q.phase, {"queries": 0, "seconds": 0.0, "rows": 0})
        d["queries"] += 1
        d["seconds"] += q.seconds
        d["rows"] += q.rows
    for d in per_phase.values():
        d["seconds"] = round(d["seconds"], 4)
    slow = sorted(range(len(log)), key=lambda i: -log[i].seconds)[:top]
    return {"queries": len(log), "seconds": round(sum(q.seconds for q in log), 4), "per_phase": per_phase,
            "slowest": [{"index": i, "phase": log[i].phase, "seconds": round(log[i].seconds, 4),
                         "rows": log[i].rows, "sql": _short(log[i].sql)} for i in slow]}


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str))
    os.replace(tmp, path)


def _build_db(n_people: int, seed: int, spill_dir: str | None, max_spill: str):
    import duckdb

    from ruledisc.datasets import family

    con = duckdb.connect()
    if spill_dir:
        # DuckDB spills to ./.tmp by default and a killed child leaves it there: spill into the
        # parent's temporary folder instead (removed when the run ends), capped to spare the disk
        con.execute(f"SET temp_directory = '{spill_dir}'")
    con.execute(f"SET max_temp_directory_size = '{max_spill}'")
    frames = family.generate(n_people, seed=seed)
    sizes = {}
    for name, df in frames.items():
        view = f"__bench_{name}"
        con.register(view, df)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM "{view}"')
        con.unregister(view)
        sizes[name] = df.height
    del frames
    gc.collect()
    return con, sizes


def child(args: argparse.Namespace) -> int:
    """Build, mine one target, replay its SQL; write the result JSON."""
    snap_path = Path(args.snapshot)
    state: dict[str, Any] = {"target": args.child, "people": args.people, "stage": "import",
                             "phase": None, "note": None}
    t_start = time.perf_counter()

    import duckdb  # noqa: F401  (imports are part of the baseline, not of the mining peak)
    import torch

    from ruledisc.engine import Engine
    from ruledisc.pipeline import MineOptions, _mine
    from ruledisc.progress import Phases
    from ruledisc.source import Source

    torch.set_num_threads(max(1, os.cpu_count() or 1))

    class TracingEngine(Engine):
        """An Engine that also remembers the statement in flight (for timeouts)."""

        inflight: tuple[str, str, float] | None = None

        def _run(self, e):  # type: ignore[override]
            self.inflight = (self.phase, self.sql(e), time.perf_counter())
            return super()._run(e)

        def _record(self, text: str, t0: float, rows: int) -> None:
            super()._record(text, t0, rows)
            self.inflight = None

    class Recorder:
        def start(self, phase: str) -> None:
            state["phase"], state["phase_started"] = phase, time.perf_counter()

        def note(self, message: str) -> None:
            state["note"] = message

        def done(self, phase: str, seconds: float) -> None:
            state.setdefault("phases_done", {})[f"{phase}_s"] = round(seconds, 4)

    eng_box: dict[str, Any] = {}
    stop = threading.Event()

    def snapshot() -> None:
        now = time.perf_counter()
        s = dict(state, elapsed_s=round(now - t_start, 2), rss_mib=_mib(_status_kib("VmRSS")),
                 hwm_mib=_mib(_status_kib("VmHWM")))
        if s.get("phase_started"):
            s["phase_elapsed_s"] = round(now - s.pop("phase_started"), 2)
        eng = eng_box.get("engine")
        if eng is not None:
            s["log"] = _log_summary(list(eng.log))
            fl = eng.inflight
            if fl is not None:
                s["inflight"] = {"phase": fl[0], "running_s": round(now - fl[2], 2), "sql": _short(fl[1], 2000)}
        _write_json(snap_path, s)

    def snapshotter() -> None:
        while not stop.wait(SNAPSHOT_EVERY_S):
            try:
                snapshot()
            except (OSError, ValueError, TypeError, RuntimeError) as err:  # a snapshot never kills the run
                state["snapshot_error"] = repr(err)

    threading.Thread(target=snapshotter, daemon=True).start()

    baseline_kib = _status_kib("VmRSS")
    state["stage"] = "build"
    t0 = time.perf_counter()
    con, sizes = _build_db(args.people, args.seed, args.spill_dir, args.max_spill)
    build_s = time.perf_counter() - t0
    after_build_kib = _status_kib("VmRSS")
    hwm_reset = _reset_hwm()
    state["memory"] = {"baseline_mib": _mib(baseline_kib), "after_build_mib": _mib(after_build_kib),
                       "build_s": round(build_s, 3)}

    state["stage"] = "mine"
    eng = TracingEngine(con)
    eng_box["engine"] = eng
    opts = MineOptions(background=BACKGROUND, dry_run=True, seed=args.mine_seed)
    ph = Phases(Recorder())
    try:
        res = _mine(Source(eng, "connection", owned=False), args.child, opts, ph)
    except Exception as err:
        state["error"] = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        snapshot()  # where it failed, for the parent's report
        raise
    mine_hwm_kib = _status_kib("VmHWM") if hwm_reset else None
    maxrss_mine_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    timings = {k: round(v, 4) for k, v in res.timings.items()}
    log = list(eng.log)
    out: dict[str, Any] = {
        "target": args.child, "people": args.people, "seed": args.seed, "tables": sizes,
        "build_s": round(build_s, 3), "timings": timings,
        "rules": [r.text for r in res.rules], "weights": [round(r.weight, 4) for r in res.rules],
        "metrics": {k: round(v, 6) for k, v in res.metrics.items()},
        "exact": res.metrics.get("f1") == 1.0,
        "info": res.info, "engine_log": _log_summary(log),
    }
    state["stage"], state["mined"] = "replay", out
    snapshot()

    # replay: the same statements, in order, on the same connection, nothing else
    per_phase_replay: dict[str, float] = {}
    replay: list[float] = []
    for q in log:
        state["note"] = f"replay {len(replay) + 1}/{len(log)}"
        t = time.perf_counter()
        con.execute(q.sql).fetchall()
        dt = time.perf_counter() - t
        replay.append(dt)
        per_phase_replay[q.phase] = per_phase_replay.get(q.phase, 0.0) + dt
    sql_alone = sum(replay)
    stop.set()

    total = timings.get("total_s", 0.0)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.update({
        "sql_alone_s": round(sql_alone, 4),
        "sql_alone_per_phase_s": {k: round(v, 4) for k, v in per_phase_replay.items()},
        "ratio": round(total / sql_alone, 3) if sql_alone > 0 else None,
        "memory": {
            "baseline_mib": _mib(baseline_kib),          # after imports
            "after_build_mib": _mib(after_build_kib),    # database loaded
            "mining_peak_mib": _mib(mine_hwm_kib),       # VmHWM reset after the build: peak while mining
            "process_peak_after_mining_mib": _mib(maxrss_mine_kib),
            "process_peak_mib": _mib(peak_kib),          # ru_maxrss: whole child, build + mine + replay
        },
        "peak_mib": _mib(peak_kib),
        "duckdb_threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "duckdb_memory_limit": con.execute("SELECT current_setting('memory_limit')").fetchone()[0],
        "torch_threads": torch.get_num_threads(),
    })
    slow = sorted(range(len(log)), key=lambda i: -replay[i])[:TOP_N]
    out["replay_slowest"] = [{"index": i, "phase": log[i].phase, "replay_s": round(replay[i], 4),
                              "in_run_s": round(log[i].seconds, 4), "sql": _short(log[i].sql)} for i in slow]
    _write_json(Path(args.result), out)
    con.close()
    return 0


# --------------------------------------------------------------------------- parent

def _run_target(target: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    result, snap = work / f"{target}.result.json", work / f"{target}.snapshot.json"
    for p in (result, snap):
        p.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", target, "--people", str(args.people),
           "--seed", str(args.seed), "--mine-seed", str(args.mine_seed), "--result", str(result),
           "--snapshot", str(snap), "--spill-dir", str(work / f"{target}.spill"), "--max-spill", args.max_spill]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, check=False, timeout=args.timeout, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        out = {"target": target, "people": args.people, "status": "timeout",
               "wall_s": round(time.perf_counter() - t0, 1)}
        if snap.exists():
            out["snapshot"] = json.loads(snap.read_text())
        return out
    wall = round(time.perf_counter() - t0, 1)
    if proc.returncode != 0 or not result.exists():
        err = (proc.stderr or "").strip().splitlines()
        err = [ln for ln in err if "leak" not in ln and not ln.startswith(" - ")]
        out = {"target": target, "people": args.people, "status": "error", "wall_s": wall,
               "returncode": proc.returncode, "stderr_tail": "\n".join(err[-25:])}
        if snap.exists():
            out["snapshot"] = json.loads(snap.read_text())
        return out
    out = json.loads(result.read_text())
    out.update(status="ok", wall_s=wall)
    return out


def _fmt(v: Any, digits: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _row(r: dict[str, Any]) -> list[str]:
    if r["status"] != "ok" and r.get("snapshot"):
        # what finished, the phase that was running (">" its seconds so far), memory so far
        s = r["snapshot"]
        done = s.get("phases_done") or {}
        cells = []
        for p in PHASES:
            if f"{p}_s" in done:
                cells.append(_fmt(done[f"{p}_s"]))
            elif s.get("phase") == p and s.get("phase_elapsed_s") is not None:
                cells.append(f">{s['phase_elapsed_s']:.0f}")
            else:
                cells.append("-")
        peak = s.get("hwm_mib")
        mem = "FAIL" if peak is not None and peak >= MAX_PEAK_MIB else "-"
        return ([r["target"], str(r["people"])] + cells
                + [f">{r['wall_s']:.0f}", "-", "-", "-", f">={_fmt(peak, 0)}", mem, r["status"].upper()])
    if r["status"] != "ok":
        return [r["target"], str(r["people"])] + ["-"] * (len(PHASES) + 6) + [r["status"].upper()]
    t = r["timings"]
    ratio_ok = r["ratio"] is not None and r["ratio"] <= MAX_RATIO
    mem_ok = r["peak_mib"] is not None and r["peak_mib"] < MAX_PEAK_MIB
    return ([r["target"], str(r["people"])] + [_fmt(t.get(f"{p}_s")) for p in PHASES]
            + [_fmt(t.get("total_s")), _fmt(r["sql_alone_s"]), _fmt(r["ratio"]) + "x",
               "PASS" if ratio_ok else "FAIL", _fmt(r["peak_mib"], 0), "PASS" if mem_ok else "FAIL",
               _fmt(r["exact"])])


HEADER = ["target", "people"] + [f"{p}_s" for p in PHASES] + [
    "total_s", "sql_alone_s", "ratio", "<=3x", "peak_MiB", "<2GiB", "exact"]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADER)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i > 0 else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(HEADER), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _details(r: dict[str, Any]) -> list[str]:
    out = [f"\n== {r['target']} ({r['status']}, child wall {r.get('wall_s')}s)"]
    if r["status"] == "ok":
        m = r["memory"]
        out.append(f"  build {r['build_s']}s; memory MiB: baseline {m['baseline_mib']}, after build "
                   f"{m['after_build_mib']}, mining peak {m['mining_peak_mib']}, process peak {m['process_peak_mib']}")
        out.append(f"  metrics {r['metrics']}; candidates {r['info'].get('candidates')}, "
                   f"groundings {r['info'].get('groundings')}, heads {r['info'].get('heads')}")
        lg = r["engine_log"]
        out.append(f"  {lg['queries']} queries, {lg['seconds']:.2f}s inside the run, "
                   f"{r['sql_alone_s']:.2f}s replayed alone")
        for ph in PHASES:
            d = lg["per_phase"].get(ph, {"queries": 0, "seconds": 0.0, "rows": 0})
            phase_s = r["timings"].get(f"{ph}_s", 0.0)
            out.append(f"    {ph:<11} phase {phase_s:8.2f}s = SQL {d['seconds']:8.2f}s + other "
                       f"{phase_s - d['seconds']:7.2f}s | {d['queries']:>4} queries, replayed alone "
                       f"{r['sql_alone_per_phase_s'].get(ph, 0.0):8.2f}s, rows {d['rows']}")
        for rule in r["rules"]:
            out.append(f"  rule: {rule}")
        out.append("  slowest statements in the run:")
        for q in lg["slowest"][:5]:
            out.append(f"    {q['seconds']:8.3f}s  {q['phase']:<10} rows={q['rows']:<8} {q['sql'][:160]}")
    elif r.get("snapshot"):
        s = r["snapshot"]
        why = "killed after --timeout" if r["status"] == "timeout" else f"failed: {s.get('error')}"
        out.append(f"  {why}; stage {s.get('stage')}, phase {s.get('phase')} "
                   f"({s.get('phase_elapsed_s')}s in), note {s.get('note')!r}, rss {s.get('rss_mib')} MiB, "
                   f"peak {s.get('hwm_mib')} MiB")
        if s.get("memory"):
            out.append(f"  before mining: {s['memory']}")
        if s.get("phases_done"):
            out.append(f"  phases finished: {s['phases_done']}")
        if s.get("inflight"):
            fl = s["inflight"]
            out.append(f"  {'in flight' if r['status'] == 'timeout' else 'failing statement'}: {fl['phase']} "
                       f"for {fl['running_s']}s: {fl['sql'][:300]}")
        lg = s.get("log")
        if lg:
            for ph, d in lg["per_phase"].items():
                out.append(f"    {ph:<11} {d['queries']:>5} queries  {d['seconds']:8.2f}s  rows {d['rows']}")
            out.append("  slowest finished statements:")
            for q in lg["slowest"][:5]:
                out.append(f"    {q['seconds']:8.3f}s  {q['phase']:<10} rows={q['rows']:<8} {q['sql'][:160]}")
    else:
        out.append(r.get("stderr_tail", ""))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=100_000, help="people in the family database")
    ap.add_argument("--targets", default="grandparent,grandmother,mother,son")
    ap.add_argument("--seed", type=int, default=0, help="seed of the generated family")
    ap.add_argument("--mine-seed", type=int, default=0, help="MineOptions.seed")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per target (build + mine + replay)")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="JSON output path")
    ap.add_argument("--max-spill", default="20GB", help="DuckDB max_temp_directory_size (disk spill cap)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--spill-dir", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--snapshot", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args)

    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    out_path = Path(args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="ruledisc-bench-") as work:
        for t in targets:
            print(f"[{time.strftime('%H:%M:%S')}] {t}: {args.people} people ...", file=sys.stderr, flush=True)
            r = _run_target(t, args, Path(work))
            print(f"[{time.strftime('%H:%M:%S')}] {t}: {r['status']} in {r.get('wall_s')}s", file=sys.stderr,
                  flush=True)
            results.append(r)

    print(_table([_row(r) for r in results]))
    for r in results:
        print("\n".join(_details(r)))
    ok = [r for r in results if r["status"] == "ok"]
    summary = {
        "people": args.people, "targets": targets, "cpus": os.cpu_count(),
        "limits": {"max_ratio": MAX_RATIO, "max_peak_mib": MAX_PEAK_MIB},
        "all_pass": len(ok) == len(results) and all(
            r["ratio"] is not None and r["ratio"] <= MAX_RATIO and r["peak_mib"] < MAX_PEAK_MIB for r in ok),
        "all_exact": len(ok) == len(results) and all(r["exact"] for r in ok),
        "results": results,
    }
    _write_json(out_path, summary)
    print(f"\nwrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
