"""Downloads for the accountant: the same figures as the page, as CSV or an Excel workbook.

Money goes out as exact decimals (never floats). Text that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``) is prefixed with an apostrophe, so an outlet
or product name can never run as a formula on the accountant's computer.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aiohttp import web
from openpyxl import Workbook
from openpyxl.styles import Font

from sync_service.server.dashboard.web import dashboard

Cell = str | Decimal | int | date | None
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Sheet:
    title: str  # the workbook tab (at most 31 characters)
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_bytes(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_text(h) for h in sheet.header])
    writer.writerows([_csv_cell(c) for c in row] for row in sheet.rows)
    # With a byte-order mark Excel opens the file as UTF-8 (outlet names are not all ASCII).
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append(list(sheet.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_text(c) if isinstance(c, str) else c for c in row])
        for column in ws.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, Decimal):
                    cell.number_format = MONEY_FORMAT
        for i, title in enumerate(sheet.header, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(title) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(body: bytes, filename: str, content_type: str) -> web.Response:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)
    return web.Response(
        body=body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


def csv_response(sheet: Sheet, filename: str) -> web.Response:
    response = download(csv_bytes(sheet), filename, "text/csv")
    response.charset = "utf-8"
    return response


async def xlsx_response(
    request: web.Request, sheets: Sequence[Sheet], filename: str
) -> web.Response:
    # A year's journal takes openpyxl a few hundred milliseconds: build it on the dashboard's
    # thread pool, never on the event loop that also answers the tills' pushes.
    loop = asyncio.get_running_loop()
    body = await loop.run_in_executor(dashboard(request).pool, xlsx_bytes, sheets)
    return download(body, filename, XLSX)
