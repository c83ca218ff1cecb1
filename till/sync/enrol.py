"""Enrolling a till with head office, and starting a new epoch after a restore.

``enrol_till`` is what the installer calls (and ``sgpos-sync enroll``): a one-time code from
head office goes up; the till's identity comes back and is written to the store, and its secret
to ``DIR/till-secret``. Every failure is a sentence the technician can act on.

A till code may have sold before, on a machine that has since died or been replaced. With its
new credential the till asks head office what it already holds from that till
(``GET /v1/till/state``) and starts above it: a new epoch above the highest head office has
seen, the receipt counter past the highest receipt number. Should that answer not come (the
link dropped right after enrolling), the till jumps ``EPOCH_MARGIN`` epochs and
``RECEIPT_MARGIN`` receipt numbers instead: a visible, audited gap rather than a risk of
reusing a number.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

from shared.logs import get_logger
from shared.protocol import (
    PROTOCOL_VERSION,
    Busy,
    EnrolOk,
    EnrolRequest,
    Failed,
    Rejected,
    TillState,
    Unauthorized,
    UpgradeRequired,
)
from till.store.db import Store, StoreError
from till.store.migrate import upgrade_store
from till.store.models import RECEIPT_COUNTER, Counter, OutboxEvent, TillIdentity
from till.store.outbox import backlog, sync_state
from till.store.uow import UnitOfWork
from till.sync.bookkeeping import INITIAL_CURSOR, NotEnrolled
from till.sync.client import (
    CentralClient,
    ErrorAnswer,
    Offline,
    TooLarge,
    http_session,
)
from till.sync.credentials import Credential, write_secret
from till.sync.paths import backup_dir, store_file

Clock = Callable[[], datetime]
ENROL_TIMEOUT_S = 20.0
RECEIPT_MARGIN = 10_000  # more receipts than a shop rings in a week
EPOCH_MARGIN = 100
_CODE = re.compile(r"^[A-Z0-9-]{8,32}$")  # EnrolRequest.code

log = get_logger("sgpos.sync")


class EnrolmentFailed(RuntimeError):
    """The till could not be enrolled; the message says why and what to do next."""


@dataclass(frozen=True)
class _Before:
    """The identity the store had before enrolling, and its unsent events."""

    till_id: str
    till_code: str
    enrolled: bool
    pending: int


def enrol_till(
    data_dir: Path,
    central_url: str,
    code: str,
    *,
    hostname: str,
    app_version: str,
    timeout_s: float = ENROL_TIMEOUT_S,
    clock: Clock | None = None,
) -> EnrolOk:
    """Enrol the till in ``data_dir`` (creating and migrating its store if needed)."""
    url = _head_office_url(central_url)
    code = code.strip().upper().replace(" ", "")
    if not _CODE.match(code):
        raise EnrolmentFailed(
            f"{code!r} is not an enrolment code (they look like K7QX-MP3D-9WTR); "
            "check it with head office"
        )
    store = _open(data_dir)
    try:
        before = _identity(store)
        if before is not None and before.pending and not before.enrolled:
            # Checked before the code is spent: these events belong to a till head office has
            # never heard of (a demo or test till) and could never be sent as another one.
            raise EnrolmentFailed(
                f"this store already holds {before.pending} unsent events of till "
                f"{before.till_code} ({before.till_id}), which was never enrolled with head "
                "office; enrol a fresh data folder instead (the code was not used)"
            )
        request = EnrolRequest(
            protocol=PROTOCOL_VERSION,
            code=code,
            hostname=hostname[:200],
            app_version=app_version[:200],
        )
        ok = _accepted(asyncio.run(_post(url, request, timeout_s)), url)
        if before is not None and before.pending and before.till_id != str(ok.till_id):
            raise EnrolmentFailed(
                f"head office enrolled this code as till {ok.outlet_code}-{ok.till_code} "
                f"({ok.till_id}), but this store still holds {before.pending} unsent events of "
                f"till {before.till_code} ({before.till_id}); nothing was changed here. Let "
                "those reach head office first ('sgpos-sync once') or use a fresh data folder, "
                "then enrol with a new code (this one is used up)"
            )
        # The secret first: a cut between the two leaves a credential head office will refuse,
        # which a re-enrolment mends, never an identity without one.
        write_secret(data_dir, ok.secret)
        # This store already is this till (a new secret for it): it knows its own numbers.
        # Otherwise the till code may have sold on another machine before.
        same_till = before is not None and before.till_id == str(ok.till_id)
        held = None if same_till else asyncio.run(_held_at_head_office(url, ok, timeout_s))
        epoch = _write_identity(store, ok, url, held, now=(clock or _utc_now)())
    finally:
        store.close()
    log.info(
        "till.enrolled",
        till_id=str(ok.till_id),
        till_code=ok.till_code,
        outlet_code=ok.outlet_code,
        epoch=epoch,
        central_url=url,
    )
    return ok


def start_new_epoch(data_dir: Path) -> int:
    """Start a new epoch of the till's event sequence (after a restore from backup), so a new
    event can never reuse an old ``(epoch, seq)`` with different content. Returns the epoch.

    The new epoch is above every epoch this store knows of; head office may have seen a later
    one from events made after the backup was taken, which only it can tell."""
    store = _open(data_dir)
    try:
        with UnitOfWork(store) as uow:
            ident = uow.session.get(TillIdentity, 1)
            if ident is None:
                raise NotEnrolled("this till has no identity yet, so it has no epoch to renew")
            used = uow.session.scalar(select(func.max(OutboxEvent.epoch))) or 0
            ident.epoch = max(ident.epoch, used) + 1
            epoch, till_id = ident.epoch, ident.till_id
            uow.commit()
    finally:
        store.close()
    log.info("till.new_epoch", till_id=till_id, epoch=epoch)
    return epoch


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _head_office_url(text: str) -> str:
    url = text.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EnrolmentFailed(
            f"{text!r} is not a head-office address; give it as https://host[:port]"
        )
    return url


def _open(data_dir: Path) -> Store:
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = store_file(data_dir)
    try:
        upgrade_store(path, backup_dir=backup_dir(data_dir))
    except StoreError as exc:
        raise EnrolmentFailed(str(exc)) from exc
    return Store.open(path)


def _identity(store: Store) -> _Before | None:
    with store.read() as s:
        ident = s.get(TillIdentity, 1)
        if ident is None:
            return None
        return _Before(
            till_id=ident.till_id,
            till_code=ident.till_code,
            enrolled=ident.enrolled_at is not None,
            pending=backlog(s).pending,
        )


async def _post(url: str, request: EnrolRequest, timeout_s: float) -> EnrolOk | ErrorAnswer:
    async with http_session(timeout_s=timeout_s) as http:
        try:
            return await CentralClient(http, url).enrol(request)
        except Offline as exc:
            if not exc.maybe_delivered:
                raise EnrolmentFailed(
                    f"{exc.reason}; check the network and the address, then try again "
                    "(the code was not used)"
                ) from None
            # Head office may have used the code and lost its answer on the way back: the
            # secret is shown once, so only a new code can enrol this machine then.
            raise EnrolmentFailed(
                f"{exc.reason}; check the network, then try again with the same code. If head "
                "office got this attempt, it answers that the code was already used: then ask "
                "head office for a new code"
            ) from None
        except TooLarge as exc:
            raise EnrolmentFailed(f"head office refused the enrolment: {exc}") from None


def _accepted(answer: EnrolOk | ErrorAnswer, url: str) -> EnrolOk:
    match answer:
        case EnrolOk():
            return answer
        case Rejected(message=message):
            raise EnrolmentFailed(message)  # the server's own words, e.g. "…has expired; ask…"
        case Busy(retry_after=wait):
            raise EnrolmentFailed(
                f"head office at {url} is busy; try again in {wait} seconds (the code was not used)"
            )
        case Failed(message=message):
            raise EnrolmentFailed(
                f"head office at {url} failed on the enrolment ({message}); try again in a "
                "minute, and if it repeats, tell head office (the code was not used)"
            )
        case UpgradeRequired(accepted_versions=versions, message=message):
            raise EnrolmentFailed(
                f"head office needs a newer SG-POS ({message}; it accepts protocol "
                f"{', '.join(map(str, versions))}, this till speaks {PROTOCOL_VERSION}): "
                "upgrade this till, then enrol it"
            )
        case Unauthorized(message=message):
            raise EnrolmentFailed(f"head office refused the enrolment: {message}")
    raise EnrolmentFailed(f"head office at {url} gave an answer SG-POS does not understand")


def _write_identity(
    store: Store, ok: EnrolOk, url: str, held: TillState | None, *, now: datetime
) -> int:
    with UnitOfWork(store) as uow:
        counter = uow.session.get(Counter, RECEIPT_COUNTER)
        if counter is None:
            counter = Counter(name=RECEIPT_COUNTER, value=0)
            uow.session.add(counter)
        ident = uow.session.get(TillIdentity, 1)
        # A store that already sent events as another till starts a fresh epoch above them, so
        # (epoch, seq) stays unique in its outbox and the new till's sequence starts at 1.
        fresh = (uow.session.scalar(select(func.max(OutboxEvent.epoch))) or 0) + 1
        same_till = ident is not None and ident.till_id == str(ok.till_id)
        if ident is None:
            ident = TillIdentity(singleton=1)
            uow.session.add(ident)
            epoch = fresh
        elif same_till:
            epoch = ident.epoch  # a re-enrolment (a new secret) continues the same sequence
        else:
            epoch = fresh
            # Another till (perhaps another outlet): its master data comes down from the start.
            state = sync_state(uow.session)
            state.pull_cursor, state.prices_as_of = INITIAL_CURSOR, None
        before = {"epoch": epoch, "receipt_counter": counter.value}
        # Past everything this till code already used, on this machine or another.
        if same_till:
            checked = "this store is already this till"
        elif held is not None:
            epoch = max(epoch, held.highest_epoch + 1)
            counter.value = max(counter.value, held.highest_receipt)
            checked = (
                f"head office holds up to epoch {held.highest_epoch}, receipt number "
                f"{held.highest_receipt:,}"
            )
        else:
            epoch += EPOCH_MARGIN
            counter.value += RECEIPT_MARGIN
            checked = (
                "head office could not say what it holds; skipped "
                f"{RECEIPT_MARGIN:,} receipt numbers and {EPOCH_MARGIN} epochs to be safe"
            )
        ident.till_id = str(ok.till_id)
        ident.till_code = ok.till_code
        ident.outlet_id = str(ok.outlet_id)
        ident.epoch = epoch
        ident.central_url = url
        ident.enrolled_at = now
        after = {"epoch": epoch, "receipt_counter": counter.value}
        if after != before:
            # The numbers jump (receipt numbers must run serially): the audit trail says why.
            uow.session.flush()
            uow.audit(
                "till.enrolled",
                actor=None,
                at=now,
                subject=f"{ok.outlet_code}-{ok.till_code}",
                before=before,
                after={**after, "checked_with": checked},
            )
        uow.commit()
    if held is None:
        log.warning("till.enrolled_without_head_office_figures", till_id=str(ok.till_id))
    return epoch


async def _held_at_head_office(url: str, ok: EnrolOk, timeout_s: float) -> TillState | None:
    """What head office already holds from this till code; None if it cannot say."""
    credential = Credential(str(ok.till_id), ok.secret)
    async with http_session(timeout_s=timeout_s) as http:
        try:
            answer = await CentralClient(http, url).till_state(credential)
        except (Offline, TooLarge):
            return None
    return answer if isinstance(answer, TillState) else None
