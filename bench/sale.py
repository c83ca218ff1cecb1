"""Completing a sale on a real store file (WAL, synchronous=FULL): latency and throughput,
with the outbox and audit rows as shipped versus the same sale without them.

"Without" means no event built, sealed or written: the sale event is built inside
``UnitOfWork.emit`` (checkout hands it a builder), and ``emit`` and ``audit`` are switched off,
so what the ratio prices is everything head office's copy of a sale costs the till. One cart
in five carries a discount past the outlet's limit, approved by a manager: a line discount
or a whole-cart discount, each an audit record (and its event) as well as the sale's.

The two variants alternate in blocks inside one process, so machine noise hits both alike;
the ratio is the figure to quote.

    python -m bench.sale [--sales 2000] [--block 50]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import percentiles, save_result
from shared.cart import Discount
from shared.tender import Tender, TenderType
from till.app import open_till
from till.demo import ensure_demo_till
from till.store.uow import UnitOfWork

BIG_DISCOUNT = Discount(percent=Decimal(20))


@contextmanager
def without_outbox_and_audit() -> Iterator[None]:
    emit, audit = UnitOfWork.emit, UnitOfWork.audit
    UnitOfWork.emit = lambda self, *a, **k: None  # type: ignore[assignment,method-assign]
    UnitOfWork.audit = lambda self, *a, **k: None  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        UnitOfWork.emit, UnitOfWork.audit = emit, audit  # type: ignore[method-assign]


def run(sales: int, block: int) -> dict[str, Any]:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="sgpos-bench-") as tmp:
        till = open_till(Path(tmp))
        cashier, manager = ensure_demo_till(till)
        till.shifts.open_shift(cashier, Decimal("200.00"))
        products = till.catalogue.search("a", limit=200) + till.catalogue.search("e", limit=200)
        checkout = till.checkout(cashier)
        samples: dict[str, list[float]] = {"with_outbox": [], "without_outbox": []}
        variant_names = list(samples)
        for i in range(2 * sales // block):
            name = variant_names[i % 2]
            for _ in range(block):
                for _ in range(3):
                    checkout.add(rng.choice(products))
                ask = rng.random()
                if ask < 0.1:  # past the 10% limit: the manager approves
                    line = checkout.cart.lines[0]
                    checkout.discount_line(line.line_id, BIG_DISCOUNT, approved_by=manager)
                elif ask < 0.2:
                    checkout.discount_cart(BIG_DISCOUNT, approved_by=manager)
                tender = [Tender(TenderType.CASH, Decimal("1000.00"))]
                if name == "with_outbox":
                    start = time.perf_counter()
                    checkout.complete(tender)
                    samples[name].append(time.perf_counter() - start)
                else:
                    with without_outbox_and_audit():
                        start = time.perf_counter()
                        checkout.complete(tender)
                        samples[name].append(time.perf_counter() - start)
        till.close()
    result: dict[str, Any] = {}
    for name, values in samples.items():
        result[name] = {**percentiles(values), "sales_per_second": len(values) / sum(values)}
    result["throughput_ratio_with_vs_without"] = (
        result["with_outbox"]["sales_per_second"] / result["without_outbox"]["sales_per_second"]
    )
    result["targets"] = {"p99_ms_max": 10, "throughput_ratio_min": 0.85}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=2000, help="sales per variant")
    parser.add_argument("--block", type=int, default=50, help="sales per alternating block")
    args = parser.parse_args()
    save_result("sale", {"sales_per_variant": args.sales, **run(args.sales, args.block)})


if __name__ == "__main__":
    main()
