"""The Postgres fixture later issues depend on: a fresh database per run, and the fallback."""

from __future__ import annotations

import psycopg2
import pytest

from tests import pgserver


def test_each_run_gets_a_database_of_its_own(pg_url: str) -> None:
    with psycopg2.connect(pg_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_database(), current_setting('server_version_num')::int")
        row = cur.fetchone()
        assert row is not None
        name, version = row
        cur.execute(
            "SELECT count(*) FROM pg_tables"
            " WHERE schemaname = 'public'"  # other tests fill schema sgpos, never public
        )
        counted = cur.fetchone()
        assert counted is not None
        (user_tables,) = counted
    assert name.startswith("sgpos_test_")
    assert version >= 130000
    assert user_tables == 0


def test_throwaway_cluster_starts_from_installed_binaries_and_is_removed() -> None:
    bindir = pgserver.find_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL binaries installed: the fallback cannot be exercised here")
    with pgserver.throwaway_cluster(bindir) as url:
        assert url != pgserver.DEFAULT_URL
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (42); SELECT x FROM t")
            assert cur.fetchone() == (42,)
    assert not pgserver.answers(url)
