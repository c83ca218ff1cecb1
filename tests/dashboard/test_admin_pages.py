"""The catalogue, staff and fleet pages in a browser-like client: an admin changes things, the
analyst and an outlet manager can look but not touch (403, nothing changed), a price scheduled
for later becomes the price when the server's schedule finds it due.

These pages run on a central database of their own with a clock the test moves, so moving
time here never disturbs the shared dashboard fixtures (whose scheduler uses the real clock).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aiohttp
import pytest
from sqlalchemy import Engine, text

from shared.gst import SINGAPORE
from sync_service.central import models as m
from sync_service.central.admin.products import ProductDetails, create_product
from sync_service.central.db import CentralSettings
from sync_service.central.tills import authenticate, create_enrolment_code, enrol
from sync_service.central.users import create_user
from sync_service.server.app import make_app
from tests.central import add_outlet
from tests.dashboard.admin_support import private_central, scalar
from tests.dashboard.support import PASSWORD, LiveDashboard, Page, Visitor

pytestmark = pytest.mark.postgres
SCRIPT = "<script>alert(1)</script>"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Site:
    engine: Engine
    url: str
    clock: Clock
    server: LiveDashboard
    outlet_a: m.Outlet
    outlet_b: m.Outlet
    emails: dict[str, str]
    product_id: uuid.UUID
    till_a: uuid.UUID
    till_b: uuid.UUID


def serve(site_url: str, engine: Engine, clock: Clock) -> LiveDashboard:
    settings = CentralSettings.load(central_db_url=site_url, db_pool_size=4)
    return LiveDashboard(make_app(settings, engine, clock=clock))


def enrolled(engine: Engine, outlet: m.Outlet, code: str, now: datetime) -> uuid.UUID:
    one_time = create_enrolment_code(
        engine, outlet_code=outlet.code, till_code=code, created_by="test", now=now
    )
    return enrol(engine, code=one_time, now=now).till_id


@pytest.fixture(scope="module")
def site(pg_server: str) -> Iterator[Site]:
    with private_central(pg_server) as engine:
        url = engine.url.render_as_string(hide_password=False)
        clock = Clock()
        outlet_a, outlet_b = add_outlet(engine), add_outlet(engine)
        emails = {
            r: f"{r}-{uuid.uuid4().hex[:6]}@example.com" for r in ("admin", "analyst", "manager")
        }
        create_user(
            engine, email=emails["admin"], password=PASSWORD, role="admin", outlet_code=None
        )
        create_user(
            engine, email=emails["analyst"], password=PASSWORD, role="analyst", outlet_code=None
        )
        create_user(
            engine,
            email=emails["manager"],
            password=PASSWORD,
            role="outlet_manager",
            outlet_code=outlet_b.code,
        )
        product_id = create_product(
            engine,
            "setup@example.com",
            sku="KOPI-1L",
            details=ProductDetails("Kopi-O 1L", "SR", None, True),
            price=Decimal("3.50"),
            now=clock.now - timedelta(days=1),
        )
        till_a = enrolled(engine, outlet_a, "T01", clock.now)
        till_b = enrolled(engine, outlet_b, "T01", clock.now)
        server = serve(url, engine, clock)
        try:
            yield Site(
                engine, url, clock, server, outlet_a, outlet_b, emails, product_id, till_a, till_b
            )
        finally:
            server.close()


@pytest.fixture(scope="module")
def browsers(site: Site) -> Iterator[Callable[[str], Visitor]]:
    opened: dict[str, Visitor] = {}

    def browser(role: str) -> Visitor:
        if role not in opened:
            v = site.server.visitor()
            assert v.sign_in(site.emails[role]).status == 303
            opened[role] = v
        return opened[role]

    yield browser
    for v in opened.values():
        v.close()


def token(v: Visitor, path: str) -> str:
    page = v.get(path)
    assert page.status == 200, page.text
    assert page.csrf_token
    return page.csrf_token


def price_of(site: Site, product_id: uuid.UUID | None = None) -> Decimal:
    return Decimal(
        scalar(
            site.engine,
            "SELECT price FROM sgpos.product WHERE product_id = :p",
            p=product_id or site.product_id,
        )
    )


def upload(v: Visitor, path: str, fields: dict[str, str], data: bytes) -> Page:
    async def send() -> Page:
        form = aiohttp.FormData()
        for name, value in fields.items():
            form.add_field(name, value)
        form.add_field("file", data, filename="import.csv", content_type="text/csv")
        async with v.session.post(path, data=form, allow_redirects=False) as response:
            return Page(response.status, response.headers, await response.read(), str(response.url))

    return v.server.call(send())


def test_an_admin_changes_a_price_and_the_page_shows_what_the_database_holds(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    admin = browsers("admin")
    where = f"/ho/catalogue/products/{site.product_id}"
    answer = admin.post(
        f"{where}/price", {"price": "3.80", "effective_from": ""}, token=token(admin, where)
    )
    assert answer.status == 303 and answer.location == f"{where}?done=price-now"
    shown = admin.get(answer.location)
    assert "The new price is in force now" in shown.text
    assert re.search(r'data-figure="price">3\.80<', shown.text)
    assert price_of(site) == Decimal("3.80")
    actor = scalar(
        site.engine,
        "SELECT changed_by FROM sgpos.ho_audit WHERE table_name = 'product' AND key = :k "
        "ORDER BY audit_id DESC LIMIT 1",
        k=str(site.product_id),
    )
    assert actor == site.emails["admin"]


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_the_analyst_and_an_outlet_manager_see_prices_but_cannot_change_them(
    site: Site, browsers: Callable[[str], Visitor], role: str
) -> None:
    reader = browsers(role)
    where = f"/ho/catalogue/products/{site.product_id}"
    seen = reader.get(where)
    assert seen.status == 200 and "Set price" not in seen.text
    before = price_of(site)
    for path, form in [
        (f"{where}/price", {"price": "0.10"}),
        (f"{where}/barcodes", {"barcode": "123456"}),
        ("/ho/catalogue/new", {"sku": "X", "name": "X", "price": "1", "tax_code": "SR"}),
        ("/ho/staff", {"code": "HACK", "display_name": "X", "role": "manager"}),
        (f"/ho/fleet/tills/{site.till_a}/revoke", {}),
        ("/ho/fleet/codes", {"outlet_id": str(site.outlet_b.outlet_id), "till_code": "T09"}),
    ]:
        assert reader.post(path, form, token=token(reader, "/ho/catalogue")).status == 403, path
    assert reader.get("/ho/catalogue/import").status == 403
    assert price_of(site) == before
    assert scalar(site.engine, "SELECT count(*) FROM sgpos.staff WHERE code = 'HACK'") == 0


def test_a_form_without_its_token_changes_nothing(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    admin = browsers("admin")
    before = price_of(site)
    answer = admin.post(f"/ho/catalogue/products/{site.product_id}/price", {"price": "0.01"})
    assert answer.status == 403 and price_of(site) == before


def test_a_bad_price_is_explained_and_nothing_changes(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    admin = browsers("admin")
    where = f"/ho/catalogue/products/{site.product_id}"
    before = price_of(site)
    answer = admin.post(f"{where}/price", {"price": "3.999"}, token=token(admin, where))
    assert answer.status == 400 and "more than 2 decimals" in answer.text
    assert price_of(site) == before


@pytest.mark.parametrize("start", ["11111111", "1" * 5000, "2030-01-01T09:00", "²"])
def test_withdrawing_a_price_that_no_page_listed_is_refused_in_words(
    site: Site, browsers: Callable[[str], Visitor], start: str
) -> None:
    """Digits alone read as a date with no offset, which cannot be compared with the time
    now: posted by hand (found by posting odd values to every form), that was a 500."""
    admin = browsers("admin")
    where = f"/ho/catalogue/products/{site.product_id}"
    form = {"effective_from": start}
    answer = admin.post(f"{where}/price/cancel", form, token=token(admin, where))
    assert answer.status == 400 and "not one this page listed" in answer.text


def test_a_price_scheduled_for_later_applies_when_the_server_finds_it_due(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    admin = browsers("admin")
    where = f"/ho/catalogue/products/{site.product_id}"
    before = price_of(site)
    start = (site.clock.now + timedelta(hours=1)).astimezone(SINGAPORE)
    form = {"price": "4.40", "effective_from": start.strftime("%Y-%m-%dT%H:%M")}
    answer = admin.post(f"{where}/price", form, token=token(admin, where))
    assert answer.location == f"{where}?done=price-later"
    page = admin.get(where)
    assert "scheduled" in page.text and price_of(site) == before

    site.clock.now += timedelta(hours=2)
    # A server starting now (another instance, or this one after a restart) applies what is due.
    second = serve(site.url, site.engine, site.clock)
    try:
        deadline = time.monotonic() + 30
        while price_of(site) != Decimal("4.40"):
            assert time.monotonic() < deadline, "the due price was never applied"
            time.sleep(0.1)
    finally:
        second.close()
    assert re.search(r'data-figure="price">4\.40<', admin.get(where).text)
    actor = scalar(
        site.engine,
        "SELECT changed_by FROM sgpos.ho_audit WHERE key = :k ORDER BY audit_id DESC LIMIT 1",
        k=str(site.product_id),
    )
    assert actor == f"scheduled by {site.emails['admin']}"


def test_the_csv_import_page_checks_then_imports_all_or_nothing(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    admin = browsers("admin")
    t = uuid.uuid4().hex[:6].upper()
    bad = f"sku,name,price,tax_code\n{t}-1,Good,1.00,SR\n{t}-2,{SCRIPT},-2,XX\n".encode()
    count = "SELECT count(*) FROM sgpos.product WHERE sku LIKE :s"
    fields = {"csrf_token": token(admin, "/ho/catalogue/import"), "kind": "products"}
    checked = upload(admin, "/ho/catalogue/import", {**fields, "action": "check"}, bad)
    assert (
        checked.status == 200
        and 'data-row="3"' in checked.text
        and 'data-row="2"' not in checked.text
    )
    assert "negative" in checked.text and "unknown tax code" in checked.text
    refused = upload(admin, "/ho/catalogue/import", {**fields, "action": "import"}, bad)
    assert refused.status == 400 and "nothing was imported" in refused.text
    assert scalar(site.engine, count, s=f"{t}-%") == 0

    good = f"sku,name,price,tax_code\n{t}-1,Good,1.00,SR\n{t}-2,{SCRIPT},2.00,ZR\n".encode()
    done = upload(admin, "/ho/catalogue/import", {**fields, "action": "import"}, good)
    assert done.status == 200 and "Imported 2 rows" in done.text
    assert scalar(site.engine, count, s=f"{t}-%") == 2
    listed = admin.get("/ho/catalogue", q=t)
    assert SCRIPT not in listed.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in listed.text


# Ids, tokens and hashes on a page are long runs of letters and digits; a PIN inside one is
# chance (a random UUID holds "1111" about once in 400 pages), not a leak.
_TOKENS = re.compile(r"[0-9A-Za-z_-]{16,}")


def shows_pin(page: str, pin: str) -> bool:
    return pin in _TOKENS.sub(" ", page)


def test_staff_pages_set_a_pin_without_ever_showing_it(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    admin, manager = browsers("admin"), browsers("manager")
    code = f"P{uuid.uuid4().int % 10**5:05d}"
    form = {
        "code": code,
        "display_name": "Aminah",
        "role": "cashier",
        "outlet": str(site.outlet_a.outlet_id),
        "active": "1",
        "pin": "246810",
    }
    created = admin.post("/ho/staff", form, token=token(admin, "/ho/staff"))
    assert created.status == 303
    person = created.location.split("?")[0]
    shown = admin.get(created.location)
    assert not shows_pin(shown.text, "246810") and "$argon2" not in shown.text
    assert ">set<" in shown.text

    mismatch = admin.post(
        f"{person}/pin", {"pin": "1111", "pin_again": "2222"}, token=token(admin, person)
    )
    assert mismatch.status == 400 and "the two PINs differ" in mismatch.text
    assert not shows_pin(mismatch.text, "1111") and not shows_pin(mismatch.text, "2222")
    # The same code twice is refused; the form comes back as typed, except the PIN.
    twice = admin.post("/ho/staff", form, token=token(admin, "/ho/staff"))
    assert twice.status == 400 and 'value="Aminah"' in twice.text
    assert not shows_pin(twice.text, "246810")
    # Aminah works at outlet A: outlet B's manager neither lists nor opens her.
    assert manager.get(person).status == 404
    assert code not in manager.get("/ho/staff").text
    assert code in browsers("analyst").get("/ho/staff").text


def test_the_fleet_shows_each_viewer_their_tills_and_quarantined_events_as_text(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    with site.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE sgpos.till SET last_seen_at = :seen, app_version = '1.4.2', "
                "store_revision = '0007', backlog = 3, clock_skew_s = 420 WHERE till_id = :t"
            ),
            {"seen": site.clock.now - timedelta(minutes=2), "t": site.till_b},
        )
        conn.execute(
            text(
                "INSERT INTO sgpos.quarantine (till_id, epoch, seq, event_id, kind, reason, "
                "payload, payload_sha256) "
                "VALUES (:t, 1, 9, :e, 'sale.completed', :why, CAST(:p AS jsonb), :h)"
            ),
            {
                "t": site.till_b,
                "e": uuid.uuid4(),
                "why": f"conflict: receipt {SCRIPT} used twice",
                "p": '{"note": "<b>x</b>"}',
                "h": "0" * 64,
            },
        )
    manager = browsers("manager")
    fleet = manager.get("/ho/fleet")
    assert fleet.status == 200
    assert str(site.till_b) in fleet.text and str(site.till_a) not in fleet.text
    assert 'data-health="red"' in fleet.text and "clock off by 420 s" in fleet.text
    till = manager.get(f"/ho/fleet/tills/{site.till_b}")
    assert "conflict: receipt &lt;script&gt;" in till.text and SCRIPT not in till.text
    assert manager.get(f"/ho/fleet/tills/{site.till_a}").status == 404


def test_an_admin_creates_an_enrolment_code_shown_once_and_revokes_a_till(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    admin = browsers("admin")
    form = {"outlet_id": str(site.outlet_a.outlet_id), "till_code": "t05"}
    created = admin.post("/ho/fleet/codes", form, token=token(admin, "/ho/fleet"))
    assert created.status == 200
    code = re.search(r"<code data-code>([A-Z0-9-]{14})</code>", created.text)
    assert code is not None
    assert code.group(1) not in admin.get("/ho/fleet").text  # never shown again
    ok = enrol(site.engine, code=code.group(1), now=site.clock.now)
    assert authenticate(site.engine, ok.till_id, ok.secret) is not None

    revoked = admin.post(
        f"/ho/fleet/tills/{ok.till_id}/revoke", {}, token=token(admin, "/ho/fleet")
    )
    assert revoked.status == 303 and revoked.location == "/ho/fleet?done=till-revoked"
    assert authenticate(site.engine, ok.till_id, ok.secret) is None
    assert "till was revoked" in admin.get(revoked.location).text


def test_an_enrolled_till_is_replaced_only_with_its_replace_button(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    admin = browsers("admin")
    till_code = "R" + uuid.uuid4().hex[:4].upper()
    first = admin.post(
        "/ho/fleet/codes",
        {"outlet_id": str(site.outlet_a.outlet_id), "till_code": till_code},
        token=token(admin, "/ho/fleet"),
    )
    code = re.search(r"<code data-code>([A-Z0-9-]{14})</code>", first.text)
    assert code is not None
    old = enrol(site.engine, code=code.group(1), now=site.clock.now)

    again = admin.post(
        "/ho/fleet/codes",
        {"outlet_id": str(site.outlet_a.outlet_id), "till_code": till_code},
        token=token(admin, "/ho/fleet"),
    )
    assert again.status == 400 and "enrolled and syncing" in again.text
    assert "Replace on the fleet page" in again.text and "data-code" not in again.text

    replaced = admin.post(
        f"/ho/fleet/tills/{old.till_id}/replace", {}, token=token(admin, "/ho/fleet")
    )
    assert replaced.status == 200 and "This code <strong>replaces</strong> till" in replaced.text
    code = re.search(r"<code data-code>([A-Z0-9-]{14})</code>", replaced.text)
    assert code is not None
    new = enrol(site.engine, code=code.group(1), now=site.clock.now)
    assert new.till_id == old.till_id
    assert authenticate(site.engine, old.till_id, old.secret) is None
    assert authenticate(site.engine, new.till_id, new.secret) is not None
    for reader in ("analyst", "manager"):
        refused = browsers(reader).post(
            f"/ho/fleet/tills/{old.till_id}/replace", {}, token=token(browsers(reader), "/ho/")
        )
        assert refused.status == 403


def test_an_admin_builds_a_product_from_the_forms_and_every_editing_page_renders(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    admin = browsers("admin")
    name = f"Kueh {uuid.uuid4().hex[:6]}"
    made = admin.post(
        "/ho/catalogue/categories", {"name": name}, token=token(admin, "/ho/catalogue")
    )
    assert made.status == 303
    category_id = scalar(
        site.engine, "SELECT category_id FROM sgpos.category WHERE name = :n", n=name
    )
    form = {
        "sku": f"KUEH-{uuid.uuid4().hex[:6]}",
        "name": "Kueh Lapis (6 pcs)",
        "price": "4.50",
        "tax_code": "SR",
        "category_id": str(category_id),
        "active": "1",
    }
    created = admin.post("/ho/catalogue/new", form, token=token(admin, "/ho/catalogue/new"))
    assert created.status == 303, created.text
    where = created.location.split("?")[0]
    added = admin.post(f"{where}/barcodes", {"barcode": "8881234567890"}, token=token(admin, where))
    assert added.status == 303
    product = admin.get(where)
    assert "8881234567890" in product.text and name in product.text
    again = admin.post("/ho/catalogue/new", form, token=token(admin, "/ho/catalogue/new"))
    assert again.status == 400 and "already the SKU of Kueh Lapis" in again.text
    for path in (
        "/ho/catalogue",
        "/ho/catalogue/categories",
        "/ho/catalogue/tax-codes",
        "/ho/catalogue/import?kind=staff",
        "/ho/staff",
        "/ho/fleet",
        f"/ho/fleet/tills/{site.till_a}",
    ):
        shown = admin.get(path)
        assert shown.status == 200 and "went wrong" not in shown.text, path


def test_the_cost_price_is_set_on_the_products_page_and_a_bad_one_is_refused(
    site: Site, browsers: Callable[[str], Visitor]
) -> None:
    """The catalogue's cost price (what a product is costed at before an outlet receives it
    with a cost) is edited with the product's details; a wrong one changes nothing."""
    admin = browsers("admin")
    where = f"/ho/catalogue/products/{site.product_id}"

    def cost_price() -> object:
        return scalar(
            site.engine,
            "SELECT cost_price FROM sgpos.product WHERE product_id = :p",
            p=site.product_id,
        )

    details = {"name": "Kopi-O Kosong 1L", "tax_code": "SR", "active": "1"}
    answer = admin.post(where, {**details, "cost_price": "2.15"}, token=token(admin, where))
    assert answer.status == 303, answer.text
    assert cost_price() == Decimal("2.15")
    assert (
        'name="cost_price" inputmode="decimal" maxlength="20" value="2.15"' in admin.get(where).text
    )
    refused = admin.post(where, {**details, "cost_price": "two"}, token=token(admin, where))
    assert refused.status == 400 and "cost price" in refused.text and "not a number" in refused.text
    assert cost_price() == Decimal("2.15")
    cleared = admin.post(where, {**details, "cost_price": ""}, token=token(admin, where))
    assert cleared.status == 303 and cost_price() is None
