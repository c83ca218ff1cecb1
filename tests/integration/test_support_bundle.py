"""The technician's support bundle: logs, a sound copy of the store, the sync status, and
never the till's secret."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from shared.tender import Tender, TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.tills import DemoTill, demo_till
from till.services.support import SupportBundleError, export_support_bundle
from till.sync.credentials import write_secret

D = Decimal
SECRET = "bundle-must-never-carry-this-0123456789"


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DemoTill]:
    t = demo_till(tmp_path / "till")
    t.till.shifts.open_shift(t.cashier, D("100.00"))
    checkout = t.till.checkout(t.cashier)
    checkout.scan(standard_barcodes(t.till.store, 1)[0])
    checkout.complete([Tender(TenderType.CASH, D("100.00"))])
    write_secret(t.till.data_dir, SECRET)
    logs = t.till.data_dir / "logs"
    logs.mkdir()
    (logs / "till.log").write_text('{"event": "sale.completed"}\n')
    (logs / "till.log.1").write_text('{"event": "till.started"}\n')
    yield t
    t.till.close()


def test_bundle_holds_logs_a_sound_store_copy_and_status_but_no_secret(
    shop: DemoTill, tmp_path: Path
) -> None:
    out = tmp_path / "usb"
    out.mkdir()
    bundle = export_support_bundle(shop.till.data_dir, out, now=shop.clock())
    assert bundle.parent == out and bundle.suffix == ".zip"
    assert [p.name for p in out.iterdir()] == [bundle.name]  # no half-written leftovers
    assert bundle.stat().st_mode & 0o777 == 0o600  # a copy of the store: private
    with zipfile.ZipFile(bundle) as z:
        assert sorted(z.namelist()) == [
            "logs/till.log",
            "logs/till.log.1",
            "status.json",
            "till.sqlite",
        ]
        assert z.read("logs/till.log") == b'{"event": "sale.completed"}\n'
        status = json.loads(z.read("status.json"))
        everything = b"".join(z.read(name) for name in z.namelist())
        (tmp_path / "copy.sqlite").write_bytes(z.read("till.sqlite"))
    assert SECRET.encode() not in everything
    assert status["pending"] > 0 and status["till_code"] == "T01"
    assert status["versions"]["app"] and status["versions"]["store_revision"]
    with closing(sqlite3.connect(tmp_path / "copy.sqlite")) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("SELECT count(*) FROM sale").fetchone() == (1,)
        pending = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert pending == status["pending"]


def test_two_bundles_in_the_same_second_are_both_kept(shop: DemoTill, tmp_path: Path) -> None:
    moment = shop.clock()
    first = export_support_bundle(shop.till.data_dir, tmp_path, now=moment)
    second = export_support_bundle(shop.till.data_dir, tmp_path, now=moment)
    assert first != second and first.exists() and second.exists()


def test_a_secret_dropped_into_the_logs_folder_stays_out(shop: DemoTill, tmp_path: Path) -> None:
    logs = shop.till.data_dir / "logs"
    (logs / "till-secret").write_text(SECRET)
    bundle = export_support_bundle(shop.till.data_dir, tmp_path / "named.zip")
    assert bundle == tmp_path / "named.zip"
    with zipfile.ZipFile(bundle) as z:
        assert "logs/till-secret" not in z.namelist()
        assert all(SECRET.encode() not in z.read(n) for n in z.namelist())


def test_bad_places_are_refused_in_plain_words(shop: DemoTill, tmp_path: Path) -> None:
    with pytest.raises(SupportBundleError, match="does not exist; choose an existing folder"):
        export_support_bundle(shop.till.data_dir, tmp_path / "missing" / "b.zip")
    with pytest.raises(SupportBundleError, match="no till store"):
        export_support_bundle(tmp_path / "empty", tmp_path)
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob(".*.part"))
