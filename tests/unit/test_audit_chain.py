"""Behaviour of the per-till hash-chained audit trail (shared.audit)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import string
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from shared.audit import (
    GENESIS_HASH,
    AuditRecord,
    ChainVerdict,
    append,
    canonical_bytes,
    seal,
    verify_chain,
)

TILL = "6f1c2a4e-8b1d-4c3e-9f00-1a2b3c4d5e6f"
OTHER_TILL = "0d9e8f7a-6b5c-4d3e-8f21-0a1b2c3d4e5f"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def build_chain(n: int = 6, *, till_id: str = TILL, epoch: int = 1) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    previous = None
    for i in range(n):
        previous = append(
            previous,
            till_id=till_id,
            epoch=epoch,
            occurred_at=T0 + timedelta(minutes=i),
            actor=f"staff-{i % 2}",
            action="sale.discount_applied",
            subject=f"R-{1000 + i}",
            before={"total": Decimal("12.50"), "lines": [{"sku": "CAFÉ-1", "qty": 2}]},
            after={"total": Decimal("11.25"), "reason": "loyalty", "approved": True},
        )
        records.append(previous)
    return records


def with_record(records: list[AuditRecord], index: int, record: AuditRecord) -> list[AuditRecord]:
    return [*records[:index], record, *records[index + 1 :]]


# --- building and round-tripping --------------------------------------------------------------


def test_built_chain_verifies_and_links_each_record_to_the_previous() -> None:
    chain = build_chain(6)

    assert verify_chain(chain) == ChainVerdict(ok=True, checked=6, first_bad_seq=None, reason=None)
    assert [r.seq for r in chain] == [1, 2, 3, 4, 5, 6]
    assert chain[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(chain))


def test_empty_input_is_ok() -> None:
    assert verify_chain([]) == ChainVerdict(ok=True, checked=0, first_bad_seq=None, reason=None)


def test_dict_round_trip_through_json_is_equal_and_still_verifies() -> None:
    chain = build_chain(5)

    lines = [json.dumps(r.to_dict(), ensure_ascii=False) for r in chain]
    restored = [AuditRecord.from_dict(json.loads(line)) for line in lines]

    assert restored == chain
    assert verify_chain(restored).ok


def test_whitespace_between_json_tokens_is_not_a_change() -> None:
    chain = build_chain(3)
    reformatted = [json.dumps(r.to_dict(), indent="\t") for r in chain]

    assert verify_chain(AuditRecord.from_dict(json.loads(line)) for line in reformatted).ok


def test_to_dict_is_json_safe_utc_with_microseconds_and_decimal_strings() -> None:
    local = timezone(timedelta(hours=8))  # Singapore
    record = append(
        None,
        till_id=TILL,
        epoch=1,
        occurred_at=datetime(2024, 5, 1, 17, 30, tzinfo=local),
        actor=None,
        action="drawer.opened",
        after={"float": Decimal("150.00")},
    )

    data = record.to_dict()

    assert json.loads(json.dumps(data)) == data
    assert data["occurred_at"] == "2024-05-01T09:30:00.000000Z"
    assert data["after"] == {"float": "150.00"}
    assert data["hash"] == record.hash
    assert data["prev_hash"] == GENESIS_HASH


def test_canonical_form_is_compact_sorted_utf8_and_ignores_hash() -> None:
    fields_a = {"b": 1, "a": "café", "hash": "x" * 64}
    fields_b = {"a": "café", "b": 1}

    assert canonical_bytes(fields_a) == canonical_bytes(fields_b) == '{"a":"café","b":1}'.encode()


def test_decimal_hashes_like_its_exact_string_but_scale_matters() -> None:
    as_decimal = canonical_bytes({"total": Decimal("1.50")})

    assert as_decimal == canonical_bytes({"total": "1.50"})
    assert as_decimal != canonical_bytes({"total": Decimal("1.5")})


def test_new_epoch_after_restore_is_its_own_chain_starting_at_genesis() -> None:
    old = build_chain(3, epoch=1)
    new = build_chain(2, epoch=2)

    assert (new[0].seq, new[0].prev_hash) == (1, GENESIS_HASH)
    assert verify_chain(new).ok
    assert not verify_chain(old + new).ok


def test_continuation_verifies_against_last_verified_record() -> None:
    chain = build_chain(6)
    page = chain[3:]

    assert verify_chain(page, expect_start_seq=4, expect_prev_hash=chain[2].hash).ok
    bad = verify_chain(page, expect_start_seq=4, expect_prev_hash=chain[1].hash)
    assert (bad.ok, bad.first_bad_seq, bad.reason) == (
        False,
        4,
        "record 4: prev_hash does not match record 3",
    )


# --- tampering ------------------------------------------------------------------------------

CONTENT_TAMPERS: dict[str, dict[str, Any]] = {
    "actor": {"actor": "staff-9"},
    "action": {"action": "sale.voided"},
    "subject": {"subject": "R-9999"},
    "before": {"before": {"total": Decimal("99.99"), "lines": []}},
    "after": {"after": {"total": Decimal("0.01"), "reason": "loyalty", "approved": True}},
    "occurred_at": {"occurred_at": T0 + timedelta(hours=5)},
    "hash": {"hash": "ab" * 32},
}


@pytest.mark.parametrize("change", CONTENT_TAMPERS.values(), ids=CONTENT_TAMPERS.keys())
def test_tampered_field_of_middle_record_is_reported_at_that_seq(change: dict[str, Any]) -> None:
    chain = build_chain(6)

    verdict = verify_chain(with_record(chain, 2, dataclasses.replace(chain[2], **change)))

    assert verdict == ChainVerdict(
        ok=False,
        checked=2,
        first_bad_seq=3,
        reason="record 3: hash does not match its contents (tampered)",
    )


def test_tampered_prev_hash_is_reported_as_broken_link() -> None:
    chain = build_chain(6)

    verdict = verify_chain(
        with_record(chain, 2, dataclasses.replace(chain[2], prev_hash="cd" * 32))
    )

    assert (verdict.ok, verdict.first_bad_seq) == (False, 3)
    assert verdict.reason == "record 3: prev_hash does not match record 2"


def test_resealed_forgery_breaks_the_link_of_the_next_record() -> None:
    chain = build_chain(6)
    original = chain[2]
    content = {f.name: getattr(original, f.name) for f in dataclasses.fields(original)}
    del content["hash"]
    forged = seal(**content | {"after": {"total": Decimal("0.00")}})  # attacker recomputes hash

    verdict = verify_chain(with_record(chain, 2, forged))

    assert (verdict.ok, verdict.first_bad_seq, verdict.checked) == (False, 4, 3)
    assert verdict.reason == "record 4: prev_hash does not match record 3"


def test_in_place_mutation_of_payload_is_detected() -> None:
    chain = build_chain(4)
    assert chain[1].after is not None

    chain[1].after["total"] = "0.00"  # type: ignore[index]  # the record is frozen, its dict isn't

    verdict = verify_chain(chain)
    assert (verdict.ok, verdict.first_bad_seq) == (False, 2)


def test_deleted_middle_record_is_reported_missing() -> None:
    chain = build_chain(6)

    verdict = verify_chain(chain[:2] + chain[3:])

    assert verdict == ChainVerdict(
        ok=False,
        checked=2,
        first_bad_seq=3,
        reason="record 3 is missing (sequence jumps from 2 to 4)",
    )


def test_reordered_pair_is_reported_at_first_displaced_seq() -> None:
    chain = build_chain(6)

    verdict = verify_chain([chain[0], chain[1], chain[3], chain[2], chain[4], chain[5]])

    assert (verdict.ok, verdict.first_bad_seq, verdict.checked) == (False, 3, 2)


def test_duplicated_record_is_reported() -> None:
    chain = build_chain(4)

    verdict = verify_chain([*chain[:3], chain[2], *chain[3:]])

    assert (verdict.ok, verdict.first_bad_seq) == (False, 4)
    assert "found record 3 again" in str(verdict.reason)


@pytest.mark.parametrize(("till_id", "epoch"), [(OTHER_TILL, 1), (TILL, 2)])
def test_record_from_another_chain_mixed_in_is_reported(till_id: str, epoch: int) -> None:
    chain = build_chain(6)
    intruder = build_chain(3, till_id=till_id, epoch=epoch)[2]

    verdict = verify_chain(with_record(chain, 2, intruder))

    assert (verdict.ok, verdict.first_bad_seq) == (False, 3)
    assert verdict.reason == (
        f"record 3 belongs to till {till_id} epoch {epoch}, not till {TILL} epoch 1"
    )


def test_chain_not_starting_at_genesis_is_reported() -> None:
    first = seal(
        till_id=TILL,
        epoch=1,
        seq=1,
        occurred_at=T0,
        actor="staff-1",
        action="staff.signed_in",
        subject=None,
        before=None,
        after=None,
        prev_hash="ef" * 32,
    )

    verdict = verify_chain([first])

    assert verdict == ChainVerdict(
        ok=False, checked=0, first_bad_seq=1, reason="record 1: chain does not start at genesis"
    )


def test_chain_with_head_cut_off_is_reported_missing_record_1() -> None:
    verdict = verify_chain(build_chain(4)[1:])

    assert (verdict.ok, verdict.first_bad_seq) == (False, 1)
    assert str(verdict.reason).startswith("record 1 is missing")


# --- refusals -------------------------------------------------------------------------------

FLOAT_PAYLOADS = [
    {"before": {"total": 1.5}},
    {"after": {"lines": [{"price": Decimal("1.00")}, {"price": 2.0}]}},
    {"after": {"nested": {"deeper": [0.1]}}},
]


@pytest.mark.parametrize("payload", FLOAT_PAYLOADS)
def test_float_anywhere_in_payload_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="float"):
        append(
            None, till_id=TILL, epoch=1, occurred_at=T0, actor="s", action="sale.voided", **payload
        )


def test_canonical_bytes_refuses_float_and_non_string_keys() -> None:
    with pytest.raises(TypeError, match="float"):
        canonical_bytes({"amount": 0.1})
    with pytest.raises(TypeError, match="keys must be str"):
        canonical_bytes({"lines": {1: "x"}})


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        append(
            None,
            till_id=TILL,
            epoch=1,
            occurred_at=datetime(2024, 5, 1, 9, 0),  # noqa: DTZ001  (the point of the test)
            actor="s",
            action="staff.signed_in",
        )
    data = build_chain(1)[0].to_dict() | {"occurred_at": "2024-05-01T09:00:00.000000"}
    with pytest.raises(ValueError, match="naive"):
        AuditRecord.from_dict(data)


def test_append_refuses_previous_record_of_another_till_or_epoch() -> None:
    previous = build_chain(2)[-1]

    for till_id, epoch in [(OTHER_TILL, 1), (TILL, 2)]:
        with pytest.raises(ValueError, match="previous record belongs to"):
            append(
                previous,
                till_id=till_id,
                epoch=epoch,
                occurred_at=T0,
                actor="s",
                action="staff.signed_out",
            )


DROP = object()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seq": DROP}, "missing fields: seq"),
        ({"seq": "3"}, "'seq' must be int, got str"),
        ({"epoch": True}, "'epoch' must be int, got bool"),
        ({"actor": 7}, "'actor' must be str or None, got int"),
        ({"before": [1]}, "'before' must be Mapping or None, got list"),
        ({"after": {"total": 1.5}}, "float"),
        ({"hash": "XYZ"}, "'hash' must be 64 lower-case hex"),
        ({"till_id": "till-1"}, "not a lower-case UUID"),
        ({"surplus": 1}, "unknown fields: surplus"),
    ],
)
def test_from_dict_rejects_missing_or_mistyped_fields(change: dict[str, Any], message: str) -> None:
    merged = build_chain(1)[0].to_dict() | change
    data = {key: value for key, value in merged.items() if value is not DROP}

    with pytest.raises(ValueError, match=message):
        AuditRecord.from_dict(data)


# --- property: any single-byte change to the stored JSON lines is caught at that line --------

# Lone surrogates have no UTF-8 form (canonical_bytes refuses them), so they are no payload.
text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | text
    | st.decimals(allow_nan=False, allow_infinity=False)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
payloads = st.none() | st.dictionaries(text, values, max_size=4)
moments = st.datetimes(
    # hypothesis wants naive bounds and attaches the zone itself
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)
actions = st.sampled_from(
    ["staff.signed_in", "staff.pin_failed", "sale.voided", "refund.issued", "shift.closed"]
)


def replacement_bytes(original: int) -> st.SearchStrategy[int]:
    # Uniformly random bytes almost never survive UTF-8, JSON and from_dict, so mostly swap a byte
    # for one of its own kind (hex digit, letter, whitespace): those parse, and reach verify_chain.
    kinds = [b"0123456789abcdef", string.ascii_letters.encode(), b" \t\r\n"]
    similar = next((kind for kind in kinds if original in kind), b"0123456789")
    wild = st.integers(0, 255)
    return st.integers(0, 3).flatmap(lambda n: wild if n == 3 else st.sampled_from(similar))


@st.composite
def chains(draw: st.DrawFn) -> list[AuditRecord]:
    till_id, epoch = str(draw(st.uuids())), draw(st.integers(1, 5))
    records: list[AuditRecord] = []
    for _ in range(draw(st.integers(1, 12))):
        records.append(
            append(
                records[-1] if records else None,
                till_id=till_id,
                epoch=epoch,
                occurred_at=draw(moments),
                actor=draw(st.none() | text),
                action=draw(actions),
                subject=draw(st.none() | text),
                before=draw(payloads),
                after=draw(payloads),
            )
        )
    return records


@settings(max_examples=150)
@given(chain=chains(), data=st.data())
def test_any_single_byte_change_is_detected_at_its_line(
    chain: list[AuditRecord], data: st.DataObject
) -> None:
    lines = [json.dumps(r.to_dict(), ensure_ascii=False).encode("utf-8") for r in chain]
    assert verify_chain(AuditRecord.from_dict(json.loads(line)) for line in lines).ok

    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    line = lines[index]
    # integers() favours the ends of its range (the line's opening brace); Random is uniform.
    pos = data.draw(st.randoms(use_true_random=False), label="rng").randrange(len(line))
    byte = data.draw(replacement_bytes(line[pos]).filter(lambda b: b != line[pos]), label="byte")
    mutated = line[:pos] + bytes([byte]) + line[pos + 1 :]

    try:
        parsed = AuditRecord.from_dict(json.loads(mutated.decode("utf-8")))
    except ValueError:  # incl. UnicodeDecodeError / JSONDecodeError: the import refuses it
        event("mutation refused on import")
        return
    verdict = verify_chain(with_record(chain, index, parsed))

    if parsed == chain[index]:  # e.g. whitespace between tokens: not a change of the record
        event("mutation left the record unchanged")
        assert verdict.ok
    else:
        event("mutation caught by verify_chain")
        assert not verdict.ok
        assert verdict.first_bad_seq == chain[index].seq
