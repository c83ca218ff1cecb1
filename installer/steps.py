"""What every installer command shares: its exit codes and the ways a step can fail.

A step that cannot be done raises :class:`StepFailed` with the problem in plain words and what
to do next; the command line turns it into the final verdict and the exit code. ``Refused``
is the same, for a precondition that does not hold: nothing at all was changed.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Exit(IntEnum):
    """The installer's exit codes (docs/installing.md lists them for scripts)."""

    OK = 0  # done; every check green
    WARNINGS = 1  # done, but something needs attention (a doctor check is amber)
    FAILED = 2  # not done, or a doctor check is red; the message says what to do
    INTERRUPTED = 130  # Ctrl-C


class Colour(StrEnum):
    """A check's result, worst last so ``max`` finds the worst."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def rank(self) -> int:
        return (Colour.GREEN, Colour.AMBER, Colour.RED).index(self)

    @property
    def exit(self) -> Exit:
        return (Exit.OK, Exit.WARNINGS, Exit.FAILED)[self.rank]


def worst(colours: list[Colour]) -> Colour:
    return max(colours, key=lambda c: c.rank, default=Colour.GREEN)


class StepFailed(Exception):
    """A step could not be done: ``problem`` says what and why, ``fix`` what to do next."""

    def __init__(self, problem: str, fix: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


class Refused(StepFailed):
    """A precondition does not hold; nothing was changed."""
