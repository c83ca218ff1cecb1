"""The GST F5 worksheet: one quarter's return per GST registration number, box by box.

A GST return is filed per registration, not per shop: outlets sharing a GST registration
number are one return. The POS knows the supplies it rang (boxes 1 to 4) and the output tax
it charged (box 6), from the GST report's figures (``gst.gst_report``: values excluding GST,
refunds taken off in the quarter they were made at the rate originally charged). It cannot
know purchases, input tax, imports or the company's other revenue, so those boxes are left
blank for the accountant, never filled with a guess: box 8 (box 6 less box 7) follows once
box 7 is known. Quarters are calendar quarters; a business whose prescribed accounting
periods are offset from them reads the GST report over its own dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection

from sync_service.central.reports.common import ZERO, Period, ReportError, Scope
from sync_service.central.reports.gst import GstBoxes, gst_report

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2024-Q1`` (or ``2024Q1``); ReportError saying how to write it otherwise."""
        found = _QUARTER.match(text.strip())
        if not found:
            raise ReportError(
                f"{text!r} is not a quarter: write the year and the quarter, e.g. 2024-Q1"
            )
        year, number = int(found.group(1)), int(found.group(2))
        if not 2000 <= year <= 2999:
            raise ReportError(f"{year} is not a year this system keeps sales for")
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def period(self) -> Period:
        first = date(self.year, 3 * self.number - 2, 1)
        after = (
            date(self.year + 1, 1, 1) if self.number == 4 else first.replace(month=first.month + 3)
        )
        return Period(first, after - timedelta(days=1))

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True)
class F5Box:
    """One box of form GST F5: its number, the form's wording, the amount the POS knows (None
    when it cannot know it: the accountant fills it) and what the figure is or where it
    comes from."""

    number: int
    description: str
    amount: Decimal | None
    note: str


@dataclass(frozen=True)
class F5Return:
    """The worksheet of one GST registration: its outlets and its boxes, in form order."""

    gst_reg_no: str
    outlets: tuple[str, ...]  # outlet codes
    boxes: tuple[F5Box, ...]

    def box(self, number: int) -> F5Box:
        return next(b for b in self.boxes if b.number == number)


@dataclass(frozen=True)
class F5Worksheet:
    """Every return of the quarter (by registration number) among the outlets in scope;
    ``partial`` when the viewer sees only some outlets, so a return may lack others'."""

    quarter: Quarter
    returns: tuple[F5Return, ...]
    unregistered: tuple[str, ...]  # outlets that charge no GST and file no return
    partial: bool


_ACCOUNTANT = "Not known to the POS: from the purchase records"


def _boxes(b: GstBoxes) -> tuple[F5Box, ...]:
    refunds = (
        f"refunds of the quarter taken off: {b.refunds_value} excl. GST"
        if b.refunds_value
        else "no refunds in the quarter"
    )
    return (
        F5Box(1, "Total value of standard-rated supplies", b.box1_standard_rated, refunds),
        F5Box(2, "Total value of zero-rated supplies", b.box2_zero_rated, "ZR sales, net"),
        F5Box(3, "Total value of exempt supplies", b.box3_exempt, "ES sales, net"),
        F5Box(4, "Total value of (1) + (2) + (3)", b.box4_total_supplies, "boxes 1 + 2 + 3"),
        F5Box(5, "Total value of taxable purchases", None, _ACCOUNTANT),
        F5Box(
            6,
            "Output tax due",
            b.box6_output_tax,
            f"GST charged less GST refunded ({b.refunds_gst}) at the rates charged",
        ),
        F5Box(7, "Less: input tax and refunds claimed", None, _ACCOUNTANT),
        F5Box(
            8,
            "Equals: net GST to be paid to / claimed from IRAS",
            None,
            f"box 6 ({b.box6_output_tax}) less box 7, once box 7 is known",
        ),
        F5Box(
            9,
            "Total value of goods imported under import GST suspension schemes",
            None,
            "Not known to the POS: from the import permits",
        ),
        F5Box(
            10,
            "Did you claim for GST you had refunded to tourists?",
            None,
            "Not known to the POS: tourist refunds are run by the eTRS agency",
        ),
        F5Box(11, "Did you make any bad debt relief claims?", None, "For the accountant"),
        F5Box(12, "Did you make any pre-registration claims?", None, "For the accountant"),
        F5Box(
            13,
            "Revenue for the accounting period",
            None,
            f"For the accountant; the POS's own takings excl. GST were "
            f"{b.box4_total_supplies + b.out_of_scope} (box 4 and out-of-scope sales)",
        ),
    )


def f5_worksheet(conn: Connection, scope: Scope, quarter: Quarter) -> F5Worksheet:
    """The quarter's F5 returns, one per GST registration number among outlets in scope."""
    report = gst_report(conn, scope, quarter.period)
    by_reg: dict[str, list[tuple[str, GstBoxes]]] = {}
    unregistered = []
    for o in report.outlets:
        if o.outlet.gst_reg_no is None:
            unregistered.append(o.outlet.code)
            continue
        by_reg.setdefault(o.outlet.gst_reg_no, []).append((o.outlet.code, o.boxes))
    returns = tuple(
        F5Return(reg_no, tuple(code for code, _ in members), _boxes(_sum(b for _, b in members)))
        for reg_no, members in sorted(by_reg.items())
    )
    return F5Worksheet(quarter, returns, tuple(unregistered), partial=scope.outlet_ids is not None)


def _sum(boxes: Iterable[GstBoxes]) -> GstBoxes:
    parts = list(boxes)
    fields = (
        "box1_standard_rated",
        "box2_zero_rated",
        "box3_exempt",
        "box6_output_tax",
        "out_of_scope",
        "refunds_value",
        "refunds_gst",
    )
    return GstBoxes(**{f: sum((getattr(p, f) for p in parts), ZERO) for f in fields})
