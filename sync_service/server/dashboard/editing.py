"""What head office's editing pages share: form fields, ids in the address, notices.

After a change succeeds the page redirects (303) to where the change shows, with a notice key
in the address; the notice text is fixed here, so nothing typed by anyone is ever echoed from
an address. A refused change re-renders its page with the reason and status 400.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from aiohttp import web

from sync_service.server.dashboard.web import not_found, redirect

MAX_FIELD = 2000  # no form field needs more; the CSV file is not a field


async def form_fields(request: web.Request) -> dict[str, str]:
    """The text fields of a posted form (files left out), each cut to a sane length."""
    form = await request.post()
    return {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}


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
