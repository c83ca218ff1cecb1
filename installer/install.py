"""``sgpos-install install``: from nothing to a till that sells and syncs.

Steps, in this order so that a failure leaves nothing that blocks a clean retry:

1. prerequisites (Python, head office and its clock, free disk) — nothing is written yet;
2. the private data folder, the settings files, the store (created and migrated);
3. enrolment with the one-time code — the secret first, the identity last;
4. the initial load, the launcher, the service, and a doctor run.

Up to and including enrolment, a failure undoes what this run created (the log stays), so
the next attempt starts clean. After enrolment nothing is undone: the till is enrolled, and
running the same command again carries on (it says "already enrolled" and needs no code).
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from installer import service
from installer.config_files import (
    agent_toml,
    till_toml,
    write_agent_settings,
    write_till_settings,
)
from installer.doctor import run_doctor, show, summary
from installer.initial_load import initial_load
from installer.prerequisites import (
    check_clock,
    check_free_disk,
    check_head_office,
    check_python,
    check_writable,
    make_data_dir,
    make_private,
)
from installer.report import Report
from installer.settings import InstallerSettings
from installer.steps import Colour, StepFailed, worst
from shared.logs import get_logger
from till.settings import agent_settings
from till.store.db import StoreError
from till.store.migrate import open_existing, upgrade_store
from till.store.paths import backup_dir, store_file
from till.sync.client import app_version
from till.sync.credentials import secret_path
from till.sync.enrol import EnrolmentFailed, enrol_till

log = get_logger("sgpos.installer")
KEEP = frozenset({"logs"})  # the installer's own log survives an undo: it says what happened


@dataclass(frozen=True)
class InstallRequest:
    data_dir: Path
    central: str
    code: str | None  # None: the till is already enrolled
    printer: tuple[str, int] | None
    service: bool


@dataclass(frozen=True)
class Enrolled:
    till: str
    central_url: str | None


def enrolled_as(data_dir: Path) -> Enrolled | None:
    """The till's identity if it is enrolled (identity and secret both present)."""
    store = store_file(data_dir)
    if not store.is_file() or not secret_path(data_dir).is_file():
        return None
    try:
        with closing(open_existing(store)) as db:
            row = db.execute(
                "SELECT i.till_code, i.central_url, i.enrolled_at, o.code FROM till_identity i"
                " LEFT JOIN outlet o ON o.outlet_id = i.outlet_id"
            ).fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[2] is None:
        return None
    name = f"{row[3]}-{row[0]}" if row[3] else str(row[0])
    return Enrolled(name, str(row[1]) if row[1] else None)


def run_install(request: InstallRequest, settings: InstallerSettings, report: Report) -> Colour:
    data_dir = request.data_dir
    with report.step("Check prerequisites") as done:
        python = check_python()
        office = check_head_office(request.central, settings)
        clock = check_clock(office, settings)
        if office.skew_s is not None and abs(office.skew_s) > settings.clock_warn_s:
            report.warn(f"{clock}; set it right soon (timedatectl set-ntp true)")
        disk = check_free_disk(data_dir, settings)
        done(f"{python}; head office answers; {clock}; {disk}")

    undo = Undo.before(data_dir)
    try:
        _prepare(request, report)
        till = _enrol(request, report)
    except BaseException:
        undo.run(report)
        raise

    with report.step("Load head office's catalogue, staff and outlet settings") as done:
        with report.progress("changes loaded") as advance:
            loaded = initial_load(data_dir, agent_settings(data_dir), advance)
        done(f"{loaded.products:,} products, {loaded.staff} staff, outlet {loaded.outlet}")
    with report.step("Install the desktop launcher") as done:
        path, changed = service.write_launcher(data_dir)
        done(f"{path}" if changed else f"{path} (already in place)")
    _service(request, report)

    with report.step("Check the till (doctor)") as done:
        found = run_doctor(data_dir, settings)
        verdict = worst([c.colour for c in found])
        done(summary(found))
    show(report, found, as_json=False)
    log.info("install.finished", till=till, verdict=verdict.value)
    return verdict


def _prepare(request: InstallRequest, report: Report) -> None:
    data_dir = request.data_dir
    with report.step("Create the private data folder") as done:
        created = make_data_dir(data_dir)
        writable = check_writable(data_dir)
        make_private(data_dir)
        done(f"created; {writable}" if created else writable)
    with report.step("Write the till's settings") as done:
        done(f"{write_till_settings(data_dir, request.printer)}; {write_agent_settings(data_dir)}")
    with report.step("Create and migrate the till's store") as done:
        try:
            result = upgrade_store(store_file(data_dir), backup_dir=backup_dir(data_dir))
        except StoreError as exc:
            raise StepFailed(str(exc)) from None
        done(
            f"already at {result.to_revision}"
            if result.from_revision == result.to_revision
            else f"at {result.to_revision}"
        )


def _enrol(request: InstallRequest, report: Report) -> str:
    with report.step("Enrol with head office") as done:
        already = enrolled_as(request.data_dir)
        if already is not None:
            if already.central_url and already.central_url != request.central:
                report.warn(
                    f"enrolled with head office at {already.central_url}, not {request.central}; "
                    "keeping it (enrol again with 'sgpos-sync enroll' to move it)"
                )
            done(f"already enrolled as till {already.till}; no code used")
            return already.till
        if request.code is None:
            raise StepFailed("this till is not enrolled yet and no --code was given")
        try:
            ok = enrol_till(
                request.data_dir,
                request.central,
                request.code,
                hostname=socket.gethostname(),
                app_version=app_version(),
            )
        except EnrolmentFailed as exc:
            raise StepFailed(
                str(exc), "ask head office for a new code if needed, then run the same command"
            ) from None
        till = f"{ok.outlet_code}-{ok.till_code}"
        done(f"enrolled as till {till}; secret stored readable by this user only")
        return till


def _service(request: InstallRequest, report: Report) -> None:
    data_dir = request.data_dir
    config = agent_toml(data_dir)
    if not request.service:
        report.info("sync service skipped (--no-service); the till app syncs while it runs")
        return
    with report.step("Install the sync agent service (systemd, this user)") as done:
        unit, _ = service.write_unit(data_dir, config)
        if not service.user_systemd():
            report.warn(service.manual_start_hint(data_dir, config))
            done(f"{unit} written; not started (no user systemd)")
            return
        problem = service.enable_and_start()
        if problem is not None:
            raise StepFailed(
                f"systemd could not start the sync agent: {problem}",
                "look at 'journalctl --user -u sgpos-sync', fix it and run the same command again",
            )
        done(f"{unit} enabled and started")


class Undo:
    """What this run must remove again if it fails before the till is enrolled."""

    def __init__(self, data_dir: Path, existed: bool, entries: set[str], kept: dict[Path, bytes]):
        self.data_dir, self.existed, self.entries, self.kept = data_dir, existed, entries, kept

    @classmethod
    def before(cls, data_dir: Path) -> Undo:
        if not data_dir.is_dir():
            return cls(data_dir, False, set(), {})
        kept = {
            p: p.read_bytes() for p in (till_toml(data_dir), agent_toml(data_dir)) if p.is_file()
        }
        return cls(data_dir, True, {p.name for p in data_dir.iterdir()}, kept)

    def run(self, report: Report) -> None:
        if not self.data_dir.is_dir():
            return
        removed = []
        for entry in self.data_dir.iterdir():
            if entry.name in self.entries or entry.name in KEEP:
                continue
            removed.append(entry.name)
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        for path, content in self.kept.items():
            if path.read_bytes() != content:
                path.write_bytes(content)
                removed.append(f"{path.name} (put back as it was)")
        if removed:
            report.info(f"undone: {', '.join(sorted(removed))} — nothing is left half-installed")
        log.info("install.undone", data_dir=str(self.data_dir), removed=removed)
