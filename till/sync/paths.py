"""The files of a till's data folder that the sync agent uses."""

from __future__ import annotations

from pathlib import Path

from till.store.paths import backup_dir, store_file

__all__ = ["LOCK_FILE", "SECRET_FILE", "backup_dir", "default_log_file", "store_file"]

SECRET_FILE = "till-secret"  # noqa: S105  (a file name, not the secret)
LOCK_FILE = "sync-agent.lock"


def default_log_file(data_dir: Path) -> Path:
    return data_dir / "logs" / "sync-agent.log"
