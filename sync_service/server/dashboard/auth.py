"""Signing in and out of the dashboard, and the session behind every page.

A session is a random 256-bit token in an HTTP-only, SameSite=Strict cookie; the database keeps
only its SHA-256 (``sgpos.ho_session``), so a copy of that table signs nobody in. Sessions live
in the database, not in server memory: any server process answers any page, and signing out or
deactivating a user takes effect everywhere at once. Each session has its own CSRF token.

The sign-in form has no session yet, so it carries a double-submit token instead: a random
value in a short-lived cookie that the form must repeat. Failed sign-ins slow down the next
attempt for that account from that address (``sync_service.server.sign_in_delays``), never the
account's owner elsewhere; an attempt that must still wait is refused before the password is
checked. An admin who set up an authenticator app types its code too. Every sign-in, let in
or refused, is in the audit trail; no log line carries an email, a password or a token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast
from urllib.parse import quote, urlsplit
from uuid import UUID

from aiohttp import web
from sqlalchemy import Engine, delete, insert, select

from shared.logs import get_logger, hide_in_logs
from shared.text import unseen_character
from sync_service.central.models import HeadOfficeSession, HeadOfficeUser
from sync_service.central.users import (
    MAX_PASSWORD_LENGTH,
    HeadOfficeAccount,
    SignInAttempt,
    sign_in,
)
from sync_service.server.dashboard.web import (
    LOGIN_PATH,
    READ,
    SIGNED_IN,
    PageRefused,
    Role,
    SignedIn,
    Viewer,
    dashboard,
    db,
    forbidden,
    page,
    public,
    redirect,
    render,
)

log = get_logger("sgpos.dashboard")
routes = web.RouteTableDef()

SESSION_COOKIE = "sgpos_ho"
LOGIN_COOKIE = "sgpos_ho_login"
# A working day and then some; signing in again each morning is the point.
SESSION_LIFETIME = timedelta(hours=12)
LOGIN_FORM_LIFETIME_S = 3600


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, account: HeadOfficeAccount, now: datetime) -> NewSession:
    """A new session for ``account``; expired sessions of everyone are swept out meanwhile."""
    new = NewSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now + SESSION_LIFETIME)
    with engine.begin() as conn:
        conn.execute(delete(HeadOfficeSession).where(HeadOfficeSession.expires_at <= now))
        conn.execute(
            insert(HeadOfficeSession).values(
                token_hash=token_hash(new.token),
                user_id=account.user_id,
                csrf_token=new.csrf_token,
                expires_at=new.expires_at,
            )
        )
    return new


def find_session(engine: Engine, token: str, now: datetime) -> SignedIn | None:
    """The live session behind ``token`` of a user who is still active, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                HeadOfficeUser.user_id,
                HeadOfficeUser.email,
                HeadOfficeUser.role,
                HeadOfficeUser.outlet_id,
                HeadOfficeSession.csrf_token,
            )
            .join(HeadOfficeUser, HeadOfficeUser.user_id == HeadOfficeSession.user_id)
            .where(
                HeadOfficeSession.token_hash == token_hash(token),
                HeadOfficeSession.expires_at > now,
                HeadOfficeUser.active.is_(True),
            )
        ).first()
    if row is None:
        return None
    viewer = Viewer(
        user_id=cast(UUID, row.user_id),
        email=row.email,
        role=cast(Role, row.role),
        outlet_id=row.outlet_id,
    )
    return SignedIn(viewer, row.csrf_token)


def close_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(HeadOfficeSession).where(HeadOfficeSession.token_hash == token_hash(token))
        )


async def signed_in(request: web.Request) -> SignedIn | None:
    """The request's session (looked up once per request), or None for an anonymous visitor."""
    if SIGNED_IN in request:
        return request[SIGNED_IN]
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 100:
        return None
    found = await db(request, find_session, token, dashboard(request).clock())
    if found is not None:
        request[SIGNED_IN] = found
        hide_in_logs(found.csrf_token, found.viewer.email)
    return found


def login_redirect(request: web.Request) -> web.HTTPSeeOther:
    """To the sign-in page, remembering where the visitor wanted to go (GET pages only)."""
    if request.method == "GET" and request.path != "/ho/":
        return redirect(f"{LOGIN_PATH}?next={quote(request.path_qs, safe='')}")
    return redirect(LOGIN_PATH)


def safe_next(target: str | None) -> str:
    """Only a dashboard path on this server: never an open redirect to somebody else's site."""
    if not target or not target.startswith("/ho/") or target.startswith("//"):
        return "/ho/"
    if unseen_character(target) is not None:  # no control character into a Location header
        return "/ho/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return "/ho/"
    return target


def _secure(request: web.Request) -> bool:
    flag = dashboard(request).secure_cookies
    return request.secure if flag is None else flag


# --- pages ------------------------------------------------------------------------------------


@routes.get("/login")
@public
async def login_form(request: web.Request) -> web.StreamResponse:
    if await signed_in(request) is not None:
        raise redirect(safe_next(request.query.get("next")))
    return _login_page(request, problem=None, email="", status=200)


@routes.post("/login")
@public
async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    expected = request.cookies.get(LOGIN_COOKIE, "")
    given = form.get("csrf_token")
    if not expected or not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise forbidden(
            "The sign-in form was out of date or did not come from this dashboard. "
            "Open the sign-in page again and retry."
        )
    email = str(form.get("email", "")).strip().lower()[:254]
    password = str(form.get("password", ""))
    code = str(form.get("code", ""))[:20]
    hide_in_logs(email, password, code)
    if "\x00" in email + password + code:  # PostgreSQL cannot even compare it
        return _login_page(
            request, problem="The form contains a NUL character.", email="", status=400
        )
    board = dashboard(request)
    address = request.remote or "unknown"
    wait = board.sign_in_delays.wait_s(email, address)
    if wait > 0:
        log.warning("dashboard.sign_in_delayed", client=address, wait_s=round(wait))
        seconds = int(wait) + 1
        raise PageRefused(
            429,
            f"Too many wrong passwords for this account from here. Wait {_span(seconds)} and "
            "try again (from another computer there is no wait). Forgot the password? An "
            "administrator can reset it on the Users page.",
            {"Retry-After": str(seconds)},
        )
    account = None
    if email and password and len(password) <= MAX_PASSWORD_LENGTH:
        attempt = SignInAttempt(email, password, code, address)
        account = await db(request, sign_in, attempt, now=board.clock())
    if account is None:
        board.sign_in_delays.failed(email, address)
        log.info("dashboard.sign_in_failed", client=address)
        return _login_page(
            request,
            problem="The email, password or authenticator code is not right.",
            email=email,
            status=401,
        )
    board.sign_in_delays.succeeded(email, address)
    new = await db(request, open_session, account, board.clock())
    hide_in_logs(new.token, new.csrf_token)
    log.info("dashboard.signed_in", user_id=str(account.user_id), role=account.role)
    response = redirect(safe_next(request.query.get("next") or str(form.get("next", ""))))
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        path="/ho/",
        httponly=True,
        secure=_secure(request),
        samesite="Strict",
        max_age=int((new.expires_at - board.clock()).total_seconds()),
    )
    response.del_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    raise response


@routes.post("/logout")
@page(READ)
async def logout(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    await db(request, close_session, token)
    log.info("dashboard.signed_out", user_id=str(viewer.user_id))
    response = redirect(LOGIN_PATH)
    response.del_cookie(SESSION_COOKIE, path="/ho/")
    raise response


def _login_page(
    request: web.Request, *, problem: str | None, email: str, status: int
) -> web.Response:
    form_token = secrets.token_urlsafe(32)
    response = render(
        request,
        None,
        "login.html",
        status=status,
        problem=problem,
        email=email,
        login_token=form_token,
        next=safe_next(request.query.get("next")),
    )
    response.set_cookie(
        LOGIN_COOKIE,
        form_token,
        path=LOGIN_PATH,
        httponly=True,
        secure=_secure(request),
        samesite="Strict",
        max_age=LOGIN_FORM_LIFETIME_S,
    )
    return response


def _span(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"
