"""A dashboard server on a loopback socket and browser-like clients for it, for fast tests.

``LiveDashboard`` serves the central application (sync API + dashboard) from its own event loop
in a thread; a ``Visitor`` is an aiohttp client on that loop with its own cookie jar, so each
visitor is one person's browser: it signs in, follows links, posts forms with their token.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from sync_service.server.app import make_runner

T = TypeVar("T")
TIMEOUT_S = 60.0  # generous: the machines running the tests are shared
PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class LiveDashboard:
    """``app`` served by its own event loop in a thread, on a free loopback port."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner = make_runner(app)
        self.port: int = self.call(self._start())

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(TIMEOUT_S)

    async def _start(self) -> int:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return int(self.runner.addresses[0][1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def visitor(self, *, address: str | None = None) -> Visitor:
        """A browser; ``address`` (127.0.0.2, say) is the loopback address it comes from."""
        return Visitor(self, address=address)

    def close(self) -> None:
        try:
            self.call(self.runner.cleanup())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(TIMEOUT_S)
            self.loop.close()


@dataclass
class Page:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        """Where a redirect points, as a path."""
        target = urlsplit(self.headers.get("Location", ""))
        return target.path + (f"?{target.query}" if target.query else "")

    @property
    def csrf_token(self) -> str | None:
        found = _CSRF.search(self.text)
        return found.group(1) if found else None


class Visitor:
    """One person's browser: cookies kept between requests, redirects not followed unless
    asked, so a test sees exactly what the server answered."""

    def __init__(self, server: LiveDashboard, *, address: str | None = None) -> None:
        self.server = server
        self.session: aiohttp.ClientSession = server.call(self._open(address))
        self.email: str | None = None

    async def _open(self, address: str | None) -> aiohttp.ClientSession:
        # unsafe=True: keep cookies for an IP address host (127.0.0.1).
        return aiohttp.ClientSession(
            base_url=self.server.url,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_S),
            connector=aiohttp.TCPConnector(local_addr=(address, 0)) if address else None,
        )

    def get(self, path: str, *, follow: bool = False, **params: str) -> Page:
        return self.server.call(self._request("GET", path, params=params, follow=follow))

    def post(
        self,
        path: str,
        data: Mapping[str, str] | None = None,
        *,
        token: str | None = None,
        follow: bool = False,
    ) -> Page:
        """A form post; ``token`` is the CSRF token to send (none unless given)."""
        form = dict(data or {})
        if token is not None:
            form["csrf_token"] = token
        return self.server.call(self._request("POST", path, data=form, follow=follow))

    def csrf_token(self) -> str:
        """The session's form token, read from a page as a browser would."""
        found = self.get("/ho/", follow=True).csrf_token
        assert found, "the overview page carries no form token: is this visitor signed in?"
        return found

    def sign_in(self, email: str, password: str = PASSWORD, *, code: str = "") -> Page:
        form = self.get("/ho/login")
        assert form.status == 200, form.text
        answer = self.post(
            "/ho/login",
            {"email": email, "password": password, "code": code},
            token=form.csrf_token,
        )
        if answer.status == 303:
            self.email = email
        return answer

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        follow: bool,
    ) -> Page:
        async with self.session.request(
            method, path, params=params or None, data=data, allow_redirects=follow
        ) as response:
            body = await response.read()
            return Page(response.status, response.headers, body, str(response.url))

    def close(self) -> None:
        self.server.call(self.session.close())
