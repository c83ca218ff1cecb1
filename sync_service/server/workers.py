"""``sgpos-central serve --workers N``: N server processes sharing one port.

Each worker is a whole ``sgpos-central serve`` (its own event loop, thread pool and database
pool) that binds the port with ``SO_REUSEPORT``, so the kernel spreads new connections over
them; handlers keep no state between requests, so any worker may answer any till. This parent
only supervises: it starts the workers, starts a new one in place of one that died, and on
SIGTERM or SIGINT passes SIGTERM on and waits for each to finish its requests in flight.

A worker that exits with a usage error (the port is taken by a process that is not ours, a
TLS file is unreadable) would fail the same way again: the parent then stops them all and
exits with that code, so systemd or the terminal shows the reason instead of a restart loop.

The workers' metrics are added up across processes by ``prometheus_client``'s multiprocess
mode, in the directory named by ``PROMETHEUS_MULTIPROC_DIR`` (systemd's RuntimeDirectory, or a
temporary one made here and removed at exit).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from shared.logs import get_logger

log = get_logger("sgpos.workers")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LOG_FILE_ENV = "SGPOS_LOG_FILE"  # CentralSettings.log_file; the environment wins over the file
POLL_S = 0.2
# A worker finishes its requests in flight within the server's shutdown_timeout (15 s); this is
# how long the parent waits for that before it kills one.
STOP_TIMEOUT_S = 25.0
# A worker that dies this soon after starting is failing, not unlucky: wait longer each time.
FLAPPING_S = 10.0
MAX_RESTART_DELAY_S = 30.0


@dataclass
class _Slot:
    index: int
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    next_start: float = 0.0
    delay_s: float = 1.0


def supervise(
    worker_command: list[str],
    workers: int,
    *,
    fatal_codes: frozenset[int],
    log_file: Path | None = None,
) -> int:
    """Run ``workers`` copies of ``worker_command`` until SIGTERM/SIGINT; the exit code.

    With a ``log_file``, worker N writes its own beside it (``central-N.log`` beside
    ``central.log``): processes that rotated one file between them would lose lines."""
    own_dir = MULTIPROC_ENV not in os.environ
    metrics_dir = (
        Path(tempfile.mkdtemp(prefix="sgpos-metrics-"))
        if own_dir
        else Path(os.environ[MULTIPROC_ENV])
    )
    # Counters left by a previous run would be added to this one's.
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()
    env = {**os.environ, MULTIPROC_ENV: str(metrics_dir)}

    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    slots = [_Slot(i) for i in range(workers)]
    code = 0
    log.info("workers.starting", workers=workers, pid=os.getpid(), metrics_dir=str(metrics_dir))
    try:
        while not stopping:
            now = time.monotonic()
            for slot in slots:
                if slot.process is None:
                    if now >= slot.next_start:
                        _start(slot, worker_command, env | _own_log(log_file, slot.index))
                    continue
                exit_code = slot.process.poll()
                if exit_code is None:
                    continue
                if exit_code in fatal_codes:
                    log.error("workers.worker_refused", worker=slot.index, exit_code=exit_code)
                    code = exit_code
                    stopping.append(0)
                    break
                lived = now - slot.started_at
                slot.delay_s = (
                    min(slot.delay_s * 2, MAX_RESTART_DELAY_S) if lived < FLAPPING_S else 1.0
                )
                slot.next_start = now + slot.delay_s
                slot.process = None
                log.warning(
                    "workers.worker_died",
                    worker=slot.index,
                    exit_code=exit_code,
                    lived_s=round(lived, 1),
                    restart_in_s=slot.delay_s,
                )
            time.sleep(POLL_S)
    finally:
        _stop_all(slots)
        if own_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    log.info("workers.stopped")
    return code


def _own_log(log_file: Path | None, index: int) -> dict[str, str]:
    if log_file is None:
        return {}
    own = log_file.with_name(f"{log_file.stem}-{index + 1}{log_file.suffix}")
    return {LOG_FILE_ENV: str(own)}


def _start(slot: _Slot, command: list[str], env: dict[str, str]) -> None:
    slot.process = subprocess.Popen(  # noqa: S603  (our own command line)
        command, stdin=subprocess.DEVNULL, env=env
    )
    slot.started_at = time.monotonic()
    log.info("workers.worker_started", worker=slot.index, pid=slot.process.pid)


def _stop_all(slots: list[_Slot]) -> None:
    """SIGTERM to every worker, then wait for them to drain; SIGKILL to one that does not."""
    running = [s.process for s in slots if s.process is not None and s.process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in running:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("workers.worker_killed", pid=process.pid)
            process.kill()
            process.wait()


async def stop_if_orphaned(parent_pid: int, stop: asyncio.Event) -> None:
    """Sets ``stop`` when the supervising parent is gone (killed with SIGKILL, say): a worker
    left behind would hold the port for a server nobody supervises."""
    while os.getppid() == parent_pid:
        await asyncio.sleep(1.0)
    stop.set()
