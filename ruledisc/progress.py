"""Phase timers and progress reporting (a rich display on stderr for the CLI)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Reporter(Protocol):
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
        finally:
            dt = time.perf_counter() - t
            self.timings[f"{name}_s"] = self.timings.get(f"{name}_s", 0.0) + dt
            self.reporter.done(name, dt)

    def note(self, message: str) -> None:
        self.reporter.note(message)

    def total(self) -> float:
        self.timings["total_s"] = time.perf_counter() - self.t0
        return self.timings["total_s"]
