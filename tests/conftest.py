"""Test-wide fixtures: offscreen Qt, hypothesis profiles and a real PostgreSQL database."""

from __future__ import annotations

import io
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

# Qt must be told before PySide6 is imported anywhere; a headless CI has no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg2
import pytest
import structlog
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


@pytest.fixture
def central_cli(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., tuple[int, str, str]]]:
    """``sgpos-central`` in-process on the run's database: (exit code, stdout, stderr) of one
    command; ``stdin=`` feeds standard input."""
    from sync_service.server import cli

    monkeypatch.setenv("SGPOS_CENTRAL_DB_URL", pg_url)
    # The command sets up logging for a process; put back what the test session had, so no
    # handler outlives this test writing to its captured (and then closed) stderr.
    root = logging.getLogger()
    handlers, level, structlog_config = list(root.handlers), root.level, structlog.get_config()

    def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    try:
        yield run
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        structlog.configure(**structlog_config)
