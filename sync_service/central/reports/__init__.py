"""Read-side queries for the head-office dashboard: pure functions over a Connection.

Every function takes the viewer's ``Scope`` and applies it inside its SQL; every filter value
is a bound parameter; money is ``Decimal``; every result is a frozen dataclass.
"""

from sync_service.central.reports.audit import AuditEntry, AuditFilter, AuditPage, audit_trail
from sync_service.central.reports.chains import ChainStatus, audit_chains
from sync_service.central.reports.choices import (
    OutletRef,
    StaffRef,
    TillRef,
    cashiers,
    outlet,
    outlets,
    tills,
)
from sync_service.central.reports.common import NotInScope, Period, ReportError, Scope
from sync_service.central.reports.gst import GstBoxes, GstLine, GstReport, OutletGst, gst_report
from sync_service.central.reports.journal import (
    JournalDay,
    JournalLine,
    SalesJournal,
    sales_journal,
)
from sync_service.central.reports.overview import (
    HourTotal,
    OutletFigures,
    Overview,
    TenderTotal,
    overview,
)
from sync_service.central.reports.sale_detail import (
    DetailLine,
    DetailRefund,
    DetailRefundLine,
    DetailTender,
    SaleDetail,
    sale_detail,
)
from sync_service.central.reports.sales import SaleFilter, SalePage, SaleRow, search_sales
from sync_service.central.reports.stock import (
    MovementRow,
    StockFilter,
    StockPage,
    StockRow,
    StockTotals,
    stock_levels,
    stock_movements,
    stock_totals,
    stock_valuation,
)

__all__ = [
    "AuditEntry",
    "AuditFilter",
    "AuditPage",
    "ChainStatus",
    "DetailLine",
    "DetailRefund",
    "DetailRefundLine",
    "DetailTender",
    "GstBoxes",
    "GstLine",
    "GstReport",
    "HourTotal",
    "JournalDay",
    "JournalLine",
    "MovementRow",
    "NotInScope",
    "OutletFigures",
    "OutletGst",
    "OutletRef",
    "Overview",
    "Period",
    "ReportError",
    "SaleDetail",
    "SaleFilter",
    "SalePage",
    "SaleRow",
    "SalesJournal",
    "Scope",
    "StaffRef",
    "StockFilter",
    "StockPage",
    "StockRow",
    "StockTotals",
    "TenderTotal",
    "TillRef",
    "audit_chains",
    "audit_trail",
    "cashiers",
    "gst_report",
    "outlet",
    "outlets",
    "overview",
    "sale_detail",
    "sales_journal",
    "search_sales",
    "stock_levels",
    "stock_movements",
    "stock_totals",
    "stock_valuation",
    "tills",
]
