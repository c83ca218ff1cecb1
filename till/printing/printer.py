"""The till's receipt printer: print, kick the drawer, check; device trouble is an outcome, not
an exception.

A sale is committed before anything prints, so a printer that is off, unplugged or out of
paper only costs a piece of paper: the cashier is told in plain words what to do and prints
again (Retry, or Reprint later).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from shared.logs import get_logger
from shared.receipt import Receipt
from till.printing.devices import DeviceTrouble, close, connect, paper_state, send
from till.printing.escpos_out import drawer_kick, escpos_receipt, escpos_report
from till.printing.settings import PrinterSettings, sentence

__all__ = ["NO_PRINTER", "PrintOutcome", "ReceiptPrinter"]

log = get_logger(__name__)

NO_PRINTER = "No receipt printer is set up; use PDF or set [printer] in till.toml"


@dataclass(frozen=True)
class PrintOutcome:
    ok: bool
    problem: str | None = None  # plain words + what to do; None when ok


_OK = PrintOutcome(ok=True)


class ReceiptPrinter:
    """One configured printer. Safe to share between threads: jobs go out one at a time."""

    def __init__(self, settings: PrinterSettings, *, columns: int | None = None) -> None:
        self.settings = settings
        # The till's receipt width when it is narrower than the paper's (till.toml
        # paper_columns), so paper, screen and PDF show the same layout.
        self.columns = columns
        self._lock = threading.Lock()
        self._last_output: bytes | None = None
        # None = not asked yet; False = this printer never answers status queries, so each job
        # would wait for nothing.
        self._answers_status: bool | None = None

    @property
    def last_output(self) -> bytes | None:
        """The ESC/POS bytes of the last job handed to the printer (every job, for "dummy")."""
        return self._last_output

    def print_receipt(self, receipt: Receipt, *, open_drawer: bool = False) -> PrintOutcome:
        """Print ``receipt`` (PayNow QR included when it carries a payload)."""
        s = self.settings
        if s.kind == "none":
            return PrintOutcome(ok=False, problem=NO_PRINTER)
        job = escpos_receipt(
            receipt,
            paper_mm=s.paper_mm,
            open_drawer=open_drawer,
            drawer_pin=s.drawer_pin,
            profile=s.profile,
            columns=self.columns,
            chinese=s.chinese_mode,
        )
        kick = drawer_kick(drawer_pin=s.drawer_pin, profile=s.profile) if open_drawer else None
        return self._run(job, document=str(receipt.number), watch_paper=True, kick=kick)

    def print_report(self, text: str) -> PrintOutcome:
        """Print an X/Z report or other text already laid out for this paper."""
        if self.settings.kind == "none":
            return PrintOutcome(ok=False, problem=NO_PRINTER)
        s = self.settings
        job = escpos_report(text, paper_mm=s.paper_mm, profile=s.profile, chinese=s.chinese_mode)
        return self._run(job, document="report", watch_paper=True)

    def open_drawer(self) -> PrintOutcome:
        """Kick the cash drawer (no-sale); the drawer hangs off the printer."""
        if self.settings.kind == "none":
            return PrintOutcome(ok=False, problem=NO_PRINTER)
        job = drawer_kick(drawer_pin=self.settings.drawer_pin, profile=self.settings.profile)
        return self._run(job, document="drawer", watch_paper=False)

    def check(self) -> PrintOutcome:
        """Is the printer there (and, if it says, does it have paper)? Prints nothing."""
        s = self.settings
        if s.kind == "none":
            return PrintOutcome(ok=False, problem=NO_PRINTER)
        if s.kind == "dummy":
            return _OK
        with self._lock:
            try:
                device = connect(s)
            except DeviceTrouble as trouble:
                return self._failed("check", trouble)
            try:
                paper = paper_state(device, s)
            finally:
                close(device)
            self._answers_status = paper != "unknown"
        log.info("printer.checked", printer=s.where, paper=paper)
        if paper == "out":
            return PrintOutcome(ok=False, problem=_out_of_paper(s))
        return _OK

    def _run(
        self, job: bytes, *, document: str, watch_paper: bool, kick: bytes | None = None
    ) -> PrintOutcome:
        s = self.settings
        with self._lock:
            if s.kind == "dummy":
                self._last_output = job
                log.info("printer.printed", printer="dummy", document=document, size=len(job))
                return _OK
            try:
                device = connect(s)
            except DeviceTrouble as trouble:
                return self._failed(document, trouble)
            try:
                if watch_paper and self._answers_status is not False:
                    paper = paper_state(device, s)
                    self._answers_status = paper != "unknown"
                    if paper == "low":
                        log.warning("printer.paper_low", printer=s.where)
                    if paper == "out":
                        if kick is not None:
                            send(device, s, kick)  # the cashier still needs to give change
                        return self._failed(
                            document, DeviceTrouble(_out_of_paper(s), "paper sensor: roll end")
                        )
                send(device, s, job)
                self._last_output = job
                if watch_paper and self._answers_status and paper_state(device, s) == "out":
                    return self._failed(
                        document,
                        DeviceTrouble(
                            f"{sentence(s.where)} ran out of paper while printing. Load a "
                            "new roll and close the cover; if the print-out does not come out "
                            "complete, press Retry.",
                            "paper sensor: roll end after the job",
                        ),
                    )
            except DeviceTrouble as trouble:
                return self._failed(document, trouble)
            finally:
                close(device)
        log.info("printer.printed", printer=s.where, document=document, size=len(job))
        return _OK

    def _failed(self, document: str, trouble: DeviceTrouble) -> PrintOutcome:
        log.warning(
            "printer.failed",
            printer=self.settings.where,
            document=document,
            reason=trouble.reason,
        )
        return PrintOutcome(ok=False, problem=trouble.problem)


def _out_of_paper(settings: PrinterSettings) -> str:
    return (
        f"{sentence(settings.where)} is out of paper. Load a new roll and close the cover, "
        "then press Retry."
    )
