"""Two deployers (or several server instances starting together) upgrading one central
database at once: both succeed and the schema is built once, because every run takes the
migration advisory lock before doing anything."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from threading import Barrier

import psycopg2
import pytest

from sync_service.central.migrate import (
    MIGRATION_LOCK,
    MIGRATIONS_DIR,
    head_revision,
    upgrade_central,
)

from .central_support import SCHEMA, fresh_database, query, version_rows

pytestmark = pytest.mark.postgres


@pytest.fixture
def empty_db(pg_server: str) -> Iterator[str]:
    with fresh_database(pg_server) as url:
        yield url


def assert_built_once(url: str) -> None:
    assert version_rows(url) == [head_revision()]
    assert query(url, "SELECT count(*) FROM sgpos.tax_code") == [(4,)]
    triggers = "SELECT count(*) FROM pg_trigger WHERE tgname = 'record_master_change'"
    # six catalogue and staff tables, promotions, orders, variants, voucher batches, customers
    assert query(url, triggers) == [(11,)]


def test_two_threads_upgrading_at_once_both_succeed(empty_db: str):
    start = Barrier(2)

    def deploy() -> str:
        start.wait()
        return upgrade_central(empty_db)

    pool = ThreadPoolExecutor(max_workers=2)
    try:
        deployments = [pool.submit(deploy) for _ in range(2)]
        heads = [d.result(timeout=120) for d in deployments]
    finally:
        # Not waiting: a deadlocked regression fails here; dropping the database frees it.
        pool.shutdown(wait=False)

    assert heads == [head_revision()] * 2
    assert_built_once(empty_db)


def waiting_for_the_lock(url: str) -> int:
    database = url.rsplit("/", 1)[-1]
    sql = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
        " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
    )
    return int(query(url, sql, (database,))[0][0])


def test_two_deployers_queue_on_the_advisory_lock_and_migrate_once(empty_db: str):
    """Holds the lock while two ``alembic upgrade head`` processes start: both must wait for it
    before touching anything, and the second must find the first's work committed."""
    with closing(psycopg2.connect(empty_db)) as holder:
        with holder.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        cli = [sys.executable, "-m", "alembic", "-c", str(MIGRATIONS_DIR / "alembic.ini")]
        deployers = [
            subprocess.Popen(
                [*cli, "-x", f"db_url={empty_db}", "upgrade", "head"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            deadline = time.monotonic() + 60
            while waiting_for_the_lock(empty_db) < 2:
                assert time.monotonic() < deadline, "the deployers never queued on the lock"
                assert all(d.poll() is None for d in deployers), "a deployer did not wait"
                time.sleep(0.1)
            # Queued behind the lock, neither has created anything yet.
            schemas = "SELECT 1 FROM pg_namespace WHERE nspname = %s"
            assert query(empty_db, schemas, (SCHEMA,)) == []
        finally:
            holder.rollback()  # releases the lock
        outcomes = [d.communicate(timeout=120) for d in deployers]

    assert [d.returncode for d in deployers] == [0, 0], outcomes
    ran = [err.count("Running upgrade") for _out, err in outcomes]
    revisions = len(list((MIGRATIONS_DIR / "versions").glob("[0-9]*.py")))
    assert sorted(ran) == [0, revisions]  # one built the schema, the other found it done
    assert_built_once(empty_db)
