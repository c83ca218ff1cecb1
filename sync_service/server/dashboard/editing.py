"""What head office's editing pages share: form fields, ids in the address, notices.

After a change succeeds the page redirects (303) to where the change shows, with a notice key
in the address; the notice text is fixed by each page, so nothing typed by anyone is ever
echoed from an address. A refused change re-renders its page with the reason and status 400.
``change`` wraps a handler in exactly that.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from sync_service.central.admin import AdminError
from sync_service.server.dashboard.web import (
    PageHandler,
    Viewer,
    bad_request,
    not_found,
    redirect,
)

Done = tuple[str, str]  # where the change shows, and the key of the notice to show there
ChangeHandler = Callable[[web.Request, Viewer], Awaitable[Done]]
# Shows the page again with the reason a change was refused (status 400).
Again = Callable[[web.Request, Viewer, str], Awaitable[web.Response]]

MAX_FIELD = 2000  # no form field needs more; the CSV file is not a field


async def form_fields(request: web.Request) -> dict[str, str]:
    """The text fields of a posted form (files left out), each cut to a sane length. A NUL
    in any field is refused with 400 (PostgreSQL cannot store it); names are checked further
    by ``admin.fields``."""
    form = await request.post()
    fields = {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}
    for name, value in fields.items():
        if "\x00" in name + value:
            raise bad_request(f"The form's {name[:40]!r} field contains a NUL character.")
    return fields


async def form_list(request: web.Request, name: str) -> list[str]:
    """Every value of a repeated field (checkboxes of one name)."""
    form = await request.post()
    return [v for v in form.getall(name, []) if isinstance(v, str)]


def path_id(request: web.Request, name: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        raise not_found(what) from None


def done(location: str, notice: str) -> web.HTTPSeeOther:
    separator = "&" if "?" in location else "?"
    return redirect(f"{location}{separator}done={notice}")


def notice(request: web.Request, notices: Mapping[str, str]) -> str | None:
    return notices.get(request.query.get("done", ""))


def change(again: Again) -> Callable[[ChangeHandler], PageHandler]:
    """A form that changes something: the handler makes the change and says where it shows
    and with which notice; an ``AdminError`` (a field or a rule refused it) shows ``again``."""

    def decorate(handler: ChangeHandler) -> PageHandler:
        @functools.wraps(handler)
        async def changed(request: web.Request, viewer: Viewer) -> web.StreamResponse:
            try:
                where, key = await handler(request, viewer)
            except AdminError as exc:
                return await again(request, viewer, str(exc))
            raise done(where, key)

        return changed

    return decorate
