"""Printing from the back-office screens: a printer that fails never loses anything, the
cashier sees why in plain words and chooses Retry, a PDF instead, or carrying on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from shared.receipt import Receipt
from till.printing import PrintOutcome
from till.printing.pdf import receipt_pdf, report_pdf, tax_invoice_pdf
from till.ui.context import UiContext
from till.ui.keys import returns_keyboard
from till.ui.language import tr
from till.ui.refusals import translate_refusal

PDF_FOLDER = "receipts"
INVOICE_FOLDER = "invoices"
REPORT_FOLDER = "reports"


@dataclass(frozen=True)
class Printed:
    on_paper: bool
    pdf: Path | None = None

    def words(self) -> str:
        if self.on_paper:
            return tr("printed")
        if self.pdf is not None:
            return tr("saved as PDF: {path}").format(path=self.pdf)
        return tr("not printed")


def print_receipt(
    parent: QWidget, ctx: UiContext, receipt: Receipt, *, open_drawer: bool = False
) -> Printed:
    return _until_done(
        parent,
        lambda: ctx.printer.print_receipt(receipt, open_drawer=open_drawer),
        lambda: save_pdf(ctx, receipt),
    )


def print_report(parent: QWidget, ctx: UiContext, text: str, *, title: str, name: str) -> Printed:
    """Print an X or Z report; when the printer fails, ``Save as PDF`` writes
    ``reports/<name>.pdf``."""
    return _until_done(
        parent,
        lambda: ctx.printer.print_report(text),
        lambda: save_report_pdf(ctx, text, title=title, name=name),
    )


def save_report_pdf(ctx: UiContext, text: str, *, title: str, name: str) -> Path:
    folder = ctx.till.data_dir / REPORT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.pdf"
    shop = ctx.till.profile.supplier.name
    path.write_bytes(report_pdf(text, title=title, shop=shop, columns=ctx.settings.columns))
    return path


def save_pdf(ctx: UiContext, receipt: Receipt) -> Path:
    """The receipt as a PDF in the till's data folder, named so copies never overwrite."""
    folder = ctx.till.data_dir / PDF_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    copy = f"-reprint-{receipt.reprint_count}" if receipt.reprint_count else ""
    path = folder / f"{receipt.number}{copy}.pdf"
    path.write_bytes(receipt_pdf(receipt, columns=ctx.settings.columns))
    return path


def save_tax_invoice(ctx: UiContext, invoice: Receipt) -> Path:
    """The sale's full tax invoice as an A4 PDF in the till's ``invoices`` folder, to print
    on an office printer or e-mail. Made again it is the same file, byte for byte."""
    folder = ctx.till.data_dir / INVOICE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{invoice.number}.pdf"
    path.write_bytes(tax_invoice_pdf(invoice))
    return path


def problem_box(
    parent: QWidget, name: str, title: str, text: str, *, with_pdf: bool
) -> tuple[QMessageBox, QAbstractButton, QAbstractButton | None]:
    """The one "printer problem" box: Retry (default), Save as PDF (when there is a receipt to
    save), Skip. Returns the box, its Retry button and its PDF button."""
    box = QMessageBox(parent)
    returns_keyboard(box)
    box.setObjectName(name)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    retry = box.addButton(tr("Retry"), QMessageBox.ButtonRole.AcceptRole)
    pdf = box.addButton(tr("Save as PDF"), QMessageBox.ButtonRole.ActionRole) if with_pdf else None
    box.addButton(tr("Skip"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    return box, retry, pdf


def _until_done(
    parent: QWidget, attempt: Callable[[], PrintOutcome], pdf: Callable[[], Path] | None
) -> Printed:
    while True:
        outcome = attempt()
        if outcome.ok:
            return Printed(on_paper=True)
        box, retry, save = problem_box(
            parent,
            "print_problem",
            tr("Printer problem"),
            translate_refusal(outcome.problem)
            if outcome.problem
            else tr("The printer did not print."),
            with_pdf=pdf is not None,
        )
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is retry:
            continue
        if save is not None and clicked is save and pdf is not None:
            return Printed(on_paper=False, pdf=pdf())
        return Printed(on_paper=False)
