"""Every dashboard answer is an HTML page with the security headers, errors included.

The sync API's middleware answers typed JSON; the dashboard is a sub-application with this
middleware of its own, so a refusal here is a page a person can read, and nothing from a
dashboard request ever reaches the sync API's error handling.
"""

from __future__ import annotations

from contextlib import suppress

import psycopg2
from aiohttp import web
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.logs import get_logger, hide_in_logs, secrets_of_one_request
from sync_service.server.dashboard.params import refuse_unseen_characters
from sync_service.server.dashboard.web import SIGNED_IN, Handler, PageRefused, render

log = get_logger("sgpos.dashboard")

# No script at all, styles only from our own file, no framing: a stored string that slipped
# past escaping still could not run, and the pages cannot be overlaid by another site.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STATIC_PREFIX = "/ho/static/"
TITLES = {
    400: "That request cannot be answered",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "The database is not answering",
}
ROUTER_MESSAGES = {
    404: "There is no such page. Use the menu to find what you are looking for.",
    405: "This page cannot be used that way.",
    413: "The file sent is too large for the dashboard.",
}


@web.middleware
async def html_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    with secrets_of_one_request():
        # The cookies are the visitor's session and sign-in form tokens.
        hide_in_logs(*request.cookies.values())
        if request.path == "/ho":
            response: web.StreamResponse = web.Response(status=308, headers={"Location": "/ho/"})
        else:
            response = await _answer(request, handler)
    response.headers.update(SECURITY_HEADERS)
    if request.path.startswith(STATIC_PREFIX):
        response.headers.setdefault("Cache-Control", "max-age=300")
    else:
        # Figures and personal data must not be left in a shared browser's cache.
        response.headers["Cache-Control"] = "no-store"
    return response


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        refuse_unseen_characters(request)
        response = await handler(request)
    except PageRefused as refused:
        await _know_the_viewer(request)
        return _error_page(request, refused.status, refused.message, refused.headers)
    except web.HTTPException as exc:
        if exc.status >= 400:
            message = ROUTER_MESSAGES.get(exc.status, exc.reason)
            allow = {k: v for k, v in exc.headers.items() if k == "Allow"}
            return _error_page(request, exc.status, message, allow)
        return _plain(exc)
    except (OperationalError, PoolTimeout, psycopg2.OperationalError):
        log.warning("dashboard.database_unavailable", path=request.path)
        return _error_page(
            request, 503, "The central database did not answer. Try again in a minute."
        )
    except Exception:
        log.exception("dashboard.page_failed", method=request.method, path=request.path)
        return _error_page(
            request,
            500,
            "The page failed and nothing was changed. Try again; if it keeps "
            "failing, tell the system administrator the time it happened.",
        )
    if isinstance(response, web.HTTPException):  # a handler that returned its redirect
        return _plain(response)
    return response


async def _know_the_viewer(request: web.Request) -> None:
    """A refusal before the page's own guard ran (a bad address parameter) still shows the
    signed-in visitor their menu, not a "Sign in" link."""
    from sync_service.server.dashboard.auth import signed_in

    # Without the database, the error page is shown without the menu.
    with suppress(OperationalError, PoolTimeout, psycopg2.OperationalError):
        await signed_in(request)


def _plain(exc: web.HTTPException) -> web.Response:
    """A redirect as an ordinary response, keeping its cookies (aiohttp frowns on returning
    the exception object itself)."""
    response = web.Response(status=exc.status, headers=exc.headers)
    for name, morsel in exc.cookies.items():
        response.cookies[name] = morsel
    return response


def _error_page(
    request: web.Request, status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    signed = request.get(SIGNED_IN)
    response = render(
        request,
        signed.viewer if signed is not None else None,
        "error.html",
        status=status,
        title=TITLES.get(status, "Error"),
        message=message,
    )
    response.headers.update(headers or {})
    return response
