"""What must hold before anything is installed: Python, head office and its clock, disk, folder.

Each check raises :class:`~installer.steps.StepFailed` naming the problem and the fix. The
checks that reach outside (head office) run before the ones that create anything, so a bad
address or a dead network leaves the machine exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from installer.central import HeadOffice, Unreachable, head_office
from installer.settings import InstallerSettings
from installer.steps import StepFailed
from shared.disk import NOT_ALLOWED, disk_fix, disk_trouble

MIN_PYTHON = (3, 11)
# The probe writes this much for real: a folder that takes a few bytes but not a store's worth
# (a nearly full disk, a quota, a file-size limit) fails here, not half-way through the load.
PROBE_BYTES = 1024 * 1024


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> str:
    if version[:2] < MIN_PYTHON:
        raise StepFailed(
            f"SG-POS needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; this is "
            f"{'.'.join(map(str, version))}",
            "install a newer Python (Debian/Ubuntu: apt-get install python3) and run again",
        )
    return f"Python {'.'.join(map(str, version))}"


def check_head_office(url: str, settings: InstallerSettings) -> HeadOffice:
    try:
        found = head_office(url, timeout_s=settings.request_timeout_s)
    except Unreachable as exc:
        raise StepFailed(
            exc.reason,
            "check the till's network (cable, Wi-Fi, proxy) and the --central address, then run "
            "the same command again; nothing was installed",
        ) from None
    if found.health.status != "ok":
        raise StepFailed(
            f"head office at {url} answers but its database is {found.health.database}",
            "ask head office to check their server, then run the same command again",
        )
    return found


def check_clock(found: HeadOffice, settings: InstallerSettings) -> str:
    """The skew in words; StepFailed when it is past ``clock_max_s``."""
    if found.skew_s is None:
        return "head office sent no time; clock not compared"
    words = describe_skew(found.skew_s)
    if abs(found.skew_s) > settings.clock_max_s:
        raise StepFailed(
            f"this till's clock is {words}",
            "set the clock right (timedatectl set-ntp true, or set the time and time zone in the "
            "system settings), then run the same command again",
        )
    return f"clock {words}"


def describe_skew(skew_s: float) -> str:
    if abs(skew_s) < 2:
        return "agrees with head office's"
    way = "ahead of" if skew_s > 0 else "behind"
    amount = f"{abs(skew_s):.0f} s" if abs(skew_s) < 120 else f"{abs(skew_s) / 60:.0f} min"
    return f"{amount} {way} head office's"


def free_mb(path: Path) -> int:
    """Free space for this user on the file system that holds ``path`` (or would)."""
    return int(shutil.disk_usage(nearest_existing(path)).free // (1024 * 1024))


def check_free_disk(path: Path, settings: InstallerSettings) -> str:
    free = free_mb(path)
    if free < settings.min_free_mb:
        raise StepFailed(
            f"only {free} MB free on the disk of {path}; SG-POS needs at least "
            f"{settings.min_free_mb} MB",
            "free some disk space (old downloads, logs, backups kept elsewhere) and run again",
        )
    return f"{free:,} MB free"


def nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def make_data_dir(data_dir: Path) -> bool:
    """Create the data folder, readable by this user only; True if this call created it."""
    if data_dir.is_dir():
        return False
    for parent in data_dir.parents:
        if parent.exists() and not parent.is_dir():
            raise StepFailed(
                f"cannot create the data folder {data_dir}: {parent} is a file, not a folder",
                "choose another --data-dir (for example one under your home folder)",
            )
    try:
        data_dir.mkdir(parents=True, mode=0o700)
    except OSError as exc:
        raise StepFailed(
            f"cannot create the data folder {data_dir}: {_why(exc)}", _fix(exc)
        ) from None
    os.chmod(data_dir, 0o700)  # mkdir's mode is narrowed by umask, never widened; be exact
    return True


def make_private(data_dir: Path) -> None:
    """Narrow a data folder found readable by others: the till's secret lives in it."""
    if not data_dir.stat().st_mode & 0o077:
        return
    try:
        os.chmod(data_dir, 0o700)
    except OSError as exc:
        raise StepFailed(f"cannot make {data_dir} private: {_why(exc)}", _fix(exc)) from None


def check_writable(data_dir: Path) -> str:
    """Write (and fsync) a real file of PROBE_BYTES in the data folder, then remove it."""
    probe: str | None = None
    try:
        fd, probe = tempfile.mkstemp(dir=data_dir, prefix=".write-probe.")
        with os.fdopen(fd, "wb") as fh:
            chunk = b"\0" * 65536
            for _ in range(PROBE_BYTES // len(chunk)):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise StepFailed(f"cannot write in {data_dir}: {_why(exc)}", _fix(exc)) from None
    finally:
        if probe is not None:
            Path(probe).unlink(missing_ok=True)
    return f"{data_dir} is writable (private to this user)"


def _why(exc: OSError) -> str:
    return disk_trouble(exc) or (exc.strerror.lower() if exc.strerror else str(exc))


def _fix(exc: OSError) -> str:
    trouble = disk_trouble(exc)
    if trouble is None or trouble == NOT_ALLOWED:
        return (
            "run as the till's own user, choose a --data-dir that user may write (for example "
            "one under the home folder), or fix the folder's owner; then run again"
        )
    return disk_fix(trouble)
