"""CSV bulk import: the dry run lists every row it would reject and why, and writes nothing;
the real import writes every row or none; what it writes is audited and reaches the tills."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select

from sync_service.central import models as m
from sync_service.central.admin.barcodes import add_barcode
from sync_service.central.admin.csv_import import MAX_BYTES, CsvError, ImportRefused
from sync_service.central.admin.prices import apply_due_prices
from sync_service.central.admin.product_import import import_products
from sync_service.central.admin.products import ProductDetails, create_product
from sync_service.central.admin.staff import StaffDetails, create_staff, pin_is_set
from sync_service.central.admin.staff_import import import_staff
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
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(pg_server: str) -> Iterator[Engine]:
    with private_central(pg_server) as engine:
        yield engine


@pytest.fixture(scope="module")
def outlet(engine: Engine) -> m.Outlet:
    return add_outlet(engine)


def tag() -> str:
    return uuid.uuid4().hex[:6].upper()


def csv_bytes(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def writes(engine: Engine) -> tuple[int, int, int]:
    products = scalar(engine, "SELECT count(*) FROM sgpos.product")
    return last_audit(engine), last_change(engine), products


def bad_file(engine: Engine, t: str) -> tuple[bytes, str]:
    """A file with one good row and a dozen kinds of mistake; the taken barcode's owner."""
    taken = f"888{uuid.uuid4().int % 10**9:09d}"
    owner = create_product(
        engine,
        actor(),
        sku=f"OWN-{t}",
        details=ProductDetails("Owner Of The Barcode", "SR", None, True),
        price=Decimal("1.00"),
        now=NOW,
    )
    add_barcode(engine, actor(), owner, taken)
    data = csv_bytes(
        "sku,name,price,tax_code,barcode,category,effective_from",
        f"{t}-1,Good Kaya 250g,3.50,SR,{t}111,Spreads {t},",
        f"{t}-2,,abc,XX,,,",
        f"{t}-3,Negative,-1,SR,,,",
        f"{t}-4,Too Precise,1.005,SR,,,",
        f"{t}-5,Same Barcode,1.00,SR,{t}111,,",
        f"{t}-1,Same SKU,1.00,SR,,,",
        f"{t}-7,Barcode Taken,1.00,SR,{taken},,",
        f"{t}-8,{'N' * 121},1.00,SR,,,",
        f"{t}-9,Past Price,1.00,SR,,,2020-01-01 09:00",
        f"{t}-10,Bad Date,1.00,SR,,,tomorrow",
        f"{t}-11,Extra Cell,1.00,SR,,,,surprise",
        f"{t}-12,Bad Barcode,1.00,SR,12 3$,,",
        "",
    )
    return data, "OWN-" + t


EXPECTED = [
    (3, "name", "missing"),
    (3, "price", "not a number"),
    (3, "tax_code", "unknown tax code 'XX'"),
    (4, "price", "negative"),
    (5, "price", "more than 2 decimals"),
    (6, "barcode", "is also on row 2"),
    (7, "sku", "is also on row 2"),
    (8, "barcode", "already used by product OWN-"),
    (9, "name", "too long"),
    (10, "effective_from", "in the past"),
    (11, "effective_from", "not a date"),
    (12, "(whole row)", "more cell(s) than the header"),
    (13, "barcode", "not a barcode"),
]


def assert_lists_every_problem(report_problems) -> None:
    got = [(p.row, p.column, p.reason) for p in report_problems]
    assert len(got) == len(EXPECTED), got
    for (row, column, reason), (want_row, want_column, want) in zip(got, EXPECTED, strict=True):
        assert (row, column) == (want_row, want_column)
        assert want in reason, (row, column, reason)


def test_a_dry_run_lists_every_bad_row_with_its_reason_and_writes_nothing(engine: Engine) -> None:
    t = tag()
    data, _ = bad_file(engine, t)
    before = writes(engine)
    report = import_products(engine, actor(), data, now=NOW, dry_run=True)
    assert_lists_every_problem(report.problems)
    assert (report.rows, report.rejected_rows, report.applied) == (12, 11, False)
    assert writes(engine) == before


def test_an_import_with_any_bad_row_writes_nothing(engine: Engine) -> None:
    data, _ = bad_file(engine, tag())
    before = writes(engine)
    with pytest.raises(ImportRefused, match="11 row") as refused:
        import_products(engine, actor(), data, now=NOW, dry_run=False)
    assert_lists_every_problem(refused.value.report.problems)
    assert writes(engine) == before


def test_a_clean_import_writes_every_row_audited_and_the_tills_pull_it(
    engine: Engine, outlet: m.Outlet
) -> None:
    who, t, till = actor(), tag(), till_at(outlet)
    old, teh = (
        create_product(
            engine,
            who,
            sku=f"{t}-{name}",
            details=ProductDetails(f"{name} Name", "SR", None, False),
            price=Decimal("2.00"),
            now=NOW,
        )
        for name in ("OLD", "TEH")
    )
    head, _ = pull_to_head(engine, till)
    mark = last_audit(engine)
    data = (
        "\ufeffSKU,Name,Price,Tax Code,Barcode,Category,Active,Effective From\n"
        f"{t}-A,Kaya Toast Set,4.80,sr,{t}01;{t}02,Breakfast {t},,\n"
        f"{t}-OLD,New Name,2.50,ZR,,breakfast {t},,\n"
        f'{t}-TEH,"Teh, Less Sweet",1.90,SR,,,yes,2026-03-09 09:00\n'
    ).encode()
    later = NOW + timedelta(minutes=1)

    dry = import_products(engine, who, data, now=later, dry_run=True)
    assert (dry.problems, dry.created, dry.updated) == ((), 1, 2)
    assert f"new categories: Breakfast {t}" in dry.notes
    report = import_products(engine, who, data, now=later, dry_run=False)
    assert report.applied and (report.created, report.updated) == (1, 2)

    rows = products(engine, t)
    assert rows["A"].price == Decimal("4.80") and rows["A"].active
    assert (rows["OLD"].name, rows["OLD"].price, rows["OLD"].tax_code) == (
        "New Name",
        Decimal("2.50"),
        "ZR",
    )
    assert not rows["OLD"].active  # a blank cell leaves it as it was
    assert rows["OLD"].category_id == rows["A"].category_id is not None  # one category
    assert (rows["TEH"].name, rows["TEH"].price) == ("Teh, Less Sweet", Decimal("2.00"))
    assert {e["changed_by"] for e in audit_since(engine, mark)} == {who}

    _, changes = pull_to_head(engine, till, head)
    pulled = latest(changes, "product", str(old))
    assert pulled is not None and pulled.data is not None and pulled.data["price"] == "2.50"
    assert latest(changes, "barcode", f"{t}02") is not None

    monday_9am_sgt = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    apply_due_prices(engine, monday_9am_sgt - timedelta(seconds=1), since=NOW)
    assert products(engine, t)["TEH"].price == Decimal("2.00")
    apply_due_prices(engine, monday_9am_sgt, since=NOW)
    assert products(engine, t)["TEH"].price == Decimal("1.90")

    prices_before = price_rows(engine, teh)
    again = import_products(engine, who, data, now=later + timedelta(minutes=1), dry_run=False)
    assert (again.created, again.updated) == (0, 3)
    assert price_rows(engine, teh) == prices_before  # the same file twice adds no prices


def test_a_new_product_cannot_start_with_a_future_price(engine: Engine) -> None:
    data = csv_bytes("sku,name,price,tax_code,effective_from", f"{tag()},Later,1.00,SR,2026-04-01")
    report = import_products(engine, actor(), data, now=NOW, dry_run=True)
    assert [(p.row, p.column) for p in report.problems] == [(2, "effective_from")]
    assert "first price starts now" in report.problems[0].reason


def products(engine: Engine, t: str) -> dict[str, Any]:
    with engine.connect() as conn:
        found = conn.execute(select(m.Product.__table__).where(m.Product.sku.like(f"{t}-%"))).all()
    return {r.sku.removeprefix(f"{t}-"): r for r in found}


def price_rows(engine: Engine, product_id: uuid.UUID) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(m.Price.effective_from, m.Price.price)
                .where(m.Price.product_id == product_id)
                .order_by(m.Price.effective_from)
            )
        ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"sku,name,price,tax_code\n\xff\xfe,x,1,SR\n", "not UTF-8"),
        (b"sku,name,prize,tax_code\n", "unknown column 'prize'"),
        (b"sku,name,price\n", "no tax_code column"),
        (b"", "empty"),
        (b"sku,name,price,tax_code,sku\n", "appears twice"),
        (b"sku,name,price,tax_code\n" + b"x" * MAX_BYTES, "at most 4 MiB"),
    ],
)
def test_a_file_that_is_not_an_import_is_refused_whole(
    engine: Engine, data: bytes, reason: str
) -> None:
    before = writes(engine)
    with pytest.raises(CsvError, match=reason):
        import_products(engine, actor(), data, now=NOW, dry_run=True)
    with pytest.raises(CsvError, match=reason):
        import_products(engine, actor(), data, now=NOW, dry_run=False)
    assert writes(engine) == before


def test_staff_import_adds_people_without_pins_and_keeps_existing_pins(
    engine: Engine, outlet: m.Outlet
) -> None:
    who, t = actor(), tag()[:5]
    known = create_staff(
        engine,
        who,
        code=f"K{t}",
        details=StaffDetails("Kumar", "cashier", True, frozenset({outlet.outlet_id})),
        pin="4321",
    )
    bad = csv_bytes(
        "code,display_name,role,outlets",
        f"N{t},Nur Aisyah,cashier,{outlet.code}",
        f"X{t},Wrong Role,boss,{outlet.code}",
        f"Y{t},Nowhere,cashier,NOPE",
        f"N{t},Twice,cashier,{outlet.code}",
    )
    before = writes(engine)
    dry = import_staff(engine, who, bad, now=NOW, dry_run=True)
    assert [(p.row, p.column) for p in dry.problems] == [(3, "role"), (4, "outlets"), (5, "code")]
    with pytest.raises(ImportRefused):
        import_staff(engine, who, bad, now=NOW, dry_run=False)
    assert writes(engine) == before

    good = csv_bytes(
        "code,display_name,role,outlets,active",
        f"N{t},Nur Aisyah,cashier,{outlet.code},",
        f"K{t},Kumar s/o Rajan,supervisor,{outlet.code},yes",
    )
    report = import_staff(engine, who, good, now=NOW, dry_run=False)
    assert (report.created, report.updated) == (1, 1)
    assert "need a PIN" in report.notes[0]
    with engine.connect() as conn:
        found = conn.execute(
            select(m.Staff.code, m.Staff.pin_hash).where(m.Staff.code.in_([f"N{t}", f"K{t}"]))
        )
        hashes = {code: pin_hash for code, pin_hash in found}
        role = scalar(engine, "SELECT role FROM sgpos.staff WHERE staff_id = :s", s=known)
    assert not pin_is_set(hashes[f"N{t}"]) and pin_is_set(hashes[f"K{t}"])
    assert role == "supervisor"


def test_the_cost_price_column_sets_it_keeps_it_when_blank_and_refuses_a_bad_one(
    engine: Engine,
) -> None:
    """``cost_price`` (excluding GST) is what a product is costed at before an outlet receives
    it with a cost; a blank cell leaves it as it is, and a bad one writes nothing."""
    t, who = tag(), actor()
    header = "sku,name,price,tax_code,cost_price"
    first = csv_bytes(header, f"{t}-A,Kaya 250g,3.50,SR,2.10", f"{t}-B,Roti 400g,2.20,SR,")
    import_products(engine, who, first, now=NOW, dry_run=False)
    found = products(engine, t)
    assert (found["A"].cost_price, found["B"].cost_price) == (Decimal("2.10"), None)
    blank = csv_bytes(header, f"{t}-A,Kaya 250g,3.60,SR,", f"{t}-B,Roti 400g,2.20,SR,1.35")
    import_products(engine, who, blank, now=NOW + timedelta(minutes=1), dry_run=False)
    found = products(engine, t)
    assert (found["A"].cost_price, found["B"].cost_price) == (Decimal("2.10"), Decimal("1.35"))
    before = writes(engine)
    bad = csv_bytes(header, f"{t}-A,Kaya 250g,3.60,SR,1.999", f"{t}-B,Roti 400g,2.20,SR,-1")
    report = import_products(engine, who, bad, now=NOW + timedelta(minutes=2), dry_run=True)
    assert [(p.row, p.column) for p in report.problems] == [(2, "cost price"), (3, "cost price")]
    with pytest.raises(ImportRefused, match="2 row"):
        import_products(engine, who, bad, now=NOW + timedelta(minutes=2), dry_run=False)
    assert writes(engine) == before
    assert products(engine, t)["A"].cost_price == Decimal("2.10")
