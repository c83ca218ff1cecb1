"""The head-office dashboard: HTML pages under ``/ho/`` on the central server.

:func:`add_dashboard` mounts it on the sync API's application as a sub-application with its
own middleware (HTML pages and security headers instead of typed JSON), its own thread pool
(so report pages never queue behind till pushes) and its own templates.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from types import ModuleType

import jinja2
from aiohttp.web import AppKey, Application
from sqlalchemy import Engine

from sync_service.central.db import CentralSettings
from sync_service.central.reports.accounting import AccountMap
from sync_service.server.daily_mail import MailSettings, send_due_summaries
from sync_service.server.dashboard import formats
from sync_service.server.dashboard.housekeeping import add_housekeeping
from sync_service.server.dashboard.middleware import html_pages
from sync_service.server.dashboard.web import (
    DASHBOARD,
    ROLES_ATTRIBUTE,
    Dashboard,
    NavItem,
)
from sync_service.server.sign_in_delays import SignInDelays

HERE = Path(__file__).parent
PREFIX = "/ho"
DASHBOARD_APP = AppKey("sgpos_dashboard_app", Application)
# Read-only pages first, then head office's editing pages; each module has ``routes``.
PAGE_MODULES = (
    "auth",
    "overview",
    "sales",
    "reports",
    "shifts",
    "exceptions",
    "gst",
    "journal",
    "stock",
    "stock_exports",
    "purchasing",
    "audit",
    "fleet",
    "catalogue",
    "promotions",
    "gift_vouchers",
    "staff",
    "customers",
    "loyalty",
    "users",
    "account",
)
NAV = (
    NavItem("Overview", "/ho/"),
    NavItem("Sales", "/ho/sales"),
    NavItem("Reports", "/ho/reports"),
    NavItem("Shifts", "/ho/shifts"),
    NavItem("Exceptions", "/ho/exceptions"),
    NavItem("GST", "/ho/gst"),
    NavItem("Journal", "/ho/journal"),
    NavItem("Stock", "/ho/stock"),
    NavItem("Purchasing", "/ho/purchase-orders"),
    NavItem("Audit", "/ho/audit"),
    NavItem("Fleet", "/ho/fleet"),
    NavItem("Catalogue", "/ho/catalogue"),
    NavItem("Promotions", "/ho/promotions"),
    NavItem("Vouchers", "/ho/vouchers"),
    NavItem("Staff", "/ho/staff"),
    NavItem("Customers", "/ho/customers"),
    NavItem("Loyalty", "/ho/loyalty"),
    NavItem("Users", "/ho/users"),
)
MAX_FORM_BYTES = 8 * 1024 * 1024  # a catalogue CSV import of some thousands of rows


def add_dashboard(
    app: Application,
    settings: CentralSettings,
    engine: Engine,
    *,
    clock: Callable[[], datetime],
    secure_cookies: bool | None = None,
) -> Application:
    """Mount the dashboard under ``/ho/`` on ``app``; returns the sub-application."""
    ho = Application(middlewares=[html_pages], client_max_size=MAX_FORM_BYTES)
    pool = ThreadPoolExecutor(
        max(2, settings.db_pool_size // 2), thread_name_prefix="sgpos-dashboard"
    )
    board = Dashboard(
        engine=engine,
        clock=clock,
        templates=_templates(),
        pool=pool,
        secure_cookies=settings.secure_cookies if secure_cookies is None else secure_cookies,
        sign_in_delays=SignInDelays(),
        nav=NAV,
        accounts=AccountMap.from_settings(
            settings.xero_account_codes, settings.xero_tax_rate, settings.qbo_account_names
        ),
    )
    ho[DASHBOARD] = board
    for name in PAGE_MODULES:
        module: ModuleType = importlib.import_module(f"{__name__}.{name}")
        ho.router.add_routes(module.routes)
    ho.router.add_static("/static/", HERE / "static")

    async def close_pool(_app: Application) -> None:
        pool.shutdown(wait=True, cancel_futures=True)

    ho.on_cleanup.append(close_pool)
    # Due prices, audit-chain catch-up and the daily e-mails, every minute (stopped before
    # the pool).
    mail = MailSettings.from_settings(settings)
    daily = None if mail is None else functools.partial(send_due_summaries, engine, mail)
    add_housekeeping(ho, engine, clock, pool, daily=daily)
    app.add_subapp(PREFIX, ho)
    board.page_roles.update(_page_roles(ho))
    app[DASHBOARD_APP] = ho
    return ho


def _page_roles(ho: Application) -> dict[str, frozenset[str]]:
    roles: dict[str, frozenset[str]] = {}
    for route in ho.router.routes():
        allowed = getattr(route.handler, ROLES_ATTRIBUTE, None)
        if route.method == "GET" and allowed is not None and route.resource is not None:
            roles[route.resource.canonical] = allowed
    return roles


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value is text unless a template says otherwise
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    formats.install(env)
    return env
