"""Checks every request passes before the server does any work for it.

Each check raises a :class:`Refusal` carrying the typed answer. Bodies are read here with a cap
that applies *after* gzip is undone, decompressing incrementally, so a few kilobytes of gzip
cannot make the server inflate gigabytes (a "gzip bomb").
"""

from __future__ import annotations

import re
import uuid
import zlib
from typing import TypeVar

from aiohttp import web
from pydantic import ValidationError

from shared.protocol import ACCEPTED_VERSIONS, MAX_BODY_BYTES, PROTOCOL_HEADER
from shared.wire import WireModel
from sync_service.server.replies import Refusal

Model = TypeVar("Model", bound=WireModel)

_VERSION = re.compile(r"-?\d{1,9}")
_READ_CHUNK = 64 * 1024
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # gzip header and trailer, not raw zlib
_MAX_SECRET = 256


def protocol_version(request: web.Request) -> int:
    """The version the client speaks, from the ``SGPOS-Protocol`` header."""
    raw = request.headers.get(PROTOCOL_HEADER)
    if raw is None:
        raise Refusal.rejected(
            400, f"the {PROTOCOL_HEADER} header is missing; every request names its protocol"
        )
    if not _VERSION.fullmatch(raw.strip()):
        raise Refusal.rejected(
            400, f"the {PROTOCOL_HEADER} header must be a whole number, not {raw[:20]!r}"
        )
    version = int(raw)
    if version not in ACCEPTED_VERSIONS:
        raise Refusal.upgrade_required(version)
    return version


def body_protocol(stated: int, header: int) -> None:
    """The ``protocol`` field of a body must agree with the header."""
    if stated not in ACCEPTED_VERSIONS:
        raise Refusal.upgrade_required(stated)
    if stated != header:
        raise Refusal.rejected(
            400, f"the body says protocol {stated} but the {PROTOCOL_HEADER} header says {header}"
        )


def till_credential(request: web.Request) -> tuple[uuid.UUID, str]:
    """``Authorization: Bearer <till_id>:<secret>``; anything else is 401, with no detail."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    till_part, sep, secret = token.strip().partition(":")
    if scheme.lower() != "bearer" or not sep or not secret or len(secret) > _MAX_SECRET:
        raise Refusal.unauthorized()
    try:
        return uuid.UUID(till_part), secret
    except ValueError:
        raise Refusal.unauthorized() from None


def _too_large(limit: int) -> Refusal:
    return Refusal.rejected(
        413, f"the request body is larger than {limit} bytes (after gzip); send smaller batches"
    )


async def read_body(request: web.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, gunzipped if ``Content-Encoding: gzip``, refused once it passes ``limit``.

    The server runs with aiohttp's own request decompression off (``make_runner``), so what
    arrives here is exactly what the client sent.
    """
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in {"identity", "gzip"}:
        raise Refusal.rejected(
            415, f"Content-Encoding {encoding[:20]!r} is not supported; send gzip or nothing"
        )
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    inflater = zlib.decompressobj(_GZIP_WBITS) if encoding == "gzip" else None
    body = bytearray()
    async for chunk in request.content.iter_chunked(_READ_CHUNK):
        if inflater is None:
            body += chunk
        else:
            _inflate(inflater, chunk, body, limit)
        if len(body) > limit:
            raise _too_large(limit)
    if inflater is not None and not inflater.eof:
        raise Refusal.rejected(400, "the gzip body is truncated; send the whole request again")
    return bytes(body)


def _inflate(inflater: zlib._Decompress, chunk: bytes, body: bytearray, limit: int) -> None:
    """Inflate ``chunk`` onto ``body``, never producing more than one byte past ``limit``."""
    pending = chunk
    try:
        while pending:
            if inflater.eof:
                raise Refusal.rejected(400, "there is data after the end of the gzip body")
            body += inflater.decompress(pending, limit + 1 - len(body))
            if len(body) > limit:
                raise _too_large(limit)
            pending = inflater.unconsumed_tail or inflater.unused_data
    except zlib.error:
        raise Refusal.rejected(400, "the body is not valid gzip") from None


def parse(model: type[Model], body: bytes) -> Model:
    """``body`` as ``model``; the first problem (where and what) is the refusal's message."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise Refusal.rejected(400, f"the request is not valid: {describe(exc)}") from None


def describe(exc: ValidationError) -> str:
    err = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in err["loc"]) or "body"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err['msg']}{more}"
