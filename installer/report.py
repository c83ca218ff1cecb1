"""What the technician sees: each step named as it runs, progress for long ones, a verdict.

On a terminal this is rich output with colours and live progress bars; without one (a script,
a pipe, a log collector) the same words come as plain lines, and progress as a few lines at
set fractions rather than a redrawn bar. Every step also goes to the installer's log.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from installer.steps import Colour, StepFailed
from shared.logs import get_logger

log = get_logger("sgpos.installer")

_STYLE = {Colour.GREEN: "green", Colour.AMBER: "yellow", Colour.RED: "red"}
_WORD = {Colour.GREEN: "GREEN", Colour.AMBER: "AMBER", Colour.RED: "RED"}
# Plain output reports a long step at these fractions done, not on every page.
_PLAIN_MARKS = (0.25, 0.5, 0.75)

Advance = Callable[..., None]


class Report:
    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet  # doctor --json: nothing but the JSON on stdout

    @classmethod
    def create(cls, *, quiet: bool = False, file: TextIO | None = None) -> Report:
        out = file or sys.stdout
        return cls(Console(file=out, highlight=False, soft_wrap=True), quiet=quiet)

    @property
    def live(self) -> bool:
        return self.console.is_terminal

    def _print(self, text: str, style: str | None = None) -> None:
        if not self.quiet:
            self.console.print(escape(text), style=style if self.live else None)

    # --- steps --------------------------------------------------------------------------

    @contextmanager
    def step(self, name: str) -> Iterator[StepNote]:
        """Announce ``name``; say it is done, or that it failed and why, when the block ends."""
        self._print(f"» {name} …" if self.live else f"{name} ...", "bold")
        log.info("step.started", step=name)
        note = StepNote()
        try:
            yield note
        except StepFailed as exc:
            self._print(f"  ✘ {exc.problem}" if self.live else f"  FAILED: {exc.problem}", "red")
            log.warning("step.failed", step=name, problem=exc.problem)
            raise
        except Exception as exc:
            self._print(f"  ✘ {exc}" if self.live else f"  FAILED: {exc}", "red")
            log.exception("step.crashed", step=name)
            raise
        done = note.text or "done"
        self._print(f"  ✔ {done}" if self.live else f"  ok: {done}", "green")
        log.info("step.done", step=name, result=done)

    def info(self, text: str) -> None:
        self._print(f"  {text}")

    def warn(self, text: str) -> None:
        self._print(f"  ! {text}", "yellow")
        log.warning("installer.warning", text=text)

    @contextmanager
    def progress(self, what: str, total: int | None = None) -> Iterator[Advance]:
        """A bar (or, with ``total`` unknown, a counter) for a long step. The block gets
        ``advance(n, total=None)``."""
        if self.quiet:
            yield _ignore
            return
        if self.live:
            # A bar that pulses until the total is known (a pull does not say how much is left).
            columns: list[Any] = [
                SpinnerColumn(),
                TextColumn("  {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            ]
            with Progress(*columns, console=self.console, transient=True) as bar:
                task = bar.add_task(what, total=total)

                def advance(n: float = 1, total: float | None = None) -> None:
                    bar.update(task, advance=n, total=total)

                yield advance
            return
        yield _PlainProgress(self, what, total).advance

    # --- the end ------------------------------------------------------------------------

    def verdict(self, colour: Colour, text: str, fix: str | None = None) -> None:
        word = {Colour.GREEN: "DONE", Colour.AMBER: "DONE, WITH WARNINGS", Colour.RED: "FAILED"}
        self._print("")
        self._print(f"{word[colour]}: {text}", f"bold {_STYLE[colour]}")
        if fix:
            self._print(f"What to do: {fix}", _STYLE[colour])
        log.info("installer.verdict", colour=colour.value, text=text, fix=fix)

    def table(self, rows: list[tuple[Colour, str, str, str | None]]) -> None:
        """Doctor's checks: colour, name, what was found, and the fix when not green."""
        width = max((len(name) for _, name, _, _ in rows), default=0)
        for colour, name, found, fix in rows:
            mark = f"[{_WORD[colour]:<5}]"
            self._print(f"{mark} {name:<{width}}  {found}", _STYLE[colour])
            if fix and colour is not Colour.GREEN:
                self._print(f"        {'':<{width}}  → {fix}", _STYLE[colour])


class StepNote:
    """What a step found, shown on its 'done' line."""

    def __init__(self) -> None:
        self.text: str | None = None

    def __call__(self, text: str) -> None:
        self.text = text


class _PlainProgress:
    def __init__(self, report: Report, what: str, total: int | None) -> None:
        self.report, self.what, self.total = report, what, total
        self.done = 0.0
        self.marks = list(_PLAIN_MARKS)
        self.last_line = time.monotonic()

    def advance(self, n: float = 1, total: float | None = None) -> None:
        self.done += n
        if total is not None:
            self.total = int(total)
        if self.total:
            fraction = self.done / self.total
            while self.marks and fraction >= self.marks[0]:
                self.report.info(f"{self.what}: {self.marks.pop(0):.0%}")
        elif time.monotonic() - self.last_line >= 5:  # unknown total: a line every 5 s
            self.last_line = time.monotonic()
            self.report.info(f"{self.what}: {self.done:,.0f} so far")


def _ignore(n: float = 1, total: float | None = None) -> None:
    return None
