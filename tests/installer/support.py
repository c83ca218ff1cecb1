"""Helpers of the installer tests: enrolment codes, running ``sgpos-install`` in-process or as
its own process, ringing sales on an installed till and reading what head office holds."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from installer.cli import main
from shared.demo_catalogue import DEMO_STAFF
from shared.tender import Tender, TenderType
from sync_service.central.tills import create_enrolment_code
from tests.e2e.central_process import CentralProcess
from till.app import open_till
from till.services.staff import SignedIn

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class HeadOffice:
    engine: Engine
    url: str
    process: CentralProcess

    def code(
        self, till_code: str, *, outlet: str = "ORC", valid_for: timedelta | None = None
    ) -> str:
        now = datetime.now(UTC)
        extra = {"valid_for": valid_for} if valid_for is not None else {}
        return create_enrolment_code(
            self.engine,
            outlet_code=outlet,
            till_code=till_code,
            created_by="installer-tests",
            now=now,
            **extra,
        )

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params))


def new_till_code() -> str:
    return "I" + uuid.uuid4().hex[:5].upper()


@dataclass
class Ran:
    code: int
    out: str


def sgpos_install(capsys: pytest.CaptureFixture[str], *argv: str) -> Ran:
    """``sgpos-install ARGV`` in this process; its exit code and everything it printed."""
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return Ran(code, captured.out + captured.err)


def sgpos_install_process(*argv: str, env: dict[str, str] | None = None) -> Ran:
    done = subprocess.run(
        [sys.executable, "-m", "installer.cli", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | (env or {}),
        stdin=subprocess.DEVNULL,
    )
    return Ran(done.returncode, done.stdout + done.stderr)


def install(
    capsys: pytest.CaptureFixture[str],
    head_office: HeadOffice,
    data_dir: Path,
    *extra: str,
    central: str | None = None,
) -> tuple[Ran, str]:
    """``sgpos-install install`` with a fresh code from ``head_office``, talking to its server
    or to ``central`` (another server on the same database, which a test can stop)."""
    till_code = new_till_code()
    ran = sgpos_install(
        capsys,
        "install",
        "--data-dir",
        str(data_dir),
        "--central",
        central or head_office.url,
        "--code",
        head_office.code(till_code),
        *extra,
    )
    return ran, till_code


def _sign_in(till: Any, role: str) -> SignedIn:
    member = next(m for m in DEMO_STAFF if m.role == role)
    signed_in: SignedIn = till.staff.sign_in(member.code, member.pin)
    return signed_in


def sell(data_dir: Path, sales: int, *, clock: Any = None) -> list[tuple[str, Decimal]]:
    """Ring ``sales`` sales of the first product at the till, paid exactly in cash: the
    receipt numbers and totals, as the cashier saw them."""
    till = open_till(data_dir, clock=clock) if clock is not None else open_till(data_dir)
    try:
        cashier = _sign_in(till, "cashier")
        if till.shifts.current() is None:
            till.shifts.open_shift(cashier, Decimal("100.00"))
        product = next(p for p in _products(till) if not p.weighed)
        rung = []
        for _ in range(sales):
            checkout = till.checkout(cashier)
            checkout.add(product, Decimal(2))
            done = checkout.complete([Tender(TenderType.CASH, checkout.cash_due())])
            rung.append((done.receipt_no, done.totals.total))
        return rung
    finally:
        till.close()


def _products(till: Any) -> list[Any]:
    from sqlalchemy import select

    from till.store.models import Product

    with till.store.read() as s:
        ids = s.scalars(select(Product.product_id).where(Product.active).limit(20)).all()
    return [p for p in (till.catalogue.by_id(i) for i in ids) if p is not None]


def till_id_of(data_dir: Path) -> str:
    import sqlite3

    with sqlite3.connect(data_dir / "till.sqlite") as db:
        return str(db.execute("SELECT till_id FROM till_identity").fetchone()[0])


def sync(data_dir: Path) -> bool:
    """One ``SyncAgent.sync_once`` (push everything, pull to the head)."""
    import asyncio

    from till.settings import agent_settings
    from till.sync.agent import SyncAgent

    with SyncAgent(data_dir, agent_settings(data_dir)) as agent:
        return asyncio.run(agent.sync_once())
