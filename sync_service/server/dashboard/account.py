"""Your account: change your own password; admins add an authenticator app (a second factor).

Setting up the app shows a QR code and the same secret as text, generated for this one set-up
and carried in the confirm form (it is what the app is given anyway); it is saved only when a
code from the app matches, so a mistyped secret never locks anyone out.
"""

from __future__ import annotations

from aiohttp import web
from markupsafe import Markup

from shared.logs import hide_in_logs
from sync_service.central.accounts import add_second_factor, change_own_password, find_user
from sync_service.central.admin import AdminError
from sync_service.central.second_factor import is_secret, new_secret, qr_svg, setup_uri
from sync_service.server.dashboard.auth import SESSION_COOKIE, token_hash
from sync_service.server.dashboard.editing import Done, change, form_fields, notice
from sync_service.server.dashboard.web import (
    ADMIN,
    READ,
    Viewer,
    dashboard,
    db,
    page,
    query,
    render,
)

routes = web.RouteTableDef()
NOTICES = {
    "password": "Your new password is set. Your other sessions were signed out.",
    "second-factor": "The authenticator app is set up: from now on, signing in asks for its "
    "code as well as your password.",
}


@routes.get("/account")
@page(READ)
async def account_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _account_page(request, viewer)


async def _account_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    me = await query(request, find_user, viewer.user_id)
    return render(
        request,
        viewer,
        "account.html",
        status=400 if problem else 200,
        title="Your account",
        me=me,
        notice=notice(request, NOTICES),
        problem=problem,
    )


@routes.post("/account/password")
@page(READ)
@change(_account_page)
async def own_password(request: web.Request, viewer: Viewer) -> Done:
    form = await form_fields(request)
    current, new = form.get("current", ""), form.get("password", "")
    hide_in_logs(current, new)
    if new != form.get("password_again", ""):
        raise AdminError("the two new passwords differ; nothing was changed")
    session = token_hash(request.cookies.get(SESSION_COOKIE, ""))
    await db(
        request, change_own_password, viewer.user_id, viewer.email, current, new, session=session
    )
    return "/ho/account", "password"


@routes.post("/account/second-factor/start")
@page(ADMIN)
async def second_factor_start(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return _setup_page(request, viewer, new_secret())


def _setup_page(
    request: web.Request, viewer: Viewer, secret: str, problem: str | None = None
) -> web.Response:
    hide_in_logs(secret)
    return render(
        request,
        viewer,
        "second_factor.html",
        status=400 if problem else 200,
        title="Set up an authenticator app",
        secret=secret,
        # Drawn by the server from our own otpauth address: markup we made, not text typed.
        qr=Markup(qr_svg(setup_uri(secret, viewer.email))),  # noqa: S704
        problem=problem,
    )


@routes.post("/account/second-factor")
@page(ADMIN)
async def second_factor_confirm(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    form = await form_fields(request)
    secret, code = form.get("secret", ""), form.get("code", "")
    hide_in_logs(secret, code)
    try:
        await db(
            request,
            add_second_factor,
            viewer.user_id,
            viewer.email,
            secret,
            code,
            now=dashboard(request).clock(),
        )
    except AdminError as exc:
        again = secret if is_secret(secret) else new_secret()
        return _setup_page(request, viewer, again, str(exc))
    raise web.HTTPSeeOther("/ho/account?done=second-factor")
