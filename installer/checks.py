"""Doctor's checks, one function each: what was found, its colour, and the one-line fix.

Each check is independent and never raises for what it finds: a broken store, a dead network
or a missing printer is a red or amber line with its fix, so one problem never hides another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from installer.central import CredentialRefused, HeadOffice, Unreachable, head_office, till_state
from installer.prerequisites import describe_skew, free_mb
from installer.settings import InstallerSettings
from installer.steps import Colour
from installer.store_check import DiskTrouble, integrity_problems
from shared.disk import disk_fix
from till.files import disk_trouble_at
from till.printing import ReceiptPrinter
from till.settings import TILL_FILE, TillSettings
from till.store.db import StoreError
from till.store.migrate import current_revision, head_revision, known_revisions
from till.sync.credentials import Credential, CredentialError, read_secret

GREEN, AMBER, RED = Colour.GREEN, Colour.AMBER, Colour.RED
LOG_WINDOW = timedelta(hours=24)
_ERROR_LEVELS = {"error", "critical", "exception"}


@dataclass(frozen=True)
class Check:
    name: str
    colour: Colour
    found: str
    fix: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "status": self.colour.value,
            "found": self.found,
            "fix": self.fix,
        }


def store_integrity(store: Path) -> Check:
    name = "store integrity"
    if not store.is_file():
        return Check(
            name, RED, f"no till store at {store}", "install the till: sgpos-install install"
        )
    try:
        problems = integrity_problems(store)
    except DiskTrouble as exc:
        return Check(name, RED, f"the store cannot be checked: {exc}", disk_fix(str(exc)))
    if problems:
        return Check(
            name,
            RED,
            f"the store is damaged: {'; '.join(problems)[:300]}",
            "stop the till and restore the latest backup: sgpos-install restore FILE",
        )
    return Check(name, GREEN, "integrity_check ok; no broken foreign keys")


def store_revision(store: Path) -> Check:
    name = "store schema"
    if not store.is_file():
        return Check(name, RED, "no store to look at", "install the till: sgpos-install install")
    head = head_revision()
    try:
        found = current_revision(store)
    except StoreError as exc:
        trouble = disk_trouble_at(exc, store.parent)
        fix = (
            disk_fix(trouble)
            if trouble
            else "restore the latest backup: sgpos-install restore FILE"
        )
        return Check(name, RED, str(exc), fix)
    if found == head:
        return Check(name, GREEN, f"at {head} (this release's newest)")
    if found is None:
        return Check(name, RED, "the store has no schema", "run: sgpos-install upgrade")
    try:
        older = found in known_revisions()
    except StoreError:
        older = False
    if older:
        return Check(name, AMBER, f"at {found}, behind {head}", "run: sgpos-install upgrade")
    return Check(
        name,
        RED,
        f"at {found}, written by a newer SG-POS than this one",
        "install the newer SG-POS release this till ran before",
    )


def reachable(url: str | None, settings: InstallerSettings) -> tuple[Check, HeadOffice | None]:
    name = "head office reachable"
    if url is None:
        return Check(name, RED, "the till is not enrolled", _ENROL), None
    try:
        found = head_office(url, timeout_s=settings.request_timeout_s)
    except Unreachable as exc:
        return Check(
            name,
            RED,
            exc.reason,
            "check the network (cable, Wi-Fi, router, proxy); sales keep being stored and will "
            "be sent when it is back",
        ), None
    if found.health.status != "ok":
        return Check(
            name,
            AMBER,
            f"{url} answers but its database is {found.health.database}",
            "head office's server has a problem: tell head office; the till keeps selling",
        ), found
    return Check(name, GREEN, f"{url} answers (protocol {found.health.protocol})"), found


def credential(
    url: str | None, till_id: str | None, data_dir: Path, settings: InstallerSettings, online: bool
) -> Check:
    name = "till credential"
    if url is None or till_id is None:
        return Check(name, RED, "the till is not enrolled", _ENROL)
    try:
        secret = read_secret(data_dir)
    except CredentialError as exc:
        return Check(name, RED, str(exc), _ENROL)
    if not online:
        return Check(name, AMBER, "not checked: head office cannot be reached", "see above")
    try:
        state = till_state(url, Credential(till_id, secret), timeout_s=settings.request_timeout_s)
    except CredentialRefused as exc:
        return Check(name, RED, str(exc), _ENROL)
    except Unreachable as exc:
        return Check(name, AMBER, f"not checked: {exc.reason}", "run doctor again in a minute")
    return Check(name, GREEN, f"accepted as till {state.outlet_code}-{state.till_code}")


def clock(found: HeadOffice | None, settings: InstallerSettings) -> Check:
    name = "clock"
    if found is None or found.skew_s is None:
        return Check(name, AMBER, "not compared: head office's time is not available", _CLOCK)
    words = describe_skew(found.skew_s)
    if abs(found.skew_s) > settings.clock_max_s:
        return Check(name, RED, f"this till's clock is {words}", _CLOCK)
    if abs(found.skew_s) > settings.clock_warn_s:
        return Check(name, AMBER, f"this till's clock is {words}", _CLOCK)
    return Check(name, GREEN, f"{words}")


def backlog(status: dict[str, Any] | None, settings: InstallerSettings) -> Check:
    name = "unsent events"
    if status is None:
        return Check(name, RED, "no store to look at", "install the till: sgpos-install install")
    pending, age = status["pending"], status["oldest_pending_age_s"]
    if not pending:
        return Check(name, GREEN, "none: head office has everything")
    found = f"{pending:,} waiting, the oldest for {_duration(age or 0)}"
    why = f" (last problem: {status['last_error']})" if status.get("last_error") else ""
    fix = "run 'sgpos-sync --data-dir DIR once' to see why; check the network and the service"
    if age is not None and age > settings.backlog_max_s:
        return Check(name, RED, found + why, fix)
    if age is not None and age > settings.backlog_warn_s:
        return Check(name, AMBER, found + why, fix)
    return Check(name, GREEN, found)


def quarantined(status: dict[str, Any] | None) -> Check:
    name = "quarantined events"
    if status is None:
        return Check(name, RED, "no store to look at", "install the till: sgpos-install install")
    count = status["quarantined_count"]
    if not count:
        return Check(name, GREEN, "none")
    # Every one decided at head office (discarded, accepted, sent again): nothing to chase.
    undecided = status.get("undecided_count", count)
    if not undecided:
        return Check(name, GREEN, f"{count}, each decided at head office")
    latest = status["quarantined"][0]["reason"] if status["quarantined"] else "unknown"
    return Check(
        name,
        AMBER,
        f"head office set {count} event(s) aside; the latest because: {latest}",
        "send 'sgpos-sync --data-dir DIR status' to support; selling is not affected",
    )


def printer(data_dir: Path) -> Check:
    name = "receipt printer"
    try:
        settings = TillSettings.for_till(data_dir)
    except ValueError as exc:  # ConfigError and ValidationError: a broken till.toml
        return Check(name, RED, str(exc), f"correct {data_dir / TILL_FILE}, then run doctor again")
    if settings.printer.kind == "none":
        # Not a fault: the till offers PDF receipts. Green, with the way to add one.
        return Check(
            name,
            GREEN,
            "none set up (the till offers PDF receipts); add one with --outlet-printer HOST:PORT",
        )
    outcome = ReceiptPrinter(settings.printer).check()
    if outcome.ok:
        return Check(name, GREEN, f"{settings.printer.where} answers")
    return Check(
        name,
        RED,
        outcome.problem or f"{settings.printer.where} does not answer",
        ("check the printer is on, has paper and is on the network; then run doctor again"),
    )


def free_disk(data_dir: Path, settings: InstallerSettings) -> Check:
    name = "free disk"
    free = free_mb(data_dir)
    found = f"{free:,} MB free"
    fix = "free disk space: old downloads, logs, backups copied elsewhere"
    if free < settings.min_free_mb:
        return Check(name, RED, found + f" (needs {settings.min_free_mb} MB)", fix)
    if free < settings.low_free_mb:
        return Check(name, AMBER, found + f" (low below {settings.low_free_mb} MB)", fix)
    return Check(name, GREEN, found)


def log_errors(logs: Path, now: datetime) -> Check:
    name = "log errors (24 h)"
    since = now - LOG_WINDOW
    count, latest, where = 0, None, None
    for path in sorted(logs.glob("*.log*")) if logs.is_dir() else []:
        for entry in _entries(path):
            if str(entry.get("level", "")).lower() not in _ERROR_LEVELS:
                continue
            at = _when(entry.get("timestamp"))
            if at is None or at < since:
                continue
            count += 1
            if latest is None or at >= latest[0]:
                latest, where = (at, str(entry.get("event", "?"))), path.name
    if not count or latest is None:
        return Check(name, GREEN, "none")
    return Check(
        name,
        AMBER,
        f"{count} error(s); the latest '{latest[1]}' at {latest[0]:%Y-%m-%d %H:%M} UTC in {where}",
        f"read {logs / (where or '')} around that time, or send the logs folder to support",
    )


def _entries(path: Path) -> list[dict[str, Any]]:
    out = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            out.append(value)
    return out


def _when(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


_ENROL = (
    "enrol the till: sgpos-install install --central URL --code CODE (a new code from head office)"
)
_CLOCK = "set the clock right: timedatectl set-ntp true (or the system's date and time settings)"
