"""``sgpos-install``: the field technician's command line.

One command per job — install, doctor, backup, restore, upgrade, decommission — each printing
its steps by name, progress for the long ones and a final verdict, and logging to
``DATA_DIR/logs/installer.log``. Exit codes (docs/installing.md): 0 done and green, 1 done with
warnings (amber), 2 failed or red (the message says what to do), 130 interrupted.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import platformdirs
from pydantic import ValidationError
from rich.prompt import Prompt

from installer.backup import run_backup
from installer.central import check_url
from installer.config_files import parse_printer
from installer.decommission import run_decommission
from installer.doctor import run_doctor, show, summary
from installer.install import InstallRequest, enrolled_as, run_install
from installer.report import Report
from installer.restore import run_restore
from installer.settings import InstallerSettings
from installer.steps import Colour, Exit, Refused, StepFailed
from installer.upgrade import run_upgrade
from shared.logs import configure_logging, get_logger

log = get_logger("sgpos.installer")
LOG_FILE = "installer.log"
_CODE = re.compile(r"^[A-Z0-9-]{8,32}$")  # shared.protocol.EnrolRequest.code

Command = Callable[[argparse.Namespace, InstallerSettings, Report], Exit]


def default_data_dir() -> Path:
    return platformdirs.user_data_path("sg-pos") / "till"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sgpos-install",
        description="Install, diagnose, back up, restore, upgrade and retire an SG-POS till.",
        epilog="Exit codes: 0 done (all green), 1 done with warnings, 2 failed (see the "
        "message), 130 interrupted. The log is DATA_DIR/logs/installer.log.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        help=f"the till's data folder (default: {default_data_dir()})",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=text, description=text)

    install = command("install", "set up this machine as a till: enrol it and load its data")
    install.add_argument("--central", help="head office's address, e.g. https://ho.example:8700")
    install.add_argument("--code", help="the one-time enrolment code from head office")
    install.add_argument("--outlet-printer", metavar="HOST:PORT", help="network receipt printer")
    install.add_argument("--no-service", action="store_true", help="do not install the service")

    doctor = command("doctor", "check the till's health; exit 0 green, 1 amber, 2 red")
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")

    backup = command("backup", "write a compressed, verified backup of the till's store")
    backup.add_argument("--to", type=Path, help="file or folder (default: DATA_DIR/backups)")

    restore = command("restore", "replace the till's store with a backup (till app stopped)")
    restore.add_argument("file", type=Path, help="the backup file (.sqlite.gz or .sqlite)")
    restore.add_argument(
        "--offline",
        action="store_true",
        help="head office cannot be reached: skip receipt numbers and epochs by a safe margin",
    )
    restore.add_argument(
        "--force", action="store_true", help="export the replaced store's unsent events, go on"
    )

    command("upgrade", "back up, then bring the store to this release's schema")

    retire = command("decommission", "retire this till: revoke it at head office, wipe its secret")
    retire.add_argument(
        "--force", action="store_true", help="export unsent events to a file and retire anyway"
    )
    retire.add_argument("--export", type=Path, help="where --force writes the unsent events")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.data_dir = args.data_dir.expanduser().absolute()
    report = Report.create(quiet=getattr(args, "json", False))
    try:
        settings = InstallerSettings.load()
    except ValidationError as exc:
        report.verdict(Colour.RED, f"the SGPOS_ settings in the environment are not valid: {exc}")
        return Exit.FAILED
    log_file = _start_log(args.data_dir, create=args.command == "install", level=settings.log_level)
    log.info("installer.started", command=args.command, data_dir=str(args.data_dir))
    try:
        return int(COMMANDS[args.command](args, settings, report))
    except StepFailed as exc:
        report.verdict(Colour.RED, exc.problem, exc.fix)
        log.warning("installer.failed", command=args.command, problem=exc.problem)
        return Exit.FAILED
    except KeyboardInterrupt:
        report.verdict(Colour.RED, "interrupted", "run the same command again; it is safe to")
        return Exit.INTERRUPTED
    except Exception as exc:
        log.exception("installer.crashed", command=args.command)
        where = f"; details are in {log_file}" if log_file else ""
        report.verdict(Colour.RED, f"unexpected error: {exc}{where}", "call support with the log")
        return Exit.FAILED


def _start_log(data_dir: Path, *, create: bool, level: str) -> Path | None:
    """DATA_DIR/logs/installer.log; the user's log folder when the data folder cannot hold it
    (not there yet, or not writable); console-free either way, the report is the console."""
    candidates = []
    if data_dir.is_dir() or create:
        candidates.append(data_dir / "logs" / LOG_FILE)
    candidates.append(platformdirs.user_log_path("sg-pos") / LOG_FILE)
    for path in candidates:
        try:
            if path.parent.parent == data_dir and not data_dir.is_dir():
                data_dir.mkdir(parents=True, mode=0o700)
            configure_logging(log_file=path, level=level, console=False)
            with path.open("a"):
                pass
            return path
        except OSError:
            continue
    configure_logging(log_file=None, level=level, console=False)
    return None


# --- the commands -----------------------------------------------------------------------


def _install(args: argparse.Namespace, settings: InstallerSettings, report: Report) -> Exit:
    already = enrolled_as(args.data_dir)
    central = args.central or (already.central_url if already else None)
    central = central or _ask("--central", "Head office's address (https://host:port)")
    try:
        central = check_url(central)
    except ValueError as exc:
        raise Refused(str(exc), "give --central as https://host[:port]") from None
    code = args.code
    if code is None and already is None:
        code = _ask("--code", "One-time enrolment code from head office")
    if code is not None:
        code = code.strip().upper().replace(" ", "")
        if not _CODE.match(code):
            raise Refused(
                f"{code!r} is not an enrolment code (they look like K7QX-MP3D-9WTR)",
                "check the code with head office",
            )
    printer = None
    if args.outlet_printer:
        try:
            printer = parse_printer(args.outlet_printer)
        except ValueError as exc:
            raise Refused(str(exc)) from None
    request = InstallRequest(args.data_dir, central, code, printer, service=not args.no_service)
    verdict = run_install(request, settings, report)
    texts = {
        Colour.GREEN: f"the till in {args.data_dir} is installed and ready to sell",
        Colour.AMBER: "the till is installed and can sell; doctor has warnings (above)",
        Colour.RED: "the till is installed but doctor found a problem (above)",
    }
    report.verdict(verdict, texts[verdict], None if verdict is Colour.GREEN else "see the fixes")
    return verdict.exit


def _doctor(args: argparse.Namespace, settings: InstallerSettings, report: Report) -> Exit:
    found = run_doctor(args.data_dir, settings)
    verdict = show(report, found, as_json=args.json)
    if not args.json:
        report.verdict(verdict, summary(found))
    return verdict.exit


def _backup(args: argparse.Namespace, _settings: InstallerSettings, report: Report) -> Exit:
    done = run_backup(args.data_dir, args.to, report)
    report.verdict(
        Colour.GREEN,
        f"backup of till {done.facts.till_name} ({done.facts.sales:,} sales) written to "
        f"{done.path} ({done.size / 1024:,.0f} KiB), verified",
    )
    return Exit.OK


def _restore(args: argparse.Namespace, settings: InstallerSettings, report: Report) -> Exit:
    text = run_restore(
        args.data_dir, args.file, settings, report, offline=args.offline, force=args.force
    )
    report.verdict(Colour.GREEN, text)
    return Exit.OK


def _upgrade(args: argparse.Namespace, _settings: InstallerSettings, report: Report) -> Exit:
    report.verdict(Colour.GREEN, run_upgrade(args.data_dir, report))
    return Exit.OK


def _decommission(args: argparse.Namespace, settings: InstallerSettings, report: Report) -> Exit:
    text = run_decommission(args.data_dir, settings, report, force=args.force, export=args.export)
    report.verdict(Colour.GREEN, text)
    return Exit.OK


COMMANDS: dict[str, Command] = {
    "install": _install,
    "doctor": _doctor,
    "backup": _backup,
    "restore": _restore,
    "upgrade": _upgrade,
    "decommission": _decommission,
}


def _ask(flag: str, question: str) -> str:
    """Ask on a terminal; without one, say which flag is missing."""
    if not sys.stdin.isatty():
        raise Refused(f"{flag} is missing", f"give {flag} on the command line")
    try:
        answer = Prompt.ask(question).strip()
    except EOFError:  # Ctrl-D at the question: no answer, not a crash to report to support
        answer = ""
    if not answer:
        raise Refused(f"{flag} is missing", f"give {flag} on the command line")
    return answer


if __name__ == "__main__":
    sys.exit(main())
