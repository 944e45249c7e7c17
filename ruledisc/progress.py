"""Phase timers and progress reporting (a rich display on stderr for the CLI), and the
CLI's one-line report of a Ctrl-C that arrives before any command runs.

Standard library only: this module is imported before the heavy dependencies load.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Protocol

INTERRUPTED = "interrupted; the database is unchanged"
STORED = "interrupted after the rules were stored (the database holds the new rules)"
_commits = [0]   # write-back transactions this process committed (Engine.transaction)


def committed() -> None:
    """Called by the engine after a COMMIT: an interrupt from now on must not say "unchanged"."""
    _commits[0] += 1


def new_command() -> None:
    """A command starts: nothing of it is committed yet."""
    _commits[0] = 0


def interrupted() -> str:
    """The one line for a Ctrl-C: the database is unchanged, unless a write-back committed."""
    return STORED if _commits[0] else INTERRUPTED
INTERRUPT_EXIT = 130   # 128 + SIGINT, what a shell reports for a Ctrl-C


class Reporter(Protocol):
    """Told when a phase starts and ends; may also define ``abort(phase, seconds)``, called
    instead of ``done`` when the phase raised (default: ``done`` is called either way)."""

    def start(self, phase: str) -> None: ...
    def note(self, message: str) -> None: ...
    def done(self, phase: str, seconds: float) -> None: ...


class Silent:
    def start(self, phase: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def done(self, phase: str, seconds: float) -> None:
        pass


class RichReporter:
    """A spinner per phase on stderr, then one line with its time."""

    def __init__(self) -> None:
        from rich.console import Console
        self.console = Console(stderr=True)
        self._status = None

    def start(self, phase: str) -> None:
        self._status = self.console.status(f"{phase} ...")
        self._status.start()

    def note(self, message: str) -> None:
        if self._status is not None:
            self._status.update(message)

    def done(self, phase: str, seconds: float) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        self.console.print(f"[green]✓[/green] {phase} [dim]{seconds:.2f}s[/dim]", highlight=False)

    def abort(self, phase: str, seconds: float) -> None:
        """The phase failed: stop the spinner (and restore the cursor), print no tick."""
        if self._status is not None:
            self._status.stop()
            self._status = None


class Phases:
    """Times named phases; ``timings`` maps ``<phase>_s`` to seconds."""

    def __init__(self, reporter: Reporter | None = None):
        self.reporter = reporter or Silent()
        self.timings: dict[str, float] = {}
        self.t0 = time.perf_counter()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.reporter.start(name)
        t = time.perf_counter()
        try:
            yield
        except BaseException:
            self._record(name, t, getattr(self.reporter, "abort", self.reporter.done))
            raise
        self._record(name, t, self.reporter.done)

    def _record(self, name: str, t: float, report: Callable[[str, float], None]) -> None:
        dt = time.perf_counter() - t
        self.timings[f"{name}_s"] = self.timings.get(f"{name}_s", 0.0) + dt
        report(name, dt)

    def note(self, message: str) -> None:
        self.reporter.note(message)

    def total(self) -> float:
        self.timings["total_s"] = time.perf_counter() - self.t0
        return self.timings["total_s"]


def is_interrupt(err: BaseException | None) -> bool:
    """A Ctrl-C: a KeyboardInterrupt, also one that struck while a module loaded (an
    ImportError caused by it) or inside a DuckDB query (``RuntimeError: Query interrupted``
    or its ``InterruptException``), wrapped in ruledisc's errors or not."""
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, KeyboardInterrupt) or type(err).__name__ == "InterruptException" or (
                isinstance(err, RuntimeError) and str(err).startswith("Query interrupted")):
            return True
        err = err.__cause__ or err.__context__
    return False


def install_interrupt_hook() -> None:
    """Make an uncaught Ctrl-C end the process with one line ``error: interrupted; ...`` and
    exit code 130 instead of a traceback (it can strike while the heavy imports load, before
    any command and its error handler run). Interactive sessions keep the usual report."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if not is_interrupt(value) or hasattr(sys, "ps1") or sys.flags.interactive:
            previous(kind, value, tb)
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        try:
            sys.stderr.write(f"error: {interrupted()}\n")
            sys.stderr.flush()
        finally:
            os._exit(INTERRUPT_EXIT)   # the process was ending anyway; exit now, before more clean-up can fail

    if getattr(previous, "__qualname__", "") != hook.__qualname__:
        sys.excepthook = hook
