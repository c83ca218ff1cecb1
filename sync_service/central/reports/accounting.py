"""The daily sales journal in the manual-journal import formats of Xero and QuickBooks Online.

Each business day of one outlet is one manual journal, balanced to the cent (the journal
report's own entry). Accounts are mapped to the books' chart of accounts by the server's
settings: Xero imports by account *code*, QuickBooks Online by account *name*.

- **Xero** (Manual Journals, Import): columns ``Narration, Date, Description, AccountCode,
  TaxRate, Amount``; rows that share a narration and date are one journal; a positive amount
  is a debit, a negative one a credit; dates ``dd/mm/yyyy``; ``TaxRate`` is the full name of a
  rate in the organisation's tax settings (the journal posts GST to its own account, so every
  line takes the rate without tax); at most 300 lines per file.
- **QuickBooks Online** (Settings, Import data, Journal entries): columns ``Journal No,
  Journal Date, Account Name, Debits, Credits, Description``; rows that share a journal number
  are one entry; dates ``dd/mm/yyyy`` (the import asks for the format).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sync_service.central.reports.common import ReportError
from sync_service.central.reports.journal import (
    GST_OUTPUT,
    ROUNDING,
    SALES_RETURNS,
    SALES_REVENUE,
    TENDER_ACCOUNTS,
    SalesJournal,
)

XERO_MAX_LINES = 300  # Xero's limit for one import file
# A chart a new Singapore company could start from; every code can be changed in settings.
DEFAULT_XERO_CODES: dict[str, str] = {
    TENDER_ACCOUNTS["cash"]: "1010",
    TENDER_ACCOUNTS["nets"]: "1020",
    TENDER_ACCOUNTS["card"]: "1030",
    TENDER_ACCOUNTS["paynow"]: "1040",
    TENDER_ACCOUNTS["voucher"]: "2300",
    TENDER_ACCOUNTS["points"]: "2310",
    TENDER_ACCOUNTS["gift"]: "2320",
    SALES_REVENUE: "4000",
    SALES_RETURNS: "4100",
    ROUNDING: "4900",
    GST_OUTPUT: "2200",
}
DEFAULT_XERO_TAX_RATE = "No GST"
XERO_HEADER = ("Narration", "Date", "Description", "AccountCode", "TaxRate", "Amount")
QBO_HEADER = ("Journal No", "Journal Date", "Account Name", "Debits", "Credits", "Description")


@dataclass(frozen=True)
class AccountMap:
    """Journal account -> Xero code and -> QuickBooks Online account name (unmapped names are
    used as they are); the Xero tax rate every line takes."""

    xero_codes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_XERO_CODES))
    xero_tax_rate: str = DEFAULT_XERO_TAX_RATE
    qbo_names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls, xero_codes: Mapping[str, str], xero_tax_rate: str, qbo_names: Mapping[str, str]
    ) -> AccountMap:
        """The defaults with the settings' own mappings laid over them."""
        return cls({**DEFAULT_XERO_CODES, **xero_codes}, xero_tax_rate, dict(qbo_names))


def _dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _narration(journal: SalesJournal, day: date) -> str:
    return f"SG-POS sales {journal.outlet.code} {day.isoformat()}"


def _balanced(journal: SalesJournal) -> None:
    wrong = [day.business_date.isoformat() for day in journal.days if not day.balanced]
    if wrong:
        raise ReportError(
            "the journal does not balance on " + ", ".join(wrong) + ": the books would refuse "
            "it; look at those days' sales before importing"
        )


def xero_rows(journal: SalesJournal, accounts: AccountMap) -> list[list[Any]]:
    """One row per journal line; ReportError naming what to fix when an account has no code
    or the file would be more than Xero imports at once."""
    _balanced(journal)
    lines = sum(len(day.lines) for day in journal.days)
    if lines > XERO_MAX_LINES:
        raise ReportError(
            f"Xero imports at most {XERO_MAX_LINES} lines per file and this period has {lines}: "
            "download a shorter period (a month of one outlet is usually under 300 lines)"
        )
    missing = sorted(
        {x.account for day in journal.days for x in day.lines} - set(accounts.xero_codes)
    )
    if missing:
        raise ReportError(
            "no Xero account code is set for " + ", ".join(repr(a) for a in missing) + ": add "
            "them to xero_account_codes in the server's settings"
        )
    rows: list[list[Any]] = []
    for day in journal.days:
        for x in day.lines:
            amount: Decimal = x.debit - x.credit
            rows.append(
                [
                    _narration(journal, day.business_date),
                    _dmy(day.business_date),
                    f"{x.account}: {x.memo}",
                    accounts.xero_codes[x.account],
                    accounts.xero_tax_rate,
                    amount,
                ]
            )
    return rows


def qbo_rows(journal: SalesJournal, accounts: AccountMap) -> list[list[Any]]:
    """One row per journal line, grouped by journal number (outlet and day)."""
    _balanced(journal)
    rows: list[list[Any]] = []
    for day in journal.days:
        number = f"{journal.outlet.code}-{day.business_date:%Y%m%d}"
        for x in day.lines:
            rows.append(
                [
                    number,
                    _dmy(day.business_date),
                    accounts.qbo_names.get(x.account, x.account),
                    x.debit or None,
                    x.credit or None,
                    f"{_narration(journal, day.business_date)}: {x.memo}",
                ]
            )
    return rows
