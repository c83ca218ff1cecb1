"""The till app in a real X window (Xvfb), driven by keys through xdotool as a keyboard
sends them: no window manager, as in a till's kiosk session, and nothing clicked first."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

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


def test_the_function_keys_work_from_the_first_sign_in_without_a_click(
    display: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "till"
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
        # The manager signs in, and only keys follow: F11 stock, F3 stocktake, F9 start it.
        for keys in (["type", "--delay", "40", "M01"], ["key", "Return"]):
            _xdotool(display, *keys)
        for keys in (["type", "--delay", "40", "9999"], ["key", "Return"]):
            _xdotool(display, *keys)
        for key in ("F11", "F3", "F9"):
            time.sleep(1.5)  # a PIN check and a first screen build take a moment
            _xdotool(display, "key", key)
        engine = create_engine(f"sqlite:///{store_file(data_dir)}")
        try:
            started: Sequence[Any] = []
            for _ in range(40):
                with engine.connect() as conn:
                    started = conn.execute(
                        text("SELECT number FROM stock_document WHERE status = 'counting'")
                    ).all()
                if started:
                    break
                time.sleep(0.25)
        finally:
            engine.dispose()
        assert len(started) == 1, "F11, F3, F9 did not start a stocktake"
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait(20)
