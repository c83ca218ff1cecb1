"""``sgpos-till``: the till's command line.

Without a subcommand it starts the till app: ``--data-dir DIR`` for a real till, ``--demo``
for the demo till in the user's data folder. ``simulate`` rings random sales through the real
services; ``demo-day`` rings a whole demo trading day into the user's data folder and prints
its Z report and a receipt exactly as they would be printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from platformdirs import user_data_path

from shared.logs import configure_logging
from shared.receipt import render_text
from shared.tender import Tender, TenderType
from till.app import Till, open_till
from till.demo import DEMO_PINS, ensure_demo_till
from till.printing.pdf import tax_invoice_pdf
from till.services.context import CashierError
from till.services.shifts import DENOMINATIONS
from till.services.staff import SignedIn
from till.simulate import simulate
from till.store.db import StoreError


def default_demo_dir() -> Path:
    return user_data_path("sg-pos", appauthor=False) / "demo"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sgpos-till", description="SG-POS till")
    # Its own dest: a subcommand's --data-dir would otherwise overwrite it with its default.
    p.add_argument(
        "--data-dir",
        dest="app_data_dir",
        type=Path,
        metavar="DIR",
        help="start the till app on this folder",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="start the till app in demo mode (demo PINs on screen, a demo catalogue in an "
        f"empty store) on --data-dir, by default {default_demo_dir()}",
    )
    sub = p.add_subparsers(dest="command", required=False)
    sim = sub.add_parser("simulate", help="ring random sales through the till's services")
    sim.add_argument("--data-dir", type=Path, required=True, help="the till's data folder")
    sim.add_argument("--sales", type=_positive, required=True, help="how many sales to ring")
    sim.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    sim.add_argument(
        "--members",
        type=int,
        default=0,
        help="enrol this many members first (the first a business customer) and sell every "
        "third sale to one: points, CDC vouchers and a full tax invoice saved as A4 PDF",
    )
    sim.add_argument(
        "--gift-vouchers",
        type=int,
        default=0,
        help="sell this many gift vouchers first (the till's batch from head office; a demo "
        "till has GV50) and spend each on a later sale",
    )
    sim.add_argument(
        "--products",
        type=_positive,
        default=2000,
        help="catalogue size when the store is new (default 2000)",
    )
    sim.add_argument(
        "--sales-only",
        action="store_true",
        help="ring sales and refunds only: no deliveries, stocktake, breakage or transfer",
    )
    day = sub.add_parser(
        "demo-day", help="ring a demo trading day; print its Z report and a receipt"
    )
    day.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"the demo till's folder (default {default_demo_dir()})",
    )
    day.add_argument("--sales", type=_positive, default=150)
    day.add_argument("--width", type=int, choices=(42, 48), default=42, help="paper columns")
    return p


def _positive(text: str) -> int:
    value = int(text)
    if value < 1 or value > 1_000_000:
        raise argparse.ArgumentTypeError(f"{text} is not between 1 and 1,000,000")
    return value


def _open(data_dir: Path) -> Till:
    configure_logging(log_file=data_dir / "logs" / "till.log", console=False)
    return open_till(data_dir)


def _cmd_simulate(args: argparse.Namespace) -> int:
    till = _open(args.data_dir)
    try:
        cashier, manager = ensure_demo_till(till, products=args.products)
        summary = simulate(
            till,
            args.sales,
            seed=args.seed,
            cashier=cashier,
            manager=manager,
            members=max(0, args.members),
            stock=not args.sales_only,
            gift_vouchers=max(0, args.gift_vouchers),
        )
        invoice = _save_tax_invoice(till, summary.business_receipt)
    finally:
        till.close()
    print(f"store: {args.data_dir / 'till.sqlite'}")
    print(summary.render())
    if invoice is not None:
        print(f"tax invoice PDF: {invoice}")
    return 0


def _save_tax_invoice(till: Till, receipt_no: str | None) -> Path | None:
    """The business customer's full tax invoice as the receipts screen saves it (A4 PDF)."""
    if receipt_no is None or not till.profile.supplier.gst_registered:
        return None
    folder = till.data_dir / "invoices"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{receipt_no}.pdf"
    path.write_bytes(tax_invoice_pdf(till.receipts().tax_invoice(receipt_no)))
    return path


def _count_drawer(amount: Decimal) -> dict[str, int]:
    counted: dict[str, int] = {}
    for d in DENOMINATIONS:
        pieces, amount = divmod(amount, Decimal(d))
        counted[d] = int(pieces)
    return counted


def _cmd_demo_day(args: argparse.Namespace) -> int:
    data_dir = args.data_dir or default_demo_dir()
    till = _open(data_dir)
    try:
        cashier, manager = ensure_demo_till(till)
        summary = simulate(till, args.sales, seed=42, cashier=cashier, manager=manager)
        receipt = _paynow_sale(till, cashier)
        z = till.shifts.close_shift(cashier, _count_drawer(till.shifts.x_report().expected_cash))
    finally:
        till.close()
    print(f"Demo till: {data_dir}  (PINs: {DEMO_PINS})\n")
    print(summary.render(), "\n")
    print(z.render_text(width=args.width))
    print(receipt)
    return 0


def _paynow_sale(till: Till, cashier: SignedIn) -> str:
    """One last sale paid by PayNow, printed with the QR payload it showed."""
    checkout = till.checkout(cashier)
    for product in till.catalogue.search("milo", limit=2) + till.catalogue.search("bread", limit=1):
        checkout.add(product)
    due = checkout.totals().total
    payload = checkout.paynow_payload(due)
    ref = str(checkout.next_receipt_number())
    done = checkout.complete(
        [Tender(TenderType.PAYNOW, due, reference=ref, confirmed_by=cashier.staff_id)]
    )
    printed = render_text(replace(done.receipt, paynow_payload=payload))
    return f"{printed}\nPayNow QR payload:\n{payload}\n"


def _cmd_app(args: argparse.Namespace) -> int:
    # Qt is imported only when the app starts: the headless commands run without a display.
    from till.ui.app import run_app

    if args.demo:
        return run_app(args.app_data_dir or default_demo_dir(), demo=True)
    return run_app(args.app_data_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None and not (args.demo or args.app_data_dir):
        parser.error("say which till to start: --data-dir DIR, or --demo for the demo till")
    if args.command is not None and (args.demo or args.app_data_dir):
        parser.error(f"--data-dir/--demo start the app; give {args.command} its own --data-dir")
    try:
        if args.command is None:
            return _cmd_app(args)
        if args.command == "simulate":
            return _cmd_simulate(args)
        return _cmd_demo_day(args)
    except (StoreError, CashierError) as exc:
        print(f"sgpos-till: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
