"""``sgpos-sync once`` as its own process on a machine whose clock is off by SKEW seconds.

The sync agent takes its clock as a parameter; the command line always uses the real one.
This child process is that command line with the clock of a till whose machine is wrong:
``python -m tests.faults.support_skewed_agent DATA_DIR SKEW_SECONDS`` exits 0 when the outbox
is empty and the pull reached the head, 1 otherwise (the reason on stderr).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.logs import configure_logging
from till.sync.agent import SyncAgent
from till.sync.paths import default_log_file
from till.sync.settings import AgentSettings


def main() -> int:
    data_dir, skew = Path(sys.argv[1]), timedelta(seconds=float(sys.argv[2]))

    def clock() -> datetime:
        return datetime.now(UTC) + skew

    configure_logging(log_file=default_log_file(data_dir), console=False)
    with SyncAgent(data_dir, AgentSettings.load(), clock=clock) as agent:
        done = asyncio.run(agent.sync_once())
        if not done:
            print(f"not finished: {agent.last_problem}", file=sys.stderr)
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
