"""Helpers for the central (PostgreSQL) migration tests: a private database per test, a role
whose search_path walks into the trap, and ways to look at schema sgpos without the code under
test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from sync_service.central.migrate import VERSION_TABLE

SCHEMA = "sgpos"


def url_of(server_url: str, database: str, *, user: str | None = None) -> str:
    """The server's URL pointed at another database, optionally as another (trusted) role."""
    parts = urlsplit(server_url)
    netloc = parts.netloc
    if user is not None:
        netloc = f"{user}@{netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, parts.fragment))


@contextmanager
def admin(server_url: str) -> Iterator[Any]:
    """An autocommit cursor on the server's admin database."""
    with closing(psycopg2.connect(server_url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            yield cur


@contextmanager
def fresh_database(
    server_url: str, *, owner: str | None = None, copy_of: str | None = None
) -> Iterator[str]:
    """An empty database ``sgpos_mig_<random>`` for one test, or a copy of the database at
    ``copy_of`` (no one may be connected to it); dropped afterwards."""
    name = f"sgpos_mig_{uuid.uuid4().hex[:12]}"
    template = urlsplit(copy_of).path.lstrip("/") if copy_of else None
    with admin(server_url) as cur:
        cur.execute(
            f'CREATE DATABASE "{name}"'
            + (f' OWNER "{owner}"' if owner else "")
            + (f' TEMPLATE "{template}"' if template else "")
        )
    try:
        yield url_of(server_url, name)
    finally:
        with admin(server_url) as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def trapped_role(server_url: str) -> Iterator[str]:
    """A login role whose own search_path puts sgpos first, as a DBA setting up an
    application role often does: the configuration MIGRATIONS.md calls the trap."""
    role = f"sgpos_app_{uuid.uuid4().hex[:8]}"
    with admin(server_url) as cur:
        cur.execute(f'CREATE ROLE "{role}" LOGIN')
        cur.execute(f'ALTER ROLE "{role}" SET search_path = {SCHEMA}, public')
    try:
        yield role
    finally:
        with admin(server_url) as cur:
            cur.execute(f'DROP ROLE IF EXISTS "{role}"')


def execute(url: str, sql: str, params: Any = None) -> None:
    """Run ``sql`` in a transaction of its own and commit it."""
    # psycopg2's connection context commits (it does not close: closing() does).
    with closing(psycopg2.connect(url)) as conn, conn, conn.cursor() as cur:
        cur.execute(sql, params)


def query(url: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def tables(url: str) -> set[str]:
    rows = query(url, "SELECT tablename FROM pg_tables WHERE schemaname = %s", (SCHEMA,))
    return {name for (name,) in rows}


def version_rows(url: str) -> list[str] | None:
    """The revisions recorded in sgpos's version table; None when the table does not exist."""
    if not query(url, "SELECT to_regclass(%s)", (f"{SCHEMA}.{VERSION_TABLE}",))[0][0]:
        return None
    return [v for (v,) in query(url, f"SELECT version_num FROM {SCHEMA}.{VERSION_TABLE}")]


# The oid of schema sgpos, or NULL (matching nothing) before it exists.
SGPOS_OID = "(SELECT oid FROM pg_namespace WHERE nspname = %s)"


def schema(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a revision may create in sgpos, comparable across up/down/up: columns,
    constraints, indexes, functions and triggers (Alembic's own table left out)."""
    keep = (SCHEMA, VERSION_TABLE)
    return {
        "columns": query(
            url,
            "SELECT table_name, column_name, data_type, character_maximum_length,"
            " numeric_precision, numeric_scale, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_schema = %s AND table_name <> %s"
            " ORDER BY table_name, column_name",
            keep,
        ),
        "constraints": query(
            url,
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)"
            " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
            f" WHERE c.connamespace = {SGPOS_OID} AND t.relname <> %s ORDER BY 1, 2",
            keep,
        ),
        "indexes": query(
            url,
            "SELECT tablename, indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = %s AND tablename <> %s ORDER BY 1, 2",
            keep,
        ),
        "functions": query(
            url,
            "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
            f" WHERE pronamespace = {SGPOS_OID} ORDER BY 1",
            (SCHEMA,),
        ),
        "triggers": query(
            url,
            "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid"
            f" WHERE c.relnamespace = {SGPOS_OID} AND NOT t.tgisinternal ORDER BY 1, 2",
            (SCHEMA,),
        ),
    }
