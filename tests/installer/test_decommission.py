"""Retiring a till: refused while events are unsent, forced with an export, and never
half-done without the network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from installer.central import CredentialRefused, till_state
from tests.e2e.central_process import running_central
from tests.installer.support import (
    HeadOffice,
    install,
    sell,
    sgpos_install,
    sync,
    till_id_of,
)
from till.sync.credentials import Credential

pytestmark = pytest.mark.postgres


def test_decommission_refuses_with_unsent_events_then_force_exports_and_revokes(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str], xdg_home: Path
) -> None:
    data_dir = tmp_path / "till"
    assert install(capsys, head_office, data_dir)[0].code == 0
    sell(data_dir, 2)
    secret = (data_dir / "till-secret").read_text().strip()
    till_id = till_id_of(data_dir)

    refused = sgpos_install(capsys, "decommission", "--data-dir", str(data_dir))
    assert refused.code == 2
    assert "5 events of till" in refused.out and "have not reached head office" in refused.out
    assert f"sgpos-sync --data-dir {data_dir} once" in refused.out
    assert (data_dir / "till-secret").exists()
    assert head_office.scalar("SELECT status FROM sgpos.till WHERE till_id = :t", t=till_id) == (
        "active"
    )

    export = tmp_path / "unsent.json"
    ran = sgpos_install(
        capsys, "decommission", "--data-dir", str(data_dir), "--force", "--export", str(export)
    )
    assert ran.code == 0, ran.out
    body = json.loads(export.read_text())
    assert body["till_id"] == till_id
    assert [e["kind"] for e in body["events"]].count("sale.completed") == 2
    assert len(body["events"]) == 5
    assert not (data_dir / "till-secret").exists()
    assert head_office.scalar("SELECT status FROM sgpos.till WHERE till_id = :t", t=till_id) == (
        "revoked"
    )
    with pytest.raises(CredentialRefused):  # the old secret no longer opens anything
        till_state(head_office.url, Credential(till_id, secret), timeout_s=15)
    assert not list(xdg_home.rglob("sgpos-*")), "service and launcher removed"


def test_decommission_without_the_network_wipes_nothing(
    tmp_path: Path, head_office: HeadOffice, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "till"
    with running_central(pg_url) as own:
        ran, _ = install(capsys, head_office, data_dir, "--no-service", central=own.url)
        assert ran.code == 0, ran.out
    ran = sgpos_install(capsys, "decommission", "--data-dir", str(data_dir))
    assert ran.code == 2
    assert "cannot reach head office" in ran.out and "nothing was wiped" in ran.out
    assert (data_dir / "till-secret").exists()


def test_a_retired_till_stays_retired_and_says_so(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "till"
    assert install(capsys, head_office, data_dir, "--no-service")[0].code == 0
    sell(data_dir, 1)
    assert sync(data_dir)
    assert sgpos_install(capsys, "decommission", "--data-dir", str(data_dir)).code == 0
    again = sgpos_install(capsys, "decommission", "--data-dir", str(data_dir))
    assert again.code == 2 and "decommissioned already" in again.out
