"""Variants and packs at the till, by keys: a carton's own barcode rings up the carton at its
price and moves its units of stock; the search shows a family once and then its variants;
cartons received through the stock receive flow arrive as units (docs/variants.md)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.demo_variants import demo_variants
from shared.receipt import render_text
from tests.ui.selling import keys, press, running_till, sign_in, type_in, when_modal
from till.store.models import Sale, SaleLine, StockMovement
from till.ui.money_text import dollars

D = Decimal
DEMO = demo_variants()
BY_SKU = {p.sku: p for p in DEMO.products}
CODE = {str(b.product_id): b.code for b in DEMO.barcodes}
CARTON = BY_SKU["PGT-JAS-500-C24"]  # $23.90, 24 of PGT-JAS-500
UNIT = BY_SKU["PGT-JAS-500"]  # $1.20
HONEY_500 = BY_SKU["PGT-HON-500"]  # $1.30


def test_a_carton_and_a_variant_ring_up_and_move_stock_in_units(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell

        # The carton's own barcode: one line, the carton's name and price.
        type_in(qtbot, sell.entry, CODE[str(CARTON.product_id)])
        assert sell.model.data(sell.model.index(0, 0)) == CARTON.name
        assert sell.model.data(sell.model.index(0, 1)) == "1"
        assert sell.model.data(sell.model.index(0, 4)) == dollars(D("23.90"))

        # The search shows the family once; Enter lists its variants; Esc goes back to the
        # search, Enter again, Down to the second variant, Enter rings it up.
        listed: list[list[str]] = []

        def pick(dialog: QWidget) -> None:
            query = dialog.findChild(QLineEdit, "search_query")
            results = dialog.findChild(QListWidget, "search_results")
            assert query is not None and results is not None
            keys(qtbot, query, "pokka green")
            qtbot.waitUntil(lambda: results.count() > 0)
            rows = [results.item(i).text() for i in range(results.count())]
            assert "Pokka Green Tea  ·  4 variants  ▸" in rows
            assert sum("Pokka Green Tea  ·" in r for r in rows) == 1  # once, not per variant
            results.setCurrentRow(rows.index("Pokka Green Tea  ·  4 variants  ▸"))
            press(qtbot, query, Qt.Key.Key_Return)
            listed.append([results.item(i).text() for i in range(results.count())])
            press(qtbot, query, Qt.Key.Key_Escape)  # back to the search, still open
            assert dialog.isVisible()
            assert results.count() == len(rows)
            results.setCurrentRow(rows.index("Pokka Green Tea  ·  4 variants  ▸"))
            press(qtbot, query, Qt.Key.Key_Return)
            press(qtbot, query, Qt.Key.Key_Down)
            press(qtbot, query, Qt.Key.Key_Return)

        seen = when_modal(qtbot, "search", pick)
        press(qtbot, sell.entry, Qt.Key.Key_F2)
        assert seen
        assert listed == [
            [
                "Size 1.5L, Flavour Honey  ·  PGT-HON-1500  ·  $2.80  (Pokka Honey Green Tea 1.5L)",
                "Size 500ml, Flavour Honey  ·  PGT-HON-500  ·  $1.30  "
                "(Pokka Honey Green Tea 500ml)",
                "Size 1.5L, Flavour Jasmine  ·  PGT-JAS-1500  ·  $2.60  "
                "(Pokka Jasmine Green Tea 1.5L)",
                "Size 500ml, Flavour Jasmine  ·  PGT-JAS-500  ·  $1.20  "
                "(Pokka Jasmine Green Tea 500ml)",
            ]
        ]
        assert [p.line.product.name for p in sell.model.lines] == [CARTON.name, HONEY_500.name]
        assert sell.totals.total.text() == dollars(D("25.20"))
        qtbot.waitUntil(sell.entry.hasFocus)

        press(qtbot, sell.entry, Qt.Key.Key_F10)
        type_in(qtbot, till.window.payment.entry, "30")

        with till.store.read() as s:
            sale = s.scalars(select(Sale)).one()
            lines = s.scalars(select(SaleLine).order_by(SaleLine.position)).all()
            assert [(x.product_id, x.quantity, x.amount) for x in lines] == [
                (str(CARTON.product_id), D(1), D("23.90")),
                (str(HONEY_500.product_id), D(1), D("1.30")),
            ]
            moved = {
                m.product_id: m.quantity
                for m in s.scalars(select(StockMovement).where(StockMovement.reason == "sale"))
            }
            # Stock is kept in units: the carton moved 24 of its unit, none of "the carton".
            assert moved == {str(UNIT.product_id): D(-24), str(HONEY_500.product_id): D(-1)}
            assert sale.total == D("25.20")
        stock = till.demo.till.stock()
        on_hand = stock.on_hand([str(UNIT.product_id), str(CARTON.product_id)])
        assert on_hand == {str(UNIT.product_id): D(-24), str(CARTON.product_id): D(0)}

        receipt = render_text(till.ctx.till.receipts().look_up(sale.receipt_no))
        assert CARTON.name in receipt and "23.90" in receipt
