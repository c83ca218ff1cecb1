"""One soak round in the ordinary test run: a few minutes of random faults against real tills,
agents and servers (``tests.soak``), then everything healed and checked.

The seed is printed; ``SGPOS_SOAK_SEED=<seed> pytest tests/soak`` replays the same fleet and
the same plan of faults. ``make soak-sync ROUNDS=N`` runs longer soaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

from tests.soak.run import DRAIN_GOAL_S, seed_from_environment, soak

pytestmark = pytest.mark.postgres

PHASE_S = 100.0
FAULTS = 8


@pytest.fixture
def soak_db(pg_server: str) -> Iterator[str]:
    """A database of the soak's own: its faults end every head-office connection in it."""
    name = f"sgpos_soak_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(pg_server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(pg_server)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_round_of_random_faults_loses_nothing_doubles_nothing_and_drains_within_a_minute(
    soak_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = seed_from_environment()
    with capsys.disabled():
        print(f"\nsoak seed {seed}: SGPOS_SOAK_SEED={seed} replays this round")
    summary = soak(
        soak_db,
        tmp_path / "work",
        rounds=1,
        seed=seed,
        phase_s=PHASE_S,
        faults=FAULTS,
        results_dir=tmp_path / "results",
    )
    assert summary["sales"] > 0, "no sale reached head office: the round proves nothing"
    assert summary["faults"] >= FAULTS // 2, summary["per_round"]
    assert summary["problems"] == [], f"seed {seed}: {summary['problems']}"
    assert summary["lost"] == 0 and summary["doubled"] == 0
    drained = summary["heal_to_drained_s"]["max"]
    assert drained is not None and drained <= DRAIN_GOAL_S, f"seed {seed}: {drained}"
