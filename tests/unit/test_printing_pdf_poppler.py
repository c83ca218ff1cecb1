"""Chinese in PDFs as poppler shows it (Evince, Okular, pdftotext): the CJK font is embedded
(a subset), so the characters are there as text and as drawn glyphs, not empty boxes."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.receipt import Receipt
from tests.conftest import IN_CI
from tests.printing_samples import SUPPLIER, full, simplified
from till.printing.pdf import receipt_pdf, tax_invoice_pdf

SHOP = "乌节杂货 Orchard Grocer"
KOPI = "咖啡乌 Kopi O (冰)"


def _poppler(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = shutil.which(tool)
    if path is None:  # like the browser tests: skipped with a message, failing under CI
        (pytest.fail if IN_CI else pytest.skip)(f"{tool} is missing: apt-get install poppler-utils")
    return subprocess.run([path, *args], capture_output=True, text=True, timeout=60, check=True)


def _chinese_receipt() -> Receipt:
    base = simplified()
    line = dataclasses.replace(base.lines[0], description=KOPI)
    supplier = dataclasses.replace(SUPPLIER, name=SHOP)
    return dataclasses.replace(base, lines=(line, *base.lines[1:]), supplier=supplier)


def test_the_cjk_font_is_embedded_as_a_subset(tmp_path: Path) -> None:
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(receipt_pdf(_chinese_receipt()))
    fonts = _poppler("pdffonts", str(pdf)).stdout.splitlines()
    droid = [row for row in fonts if "DroidSansFallback" in row]
    assert droid, "\n".join(fonts)
    # Columns: name, type, encoding, emb, sub, uni, object, ID.
    assert all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in droid), droid
    assert not any("STSong" in row for row in fonts)  # nothing left to the reader's fonts


def test_pdftotext_reads_the_chinese_back(tmp_path: Path) -> None:
    for name, data in (
        ("receipt", receipt_pdf(_chinese_receipt())),
        ("invoice", tax_invoice_pdf(_invoice_in_chinese())),
    ):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(data)
        text = _poppler("pdftotext", "-layout", str(pdf), "-").stdout
        if name == "receipt":
            # Each character fills two receipt columns, so poppler sees gaps between them.
            assert KOPI.replace(" ", "") in text.replace(" ", ""), text
            assert SHOP.replace(" ", "") in text.replace(" ", ""), text
        else:
            assert KOPI in text, text


def _invoice_in_chinese() -> Receipt:
    receipt = full()
    line = dataclasses.replace(receipt.lines[0], description=KOPI)
    return dataclasses.replace(receipt, lines=(line,))


def test_pdftoppm_draws_the_characters(tmp_path: Path) -> None:
    # The same receipt with the Chinese characters and with spaces in their place: poppler
    # draws them (more ink), and says nothing about a missing font.
    chinese, blank = tmp_path / "chinese.pdf", tmp_path / "blank.pdf"
    chinese.write_bytes(receipt_pdf(_chinese_receipt()))
    plain = _chinese_receipt()
    spaced = dataclasses.replace(
        plain,
        lines=(
            dataclasses.replace(plain.lines[0], description="       Kopi O ( )"),
            *plain.lines[1:],
        ),
        supplier=dataclasses.replace(SUPPLIER, name="         Orchard Grocer"),
    )
    blank.write_bytes(receipt_pdf(spaced))
    ink = {}
    for pdf in (chinese, blank):
        done = _poppler("pdftoppm", "-r", "100", "-gray", "-singlefile", str(pdf), str(pdf))
        assert "font" not in done.stderr.lower(), done.stderr
        image = Path(f"{pdf}.pgm").read_bytes()
        ink[pdf.name] = sum(1 for byte in image[-200_000:] if byte < 128)
    assert ink["chinese.pdf"] > ink["blank.pdf"] + 200, ink
