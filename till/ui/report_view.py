"""An X or Z report on screen exactly as it prints, with a Print button (and Save as PDF
when the printer fails)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from shared.gst import SINGAPORE
from till.services.shifts import ShiftReport
from till.ui.context import UiContext
from till.ui.keys import action_button, paper
from till.ui.language import tr
from till.ui.look import set_role
from till.ui.print_problem import print_report


class ReportView(QWidget):
    """Shows one report; ``closed`` when the cashier is done with it (Esc or Done)."""

    closed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("report_view")
        self.name = "report"  # the PDF's file name, set with each report shown
        self.title = QLabel()
        self.title.setObjectName("report_title")
        set_role(self.title, "heading")
        self.text = paper("report_text", ctx.settings.columns)
        self.outcome = QLabel()
        self.outcome.setObjectName("report_outcome")
        self.print_button = action_button(tr("Print"), "F2", self, self.print, "report_print")
        done = action_button(tr("Done"), "Esc", self, self.closed.emit, "report_done")
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)

    def show_report(self, report: ShiftReport) -> None:
        """Show an X report (shift open) or a Z report (closed), ready to print or save."""
        if report.closed_at is None:
            self.name = f"x-report-{datetime.now(SINGAPORE):%Y%m%d-%H%M%S}"
            title = "X report"  # the PDF's title: printed words stay in the outlet's language
        else:
            self.name = f"z-report-{report.closed_at.astimezone(SINGAPORE):%Y%m%d-%H%M%S}"
            title = "Z report"
        self.pdf_title = title
        self.title.setText(tr("X report") if report.closed_at is None else tr("Z report"))
        self.text.setPlainText(report.render_text(width=self.ctx.settings.columns))
        self.outcome.clear()
        self.text.setFocus()

    def print(self) -> None:
        result = print_report(
            self, self.ctx, self.text.toPlainText(), title=self.pdf_title, name=self.name
        )
        again = "" if result.on_paper or result.pdf else " " + tr("F2 prints it again.")
        self.outcome.setText(tr("Report {outcome}.").format(outcome=result.words()) + again)
