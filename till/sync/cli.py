"""``sgpos-sync``: the sync agent's command line.

- ``run``: push and pull on a schedule until SIGTERM or Ctrl-C (what the service runs);
- ``once``: push until the outbox is empty and pull to the head, then exit 0 when the till is
  in sync; 1, with the reason on stderr, if either could not finish; 3 when everything was
  sent but head office set events aside (quarantined), with what to do (what a technician runs
  to check a till);
- ``status``: the till's sync state as JSON (works while an agent runs);
- ``enroll --central URL --code CODE``: enrol the till with head office.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from shared.config import ConfigError
from shared.disk import disk_fix, disk_trouble
from shared.logs import configure_logging, get_logger, log_file_in_use
from till.store.db import Store, StoreError
from till.sync.agent import AgentError, SyncAgent, utc_now
from till.sync.bookkeeping import NotEnrolled
from till.sync.client import app_version
from till.sync.credentials import CredentialError
from till.sync.enrol import EnrolmentFailed, enrol_till
from till.sync.lock import AgentAlreadyRunning
from till.sync.paths import default_log_file, store_file
from till.sync.settings import AgentSettings
from till.sync.status import not_in_sync, read_status

log = get_logger("sgpos.sync")

# Everything sent, but head office set events aside: done, yet not in sync (see ``_once``).
EXIT_QUARANTINED = 3
# What a person can act on is printed as one line; anything else is a bug, logged in full.
_EXPECTED = (
    AgentError,
    AgentAlreadyRunning,
    NotEnrolled,
    CredentialError,
    EnrolmentFailed,
    StoreError,
    ConfigError,
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sgpos-sync", description="SG-POS till sync agent")
    p.add_argument("--data-dir", type=Path, required=True, help="the till's data folder")
    p.add_argument("--config", type=Path, default=None, help="a TOML file of agent settings")
    sub = p.add_subparsers(dest="command", required=True)
    for name, text in (
        ("run", "push and pull on a schedule until stopped"),
        ("once", "push everything, pull to the head, exit 0 only if the till is in sync"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--central", default=None, help="head office's address (overrides)")
    sub.add_parser("status", help="print the till's sync state as JSON")
    enroll = sub.add_parser("enroll", help="enrol this till with head office")
    enroll.add_argument("--central", required=True, help="head office's address, https://…")
    enroll.add_argument("--code", required=True, help="the one-time code from head office")
    enroll.add_argument("--hostname", default=None, help="this machine's name (default: its own)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data_dir: Path = args.data_dir
    if args.command != "enroll" and not data_dir.is_dir():
        # Checked before logging starts, which would create a logs folder at a mistyped path.
        print(f"sgpos-sync: there is no till data folder at {data_dir}", file=sys.stderr)
        return 1
    try:
        settings = AgentSettings.load(args.config, central_url=getattr(args, "central", None))
        configure_logging(
            log_file=settings.log_file or default_log_file(data_dir),
            level=settings.log_level,
            console=args.command == "run",
        )
        if args.command == "status":
            return _status(data_dir)
        if args.command == "enroll":
            return _enroll(data_dir, args)
        with SyncAgent(data_dir, settings) as agent:
            return _run(agent) if args.command == "run" else _once(agent, data_dir)
    except _EXPECTED as exc:
        print(f"sgpos-sync: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        print(f"sgpos-sync: the agent's settings are not valid: {problems}", file=sys.stderr)
        return 1
    except Exception as exc:
        trouble = disk_trouble(exc)
        if trouble is not None:
            print(
                f"sgpos-sync: cannot write in the till's data folder {data_dir}: {trouble}; "
                f"{disk_fix(trouble)}",
                file=sys.stderr,
            )
            return 1
        log.exception("sync.cli_failed", command=args.command)
        where = log_file_in_use()
        details = f"; details are in {where}" if where else ""
        print(f"sgpos-sync: unexpected error ({exc}){details}", file=sys.stderr)
        return 1


def _run(agent: SyncAgent) -> int:
    agent.run()
    return 0


def _once(agent: SyncAgent, data_dir: Path) -> int:
    async def once() -> bool:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, agent.stop)
        return await agent.sync_once()

    done = asyncio.run(once())
    status = agent.status()
    if done:
        problem = not_in_sync(status, data_dir)
        if problem is not None:
            print(f"sgpos-sync: {problem}", file=sys.stderr)
            return EXIT_QUARANTINED
        as_of = status.prices_as_of.isoformat() if status.prices_as_of else None
        print(f"in sync: nothing left to send; master data as of {as_of}")
        return 0
    print(
        f"sgpos-sync: not finished: {status.pending} events still to send; "
        f"{agent.last_problem or 'no reason recorded'}",
        file=sys.stderr,
    )
    return 1


def _status(data_dir: Path) -> int:
    path = store_file(data_dir)
    if not path.is_file():
        raise AgentError(f"there is no till store at {path}: check --data-dir")
    store = Store.open(path)
    try:
        print(json.dumps(read_status(store, data_dir, now=utc_now()), indent=2))
    finally:
        store.close()
    return 0


def _enroll(data_dir: Path, args: argparse.Namespace) -> int:
    ok = enrol_till(
        data_dir,
        args.central,
        args.code,
        hostname=args.hostname or socket.gethostname(),
        app_version=app_version(),
    )
    print(f"enrolled as till {ok.till_code} of outlet {ok.outlet_code} (till id {ok.till_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
