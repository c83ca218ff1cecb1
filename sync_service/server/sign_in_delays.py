"""Slowing down password guessing without handing anyone a lock on somebody else's account.

A lock per account ("five wrong passwords and the account is closed for 15 minutes") lets
anyone who knows an email address keep its owner out. Here the count is per *(account,
address)*: wrong passwords typed for an account from one address make the next attempt for
that account *from that address* wait, 1 s after the first few and doubling with each further
failure up to 15 minutes. The owner signing in from their own desk is not slowed at all. A
second, looser count per address (every account) slows down one address trying many
accounts; its delay stops at a minute, because behind a proxy or an office NAT every visitor
shares one address. A correct sign-in clears its (account, address) count.

An attempt that must still wait is refused before the password is checked, so waiting costs
the server nothing. Counts live in the server process's memory (several servers each count on
their own) and are forgotten a day after the last failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

FORGET_AFTER_S = 24 * 3600.0
_SWEEP_AT = 4096  # keys remembered before stale ones are swept out


@dataclass(frozen=True)
class Delay:
    """``free`` failures cost nothing; then ``first_s``, doubling each failure, to ``cap_s``."""

    free: int
    first_s: float
    cap_s: float

    def after(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.cap_s, self.first_s * 2 ** (failures - self.free)))


PER_ACCOUNT_AND_ADDRESS = Delay(free=3, first_s=1.0, cap_s=15 * 60.0)
PER_ADDRESS = Delay(free=20, first_s=1.0, cap_s=60.0)


class GrowingDelay:
    """Failures per key and when the last one was; how long the next attempt must wait."""

    def __init__(self, delay: Delay, clock: Callable[[], float] = time.monotonic) -> None:
        self.delay, self._clock = delay, clock
        self._failures: dict[Hashable, tuple[int, float]] = {}

    def wait_s(self, key: Hashable) -> float:
        count, last = self._failures.get(key, (0, 0.0))
        if not count:
            return 0.0
        if self._clock() - last > FORGET_AFTER_S:
            del self._failures[key]
            return 0.0
        return max(0.0, last + self.delay.after(count) - self._clock())

    def record_failure(self, key: Hashable) -> None:
        if len(self._failures) >= _SWEEP_AT:
            cutoff = self._clock() - FORGET_AFTER_S
            for stale in [k for k, (_, last) in self._failures.items() if last < cutoff]:
                del self._failures[stale]
        count, _ = self._failures.get(key, (0, 0.0))
        self._failures[key] = (count + 1, self._clock())

    def clear(self, key: Hashable) -> None:
        self._failures.pop(key, None)

    def clear_where(self, match: Callable[[Hashable], bool]) -> None:
        for key in [k for k in self._failures if match(k)]:
            del self._failures[key]


class SignInDelays:
    """The two counts a dashboard sign-in goes through (see the module's docstring)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_account = GrowingDelay(PER_ACCOUNT_AND_ADDRESS, clock)
        self.per_address = GrowingDelay(PER_ADDRESS, clock)

    def wait_s(self, account: str, address: str) -> float:
        return max(self.per_account.wait_s((account, address)), self.per_address.wait_s(address))

    def failed(self, account: str, address: str) -> None:
        self.per_account.record_failure((account, address))
        self.per_address.record_failure(address)

    def succeeded(self, account: str, address: str) -> None:
        self.per_account.clear((account, address))

    def forget_account(self, account: str) -> None:
        """An administrator reset the password: every address may try the new one at once."""
        self.per_account.clear_where(lambda key: isinstance(key, tuple) and key[0] == account)
