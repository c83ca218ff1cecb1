"""Backing up and restoring head office's database with PostgreSQL's own tools.

``backup`` runs ``pg_dump --format=custom`` (compressed, restorable table by table, readable by
a newer ``pg_restore``); it takes one consistent snapshot while tills keep pushing and pulling
(the pull cursor does not wait for other transactions: docs/sync.md). ``restore`` runs
``pg_restore`` into an *empty* database in one transaction, so a failed restore leaves nothing
half-written; restoring over a live SG-POS database is refused.

The password never appears on a command line (where ``ps`` shows it): it goes to the tools in
``PGPASSWORD``, and the URL they are given has none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from shared.config import mask_url
from sync_service.central.migrate import migration_url
from sync_service.central.models import SCHEMA

DUMP_TIMEOUT_S = 6 * 3600  # a big database over a slow disk; a hung dump still ends


class BackupError(Exception):
    """The backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    url: str  # for pg_dump/pg_restore: libpq's postgresql://user@host:port/db, no password
    env: dict[str, str]
    shown: str  # for messages


def _target(db_url: str) -> Target:
    url = migration_url(db_url)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return Target(plain.render_as_string(hide_password=False), env, mask_url(db_url))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; install PostgreSQL's client tools "
            "(Debian/Ubuntu: apt install postgresql-client) in the server's major version or newer"
        )
    return found


def _run(command: list[str], target: Target, what: str) -> None:
    try:
        done = subprocess.run(  # noqa: S603  (our own command line)
            command,
            env=target.env,
            capture_output=True,
            text=True,
            timeout=DUMP_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} of {target.shown} did not finish in time") from None
    if done.returncode != 0:
        words = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} of {target.shown} failed: {' '.join(words[-3:])[:500]}")


def backup(db_url: str, to: Path) -> int:
    """A custom-format dump of the whole database at ``to`` (written beside it, then renamed,
    so a half-made backup never has the final name); its size in bytes."""
    if to.exists():
        raise BackupError(f"{to} already exists; choose a new file name (backups are kept)")
    if not to.parent.is_dir():
        raise BackupError(f"the folder {to.parent} does not exist")
    target = _target(db_url)
    partial = to.with_name(to.name + ".partial")
    # Made first, readable by its owner only: it holds password and credential hashes.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        _run(
            [_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={target.url}"],
            target,
            "the backup",
        )
        partial.replace(to)
    finally:
        partial.unlink(missing_ok=True)
    return to.stat().st_size


def restore(db_url: str, source: Path) -> None:
    """``source`` restored into the (empty) database ``db_url``, all or nothing."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file; give the path of a backup made by backup")
    target = _target(db_url)
    engine = sa.create_engine(migration_url(db_url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            taken = conn.scalar(
                sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": SCHEMA}
            )
    except sa.exc.OperationalError as exc:
        raise BackupError(f"cannot reach {target.shown}: {exc.orig}") from None
    finally:
        engine.dispose()
    if taken:
        raise BackupError(
            f"the database {target.shown} already has an SG-POS schema; restore into a new, "
            "empty database (createdb), check it, then point central_db_url at it"
        )
    _run(
        [
            _tool("pg_restore"),
            "--exit-on-error",
            "--single-transaction",
            # The dump's owner and grants name roles this server may not have.
            "--no-owner",
            "--no-acl",
            f"--dbname={target.url}",
            str(source),
        ],
        target,
        "the restore",
    )
