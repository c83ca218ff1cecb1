"""Tamper-evident audit trail for a till.

Every till appends audit records (sign-ins, failed PINs, discounts, price overrides, voids,
refunds, drawer opens, shifts ...) to a chain of its own. A chain is identified by
``(till_id, epoch)``: a till restored from backup starts a new epoch, because the restored
database may have lost the tail of the old chain and must not pretend to continue it.

Within a chain records are numbered ``seq`` = 1, 2, 3 ... without gaps. Each record carries
``prev_hash`` (the previous record's ``hash``, or ``GENESIS_HASH`` for seq 1) and its own
``hash`` = SHA-256 of its canonical form. Editing, deleting, inserting or reordering a record
therefore breaks the sequence, a hash or a link, and ``verify_chain`` names the first seq where
that happens. Rewriting a record *and everything after it* is only caught by comparing with a
head hash head office already holds, which is why ``verify_chain`` can continue from one.

Canonical form (``canonical_bytes``), the only bytes that are hashed:

* every field except ``hash``, as one JSON object: sorted keys, separators ``,`` and ``:``,
  ``ensure_ascii=False``, encoded as UTF-8;
* datetimes become UTC ISO-8601 strings with microseconds and a ``Z`` suffix;
* a Decimal becomes ``str(value)`` with digits and scale untouched, so ``Decimal("1.50")`` and
  the string ``"1.50"`` hash alike but ``"1.5"`` does not: the till showed 1.50, so that is what
  is attested. JSON has no decimal type; after storage the amount *is* the string, and hashing
  both alike is what lets a stored record still verify;
* floats are refused with TypeError (money is never float); so are non-string mapping keys and
  any other type. Non-finite Decimals are refused with ValueError.

Records keep ``before``/``after`` already in that JSON form (Decimals as strings), so
``AuditRecord.from_dict(r.to_dict()) == r`` and equal records always hash alike.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS_HASH: str = "0" * 64

_HEX64 = re.compile(r"[0-9a-f]{64}")
_ACTION = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")


def _as_utc(moment: datetime) -> datetime:
    # A naive time is ambiguous across DST changes and till clocks; evidence must not be.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} refused: must be timezone-aware")
    return moment.astimezone(UTC)


def _jsonable(value: object) -> Any:
    """Deep-copy ``value`` into plain JSON types using the canonical-form rules."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        raise TypeError(f"float {value!r} refused: money is never float, use Decimal")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"non-finite Decimal {value} refused")
        return str(value)
    if isinstance(value, datetime):
        return _as_utc(value).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if isinstance(value, Mapping):
        copy: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                # json.dumps would silently turn 1 into "1", so the stored record would differ.
                raise TypeError(f"mapping key {key!r} refused: keys must be str")
            copy[key] = _jsonable(item)
        return copy
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    raise TypeError(f"{type(value).__name__} value {value!r} is not JSON-able")


def canonical_bytes(record_fields: Mapping[str, Any]) -> bytes:
    """Deterministic bytes of every field except ``hash`` (see module docstring)."""
    content = {name: value for name, value in record_fields.items() if name != "hash"}
    text = json.dumps(_jsonable(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _require(name: str, value: object, *kinds: type) -> None:
    # bool is an int subclass, but True is never a valid seq or epoch.
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        wanted = " or ".join("None" if kind is type(None) else kind.__name__ for kind in kinds)
        raise TypeError(f"field {name!r} must be {wanted}, got {type(value).__name__}")


@dataclass(frozen=True)
class AuditRecord:
    """One sealed audit event; construction validates and normalises (times to UTC, payloads
    to canonical JSON form), so a record that exists is always hashable."""

    till_id: str
    epoch: int
    seq: int
    occurred_at: datetime
    actor: str | None
    action: str
    subject: str | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    prev_hash: str
    hash: str

    def __post_init__(self) -> None:
        _require("till_id", self.till_id, str)
        try:
            canonical_till = str(uuid.UUID(self.till_id))
        except ValueError:
            canonical_till = ""
        if canonical_till != self.till_id:  # one spelling only, or one till could be two chains
            raise ValueError(f"till_id {self.till_id!r} is not a lower-case UUID string")
        for name in ("epoch", "seq"):
            number = getattr(self, name)
            _require(name, number, int)
            if number < 1:
                raise ValueError(f"field {name!r} must be >= 1, got {number}")
        _require("occurred_at", self.occurred_at, datetime)
        object.__setattr__(self, "occurred_at", _as_utc(self.occurred_at))
        _require("actor", self.actor, str, type(None))
        _require("subject", self.subject, str, type(None))
        _require("action", self.action, str)
        if not _ACTION.fullmatch(self.action):
            raise ValueError(f"action {self.action!r} must be a dotted name like 'sale.voided'")
        for name in ("before", "after"):
            payload = getattr(self, name)
            _require(name, payload, Mapping, type(None))
            object.__setattr__(self, name, _jsonable(payload))
        for name in ("prev_hash", "hash"):
            digest = getattr(self, name)
            _require(name, digest, str)
            if not _HEX64.fullmatch(digest):
                raise ValueError(f"field {name!r} must be 64 lower-case hex digits")

    def to_dict(self) -> dict[str, Any]:
        return {field.name: _jsonable(getattr(self, field.name)) for field in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditRecord:
        if not isinstance(data, Mapping):
            raise ValueError(f"audit record must be a mapping, got {type(data).__name__}")
        expected = {field.name for field in fields(cls)}
        if missing := sorted(expected - data.keys()):
            raise ValueError(f"audit record is missing fields: {', '.join(missing)}")
        if unknown := sorted(set(data.keys()) - expected, key=str):
            raise ValueError(f"audit record has unknown fields: {', '.join(map(str, unknown))}")
        values = dict(data)
        try:
            if isinstance(values["occurred_at"], str):
                values["occurred_at"] = datetime.fromisoformat(values["occurred_at"])
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid audit record: {exc}") from exc


def _digest(record: AuditRecord) -> str:
    return hashlib.sha256(canonical_bytes(record.to_dict())).hexdigest()


def seal(
    *,
    till_id: str,
    epoch: int,
    seq: int,
    occurred_at: datetime,
    actor: str | None,
    action: str,
    subject: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    prev_hash: str,
) -> AuditRecord:
    """Build a record and compute its hash."""
    draft = AuditRecord(
        till_id,
        epoch,
        seq,
        occurred_at,
        actor,
        action,
        subject,
        before,
        after,
        prev_hash,
        hash=GENESIS_HASH,  # placeholder; canonical_bytes ignores it
    )
    return replace(draft, hash=_digest(draft))


def append(
    previous: AuditRecord | None,
    *,
    till_id: str,
    epoch: int,
    occurred_at: datetime,
    actor: str | None,
    action: str,
    subject: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """The record that follows ``previous`` (or starts the chain when it is None)."""
    if previous is not None and (previous.till_id, previous.epoch) != (till_id, epoch):
        raise ValueError(
            f"previous record belongs to till {previous.till_id} epoch {previous.epoch}, "
            f"not till {till_id} epoch {epoch}"
        )
    return seal(
        till_id=till_id,
        epoch=epoch,
        seq=1 if previous is None else previous.seq + 1,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        subject=subject,
        before=before,
        after=after,
        prev_hash=GENESIS_HASH if previous is None else previous.hash,
    )


@dataclass(frozen=True)
class ChainVerdict:
    """Outcome of ``verify_chain``; ``first_bad_seq`` is the seq the chain should have had."""

    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str | None


def _problem(
    record: AuditRecord, seq: int, prev_hash: str, chain: tuple[str, int] | None, first: bool
) -> str | None:
    """Why ``record`` cannot be record ``seq`` of ``chain`` after ``prev_hash``, or None."""
    if chain is not None and (record.till_id, record.epoch) != chain:
        return (
            f"record {seq} belongs to till {record.till_id} epoch {record.epoch}, "
            f"not till {chain[0]} epoch {chain[1]}"
        )
    if record.seq > seq:
        if first:
            return f"record {seq} is missing (the records given start at {record.seq})"
        return f"record {seq} is missing (sequence jumps from {seq - 1} to {record.seq})"
    if record.seq < seq:
        return f"record {seq} is missing: found record {record.seq} again (duplicate or reordered)"
    if record.prev_hash != prev_hash:
        if first and prev_hash == GENESIS_HASH:
            return f"record {seq}: chain does not start at genesis"
        return f"record {seq}: prev_hash does not match record {seq - 1}"
    try:
        intact = _digest(record) == record.hash
    except (TypeError, ValueError):  # payload mutated in place after construction
        intact = False
    if not intact:
        return f"record {seq}: hash does not match its contents (tampered)"
    return None


def verify_chain(
    records: Iterable[AuditRecord],
    *,
    expect_start_seq: int = 1,
    expect_prev_hash: str = GENESIS_HASH,
) -> ChainVerdict:
    """Check ``records`` (in seq order) form one unbroken, untampered chain.

    ``expect_start_seq``/``expect_prev_hash`` let a caller verify a continuation against the
    last record it already verified. Stops at the first problem; empty input is ok.
    """
    seq, prev_hash = expect_start_seq, expect_prev_hash
    chain: tuple[str, int] | None = None
    checked = 0
    for record in records:
        problem = _problem(record, seq, prev_hash, chain, first=checked == 0)
        if problem is not None:
            return ChainVerdict(ok=False, checked=checked, first_bad_seq=seq, reason=problem)
        chain = (record.till_id, record.epoch)
        checked += 1
        seq, prev_hash = seq + 1, record.hash
    return ChainVerdict(ok=True, checked=checked, first_bad_seq=None, reason=None)
