"""Is anything using the till's store? Restore, upgrade and decommission must not run while
the till app or a sync agent has it open.

Two signs, both checked:

- the sync agent's lock (``sync-agent.lock``, a ``flock`` held by whichever agent runs: the
  headless service or the agent inside the till app). :func:`hold_till` takes it and keeps it
  for the whole operation, so neither can start meanwhile;
- the till app takes no lock of its own, and a stand-alone app (or one that left syncing to the
  service) has no agent; but every SQLite connection to a WAL database holds a shared POSIX
  lock on the "DMS" byte of the ``-shm`` file for as long as it is open (SQLite's unix VFS,
  ``UNIX_SHM_DMS`` = byte 128). Asking the kernel with ``F_GETLK`` who would block an
  exclusive lock there names any other process with the store open, without touching it.
"""

from __future__ import annotations

import fcntl
import os
import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from installer.steps import Refused
from till.store.paths import store_file
from till.sync.lock import AgentAlreadyRunning, AgentLock

SHM_DMS_BYTE = 128
# struct flock on 64-bit Linux: short l_type, short l_whence, off_t l_start, off_t l_len,
# pid_t l_pid, padded to 32 bytes.
_FLOCK = "hhqqi4x"


@contextmanager
def hold_till(data_dir: Path, doing: str) -> Iterator[None]:
    """Refuse (naming who and how to stop them) unless nothing uses the till; then keep the
    agent's lock until the block ends."""
    try:
        lock = AgentLock.acquire(data_dir)
    except AgentAlreadyRunning as exc:
        raise Refused(
            f"cannot {doing} while the sync agent runs ({exc})",
            "stop it first: 'systemctl --user stop sgpos-sync' for the service, or close the "
            "till app; then run the same command again",
        ) from None
    try:
        holder = store_holder(store_file(data_dir))
        if holder is not None:
            raise Refused(
                f"cannot {doing} while another program has the till's store open ({holder})",
                "close the till app (and anything else using the till), then run again",
            )
        yield
    finally:
        lock.release()


def store_holder(store: Path) -> str | None:
    """Who else has ``store`` open, as 'pid N: command', or None."""
    shm = store.with_name(store.name + "-shm")
    if sys.platform != "linux" or not shm.exists():
        return None
    try:
        fd = os.open(shm, os.O_RDWR)
    except OSError:
        return None
    try:
        query = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, SHM_DMS_BYTE, 1, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
    finally:
        os.close(fd)
    kind, _, _, _, pid = struct.unpack(_FLOCK, answer)
    if kind == fcntl.F_UNLCK:
        return None
    return f"pid {pid}: {_command(pid)}"


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "unknown program"
    words = [w.decode("utf-8", "replace") for w in raw.split(b"\0") if w]
    if not words:
        return "unknown program"
    return " ".join(" ".join([Path(words[0]).name, *words[1:4]]).split())[:100]
