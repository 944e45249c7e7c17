"""Shared by the benchmark scripts: child-process snapshots, peak memory, JSON and
JSONL files, SQL identifier quoting."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

SNAPSHOT_EVERY_S = 2.0


def quote_ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (DuckDB / standard SQL)."""
    return '"' + name.replace('"', '""') + '"'


def peak_mib() -> float | None:
    try:
        m = re.search(r"^VmHWM:\s+(\d+)\s+kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    except OSError:
        return None
    return round(int(m.group(1)) / 1024, 1) if m else None


def err_text(err: BaseException) -> str:
    s = str(err)
    return f"{type(err).__name__}: {s.splitlines()[0] if s else ''}"


def write_json(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str))
    os.replace(tmp, path)


def read_runs(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    runs = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line:
            try:
                runs.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut short by an interruption
                continue
    return runs


class Snapshot:
    """Where a run is (stage, mining phase, latest note, peak memory so far), written every
    ``SNAPSHOT_EVERY_S`` seconds so that the parent can tell where a run it killed was.
    Doubles as the mining ``reporter``."""

    def __init__(self, path: Path, stage: str = "build") -> None:
        self.path, self.t0 = path, time.perf_counter()
        self.state: dict[str, Any] = {"stage": stage}
        self._stop = threading.Event()
        threading.Thread(target=self._loop, daemon=True).start()

    def set(self, **kw: Any) -> None:
        self.state.update(kw)

    def start(self, phase: str) -> None:
        self.state["phase"] = phase

    def note(self, message: str) -> None:
        self.state["note"] = message

    def done(self, phase: str, seconds: float) -> None:
        self.state.setdefault("phases_s", {})[phase] = round(seconds, 3)

    def write(self) -> None:
        now = time.perf_counter()
        s = dict(self.state, elapsed_s=round(now - self.t0, 1), peak_mib=peak_mib())
        if "mine_started" in s:
            s["mine_elapsed_s"] = round(now - s.pop("mine_started"), 1)
        write_json(self.path, s)

    def _loop(self) -> None:
        while not self._stop.wait(SNAPSHOT_EVERY_S):
            try:
                self.write()
            except (OSError, ValueError, TypeError, RuntimeError):  # a snapshot never kills the run
                pass

    def stop(self) -> None:
        self._stop.set()


def run_child(cmd: list[str], timeout: float, snap: Path, result: Path) -> tuple[str, float, Any]:
    """Run one benchmark child. Returns (status, wall seconds, payload): ``ok`` with the
    result JSON, ``timeout`` with the last snapshot (or None), ``crash`` with the fields
    describing the failure (returncode, error, stderr_tail)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, check=False, timeout=timeout, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        wall = round(time.perf_counter() - t0, 2)
        try:
            return "timeout", wall, json.loads(snap.read_text())
        except (OSError, ValueError):
            return "timeout", wall, None
    wall = round(time.perf_counter() - t0, 2)
    if proc.returncode != 0 or not result.exists():
        lines = (proc.stderr or "").strip().splitlines()
        return "crash", wall, {"returncode": proc.returncode, "error": lines[-1] if lines else f"exit {proc.returncode}",
                               "stderr_tail": "\n".join(lines[-25:])}
    return "ok", wall, json.loads(result.read_text())


def killed_at(timeout: float, s: dict[str, Any], *keys: str) -> str:
    """``killed after Ns in <stage ...> (note)`` from a snapshot."""
    where = " ".join(str(s[k]) for k in keys if s.get(k))
    return f"killed after {timeout:g}s in {where}" + (f" ({s['note']})" if s.get("note") else "")
