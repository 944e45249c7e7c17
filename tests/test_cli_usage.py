"""The CLI's usage contract beyond the library's own checks (SPEC.md, "Bad input").

typer's parsing errors, options that do not apply to the chosen mode, numeric ranges
the CLI checks itself, an unusable ``--out`` and Ctrl-C: each ends with exactly one
line ``error: ...`` on stderr, the right exit code, no traceback and the database
unchanged.
"""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clihelp import (
    USAGE,
    Unchanged,
    assert_error,
    invoke,
)

from ruledisc import cli
from ruledisc.kg_mine import KgOptions
from ruledisc.progress import INTERRUPTED, Phases, RichReporter, is_interrupt

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("ruledisc")   # the installed console script


# --------------------------------------------------------------------------- typer's parsing errors


@pytest.mark.parametrize("args, fragments", [
    (("mine", "{db}", "--target", "customers.churned", "--seed", "abc"), ("--seed", "valid integer", "'abc'")),
    (("mine", "{db}", "--target", "customers.churned", "--noise", "lots"), ("--noise", "'lots'")),
    (("mine", "{db}", "--target", "customers.churned", "--sed", "1"), ("no such option", "--sed")),
    (("mine", "{db}", "--target"), ("--target", "requires an argument")),
    (("mine", "{db}", "extra-argument", "--target", "customers.churned"), ("unexpected extra argument",)),
    (("explain", "{db}"), ("missing option", "--target")),
    (("mine",), ("missing argument", "db")),
    (("apply", "rules.json"), ("missing argument", "db")),
    (("frobnicate", "{db}"), ("no such command", "'frobnicate'")),
    (("--bogus", "mine"), ("no such option", "--bogus")),
])
def test_typer_usage_errors_are_one_line(shop: Path, args: tuple[str, ...], fragments: tuple[str, ...]) -> None:
    with Unchanged(shop):
        r = invoke(*(str(shop) if a == "{db}" else a for a in args))
        line = assert_error(r, USAGE, *fragments)
    assert "--help" in line            # says where to look
    assert "╭" not in r.stderr and "Usage:" not in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("args", [("--help",), ("mine", "--help"), ("eval", "--help"), ()])
def test_help_still_exits_zero(args: tuple[str, ...]) -> None:
    r = invoke(*args)
    assert r.exit_code == 0, r.stderr
    assert "Usage" in r.stdout
    assert "error:" not in r.stderr


def test_help_shows_the_library_defaults() -> None:
    """The defaults --help quotes are the ones the library applies (the CLI passes none on)."""
    from ruledisc.kg_run import rank_eval
    from ruledisc.pipeline import MineOptions
    mine_opts, kg_opts = MineOptions(), KgOptions()
    eval_defaults = {k: p.default for k, p in inspect.signature(rank_eval).parameters.items()}
    expected = {
        "max_body": mine_opts.max_body, "tnorm": mine_opts.tnorm, "epochs": mine_opts.epochs,
        "seed": mine_opts.seed, "recursion": mine_opts.recursion, "invention": mine_opts.invention,
        "noise": mine_opts.noise, "max_examples": mine_opts.max_examples, "min_confidence": kg_opts.min_confidence,
        "max_rules": kg_opts.max_rules, "kg_min_support": kg_opts.min_support, "split": eval_defaults["split"],
        "train_queries": eval_defaults["train_queries"],
    }
    assert cli.HELP_DEFAULTS == expected
    assert kg_opts.max_length == mine_opts.max_body and kg_opts.seed == mine_opts.seed


# --------------------------------------------------------------------------- options that do not apply


@pytest.mark.parametrize("args", [
    ("--min-confidence", "0.3"),
    ("--max-rules", "5"),
    ("--memory-limit", "1GB"),
])
def test_all_relations_options_refused_with_target(shop: Path, args: tuple[str, ...]) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "customers.churned", *args)
        assert_error(r, USAGE, args[0], "--all-relations", "--target")


@pytest.mark.parametrize("args", [
    ("--tnorm", "godel"), ("--negatives", "customers"), ("--key", "customer_id"), ("--background", "orders"),
    ("--exclude", "orders"), ("--recursion", "on"), ("--invention", "off"), ("--noise", "0.1"),
    ("--max-vars", "3"), ("--max-examples", "500"), ("--epochs", "10"),
])
def test_target_options_refused_with_all_relations(shop: Path, args: tuple[str, ...]) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--all-relations", *args)
        assert_error(r, USAGE, args[0], "--target", "--all-relations")


def test_every_refused_option_is_named(shop: Path) -> None:
    with Unchanged(shop):
        r = invoke("mine", shop, "--all-relations", "--epochs", "5", "--tnorm", "godel")
        assert_error(r, USAGE, "--tnorm", "--epochs", "apply only to --target")


@pytest.mark.parametrize("args, belongs_to", [
    (("--target", "customers.churned", "--split", "valid"), "--ranking"),
    (("--target", "customers.churned", "--train-queries", "10"), "--ranking"),
    (("--ranking", "--rules", "rules.json"), "--target"),
    (("--ranking", "--key", "customer_id"), "--target"),
    (("--ranking", "--negatives", "customers"), "--target"),
])
def test_eval_options_refused_in_the_other_mode(shop: Path, args: tuple[str, ...], belongs_to: str) -> None:
    option = next(a for a in args if a not in ("--target", "--ranking") and a.startswith("--"))
    with Unchanged(shop):
        r = invoke("eval", shop, *args)
        assert_error(r, USAGE, option, f"only to {belongs_to}")


# --------------------------------------------------------------------------- ranges the CLI checks


@pytest.mark.parametrize("args, fragment", [
    (("mine", "{db}", "--all-relations", "--min-support", "-5"), "at least 1, got -5"),
    (("mine", "{db}", "--all-relations", "--min-support", "0"), "at least 1, got 0"),
    (("mine", "{db}", "--all-relations", "--max-rules", "0"), "at least 1, got 0"),
    (("mine", "{db}", "--all-relations", "--min-confidence", "1.5"), "between 0.0 and 1.0"),
    (("mine", "{db}", "--all-relations", "--min-confidence", "nan"), "got nan"),
    (("mine", "{db}", "--all-relations", "--seed", "-1"), "got -1"),
    (("mine", "{db}", "--all-relations", "--seed", "99999999999999999999999"), "99999999999999999999999"),
    (("eval", "{db}", "--ranking", "--train-queries", "-1"), "at least 1, got -1"),
    (("eval", "{db}", "--ranking", "--train-queries", "0"), "at least 1, got 0"),
    (("mine", "{db}", "--target", "customers.churned", "--seed", "-5"), "got -5"),
    (("mine", "{db}", "--target", "customers.churned", "--seed", "99999999999999999999999"), "got 9999"),
    (("mine", "{db}", "--target", "customers.churned", "--epochs", "99999999999999999999999"), "at most 100000"),
    (("mine", "{db}", "--target", "customers.churned", "--min-support", "-5"), "at least 1, got -5"),
    (("mine", "{db}", "--target", "customers.churned", "--max-examples", "10"), "between 100"),
])
def test_out_of_range_numbers(shop: Path, args: tuple[str, ...], fragment: str) -> None:
    option = next(a for a in args if a.startswith("--") and a not in ("--all-relations", "--ranking", "--target"))
    with Unchanged(shop):
        r = invoke(*(str(shop) if a == "{db}" else a for a in args))
        assert_error(r, USAGE, option, fragment)


# --------------------------------------------------------------------------- --out checked before any work


@pytest.mark.parametrize("mode", [("--target", "customers.churned"), ("--all-relations",)])
@pytest.mark.parametrize("bad, fragment", [
    ("{folder}", "is a folder"),
    ("{folder}/missing/result.json", "does not exist"),
    ("{db}/result.json", "does not exist"),          # the parent is a file
    ("{db}", "is the database itself"),
])
def test_unusable_out_is_refused_before_work(shop: Path, mode: tuple[str, ...], bad: str, fragment: str) -> None:
    out = bad.format(folder=shop.parent, db=shop)
    with Unchanged(shop):
        r = invoke("mine", shop, *mode, "--out", out)
        assert_error(r, USAGE, "--out", out, fragment)


def test_out_probe_leaves_no_file_behind(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "nosuchtable", "--out", out)
        assert_error(r, 1, "'nosuchtable'")
    assert not out.exists()


def test_out_probe_keeps_an_existing_file(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    out.write_text('{"old": true}\n')
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "nosuchtable", "--out", out)
        assert_error(r, 1, "'nosuchtable'")
    assert out.read_text() == '{"old": true}\n'


# --------------------------------------------------------------------------- Ctrl-C inside a command


@pytest.mark.parametrize("raised", [
    KeyboardInterrupt(),
    RuntimeError("Query interrupted"),          # how DuckDB reports a Ctrl-C during a query
])
def test_interrupt_inside_a_command(monkeypatch: pytest.MonkeyPatch, shop: Path, raised: BaseException) -> None:
    from ruledisc import pipeline

    def interrupted(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(pipeline, "mine", interrupted)
    with Unchanged(shop):
        r = invoke("mine", shop, "--target", "customers.churned")
    assert r.exit_code == 130, r.stderr
    assert r.stderr == f"error: {INTERRUPTED}\n"


def test_wrapped_interrupt_is_recognised() -> None:
    try:
        try:
            raise RuntimeError("Query interrupted")
        except RuntimeError as err:
            raise ValueError("wrapped") from err
    except ValueError as outer:
        assert is_interrupt(outer)
    assert not is_interrupt(RuntimeError("something else"))
    try:   # what a Ctrl-C while a C extension module loads becomes
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as err:
            raise ImportError("Encountered an error while initializing the extension.") from err
    except ImportError as outer:
        assert is_interrupt(outer)


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self, phase: str) -> None:
        self.calls.append(f"start {phase}")

    def note(self, message: str) -> None:
        pass

    def done(self, phase: str, seconds: float) -> None:
        self.calls.append(f"done {phase}")


class _Aborting(_Recorder):
    def abort(self, phase: str, seconds: float) -> None:
        self.calls.append(f"abort {phase}")


@pytest.mark.parametrize("reporter, last", [(_Recorder(), "done load"), (_Aborting(), "abort load")])
def test_failed_phase_reports_abort_when_the_reporter_can(reporter: _Recorder, last: str) -> None:
    ph = Phases(reporter)
    with pytest.raises(KeyboardInterrupt):
        with ph.phase("load"):
            raise KeyboardInterrupt
    assert reporter.calls == ["start load", last]
    assert "load_s" in ph.timings
    with ph.phase("score"):
        pass
    assert reporter.calls[-1] == "done score"


def test_rich_reporter_prints_no_tick_for_a_failed_phase(capsys: pytest.CaptureFixture[str]) -> None:
    rep = RichReporter()
    with pytest.raises(RuntimeError):
        with Phases(rep).phase("introspect"):
            raise RuntimeError("boom")
    assert rep._status is None
    assert "✓" not in capsys.readouterr().err


# --------------------------------------------------------------------------- the real console script


def _script(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          **kwargs)  # type: ignore[call-overload]


@pytest.mark.parametrize("args, fragment", [
    (("mine", "{db}", "--target", "customers.churned", "--seed", "abc"), "--seed"),
    (("explain", "{db}"), "--target"),
    (("mine", "{db}", "--target", "customers.churned", "--min-confidence", "0.5"), "--min-confidence"),
])
def test_console_script_usage_errors(shop: Path, args: tuple[str, ...], fragment: str) -> None:
    with Unchanged(shop):
        p = _script(*(str(shop) if a == "{db}" else a for a in args))
    assert p.returncode == USAGE, p.stderr
    assert "Traceback" not in p.stderr and "╭" not in p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], p.stderr
    assert p.stdout == ""


def test_console_script_help() -> None:
    for args in ((), ("--help",)):
        p = _script(*args)
        assert p.returncode == 0, p.stderr
        assert "Usage" in p.stdout and p.stderr == ""


def _wait_for_ruledisc(p: subprocess.Popen) -> None:
    """Until the process loads DuckDB's library, which ruledisc's own first imports do: before
    that it is still inside Python's start-up, whose Ctrl-C handling is Python's, not ruledisc's."""
    maps = Path(f"/proc/{p.pid}/maps")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and p.poll() is None:
        try:
            if "duckdb" in maps.read_text():
                return
        except OSError:
            return
        time.sleep(0.005)


@pytest.mark.parametrize("sig, delay", [
    (signal.SIGINT, 0.0),     # while ruledisc itself is imported (DuckDB's library just mapped)
    (signal.SIGINT, 0.2),
    (signal.SIGINT, 0.6),     # typer and the command's set-up
    (signal.SIGINT, 1.4),     # torch loading
    (signal.SIGTERM, 0.2),
    (signal.SIGTERM, 1.4),
])
def test_console_script_signal(family: Path, sig: signal.Signals, delay: float) -> None:
    """A signal at start-up ends the run quietly: Ctrl-C with one line and 130, SIGTERM silently."""
    with Unchanged(family):
        p = subprocess.Popen([str(SCRIPT), "mine", str(family), "--target", "grandmother", "--dry-run"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        _wait_for_ruledisc(p)
        time.sleep(delay)
        p.send_signal(sig)
        out, err = p.communicate(timeout=120)
    assert "Traceback" not in err and "Traceback" not in out, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(err.splitlines()) <= 1 and len(errors) <= 1, err
    if p.returncode == 0:       # it finished before the signal
        return
    if sig == signal.SIGINT:
        assert p.returncode == 130, (p.returncode, err)
        assert errors == [f"error: {INTERRUPTED}"]
    else:
        assert p.returncode == -signal.SIGTERM, (p.returncode, err)
        assert err == ""


def test_excepthook_turns_an_uncaught_interrupt_into_one_line() -> None:
    """What the console script relies on while its imports load: an uncaught Ctrl-C after
    ``install_interrupt_hook`` prints one line and exits 130."""
    code = ("from ruledisc.progress import install_interrupt_hook\n"
            "install_interrupt_hook()\n"
            "raise KeyboardInterrupt\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 130
    assert p.stderr == f"error: {INTERRUPTED}\n"


def test_an_interrupt_after_the_commit_does_not_say_unchanged() -> None:
    from ruledisc import progress
    progress.new_command()
    assert progress.interrupted() == INTERRUPTED
    progress.committed()
    assert "stored" in progress.interrupted() and "unchanged" not in progress.interrupted()
    progress.new_command()
    assert progress.interrupted() == INTERRUPTED
