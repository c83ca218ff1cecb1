"""``sgpos-install`` on a real pseudo-terminal, as a technician at the till's keyboard sees it.

The installer runs as its own process with a pty as its controlling terminal and as its stdin,
stdout and stderr, so it takes the paths it takes at a real terminal: rich's colours and live
progress, and questions for the flags left out. The test reads the screen (escape codes
stripped) and types answers. Every wait has a deadline, and a prompt that never comes fails
the test with everything the terminal showed until then.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS, COLUMNS = 40, 160
# Generous: test machines can be slow; these only stop a hung test, they time nothing.
PROMPT_WAIT_S = 120.0
FINISH_WAIT_S = 300.0
# CSI (colours, cursor moves, erase line), OSC (title, links), and two-byte escapes.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
# Variables that override rich's own look at the terminal; a real technician has none of them.
_NOT_A_TECHNICIANS = ("TTY_COMPATIBLE", "FORCE_COLOR", "NO_COLOR", "COLUMNS", "LINES", "CI")


def plain(raw: bytes) -> str:
    """What the screen's bytes say, without escape codes; line ends as ``\\n``. A redrawn line
    (the progress bar) keeps every frame, each after a ``\\r``."""
    text = _ESCAPES.sub(b"", raw).decode("utf-8", errors="replace")
    # A carriage return at the start of a line moves nothing; the frames' ones stay.
    return text.replace("\r\n", "\n").replace("\n\r", "\n")


class Terminal:
    """One ``sgpos-install ARGV`` run on a pty of ROWS x COLUMNS."""

    def __init__(self, *argv: str, env: Mapping[str, str] | None = None) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        environ = {k: v for k, v in (env or os.environ).items() if k not in _NOT_A_TECHNICIANS}
        environ["TERM"] = "xterm-256color"
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "installer.cli", *argv],
                cwd=ROOT,
                env=environ,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                start_new_session=True,
                preexec_fn=_take_terminal,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.master = master
        self.raw = bytearray()
        self._read_to = 0  # screen bytes already matched by ``expect``

    @property
    def screen(self) -> str:
        return plain(bytes(self.raw))

    def expect(self, text: str, timeout_s: float = PROMPT_WAIT_S) -> str:
        """Wait until ``text`` shows after what the last ``expect`` matched; the screen since."""
        deadline = time.monotonic() + timeout_s
        while True:
            shown = plain(bytes(self.raw[self._read_to :]))
            if text in shown:
                self._read_to = len(self.raw)
                return shown
            if not self._read_until(deadline):
                pytest.fail(
                    f"the installer never showed {text!r} (exit code {self._exit_code()}); "
                    f"the terminal showed:\n{self.screen}"
                )

    def type(self, answer: str) -> None:
        """Type ``answer`` and press Enter."""
        self.type_keys(answer + "\n")

    def type_keys(self, keys: str) -> None:
        """Press ``keys`` as they are (``\\x04`` is Ctrl-D, ``\\x03`` Ctrl-C)."""
        os.write(self.master, keys.encode())

    def finish(self, timeout_s: float = FINISH_WAIT_S) -> int:
        """Read the screen to the end; the installer's exit code."""
        deadline = time.monotonic() + timeout_s
        while self._read_until(deadline):
            pass
        try:
            return self.process.wait(timeout=max(deadline - time.monotonic(), 1.0))
        except subprocess.TimeoutExpired:
            pytest.fail(f"the installer did not finish; the terminal showed:\n{self.screen}")

    def _exit_code(self) -> int | None:
        """The exit code, once the installer has gone; None while it still runs."""
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _read_until(self, deadline: float) -> bool:
        """Read what the installer shows next; False once it closed the terminal or time is up."""
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every program holding the terminal has exited
                return False
            if not chunk:
                return False
            self.raw += chunk
            return True
        return False


def _take_terminal() -> None:
    """In the child, after setsid: make the pty (its stdin) the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
