"""The sync agent's settings: one typed object, loaded once at start-up and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator

from shared.config import SgposSettings
from shared.protocol import MAX_EVENTS_PER_PUSH

Seconds = Annotated[float, Field(gt=0)]
# A till must be drained within a minute of the network healing (DESIGN.md §8): no wait after
# a failure is ever longer than this, whatever a settings file written by an older release says.
MAX_BACKOFF_S = 30.0


class AgentSettings(SgposSettings):
    """``SGPOS_PUSH_BATCH`` etc.; a TOML file may hold the same keys."""

    # None: the address the till was enrolled with (TillIdentity.central_url). Set it only to
    # point a till at another head-office address without enrolling it again.
    central_url: str | None = None
    push_batch: Annotated[int, Field(ge=1, le=MAX_EVENTS_PER_PUSH)] = 200
    push_interval_s: Seconds = 5.0
    pull_interval_s: Seconds = 60.0
    request_timeout_s: Seconds = 20.0
    # Offline retries wait uniform(0, min(backoff_max_s, backoff_base_s * 2**failures)): full
    # jitter, so a fleet of tills coming back after an outage does not knock in step. Any
    # answer from head office resets it, and while offline a probe of /v1/health every
    # probe_interval_s ends the wait as soon as head office answers again.
    backoff_base_s: Seconds = 1.0
    backoff_max_s: Seconds = MAX_BACKOFF_S
    probe_interval_s: Seconds = 5.0
    # How often the agent asks the store whether anything new was committed (till.sync.watch),
    # so a sale reaches head office within a second even when the agent is its own process.
    outbox_poll_s: Seconds = 0.2
    # 'busy' answers are waited out (as long as each asks) for at most this long per cycle;
    # then the cycle ends, says so, and the backoff takes over.
    busy_patience_s: Seconds = 60.0
    log_file: Path | None = None
    log_level: str = "INFO"

    @field_validator("backoff_max_s")
    @classmethod
    def _heal_within_a_minute(cls, value: float) -> float:
        return min(value, MAX_BACKOFF_S)
