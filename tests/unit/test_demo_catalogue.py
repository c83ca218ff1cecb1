"""The demo catalogue: a believable Singapore minimart that is valid wire data at any size."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter

from shared.demo_catalogue import (
    DEMO_STAFF,
    DemoCatalogue,
    catalogue_changes,
    demo_catalogue,
    demo_outlet,
)
from shared.protocol import (
    BarcodeV1,
    CategoryV1,
    MasterEntity,
    OutletV1,
    ProductV1,
    StaffV1,
)

D = Decimal


@pytest.fixture(scope="module")
def big() -> DemoCatalogue:
    return demo_catalogue(100_000)


@pytest.fixture(scope="module")
def small() -> DemoCatalogue:
    return demo_catalogue()


def ean13_ok(code: str) -> bool:
    """Written out here rather than imported, so a wrong check digit cannot agree with itself."""
    if len(code) != 13 or not code.isdigit():
        return False
    weighted = sum(int(d) * (1, 3)[i % 2] for i, d in enumerate(code[:12]))
    return (10 - weighted % 10) % 10 == int(code[12])


def test_the_same_seed_gives_the_same_shop_and_another_seed_another() -> None:
    first, again, other = (
        demo_catalogue(500, seed=3),
        demo_catalogue(500, seed=3),
        demo_catalogue(500, seed=4),
    )
    assert first == again
    assert [p.product_id for p in first.products] != [p.product_id for p in other.products]
    assert {p.product_id for p in first.products}.isdisjoint(p.product_id for p in other.products)
    assert demo_outlet(3) == demo_outlet(3) != demo_outlet(4)


def test_a_hundred_thousand_products_have_unique_ids_skus_names_and_barcodes(
    big: DemoCatalogue,
) -> None:
    products = big.products
    assert len(products) == 100_000
    for attribute in ("product_id", "sku", "name"):
        assert len({getattr(p, attribute) for p in products}) == len(products), attribute
    codes = [b.code for b in big.barcodes]
    assert len(set(codes)) == len(codes)
    assert {b.product_id for b in big.barcodes} == {p.product_id for p in products}


def test_every_barcode_is_a_valid_gs1_singapore_ean13(big: DemoCatalogue) -> None:
    bad = [b.code for b in big.barcodes if not (b.code.startswith("888") and ean13_ok(b.code))]
    assert bad == []


def test_about_one_product_in_ten_has_a_second_barcode(big: DemoCatalogue) -> None:
    per_product = Counter(b.product_id for b in big.barcodes)
    assert set(per_product.values()) == {1, 2}
    assert 0.08 < sum(n == 2 for n in per_product.values()) / len(big.products) < 0.12


def test_prices_are_exact_shelf_prices_within_range(big: DemoCatalogue) -> None:
    prices = [p.price for p in big.products]
    assert all(type(price) is Decimal for price in prices)
    assert min(prices) >= D("0.50")
    assert max(prices) <= D("89.90")
    assert all(price == price.quantize(D("0.01")) for price in prices)
    endings = Counter(f"{price:.2f}"[-2:] for price in prices)
    assert endings["90"] + endings["50"] + endings["95"] > 0.5 * len(prices)


def test_about_two_percent_are_fresh_goods_priced_per_kg(big: DemoCatalogue) -> None:
    weighed = [p for p in big.products if p.weighed]
    assert 0.015 < len(weighed) / len(big.products) < 0.025
    assert all("per kg" in p.name for p in weighed)
    assert not any("per kg" in p.name for p in big.products if not p.weighed)
    names = {p.name for p in weighed}
    assert {"Bananas (per kg)", "Fuji Apples (per kg)", "Loose Prawns (per kg)"} <= names


def test_nothing_in_the_catalogue_is_a_float(small: DemoCatalogue) -> None:
    def floats(value: Any) -> list[Any]:
        if isinstance(value, float):
            return [value]
        if isinstance(value, dict):
            return [f for v in value.values() for f in floats(v)]
        if isinstance(value, list | tuple):
            return [f for v in value for f in floats(v)]
        return []

    dumped = [m.model_dump() for m in (*small.products, *small.barcodes, *small.categories)]
    assert floats(dumped) == []
    assert floats(demo_outlet().model_dump()) == []
    wire = small.products[0].model_dump(mode="json")
    assert isinstance(wire["price"], str)


def test_the_shop_sells_exempt_out_of_scope_and_zero_rated_items(small: DemoCatalogue) -> None:
    by_code: dict[str, list[str]] = {}
    for p in small.products:
        by_code.setdefault(p.tax_code, []).append(p.name)
    assert any("Investment Gold Bar" in n for n in by_code["ES"])
    assert any("EZ-Link Top-up" in n for n in by_code["OS"])
    assert any("zero-rated" in n for n in by_code["ZR"])
    assert len(by_code["SR"]) > 0.99 * len(small.products)


def test_the_familiar_products_are_there_even_in_a_tiny_demo() -> None:
    names = {p.name for p in demo_catalogue(30).products}
    assert {
        "Milo 3-in-1 Sachets 18x33g",
        "Gardenia Enriched White Bread 600g",
        "Yeo's Chrysanthemum Tea 250ml x6",
        "Ayam Brand Sardines 155g",
        "Prima Taste Laksa La Mian 185g",
        "Crème Brûlée Cups 2x100g",
        "Jalapeño Chips 150g",
    } <= names
    assert len(names) == 30
    assert demo_catalogue(0).products == ()


def test_names_fit_the_receipt_field_and_some_carry_accents(big: DemoCatalogue) -> None:
    assert max(len(p.name) for p in big.products) <= 120
    accented = [p.name for p in big.products if any(c in p.name for c in "éèñüä")]
    assert len(accented) > 100


def test_every_object_passes_its_wire_model(big: DemoCatalogue) -> None:
    # Round-trip through JSON, exactly as a pull page would carry them.
    for model, items in (
        (CategoryV1, big.categories),
        (ProductV1, big.products),
        (BarcodeV1, big.barcodes),
    ):
        adapter = TypeAdapter(list[model])  # type: ignore[valid-type]
        assert adapter.validate_json(adapter.dump_json(list(items))) == list(items)
    outlet = demo_outlet()
    assert OutletV1.model_validate_json(outlet.model_dump_json()) == outlet


def test_the_demo_outlet_is_a_gst_registered_orchard_road_minimart() -> None:
    outlet = demo_outlet()
    assert (outlet.code, outlet.name) == ("ORC", "Orchard Minimart")
    assert outlet.gst_reg_no is not None
    assert "Singapore 238824" in outlet.address_lines
    assert outlet.cash_rounding == "nearest"
    assert outlet.gst_rounding == "total"
    assert outlet.variance_limit == D("5.00")
    assert outlet.paynow_uen == "201912345K"


def test_demo_staff_cover_every_role_and_become_wire_staff_with_a_hash() -> None:
    assert {m.role for m in DEMO_STAFF} == {"cashier", "supervisor", "manager"}
    assert len({m.code for m in DEMO_STAFF}) == len(DEMO_STAFF)
    assert all(m.pin.isdigit() and len(m.pin) == 4 for m in DEMO_STAFF)
    outlet = demo_outlet()
    wire = DEMO_STAFF[0].to_wire("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", [outlet.outlet_id])
    assert StaffV1.model_validate_json(wire.model_dump_json()) == wire
    assert DEMO_STAFF[0].pin not in wire.model_dump_json()


def test_catalogue_changes_are_a_pull_page_with_parents_first(small: DemoCatalogue) -> None:
    outlet = demo_outlet()
    changes = catalogue_changes(small, outlet)
    entities = [c.entity for c in changes]
    assert len(changes) == 1 + len(small.categories) + len(small.products) + len(small.barcodes)
    order = [MasterEntity.OUTLET, MasterEntity.CATEGORY, MasterEntity.PRODUCT]
    order.append(MasterEntity.BARCODE)
    assert sorted(entities, key=order.index) == entities
    assert all(c.op == "upsert" for c in changes)
    product = next(c for c in changes if c.entity is MasterEntity.PRODUCT)
    assert product.data is not None
    assert product.key == product.data["product_id"]
    assert json.loads(json.dumps(product.data)) == product.data  # plain JSON, money as text
