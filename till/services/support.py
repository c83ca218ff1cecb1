"""The support bundle a technician sends when a till misbehaves: logs, a fresh copy of the
store and the sync status, in one zip.

The store is copied with SQLite's backup API (a file copy of a live WAL database can be torn)
and checked before it goes in. The till's secret for head office never goes in: whoever holds
a bundle must not be able to push as this till.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from shared.logs import get_logger
from till.services.context import CashierError
from till.store.db import Store
from till.store.migrate import backup_store, current_revision
from till.store.paths import store_file
from till.sync.paths import SECRET_FILE
from till.sync.status import SyncStatus, sync_status

# How many recent warnings and errors from the logs the diagnostics show, and how far back
# in each log file they are looked for (the files rotate at a few MB).
RECENT_PROBLEMS = 10
LOG_TAIL_BYTES = 256 * 1024
PROBLEM_LEVELS = frozenset({"warning", "error", "critical"})
STORE_MEMBER = "till.sqlite"
STATUS_MEMBER = "status.json"
LOGS_FOLDER = "logs"

log = get_logger(__name__)


class SupportBundleError(CashierError):
    """The bundle could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Diagnostics:
    """What the diagnostics screen shows and the support bundle's status.json holds: the sync
    status, the versions, where the store is, and the latest problems from the logs."""

    status: SyncStatus
    versions: Mapping[str, str | None]
    store_path: Path
    recent_problems: tuple[Mapping[str, Any], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            **self.status.as_json(),
            "versions": dict(self.versions),
            "store_path": str(self.store_path),
            "recent_problems": [dict(p) for p in self.recent_problems],
        }


def diagnostics(data_dir: Path, store: Store, *, now: datetime) -> Diagnostics:
    return Diagnostics(
        status=sync_status(store, data_dir, now=now),
        versions=versions(store.path),
        store_path=store.path,
        recent_problems=tuple(recent_problems(data_dir)),
    )


def recent_problems(data_dir: Path, *, limit: int = RECENT_PROBLEMS) -> list[dict[str, Any]]:
    """The newest warnings and errors in the till's JSON logs, oldest first."""
    folder = data_dir / LOGS_FOLDER
    found: list[dict[str, Any]] = []
    for file in sorted(folder.glob("*.log")) if folder.is_dir() else []:
        for line in _tail(file).splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut by the tail, or a console line
            if isinstance(entry, dict) and entry.get("level") in PROBLEM_LEVELS:
                found.append(
                    {
                        "at": entry.get("timestamp"),
                        "level": entry.get("level"),
                        "event": entry.get("event"),
                        "error": entry.get("error") or entry.get("problem"),
                        "log": file.name,
                    }
                )
    found.sort(key=lambda e: str(e["at"] or ""))
    return found[-limit:]


def _tail(file: Path) -> str:
    with file.open("rb") as fh:
        fh.seek(max(0, file.stat().st_size - LOG_TAIL_BYTES))
        return fh.read().decode("utf-8", errors="replace")


def versions(store_path: Path) -> dict[str, str | None]:
    """What a technician asks first: which release, which schema, which Qt and Python."""
    return {
        "app": _installed("sg-pos"),
        "store_revision": current_revision(store_path),
        # Read from the package metadata: services stay free of Qt imports.
        "pyside6": _installed("PySide6-Essentials"),
        "python": platform.python_version(),
    }


def _installed(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def export_support_bundle(
    data_dir: Path, destination: Path, *, now: datetime | None = None
) -> Path:
    """Write the bundle of the till in ``data_dir`` to ``destination`` (a folder, or the zip's
    own path) and return the zip's path. Nothing is left behind if it fails half-way."""
    now = now or datetime.now(UTC)
    path = store_file(data_dir)
    if not path.is_file():
        raise SupportBundleError(
            f"there is no till store in {data_dir}; choose the till's data folder"
        )
    target = _target(destination, now)
    partial = target.with_name(f".{target.name}.part")
    try:
        with tempfile.TemporaryDirectory(prefix="sgpos-support-") as scratch:
            copy = backup_store(path, Path(scratch), revision=current_revision(path), now=now)
            status = _status(data_dir, path, now)
            # Private from the first byte: the bundle holds a full copy of the store.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with (
                os.fdopen(fd, "wb") as raw,
                zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as bundle,
            ):
                bundle.write(copy, STORE_MEMBER)
                bundle.writestr(STATUS_MEMBER, json.dumps(status, indent=2, sort_keys=True))
                for file, name in _log_files(data_dir):
                    bundle.write(file, name)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise SupportBundleError(
            f"could not write the support bundle to {target} ({exc.strerror or exc}); "
            "check there is space and that the folder (or USB stick) is writable"
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    log.info("support.bundle_exported", bundle=str(target))
    return target


def _target(destination: Path, now: datetime) -> Path:
    if destination.is_dir():
        stem = f"sgpos-support-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        target, n = destination / f"{stem}.zip", 1
        while target.exists():  # two exports in one second keep both
            target, n = destination / f"{stem}-{n}.zip", n + 1
        return target
    if not destination.parent.is_dir():
        raise SupportBundleError(
            f"the folder {destination.parent} does not exist; choose an existing folder"
        )
    return destination


def _status(data_dir: Path, path: Path, now: datetime) -> dict[str, Any]:
    store = Store.open(path)
    try:
        status = diagnostics(data_dir, store, now=now).as_json()
    finally:
        store.close()
    return {**status, "bundle_made_at": now.astimezone(UTC).isoformat()}


def _log_files(data_dir: Path) -> list[tuple[Path, str]]:
    folder = data_dir / LOGS_FOLDER
    if not folder.is_dir():
        return []
    files = []
    for file in sorted(folder.rglob("*")):
        # Belt and braces: nothing named like the secret file goes in, wherever it sits.
        if file.is_file() and not file.is_symlink() and SECRET_FILE not in file.name:
            files.append((file, f"{LOGS_FOLDER}/{file.relative_to(folder).as_posix()}"))
    return files
