"""Backup and restore against a real head office: a restored till starts a new epoch and moves
its receipt counter past what head office holds, so head office counts every sale once."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.central_process import running_central
from tests.installer.support import (
    ROOT,
    HeadOffice,
    install,
    sell,
    sgpos_install,
    sync,
    till_id_of,
)
from till.sync.lock import AgentLock

pytestmark = pytest.mark.postgres


def store_facts(data_dir: Path) -> tuple[int, int]:
    with sqlite3.connect(data_dir / "till.sqlite") as db:
        epoch = db.execute("SELECT epoch FROM till_identity").fetchone()[0]
        counter = db.execute("SELECT value FROM counter WHERE name = 'receipt'").fetchone()[0]
    return int(epoch), int(counter)


def fingerprint(data_dir: Path) -> str:
    return hashlib.sha256((data_dir / "till.sqlite").read_bytes()).hexdigest()


def backup(capsys, data_dir: Path, to: Path) -> None:
    ran = sgpos_install(capsys, "backup", "--data-dir", str(data_dir), "--to", str(to))
    assert ran.code == 0, ran.out
    assert "verified" in ran.out


def restore(capsys, data_dir: Path, file: Path, *extra: str):
    return sgpos_install(capsys, "restore", str(file), "--data-dir", str(data_dir), *extra)


@pytest.fixture
def till(tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str]) -> Path:
    data_dir = tmp_path / "till"
    ran = install(capsys, head_office, data_dir, "--no-service")[0]
    assert ran.code == 0, ran.out
    return data_dir


def test_restore_starts_a_new_epoch_and_head_office_counts_every_sale_once(
    till: Path, tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    rung = sell(till, 3)  # not yet sent when the backup is taken: sent again after the restore
    saved = tmp_path / "usb" / "till.sqlite.gz"
    backup(capsys, till, saved)
    assert sync(till)
    rung += sell(till, 4)
    assert sync(till)  # head office has all 7 sales; the backup knows only 3
    assert store_facts(till) == (1, 7)

    ran = restore(capsys, till, saved)
    assert ran.code == 0, ran.out
    assert "head office holds up to epoch 1, receipt number 7" in ran.out
    assert "new epoch 2, receipts continue after number 7" in ran.out
    assert store_facts(till) == (2, 7)
    assert list((till / "backups").glob("replaced-*/till.sqlite")), "the old store is kept"

    after = sell(till, 2)
    assert [r for r, _ in after][-1].endswith("-000009")
    rung += after
    assert sync(till)

    till_id = till_id_of(till)
    sales = head_office.rows(
        "SELECT receipt_no, total FROM sgpos.sale WHERE till_id = :t", t=till_id
    )
    assert sorted((s.receipt_no, s.total) for s in sales) == sorted(rung)
    assert len({s.receipt_no for s in sales}) == 9  # no receipt number used twice
    assert head_office.scalar(
        "SELECT sum(total) FROM sgpos.sale WHERE till_id = :t", t=till_id
    ) == sum(total for _, total in rung)
    assert (
        head_office.scalar("SELECT count(*) FROM sgpos.quarantine WHERE till_id = :t", t=till_id)
        == 0
    )
    assert (
        head_office.scalar("SELECT max(epoch) FROM sgpos.inbox WHERE till_id = :t", t=till_id) == 2
    )
    restored = head_office.rows(
        "SELECT after FROM sgpos.audit_record WHERE till_id = :t AND action = 'till.restored'",
        t=till_id,
    )
    assert len(restored) == 1 and restored[0].after["receipt_counter"] == 7


def test_restore_refuses_while_the_till_is_in_use(
    till: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "b.sqlite.gz"
    backup(capsys, till, saved)
    before = fingerprint(till)

    lock = AgentLock.acquire(till)  # a sync agent is running
    try:
        ran = restore(capsys, till, saved)
    finally:
        lock.release()
    assert ran.code == 2
    assert "cannot restore while the sync agent runs" in ran.out
    assert "systemctl --user stop sgpos-sync" in ran.out

    app = subprocess.Popen(  # the till app: it holds the store open, no lock of its own
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from sqlalchemy import text;"
            "from till.app import open_till; t = open_till(Path(sys.argv[1]));"
            "s = t.store.read().__enter__(); s.execute(text('select 1'));"
            "print('open', flush=True); time.sleep(120)",
            str(till),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert app.stdout is not None and app.stdout.readline().strip() == "open"
        ran = restore(capsys, till, saved)
    finally:
        app.kill()
        app.wait(20)
    assert ran.code == 2
    assert f"another program has the till's store open (pid {app.pid}" in ran.out
    assert "close the till app" in ran.out
    assert fingerprint(till) == before
    assert not list(till.glob(".restore-*"))


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    till: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "b.sqlite.gz"
    backup(capsys, till, saved)
    before = fingerprint(till)
    cut = tmp_path / "cut.sqlite.gz"
    cut.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    noise = tmp_path / "noise.sqlite.gz"
    noise.write_bytes(b"\x00garbage" * 1000)
    flipped = tmp_path / "flipped.sqlite.gz"
    raw = bytearray(gzip.decompress(saved.read_bytes()))
    raw[4096 : 4096 * 3] = b"\xff" * 8192  # pages 2 and 3 overwritten: broken b-trees
    flipped.write_bytes(gzip.compress(bytes(raw)))

    for bad, why in (
        (cut, "it is damaged or incomplete"),
        (noise, "it is not an SG-POS backup"),
        (flipped, "it is damaged"),
    ):
        ran = restore(capsys, till, bad)
        assert ran.code == 2, ran.out
        assert f"{bad} cannot be restored: {why}" in ran.out and "nothing was changed" in ran.out
        assert fingerprint(till) == before
        assert not list(till.glob(".restore-*"))


def test_restore_refuses_a_foreign_backup(
    till: Path,
    tmp_path: Path,
    head_office: HeadOffice,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = tmp_path / "other"
    assert install(capsys, head_office, other, "--no-service")[0].code == 0
    theirs = tmp_path / "theirs.sqlite.gz"
    backup(capsys, other, theirs)
    before = fingerprint(till)

    ran = restore(capsys, till, theirs)
    assert ran.code == 2
    assert "the backup is of another till" in ran.out and "nothing was changed" in ran.out

    not_a_till = tmp_path / "photos.sqlite"
    with sqlite3.connect(not_a_till) as db:
        db.execute("CREATE TABLE photo (name TEXT)")
    ran = restore(capsys, till, not_a_till)
    assert ran.code == 2
    assert "it is not an SG-POS till store" in ran.out
    assert fingerprint(till) == before


def test_restore_with_head_office_unreachable_needs_offline_and_skips_ahead(
    tmp_path: Path, head_office: HeadOffice, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "till"
    with running_central(pg_url) as own:
        ran, _ = install(capsys, head_office, data_dir, "--no-service", central=own.url)
        assert ran.code == 0, ran.out
        sell(data_dir, 2)
        assert sync(data_dir)
        saved = tmp_path / "b.sqlite.gz"
        backup(capsys, data_dir, saved)
    before = fingerprint(data_dir)

    refused = restore(capsys, data_dir, saved)
    assert refused.code == 2
    assert "cannot be asked: cannot reach head office" in refused.out
    assert "or add --offline" in refused.out
    assert fingerprint(data_dir) == before

    ran = restore(capsys, data_dir, saved, "--offline")
    assert ran.code == 0, ran.out
    assert store_facts(data_dir) == (1 + 1 + 100, 2 + 10_000)


def test_restore_keeps_unsent_events_unless_forced_then_exports_them(
    till: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "b.sqlite.gz"
    assert sync(till)
    backup(capsys, till, saved)
    sell(till, 2)  # never sent

    refused = restore(capsys, till, saved)
    assert refused.code == 2
    assert re.search(r"holds \d+ events head office has not received", refused.out)
    ran = restore(capsys, till, saved, "--force")
    assert ran.code == 0, ran.out
    exported = next((till / "backups").glob("replaced-*/unsent-events.json"))
    events = json.loads(exported.read_text())["events"]
    assert sum(e["kind"] == "sale.completed" for e in events) == 2
