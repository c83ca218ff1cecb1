"""``make demo``: the till app, and beside it head office's dashboard when PostgreSQL is at hand.

With a PostgreSQL server (``SGPOS_DEMO_DB_URL``, default the local server's ``sgpos_demo``
database) this sets up a demo shop the way a real one is set up, with the real commands: the
central schema and demo master data, a dashboard user, the central server on a local port, a
till enrolled with a one-time code that pulls its catalogue from head office, a few days of
sales from a second, headless till at the other outlet, and then the till app, syncing in the
background. Without PostgreSQL the till app runs stand-alone on its own demo store, and this
says how to get the dashboard too. Every step is idempotent: running it again reuses what is
there and adds a little more trade. Deleting the demo folder and running it again installs
fresh tills for the same till codes, which start past every number head office already has
(as a replaced machine does); ``--reset`` (``make demo-reset``) removes the folder and the
demo database both. Ctrl-C stops it quietly at any point.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from platformdirs import user_data_path
from psycopg2 import sql

from shared.config import mask_url
from shared.logs import configure_logging
from sync_service.central.admin.enrolment import replacement_code
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from sync_service.central.tills import EnrolmentError, create_enrolment_code, find_till
from sync_service.central.users import UserError, create_user

DEFAULT_DB_URL = "postgresql://postgres@127.0.0.1:5432/sgpos_demo"
DEFAULT_PORT = 8765
# Demo credentials, printed on screen: this database holds made-up data only.
DEMO_ADMIN = "admin@demo.sg-pos.invalid"
DEMO_ADMIN_PASSWORD = "demo-admin-password"  # noqa: S105
SERVER_START_S = 30.0


class DemoProblem(RuntimeError):
    """A step of the demo failed; the message says which and what to do."""


def demo_root() -> Path:
    return user_data_path("sg-pos", appauthor=False) / "demo-shop"


def _bin(name: str) -> str:
    """The console script installed beside this Python (the project's .venv)."""
    return str(Path(sys.executable).with_name(name))


def _run(*argv: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise DemoProblem(f"{' '.join(argv[:3])} failed: {detail[-1] if detail else 'no output'}")


def database_ready(url: str) -> str | None:
    """Create the demo database when the server answers; None, or why PostgreSQL is unusable."""
    server, _, name = url.rpartition("/")
    try:
        conn = psycopg2.connect(f"{server}/postgres", connect_timeout=3)
        try:
            conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cur.fetchone() is None:
                    cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            conn.close()
    except psycopg2.Error as exc:
        first = str(exc).strip().splitlines()
        return first[0] if first else type(exc).__name__
    return None


def prepare_head_office(url: str) -> None:
    upgrade_central(url)
    engine = central_engine(url, pool_size=2)
    try:
        # The demo shows promotions of every kind, product families and cartons.
        seed_demo(engine, promotions=True, variants=True)
        with suppress(UserError):  # already there from an earlier run
            create_user(
                engine,
                email=DEMO_ADMIN,
                password=DEMO_ADMIN_PASSWORD,
                role="admin",
                outlet_code=None,
            )
    finally:
        engine.dispose()


def start_server(url: str, port: int, logs: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SGPOS_CENTRAL_DB_URL": url, "SGPOS_LOG_FILE": str(logs)}
    server = subprocess.Popen(  # noqa: S603
        [_bin("sgpos-central"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise DemoProblem(f"the central server stopped at start-up; its log is {logs}")
        health = f"http://127.0.0.1:{port}/v1/health"
        with suppress(urllib.error.URLError, OSError), urllib.request.urlopen(health, timeout=2):
            return server
        time.sleep(0.3)
    server.terminate()
    raise DemoProblem(f"the central server did not answer on port {port}; is the port free?")


def enrolled(data_dir: Path) -> bool:
    return (data_dir / "till-secret").is_file()


def enrol(url: str, central: str, data_dir: Path, outlet: str, till_code: str) -> None:
    """Enrol ``data_dir`` as a till (once) and pull head office's master data into it."""
    if not enrolled(data_dir):
        engine = central_engine(url, pool_size=1)
        try:
            code = create_enrolment_code(
                engine,
                outlet_code=outlet,
                till_code=till_code,
                created_by="demo",
                now=datetime.now(UTC),
            )
        except EnrolmentError:
            # The demo's database outlived its data folder: replace the old demo till on
            # purpose, as head office would replace a broken machine.
            till_id = find_till(engine, outlet_code=outlet, till_code=till_code)
            code = replacement_code(engine, "demo", till_id, now=datetime.now(UTC)).code
        finally:
            engine.dispose()
        sync = _bin("sgpos-sync")
        _run(sync, "--data-dir", str(data_dir), "enroll", "--central", central, "--code", code)
    _run(_bin("sgpos-sync"), "--data-dir", str(data_dir), "once")


def ring_sales(data_dir: Path, sales: int, seed: int) -> None:
    """Sales through the till's real services, then pushed to head office."""
    till = _bin("sgpos-till")
    _run(till, "simulate", "--data-dir", str(data_dir), "--sales", str(sales), "--seed", str(seed))
    _run(_bin("sgpos-sync"), "--data-dir", str(data_dir), "once")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m installer.demo",
        description="the demo till, with head office's dashboard beside it when PostgreSQL runs",
    )
    p.add_argument("--db-url", default=os.environ.get("SGPOS_DEMO_DB_URL", DEFAULT_DB_URL))
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="the central server's port")
    p.add_argument("--data-dir", type=Path, default=None, help=f"default {demo_root()}")
    p.add_argument("--stand-alone", action="store_true", help="only the till app, no head office")
    p.add_argument(
        "--no-app", action="store_true", help="set up and serve head office, without the till app"
    )
    p.add_argument(
        "--reset", action="store_true", help="delete the demo's folder and database, then stop"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("\nThe demo was stopped (Ctrl-C). Run 'make demo' again to carry on.")
        return 130


def reset(root: Path, url: str) -> int:
    if root.exists():
        shutil.rmtree(root)
        print(f"Deleted the demo folder {root}")
    server, _, name = url.rpartition("/")
    try:
        conn = psycopg2.connect(f"{server}/postgres", connect_timeout=3)
    except psycopg2.Error:
        print(f"No PostgreSQL at {mask_url(server)}: there is no demo database to delete.")
        return 0
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        conn.close()
    print(f"Deleted the demo database {name}. 'make demo' starts a fresh shop.")
    return 0


# Opens (and closes) a Qt application: Qt aborts the whole process when its platform plugin
# cannot load, so this is asked of a child process, not of this one.
_QT_PROBE = "from PySide6.QtWidgets import QApplication; QApplication([])"
QT_PROBE_TIMEOUT_S = 30
# What Qt's X11 plugin loads on a Debian or Ubuntu desktop that a minimal install may lack (Qt
# names only the first, libxcb-cursor0, whichever is missing). The README lists the same.
QT_X11_PACKAGES = (
    "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 "
    "libxkbcommon-x11-0"
)


def no_display() -> str | None:
    """Why the till app cannot open a window here, or None."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    try:
        probe = subprocess.run(  # noqa: S603  (our own interpreter and a fixed line)
            [sys.executable, "-c", _QT_PROBE],
            capture_output=True,
            text=True,
            timeout=QT_PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"Qt did not open a window within {QT_PROBE_TIMEOUT_S} s (is the display alive?)"
    if probe.returncode == 0:
        return None
    if "could not connect to display" in probe.stderr:
        return f"the display {os.environ.get('DISPLAY')!r} does not answer"
    if "xcb" in probe.stderr:
        return f"Qt's X11 libraries are missing (Debian/Ubuntu: sudo apt install {QT_X11_PACKAGES})"
    last = (probe.stderr.strip().splitlines() or ["no reason given"])[-1]
    return f"Qt cannot open a window on this display ({last})"


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    root: Path = args.data_dir or demo_root()
    if args.reset:
        return reset(root, args.db_url)
    headless = None if args.no_app else no_display()
    if headless is not None:
        print(f"The till app needs a desktop: {headless}.")
        print("Run 'make demo' in a desktop session (or under Xvfb) to see it; meanwhile")
        print("head office is set up and served, with a headless till trading beside it.")
        args.no_app = True
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    configure_logging(log_file=root / "demo.log", console=False)
    till_app = [_bin("sgpos-till"), "--demo"]
    problem = "you asked for the till alone" if args.stand_alone else database_ready(args.db_url)
    if problem is not None:
        print(f"Head office is not part of this demo ({problem}).")
        print("For the dashboard too, run PostgreSQL on 127.0.0.1:5432 or set SGPOS_DEMO_DB_URL.")
        return 0 if args.no_app else _app_exit(subprocess.call(till_app))  # noqa: S603
    central = f"http://127.0.0.1:{args.port}"
    print(f"Head office database: {mask_url(args.db_url)}")
    try:
        prepare_head_office(args.db_url)
        server = start_server(args.db_url, args.port, root / "central.log")
    except DemoProblem as exc:
        print(f"The demo could not start head office: {exc}", file=sys.stderr)
        return 1
    try:
        shop = root / "orchard-t01"
        print("Enrolling till ORC-T01 and pulling its catalogue from head office ...")
        enrol(args.db_url, central, shop, "ORC", "T01")
        print("Ringing a few sales at Toa Payoh (till TPY-T01, headless) ...")
        other = root / "toa-payoh-t01"
        enrol(args.db_url, central, other, "TPY", "T01")
        ring_sales(other, sales=40, seed=int(time.time()) % 10_000)
        print(f"Dashboard: {central}/ho/  (sign in as {DEMO_ADMIN} / {DEMO_ADMIN_PASSWORD})")
        if args.no_app:
            print("Serving head office until Ctrl-C.")
            with suppress(KeyboardInterrupt):
                server.wait()
            return 0
        print("Starting the till app (ORC-T01); it syncs with head office in the background.")
        return _app_exit(subprocess.call([*till_app, "--data-dir", str(shop)]))  # noqa: S603
    except DemoProblem as exc:
        print(f"The demo stopped: {exc}", file=sys.stderr)
        return 1
    finally:
        server.terminate()
        with suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)


def _app_exit(code: int) -> int:
    # The app ends with SIGINT's status when Ctrl-C in this terminal reached it too.
    return 130 if code in (-2, 130) else code


if __name__ == "__main__":
    sys.exit(main())
