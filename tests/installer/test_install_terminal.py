"""Installing at a terminal: the installer asks for what was left out, shows its steps and a
live progress count, and ends with a coloured verdict; a wrong answer is a plain error that
leaves nothing in the way of answering again."""

from __future__ import annotations

import re
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from installer.install import enrolled_as
from sync_service.central.pull import ON_REQUEST, pull_page
from sync_service.central.tills import TillAuth
from tests.installer.support import HeadOffice, new_till_code
from tests.installer.terminal import Terminal

pytestmark = pytest.mark.postgres

ASKS_ADDRESS = "Head office's address (https://host:port):"
ASKS_CODE = "One-time enrolment code from head office:"
STEPS = [
    "Check prerequisites",
    "Create the private data folder",
    "Write the till's settings",
    "Create and migrate the till's store",
    "Enrol with head office",
    "Load head office's catalogue, staff and outlet settings",
    "Install the desktop launcher",
    "Check the till (doctor)",
]
# One frame of the live bar: "⠋   changes loaded ━━━━ 264/? 0:00:01" (the total is unknown).
_LOAD_FRAME = re.compile(r"changes loaded [━ ]*([\d,]+)/")
HIDE_CURSOR, SHOW_CURSOR = b"\x1b[?25l", b"\x1b[?25h"


def install_at_terminal(data_dir: Path) -> Terminal:
    return Terminal("install", "--data-dir", str(data_dir), "--no-service")


def leftovers(data_dir: Path, xdg_home: Path) -> list[str]:
    """Everything an install left behind apart from its log."""
    found = [p.name for p in data_dir.iterdir() if p.name != "logs"] if data_dir.exists() else []
    return found + [str(p) for p in xdg_home.rglob("sgpos-*")]


def master_rows(data_dir: Path) -> int:
    """Outlets, categories, products, barcodes and staff the till holds."""
    tables = ("outlet", "category", "product", "barcode", "staff")
    with closing(sqlite3.connect(data_dir / "till.sqlite")) as db:
        return sum(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


def changes_sent(head_office: HeadOffice, data_dir: Path) -> int:
    """Every change head office sends this till from cursor 0: what it holds, and deletes of
    staff other tests placed at other outlets of the same database."""
    with closing(sqlite3.connect(data_dir / "till.sqlite")) as db:
        till_id, outlet_id, code = db.execute(
            "SELECT till_id, outlet_id, till_code FROM till_identity"
        ).fetchone()
    till = TillAuth(uuid.UUID(till_id), uuid.UUID(outlet_id), "ORC", code)
    cursor, sent = "0", 0
    while True:
        # A till asks for every entity sent on request (promotions, orders, customers...).
        page = pull_page(head_office.engine, till, cursor, 5000, ON_REQUEST)
        sent, cursor = sent + len(page.changes), page.next_cursor
        if not page.has_more:
            return sent


def till_holds(data_dir: Path, *tables: str) -> tuple[int, ...]:
    with closing(sqlite3.connect(data_dir / "till.sqlite")) as db:
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


_LOADED = re.compile(r"✔ ([\d,]+) products, ([\d,]+) staff, outlet ORC")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_a_terminal_asks_for_head_office_and_code_and_shows_steps_progress_and_verdict(
    tmp_path: Path, head_office: HeadOffice
) -> None:
    data_dir = tmp_path / "till"
    till_code = new_till_code()
    code = head_office.code(till_code)
    with install_at_terminal(data_dir) as terminal:
        before_address = terminal.expect(ASKS_ADDRESS)
        terminal.type(head_office.url)
        terminal.expect(ASKS_CODE)
        terminal.type(code)
        exit_code = terminal.finish()
        screen, raw = terminal.screen, bytes(terminal.raw)
    assert exit_code == 0, screen

    # The questions came first, each on its own line with the answer typed after it.
    assert "Check prerequisites" not in before_address
    lines = screen.splitlines()
    assert lines[0] == f"{ASKS_ADDRESS} {head_office.url}", screen
    assert lines[1] == f"{ASKS_CODE} {code}", screen

    # Enrolled with the code typed, and the till is healthy.
    enrolled = enrolled_as(data_dir)
    assert enrolled is not None and enrolled.till == f"ORC-{till_code}"
    assert enrolled.central_url == head_office.url
    assert f"✔ enrolled as till ORC-{till_code}" in screen
    assert f"[GREEN] till credential        accepted as till ORC-{till_code}" in screen
    assert "[AMBER]" not in screen and "[RED]" not in screen, screen

    # Every step is named, in order, and each says it is done.
    starts = [screen.index(f"» {step} …") for step in STEPS]
    assert starts == sorted(starts)
    for start, end in zip(starts, [*starts[1:], screen.index("[GREEN]")], strict=True):
        assert "\n  ✔ " in screen[start:end] and "✘" not in screen[start:end], screen[start:end]

    # The load shows a live count that only goes up and ends at everything the till received,
    # then gives way to the step's result.
    load = screen.index("» Load head office's catalogue")
    loaded = _LOADED.search(screen, load)
    assert loaded is not None, screen[load:]
    assert (_number(loaded[1]), _number(loaded[2])) == till_holds(data_dir, "product", "staff")
    result = loaded.start()
    counts = [int(n.replace(",", "")) for n in _LOAD_FRAME.findall(screen[load:result])]
    assert counts, screen[load:result]
    assert counts == sorted(counts)
    assert counts[-1] == changes_sent(head_office, data_dir) >= master_rows(data_dir) > 0
    # The bar hid the cursor while it ran and gave it back afterwards.
    assert raw.count(HIDE_CURSOR) >= 1 and raw.rindex(SHOW_CURSOR) > raw.rindex(HIDE_CURSOR)

    # The last thing on the screen is the verdict, in bold green.
    verdict = f"DONE: the till in {data_dir} is installed and ready to sell"
    assert screen.rstrip().splitlines()[-1] == verdict
    assert b"\x1b[1;32m" + verdict.encode() in raw


def test_a_wrong_code_typed_at_the_terminal_is_refused_plainly_and_answering_again_works(
    tmp_path: Path, head_office: HeadOffice, xdg_home: Path
) -> None:
    data_dir = tmp_path / "till"
    with install_at_terminal(data_dir) as terminal:
        terminal.expect(ASKS_ADDRESS)
        terminal.type(head_office.url)
        terminal.expect(ASKS_CODE)
        terminal.type("ABCD-EFGH-JKLM")  # well formed, but head office never issued it
        exit_code = terminal.finish()
        screen = terminal.screen
    assert exit_code == 2, screen
    assert "FAILED: this enrolment code is not valid; ask head office for a new one" in screen
    assert "What to do: ask head office for a new code if needed, then run the same command" in (
        screen
    )
    assert "Traceback" not in screen and "unexpected error" not in screen
    assert leftovers(data_dir, xdg_home) == []
    assert enrolled_as(data_dir) is None

    # The same command again, answered with a good code, installs the till.
    till_code = new_till_code()
    with install_at_terminal(data_dir) as terminal:
        terminal.expect(ASKS_ADDRESS)
        terminal.type(head_office.url)
        terminal.expect(ASKS_CODE)
        terminal.type(head_office.code(till_code).lower())  # typed in small letters
        exit_code = terminal.finish()
        screen = terminal.screen
    assert exit_code == 0, screen
    assert f"enrolled as till ORC-{till_code}" in screen
    assert screen.rstrip().endswith(f"DONE: the till in {data_dir} is installed and ready to sell")


@pytest.mark.parametrize(
    ("keys", "shown"),
    [
        ("abc\n", "FAILED: 'ABC' is not an enrolment code (they look like K7QX-MP3D-9WTR)"),
        ("\n", "FAILED: --code is missing"),
        ("\x04", "FAILED: --code is missing"),  # Ctrl-D
    ],
    ids=["not-a-code", "nothing", "ctrl-d"],
)
def test_a_code_answer_that_is_no_code_is_refused_before_anything_is_installed(
    tmp_path: Path, head_office: HeadOffice, xdg_home: Path, keys: str, shown: str
) -> None:
    data_dir = tmp_path / "till"
    with install_at_terminal(data_dir) as terminal:
        terminal.expect(ASKS_ADDRESS)
        terminal.type(head_office.url)
        terminal.expect(ASKS_CODE)
        terminal.type_keys(keys)
        exit_code = terminal.finish()
        screen = terminal.screen
    assert exit_code == 2, screen
    assert shown in screen, screen
    assert "unexpected error" not in screen and "Check prerequisites" not in screen
    assert leftovers(data_dir, xdg_home) == []
