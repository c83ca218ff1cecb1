"""Installing a till from nothing against a real head office, and installing it again."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.installer.support import HeadOffice, install, sell, sgpos_install, sync, till_id_of

pytestmark = pytest.mark.postgres


def test_install_from_nothing_gives_a_till_that_sells_and_syncs(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str], xdg_home: Path
) -> None:
    data_dir = tmp_path / "till"
    ran, till_code = install(capsys, head_office, data_dir)
    assert ran.code == 0, ran.out
    assert f"enrolled as till ORC-{till_code}" in ran.out
    assert "DONE: the till" in ran.out
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "till-secret").stat().st_mode) == 0o600
    assert (data_dir / "till.toml").is_file() and (data_dir / "sync-agent.toml").is_file()
    assert (data_dir / "logs" / "installer.log").is_file()
    launcher = xdg_home / "share" / "applications" / "sgpos-till.desktop"
    unit = xdg_home / "config" / "systemd" / "user" / "sgpos-sync.service"
    assert str(data_dir) in launcher.read_text() and "Exec=" in launcher.read_text()
    assert f"--data-dir {data_dir} --config {data_dir}/sync-agent.toml run" in unit.read_text()

    rung = sell(data_dir, 3)
    assert [r for r, _ in rung] == [f"ORC-{till_code}-00000{n}" for n in (1, 2, 3)]
    assert sync(data_dir)
    till_id = till_id_of(data_dir)
    at_head_office = head_office.rows(
        "SELECT receipt_no, total FROM sgpos.sale WHERE till_id = :t ORDER BY receipt_no",
        t=till_id,
    )
    assert [(r.receipt_no, r.total) for r in at_head_office] == rung


def test_installing_twice_is_safe_and_needs_no_second_code(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "till"
    first, till_code = install(capsys, head_office, data_dir, "--no-service")
    assert first.code == 0, first.out
    secret = (data_dir / "till-secret").read_text()

    again = sgpos_install(capsys, "install", "--data-dir", str(data_dir), "--no-service")
    assert again.code == 0, again.out
    assert f"already enrolled as till ORC-{till_code}; no code used" in again.out
    assert (data_dir / "till-secret").read_text() == secret  # not enrolled a second time
