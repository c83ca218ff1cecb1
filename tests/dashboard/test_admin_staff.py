"""Head office manages till staff (roles, outlets, PINs) and the fleet's credentials
(enrolment codes, revocation). A PIN set here is verified by a real till store that applied
the pull; the old PIN stops working; the PIN itself never reaches the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sync_service.central import models as m
from sync_service.central.admin import AdminError, FieldError
from sync_service.central.admin.enrolment import (
    create_code,
    recent_codes,
    replacement_code,
    revoke_code,
    revoke_till,
)
from sync_service.central.admin.staff import StaffDetails, create_staff, set_pin, update_staff
from sync_service.central.admin.staff_view import list_staff, staff_member
from sync_service.central.reports.common import Scope
from sync_service.central.tills import EnrolmentError, authenticate, enrol
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.dashboard.admin_support import (
    actor,
    audit_since,
    last_audit,
    last_change,
    private_central,
    pull_to_head,
)
from till.services.staff import SignInError
from till.store.master import apply_changes
from till.store.uow import UnitOfWork

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(pg_server: str) -> Iterator[Engine]:
    with private_central(pg_server) as engine:
        yield engine


@pytest.fixture(scope="module")
def outlets(engine: Engine) -> tuple[m.Outlet, m.Outlet]:
    return add_outlet(engine), add_outlet(engine)


@pytest.fixture
def till(
    engine: Engine, outlets: tuple[m.Outlet, m.Outlet], tmp_path: Path
) -> Iterator[SyncedTill]:
    t = enrolled_till(engine, tmp_path / "till", outlets[0], f"T{uuid.uuid4().hex[:3].upper()}")
    yield t
    t.demo.till.close()


def staff_code() -> str:
    return f"S{uuid.uuid4().int % 10**6:06d}"


def sync_down(engine: Engine, till: SyncedTill, cursor: str) -> str:
    """Pull from ``cursor`` and apply it to the till's own store, as the sync agent does."""
    cursor, changes = pull_to_head(engine, till.auth, cursor)
    with UnitOfWork(till.demo.till.store) as uow:
        apply_changes(uow.session, changes)
        uow.commit()
    return cursor


def test_a_pin_set_at_head_office_signs_in_at_the_till_and_the_old_one_stops(
    engine: Engine, outlets: tuple[m.Outlet, m.Outlet], till: SyncedTill
) -> None:
    who, code = actor(), staff_code()
    cursor, _ = pull_to_head(engine, till.auth)
    details = StaffDetails("Siti Nurhaliza", "cashier", True, frozenset({outlets[0].outlet_id}))
    staff_id = create_staff(engine, who, code=code, details=details, pin="1357")
    cursor = sync_down(engine, till, cursor)
    assert till.demo.till.staff.sign_in(code, "1357").display_name == "Siti Nurhaliza"

    mark = last_audit(engine)
    set_pin(engine, who, staff_id, "864200")
    cursor = sync_down(engine, till, cursor)
    assert till.demo.till.staff.sign_in(code, "864200").code == code
    with pytest.raises(SignInError, match="wrong PIN"):
        till.demo.till.staff.sign_in(code, "1357")

    edits = audit_since(engine, mark)
    assert {(e["table_name"], e["changed_by"]) for e in edits} == {
        ("staff", who),
        ("staff_pin", who),
    }
    assert "864200" not in repr(edits) and "pin_hash" not in repr(edits)


def test_staff_moved_off_an_outlet_can_no_longer_sign_in_there(
    engine: Engine, outlets: tuple[m.Outlet, m.Outlet], till: SyncedTill
) -> None:
    who, code = actor(), staff_code()
    cursor, _ = pull_to_head(engine, till.auth)
    here = frozenset({outlets[0].outlet_id})
    staff_id = create_staff(
        engine,
        who,
        code=code,
        details=StaffDetails("Ah Beng", "supervisor", True, here),
        pin="2468",
    )
    cursor = sync_down(engine, till, cursor)
    assert till.demo.till.staff.sign_in(code, "2468").role == "supervisor"

    elsewhere = frozenset({outlets[1].outlet_id})
    update_staff(engine, who, staff_id, StaffDetails("Ah Beng", "manager", True, elsewhere))
    sync_down(engine, till, cursor)
    with pytest.raises(SignInError, match="no staff member"):
        till.demo.till.staff.sign_in(code, "2468")
    with engine.connect() as conn:
        row = staff_member(conn, Scope(None), staff_id)
    assert row is not None and row.role == "manager" and row.outlet_codes == (outlets[1].code,)


def test_staff_without_a_pin_cannot_sign_in_and_show_as_such(
    engine: Engine, outlets: tuple[m.Outlet, m.Outlet], till: SyncedTill
) -> None:
    who, code = actor(), staff_code()
    cursor, _ = pull_to_head(engine, till.auth)
    here = frozenset({outlets[0].outlet_id})
    staff_id = create_staff(
        engine, who, code=code, details=StaffDetails("Mei Ling", "cashier", True, here), pin=None
    )
    sync_down(engine, till, cursor)
    with pytest.raises(SignInError):
        till.demo.till.staff.sign_in(code, "0000")
    with engine.connect() as conn:
        row = staff_member(conn, Scope(None), staff_id)
        other_outlet = staff_member(conn, Scope(frozenset({outlets[1].outlet_id})), staff_id)
        listed = list_staff(conn, Scope(frozenset({outlets[0].outlet_id})), "mei")
    assert row is not None and not row.pin_set and row.outlet_codes == (outlets[0].code,)
    assert other_outlet is None  # another outlet's manager does not see her
    assert [r.staff_id for r in listed] == [staff_id]


def test_bad_staff_input_is_refused_and_nothing_is_written(
    engine: Engine, outlets: tuple[m.Outlet, m.Outlet]
) -> None:
    who, code = actor(), staff_code()
    here = frozenset({outlets[0].outlet_id})
    create_staff(
        engine, who, code=code, details=StaffDetails("Raju", "cashier", True, here), pin=None
    )
    marks = last_audit(engine), last_change(engine)
    details = StaffDetails("Someone", "cashier", True, here)
    with pytest.raises(FieldError, match="already the code of Raju"):
        create_staff(engine, who, code=code.lower(), details=details, pin=None)
    with pytest.raises(FieldError, match="4 to 8 digits"):
        create_staff(engine, who, code=staff_code(), details=details, pin="12ab")
    with pytest.raises(FieldError, match="outlet"):
        create_staff(
            engine,
            who,
            code=staff_code(),
            details=StaffDetails("X", "cashier", True, frozenset({uuid.uuid4()})),
            pin=None,
        )
    with pytest.raises(AdminError, match="no such staff"):
        set_pin(engine, who, uuid.uuid4(), "4321")
    assert (last_audit(engine), last_change(engine)) == marks


def test_an_enrolment_code_enrols_once_and_a_revoked_one_never(
    engine: Engine, outlets: tuple[m.Outlet, m.Outlet]
) -> None:
    who, outlet = actor(), outlets[1]
    mark = last_audit(engine)
    fresh = create_code(engine, who, outlet_id=outlet.outlet_id, till_code="t07", now=NOW)
    assert (fresh.outlet_code, fresh.till_code, fresh.replaces_enrolled_till) == (
        outlet.code,
        "T07",
        False,
    )
    ok = enrol(engine, code=fresh.code.lower(), now=NOW + timedelta(minutes=5))
    assert ok.till_code == "T07"
    with pytest.raises(EnrolmentError, match="already used"):
        enrol(engine, code=fresh.code, now=NOW + timedelta(minutes=6))

    spare = create_code(engine, who, outlet_id=outlet.outlet_id, till_code="T08", now=NOW)
    with engine.connect() as conn:
        codes = {
            c.till_code: c for c in recent_codes(conn, Scope(frozenset({outlet.outlet_id})), NOW)
        }
    assert codes["T07"].state == "used" and codes["T08"].state == "waiting"
    revoke_code(engine, who, codes["T08"].code_hash, now=NOW)
    with pytest.raises(EnrolmentError, match="not valid"):
        enrol(engine, code=spare.code, now=NOW)
    edits = audit_since(engine, mark)
    # The code made, the till enrolled with it, the spare code made and revoked.
    assert [e["table_name"] for e in edits] == ["enrolment_code", "till"] + ["enrolment_code"] * 2
    assert {e["changed_by"] for e in edits} == {who, f"enrolment code of {who}"}
    assert fresh.code not in repr(edits) and spare.code not in repr(edits)


def test_a_revoked_till_is_refused_and_its_waiting_codes_die_with_it(
    engine: Engine, outlets: tuple[m.Outlet, m.Outlet]
) -> None:
    who, outlet = actor(), outlets[0]
    first = create_code(engine, who, outlet_id=outlet.outlet_id, till_code="T21", now=NOW)
    ok = enrol(engine, code=first.code, now=NOW)
    assert authenticate(engine, ok.till_id, ok.secret) is not None
    with pytest.raises(FieldError, match="enrolled and syncing"):
        create_code(engine, who, outlet_id=outlet.outlet_id, till_code="T21", now=NOW)
    again = replacement_code(engine, who, ok.till_id, now=NOW)
    assert again.replaces_enrolled_till

    mark = last_audit(engine)
    revoke_till(engine, who, ok.till_id, now=NOW)
    assert authenticate(engine, ok.till_id, ok.secret) is None
    with pytest.raises(EnrolmentError):
        enrol(engine, code=again.code, now=NOW)
    with pytest.raises(AdminError, match="already revoked"):
        revoke_till(engine, who, ok.till_id, now=NOW)
    [edit] = audit_since(engine, mark)
    assert (edit["table_name"], edit["after"]["status"], edit["changed_by"]) == (
        "till",
        "revoked",
        who,
    )
    with pytest.raises(FieldError, match="not a till code"):
        create_code(engine, who, outlet_id=outlet.outlet_id, till_code="T 1", now=NOW)
