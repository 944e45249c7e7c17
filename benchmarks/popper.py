"""Popper's ILP tasks: import each task folder, mine its target, score the rules on the examples.

For each task folder (``bk.pl``, ``exs.pl``, ``bias.pl``) under ``--data``, a fresh child
process (so peak memory is per task, and a stuck task can be killed) does:

1. ``ruledisc.popper.import_popper(folder, tmp/out.duckdb)``. A task whose files cannot be
   read is recorded as ``not_imported``, one whose example predicate cannot be a table
   (lists, compound terms: the ``synthesis-*`` and ``robots-*`` tasks) as ``no_target``,
   each with the reason. These are the tasks that do not fit ruledisc's function-free
   Datalog over constants.
2. Mines each target with the settings of the import's suggested ``ruledisc mine``
   command, through the Python API: ``negatives`` and ``background`` from the import,
   ``max_body = min(bias.max_body or --max-body or 3, 6)``, ``max_vars = min(bias.max_vars
   or --max-vars, 10)`` (or the default), ``recursion`` ``auto`` when ``bias.pl`` enables it (else ``off``),
   ``invention`` ``on`` when it enables predicate invention (else ``auto``),
   ``dry_run=True``, ``seed``.
3. Writes the result as a rules file and scores it with ``ruledisc.evaluate`` against the
   positive and negative examples: TN = #neg - FP, accuracy = (TP + TN) / (#pos + #neg).
   A task is *solved* when the accuracy is 1.0 (Popper's notion: a program consistent with
   every example). A task without ``neg`` examples has #neg = 0, so its accuracy is
   TP / #pos (the extra atoms the rules derive count against nothing, as in Popper;
   they are recorded as ``fp``). Without ``--split`` the examples scored are the ones mined from, so the
   accuracy is *training* accuracy; that is how Popper's papers report these tasks, which
   come without a train/test split. With ``--split 0.7`` a seeded 30% of the positives and
   of the negatives is held out: the rules are mined from a copy of the database without
   those rows and scored on the held-out rows only (test accuracy).

    python benchmarks/popper.py                               # every folder in --data
    python benchmarks/popper.py --tasks kinship-pi,trains1 --timeout 60
    python benchmarks/popper.py --split 0.7 --seed 1
    python benchmarks/popper.py --tasks trains1,trains2,trains3,trains4 --max-body 6 --max-vars 5
    python benchmarks/popper.py --summarise                   # table + JSON from the runs file

Each finished task is appended to ``benchmarks/out/popper_runs.jsonl`` (one JSON object a
line per target, or one for a task without a target) as soon as it ends; the old file is
kept as ``popper_runs.prev.jsonl``. A child killed after ``--timeout`` seconds is recorded
with status ``timeout`` and where it was (stage, mining phase). A run where ruledisc raised
while mining or scoring is ``error`` with the message. The table is printed and written,
with the runs, to ``benchmarks/out/popper.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from runlib import Snapshot, err_text, killed_at, peak_mib, quote_ident, read_runs, run_child, write_json  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path("/work/shared/data/popper")
DEFAULT_OUT = HERE / "out" / "popper.json"
DEFAULT_RUNS = HERE / "out" / "popper_runs.jsonl"
RULE_CHARS = 60


# --------------------------------------------------------------------------- pure helpers


def accuracy(tp: int, fp: int, n_pos: int, n_neg: int | None) -> tuple[int, float | None]:
    """(TN, accuracy) from the evaluation counts. A task without negative examples has
    #neg = 0 and TN = 0, as in Popper (accuracy = TP / #pos); ``fp`` then counts derived
    atoms outside the positives (ruledisc's closed world) and is not an error here."""
    if n_neg is None:
        return 0, (tp / n_pos if n_pos else None)
    tn = n_neg - fp
    return tn, (tp + tn) / (n_pos + n_neg) if n_pos + n_neg else None


def mine_settings(bias: Any, max_body: int | None = None, max_vars: int | None = None) -> dict[str, Any]:
    """The ``ruledisc.mine`` options matching the import's suggested command;
    ``max_body``/``max_vars`` stand in where ``bias.pl`` sets none."""
    if bias is None:  # no bias.pl: the import suggests the defaults, recursion allowed
        return {"max_body": max_body or 3, "max_vars": max_vars, "recursion": "auto", "invention": "auto"}
    return {"max_body": min(bias.max_body or max_body or 3, 6),
            "max_vars": min(bias.max_vars or max_vars or 10, 10) if bias.max_vars or max_vars else None,
            "recursion": "auto" if bias.recursion else "off",
            "invention": "on" if bias.invention else "auto"}


def split_rows(n: int, keep: float, seed: int) -> list[int]:
    """Indices (0..n-1, sorted) of the rows held out: round((1 - keep)·n) drawn with a seeded rng."""
    import numpy as np

    k = int(round((1.0 - keep) * n))
    return sorted(int(i) for i in np.random.default_rng(seed).choice(n, size=k, replace=False))


def shorten(text: str | None, width: int = RULE_CHARS) -> str:
    if not text:
        return "-"
    return text if len(text) <= width else text[:width - 1] + "…"


def _fmt(v: Any, digits: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _label(r: dict[str, Any], multi: set[str]) -> str:
    return f"{r['task']}:{r['target']}" if r["task"] in multi and r.get("target") else r["task"]


def format_table(runs: list[dict[str, Any]]) -> str:
    """One row per run (task, or task:target where a task has several)."""
    counts: dict[str, int] = {}
    for r in runs:
        counts[r["task"]] = counts.get(r["task"], 0) + 1
    multi = {t for t, n in counts.items() if n > 1}
    acc_name = "test_acc" if any(r.get("split") for r in runs) else "train_acc"
    header = ["task", "status", "pos/neg", "rules", acc_name, "solved", "secs", "peak_MiB"]
    rows = []
    for r in runs:
        if r["status"] == "ok":
            rules = r.get("rules") or []
            first = shorten(rules[0]) if rules else "(no rule)"
            more = len(rules) - 1 + len(r.get("invented_rules") or [])
            what = first + (f" (+{more})" if more > 0 else "")
        else:
            what = shorten(r.get("reason") or r.get("error"), RULE_CHARS + 10)
        pn = f"{r['n_pos']}/{_fmt(r.get('n_neg'))}" if r.get("n_pos") is not None else "-"
        rows.append([_label(r, multi), r["status"], pn, what, _fmt(r.get("accuracy"), 3),
                     _fmt(r.get("solved")) if r["status"] == "ok" else "-",
                     _fmt(r.get("mine_s")) if r.get("mine_s") is not None
                     else f">{r['wall_s']:.0f}" if r["status"] == "timeout" and r.get("wall_s") else "-",
                     _fmt(r.get("peak_mib"), 0)])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    left = {0, 1, 3, 5}

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(row) for row in rows])


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    by: dict[str, int] = {}
    for r in runs:
        by[r["status"]] = by.get(r["status"], 0) + 1
    ok = [r for r in runs if r["status"] == "ok"]
    return {"runs": len(runs), "tasks": len({r["task"] for r in runs}), "by_status": by,
            "solved": sorted(_label(r, set()) for r in ok if r.get("solved")),
            "not_solved": sorted(r["task"] for r in ok if not r.get("solved")),
            "do_not_fit": {r["task"]: r.get("reason") for r in runs if r["status"] in ("not_imported", "no_target")}}


# --------------------------------------------------------------------------- child


def _distinct_rows(con: Any, table: str | None) -> int | None:
    if table is None:
        return None
    q = f"SELECT count(*) FROM (SELECT DISTINCT * FROM {quote_ident(table)})"
    return int(con.execute(q).fetchone()[0])


def _make_split(db: Path, train: Path, test: Path, target: Any, keep: float, seed: int) -> dict[str, Any]:
    """``train`` and ``test``: copies of ``db``; the held-out rows of the target (and of its
    negatives) are deleted from ``train`` and are the only ones left in ``test``."""
    import duckdb
    import polars as pl

    shutil.copyfile(db, train)
    shutil.copyfile(db, test)
    info: dict[str, Any] = {"keep": keep}
    tables = [("pos", target.table)] + ([("neg", target.negatives)] if target.negatives else [])
    held: dict[str, list[int]] = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        for i, (side, table) in enumerate(tables):
            rids = [r[0] for r in con.execute(f"SELECT rowid FROM {quote_ident(table)} ORDER BY rowid").fetchall()]
            idx = split_rows(len(rids), keep, seed * 1000 + i)
            held[table] = [rids[j] for j in idx]
            info[f"{side}_total"], info[f"{side}_held_out"] = len(rids), len(idx)
    finally:
        con.close()
    for path, op in ((train, "IN"), (test, "NOT IN")):
        con = duckdb.connect(str(path))
        try:
            for table, rids in held.items():
                con.register("__bench_held", pl.DataFrame({"rid": rids}, schema={"rid": pl.Int64}))
                con.execute(f"DELETE FROM {quote_ident(table)} WHERE rowid {op} (SELECT rid FROM __bench_held)")
                con.unregister("__bench_held")
            con.execute("CHECKPOINT")
        finally:
            con.close()
    return info


def _mine_target(t: Any, report: Any, db: Path, work: Path, args: argparse.Namespace,
                 state: Snapshot | None) -> dict[str, Any]:
    """Mine one target and score it; a failure is recorded in the returned dict, not raised."""
    import duckdb

    import ruledisc

    settings = mine_settings(report.bias, args.max_body, args.max_vars)
    out: dict[str, Any] = {"target": t.table, "predicate": t.predicate, "negatives": t.negatives,
                           "background": t.background, "command": t.command, "settings": settings,
                           "status": "ok", "solved": False}
    mine_db, eval_db = db, db
    try:
        if args.split:
            mine_db, eval_db = work / f"{t.table}.train.duckdb", work / f"{t.table}.test.duckdb"
            if state:
                state.set(stage="split", target=t.table)
            out["split"] = _make_split(db, mine_db, eval_db, t, args.split, args.seed)
        con = duckdb.connect(str(mine_db), read_only=True)
        try:
            out["train_pos"], out["train_neg"] = _distinct_rows(con, t.table), _distinct_rows(con, t.negatives)
        finally:
            con.close()
        if state:
            state.set(n_pos=out["train_pos"], n_neg=out["train_neg"])
        t0 = time.perf_counter()
        if state:
            state.set(stage="mine", target=t.table, mine_started=t0)
        try:
            res = ruledisc.mine(mine_db, target=t.table, negatives=t.negatives, background=t.background or None,
                                dry_run=True, seed=args.seed, reporter=state, **settings)
        finally:
            out["mine_s"] = round(time.perf_counter() - t0, 4)
        out["rules"] = [r.text for r in res.rules]
        out["invented_rules"] = [r.text() for i in res.invented for r in i.rules]
        out["train"] = {k: round(v, 6) for k, v in res.metrics.items()}
        out["training_errors"] = res.info.get("training_errors")
        out["info"] = res.info
        out["phases_s"] = {k: round(v, 4) for k, v in res.timings.items()}
        if state:
            state.set(stage="evaluate", rules=out["rules"])
        rules = work / f"{t.table}.rules.json"
        rules.write_text(res.to_json())
        t1 = time.perf_counter()
        ev = ruledisc.evaluate(eval_db, target=t.table, negatives=t.negatives, rules=rules)
        out["evaluate_s"] = round(time.perf_counter() - t1, 4)
        con = duckdb.connect(str(eval_db), read_only=True)
        try:
            n_pos, n_neg = _distinct_rows(con, t.table), _distinct_rows(con, t.negatives)
        finally:
            con.close()
        tp, fp, fn = ev["true_positives"], ev["false_positives"], ev["false_negatives"]
        tn, acc = accuracy(tp, fp, n_pos, n_neg)
        out.update(n_pos=n_pos, n_neg=n_neg, tp=tp, fp=fp, fn=fn, tn=tn,
                   accuracy=round(acc, 6) if acc is not None else None, solved=acc == 1.0,
                   eval={k: ev[k] for k in ("precision", "recall", "f1")})
    except Exception as err:  # recorded, not raised: a failing run is a result
        out["status"], out["error"] = "error", err_text(err)
        if out.get("n_pos") is None:
            out["n_pos"], out["n_neg"] = out.get("train_pos"), out.get("train_neg")
    return out


def child(args: argparse.Namespace) -> int:
    """One task: import, mine every target, score; write the list of result dicts."""
    import torch

    from ruledisc.popper import import_popper

    if args.threads:
        torch.set_num_threads(args.threads)
    task = Path(args.child)
    base: dict[str, Any] = {"task": task.name, "seed": args.seed, "split": args.split, "threads": args.threads}
    state = Snapshot(Path(args.snapshot), "import") if args.snapshot else None
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ruledisc-popper-") as tmp:
        work, db = Path(tmp), Path(tmp) / "out.duckdb"
        t0 = time.perf_counter()
        try:
            report = import_popper(task, db)
        except Exception as err:  # the task's files are not something ruledisc can read
            runs.append(dict(base, status="not_imported", reason=err_text(err),
                             import_s=round(time.perf_counter() - t0, 4)))
            report = None
        if report is not None:
            meta = {"import_s": round(time.perf_counter() - t0, 4), "import_peak_mib": peak_mib(),
                    "bias": None if report.bias is None else {
                        k: getattr(report.bias, k) for k in ("max_body", "max_vars", "max_clauses",
                                                             "recursion", "invention")},
                    "skipped": [f"{s.item}: {s.reason}" for s in report.skipped], "notes": report.notes,
                    "tables": len(report.tables)}
            if not report.targets:
                why = [s for s in meta["skipped"] if s.startswith("examples")] or report.notes or ["no target"]
                runs.append(dict(base, status="no_target", reason="; ".join(why), **meta))
            for t in report.targets:
                r = _mine_target(t, report, db, work, args, state)
                runs.append(dict(base, **meta, **r))
    if state:
        state.stop()
    peak = peak_mib()
    for r in runs:
        r["peak_mib"] = peak
    Path(args.result).write_text(json.dumps(runs, default=str))
    return 0


# --------------------------------------------------------------------------- parent

def _run_one(folder: Path, args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    result, snap = work / f"{folder.name}.json", work / f"{folder.name}.snapshot.json"
    for p in (result, snap):
        p.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(folder), "--seed", str(args.seed),
           "--result", str(result), "--snapshot", str(snap), "--threads", str(args.threads)]
    if args.split:
        cmd += ["--split", repr(args.split)]
    for flag, v in (("--max-body", args.max_body), ("--max-vars", args.max_vars)):
        if v is not None:
            cmd += [flag, str(v)]
    base = {"task": folder.name, "seed": args.seed, "split": args.split, "solved": False}
    status, wall, got = run_child(cmd, args.timeout, snap, result)
    if status == "timeout":
        out = dict(base, status="timeout", wall_s=wall)
        if got is None:
            return [dict(out, error=f"killed after {args.timeout:g}s")]
        out.update(snapshot=got, peak_mib=got.get("peak_mib"), target=got.get("target"), n_pos=got.get("n_pos"),
                   n_neg=got.get("n_neg"), error=killed_at(args.timeout, got, "stage", "target", "phase"))
        return [out]
    if status == "crash":
        return [dict(base, status="crash", wall_s=wall, **got)]
    for r in got:
        r["wall_s"] = wall
    return got


def _report(runs: list[dict[str, Any]], out: Path, runs_path: Path, config: dict[str, Any]) -> None:
    print(format_table(runs))
    summary = summarise(runs)
    print(f"\n{summary['runs']} runs over {summary['tasks']} tasks: "
          + ", ".join(f"{n} {s}" for s, n in sorted(summary["by_status"].items()))
          + f"; solved {len(summary['solved'])}")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_json(out, {"config": config, "runs_file": str(runs_path), "summary": summary, "runs": runs})
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="folder of Popper task folders")
    ap.add_argument("--tasks", help="comma-separated task folder names (default: all)")
    ap.add_argument("--seed", type=int, default=0, help="mining seed (and split seed)")
    ap.add_argument("--split", type=float, default=None,
                    help="share of pos and of neg examples to mine from (e.g. 0.7); the rest is the test set")
    ap.add_argument("--max-body", type=int, default=None, help="body literals where bias.pl sets no max_body")
    ap.add_argument("--max-vars", type=int, default=None, help="variables where bias.pl sets no max_vars")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per task")
    ap.add_argument("--threads", type=int, default=None, help="torch threads in the child (default: CPUs)")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="JSON summary path")
    ap.add_argument("--runs", default=str(DEFAULT_RUNS), help="JSONL file of runs")
    ap.add_argument("--summarise", action="store_true", help="only print and write the table from the runs file")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--snapshot", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.split is not None and not 0.0 < args.split < 1.0:
        ap.error(f"--split must be between 0 and 1, got {args.split}")
    if args.child:
        return child(args)

    runs_path, out_path = Path(args.runs), Path(args.out)
    if args.summarise:
        runs = read_runs(runs_path)
        if not runs:
            print(f"no runs in {runs_path}", file=sys.stderr)
            return 1
        _report(runs, out_path, runs_path, {"summarise": True})
        return 0

    data = Path(args.data)
    if not data.is_dir():
        ap.error(f"--data {str(data)!r} is not a folder")
    folders = sorted(p for p in data.iterdir() if p.is_dir() and not p.name.startswith("."))
    if args.tasks:
        wanted = [t.strip() for t in args.tasks.split(",") if t.strip()]
        unknown = [t for t in wanted if not (data / t).is_dir()]
        if unknown:
            ap.error(f"unknown task(s) {', '.join(unknown)}; known: {', '.join(p.name for p in folders)}")
        folders = [data / t for t in wanted]
    args.threads = args.threads or max(1, os.cpu_count() or 1)
    runs_path.parent.mkdir(parents=True, exist_ok=True)
    if runs_path.exists():
        os.replace(runs_path, runs_path.with_name(runs_path.stem + ".prev" + runs_path.suffix))
    runs_path.write_text("")
    print(f"{len(folders)} tasks from {data}, timeout {args.timeout:g}s, {args.threads} threads",
          file=sys.stderr, flush=True)
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ruledisc-popper-") as work:
        for i, folder in enumerate(folders, 1):
            got = _run_one(folder, args, Path(work))
            with runs_path.open("a") as f:
                for r in got:
                    f.write(json.dumps(r, default=str) + "\n")
            runs += got
            for r in got:
                tail = "" if r["status"] == "ok" else f"  {shorten(r.get('reason') or r.get('error'), 100)}"
                print(f"[{time.strftime('%H:%M:%S')}] {i}/{len(folders)} {r['task']:<20} {r['status']:<12} "
                      f"acc {_fmt(r.get('accuracy'), 3):>5} {_fmt(r.get('mine_s', r.get('wall_s')))}s "
                      f"{_fmt(r.get('peak_mib'), 0)} MiB{tail}", file=sys.stderr, flush=True)
    config = {"data": str(data), "tasks": [p.name for p in folders], "seed": args.seed, "split": args.split,
              "timeout": args.timeout, "threads": args.threads, "cpus": os.cpu_count()}
    _report(runs, out_path, runs_path, config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
