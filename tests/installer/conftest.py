"""Fixtures for the installer's tests: head office (a real ``sgpos-central serve`` process on
a real PostgreSQL database, seeded with the demo company), and XDG folders inside tmp_path so
launchers and service units never land in the real home folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import CentralProcess, running_central
from tests.installer.support import HeadOffice

PRODUCTS = 120


@pytest.fixture(autouse=True)
def xdg_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    for name, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "share"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(name, str(home / sub))
    # Short waits: a dead address must fail a test in seconds, not minutes.
    monkeypatch.setenv("SGPOS_REQUEST_TIMEOUT_S", "15")
    return home


@pytest.fixture(scope="module")
def central_db(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    seed_demo(engine, products=PRODUCTS, variants=True)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def central_process(pg_url: str, central_db: Engine) -> Iterator[CentralProcess]:
    with running_central(pg_url) as central:
        yield central


@pytest.fixture
def head_office(central_db: Engine, central_process: CentralProcess) -> HeadOffice:
    return HeadOffice(central_db, central_process.url, central_process)
