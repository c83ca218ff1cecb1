"""The Users pages (admins only): who may sign in to head office, when each last did, and the
fixes an admin makes for someone else: a new password, deactivation and reactivation, and
removing an authenticator app that was lost. New users are made with ``sgpos-central
create-user``."""

from __future__ import annotations

import uuid

from aiohttp import web

from sync_service.central.accounts import (
    find_user,
    list_users,
    remove_second_factor,
    reset_password,
    set_active,
)
from sync_service.central.admin import AdminError
from sync_service.server.dashboard.editing import Done, change, form_fields, notice, path_id
from sync_service.server.dashboard.web import (
    ADMIN,
    Viewer,
    dashboard,
    db,
    not_found,
    page,
    query,
    render,
)

routes = web.RouteTableDef()
NOTICES = {
    "password": "The new password is set and the user was signed out everywhere. Tell them "
    "the password in person or by phone, never by email.",
    "deactivated": "The user can no longer sign in and was signed out everywhere.",
    "reactivated": "The user can sign in again.",
    "second-factor": "The authenticator app was removed: the user signs in with the password "
    "alone until they set up a new one.",
}


@routes.get("/users")
@page(ADMIN)
async def users_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return render(
        request,
        viewer,
        "users_list.html",
        title="Users",
        users=await query(request, list_users),
        now=dashboard(request).clock(),
    )


@routes.get("/users/{user_id}")
@page(ADMIN)
async def user_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _user_page(request, viewer)


async def _user_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    user_id = path_id(request, "user_id", "user")
    user = await query(request, find_user, user_id)
    if user is None:
        raise not_found("user")
    return render(
        request,
        viewer,
        "user.html",
        status=400 if problem else 200,
        title=user.email,
        user=user,
        yourself=user.user_id == viewer.user_id,
        notice=notice(request, NOTICES),
        problem=problem,
    )


def _here(user_id: uuid.UUID) -> str:
    return f"/ho/users/{user_id}"


@routes.post("/users/{user_id}/password")
@page(ADMIN)
@change(_user_page)
async def user_password(request: web.Request, viewer: Viewer) -> Done:
    user_id = path_id(request, "user_id", "user")
    form = await form_fields(request)
    password = form.get("password", "")
    if password != form.get("password_again", ""):
        raise AdminError("the two passwords differ; nothing was changed")
    email = await db(request, reset_password, viewer.email, user_id, password)
    # Whoever was slowed down guessing can try the new password at once.
    dashboard(request).sign_in_delays.forget_account(email)
    return _here(user_id), "password"


@routes.post("/users/{user_id}/deactivate")
@page(ADMIN)
@change(_user_page)
async def user_deactivate(request: web.Request, viewer: Viewer) -> Done:
    user_id = path_id(request, "user_id", "user")
    await db(request, set_active, viewer.email, user_id, active=False, by=viewer.user_id)
    return _here(user_id), "deactivated"


@routes.post("/users/{user_id}/reactivate")
@page(ADMIN)
@change(_user_page)
async def user_reactivate(request: web.Request, viewer: Viewer) -> Done:
    user_id = path_id(request, "user_id", "user")
    await db(request, set_active, viewer.email, user_id, active=True, by=viewer.user_id)
    return _here(user_id), "reactivated"


@routes.post("/users/{user_id}/second-factor/remove")
@page(ADMIN)
@change(_user_page)
async def user_second_factor(request: web.Request, viewer: Viewer) -> Done:
    user_id = path_id(request, "user_id", "user")
    await db(request, remove_second_factor, viewer.email, user_id)
    return _here(user_id), "second-factor"
