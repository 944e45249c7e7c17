"""``kill -9`` during ``mine`` and ``apply``: the database opens, and holds either the old or
the new rules of the target being written, never a mix, while every other target's rules
and views stay exactly as they were.

A database stores three targets: A = ``t.flag`` (the one rewritten), B = ``t.other`` and
C = the ``.dl`` head ``near``. The labels of A are then changed so that a new run finds
other rules (two instead of one). Each trial copies that database, starts ``ruledisc mine``
(or ``apply`` of a ``.dl`` file) for A as a separate process and SIGKILLs it: at fractions
of a full run's time, and just as DuckDB's ``.wal`` appears (write-back has committed or is
committing) and a few milliseconds later (the checkpoint into the database file).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from clihelp import invoke

from ruledisc.names import owns

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("ruledisc")   # the installed console script

WORLD = """
CREATE TABLE kind (id INTEGER PRIMARY KEY, k VARCHAR);
INSERT INTO kind SELECT i, ['a', 'b', 'c', 'd'][i % 4 + 1] FROM range(40) r(i);
CREATE TABLE t (id INTEGER PRIMARY KEY REFERENCES kind (id), flag BOOLEAN, other BOOLEAN);
INSERT INTO t SELECT id, k = 'a', k = 'b' FROM kind;
"""
# A's labels after the store was written: a new run learns two rules
RELABEL = "UPDATE t SET flag = id IN (SELECT id FROM kind WHERE k IN ('a', 'c'))"
A, B, C = "t.flag", "t.other", "near"
FAST = ("--max-body", "1", "--epochs", "40", "--quiet", "--background", "kind")
C_RULES = "near(X) :- kind.k(X, d).\n"
A_RULES_DL = "t.flag(X) :- kind.k(X, b).\nt.flag(X) :- kind.k(X, d).\n"   # what `apply` writes for A


@dataclass(frozen=True)
class Target:
    """One target as stored: rule texts, and the rows of each view it owns."""

    rules: tuple[str, ...]
    views: tuple[tuple[str, tuple[tuple, ...]], ...]


def store(db: Path) -> dict[str, Target]:
    """Every stored target of ``ruledisc``: its rules, and its views with their rows. Opening the
    file read-write replays a ``.wal`` a killed process left, as any later user would."""
    con = duckdb.connect(str(db))
    try:
        rows = con.execute("SELECT target, rule_text FROM ruledisc.rules ORDER BY target, rule_no").fetchall()
        views = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE "
                                           "table_schema = 'ruledisc' AND table_type = 'VIEW'").fetchall()]
        content = {v: tuple(con.execute(f'SELECT * FROM ruledisc."{v}" ORDER BY ALL').fetchall()) for v in views}
    finally:
        con.close()
    targets = sorted({t for t, _ in rows})
    unowned = [v for v in views if not any(owns(t, v) for t in targets)]
    assert not unowned, f"views no stored target owns: {unowned}"
    return {t: Target(tuple(text for tt, text in rows if tt == t),
                      tuple(sorted((v, content[v]) for v in views if owns(t, v)))) for t in targets}


def user_data(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {n: con.execute(f'SELECT * FROM main."{n}" ORDER BY ALL').fetchall()
                for n in ("kind", "t")}
    finally:
        con.close()


def _ok(*args: str) -> None:
    r = invoke(*args)
    assert r.exit_code == 0, f"ruledisc {' '.join(args)}: {r.stderr}"


@dataclass
class Setup:
    template: Path
    old: dict[str, Target]
    data: dict[str, list[tuple]]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    root = tmp_path_factory.mktemp("crash")
    db = root / "template.duckdb"
    con = duckdb.connect(str(db))
    con.execute(WORLD)
    con.close()
    _ok("mine", str(db), "--target", A, *FAST)
    _ok("mine", str(db), "--target", B, *FAST)
    (root / "c.dl").write_text(C_RULES)
    _ok("apply", str(root / "c.dl"), str(db))
    con = duckdb.connect(str(db))
    con.execute(RELABEL)
    con.close()
    old = store(db)
    assert old[A].rules == ("t.flag(X) :- kind.k(X, a).",)
    assert set(old) == {A, B, C}
    return Setup(db, old, user_data(db))


def _command(kind: str, db: Path) -> list[str]:
    if kind == "mine":
        return [str(SCRIPT), "mine", str(db), "--target", A, *FAST]
    dl = db.with_suffix(".dl")
    dl.write_text(A_RULES_DL)
    return [str(SCRIPT), "apply", str(dl), str(db)]


def _fresh(s: Setup, root: Path, name: str) -> Path:
    db = root / f"{name}.duckdb"
    shutil.copyfile(s.template, db)
    return db


def _full_run(s: Setup, root: Path, kind: str) -> tuple[float, Target]:
    """An uninterrupted run: its wall time and A's new state."""
    db = _fresh(s, root, f"{kind}-full")
    t0 = time.monotonic()
    p = subprocess.run(_command(kind, db), capture_output=True, text=True, cwd=ROOT, timeout=120)
    took = time.monotonic() - t0
    assert p.returncode == 0, p.stderr
    new = store(db)
    assert new[A] != s.old[A]
    assert {k: v for k, v in new.items() if k != A} == {k: v for k, v in s.old.items() if k != A}
    return took, new[A]


def _kill_at(cmd: list[str], db: Path, delay: float | None, after_wal: float | None) -> str:
    """Start ``cmd``; SIGKILL it ``delay`` s after the start, or ``after_wal`` s after ``<db>.wal``
    first appears. Returns how it ended: killed, or finished first."""
    wal = Path(str(db) + ".wal")
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    t0 = time.monotonic()
    try:
        while p.poll() is None:
            if delay is not None and time.monotonic() - t0 >= delay:
                break
            if after_wal is not None and wal.exists():
                time.sleep(after_wal)
                break
            time.sleep(0.0005)
        if p.poll() is not None:
            err = p.stderr.read().decode() if p.stderr else ""
            assert p.returncode == 0, err
            return "finished"
        p.kill()
        p.wait(timeout=30)
        return "killed"
    finally:
        if p.poll() is None:   # only on a failure above: never leave it running
            p.kill()
            p.wait(timeout=30)
        if p.stderr:
            p.stderr.close()


def _check(s: Setup, db: Path, new: Target, label: str) -> str:
    """The database after a kill: opens, `ruledisc rules` works, A is wholly old or wholly new,
    every other target and the user's tables as before. Returns "old" or "new"."""
    got = store(db)
    r = invoke("rules", str(db), "--json")
    assert r.exit_code == 0 and "Traceback" not in r.stderr, f"{label}: rules failed: {r.stderr}"
    assert got.get(A) in (s.old[A], new), f"{label}: target A is neither old nor new: {got.get(A)}"
    assert {k: v for k, v in got.items() if k != A} == {k: v for k, v in s.old.items() if k != A}, \
        f"{label}: another target changed"
    a = got[A]
    assert [v for v, _ in a.views] == sorted([A] + [f"{A}#r{k}" for k in range(1, len(a.rules) + 1)]), \
        f"{label}: A's views do not match its {len(a.rules)} rules: {[v for v, _ in a.views]}"
    assert user_data(db) == s.data, f"{label}: user tables changed"
    return "old" if a == s.old[A] else "new"


@pytest.mark.parametrize("kind", ["mine", "apply"])
def test_kill_during_write_back_leaves_old_or_new(setup: Setup, tmp_path: Path, kind: str) -> None:
    took, new = _full_run(setup, tmp_path, kind)
    rng = random.Random(16)
    # (label, seconds after start, seconds after the .wal appears)
    points: list[tuple[str, float | None, float | None]] = [
        ("10%", 0.1 * took, None), ("50%", 0.5 * took, None), ("90%", 0.9 * took, None),
        ("random", rng.uniform(0.8, 1.0) * took, None),
        *((f"wal+{ms}ms", None, ms / 1000) for ms in (0, 0.5, 1, 2, 5, 10, 30)),
    ]
    if kind == "apply":   # apply is mostly start-up; its write-back is what matters
        points = [p for p in points if p[0] != "random"]
    outcomes = {}
    for i, (label, delay, after_wal) in enumerate(points):
        db = _fresh(setup, tmp_path, f"{kind}-{i}")
        ended = _kill_at(_command(kind, db), db, delay, after_wal)
        outcomes[label] = (ended, _check(setup, db, new, f"{kind} killed at {label}"))
    # the trials are not vacuous: a kill early in the run keeps the old rules
    assert outcomes["10%"] == ("killed", "old"), outcomes
    print(f"\n{kind}: {outcomes}", file=sys.stderr)


def test_store_survives_kill_then_next_run(setup: Setup, tmp_path: Path) -> None:
    """After a kill in write-back, the next run writes the new rules cleanly."""
    db = _fresh(setup, tmp_path, "again")
    _kill_at(_command("mine", db), db, None, 0.0)
    _ok("mine", str(db), "--target", A, *FAST)
    got = store(db)
    assert len(got[A].rules) == 2 and got[A] != setup.old[A]
    assert {k: v for k, v in got.items() if k != A} == {k: v for k, v in setup.old.items() if k != A}
    assert user_data(db) == setup.data
