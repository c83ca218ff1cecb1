"""Printing a sale's receipt after it has been committed, without holding up the next sale.

With no printer set up (``kind = "none"``) each receipt is saved as a PDF instead. The job
runs on one worker thread (a network printer that is switched off takes its whole
timeout to say so) and its outcome comes back as a queued signal. A failure opens a box with
the printer's words and Retry / Save as PDF / Skip; the sale is stored whatever is chosen and
can be reprinted later from Receipts (F7).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QWidget

from shared.logs import get_logger
from shared.receipt import Receipt
from till.printing import NO_PRINTER, PrintOutcome
from till.ui.context import UiContext
from till.ui.errors import show_problem
from till.ui.language import tr
from till.ui.print_problem import problem_box, save_pdf
from till.ui.refusals import translate_refusal

log = get_logger("sgpos.till.print")


@dataclass(frozen=True)
class PrintJob:
    receipt: Receipt
    open_drawer: bool


class SalePrinting(QObject):
    # receipt number and what became of it: "printed", "pdf <path>", "skipped"
    settled = Signal(str, str)
    _done = Signal(object, object)  # PrintJob, PrintOutcome; emitted on the worker thread
    _pdf_saved = Signal(str, str)  # receipt number, path; emitted on the worker thread

    def __init__(self, ctx: UiContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx, self.window = ctx, window
        self.results: dict[str, str] = {}
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="sgpos-print")
        self._done.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self._pdf_saved.connect(self._pdf_done, Qt.ConnectionType.QueuedConnection)

    def print_sale(self, receipt: Receipt, *, open_drawer: bool) -> None:
        self._worker.submit(self._run, PrintJob(receipt, open_drawer))

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: PrintJob) -> None:
        if self.ctx.printer.settings.kind == "none":
            self._no_printer(job)
            return
        try:
            outcome = self.ctx.printer.print_receipt(job.receipt, open_drawer=job.open_drawer)
        except Exception as exc:  # the printer package should not raise; the sale is safe
            log.exception("print.failed", receipt=str(job.receipt.number))
            outcome = PrintOutcome(ok=False, problem=f"The receipt did not print ({exc}).")
        self._done.emit(job, outcome)

    def _no_printer(self, job: PrintJob) -> None:
        # A shop without a receipt printer is set up that way, not failing: every receipt
        # becomes a PDF in the till's folder (for e-mail), with no box to click per sale.
        try:
            path = save_pdf(self.ctx, job.receipt)
        except OSError as exc:
            outcome = PrintOutcome(ok=False, problem=f"{NO_PRINTER}. The PDF failed too: {exc}")
            self._done.emit(job, outcome)
            return
        self._pdf_saved.emit(str(job.receipt.number), str(path))

    def _pdf_done(self, number: str, path: str) -> None:
        self._settle(number, f"pdf {path}")

    def _finished(self, job: PrintJob, outcome: PrintOutcome) -> None:
        number = str(job.receipt.number)
        if outcome.ok:
            self._settle(number, "printed")
            return
        log.warning("print.problem", receipt=number, problem=outcome.problem)
        box, retry, pdf = problem_box(
            self.window,
            "sale_print_problem",
            tr("Receipt not printed"),
            (
                translate_refusal(outcome.problem)
                if outcome.problem
                else tr("The printer did not print.")
            )
            + "\n\n"
            + tr(
                "Sale {number} is saved. Retry, save the receipt as a PDF, or skip "
                "(Receipts, F7, reprints it later)."
            ).format(number=number),
            with_pdf=True,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(button: QAbstractButton) -> None:
            if button is retry:
                self.print_sale(job.receipt, open_drawer=job.open_drawer)
            elif button is pdf:
                self._save_pdf(job.receipt)
            else:
                self._settle(number, "skipped")

        box.buttonClicked.connect(chosen)
        box.open()  # not exec(): the cashier may start the next sale meanwhile

    def _save_pdf(self, receipt: Receipt) -> None:
        try:
            path = save_pdf(self.ctx, receipt)
        except OSError as exc:
            show_problem(self.window, tr("The PDF could not be saved: {error}").format(error=exc))
            self._settle(str(receipt.number), "skipped")
            return
        self._settle(str(receipt.number), f"pdf {path}")

    def _settle(self, number: str, result: str) -> None:
        self.results[number] = result
        self.settled.emit(number, result)
