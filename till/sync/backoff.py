"""How long to wait before trying head office again after a failure."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# 2**60 seconds is already far beyond any cap; the exponent stops growing there so a till that
# stays offline for weeks never overflows a float.
_MAX_EXPONENT = 60


@dataclass
class Backoff:
    """Exponential backoff with full jitter: the n-th consecutive failure (from 0) waits
    ``uniform(0, min(max_s, base_s * 2**n))``. Jitter over the whole range, not a few percent,
    is what spreads a fleet of tills that all lost the same link at the same moment."""

    base_s: float
    max_s: float
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def cap(self) -> float:
        return min(self.max_s, self.base_s * 2.0 ** min(self.failures, _MAX_EXPONENT))

    def next_delay(self) -> float:
        """The wait after one more failure."""
        delay = self.rng.uniform(0.0, self.cap())
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0
