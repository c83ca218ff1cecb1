"""Write tests/migrations/data/store-0001.sqlite: a store as a till at revision 0001 left it,
with a product, a cashier, her shift and two sales.

    .venv/bin/python -m tests.migrations.make_fixture_store

Make one such file per released schema and commit it; never regenerate an old one — it stands
for the files already out in the shops, which every later release must still upgrade.
"""

from __future__ import annotations

import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from tests.migrations.stores import INITIAL, store_at_0001_with_sales

DATA = Path(__file__).with_name("data")


def make_fixture_store(target: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        store = store_at_0001_with_sales(Path(tmp) / "store.sqlite", sales=2)
        # isolation_level=None: VACUUM and the journal-mode switch refuse to run in a transaction.
        with closing(sqlite3.connect(store, isolation_level=None)) as db:
            # DELETE mode: everything in the one file (a WAL store keeps recent pages in -wal).
            db.execute("PRAGMA journal_mode = DELETE")
            # Small pages keep ~70 mostly empty tables and indexes well under 200 KB.
            db.execute("PRAGMA page_size = 1024")
            db.execute("VACUUM")
            (verdict,) = db.execute("PRAGMA integrity_check").fetchone()
            assert verdict == "ok", verdict
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(store.read_bytes())
    return target


if __name__ == "__main__":
    written = make_fixture_store(DATA / f"store-{INITIAL[:4]}.sqlite")
    print(f"wrote {written} ({written.stat().st_size // 1024} KB)")
