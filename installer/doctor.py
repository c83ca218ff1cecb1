"""``sgpos-install doctor [--json]``: is this till healthy, and if not, what to do.

Runs every check in ``installer.checks`` (read-only; safe while the till sells and the agent
syncs) and shows each as green, amber or red with a one-line fix. The exit code is the worst
colour: 0 green, 1 amber, 2 red.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from installer import checks
from installer.checks import Check
from installer.report import Report
from installer.settings import InstallerSettings
from installer.steps import Colour, worst
from shared.config import ConfigError
from till.settings import agent_settings
from till.store.db import Store, StoreError
from till.store.migrate import open_existing
from till.store.paths import store_file
from till.sync.status import read_status


def run_doctor(data_dir: Path, settings: InstallerSettings) -> list[Check]:
    store = store_file(data_dir)
    now = datetime.now(UTC)
    till_id, url = _identity(store)
    # A broken sync-agent.toml shows in the agent's own log; the enrolled address stands.
    with contextlib.suppress(ConfigError):
        url = agent_settings(data_dir).central_url or url
    status = _status(store, data_dir, now)
    found = [checks.store_integrity(store), checks.store_revision(store)]
    reach, office = checks.reachable(url, settings)
    found += [
        reach,
        checks.credential(url, till_id, data_dir, settings, online=office is not None),
        checks.clock(office, settings),
        checks.backlog(status, settings),
        checks.quarantined(status),
        checks.printer(data_dir),
        checks.free_disk(data_dir, settings),
        checks.log_errors(data_dir / "logs", now),
    ]
    return found


def show(report: Report, found: list[Check], *, as_json: bool) -> Colour:
    verdict = worst([c.colour for c in found])
    if as_json:
        body = {"verdict": verdict.value, "checks": [c.as_json() for c in found]}
        print(json.dumps(body, indent=2))
        return verdict
    report.table([(c.colour, c.name, c.found, c.fix) for c in found])
    return verdict


def summary(found: list[Check]) -> str:
    bad = [c.name for c in found if c.colour is not Colour.GREEN]
    return "every check is green" if not bad else f"look at: {', '.join(bad)}"


def _identity(store: Path) -> tuple[str | None, str | None]:
    if not store.is_file():
        return None, None
    try:
        db = open_existing(store)
        try:
            row = db.execute(
                "SELECT till_id, central_url, enrolled_at FROM till_identity"
            ).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None, None
    if row is None or row[2] is None:
        return None, None
    return str(row[0]), (str(row[1]) if row[1] else None)


def _status(store: Path, data_dir: Path, now: datetime) -> dict[str, Any] | None:
    if not store.is_file():
        return None
    try:
        opened = Store.open(store)
    except (StoreError, SQLAlchemyError):
        return None
    try:
        return read_status(opened, data_dir, now=now)
    except (StoreError, SQLAlchemyError, sqlite3.Error):
        return None
    finally:
        opened.close()
