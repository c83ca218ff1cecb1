"""Running ``sgpos-central serve`` as a real process for end-to-end tests.

``central_server(db_url)`` starts one on a free loopback port, waits until ``/v1/health``
answers 200, yields its base URL and stops it afterwards, even when the test failed. The
server's own log goes to a file whose tail is shown when it fails to start.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
START_TIMEOUT_S = 120.0 if IN_CI else 60.0
STOP_TIMEOUT_S = 20.0
_PORT_ATTEMPTS = 3


class CentralDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def central_command() -> list[str]:
    """The installed console script, or the module when the venv has not been synced."""
    script = Path(sys.executable).with_name("sgpos-central")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "sync_service.server.cli"]


@dataclass
class CentralProcess:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def healthy(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", "/v1/health")
            return conn.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def stop(self) -> int:
        """SIGTERM (a clean shutdown), then SIGKILL if it does not go; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        return int(self.process.returncode)


def start_central(
    db_url: str,
    log_dir: Path,
    *,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
    port: int | None = None,
) -> CentralProcess:
    """A running, healthy server; raises CentralDidNotStart with its log when it is not."""
    fixed = port
    for attempt in range(1, _PORT_ATTEMPTS + 1):
        port = fixed or free_port()
        log_path = log_dir / f"central-{port}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [*central_command(), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "SGPOS_CENTRAL_DB_URL": db_url, **(env or {})},
            )
        central = CentralProcess(process, port, log_path)
        deadline = time.monotonic() + START_TIMEOUT_S
        while process.poll() is None and time.monotonic() < deadline:
            if central.healthy():
                return central
            time.sleep(0.2)
        central.stop()
        # Someone else may have taken the port between our probe and the server's bind.
        taken = "address already in use" in central.log_tail().lower()
        if not taken or fixed is not None or attempt == _PORT_ATTEMPTS:
            raise CentralDidNotStart(
                f"sgpos-central serve did not become healthy on port {port} within "
                f"{START_TIMEOUT_S:g} s (exit code {process.returncode}); its log:\n"
                f"{central.log_tail()}"
            )
    raise AssertionError("unreachable")


@contextmanager
def running_central(
    db_url: str,
    log_dir: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
    port: int | None = None,
) -> Iterator[CentralProcess]:
    """A server process for the duration of the block; stopped however the block ends.
    ``args`` go after ``serve`` (``--workers 2``); ``port`` is chosen when not given."""
    own_dir = log_dir is None
    directory = Path(tempfile.mkdtemp(prefix="sgpos-central-")) if log_dir is None else log_dir
    central = start_central(db_url, directory, env=env, args=args, port=port)
    try:
        yield central
    finally:
        central.stop()
        if own_dir:
            shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def central_server(db_url: str, log_dir: Path | None = None) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT``) of a running server."""
    with running_central(db_url, log_dir) as central:
        yield central.url
