"""Weighed goods at the till: asked for their weight, or read from a shop scale's label."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.receipt import render_text
from shared.scale_barcode import Measure, ScaleLayout, base_code, scale_label
from tests.ui.selling import Till, keys, press, running_till, sign_in, tap, type_in
from tests.ui.shelf import barcode_of
from till.settings import ScaleLabelSettings
from till.store.models import Barcode, Product, Sale
from till.store.uow import UnitOfWork

D = Decimal
BANANAS = "Bananas (per kg)"  # $2.90/kg


def _label_for(till: Till, layout: ScaleLayout, item: str, name: str) -> None:
    """The scale's item code for ``name``, as head office would send it: its base code."""
    with UnitOfWork(till.store) as uow:
        product_id = uow.session.scalars(select(Product.product_id).where(Product.name == name))
        uow.session.add(Barcode(code=base_code(layout, item), product_id=product_id.one()))
        uow.commit()


def test_a_weighed_item_asks_for_its_weight_before_anything_is_rung(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell

        type_in(qtbot, sell.entry, barcode_of(till, BANANAS))

        assert sell.model.rowCount() == 0
        assert sell.prompt_label.text().startswith("Weight in kg (e.g. 0.500) of Bananas")
        type_in(qtbot, sell.entry, "500")  # grams typed as kg
        assert sell.message.text().startswith("500 kg is not a weight the scale shows")
        assert sell.model.rowCount() == 0
        type_in(qtbot, sell.entry, "0.0005")
        assert "finer than a gram" in sell.message.text()
        # The keypad beside the line types the weight too.
        for key in ("0", ".", "5", "enter"):
            tap(qtbot, sell.findChild(QPushButton, f"pad_{key}"))

        [line] = till.checkout.cart.lines
        assert (line.product.name, line.quantity) == (BANANAS, D("0.500"))
        assert sell.message.text() == f"{BANANAS}  0.500 kg × $2.90/kg"
        assert sell.model.data(sell.model.index(0, 1)) == "0.500 kg"
        assert sell.model.data(sell.model.index(0, 2)) == "$2.90/kg"


def test_esc_while_asked_for_a_weight_rings_nothing_and_a_scan_is_a_scan(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        type_in(qtbot, sell.entry, barcode_of(till, BANANAS))
        keys(qtbot, sell.entry, "0.4")
        press(qtbot, sell.entry, Qt.Key.Key_Escape)
        assert sell.model.rowCount() == 0 and sell.prompt_label.text().startswith("Scan")

        type_in(qtbot, sell.entry, barcode_of(till, BANANAS))
        type_in(qtbot, sell.entry, barcode_of(till, "Nescafé Gold Blend 200g"))
        assert [line.product.name for line in till.checkout.cart.lines] == [
            "Nescafé Gold Blend 200g"
        ]


def test_a_scale_label_rings_its_weight_and_prints_the_unit(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        weight_layout = ScaleLayout("21")  # the default: every 2x prefix carries grams
        _label_for(till, weight_layout, "00012", BANANAS)
        sign_in(qtbot, till)
        sell = till.window.sell

        type_in(qtbot, sell.entry, scale_label(weight_layout, "00012", D("1.235")))

        [line] = till.checkout.cart.lines
        assert (line.product.name, line.quantity, line.gross) == (BANANAS, D("1.235"), D("3.58"))
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        type_in(qtbot, till.window.payment.entry, "5")

        with till.store.read() as s:
            sale = s.scalars(select(Sale)).one()
            receipt_no = sale.receipt_no
        text = render_text(till.ctx.till.receipts().look_up(receipt_no))
        assert "  1.235 kg x 2.90/kg" in text


def test_a_misread_scale_label_is_refused(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        layout = ScaleLayout("21")
        _label_for(till, layout, "00012", BANANAS)
        sign_in(qtbot, till)
        sell = till.window.sell
        label = scale_label(layout, "00012", D("1.235"))
        misread = label[:-1] + str((int(label[-1]) + 1) % 10)

        type_in(qtbot, sell.entry, misread)

        assert sell.message.text() == (
            f"The label {misread} did not scan cleanly (check digit): scan again"
        )
        assert sell.model.rowCount() == 0


def test_a_price_label_charges_exactly_the_price_printed(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        price_layout = ScaleLayout("22", 4, Measure.PRICE, 2, value_check_digit=True)
        _label_for(till, price_layout, "0042", "Loose Prawns (per kg)")  # $24.90/kg
        till.ctx.settings.scale_labels = [
            ScaleLabelSettings(
                prefix="22",
                item_digits=4,
                measure=Measure.PRICE,
                decimals=2,
                value_check_digit=True,
            )
        ]
        sign_in(qtbot, till)
        sell = till.window.sell

        type_in(qtbot, sell.entry, scale_label(price_layout, "0042", D("12.95")))

        [line] = till.checkout.cart.lines
        assert line.gross == D("12.95") and line.quantity == D("0.520")
