"""The floor under every sale: one tiny SQLite commit in WAL mode with synchronous=FULL.

Whatever a sale does on top, its commit cannot be faster than this disk's fsync; a p99 here
near the sale's p99 means the tail is the disk, not the code.

    python -m bench.fsync_floor [--commits 2000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

from bench.common import percentiles, save_result


def run(commits: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="sgpos-bench-") as tmp:
        path = Path(tmp) / "floor.sqlite"
        with closing(sqlite3.connect(path, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            samples = []
            for i in range(commits):
                start = time.perf_counter()
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}",))
                db.execute("COMMIT")
                samples.append(time.perf_counter() - start)
    return {"commit": percentiles(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000)
    args = parser.parse_args()
    save_result("fsync_floor", {"commits": args.commits, **run(args.commits)})


if __name__ == "__main__":
    main()
