"""The dashboard's small framework: who is signed in, what they may see, and how a page answers.

A page is ``async def handler(request, viewer)`` decorated with :func:`page`, which refuses an
anonymous visitor (sent to the sign-in page), a role without the right (403) and a POST whose
CSRF token is missing or wrong (403, before the handler runs, so nothing is changed). Blocking
database work runs on the dashboard's own thread pool through :func:`db` (write side, given the
engine) or :func:`query` (read side, given a read-only connection), never on the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

import jinja2
from aiohttp import web
from sqlalchemy import Engine, text

from shared.gst import SINGAPORE
from shared.logs import hide_in_logs
from sync_service.central.reports.accounting import AccountMap
from sync_service.central.reports.common import Scope
from sync_service.server.sign_in_delays import SignInDelays

T = TypeVar("T")
Role = Literal["admin", "analyst", "outlet_manager"]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PageHandler = Callable[[web.Request, "Viewer"], Awaitable[web.StreamResponse]]

READ: frozenset[str] = frozenset({"admin", "analyst", "outlet_manager"})
ADMIN: frozenset[str] = frozenset({"admin"})
LOGIN_PATH = "/ho/login"
ROLES_ATTRIBUTE = "dashboard_roles"  # set on every guarded handler; the security tests read it
PUBLIC_ATTRIBUTE = "dashboard_public"  # set on the few handlers an anonymous visitor may use
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A report page that runs longer than this is a bug or an attack, not a page worth waiting for.
STATEMENT_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Viewer:
    """The signed-in head-office user."""

    user_id: UUID
    email: str
    role: Role
    outlet_id: UUID | None

    @property
    def scope(self) -> Scope:
        """Every outlet, or the manager's own (none at all if the account has lost its outlet)."""
        if self.role != "outlet_manager":
            return Scope(outlet_ids=None)
        return Scope(
            outlet_ids=frozenset() if self.outlet_id is None else frozenset({self.outlet_id})
        )

    def may_see(self, outlet_id: UUID) -> bool:
        return self.role != "outlet_manager" or outlet_id == self.outlet_id

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class SignedIn:
    viewer: Viewer
    csrf_token: str


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str


@dataclass
class Dashboard:
    """What every page shares: the database, a thread pool, templates, sign-in delays."""

    engine: Engine
    clock: Callable[[], datetime]
    templates: jinja2.Environment
    pool: ThreadPoolExecutor
    secure_cookies: bool | None  # None: Secure exactly when the request came over TLS
    sign_in_delays: SignInDelays
    nav: tuple[NavItem, ...] = ()
    accounts: AccountMap = field(default_factory=AccountMap)
    # GET path -> roles allowed, filled when the routes are added; the navigation reads it.
    page_roles: dict[str, frozenset[str]] = field(default_factory=dict)

    def today(self) -> date:
        return self.clock().astimezone(SINGAPORE).date()


DASHBOARD = web.AppKey("sgpos_dashboard", Dashboard)
SIGNED_IN = web.RequestKey("sgpos_signed_in", SignedIn)


class PageRefused(Exception):
    """A page that cannot be shown: the middleware renders ``message`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def not_found(what: str = "page") -> PageRefused:
    return PageRefused(404, f"There is no such {what}, or it is not yours to see.")


def forbidden(
    message: str = "Your account does not have the right to use this page.",
) -> PageRefused:
    return PageRefused(403, message)


def bad_request(message: str) -> PageRefused:
    return PageRefused(400, message)


def dashboard(request: web.Request) -> Dashboard:
    return request.config_dict[DASHBOARD]


def page(roles: frozenset[str]) -> Callable[[PageHandler], Handler]:
    """Guard a page: signed in, in one of ``roles``, and (for a POST) holding the CSRF token."""

    def decorate(handler: PageHandler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            # Imported here: auth.py builds on this module.
            from sync_service.server.dashboard.auth import login_redirect, signed_in

            signed = await signed_in(request)
            if signed is None:
                raise login_redirect(request)
            if signed.viewer.role not in roles:
                raise forbidden()
            if request.method not in SAFE_METHODS:
                await check_csrf(request, signed.csrf_token)
            return await handler(request, signed.viewer)

        setattr(guarded, ROLES_ATTRIBUTE, roles)
        return guarded

    return decorate


def public(handler: Handler) -> Handler:
    """Mark a handler an anonymous visitor may use (sign-in only)."""
    setattr(handler, PUBLIC_ATTRIBUTE, True)
    return handler


async def check_csrf(request: web.Request, expected: str) -> None:
    form = await request.post()
    given = form.get("csrf_token")
    if isinstance(given, str):
        hide_in_logs(given)
    if not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise forbidden(
            "This form is out of date or did not come from this dashboard, so nothing was "
            "changed. Reload the page and try again."
        )


async def db(request: web.Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(engine, *args, **kwargs)`` on the dashboard's thread pool (for the write side)."""
    board = dashboard(request)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        board.pool, functools.partial(fn, board.engine, *args, **kwargs)
    )


async def query(request: web.Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(conn, *args, **kwargs)`` in a read-only, repeatable-read transaction, so its
    figures come from one snapshot and no filter text can ever change the data. Figures a
    page shows side by side, which must agree, are read in one call."""
    board = dashboard(request)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        board.pool, functools.partial(read_only, board.engine, fn, *args, **kwargs)
    )


def read_only(engine: Engine, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with engine.connect() as conn:
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        conn.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
        try:
            return fn(conn, *args, **kwargs)
        finally:
            conn.rollback()  # never leave the snapshot open: it would hold back every pull


def render(
    request: web.Request, viewer: Viewer | None, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    """``template`` as an HTML page, given the viewer, the CSRF token and the navigation."""
    board = dashboard(request)
    signed = request.get(SIGNED_IN)
    html = board.templates.get_template(template).render(
        viewer=viewer,
        csrf_token=signed.csrf_token if signed is not None else "",
        nav=list(visible_nav(board, viewer)),
        here=request.path,
        **context,
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def visible_nav(board: Dashboard, viewer: Viewer | None) -> Iterator[NavItem]:
    if viewer is None:
        return
    for item in board.nav:
        roles = board.page_roles.get(item.path)
        if roles is not None and viewer.role in roles:
            yield item


def redirect(location: str) -> web.HTTPSeeOther:
    """303 See Other: after a POST the browser GETs ``location``; raise or return it."""
    return web.HTTPSeeOther(location)
