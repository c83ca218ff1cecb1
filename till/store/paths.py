"""Where a till keeps its files inside its data folder (shared by the app and the agent)."""

from __future__ import annotations

from pathlib import Path

STORE_FILE = "till.sqlite"


def store_file(data_dir: Path) -> Path:
    return data_dir / STORE_FILE


def backup_dir(data_dir: Path) -> Path:
    """Where a store upgrade (and a technician's backup) puts its copies."""
    return data_dir / "backups"
