"""Head office edits the catalogue: products, prices (now and scheduled), barcodes,
categories and tax codes. Each change is audited with the editor's email and reaches the tills
through the pull cursor; bad input is refused in plain words with nothing written."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from sync_service.central import models as m
from sync_service.central.admin import AdminError, FieldError, fields
from sync_service.central.admin.barcodes import add_barcode, remove_barcode
from sync_service.central.admin.categories import (
    create_category,
    delete_category,
    describe_tax_code,
    rename_category,
)
from sync_service.central.admin.prices import apply_due_prices, cancel_price, set_price
from sync_service.central.admin.products import (
    ProductDetails,
    create_product,
    parse_details,
    update_product,
)
from sync_service.server.dashboard.housekeeping import run_housekeeping
from tests.central import add_outlet
from tests.dashboard.admin_support import (
    actor,
    audit_since,
    last_audit,
    last_change,
    latest,
    private_central,
    pull_to_head,
    scalar,
    till_at,
)

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Singapore


@pytest.fixture(scope="module")
def engine(pg_server: str) -> Iterator[Engine]:
    with private_central(pg_server) as engine:
        yield engine


@pytest.fixture(scope="module")
def outlet(engine: Engine) -> m.Outlet:
    return add_outlet(engine)


def new_product(engine: Engine, who: str, name: str = "Kopi-O Kosong 1L", price: str = "3.50"):
    details = ProductDetails(name=name, tax_code="SR", category_id=None, active=True)
    sku = f"T-{uuid.uuid4().hex[:10]}"
    return create_product(engine, who, sku=sku, details=details, price=Decimal(price), now=NOW)


def price_of(engine: Engine, product_id: uuid.UUID) -> Decimal:
    return Decimal(
        scalar(engine, "SELECT price FROM sgpos.product WHERE product_id = :p", p=product_id)
    )


def test_a_new_product_and_its_edit_are_audited_and_pulled(
    engine: Engine, outlet: m.Outlet
) -> None:
    who, till = actor(), till_at(outlet)
    head, _ = pull_to_head(engine, till)
    mark = last_audit(engine)
    category = create_category(engine, who, f"Coffee {uuid.uuid4().hex[:6]}")
    product_id = new_product(engine, who)
    form = {"name": "Kopi-O Kosong 1.5L", "tax_code": "zr", "category_id": str(category)}
    update_product(engine, who, product_id, parse_details(form))  # no "active": taken off sale

    edits = audit_since(engine, mark)
    assert {e["changed_by"] for e in edits} == {who}
    product_edits = [e for e in edits if e["table_name"] == "product"]
    assert [e["op"] for e in product_edits] == ["insert", "update"]
    assert product_edits[1]["before"]["name"] == "Kopi-O Kosong 1L"
    assert product_edits[1]["after"]["active"] is False
    _, changes = pull_to_head(engine, till, head)
    pulled = latest(changes, "product", str(product_id))
    assert pulled is not None and pulled.data is not None
    assert pulled.data["name"] == "Kopi-O Kosong 1.5L"
    assert pulled.data["tax_code"] == "ZR" and pulled.data["active"] is False
    assert pulled.data["category_id"] == str(category)


def test_a_price_effective_now_reaches_the_tills_at_once(engine: Engine, outlet: m.Outlet) -> None:
    who, till = actor(), till_at(outlet)
    product_id = new_product(engine, who)
    head, _ = pull_to_head(engine, till)
    mark = last_audit(engine)

    result = set_price(engine, who, product_id, fields.price("price", "4.20"), None, now=NOW)

    assert result.applied_now and price_of(engine, product_id) == Decimal("4.20")
    edits = audit_since(engine, mark)
    assert {(e["table_name"], e["changed_by"]) for e in edits} == {
        ("price", who),
        ("product", who),
    }
    product_edit = next(e for e in edits if e["table_name"] == "product")
    assert (product_edit["before"]["price"], product_edit["after"]["price"]) == (3.5, 4.2)
    _, changes = pull_to_head(engine, till, head)
    pulled = latest(changes, "product", str(product_id))
    assert pulled is not None and pulled.data is not None and pulled.data["price"] == "4.20"


def test_a_future_price_waits_for_its_time_then_applies_once(
    engine: Engine, outlet: m.Outlet
) -> None:
    who, till = actor(), till_at(outlet)
    product_id = new_product(engine, who)
    monday_9am = fields.moment("from", "2026-03-09 09:00")  # Singapore time
    assert monday_9am is not None
    set_price(engine, who, product_id, Decimal("2.80"), monday_9am, now=NOW)
    head, _ = pull_to_head(engine, till)

    apply_due_prices(engine, monday_9am - timedelta(minutes=1))
    assert price_of(engine, product_id) == Decimal("3.50")
    mark = last_audit(engine)
    assert apply_due_prices(engine, monday_9am + timedelta(seconds=30), since=NOW) == 1
    assert price_of(engine, product_id) == Decimal("2.80")
    assert apply_due_prices(engine, monday_9am + timedelta(minutes=2), since=NOW) == 0

    edits = [e for e in audit_since(engine, mark) if e["key"] == str(product_id)]
    assert [e["changed_by"] for e in edits] == [f"scheduled by {who}"]
    _, changes = pull_to_head(engine, till, head)
    pulled = latest(changes, "product", str(product_id))
    assert pulled is not None and pulled.data is not None and pulled.data["price"] == "2.80"


def test_a_scheduled_price_can_be_withdrawn_before_it_starts(engine: Engine) -> None:
    who = actor()
    product_id = new_product(engine, who)
    later = NOW + timedelta(days=3)
    set_price(engine, who, product_id, Decimal("9.90"), later, now=NOW)
    cancel_price(engine, who, product_id, later, now=NOW)
    apply_due_prices(engine, later + timedelta(hours=1))
    assert price_of(engine, product_id) == Decimal("3.50")
    with pytest.raises(AdminError, match="not there any more"):
        cancel_price(engine, who, product_id, later, now=NOW)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("abc", "not a number"),
        ("-1.00", "negative"),
        ("1.005", "more than 2 decimals"),
        ("", "missing"),
        ("1e3", "not a number"),
    ],
)
def test_a_bad_price_is_refused_in_plain_words(typed: str, reason: str) -> None:
    with pytest.raises(FieldError, match=reason):
        fields.price("price", typed)


def test_a_price_in_the_past_is_refused_and_nothing_is_written(engine: Engine) -> None:
    who = actor()
    product_id = new_product(engine, who)
    marks = last_audit(engine), last_change(engine)
    with pytest.raises(AdminError, match="in the past"):
        set_price(engine, who, product_id, Decimal("1.00"), NOW - timedelta(hours=2), now=NOW)
    assert (last_audit(engine), last_change(engine)) == marks
    assert price_of(engine, product_id) == Decimal("3.50")


def test_a_barcode_belongs_to_one_product_only(engine: Engine, outlet: m.Outlet) -> None:
    who, till = actor(), till_at(outlet)
    milo, teh = new_product(engine, who, "Milo Tin 1.5kg"), new_product(engine, who, "Teh Tarik")
    code = f"955{uuid.uuid4().int % 10**10:010d}"
    head, _ = pull_to_head(engine, till)
    add_barcode(engine, who, milo, f" {code} ")
    marks = last_audit(engine), last_change(engine)

    with pytest.raises(FieldError, match=r"already used by Milo Tin 1\.5kg"):
        add_barcode(engine, who, teh, code)
    with pytest.raises(FieldError, match="not a barcode"):
        add_barcode(engine, who, teh, "12 34")
    assert (last_audit(engine), last_change(engine)) == marks

    head, changes = pull_to_head(engine, till, head)
    pulled = latest(changes, "barcode", code)
    assert pulled is not None and pulled.data == {"code": code, "product_id": str(milo)}
    remove_barcode(engine, who, milo, code)
    _, changes = pull_to_head(engine, till, head)
    gone = latest(changes, "barcode", code)
    assert gone is not None and gone.op == "delete"


def test_categories_keep_unique_names_and_only_empty_ones_go(engine: Engine) -> None:
    who = actor()
    name = f"Snacks {uuid.uuid4().hex[:6]}"
    snacks = create_category(engine, who, name)
    with pytest.raises(FieldError, match="already a category"):
        create_category(engine, who, name.upper())
    rename_category(engine, who, snacks, name + " and Sweets")
    product_id = new_product(engine, who)
    details = ProductDetails("Kacang Puteh", "SR", snacks, active=True)
    update_product(engine, who, product_id, details)
    with pytest.raises(AdminError, match="1 product"):
        delete_category(engine, who, snacks)
    update_product(engine, who, product_id, ProductDetails("Kacang Puteh", "SR", None, True))
    delete_category(engine, who, snacks)
    assert (
        scalar(engine, "SELECT count(*) FROM sgpos.category WHERE category_id = :c", c=snacks) == 0
    )


def test_a_tax_code_description_change_is_audited_but_codes_are_fixed(
    engine: Engine,
) -> None:
    who = actor()
    mark = last_audit(engine)
    describe_tax_code(engine, who, "zr", f"Zero-rated exports {uuid.uuid4().hex[:4]}")
    [edit] = audit_since(engine, mark)
    assert (edit["table_name"], edit["key"], edit["changed_by"]) == ("tax_code", "ZR", who)
    with pytest.raises(FieldError, match="unknown tax code"):
        describe_tax_code(engine, who, "GST", "Goods and services tax")


def test_an_unknown_category_or_product_changes_nothing(engine: Engine) -> None:
    who = actor()
    product_id = new_product(engine, who)
    marks = last_audit(engine), last_change(engine)
    with pytest.raises(FieldError, match="category"):
        update_product(engine, who, product_id, ProductDetails("X", "SR", uuid.uuid4(), True))
    with pytest.raises(AdminError, match="no such product"):
        update_product(engine, who, uuid.uuid4(), ProductDetails("X", "SR", None, True))
    with pytest.raises(FieldError, match="too long"):
        parse_details({"name": "x" * 121, "tax_code": "SR"})
    assert (last_audit(engine), last_change(engine)) == marks


def test_the_servers_schedule_keeps_applying_prices_as_they_fall_due(engine: Engine) -> None:
    who = actor()
    product_id = new_product(engine, who)
    set_price(engine, who, product_id, Decimal("5.10"), NOW + timedelta(hours=1), now=NOW)
    times = iter([NOW])  # the first run: nothing due yet; every later run: two hours on

    def clock() -> datetime:
        return next(times, NOW + timedelta(hours=2))

    async def watch() -> Decimal:
        with ThreadPoolExecutor(1) as pool:
            task = asyncio.create_task(
                run_housekeeping(engine, clock, pool, every=timedelta(milliseconds=20))
            )
            try:
                for _ in range(1500):  # at most about half a minute on a busy machine
                    price = await asyncio.to_thread(price_of, engine, product_id)
                    if price != Decimal("3.50"):
                        return price
                    await asyncio.sleep(0.02)
                return price
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    assert asyncio.run(watch()) == Decimal("5.10")
