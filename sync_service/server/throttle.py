"""Slowing down whoever guesses enrolment codes.

A code is 12 characters from a 32-letter alphabet and lives 48 hours, so guessing is hopeless
anyway; the throttle keeps it that way and keeps the noise out of the database. It is
per-process and in memory: with several server instances behind a load balancer each counts on
its own, so the effective limit is N times the instance count, which is still far too slow to
matter. Behind a proxy every client has the proxy's address: set the limit with that in mind.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 60.0
_SWEEP_AT = 4096  # addresses remembered before stale ones are swept out


class FailureThrottle:
    """At most ``limit`` failures per address in any ``window_s`` seconds."""

    def __init__(
        self,
        limit: int,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window_s, self._clock = limit, window_s, clock
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.limit

    def wait_s(self, address: str) -> float:
        """Seconds until ``address`` may try again; 0 when it may now."""
        times = self._recent(address)
        if len(times) < self.limit:
            return 0.0
        return max(0.0, times[-self.limit] + self.window_s - self._clock())

    def record_failure(self, address: str) -> None:
        if len(self._failures) >= _SWEEP_AT:
            for known in list(self._failures):
                self._recent(known)  # forgets an address whose failures have all expired
        self._failures.setdefault(address, deque()).append(self._clock())

    def _recent(self, address: str) -> deque[float]:
        times = self._failures.get(address)
        if times is None:
            return deque()
        cutoff = self._clock() - self.window_s
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._failures[address]
        return times
