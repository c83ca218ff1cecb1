"""The till app in a real X window (Xvfb), driven by keys through xdotool as a keyboard
sends them: no window manager, as in a till's kiosk session, and nothing clicked first."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from till.store.paths import store_file

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xdotool") is None,
    reason="needs Xvfb and xdotool (Debian: apt-get install xvfb xdotool)",
)


@pytest.fixture
def display() -> Iterator[str]:
    """A fresh X server of our own; its display name."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as answer:
        number = answer.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def _xdotool(display: str, *args: str) -> str:
    return subprocess.run(
        ["xdotool", *args],
        env=os.environ | {"DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


@contextmanager
def till_app(display: str, data_dir: Path) -> Iterator[None]:
    """The demo till app on ``display``, its window shown, stopped as a shift's end stops it."""
    app = subprocess.Popen(
        [sys.executable, "-m", "till.cli", "--demo", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=os.environ | {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _xdotool(display, "search", "--sync", "--onlyvisible", "--name", "SG-POS")
        time.sleep(1.0)  # the sign-in screen takes its first keys once shown
        yield
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait(20)


def keys(display: str, *typed: str, pause: float = 0.0) -> None:
    """Each item typed as text, or pressed as a key when it names one (F9, Return)."""
    for item in typed:
        time.sleep(pause)
        if item in ("Return", "Escape") or (item[0] == "F" and item[1:].isdigit()):
            _xdotool(display, "key", item)
        else:
            _xdotool(display, "type", "--delay", "40", item)


def counts(data_dir: Path, status: str, *, at_least: int) -> int:
    """How many stocktakes have ``status``, waiting up to 10 s for ``at_least`` of them."""
    engine = create_engine(f"sqlite:///{store_file(data_dir)}")
    try:
        found = 0
        for _ in range(40):
            with engine.connect() as conn:
                found = conn.execute(
                    text(
                        "SELECT count(*) FROM stock_document WHERE kind = 'count' AND status = :s"
                    ),
                    {"s": status},
                ).scalar_one()
            if found >= at_least:
                break
            time.sleep(0.25)
        return found
    finally:
        engine.dispose()


def test_the_function_keys_work_from_the_first_sign_in_without_a_click(
    display: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "till"
    with till_app(display, data_dir):
        # The manager signs in, and only keys follow: F11 stock, F3 stocktake, F9 start it.
        keys(display, "M01", "Return", "9999", "Return")
        keys(display, "F11", "F3", "F9", pause=1.5)  # a PIN check and a first build take a while
        assert counts(data_dir, "counting", at_least=1) == 1, "F11, F3, F9 started no stocktake"


def test_the_keys_come_back_to_the_till_when_a_managers_box_closes(
    display: str, tmp_path: Path
) -> None:
    """Tried at the real window: a cashier's stocktake approved in the manager's box, the box
    closed and the keyboard went nowhere (no window manager hands it back): Esc and F7 did
    nothing until the screen was touched."""
    data_dir = tmp_path / "till"
    with till_app(display, data_dir):
        keys(display, "C01", "Return", "1111", "Return")
        keys(display, "F11", "F3", "F9", pause=1.5)
        keys(display, "9550001000086", "Return", "F10", "F10", pause=0.5)  # review, approve
        keys(display, "M01", "Return", "9999", "Return", pause=1.0)  # in the manager's box
        assert counts(data_dir, "done", at_least=1) == 1, "the count was not approved"
        keys(display, "F9", pause=1.5)  # no click: the next count starts from the keyboard
        assert counts(data_dir, "counting", at_least=1) == 1, "keys went nowhere after the box"


def test_the_keys_come_back_to_the_till_when_the_search_box_closes(
    display: str, tmp_path: Path
) -> None:
    """Letters in the scan line open the product search; closed with Esc, the keys go on to
    the till's window (the sell screen no longer takes them back by hand)."""
    data_dir = tmp_path / "till"
    with till_app(display, data_dir):
        keys(display, "C01", "Return", "1111", "Return")
        keys(display, "tea", "Return", pause=1.5)  # the search box
        keys(display, "Escape", pause=1.0)
        keys(display, "F11", "F3", "F9", pause=1.5)
        assert counts(data_dir, "counting", at_least=1) == 1, "keys went nowhere after the box"
