"""One active sync agent per till database (DESIGN §6).

Two agents pushing the same outbox would both send a batch and race to move the high-water
mark; the server would take it, but the till's record of what was acknowledged could not be
trusted. An exclusive ``flock`` on ``DIR/sync-agent.lock`` is held for the agent's whole life;
the kernel drops it when the process dies, so a crashed agent never leaves a stale lock. The
file is never deleted (deleting a lock file lets two processes lock two different files).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from till.sync.paths import LOCK_FILE


class AgentAlreadyRunning(RuntimeError):
    """Another sync agent holds this till's lock."""


class AgentLock:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path) -> AgentLock:
        """Take the lock or fail at once (never wait) naming the process that holds it."""
        path = data_dir / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise AgentAlreadyRunning(
                f"another sync agent is already running for this till (pid {holder}); "
                "stop it first, or leave it to do the work"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.ftruncate(fd, 0)
            os.close(fd)  # closing the last descriptor drops the flock
