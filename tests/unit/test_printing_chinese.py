"""Chinese on a thermal printer: in the printer's double-byte mode where its profile has a
Chinese font, as a raster picture elsewhere; read back with an ESC/POS reader that follows
the printer's state (tests/escpos_reader.py), as a printer would put it on paper."""

from __future__ import annotations

import dataclasses

import pytest
from PIL import Image

from shared.receipt import Receipt
from tests.escpos_reader import read
from tests.printing_samples import SUPPLIER, simplified
from till.printing import PrinterSettings
from till.printing.cjk import CELL, raster_line
from till.printing.escpos_out import escpos_receipt, escpos_report

SHOP = "乌节杂货 Orchard Grocer"
KOPI = "咖啡乌 Kopi O (冰)"
BOX_DRAWING = {chr(c) for c in range(0x2500, 0x2580)} | {chr(c) for c in range(0x2580, 0x25A0)}


def _receipt() -> Receipt:
    base = simplified()
    line = dataclasses.replace(base.lines[0], description=KOPI)
    supplier = dataclasses.replace(SUPPLIER, name=SHOP)
    return dataclasses.replace(base, lines=(line, *base.lines[1:]), supplier=supplier)


@pytest.mark.parametrize(
    ("settings", "mode"),
    [
        ({}, "raster"),
        ({"profile": "TM-T20II"}, "raster"),  # an Epson sold outside China: no Chinese font
        ({"profile": "ZJ-5870"}, "double-byte"),  # a Chinese-market printer
        ({"profile": "ZJ-5870", "chinese": "raster"}, "raster"),
        ({"chinese": "double-byte"}, "double-byte"),
    ],
)
def test_the_profile_chooses_how_chinese_is_sent(settings: dict[str, str], mode: str) -> None:
    assert PrinterSettings(kind="dummy", **settings).chinese_mode == mode  # type: ignore[arg-type]


def test_double_byte_mode_prints_the_chinese_as_text() -> None:
    paper = read(escpos_receipt(_receipt(), paper_mm=80, open_drawer=False, chinese="double-byte"))
    assert paper.chinese_mode_used
    assert SHOP in paper.lines
    assert any(line.startswith(KOPI) for line in paper.lines)
    # Nothing reaches the paper as the box-drawing garbage of GB18030 read as PC437.
    assert not BOX_DRAWING & set("".join(paper.lines))
    assert not paper.images


def test_the_old_job_was_garbage_on_a_code_page_printer() -> None:
    # The reader is not lenient: GB18030 bytes outside the Chinese mode come out as PC437
    # box drawing, as the printer would print them.
    job = b"\x1b@\x1bt\x00" + KOPI.encode("gb18030") + b"\n"
    paper = read(job)
    assert KOPI not in paper.lines
    assert BOX_DRAWING & set(paper.lines[0])


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_raster_mode_prints_chinese_lines_as_pictures_on_the_column_grid(paper_mm: int) -> None:
    job = escpos_receipt(_receipt(), paper_mm=paper_mm, open_drawer=False, chinese="raster")
    paper = read(job)
    assert not paper.chinese_mode_used
    assert not any(KOPI in line or "乌" in line for line in paper.lines)
    assert not BOX_DRAWING & set("".join(paper.lines))
    assert len(paper.images) == 2  # the shop's name and the Chinese product line
    font = "b" if paper_mm == 58 else "a"
    cell_w, cell_h = CELL[font]
    columns = 42 if paper_mm == 58 else 48
    for picture in paper.images:
        assert picture.size[1] == cell_h
        assert picture.size[0] >= cell_w * columns and picture.size[0] <= 576
    # The product line's picture is exactly what was drawn, and ink sits where the characters
    # are: in the first six columns (three wide characters), none in the blank column after.
    kopi = paper.images[1]
    ink = _ink_per_column(kopi, cell_w, columns)
    assert all(ink[c] > 0 for c in range(6))
    assert ink[6] == 0  # the space after 咖啡乌
    assert all(ink[c] > 0 for c in range(7, 11))  # "Kopi": Latin letters drawn too, no boxes
    assert ink[11] == 0
    drawn = raster_line(KOPI, font=font, columns=columns)
    assert _ink_per_column(drawn, cell_w, columns)[:20] == ink[:20]
    # Latin text around it stays text.
    assert any("TAX INVOICE" in line for line in paper.lines)


def _ink_per_column(picture: Image.Image, cell_w: int, columns: int) -> list[int]:
    grey = picture.convert("L")
    width, height = grey.size
    dark = [value < 128 for value in grey.tobytes()]  # row by row, one byte a dot
    return [
        sum(
            dark[y * width + x]
            for x in range(c * cell_w, min((c + 1) * cell_w, width))
            for y in range(height)
        )
        for c in range(columns)
    ]


def test_a_report_with_a_chinese_name_prints_it_as_the_printer_can() -> None:
    report = "Z REPORT\nCashier: 陈美玲\nTotal 12.35"
    assert (
        "Cashier: 陈美玲" in read(escpos_report(report, paper_mm=80, chinese="double-byte")).lines
    )
    raster = read(escpos_report(report, paper_mm=80, chinese="raster"))
    assert raster.lines[:1] and "Z REPORT" in raster.lines[0]
    assert len(raster.images) == 1
