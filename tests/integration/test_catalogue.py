"""The catalogue on a real till store: master data pulled in, then scanned and searched."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shared.demo_catalogue import (
    DEMO_STAFF,
    DemoCatalogue,
    catalogue_changes,
    demo_catalogue,
    demo_outlet,
    master_change,
)
from shared.gst import TaxCode
from shared.protocol import MasterChange, MasterEntity, OutletV1, ProductV1
from till.store.catalogue import Catalogue
from till.store.db import Store
from till.store.master import MasterDataError, apply_changes
from till.store.migrate import upgrade_store
from till.store.models import Barcode, Outlet, Product, Shift, Staff

D = Decimal
CAT = demo_catalogue(2000, seed=11)
OUTLET = demo_outlet(11)
PIN_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
STAFF = [m.to_wire(PIN_HASH, [OUTLET.outlet_id]) for m in DEMO_STAFF]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A migrated till store holding the demo catalogue, loaded as a first pull would load it."""
    path = tmp_path / "till.db"
    upgrade_store(path, backup_dir=tmp_path / "backups")
    store = Store.open(path)
    apply(store, catalogue_changes(CAT, OUTLET, STAFF))
    yield store
    store.close()


def apply(store: Store, changes: list[MasterChange]) -> None:
    with Session(store.writer) as session, session.begin():
        apply_changes(session, changes)


def product_named(name: str, cat: DemoCatalogue = CAT) -> ProductV1:
    return next(p for p in cat.products if p.name == name)


def upsert(model: ProductV1, **changes: Any) -> MasterChange:
    changed = model.model_copy(update=changes)
    return master_change(MasterEntity.PRODUCT, str(model.product_id), changed)


def raw(entity: MasterEntity, key: str, data: dict[str, Any] | None, op: str = "upsert") -> Any:
    """A change exactly as JSON from head office would decode (no model in between)."""
    return MasterChange.model_validate_json(
        json.dumps({"entity": entity.value, "key": key, "op": op, "data": data})
    )


# --- loading --------------------------------------------------------------------------------


def test_a_first_pull_loads_the_whole_catalogue_and_the_outlet(store: Store) -> None:
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Product)) == len(CAT.products)
        assert s.scalar(select(func.count()).select_from(Barcode)) == len(CAT.barcodes)
        row = s.get(Outlet, str(OUTLET.outlet_id))
        assert row is not None
        data = {**row.settings, "outlet_id": row.outlet_id, "code": row.code, "name": row.name}
    # What the receipt header is printed from comes back exactly as head office sent it.
    assert OutletV1.model_validate_json(json.dumps(data)) == OUTLET


def test_pulling_the_same_page_twice_changes_nothing(store: Store) -> None:
    milo = Catalogue(store).search("milo")
    with Session(store.writer) as session, session.begin():
        counts = apply_changes(session, catalogue_changes(CAT, OUTLET, STAFF))
    assert counts.upserted[MasterEntity.PRODUCT] == len(CAT.products)
    assert counts.total == 1 + len(CAT.categories) + len(CAT.products) + len(CAT.barcodes) + 4
    assert Catalogue(store).search("milo") == milo


# --- scanning -------------------------------------------------------------------------------


def test_either_barcode_of_a_two_barcode_product_rings_up_that_product(store: Store) -> None:
    by_product: dict[Any, list[str]] = {}
    for b in CAT.barcodes:
        by_product.setdefault(b.product_id, []).append(b.code)
    product_id, codes = next((p, c) for p, c in by_product.items() if len(c) == 2)
    expected = next(p for p in CAT.products if p.product_id == product_id)
    catalogue = Catalogue(store)
    for code in codes:
        found = catalogue.by_barcode(code)
        assert found is not None
        assert found.product_id == str(product_id)
        assert (found.name, found.sku, found.unit_price) == (
            expected.name,
            expected.sku,
            expected.price,
        )
    # A scanner's trailing newline or a keyed-in space still finds it.
    assert catalogue.by_barcode(f" {codes[0]}\r\n") == catalogue.by_barcode(codes[0])


def test_an_unknown_or_empty_barcode_finds_nothing(store: Store) -> None:
    catalogue = Catalogue(store)
    assert catalogue.by_barcode("8880000000017") is None
    assert catalogue.by_barcode("") is None
    assert catalogue.by_barcode("   ") is None
    assert catalogue.by_barcode("' OR 1=1 --") is None


def test_a_upc_a_scan_finds_the_ean13_with_a_leading_zero(store: Store) -> None:
    chips = product_named("Jalapeño Chips 150g")
    gum = chips.model_copy(update={"product_id": uuid.uuid4(), "sku": "US-1", "name": "Gum"})
    apply(
        store,
        [
            master_change(MasterEntity.PRODUCT, str(gum.product_id), gum),
            raw(
                MasterEntity.BARCODE,
                "0022000012345",
                {"code": "0022000012345", "product_id": str(gum.product_id)},
            ),
        ],
    )
    found = Catalogue(store).by_barcode("022000012345")
    assert found is not None
    assert found.name == "Gum"


def test_snapshots_carry_what_a_receipt_needs(store: Store) -> None:
    catalogue = Catalogue(store)
    bananas = product_named("Bananas (per kg)")
    gold = next(p for p in CAT.products if p.tax_code == "ES")
    snap = catalogue.by_id(bananas.product_id)
    assert snap is not None
    assert snap.weighed
    assert snap.unit_price == bananas.price
    assert snap.tax_code is TaxCode.STANDARD
    gold_snap = catalogue.by_id(str(gold.product_id))
    assert gold_snap is not None
    assert gold_snap.tax_code is TaxCode.EXEMPT
    assert catalogue.by_id("not-a-product-id") is None


def test_a_discontinued_product_can_no_longer_be_scanned_found_or_sold(store: Store) -> None:
    sardines = product_named("Ayam Brand Sardines 155g")
    code = next(b.code for b in CAT.barcodes if b.product_id == sardines.product_id)
    catalogue = Catalogue(store)
    assert catalogue.by_barcode(code) is not None
    apply(store, [upsert(sardines, active=False)])
    assert catalogue.by_barcode(code) is None
    assert catalogue.by_id(sardines.product_id) is None
    assert sardines.name not in [p.name for p in catalogue.search("ayam sardines")]


def test_a_scan_does_not_wait_for_the_sync_agent_writing(store: Store) -> None:
    milo = product_named("Milo 3-in-1 Sachets 18x33g")
    code = next(b.code for b in CAT.barcodes if b.product_id == milo.product_id)
    catalogue = Catalogue(store)
    writing, release = threading.Event(), threading.Event()

    def agent() -> None:
        with Session(store.writer) as session, session.begin():
            apply_changes(session, [upsert(milo, price=D("9.50"))])
            writing.set()
            release.wait(10)

    worker = threading.Thread(target=agent)
    worker.start()
    try:
        assert writing.wait(10)
        started = time.perf_counter()
        during = catalogue.by_barcode(code)
        waited = time.perf_counter() - started
    finally:
        release.set()
        worker.join()
    assert during is not None
    assert during.unit_price == milo.price  # the committed price until the pull commits
    assert waited < 1.0  # never the 5 s busy timeout
    after = catalogue.by_barcode(code)
    assert after is not None
    assert after.unit_price == D("9.50")


# --- searching ------------------------------------------------------------------------------


def test_typing_milo_lists_milo_products_first(store: Store) -> None:
    results = Catalogue(store).search("milo")
    assert results
    assert all("milo" in p.name.lower() for p in results)
    assert "Milo 3-in-1 Sachets 18x33g" in [p.name for p in results]


def test_search_ignores_accents_and_case(store: Store) -> None:
    catalogue = Catalogue(store)
    for typed in ("creme", "CRÈME", "creme brulee", "brûlée cups"):
        assert "Crème Brûlée Cups 2x100g" in [p.name for p in catalogue.search(typed)], typed
    assert "Jalapeño Chips 150g" in [p.name for p in catalogue.search("jalapeno chips")]


def test_the_start_of_a_word_is_enough(store: Store) -> None:
    catalogue = Catalogue(store)
    assert catalogue.search("gard")[0].name.startswith("Gardenia")
    names = [p.name for p in catalogue.search("gard enr whi")]
    assert "Gardenia Enriched White Bread 600g" in names
    assert catalogue.search("milo 3-in") != []


def test_a_sku_finds_its_product(store: Store) -> None:
    target = CAT.products[1234]
    for typed in (target.sku, target.sku.lower(), target.sku.replace("-", " ")):
        results = Catalogue(store).search(typed)
        assert results[0].product_id == str(target.product_id), typed


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        "*",
        "NEAR(",
        "NEAR(milo gold, 2)",
        "OR",
        "milo OR",
        "AND NOT",
        "-",
        "milo -gold",
        ":",
        "name:milo",
        "sku:BEV",
        "^milo",
        '"milo',
        "milo*",
        "(milo",
        "{name sku}: milo",
        "'; DROP TABLE product; --",
        "%_\\",
        "\x00",
        "milo" * 200,
        "a b c d e f g h i j k l",
    ],
)
def test_fts_syntax_typed_by_a_cashier_is_only_ever_searched_for(store: Store, typed: str) -> None:
    results = Catalogue(store).search(typed)
    assert isinstance(results, list)
    if typed in ('"milo', "milo*", "(milo", "^milo"):
        assert results and all("milo" in p.name.lower() for p in results)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Product)) == len(CAT.products)


def test_nothing_typed_finds_nothing_and_limits_are_kept(store: Store) -> None:
    catalogue = Catalogue(store)
    assert catalogue.search("") == []
    assert catalogue.search("   \t") == []
    assert catalogue.search("-- ::") == []
    assert len(catalogue.search("pack", limit=5)) == 5
    assert catalogue.search("milo", limit=0) == []


# --- changes from head office ---------------------------------------------------------------


def test_a_price_change_is_what_the_next_scan_charges(store: Store) -> None:
    bread = product_named("Gardenia Enriched White Bread 600g")
    code = next(b.code for b in CAT.barcodes if b.product_id == bread.product_id)
    apply(store, [upsert(bread, price=D("3.15"))])
    found = Catalogue(store).by_barcode(code)
    assert found is not None
    assert found.unit_price == D("3.15")


def test_a_renamed_product_is_found_by_its_new_name_only(store: Store) -> None:
    tea = product_named("Yeo's Chrysanthemum Tea 250ml x6")
    apply(store, [upsert(tea, name="Yeo's Chrysanthemum Tea Less Sugar 250ml x6 (Promo)")])
    catalogue = Catalogue(store)
    assert "Yeo's Chrysanthemum Tea Less Sugar 250ml x6 (Promo)" in [
        p.name for p in catalogue.search("chrysanth promo")
    ]
    assert tea.name not in [p.name for p in catalogue.search("chrysanthemum", limit=100)]


def test_deleting_a_product_removes_its_barcodes(store: Store) -> None:
    laksa = product_named("Prima Taste Laksa La Mian 185g")
    codes = [b.code for b in CAT.barcodes if b.product_id == laksa.product_id]
    apply(store, [raw(MasterEntity.PRODUCT, str(laksa.product_id), None, op="delete")])
    catalogue = Catalogue(store)
    assert all(catalogue.by_barcode(code) is None for code in codes)
    with store.read() as s:
        left = s.scalar(select(func.count()).where(Barcode.product_id == str(laksa.product_id)))
    assert left == 0
    assert laksa.name not in [p.name for p in catalogue.search("laksa la mian", limit=100)]


def test_a_sku_freed_by_a_delete_can_be_reused_in_the_same_pull(store: Store) -> None:
    old = product_named("Faber-Castell 2B Pencils 12s")
    new = old.model_copy(update={"product_id": uuid.uuid4(), "name": "Pencils 2B"})
    apply(
        store,
        [
            master_change(MasterEntity.PRODUCT, str(new.product_id), new),
            raw(MasterEntity.PRODUCT, str(old.product_id), None, op="delete"),
        ],
    )
    assert [p.name for p in Catalogue(store).search(old.sku)] == ["Pencils 2B"]


def test_a_staff_update_keeps_the_tills_lockout(store: Store) -> None:
    cashier = STAFF[0]
    locked = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    with Session(store.writer) as session, session.begin():
        session.execute(
            update(Staff)
            .where(Staff.staff_id == str(cashier.staff_id))
            .values(failed_attempts=5, locked_until=locked)
        )
    renamed = cashier.model_copy(update={"display_name": "Tan Mei Ling (Ms)"})
    apply(store, [master_change(MasterEntity.STAFF, str(cashier.staff_id), renamed)])
    with store.read() as s:
        row = s.get(Staff, str(cashier.staff_id))
        assert row is not None
        assert row.display_name == "Tan Mei Ling (Ms)"
        assert (row.failed_attempts, row.locked_until) == (5, locked)


@pytest.mark.parametrize(
    ("price", "complaint"),
    [("1.005", "more than 2 decimals"), (1.5, "decimal string"), ("abc", "not a decimal")],
)
def test_a_bad_price_names_the_product_and_nothing_is_written(
    store: Store, price: object, complaint: str
) -> None:
    milo = product_named("Milo 3-in-1 Sachets 18x33g")
    newcomer = milo.model_copy(update={"product_id": uuid.uuid4(), "sku": "NEW-1"})
    bad = product_named("Ayam Brand Sardines 155g")
    data = bad.model_dump(mode="json") | {"price": price}
    page = [
        upsert(milo, price=D("1.00")),
        master_change(MasterEntity.PRODUCT, str(newcomer.product_id), newcomer),
        raw(MasterEntity.PRODUCT, str(bad.product_id), data),
    ]
    with pytest.raises(MasterDataError) as caught, Session(store.writer) as s, s.begin():
        apply_changes(s, page)
    assert caught.value.entity is MasterEntity.PRODUCT
    assert caught.value.key == str(bad.product_id)
    assert str(bad.product_id) in str(caught.value)
    assert "price" in str(caught.value)
    assert complaint in str(caught.value)
    catalogue = Catalogue(store)
    still = catalogue.by_id(milo.product_id)
    assert still is not None
    assert still.unit_price == milo.price
    assert catalogue.by_id(newcomer.product_id) is None


def test_a_barcode_for_a_product_the_till_lacks_names_the_barcode(store: Store) -> None:
    stray = raw(
        MasterEntity.BARCODE,
        "8880000000024",
        {"code": "8880000000024", "product_id": str(uuid.uuid4())},
    )
    with pytest.raises(MasterDataError, match="8880000000024") as caught:
        apply(store, [stray])
    assert "product this till does not have" in str(caught.value)
    assert Catalogue(store).by_barcode("8880000000024") is None


def test_data_for_another_record_than_its_key_is_refused(store: Store) -> None:
    milo = product_named("Milo 3-in-1 Sachets 18x33g")
    other = product_named("Ayam Brand Sardines 155g")
    change = raw(MasterEntity.PRODUCT, str(other.product_id), milo.model_dump(mode="json"))
    with pytest.raises(MasterDataError, match=str(other.product_id)):
        apply(store, [change])
    found = Catalogue(store).by_id(other.product_id)
    assert found is not None
    assert found.name == other.name


def test_a_bad_record_at_the_end_of_a_first_pull_leaves_the_till_as_it_was(
    tmp_path: Path,
) -> None:
    path = tmp_path / "fresh.db"
    upgrade_store(path, backup_dir=tmp_path / "backups")
    fresh = Store.open(path)
    try:
        bad = raw(MasterEntity.BARCODE, "not a barcode!", {"code": "x", "product_id": "y"})
        with pytest.raises(MasterDataError, match="not a barcode!") as caught:
            apply(fresh, [*catalogue_changes(CAT, OUTLET, STAFF), bad])
        assert caught.value.entity is MasterEntity.BARCODE
        with fresh.read() as s:
            assert s.scalar(select(func.count()).select_from(Product)) == 0
    finally:
        fresh.close()


def test_removed_staff_cannot_sign_in_but_their_shifts_keep_their_name(store: Store) -> None:
    cashier, other = STAFF[0], STAFF[1]
    with Session(store.writer) as session, session.begin():
        session.add(
            Shift(
                shift_id=str(uuid.uuid4()),
                opened_by=str(cashier.staff_id),
                opened_at=datetime(2025, 3, 1, 2, 0, tzinfo=UTC),
                opening_float=D("200.00"),
            )
        )
    apply(
        store,
        [
            raw(MasterEntity.STAFF, str(cashier.staff_id), None, op="delete"),
            raw(MasterEntity.STAFF, str(other.staff_id), None, op="delete"),
        ],
    )
    with store.read() as s:
        kept = s.get(Staff, str(cashier.staff_id))
        assert kept is not None
        assert not kept.active
        assert s.get(Staff, str(other.staff_id)) is None


def test_products_of_a_removed_category_stay_on_sale(store: Store) -> None:
    bread = product_named("Gardenia Enriched White Bread 600g")
    apply(store, [raw(MasterEntity.CATEGORY, str(bread.category_id), None, op="delete")])
    assert Catalogue(store).by_id(bread.product_id) is not None
    with store.read() as s:
        assert s.scalar(select(Product.category_id).where(Product.name == bread.name)) is None


def test_a_change_whose_key_is_not_an_id_is_refused(store: Store) -> None:
    with pytest.raises(MasterDataError, match="not a UUID"):
        apply(store, [raw(MasterEntity.PRODUCT, "milo", None, op="delete")])
    assert Catalogue(store).search("milo") != []


def test_search_still_finds_the_right_products_after_deletes_and_a_vacuum(store: Store) -> None:
    # FTS5 points at product rows by rowid; VACUUM renumbers the hidden rowid of a table
    # without an INTEGER PRIMARY KEY, which would make every search name the wrong product.
    doomed = [p for p in CAT.products[:40] if "Milo" not in p.name]
    apply(store, [raw(MasterEntity.PRODUCT, str(p.product_id), None, op="delete") for p in doomed])
    with closing(sqlite3.connect(store.path, isolation_level=None)) as db:
        db.execute("VACUUM")
    catalogue = Catalogue(store)
    for product in CAT.products[40:60]:
        word = product.name.split()[0]
        found = {p.product_id for p in catalogue.search(product.name, limit=50)}
        assert str(product.product_id) in found, f"{product.name} lost after VACUUM ({word})"
    assert all("Milo" in p.name for p in catalogue.search("milo", limit=10))
