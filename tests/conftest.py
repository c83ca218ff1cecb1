"""Test-wide fixtures: offscreen Qt, hypothesis profiles and a real PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

# Qt must be told before PySide6 is imported anywhere; a headless CI has no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg2
import pytest
from hypothesis import HealthCheck, settings

from tests import pgserver

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Shared machines are noisy: no per-example deadline. CI runs derandomized so a red build is
# reproducible from its log.
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if IN_CI else "dev")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """Admin URL of a PostgreSQL server; a missing server fails under CI and skips locally."""
    try:
        with pgserver.server_url() as url:
            yield url
    except pgserver.NoPostgres as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {exc}", pytrace=False)
        pytest.skip(f"no PostgreSQL available: {exc}")


@pytest.fixture(scope="session")
def pg_url(pg_server: str) -> Iterator[str]:
    """URL of a database created fresh for this test run and dropped at its end."""
    name = f"sgpos_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(pg_server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(pg_server)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    # The server is shared, as in a shop: a stranger sits idle in a transaction that holds an
    # id and a snapshot, in this database and in another, for the whole run. Nothing we do may
    # wait for it (DESIGN.md §7, invariant 8).
    strangers = [psycopg2.connect(u) for u in (url, pg_server)]
    for stranger in strangers:
        with stranger.cursor() as cur:
            cur.execute("SELECT pg_current_xact_id()")
    try:
        yield url
    finally:
        for stranger in strangers:
            stranger.close()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
