"""``sgpos-central``: head office's command line for the central server and its database.

Every command reads the database URL from ``SGPOS_CENTRAL_DB_URL`` or ``--config FILE`` (TOML
with the same keys as ``CentralSettings``). Results go to stdout, logs and errors to stderr.

Exit codes: 0 done; 1 refused (the message says why: an unknown outlet, a short password);
2 a usage or configuration error; 3 the database cannot be reached or is not migrated.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import socket
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from string import Template
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from shared.config import ConfigError, mask_url
from shared.gst import SINGAPORE
from shared.logs import configure_logging
from shared.text import whole_number
from sync_service.central.accounts import (
    list_users,
    remove_second_factor,
    reset_password,
    set_active,
    user_by_email,
)
from sync_service.central.admin import AdminError
from sync_service.central.admin.enrolment import replacement_code
from sync_service.central.backup import BackupError, backup, restore
from sync_service.central.costing import recost
from sync_service.central.db import CentralSettings, central_engine
from sync_service.central.migrate import (
    CentralMigrationError,
    current_central_revision,
    head_revision,
    upgrade_central,
)
from sync_service.central.points import business_today, expire_points
from sync_service.central.seed import DEFAULT_PRODUCTS, seed_demo
from sync_service.central.tills import (
    CODE_VALIDITY,
    EnrolmentError,
    create_enrolment_code,
    find_till,
    revoke_till,
)
from sync_service.central.users import ROLES, UserError, create_user
from sync_service.server.app import ServerConfigError, run, utc_now
from sync_service.server.workers import supervise

TEMPLATES = Path(__file__).resolve().parent / "templates"
WORKER_MODULE = "sync_service.server.cli"
DEFAULT_CONFIG = Path("/etc/sgpos/central.toml")
EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_DATABASE = 0, 1, 2, 3
_CODE = re.compile(r"[A-Z0-9]{2,8}")
# SQLSTATEs of a database that has not been migrated: no such table, no such schema.
_NOT_MIGRATED = frozenset({"42P01", "3F000"})


class CommandFailed(Exception):
    def __init__(self, message: str, code: int = EXIT_REFUSED) -> None:
        super().__init__(message)
        self.code = code


def _code(text: str) -> str:
    """An outlet or till code as head office writes it: 2-8 letters and digits."""
    code = text.strip().upper()
    if not _CODE.fullmatch(code):
        raise argparse.ArgumentTypeError(f"{text!r} is not a code (2 to 8 letters and digits)")
    return code


def _count(text: str) -> int:
    number = whole_number(text)
    if number is None:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a whole number")
    return number


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, metavar="FILE", help="TOML settings file")
    parser = argparse.ArgumentParser(
        prog="sgpos-central", description="SG-POS head office: central server and database."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(run=run)
        return p

    command("migrate", _migrate, "create or upgrade the central schema (safe to repeat)")
    dump = command(
        "backup",
        _backup,
        "back up the central database with pg_dump (custom format) while it serves",
    )
    dump.add_argument("--to", type=Path, required=True, metavar="FILE", help="a new file")
    back = command(
        "restore",
        _restore,
        "restore a backup with pg_restore into the configured database, which must be empty",
    )
    back.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE")
    serve = command(
        "serve",
        _serve,
        "serve the sync API and the head-office dashboard (http://HOST:PORT/ho/) until "
        "SIGTERM or Ctrl-C; create the first dashboard user with create-user --role admin",
    )
    serve.add_argument("--host", help="address to listen on (default from settings)")
    serve.add_argument("--port", type=_count, help="port to listen on (default from settings)")
    serve.add_argument(
        "--workers",
        type=_count,
        default=1,
        metavar="N",
        help="N server processes sharing the port (default 1); a parent process restarts one "
        "that dies and passes SIGTERM on",
    )
    # Set by the --workers parent on the processes it starts: its pid.
    serve.add_argument("--worker-of", type=_count, help=argparse.SUPPRESS)
    unit = sub.add_parser(
        "systemd-unit",
        help="print a systemd unit that runs serve as a service (docs/operations.md)",
        description="print a systemd unit that runs serve as a service (docs/operations.md)",
    )
    unit.set_defaults(run=None)
    unit.add_argument("--config", type=Path, default=DEFAULT_CONFIG, metavar="FILE")
    unit.add_argument("--user", default="sgpos", help="the account it runs as (default sgpos)")
    unit.add_argument("--workers", type=_count, default=2, metavar="N")
    code = command("enrolment-code", _enrolment_code, "print a one-time code to enrol a till")
    code.add_argument("--outlet", type=_code, required=True, metavar="CODE")
    code.add_argument("--till", type=_code, required=True, metavar="CODE")
    revoke = command("revoke-till", _revoke_till, "stop a till's credential from working")
    revoke.add_argument("--outlet", type=_code, required=True, metavar="CODE")
    revoke.add_argument("--till", type=_code, required=True, metavar="CODE")
    replace = command(
        "replace-till",
        _replace_till,
        "print a one-time code that enrols a new machine in place of an enrolled till "
        "(the old machine stops syncing when it is used)",
    )
    replace.add_argument("--outlet", type=_code, required=True, metavar="CODE")
    replace.add_argument("--till", type=_code, required=True, metavar="CODE")
    user = command(
        "create-user",
        _create_user,
        "create a head-office user who signs in to the dashboard at http://HOST:PORT/ho/",
    )
    user.add_argument("--email", required=True)
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--outlet", type=_code, metavar="CODE", help="for an outlet_manager")
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    command("list-users", _list_users, "list head-office users, their roles and last sign-in")
    reset = command(
        "reset-password",
        _reset_password,
        "set a new password for a head-office user who forgot theirs (signs them out)",
    )
    reset.add_argument("--email", required=True)
    reset.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    for name, handler, text in (
        ("deactivate-user", _deactivate_user, "stop a head-office user signing in (at once)"),
        ("reactivate-user", _reactivate_user, "let a deactivated head-office user sign in again"),
        (
            "remove-second-factor",
            _remove_second_factor,
            "remove an admin's authenticator app (a lost phone): the password alone signs in",
        ),
    ):
        command(name, handler, text).add_argument("--email", required=True)
    command(
        "recost",
        _recost,
        "cost every stock movement, sale line and refund line again from the start of the "
        "ledger (moving average per outlet; docs/stock.md): for sales stored before costs were "
        "kept. Pushes wait while it runs: run it when the shops are closed",
    )
    expire = command(
        "expire-points",
        _expire_points,
        "lapse members' points past their expiry date (the server also does this daily)",
    )
    expire.add_argument(
        "--on", type=date.fromisoformat, metavar="YYYY-MM-DD", help="as of this day (default today)"
    )
    seed = command(
        "seed-demo",
        _seed_demo,
        "load the demo company, outlets, staff, catalogue, suppliers and purchase orders",
    )
    seed.add_argument("--products", type=_count, default=DEFAULT_PRODUCTS, metavar="N")
    seed.add_argument(
        "--with-promotions",
        action="store_true",
        help="also the demo promotions, one or more of every kind (docs/promotions.md)",
    )
    seed.add_argument(
        "--with-variants",
        action="store_true",
        help="also the demo product families and cartons (docs/variants.md)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "systemd-unit":  # needs no settings: it names the file they live in
        print(systemd_unit(args.config, args.user, args.workers), end="")
        return EXIT_OK
    overrides: dict[str, Any] = {}
    if args.command == "serve":
        overrides = {"host": args.host, "port": args.port}
    try:
        settings = CentralSettings.load(args.config, **overrides)
    except (ConfigError, ValidationError) as exc:
        print(f"sgpos-central: the settings cannot be used: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(log_file=settings.log_file, level=settings.log_level, console=True)
    url = settings.central_db_url.get_secret_value()
    try:
        code: int = args.run(settings, args)
        return code
    except CommandFailed as exc:
        print(f"sgpos-central: {exc}", file=sys.stderr)
        return exc.code
    except CentralMigrationError as exc:
        print(f"sgpos-central: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "no answer"
        print(
            f"sgpos-central: cannot reach the central database {mask_url(url)}: {reason}; "
            "check SGPOS_CENTRAL_DB_URL (or central_db_url in --config) and that PostgreSQL runs",
            file=sys.stderr,
        )
        return EXIT_DATABASE
    except ProgrammingError as exc:
        if getattr(exc.orig, "pgcode", None) not in _NOT_MIGRATED:
            raise
        print(
            f"sgpos-central: the database {mask_url(url)} has no SG-POS schema yet; "
            "run: sgpos-central migrate",
            file=sys.stderr,
        )
        return EXIT_DATABASE
    except KeyboardInterrupt:
        return 130


def systemd_unit(config: Path, user: str, workers: int) -> str:
    """The service file for this installation: its own ``sgpos-central`` and Python."""
    beside = Path(sys.executable).with_name("sgpos-central")
    program = [str(beside)] if beside.exists() else [sys.executable, "-m", WORKER_MODULE]
    template = Template((TEMPLATES / "sgpos-central.service").read_text(encoding="utf-8"))
    return template.substitute(
        central_program=" ".join(_unit_word(w) for w in program),
        config_arg=_unit_word(str(config.absolute())),
        user=user,
        workers=str(max(1, workers)),
    )


def _unit_word(word: str) -> str:
    """One word of an ``ExecStart=`` line, quoted the way systemd reads it when it must be."""
    if word and all(c.isalnum() or c in "/._-=:+@" for c in word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _engine(settings: CentralSettings) -> Engine:
    return central_engine(settings.central_db_url.get_secret_value(), pool_size=2)


def _migrate(settings: CentralSettings, _args: argparse.Namespace) -> int:
    revision = upgrade_central(settings.central_db_url.get_secret_value())
    print(f"the central database is at schema revision {revision}")
    return EXIT_OK


def _backup(settings: CentralSettings, args: argparse.Namespace) -> int:
    try:
        size = backup(settings.central_db_url.get_secret_value(), args.to)
    except BackupError as exc:
        raise CommandFailed(str(exc)) from None
    print(f"Backed up the central database to {args.to} ({size / 1_000_000:.1f} MB).")
    return EXIT_OK


def _restore(settings: CentralSettings, args: argparse.Namespace) -> int:
    url = settings.central_db_url.get_secret_value()
    try:
        restore(url, args.source)
    except BackupError as exc:
        raise CommandFailed(str(exc)) from None
    revision, head = current_central_revision(url), head_revision()
    print(f"Restored {args.source} into {mask_url(url)} (schema revision {revision}).")
    if revision != head:
        print(f"This release needs revision {head}: run sgpos-central migrate before serve.")
    return EXIT_OK


def _serve(settings: CentralSettings, args: argparse.Namespace) -> int:
    url = settings.central_db_url.get_secret_value()
    if args.workers < 1:
        raise CommandFailed("--workers must be 1 or more", EXIT_USAGE)
    # A worker does not look again: its parent did, and a worker restarted after an online
    # upgrade (docs/operations.md) must keep serving on the schema its release knows.
    if args.worker_of is None:
        current, head = current_central_revision(url), head_revision()
        if current != head:
            raise CommandFailed(
                f"the central database {mask_url(url)} is at schema revision "
                f"{current or '(none)'} but this release needs {head}; run: sgpos-central migrate",
                EXIT_DATABASE,
            )
    try:
        if args.workers > 1:
            return _supervise(settings, args)
        run(settings, worker_of=args.worker_of)
    except ServerConfigError as exc:
        raise CommandFailed(str(exc), EXIT_USAGE) from None
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise CommandFailed(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}; "
            "choose another --host/--port",
            EXIT_USAGE,
        ) from None
    return EXIT_OK


def _supervise(settings: CentralSettings, args: argparse.Namespace) -> int:
    # Workers bind with SO_REUSEPORT, which would quietly share the port with another set of
    # workers still running: bind it alone once first, so a taken port is said plainly.
    with socket.create_server((settings.host, settings.port)):
        pass
    worker = [sys.executable, "-m", WORKER_MODULE, "serve"]
    if args.config is not None:
        worker += ["--config", str(args.config.resolve())]
    worker += ["--host", settings.host, "--port", str(settings.port)]
    worker += ["--worker-of", str(os.getpid())]
    return supervise(
        worker, args.workers, fatal_codes=frozenset({EXIT_USAGE}), log_file=settings.log_file
    )


def _enrolment_code(settings: CentralSettings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    now = utc_now()
    try:
        code = create_enrolment_code(
            engine,
            outlet_code=args.outlet,
            till_code=args.till,
            created_by=_cli_actor(),
            now=now,
            valid_for=CODE_VALIDITY,
        )
    except EnrolmentError as exc:
        raise CommandFailed(str(exc)) from None
    finally:
        engine.dispose()
    expires = (now + CODE_VALIDITY).astimezone(SINGAPORE)
    hours = int(CODE_VALIDITY.total_seconds() // 3600)
    print(f"Enrolment code for till {args.till} at outlet {args.outlet}: {code}")
    print(f"It works once, until {expires:%Y-%m-%d %H:%M} Singapore time ({hours} hours).")
    return EXIT_OK


def _replace_till(settings: CentralSettings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    try:
        till_id = find_till(engine, outlet_code=args.outlet, till_code=args.till)
        fresh = replacement_code(engine, _cli_actor(), till_id, now=utc_now())
    except (EnrolmentError, AdminError) as exc:
        raise CommandFailed(str(exc)) from None
    finally:
        engine.dispose()
    print(f"Replacement code for till {args.till} at outlet {args.outlet}: {fresh.code}")
    print(
        f"It works once, until {fresh.expires_at.astimezone(SINGAPORE):%Y-%m-%d %H:%M} "
        "Singapore time. The machine that uses it becomes this till; the old one stops syncing."
    )
    return EXIT_OK


def _cli_actor() -> str:
    """Who made a change from the command line, for the audit trail."""
    return f"cli:{getpass.getuser()}"


def _revoke_till(settings: CentralSettings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    try:
        till_id = revoke_till(engine, outlet_code=args.outlet, till_code=args.till, now=utc_now())
    except EnrolmentError as exc:
        raise CommandFailed(str(exc)) from None
    finally:
        engine.dispose()
    print(
        f"Till {args.till} at outlet {args.outlet} ({till_id}) is revoked: it can no longer sync."
    )
    print("To use it again, give it a new enrolment code.")
    return EXIT_OK


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CommandFailed(
            "no password: pipe it in with --password-stdin, or run this in a terminal",
            EXIT_USAGE,
        )
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("The same password again: ") != first:
        raise CommandFailed("the two passwords differ; nothing was created")
    return first


def _create_user(settings: CentralSettings, args: argparse.Namespace) -> int:
    password = _password(args)
    engine = _engine(settings)
    try:
        user_id = create_user(
            engine, email=args.email, password=password, role=args.role, outlet_code=args.outlet
        )
    except UserError as exc:
        raise CommandFailed(str(exc)) from None
    finally:
        engine.dispose()
    print(f"Created {args.role} {args.email.strip().lower()} ({user_id}).")
    return EXIT_OK


def _list_users(settings: CentralSettings, _args: argparse.Namespace) -> int:
    engine = _engine(settings)
    try:
        with engine.connect() as conn:
            users = list_users(conn)
    finally:
        engine.dispose()
    for u in users:
        last = (
            f"{u.last_sign_in_at.astimezone(SINGAPORE):%Y-%m-%d %H:%M}"
            if u.last_sign_in_at
            else "never"
        )
        print(
            f"{u.email:40} {u.role:15} {u.outlet_code or '-':8} "
            f"{'active' if u.active else 'deactivated':12} "
            f"{'authenticator' if u.second_factor else 'password':14} last signed in {last}"
        )
    if not users:
        print("No head-office users yet: sgpos-central create-user --email ... --role admin")
    return EXIT_OK


def _account_change(
    settings: CentralSettings, args: argparse.Namespace, change: Callable[..., str], **how: Any
) -> str:
    """One change to the account ``--email``, made and audited as this command line's user."""
    engine = _engine(settings)
    try:
        return change(engine, _cli_actor(), user_by_email(engine, args.email), **how)
    except AdminError as exc:
        raise CommandFailed(str(exc)) from None
    finally:
        engine.dispose()


def _reset_password(settings: CentralSettings, args: argparse.Namespace) -> int:
    password = _password(args)
    email = _account_change(settings, args, reset_password, password=password)
    print(f"New password set for {email}; they were signed out everywhere.")
    return EXIT_OK


def _deactivate_user(settings: CentralSettings, args: argparse.Namespace) -> int:
    email = _account_change(settings, args, set_active, active=False, by=None)
    print(f"{email} can no longer sign in and was signed out everywhere.")
    return EXIT_OK


def _reactivate_user(settings: CentralSettings, args: argparse.Namespace) -> int:
    email = _account_change(settings, args, set_active, active=True, by=None)
    print(f"{email} can sign in again.")
    return EXIT_OK


def _remove_second_factor(settings: CentralSettings, args: argparse.Namespace) -> int:
    email = _account_change(settings, args, remove_second_factor)
    print(f"{email} signs in with the password alone until they set up a new authenticator.")
    return EXIT_OK


def _expire_points(settings: CentralSettings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    now = datetime.now(UTC)
    day = args.on or business_today(now)
    try:
        added = expire_points(engine, day, now)
    finally:
        engine.dispose()
    print(f"Points lapsed as of {day}: {added} member(s) had points expire.")
    return EXIT_OK


def _seed_demo(settings: CentralSettings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    try:
        report = seed_demo(
            engine,
            products=args.products,
            promotions=args.with_promotions,
            variants=args.with_variants,
        )
    finally:
        engine.dispose()
    outlets = ", ".join(f"{code} {outlet_id}" for code, outlet_id in report.outlet_ids.items())
    print(
        f"Demo data added: {report.outlets} outlets, {report.categories} categories, "
        f"{report.products} products, {report.barcodes} barcodes, {report.staff} staff, "
        f"{report.promotions} promotions, {report.variants} variants and packs, "
        f"{report.suppliers} suppliers, {report.purchase_orders} purchase orders, "
        f"{report.voucher_batches} gift voucher batches "
        f"(0 everywhere means it was already there). Outlets: {outlets}."
    )
    return EXIT_OK


def _recost(settings: CentralSettings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    try:
        with engine.begin() as conn:
            done = recost(conn)
    finally:
        engine.dispose()
    print(
        f"Costed again: {done.movements} stock movements, {done.sale_lines} sale lines, "
        f"{done.refund_lines} refund lines; {done.positions} outlet averages set."
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
