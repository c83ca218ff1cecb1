"""Barcode lookup and name search on a till holding 100,000 products (DESIGN.md §8).

Targets on a 2-core dev box: barcode p99 ≤ 2 ms, name search p99 ≤ 20 ms, initial load of the
catalogue ≤ 10 s. The store is built the way a new till gets it: migrated to head, then the
demo catalogue applied as one pull through ``apply_changes``.

    python -m bench.lookup [--products 100000] [--queries 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bench.common import percentiles, save_result
from shared.demo_catalogue import catalogue_changes, demo_catalogue, demo_outlet
from till.store.catalogue import Catalogue
from till.store.db import Store
from till.store.master import apply_changes
from till.store.migrate import upgrade_store

TARGETS = {"barcode_p99_ms": 2.0, "search_p99_ms": 20.0, "load_s": 10.0}
_WORD = re.compile(r"[^\W_]{2,}")


def search_queries(names: list[str], count: int, rng: random.Random) -> list[str]:
    """What a cashier types: one or two words of a product name, the last one cut to 2-8
    characters (type-ahead)."""
    queries: list[str] = []
    while len(queries) < count:
        words = _WORD.findall(rng.choice(names))
        if not words:
            continue
        start = rng.randrange(len(words))
        picked = words[start : start + rng.choice((1, 2))]
        picked[-1] = picked[-1][: rng.randint(2, 8)]
        queries.append(" ".join(picked))
    return queries


def run(products: int, queries: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="sgpos-bench-") as tmp:
        path = Path(tmp) / "till.db"
        upgrade_store(path, backup_dir=Path(tmp) / "backups")

        started = time.perf_counter()
        cat = demo_catalogue(products, seed=seed)
        generated = time.perf_counter()
        changes = catalogue_changes(cat, demo_outlet(seed))
        prepared = time.perf_counter()
        store = Store.open(path)
        try:
            with Session(store.writer) as session, session.begin():
                apply_changes(session, changes)
            loaded = time.perf_counter()

            catalogue = Catalogue(store)
            codes = [b.code for b in cat.barcodes]
            typed = search_queries([p.name for p in cat.products], queries, rng)
            for code in codes[:50]:  # warm the pool and the page cache, as a running till is
                catalogue.by_barcode(code)

            scan_times = []
            for code in rng.choices(codes, k=queries):
                t = time.perf_counter()
                found = catalogue.by_barcode(code)
                scan_times.append(time.perf_counter() - t)
                assert found is not None, code

            search_times: list[float] = []
            empty = 0
            for text in typed:
                t = time.perf_counter()
                hits = catalogue.search(text)
                search_times.append(time.perf_counter() - t)
                empty += not hits
        finally:
            store.close()

    barcode, search = percentiles(scan_times), percentiles(search_times)
    load_s = round(loaded - prepared, 2)
    return {
        "products": len(cat.products),
        "barcodes": len(cat.barcodes),
        "load": {
            "generate_catalogue_s": round(generated - started, 2),
            "build_changes_s": round(prepared - generated, 2),
            "apply_changes_and_commit_s": load_s,
        },
        "barcode_lookup": barcode,
        "name_search": search,
        "searches_without_results": empty,
        "example_queries": typed[:8],
        "targets": TARGETS,
        "met": {
            "barcode_p99": barcode["p99_ms"] <= TARGETS["barcode_p99_ms"],
            "search_p99": search["p99_ms"] <= TARGETS["search_p99_ms"],
            "load": load_s <= TARGETS["load_s"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lookup", description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    save_result("lookup", run(args.products, args.queries, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
