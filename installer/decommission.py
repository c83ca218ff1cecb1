"""``sgpos-install decommission [--force]``: retire this till for good.

Refuses while the till has events head office has not received, unless ``--force``, which
first writes them to a JSON file (``installer.unsent``). Then head office is asked to revoke
the till (``POST /v1/till/retire``; revoking twice is harmless) and only after it agreed is the
secret wiped: without the network nothing is wiped, so the till can still sync and be retired
later. The store stays (the till's sales history); the service and launcher are removed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from installer import service
from installer.central import CredentialRefused, Unreachable, retire
from installer.in_use import hold_till
from installer.report import Report
from installer.settings import InstallerSettings
from installer.steps import Refused, StepFailed
from installer.store_check import facts
from installer.unsent import export_unsent
from shared.config import ConfigError
from shared.logs import get_logger
from till.files import fsync_dir
from till.settings import agent_settings
from till.store.paths import store_file
from till.sync.credentials import Credential, CredentialError, read_secret, secret_path

log = get_logger("sgpos.installer")


def run_decommission(
    data_dir: Path,
    settings: InstallerSettings,
    report: Report,
    *,
    force: bool,
    export: Path | None,
) -> str:
    store = store_file(data_dir)
    if not store.is_file():
        raise Refused(f"there is no till store at {store}", "check --data-dir")
    with hold_till(data_dir, "decommission the till"):
        with report.step("Look at the till") as done:
            till = facts(store)
            try:
                secret = read_secret(data_dir)
            except CredentialError:
                raise Refused(
                    f"till {till.till_name} has no head-office credential: it was never enrolled, "
                    "or was decommissioned already",
                    "nothing to retire; head office can revoke it with 'sgpos-central revoke-till'",
                ) from None
            url = _central_url(data_dir, till.central_url)
            done(f"till {till.till_name}, {till.pending:,} events not yet at head office")
        exported = None
        if till.pending:
            if not force:
                raise Refused(
                    f"{till.pending:,} events of till {till.till_name} have not reached head "
                    "office; retiring now would strand them",
                    f"send them first: sgpos-sync --data-dir {data_dir} once — or add --force to "
                    "export them to a file and retire anyway",
                )
            with report.step("Export the unsent events") as done:
                stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
                exported = export or data_dir / f"unsent-events-{stamp}.json"
                count = export_unsent(store, exported)
                done(f"{count:,} events written to {exported}")
        with report.step("Ask head office to retire this till") as done:
            credential = Credential(str(till.till_id), secret)
            try:
                answer = retire(url, credential, timeout_s=settings.request_timeout_s)
                done(f"retired at {answer.retired_at:%Y-%m-%d %H:%M} UTC")
            except CredentialRefused:
                done("head office already refuses this till's credential; nothing left to revoke")
            except Unreachable as exc:
                raise StepFailed(
                    f"{exc.reason}; nothing was wiped, the till is unchanged",
                    "connect the till to the network and run the same command again",
                ) from None
        with report.step("Wipe the till's secret") as done:
            wipe(secret_path(data_dir))
            done("the credential is gone from this machine")
    with report.step("Remove the sync service and the launcher") as done:
        done(_remove_service(data_dir))
    log.info("till.decommissioned", till_id=till.till_id, exported=str(exported))
    kept = f" Unsent events are in {exported}: send that file to head office." if exported else ""
    return (
        f"till {till.till_name} is retired; head office refuses its credential from now on. "
        f"Its sales history stays in {store} (archive it or delete it).{kept}"
    )


def _central_url(data_dir: Path, enrolled: str | None) -> str:
    try:
        override = agent_settings(data_dir).central_url
    except ConfigError:
        override = None
    url = override or enrolled
    if url is None:
        raise Refused(
            "the till does not know head office's address",
            "head office can revoke it with 'sgpos-central revoke-till'",
        )
    return url


def wipe(path: Path) -> None:
    """Overwrite the secret, flush it, then remove the file (and make the removal durable)."""
    if not path.exists():
        return
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.write(b"\0" * size)
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
    fsync_dir(path.parent)


def _remove_service(data_dir: Path) -> str:
    places = service.places()
    removed = []
    if places.unit.is_file() and service.refers_to(places.unit, data_dir):
        if service.user_systemd():
            service.stop_and_disable()
        places.unit.unlink()
        removed.append(str(places.unit))
    if places.launcher.is_file() and service.refers_to(places.launcher, data_dir):
        places.launcher.unlink()
        removed.append(str(places.launcher))
    return f"removed {', '.join(removed)}" if removed else "none installed for this till"
