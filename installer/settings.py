"""The installer's settings: thresholds a technician may need to move, from ``SGPOS_`` variables.

Doctor's colour boundaries live here rather than in each check so one shop (a slow uplink, a
small disk) can be tuned without touching code; the defaults are what docs/installing.md gives.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.config import SgposSettings

Seconds = Annotated[float, Field(gt=0)]


class InstallerSettings(SgposSettings):
    # Free disk on the data folder's file system: red below min, amber below low.
    min_free_mb: Annotated[int, Field(ge=0)] = 200
    low_free_mb: Annotated[int, Field(ge=0)] = 1000
    # The till's clock against head office's: amber past warn, red past max. Receipts carry
    # the till's time, so a clock minutes out puts sales on the wrong day near midnight.
    clock_warn_s: Seconds = 60.0
    clock_max_s: Seconds = 300.0
    # The oldest unsent event: amber past warn, red past max.
    backlog_warn_s: Seconds = 15 * 60.0
    backlog_max_s: Seconds = 24 * 3600.0
    request_timeout_s: Seconds = 15.0
    log_level: str = "INFO"
