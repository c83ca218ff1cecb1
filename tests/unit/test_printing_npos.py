"""The till's ESC/POS jobs read back by an interpreter that is not ours: npos (npm, pinned in
``tests/escpos_npos/package-lock.json``, installed by ``make test``), a parser that names every
command it meets and refuses a job with one it does not know. An English receipt and a Chinese
one (double-byte mode: ``FS &`` ... ``FS .``, GB18030) must read back as the expected text."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.printing_samples import SUPPLIER, simplified
from till.printing.escpos_out import escpos_receipt

FOLDER = Path(__file__).resolve().parent.parent / "escpos_npos"
SHOP = "乌节杂货 Orchard Grocer"
KOPI = "咖啡乌 Kopi O (冰)"


def _npos(job: bytes) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (FOLDER / "node_modules" / "npos").is_dir():
        # A newcomer's machine may have no Node.js: these tests skip, saying why (.ci/run
        # installs Node.js, and make installs npos from its lock file).
        pytest.skip("npos is not installed: run `make tests/escpos_npos/node_modules/.installed`")
    done = subprocess.run(
        [node, str(FOLDER / "read_job.js")], input=job, capture_output=True, check=True, timeout=60
    )
    answer = json.loads(done.stdout)
    assert "error" not in answer, answer.get("error")
    nodes: list[dict[str, Any]] = answer["nodes"]
    return nodes


def _text(nodes: list[dict[str, Any]]) -> str:
    return "".join(n["text"] for n in nodes if n["command"] == "TEXT")


def _lines(nodes: list[dict[str, Any]]) -> list[str]:
    return [line.strip() for line in _text(nodes).splitlines()]


def _chinese() -> Any:
    base = simplified()
    line = dataclasses.replace(base.lines[0], description=KOPI)
    return dataclasses.replace(
        base,
        lines=(line, *base.lines[1:]),
        supplier=dataclasses.replace(SUPPLIER, name=SHOP),
    )


def test_an_english_receipt_reads_back_as_its_text() -> None:
    nodes = _npos(escpos_receipt(simplified(), paper_mm=80, open_drawer=True))
    commands = [n["command"] for n in nodes]
    assert commands[0] == "ESC @"  # initialised first
    assert "ESC p" in commands  # the drawer kick
    assert commands[-1] == "GS V"  # and cut last
    assert "FS &" not in commands  # nothing in Chinese, so no Chinese mode
    lines = _lines(nodes)
    for expected in (
        "Orchard Grocer Pte Ltd",
        "GST Reg No: M2-1234567-8",
        "TAX INVOICE",
        "Receipt No: ORC-T02-000123",
        "Date: 20-11-2026 14:03",
    ):
        assert expected in lines
    text = _text(nodes)
    assert all(ord(c) < 128 for c in text)
    assert any(line.startswith("TOTAL") and line.endswith("$12.35") for line in lines)
    assert any(line.startswith("Change") and line.endswith("7.65") for line in lines)


def test_a_chinese_receipt_in_double_byte_mode_reads_back_as_chinese() -> None:
    nodes = _npos(escpos_receipt(_chinese(), paper_mm=80, open_drawer=False, chinese="double-byte"))
    commands = [n["command"] for n in nodes]
    assert "GS v0" not in commands  # text, not pictures
    # Every run with Chinese in it is inside the printer's Chinese mode, and nothing outside
    # it has a byte above ASCII (which a printer in its code page would print as symbols).
    inside = False
    chinese_runs = []
    for n in nodes:
        if n["command"] == "FS &":
            inside = True
        elif n["command"] == "FS .":
            inside = False
        elif n["command"] == "TEXT":
            if inside:
                chinese_runs.append(n["text"])
            else:
                assert all(ord(c) < 128 for c in n["text"]), n["text"]
    assert chinese_runs == [SHOP, KOPI]
    assert commands.count("FS &") == commands.count("FS .") == 2
    lines = _lines(nodes)
    assert SHOP in lines
    assert KOPI in lines
    assert any(line.startswith("TOTAL") and line.endswith("$12.35") for line in lines)


def test_a_chinese_receipt_in_raster_mode_has_no_chinese_text() -> None:
    nodes = _npos(escpos_receipt(_chinese(), paper_mm=80, open_drawer=False, chinese="raster"))
    pictures = [n for n in nodes if n["command"] == "GS v0"]
    assert len(pictures) == 2  # the shop's name and the Chinese product line
    assert all(p["height"] == 24 and p["width_bytes"] * 8 <= 576 for p in pictures)
    assert "FS &" not in [n["command"] for n in nodes]
    assert all(ord(c) < 128 for c in _text(nodes))
    assert "Receipt No: ORC-T02-000123" in _lines(nodes)
