"""Who may become a till: a spare code cannot take a till over, and an enrolled till is only
ever replaced on purpose, with an audit trail (issue: "stale enrolment codes")."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from sync_service.central.admin.edits import FieldError
from sync_service.central.admin.enrolment import create_code, recent_codes, replacement_code
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.reports.common import Scope
from sync_service.central.seed import seed_demo
from sync_service.central.tills import (
    EnrolmentError,
    authenticate,
    create_enrolment_code,
    enrol,
    retire_till,
)

pytestmark = pytest.mark.postgres

CLI = Callable[..., tuple[int, str, str]]
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = central_engine(pg_url, pool_size=2)
    seed_demo(eng, products=5)
    yield eng
    eng.dispose()


def orc(engine: Engine) -> uuid.UUID:
    with engine.connect() as conn:
        outlet: uuid.UUID = conn.execute(
            text("SELECT outlet_id FROM sgpos.outlet WHERE code = 'ORC'")
        ).scalar_one()
        return outlet


def new_code() -> str:
    return "E" + uuid.uuid4().hex[:5].upper()


def plain_code(engine: Engine, till_code: str, *, at: datetime = NOW) -> str:
    return create_enrolment_code(
        engine, outlet_code="ORC", till_code=till_code, created_by="head office", now=at
    )


def audit(engine: Engine, key: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT table_name, op, before, after, changed_by FROM sgpos.ho_audit "
                    "WHERE key = :k ORDER BY audit_id"
                ),
                {"k": key},
            )
        )


def test_using_a_code_revokes_the_others_so_a_spare_one_cannot_take_the_till_over(
    engine: Engine,
) -> None:
    till_code = new_code()
    spare = plain_code(engine, till_code)  # code A
    used = plain_code(engine, till_code, at=NOW + timedelta(minutes=1))  # code B
    machine_1 = enrol(engine, code=used, now=NOW + timedelta(minutes=2))

    with engine.connect() as conn:
        states = {
            c.created_at: c.state
            for c in recent_codes(conn, Scope.everything(), NOW + timedelta(minutes=3))
            if c.till_code == till_code
        }
    assert states == {NOW: "revoked", NOW + timedelta(minutes=1): "used"}
    with pytest.raises(EnrolmentError, match="not valid"):
        enrol(engine, code=spare, now=NOW + timedelta(minutes=4))  # machine 2
    assert authenticate(engine, machine_1.till_id, machine_1.secret) is not None


def test_an_enrolled_till_gets_no_ordinary_code_from_the_command_line_or_the_dashboard(
    engine: Engine, central_cli: CLI
) -> None:
    till_code = new_code()
    enrol(engine, code=plain_code(engine, till_code), now=NOW)

    with pytest.raises(EnrolmentError, match="enrolled and syncing"):
        plain_code(engine, till_code)
    with pytest.raises(FieldError, match="replace-till"):
        create_code(
            engine, "admin@example.com", outlet_id=orc(engine), till_code=till_code, now=NOW
        )
    code, out, err = central_cli("enrolment-code", "--outlet", "ORC", "--till", till_code)
    assert (code, out) == (1, "")
    assert "enrolled and syncing" in err and "sgpos-central replace-till" in err


def test_a_retired_till_comes_back_with_an_ordinary_code_and_a_new_secret(engine: Engine) -> None:
    till_code = new_code()
    first = enrol(engine, code=plain_code(engine, till_code), now=NOW)
    retire_till(engine, first.till_id, now=NOW + timedelta(hours=1))

    again = enrol(engine, code=plain_code(engine, till_code), now=NOW + timedelta(hours=2))

    assert again.till_id == first.till_id and again.secret != first.secret
    assert authenticate(engine, first.till_id, first.secret) is None
    assert authenticate(engine, again.till_id, again.secret) is not None
    enrolled = [r for r in audit(engine, str(first.till_id)) if r.changed_by.startswith("enrol")]
    assert [(r.op, (r.before or {}).get("status")) for r in enrolled] == [
        ("insert", None),
        ("update", "revoked"),
    ]


def test_replacing_an_enrolled_till_is_on_purpose_audited_and_stops_the_old_machine(
    engine: Engine, central_cli: CLI
) -> None:
    till_code = new_code()
    old = enrol(engine, code=plain_code(engine, till_code), now=NOW)
    a_spare_replacement = replacement_code(engine, "admin@example.com", old.till_id, now=NOW)

    code, out, err = central_cli("replace-till", "--outlet", "orc", "--till", till_code)
    assert code == 0, err
    assert f"Replacement code for till {till_code} at outlet ORC: " in out
    replacing = out.split(": ", 1)[1].split()[0]
    new = enrol(engine, code=replacing, now=NOW + timedelta(minutes=5))

    assert new.till_id == old.till_id  # the same till, its sales and sequence carry on
    assert authenticate(engine, old.till_id, old.secret) is None
    assert authenticate(engine, new.till_id, new.secret) is not None
    with pytest.raises(EnrolmentError, match="not valid"):  # revoked by the one used
        enrol(engine, code=a_spare_replacement.code, now=NOW + timedelta(minutes=6))
    with engine.connect() as conn:
        made = list(
            conn.execute(
                text(
                    "SELECT changed_by, after FROM sgpos.ho_audit WHERE table_name = "
                    "'enrolment_code' AND after ->> 'replaces_till_id' = :t ORDER BY audit_id"
                ),
                {"t": str(old.till_id)},
            )
        )
    assert len(made) == 2 and made[0].changed_by == "admin@example.com"
    assert made[1].changed_by.startswith("cli:")
    [replaced] = [r for r in audit(engine, str(old.till_id)) if r.after.get("replaced")]
    assert replaced.op == "update" and replaced.before["status"] == "active"
    assert replacing not in repr(made) + repr(replaced)  # codes are never kept in clear


def test_a_retired_till_needs_no_replacement(engine: Engine, central_cli: CLI) -> None:
    till_code = new_code()
    till = enrol(engine, code=plain_code(engine, till_code), now=NOW)
    retire_till(engine, till.till_id, now=NOW)
    code, _, err = central_cli("replace-till", "--outlet", "ORC", "--till", till_code)
    assert code == 1 and "retired" in err and "ordinary enrolment code" in err
    unknown = central_cli("replace-till", "--outlet", "ORC", "--till", "ZZ99")
    assert unknown[0] == 1 and "no till ZZ99 at outlet ORC" in unknown[2]
