"""A quarantined sale on the fleet page: why it was kept aside, beside the stored sale whose
receipt number it reused, and an admin discarding it with a reason, audited."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.dashboard.conftest import Shop
from tests.dashboard.support import Visitor
from tests.dashboard.test_security import fingerprint

pytestmark = pytest.mark.postgres
SignIn = Callable[[str], Visitor]


@pytest.fixture
def reused_number(shop: Shop) -> Iterator[tuple[uuid.UUID, int, str]]:
    """Till A sends a different sale under a receipt number it already used (as a till
    restored from an old backup would): kept aside by the server."""
    till_id = shop.tills["A"].till.auth.till_id
    with shop.engine.begin() as conn:
        stored = conn.execute(
            text(
                "SELECT receipt_no, sold_at, cashier_id, total FROM sgpos.sale "
                "WHERE till_id = :t ORDER BY sold_at LIMIT 1"
            ),
            {"t": till_id},
        ).one()
        payload = {
            "sale_id": str(uuid.uuid4()),
            "receipt_no": stored.receipt_no,
            "sold_at": stored.sold_at.isoformat(),
            "cashier_id": str(stored.cashier_id),
            "total": str(stored.total + Decimal("7.30")),
            "gst_total": "0.60",
            "lines": [],
        }
        quarantine_id = conn.execute(
            text(
                "INSERT INTO sgpos.quarantine (till_id, epoch, seq, event_id, kind, reason, "
                "payload, payload_sha256) VALUES (:t, 7, 1, :e, 'sale.completed', :r, "
                "CAST(:p AS jsonb), :h) RETURNING quarantine_id"
            ),
            {
                "t": till_id,
                "e": uuid.uuid4(),
                "r": f"receipt number {stored.receipt_no} is already stored for another sale",
                "p": json.dumps(payload),
                "h": "b" * 64,
            },
        ).scalar_one()
    yield till_id, quarantine_id, stored.receipt_no
    with shop.engine.begin() as conn:  # leave the shop as the other tests expect it
        conn.execute(
            text("DELETE FROM sgpos.quarantine WHERE quarantine_id = :q"), {"q": quarantine_id}
        )


def _panel(html: str, quarantine_id: int) -> str:
    found = re.search(
        rf'<section class="panel quarantine" data-quarantine="{quarantine_id}">(.*?)</section>',
        html,
        re.S,
    )
    assert found, "the event is not on the page"
    return found.group(1)


def test_the_event_shows_why_and_the_stored_sale_side_by_side(
    signed_in: SignIn, shop: Shop, reused_number: tuple[uuid.UUID, int, str]
) -> None:
    till_id, quarantine_id, receipt = reused_number
    page = signed_in("analyst").get(f"/ho/fleet/tills/{till_id}")
    panel = _panel(page.text, quarantine_id)
    assert f"receipt number {receipt} is already stored" in panel
    assert "Receipt number" in panel and "Total" in panel
    differing = re.findall(r'<tr class="negative"><th scope="row" class="name">([^<]+)<', panel)
    assert set(differing) == {"Sale id", "Total", "GST"}  # same number, another sale
    assert '<a href="/ho/sales/' in panel  # the stored sale opens
    assert "Discard" not in panel  # an analyst reads; only an admin acts


def test_an_admin_discards_it_with_a_reason_and_it_is_audited(
    signed_in: SignIn, shop: Shop, reused_number: tuple[uuid.UUID, int, str]
) -> None:
    till_id, quarantine_id, _ = reused_number
    admin = signed_in("admin")
    path = f"/ho/fleet/tills/{till_id}/quarantine/{quarantine_id}/discard"
    before = fingerprint(shop)
    short = admin.post(path, {"reason": "x"}, token=admin.csrf_token())
    assert short.status == 400 and "say why it is discarded" in short.text
    assert fingerprint(shop) == before
    done = admin.post(path, {"reason": "sent twice  after a restore"}, token=admin.csrf_token())
    assert done.status == 303 and "done=quarantine-discarded" in done.location
    with shop.engine.connect() as conn:
        resolved = conn.execute(
            text("SELECT resolved_at FROM sgpos.quarantine WHERE quarantine_id = :q"),
            {"q": quarantine_id},
        ).scalar_one()
        audit = conn.execute(
            text(
                "SELECT changed_by, after FROM sgpos.ho_audit WHERE table_name = 'quarantine' "
                "AND key = :k"
            ),
            {"k": str(quarantine_id)},
        ).one()
    assert resolved is not None
    assert audit.changed_by == shop.emails["admin"]
    assert audit.after["resolution"] == "discarded"
    assert audit.after["reason"] == "sent twice after a restore"
    page = admin.get(done.location)
    assert "The event was discarded" in page.text
    panel = _panel(page.text, quarantine_id)
    assert f"Discarded by {shop.emails['admin']}" in panel and "sent twice after a restore" in panel
    again = admin.post(path, {"reason": "once more"}, token=admin.csrf_token())
    assert again.status == 400 and "already resolved" in again.text
    other_till = shop.tills["B"].till.auth.till_id
    elsewhere = f"/ho/fleet/tills/{other_till}/quarantine/{quarantine_id}/discard"
    wrong_till = admin.post(elsewhere, {"reason": "not here"}, token=admin.csrf_token())
    assert wrong_till.status == 400 and "no such quarantined event at this till" in wrong_till.text
