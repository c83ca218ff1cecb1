"""The sign-in delays: per (account, address), growing, never a lock on the owner."""

from __future__ import annotations

from sync_service.server.sign_in_delays import FORGET_AFTER_S, SignInDelays


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_delay_grows_for_one_account_from_one_address_only() -> None:
    ticks = Ticks()
    delays = SignInDelays(ticks)
    waits = []
    for _ in range(16):
        waits.append(delays.wait_s("a@x.sg", "10.0.0.9"))
        ticks.now += waits[-1]
        delays.failed("a@x.sg", "10.0.0.9")
    assert waits[:6] == [0, 0, 0, 1, 2, 4] and max(waits) == 900
    assert delays.wait_s("a@x.sg", "10.0.0.9") == 900
    assert delays.wait_s("a@x.sg", "10.0.0.1") == 0  # the owner, elsewhere
    assert delays.wait_s("b@x.sg", "10.0.0.9") == 0  # another account from there

    delays.forget_account("a@x.sg")  # an administrator set a new password
    assert delays.wait_s("a@x.sg", "10.0.0.9") == 0


def test_one_address_trying_many_accounts_waits_a_minute_at_most() -> None:
    ticks = Ticks()
    delays = SignInDelays(ticks)
    for n in range(40):
        delays.failed(f"user{n}@x.sg", "10.0.0.9")
    assert delays.wait_s("someone@x.sg", "10.0.0.9") == 60
    ticks.now += 60
    assert delays.wait_s("someone@x.sg", "10.0.0.9") == 0


def test_a_correct_sign_in_clears_its_own_count_and_old_failures_are_forgotten() -> None:
    ticks = Ticks()
    delays = SignInDelays(ticks)
    for _ in range(5):
        delays.failed("a@x.sg", "10.0.0.9")
    delays.succeeded("a@x.sg", "10.0.0.9")
    assert delays.wait_s("a@x.sg", "10.0.0.9") == 0
    for _ in range(5):
        delays.failed("a@x.sg", "10.0.0.7")
    ticks.now += FORGET_AFTER_S + 1
    assert delays.wait_s("a@x.sg", "10.0.0.7") == 0
