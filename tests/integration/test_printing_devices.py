"""A real network receipt printer (a TCP server speaking port 9100), and printers that are absent.

The fake printer is a real socket server on a thread: it records every byte each connection
sends and, like an Epson, answers the paper-sensor query DLE EOT 4 when told what to say.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from escpos.constants import CD_KICK_2
from sqlalchemy import select

from shared.receipt import Receipt
from shared.tender import Tender, TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.printing_samples import QR_COMMAND, printed_text, simplified
from tests.tills import DemoTill, demo_till
from till.printing import PrinterSettings, ReceiptPrinter, escpos_receipt
from till.store.models import Sale

D = Decimal
PAPER_QUERY = b"\x10\x04\x04"  # DLE EOT 4: "how is the paper?"
PAPER_OK, PAPER_OUT = 0x12, 0x72  # the answers an Epson gives


class FakeNetworkPrinter:
    """Listens on 127.0.0.1; ``answers`` are the paper-sensor replies still to give."""

    def __init__(self, answers: list[int] | None = None) -> None:
        self.answers = list(answers or [])
        self.jobs: list[bytes] = []
        self._stopping = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            conn, _ = self._server.accept()
            if self._stopping.is_set():
                conn.close()
                return
            with conn:
                received = b""
                while chunk := conn.recv(65536):
                    received += chunk
                    for _ in range(chunk.count(PAPER_QUERY)):
                        if self.answers:
                            conn.sendall(bytes([self.answers.pop(0)]))
                self.jobs.append(received)

    def settings(self, **more: object) -> PrinterSettings:
        return PrinterSettings(kind="network", host="127.0.0.1", port=self.port, **more)

    def wait_for_jobs(self, n: int) -> list[bytes]:
        for _ in range(500):
            if len(self.jobs) >= n:
                return self.jobs
            time.sleep(0.01)
        raise AssertionError(f"the printer received {len(self.jobs)} connections, not {n}")

    def close(self) -> None:
        # A socket closed under a thread blocked in accept() does not wake it: knock instead.
        self._stopping.set()
        socket.create_connection(("127.0.0.1", self.port)).close()
        self._thread.join(timeout=5)
        self._server.close()


@pytest.fixture
def printer_box() -> Iterator[FakeNetworkPrinter]:
    box = FakeNetworkPrinter()
    yield box
    box.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoTill]:
    t = demo_till(tmp_path_factory.mktemp("printing") / "till")
    t.till.shifts.open_shift(t.cashier, D("100.00"))
    yield t
    t.till.close()


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])  # nothing listens here once the probe closes


def paynow_sale(shop: DemoTill) -> Receipt:
    """A real sale of three items paid by PayNow, as the till prints it (QR included)."""
    checkout = shop.till.checkout(shop.cashier)
    for code in standard_barcodes(shop.till.store, 3):
        checkout.scan(code)
    due = checkout.totals().total
    payload = checkout.paynow_payload(due)
    reference = str(checkout.next_receipt_number())
    done = checkout.complete(
        [Tender(TenderType.PAYNOW, due, reference=reference, confirmed_by=shop.cashier.staff_id)]
    )
    return dataclasses.replace(done.receipt, paynow_payload=payload)


def test_a_network_printer_receives_exactly_the_receipt_of_a_real_sale(
    shop: DemoTill, printer_box: FakeNetworkPrinter
) -> None:
    receipt = paynow_sale(shop)
    printer = ReceiptPrinter(printer_box.settings(paper_mm=58))

    outcome = printer.print_receipt(receipt, open_drawer=True)

    assert outcome.ok and outcome.problem is None
    (received,) = printer_box.wait_for_jobs(1)
    expected = escpos_receipt(receipt, paper_mm=58, open_drawer=True)
    # This printer never answered the paper query; apart from asking, it got the receipt as is.
    assert received == PAPER_QUERY + expected
    assert str(receipt.number).encode() in received
    assert b"GST" in received
    assert receipt.supplier.gst_reg_no is not None
    assert receipt.supplier.gst_reg_no.encode() in received
    assert receipt.paynow_payload is not None
    assert QR_COMMAND in received and receipt.paynow_payload.encode() in received
    assert CD_KICK_2 in received
    assert printer.last_output == expected


def test_a_printer_that_never_reports_status_is_not_asked_again(
    printer_box: FakeNetworkPrinter,
) -> None:
    printer = ReceiptPrinter(printer_box.settings())
    assert printer.print_receipt(simplified()).ok
    assert printer.print_receipt(simplified(reprint_count=1)).ok
    first, second = printer_box.wait_for_jobs(2)
    assert first.startswith(PAPER_QUERY) and PAPER_QUERY not in second
    assert "REPRINT #1" in printed_text(second)


def test_an_offline_printer_loses_nothing_and_says_what_to_do(shop: DemoTill) -> None:
    receipt = paynow_sale(shop)
    port = closed_port()
    printer = ReceiptPrinter(
        PrinterSettings(kind="network", host="127.0.0.1", port=port, timeout_s=1.0)
    )

    outcome = printer.print_receipt(receipt, open_drawer=True)

    assert not outcome.ok
    assert outcome.problem == (
        f"The receipt printer at 127.0.0.1:{port} does not answer. Check it is switched on and "
        "connected, then press Retry."
    )
    assert printer.last_output is None
    with shop.till.store.read() as s:  # the sale was committed before anything printed
        assert s.scalars(select(Sale).where(Sale.receipt_no == str(receipt.number))).one()
    check = printer.check()
    assert not check.ok and check.problem is not None
    assert f"127.0.0.1:{port} does not answer" in check.problem
    assert not printer.open_drawer().ok


def test_after_a_failed_print_the_reprint_comes_out_marked(
    shop: DemoTill, printer_box: FakeNetworkPrinter
) -> None:
    receipt = paynow_sale(shop)
    offline = ReceiptPrinter(PrinterSettings(kind="network", host="127.0.0.1", port=closed_port()))
    assert not offline.print_receipt(receipt).ok

    reprint = shop.till.receipts().next_copy(str(receipt.number))
    assert ReceiptPrinter(printer_box.settings()).print_receipt(reprint).ok

    (received,) = printer_box.wait_for_jobs(1)
    text = printed_text(received.removeprefix(PAPER_QUERY))
    assert "REPRINT #1" in text and str(receipt.number) in text


def test_out_of_paper_prints_nothing_but_still_opens_the_drawer_and_retry_works() -> None:
    box = FakeNetworkPrinter(answers=[PAPER_OUT])
    try:
        printer = ReceiptPrinter(box.settings())
        outcome = printer.print_receipt(simplified(), open_drawer=True)
        assert not outcome.ok and outcome.problem == (
            f"The receipt printer at 127.0.0.1:{box.port} is out of paper. Load a new roll and "
            "close the cover, then press Retry."
        )
        box.answers.append(PAPER_OK)  # the cashier loads a new roll
        assert printer.print_receipt(simplified()).ok
        first, retry = box.wait_for_jobs(2)
    finally:
        box.close()
    # The cashier still has to give change: the drawer opened, but no receipt was half-printed.
    assert first == PAPER_QUERY + CD_KICK_2
    assert retry.startswith(PAPER_QUERY) and b"Kaya toast set" in retry


def test_a_printer_that_runs_out_of_paper_mid_receipt_is_reported() -> None:
    box = FakeNetworkPrinter(answers=[PAPER_OK, PAPER_OUT])
    try:
        outcome = ReceiptPrinter(box.settings()).print_receipt(simplified())
        (received,) = box.wait_for_jobs(1)
    finally:
        box.close()
    assert not outcome.ok and outcome.problem is not None
    assert "ran out of paper while printing" in outcome.problem
    assert "press Retry" in outcome.problem
    assert received.count(PAPER_QUERY) == 2 and b"Kaya toast set" in received


def test_the_doctor_check_connects_and_reads_the_paper_sensor() -> None:
    box = FakeNetworkPrinter(answers=[PAPER_OK, PAPER_OUT])
    try:
        printer = ReceiptPrinter(box.settings())
        assert printer.check().ok
        out = printer.check()
        box.wait_for_jobs(2)
    finally:
        box.close()
    assert not out.ok and out.problem is not None and "out of paper" in out.problem
    assert box.jobs == [PAPER_QUERY, PAPER_QUERY]  # a check prints nothing


def test_a_usb_printer_that_is_not_there_is_reported_not_raised() -> None:
    # No device has these ids; on a till without libusb the answer names that instead.
    printer = ReceiptPrinter(
        PrinterSettings(kind="usb", usb_vendor_id=0xFFFF, usb_product_id=0xFFFE)
    )
    for outcome in (printer.check(), printer.print_receipt(simplified()), printer.open_drawer()):
        assert not outcome.ok and outcome.problem is not None
        assert "USB" in outcome.problem
        assert "technician" in outcome.problem or "Retry" in outcome.problem


def test_a_serial_printer_on_a_missing_port_is_reported_not_raised(tmp_path: Path) -> None:
    device = str(tmp_path / "ttyUSB9")
    printer = ReceiptPrinter(PrinterSettings(kind="serial", serial_device=device))
    for outcome in (printer.check(), printer.print_receipt(simplified())):
        assert not outcome.ok and outcome.problem is not None
        assert device in outcome.problem and "serial_device" in outcome.problem


def test_a_roll_near_its_end_still_prints() -> None:
    box = FakeNetworkPrinter(answers=[0x1E, 0x1E])  # Epson: paper near-end sensor on
    try:
        outcome = ReceiptPrinter(box.settings()).print_receipt(simplified())
        (received,) = box.wait_for_jobs(1)
    finally:
        box.close()
    assert outcome.ok
    assert "Kaya toast set" in printed_text(received.replace(PAPER_QUERY, b""))
