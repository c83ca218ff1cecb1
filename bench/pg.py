"""A fresh PostgreSQL database for a benchmark run, dropped afterwards.

Uses ``SGPOS_BENCH_PG_URL`` (an admin URL) if set, else finds or starts a server the way the
test suite does.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from tests import pgserver


@contextmanager
def fresh_database() -> Iterator[str]:
    explicit = os.environ.get("SGPOS_BENCH_PG_URL")
    with pgserver.server_url() if explicit is None else _given(explicit) as admin_url:
        name = f"sgpos_bench_{uuid.uuid4().hex[:10]}"
        admin = psycopg2.connect(admin_url)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(admin_url)
        try:
            yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
        finally:
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url
