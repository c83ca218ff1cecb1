"""The installer's calls to head office: health (with its clock), the till's state, retiring.

Synchronous and short: a technician waits for each answer anyway. Everything that means "head
office cannot be used right now" becomes :class:`Unreachable` with a reason a person can act
on; a refused credential is :class:`CredentialRefused`.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from shared.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    Busy,
    Failed,
    Health,
    Rejected,
    TillRetired,
    TillState,
    Unauthorized,
    UpgradeRequired,
)
from till.sync.client import app_version
from till.sync.credentials import Credential

_M = TypeVar("_M", bound=BaseModel)


class Unreachable(Exception):
    """Head office cannot be used right now; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CredentialRefused(Exception):
    """Head office does not accept this till's credential (revoked, replaced or unknown)."""


@dataclass(frozen=True)
class HeadOffice:
    """What GET /v1/health said, and how far the till's clock is from head office's."""

    health: Health
    skew_s: float | None  # the till's clock minus head office's; None without a Date header


def check_url(text: str) -> str:
    """``https://host[:port]`` without a trailing slash, or ValueError in plain words."""
    url = text.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{text!r} is not a head-office address; give it as https://host[:port]")
    return url


def head_office(url: str, *, timeout_s: float) -> HeadOffice:
    before = time.time()
    status, body, date = _call("GET", url, "/v1/health", None, timeout_s)
    after = time.time()
    health = _parse(Health, body)
    if health is None:
        raise Unreachable(_not_sgpos(url, status, body))
    skew = None
    if date is not None:
        # The Date header is whole seconds, truncated: the server's time lay in [date, date+1).
        server = date.timestamp() + 0.5
        skew = round((before + after) / 2 - server, 1)
    return HeadOffice(health, skew)


def till_state(url: str, credential: Credential, *, timeout_s: float) -> TillState:
    return _authorised(TillState, "GET", url, "/v1/till/state", credential, timeout_s)


def retire(url: str, credential: Credential, *, timeout_s: float) -> TillRetired:
    return _authorised(TillRetired, "POST", url, "/v1/till/retire", credential, timeout_s)


def _authorised(
    model: type[_M], method: str, url: str, path: str, credential: Credential, timeout_s: float
) -> _M:
    status, body, _ = _call(method, url, path, credential, timeout_s)
    answer = _parse(model, body)
    if answer is not None and status == 200:
        return answer
    if _parse(Unauthorized, body) is not None:
        raise CredentialRefused(
            "head office does not accept this till's credential (the till was retired, or "
            "enrolled again on another machine)"
        )
    if (busy := _parse(Busy, body)) is not None:
        raise Unreachable(f"head office at {url} is busy; try again in {busy.retry_after} s")
    if (failed := _parse(Failed, body)) is not None:
        raise Unreachable(f"head office at {url} failed on the request: {failed.message}")
    if (upgrade := _parse(UpgradeRequired, body)) is not None:
        raise Unreachable(f"head office needs a newer SG-POS: {upgrade.message}")
    if (rejected := _parse(Rejected, body)) is not None:
        raise Unreachable(f"head office refused the request: {rejected.message}")
    raise Unreachable(_not_sgpos(url, status, body))


def _call(
    method: str, url: str, path: str, credential: Credential | None, timeout_s: float
) -> tuple[int, bytes, datetime | None]:
    headers = {
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        "User-Agent": f"sgpos-install/{app_version()}",
    }
    if credential is not None:
        headers["Authorization"] = credential.authorization()
    data = b"" if method == "POST" else None
    # check_url allows http and https only, never file: or a custom scheme.
    request = urllib.request.Request(url + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return response.status, response.read(), _date(response.headers.get("Date"))
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(), _date(exc.headers.get("Date"))
    except (urllib.error.URLError, OSError) as exc:
        raise Unreachable(
            f"cannot reach head office at {url}: {_describe(exc, timeout_s)}"
        ) from None


def _describe(exc: BaseException, timeout_s: float) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout_s:g} s (check the network and the address)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running and the port right?)"
    if isinstance(reason, socket.gaierror):
        return "its name could not be resolved (check the address and the till's DNS)"
    if isinstance(reason, ssl.SSLError):
        return f"the secure connection failed ({reason})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def _parse(model: type[_M], body: bytes) -> _M | None:
    try:
        return model.model_validate_json(body)
    except ValidationError:
        return None


def _not_sgpos(url: str, status: int, body: bytes) -> str:
    try:
        snippet = " ".join(json.dumps(json.loads(body))[:120].split())
    except ValueError:
        snippet = " ".join(body[:120].decode("utf-8", "replace").split()) or "an empty body"
    return (
        f"{url} answered HTTP {status} with something that is not an SG-POS head office "
        f"({snippet}); check the address"
    )
