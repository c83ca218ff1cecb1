"""Find or start a PostgreSQL server for the test run.

Order: ``SGPOS_TEST_PG_URL``; a server answering on 127.0.0.1:5432 as ``postgres``; a throwaway
cluster started from the installed PostgreSQL binaries in a temporary directory (run as the
``postgres`` user when we are root, because ``initdb`` refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


class NoPostgres(RuntimeError):
    pass


def answers(url: str) -> bool:
    try:
        psycopg2.connect(url, connect_timeout=3).close()
    except psycopg2.OperationalError:
        return False
    return True


def find_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.insert(0, found)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def throwaway_cluster(bindir: Path) -> Iterator[str]:
    """Start a private cluster on a free loopback port; yield its URL; stop and delete it."""
    root = Path(tempfile.mkdtemp(prefix="sgpos-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(
            str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w",
            "-o", f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off", "start",
        )  # fmt: skip
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 30
        while not answers(url):
            if time.monotonic() > deadline:
                raise NoPostgres(f"throwaway cluster did not answer; see {root / 'server.log'}")
            time.sleep(0.2)
        yield url
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def server_url() -> Iterator[str]:
    """Yield an admin URL (database ``postgres``) of a server the tests may create databases on."""
    explicit = os.environ.get("SGPOS_TEST_PG_URL")
    if explicit:
        if not answers(explicit):
            raise NoPostgres(f"SGPOS_TEST_PG_URL is set but nothing answers at {explicit}")
        yield explicit
        return
    if answers(DEFAULT_URL):
        yield DEFAULT_URL
        return
    bindir = find_bindir()
    if bindir is None:
        raise NoPostgres(
            "no PostgreSQL server answers on 127.0.0.1:5432 and no PostgreSQL binaries are "
            "installed; install them (Debian: apt-get install postgresql) or set "
            "SGPOS_TEST_PG_URL to a server the tests may create databases on"
        )
    with throwaway_cluster(bindir) as url:
        yield url
