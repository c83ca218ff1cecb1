"""Loyalty at head office in a real browser, over a real ``sgpos-central serve`` and two real
tills of one outlet syncing with ``sgpos-sync once``: a member's points spent at both tills
while they were offline show as a flagged, bounded over-redemption on the member report, whose
figures add up to the ledger; the rules editor saves an outlet's scheme, refuses bad input
with nothing saved, and the outlet's till receives the new rules with its next pull."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select, text

from shared.demo_catalogue import DEMO_STAFF
from shared.gst import SINGAPORE
from shared.tender import Tender, TenderType
from tests.dashboard.test_browser import shots, signed_in_browser
from tests.dashboard.test_customers_browser import shown
from tests.e2e.support_tills import AgentTill, enrolled_agent_till
from tests.migrations.central_support import fresh_database
from till.app import Till
from till.services.customers import CustomerCard, NewMember
from till.store.models import MemberPoints, Product

pytestmark = pytest.mark.postgres

D = Decimal
CASHIER = next(m for m in DEMO_STAFF if m.role == "cashier")


@pytest.fixture(scope="module")
def head_office(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    day = datetime.now(SINGAPORE).date()
    with (
        fresh_database(pg_server) as url,
        shots.demo_head_office(
            url, tmp_path_factory.mktemp("loyalty"), outlet_codes=("ORC",), day=day
        ) as shop,
    ):
        yield shop


@pytest.fixture(scope="module")
def browser(head_office: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with signed_in_browser(
        head_office.central.url,
        head_office.admin_email,
        downloads=tmp_path_factory.mktemp("loyalty-downloads"),
    ) as driver:
        yield driver


def sell(till: Till, card: CustomerCard, *, spend_all: bool = False) -> int:
    """A sale to the member, paid by card; with ``spend_all``, just enough goods (cheapest
    first) that the cap lets every point the till believes they have pay part of it. The
    points spent."""
    cashier = till.staff.sign_in(CASHIER.code, CASHIER.pin)
    with till.store.read() as s:
        skus = list(
            s.scalars(
                select(Product.sku)
                .where(Product.tax_code == "SR", ~Product.weighed, Product.price >= D("2.00"))
                .order_by(Product.price.asc() if spend_all else Product.price.desc())
            )
        )
    checkout = till.checkout(cashier)
    checkout.attach_customer(card)
    have = till.customers().points(card.customer_id)
    for sku in skus[: None if spend_all else 6]:
        [product] = [p for p in till.catalogue.search(sku, limit=5) if p.sku == sku]
        checkout.add(product)
        offer = checkout.points()
        if spend_all and offer is not None and offer.most == have:
            break
    tenders = []
    if spend_all:
        tenders.append(Tender(TenderType.POINTS, D(have) / 100, f"{have} points"))
    rest = checkout.totals().total - sum((t.amount for t in tenders), D(0))
    tenders.append(Tender(TenderType.CARD, rest, reference="APPR01"))
    checkout.complete(tenders)
    return have if spend_all else 0


@pytest.fixture(scope="module")
def overdrawn(head_office: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A member earns at T01; T02 (same outlet) hears their balance from head office; both go
    offline and each spends every point it believes the member has; then both sync."""
    one: AgentTill = head_office.tills[0]
    two = enrolled_agent_till(
        head_office.engine,
        head_office.central.url,
        tmp_path_factory.mktemp("loyalty") / "till-T02",
        outlet_code="ORC",
        till_code="T02",
    )
    with one.opened() as till:
        cashier = till.staff.sign_in(CASHIER.code, CASHIER.pin)
        card = till.customers().enrol(
            NewMember(name="Tan Mei Mei", mobile="9345 6789", consent_contact=True), cashier
        )
        sell(till, card)
    shots.sync(one)
    with two.opened() as till:
        manager = next(m for m in DEMO_STAFF if m.role == "manager")
        till.shifts.open_shift(till.staff.sign_in(manager.code, manager.pin), D("100.00"))
    # Brings the member down from head office (the pull, with=customer) and their balance
    # (POST /v1/points).
    shots.sync(two)
    with two.opened() as till:
        assert [c.customer_id for c in till.customers().find("9345 6789")] == [card.customer_id]
    spent = {}
    for agent in (one, two):
        with agent.opened() as till:
            with till.store.read() as s:
                heard = s.get(MemberPoints, card.customer_id)
            if agent is two:
                assert heard is not None and heard.elsewhere > 0, "no balance from head office"
            spent[agent.till_code] = sell(till, card, spend_all=True)
    for agent in (one, two):
        shots.sync(agent)
    return {"card": card, "spent": spent}


def test_the_member_report_adds_up_and_flags_the_points_spent_twice(
    browser: WebDriver, head_office: Any, overdrawn: dict[str, Any]
) -> None:
    card = overdrawn["card"]
    browser.get(f"{head_office.central.url}/ho/loyalty")
    row = browser.find_element(By.CSS_SELECTOR, "#member-report tr[data-outlet='ORC']")

    def figure(name: str) -> int:
        return int(row.find_element(By.CSS_SELECTOR, f"[data-figure='{name}']").text)

    with head_office.engine.connect() as conn:
        sums = dict(
            conn.execute(
                text(
                    "SELECT kind, sum(points) FROM sgpos.loyalty_entry e JOIN sgpos.outlet o "
                    "ON o.outlet_id = e.outlet_id WHERE o.code = 'ORC' GROUP BY kind"
                )
            ).all()
        )
        balance = conn.execute(
            text("SELECT sum(points) FROM sgpos.loyalty_entry WHERE customer_id = :c"),
            {"c": card.customer_id},
        ).scalar_one()
    assert figure("members") >= 1
    assert figure("issued") == sums.get("earned", 0) + sums.get("reversed", 0)
    assert figure("redeemed") == -(sums.get("redeemed", 0) + sums.get("returned", 0))
    assert figure("outstanding") == sum(sums.values())
    assert figure("issued") - figure("redeemed") - figure("expired") == figure("outstanding")

    flagged = browser.find_element(
        By.CSS_SELECTOR, f"#overdrawn tr[data-customer='{card.customer_id}']"
    )
    cells = [c.text for c in flagged.find_elements(By.TAG_NAME, "td")]
    short = int(cells[3])
    # Bounded: never more than the second till spent; visible, not a silent negative.
    assert 0 < short <= overdrawn["spent"]["T02"]
    assert cells[2] == "T02" and cells[1] == card.member_no
    assert int(cells[5]) == balance

    # Dealt with at head office: marked settled, it leaves the open list; the ledger stays.
    flagged.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    assert "settled" in shown(browser, ".notice")
    assert not browser.find_elements(
        By.CSS_SELECTOR, f"#overdrawn tr[data-customer='{card.customer_id}']"
    )
    with head_office.engine.connect() as conn:
        settled_by = conn.execute(
            text("SELECT settled_by FROM sgpos.points_overdrawn WHERE customer_id = :c"),
            {"c": card.customer_id},
        ).scalar_one()
    assert settled_by == head_office.admin_email
    browser.get(f"{head_office.central.url}/ho/customers/{card.customer_id}")
    kinds = [
        r.find_elements(By.TAG_NAME, "td")[1].text
        for r in browser.find_elements(By.CSS_SELECTOR, "#ledger tbody tr")
    ]
    assert kinds.count("redeemed") == 2


def test_the_rules_editor_saves_refuses_bad_input_and_the_till_receives_the_rules(
    browser: WebDriver, head_office: Any
) -> None:
    base = head_office.central.url
    browser.get(f"{base}/ho/loyalty/rules")
    form = browser.find_element(By.ID, "rules-ORC")

    def put(name: str, value: str) -> None:
        field = browser.find_element(By.CSS_SELECTOR, f"#rules-ORC [name='{name}']")
        field.clear()
        field.send_keys(value)

    put("points_per_dollar", "many")
    form.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    assert "points per dollar" in shown(browser, ".problem")
    with head_office.engine.connect() as conn:
        before = conn.execute(
            text("SELECT loyalty FROM sgpos.outlet WHERE code = 'ORC'")
        ).scalar_one()
    assert before["points_per_dollar"] == "1"  # nothing was saved

    put("points_per_dollar", "2")
    put("redeem_max_percent", "40")
    put("redeem_max_points", "3000")
    put("expiry_months", "18")
    put("tier1_name", "Silver")
    put("tier1_spend", "300")
    put("tier1_multiplier", "1.2")
    put("tier2_name", "Gold")
    put("tier2_spend", "1000")
    put("tier2_multiplier", "1.5")
    put("tier3_name", "")
    box = (
        browser.find_element(
            By.XPATH, "//form[@id='rules-ORC']//label[contains(., 'Tobacco')]/input"
        )
        if browser.find_elements(
            By.XPATH, "//form[@id='rules-ORC']//label[contains(., 'Tobacco')]/input"
        )
        else browser.find_elements(By.CSS_SELECTOR, "#rules-ORC input[name='excluded']")[0]
    )
    if not box.is_selected():
        box.click()
    excluded = box.get_attribute("value")
    browser.find_element(By.CSS_SELECTOR, "#rules-ORC button[type='submit']").click()
    assert "saved" in shown(browser, ".notice")

    with head_office.engine.connect() as conn:
        after = conn.execute(
            text("SELECT loyalty FROM sgpos.outlet WHERE code = 'ORC'")
        ).scalar_one()
    assert after["points_per_dollar"] == "2" and after["redeem_max_percent"] == "40"
    assert after["redeem_max_points"] == 3000 and after["expiry_months"] == 18
    assert [t["name"] for t in after["tiers"]] == ["Silver", "Gold"]
    assert excluded in after["excluded_categories"]
    # The form shows what was saved.
    assert (
        browser.find_element(By.CSS_SELECTOR, "#rules-ORC [name='tier2_name']").get_attribute(
            "value"
        )
        == "Gold"
    )

    till: AgentTill = head_office.tills[0]
    shots.sync(till)
    with till.opened() as opened:
        scheme = opened.profile.loyalty
    assert scheme is not None
    assert scheme.points_per_dollar == D(2) and scheme.redeem_max_percent == D(40)
    assert scheme.redeem_max_points == 3000 and scheme.expiry_months == 18
    assert [t.name for t in scheme.tiers] == ["Silver", "Gold"]
    assert excluded in scheme.excluded_categories
