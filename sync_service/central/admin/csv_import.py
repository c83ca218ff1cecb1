"""Reading a CSV upload: the file-level checks every import shares, and the problem list.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first product row 2.
Column names are matched ignoring case, spaces and underscores (``Tax code`` = ``tax_code``).
A file-level problem (not UTF-8, too large, a required column missing, an unknown column)
raises ``CsvError``; a bad row becomes a ``RowProblem`` for each bad cell, so the person sees
every mistake at once rather than one per attempt.

``run_import`` is how every import runs: a dry run checks the rows in a read that is rolled
back; a real run checks them again inside the edit's one transaction, against what is stored
at that moment, and writes only when no row has a problem (``ImportRefused`` otherwise). So a
refused file can be fixed and sent again without wondering which half went in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sqlalchemy import Connection, Engine

from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit

MAX_BYTES = 4 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELL = 1000  # a cell longer than this is a pasted paragraph, not a catalogue field


class CsvError(AdminError):
    """A file that cannot be read as an import at all; nothing was written."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class CsvRow:
    number: int
    cells: dict[str, str]
    extra_cells: int = 0  # non-empty cells beyond the header's columns

    def check_shape(self, problems: Problems) -> None:
        if self.extra_cells:
            problems.add(
                self.number,
                "(whole row)",
                f"{self.extra_cells} more cell(s) than the header has columns; is there a comma "
                "inside a value without quotes around it?",
            )


@dataclass
class Problems:
    items: list[RowProblem] = field(default_factory=list)

    def add(self, row: int, column: str, reason: str) -> None:
        self.items.append(RowProblem(row, column, reason))

    def from_error(self, row: int, error: FieldError) -> None:
        self.add(row, error.field, error.reason)

    @property
    def rows(self) -> set[int]:
        return {p.row for p in self.items}


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or (dry run) would do. ``applied`` only when rows were written."""

    rows: int
    problems: tuple[RowProblem, ...]
    created: int
    updated: int
    notes: tuple[str, ...]
    applied: bool

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems})


def _column(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def read_csv(data: bytes, *, required: Iterable[str], optional: Iterable[str]) -> list[CsvRow]:
    """The data rows of ``data`` as column -> stripped text; CsvError for an unusable file."""
    if len(data) > MAX_BYTES:
        raise CsvError(
            f"the file is {len(data) / 1024 / 1024:.1f} MiB; at most {MAX_BYTES // 1024 // 1024} "
            "MiB can be imported at once: split it into smaller files"
        )
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError:
        raise CsvError(
            "the file is not UTF-8 text; in Excel use Save As > 'CSV UTF-8 (Comma delimited)'"
        ) from None
    if "\x00" in text:
        raise CsvError("the file contains binary data; is it really a CSV file?")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise CsvError("the file is empty; the first row must name the columns")
        columns = [_column(h) for h in header]
        _check_header(columns, set(required), set(optional))
        rows: list[CsvRow] = []
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank lines, often at the end of a spreadsheet export
            if len(rows) >= MAX_ROWS:
                raise CsvError(
                    f"the file has more than {MAX_ROWS} rows; split it into smaller files"
                )
            extra = sum(1 for c in cells[len(columns) :] if c.strip())
            rows.append(CsvRow(number, _cells(columns, cells), extra))
    except csv.Error as exc:
        raise CsvError(f"row {reader.line_num}: the CSV cannot be read ({exc})") from None
    return rows


def _check_header(columns: list[str], required: set[str], optional: set[str]) -> None:
    known = required | optional
    unknown = [c for c in columns if c and c not in known]
    if unknown:
        raise CsvError(f"unknown column {unknown[0]!r}; the columns are {', '.join(sorted(known))}")
    missing = sorted(required - set(columns))
    if missing:
        raise CsvError(
            f"the header row has no {', '.join(missing)} column; required: "
            f"{', '.join(sorted(required))}"
        )
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        raise CsvError(f"the column {twice[0]!r} appears twice in the header row")


def _cells(columns: list[str], cells: list[str]) -> dict[str, str]:
    out = {}
    for name, cell in zip(columns, cells, strict=False):
        if name:
            out[name] = cell.strip()[: MAX_CELL + 1]
    return out


class ImportRefused(AdminError):
    """Rows were rejected, so nothing was written; ``report`` lists every problem."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"{report.rejected_rows} row(s) have problems, so nothing was imported; "
            "fix them and send the file again"
        )
        self.report = report


class Plan(Protocol):
    problems: Problems


P = TypeVar("P", bound=Plan)


def run_import(
    engine: Engine,
    actor: str,
    *,
    check: Callable[[Connection], P],
    apply: Callable[[Connection, P], None],
    report: Callable[[P, bool], ImportReport],
    dry_run: bool,
) -> ImportReport:
    """Check (and unless ``dry_run``, write) an import; a write checks under the master
    writers' lock (``head_office_edit``), so two imports cannot both create one category."""
    if dry_run:
        with engine.connect() as conn:
            try:
                plan = check(conn)
            finally:
                conn.rollback()  # a read: never leave its snapshot open
        return report(plan, False)
    with head_office_edit(engine, actor) as conn:
        plan = check(conn)
        if plan.problems.items:
            raise ImportRefused(report(plan, False))
        apply(conn, plan)
    return report(plan, True)
