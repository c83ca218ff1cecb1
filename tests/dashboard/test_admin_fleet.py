"""The fleet query: each till's status colour and the reasons for it, within the viewer's
outlets, and its quarantined events with their reasons."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from sync_service.central import models as m
from sync_service.central.admin.fleet import fleet, quarantined_events
from sync_service.central.reports.common import Scope
from sync_service.central.tills import create_enrolment_code, enrol
from tests.central import add_outlet
from tests.dashboard.admin_support import private_central

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(pg_server: str) -> Iterator[Engine]:
    with private_central(pg_server) as engine:
        yield engine


def till(engine: Engine, outlet: m.Outlet, code: str, **report: Any) -> uuid.UUID:
    one_time = create_enrolment_code(
        engine, outlet_code=outlet.code, till_code=code, created_by="test", now=NOW
    )
    till_id = enrol(engine, code=one_time, now=NOW).till_id
    if report:
        sets = ", ".join(f"{k} = :{k}" for k in report)
        with engine.begin() as conn:
            conn.execute(
                text(f"UPDATE sgpos.till SET {sets} WHERE till_id = :t"), {**report, "t": till_id}
            )
    return till_id


def test_each_till_gets_the_colour_its_worst_problem_deserves(engine: Engine) -> None:
    shop, other = add_outlet(engine), add_outlet(engine)
    recent = NOW - timedelta(minutes=3)
    ids = {
        "green": till(engine, shop, "T01", last_seen_at=recent, backlog=0, clock_skew_s=2),
        "quiet": till(engine, shop, "T02", last_seen_at=NOW - timedelta(hours=3)),
        "stalled": till(
            engine, shop, "T03", last_seen_at=recent, oldest_pending_at=NOW - timedelta(hours=2)
        ),
        "skewed": till(engine, shop, "T04", last_seen_at=recent, clock_skew_s=-90),
        "new": till(engine, shop, "T05"),
        "revoked": till(engine, shop, "T06", last_seen_at=recent, status="revoked"),
        "elsewhere": till(engine, other, "T01", last_seen_at=recent),
    }
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sgpos.quarantine (till_id, epoch, seq, event_id, kind, reason, "
                "payload, payload_sha256) VALUES (:t, 1, 4, :e, 'sale.completed', "
                "'invalid payload: total is not a decimal string', CAST(:p AS jsonb), :h)"
            ),
            {"t": ids["green"], "e": uuid.uuid4(), "p": '{"total": 12.5}', "h": "a" * 64},
        )
    with engine.connect() as conn:
        seen = {t.till_id: t for t in fleet(conn, Scope(frozenset({shop.outlet_id})), NOW)}
        events = quarantined_events(conn, Scope(None), ids["green"])
        hidden = quarantined_events(conn, Scope(frozenset({other.outlet_id})), ids["green"])
    assert ids["elsewhere"] not in seen  # another outlet's till is not in this scope
    health = {name: (seen[i].health, seen[i].problems) for name, i in ids.items() if i in seen}
    assert health["green"] == ("red", ("1 quarantined event(s) need a look",))
    assert health["quiet"] == ("amber", ("not seen for 3 h",))
    assert health["stalled"] == ("red", ("oldest unsent event waiting 2 h",))
    assert health["skewed"] == ("amber", ("clock off by 90 s",))
    assert health["new"][0] == "grey" and health["revoked"][0] == "grey"
    assert events is not None and [e.reason for e in events] == [
        "invalid payload: total is not a decimal string"
    ]
    assert events[0].payload == {"total": 12.5}
    assert hidden is None  # not this viewer's till: as if it did not exist


def test_a_healthy_till_is_green(engine: Engine) -> None:
    shop = add_outlet(engine)
    till_id = till(engine, shop, "T01", last_seen_at=NOW, backlog=3, clock_skew_s=-1)
    with engine.connect() as conn:
        [row] = fleet(conn, Scope(None), NOW, till_id=till_id)
    assert (row.health, row.problems, row.outlet_code) == ("green", (), shop.code)
