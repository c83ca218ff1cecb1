"""Typed answers of the central server: every response body is one of the protocol's models.

A handler that must refuse a request raises :class:`Refusal`; the server's middleware turns it
into the JSON response, so no handler builds an error body by hand and every refusal has the
same shape a till's sync agent knows how to read (DESIGN.md §5).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from aiohttp import web, web_response

from shared.protocol import (
    ACCEPTED_VERSIONS,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    Busy,
    EventRejection,
    Failed,
    Rejected,
    Unauthorized,
    UpgradeRequired,
)
from shared.wire import WireModel

JSON = "application/json"
# The same words for every failed credential, so a caller cannot tell an unknown till from a
# revoked one or a wrong secret.
UNAUTHORIZED = Unauthorized(
    message="the till's credential was not accepted; ask head office for an enrolment code "
    "and enrol this till again"
)


def reply(
    model: WireModel, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """``model`` as JSON, gzip-compressed when the client says it accepts gzip."""
    response = web.Response(
        body=model.model_dump_json().encode(),
        status=status,
        content_type=JSON,
        headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION), **(headers or {})},
    )
    # aiohttp compresses only if Accept-Encoding names gzip or deflate.
    response.enable_compression()
    return response


def busy_delay() -> int:
    """1-5 s, jittered so refused tills do not all come back in the same second."""
    return 1 + secrets.randbelow(5)


class Refusal(Exception):
    """A request answered with an error body; nothing was written."""

    def __init__(
        self, status: int, body: WireModel, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status}: {body!r}")
        self.status, self.body, self.headers = status, body, dict(headers or {})

    def response(self) -> web.Response:
        return reply(self.body, self.status, self.headers)

    @classmethod
    def rejected(
        cls, status: int, message: str, events: list[EventRejection] | None = None
    ) -> Refusal:
        return cls(status, Rejected(message=message[:200], events=events or []))

    @classmethod
    def unauthorized(cls) -> Refusal:
        return cls(401, UNAUTHORIZED, {"WWW-Authenticate": 'Bearer realm="sgpos"'})

    @classmethod
    def upgrade_required(cls, version: int) -> Refusal:
        accepted = sorted(ACCEPTED_VERSIONS)
        return cls(
            426,
            UpgradeRequired(
                accepted_versions=accepted,
                message=f"protocol version {version} is not supported; this server speaks "
                f"{', '.join(map(str, accepted))}: upgrade the till software",
            ),
        )

    @classmethod
    def failed(cls, message: str) -> Refusal:
        return cls(500, Failed(message=message[:200]))

    @classmethod
    def busy(
        cls, message: str | None = None, *, status: int = 503, retry_after: int | None = None
    ) -> Refusal:
        delay = busy_delay() if retry_after is None else max(1, min(retry_after, 3600))
        body = (
            Busy(retry_after=delay) if message is None else Busy(retry_after=delay, message=message)
        )
        return cls(status, body, {"Retry-After": str(delay)})


SERVER_NAME = "SG-POS"


def hide_server_version() -> None:
    """Answer ``Server: SG-POS`` instead of aiohttp's ``Python/3.x aiohttp/3.y``: software and
    versions are a free list of known holes to try for anyone scanning.

    aiohttp has no setting for it, and its own answers to a malformed request never reach the
    application's response signal; so the default it fills every answer with is replaced
    (tests/security/test_hostile_visitor.py checks routed and malformed requests alike)."""
    setattr(web_response, "SERVER_SOFTWARE", SERVER_NAME)  # noqa: B010 - a Final in aiohttp
