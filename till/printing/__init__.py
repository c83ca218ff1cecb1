"""Receipts on paper (ESC/POS thermal printers) and as PDF (``till.printing.pdf``)."""

import logging


def _import_escpos_quietly() -> None:
    # python-escpos calls logging.basicConfig() when its printer database is imported, which
    # would echo every log line of the till onto stderr: drop the handler it adds.
    root = logging.getLogger()
    before = list(root.handlers)
    import escpos.capabilities  # noqa: F401

    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)


_import_escpos_quietly()

from till.printing.escpos_out import escpos_receipt  # noqa: E402
from till.printing.printer import NO_PRINTER, PrintOutcome, ReceiptPrinter  # noqa: E402
from till.printing.settings import PrinterSettings  # noqa: E402

__all__ = ["NO_PRINTER", "PrintOutcome", "PrinterSettings", "ReceiptPrinter", "escpos_receipt"]
