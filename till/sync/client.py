"""Talking to head office over HTTP (protocol v1, DESIGN §5): typed answers in, typed answers
out.

Every answer the server can give is returned as its protocol model (``PushOk``, ``Busy``,
``Failed``, ``UpgradeRequired``, ``Unauthorized``, ``Rejected``, ``PullPage``, ``EnrolOk``);
deciding what to do about it is the caller's business. Everything that means "head office
cannot be used right now" — refused or reset connections, timeouts, DNS failures, a proxy's
HTML error page, an answer that is not SG-POS's — becomes one :class:`Offline` exception with
a reason a person can read, because the agent treats all of them the same way: keep the
events, back off, retry.
"""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any, TypeVar

import aiohttp
from pydantic import Field, TypeAdapter, ValidationError

from shared.gc_pause import cycle_collection_paused
from shared.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SENT_ON_REQUEST,
    Busy,
    EnrolOk,
    EnrolRequest,
    Failed,
    Health,
    MemberPoints,
    MemberPointsRequest,
    PullPage,
    PushRequest,
    PushResponse,
    Rejected,
    TillState,
    Unauthorized,
    UpgradeRequired,
)
from shared.text import whole_number
from till.sync.credentials import Credential

# Bodies below this go as they are: gzip would add more time than it saves bytes.
GZIP_FROM_BYTES = 1024
# Connecting is bounded separately, so an unreachable host fails in seconds, not after the
# whole request timeout.
CONNECT_TIMEOUT_S = 10.0

_T = TypeVar("_T")

ErrorAnswer = Busy | Failed | UpgradeRequired | Unauthorized | Rejected
PushAnswer = PushResponse
PullAnswer = Annotated[PullPage | ErrorAnswer, Field(discriminator="status")]
EnrolAnswer = Annotated[EnrolOk | ErrorAnswer, Field(discriminator="status")]
StateAnswer = Annotated[TillState | ErrorAnswer, Field(discriminator="status")]
PointsAnswer = Annotated[MemberPoints | ErrorAnswer, Field(discriminator="status")]

_PUSH: TypeAdapter[Any] = TypeAdapter(PushAnswer)
_PULL: TypeAdapter[Any] = TypeAdapter(PullAnswer)
_ENROL: TypeAdapter[Any] = TypeAdapter(EnrolAnswer)
_STATE: TypeAdapter[Any] = TypeAdapter(StateAnswer)
_POINTS: TypeAdapter[Any] = TypeAdapter(PointsAnswer)
_REJECTED = TypeAdapter(Rejected)
_HEALTH = TypeAdapter(Health)


class Offline(Exception):
    """Head office cannot be used right now; ``reason`` says why, for a person.

    ``maybe_delivered``: the request may have reached head office (and been acted on) with the
    answer lost on the way back; False only when no connection was ever made."""

    def __init__(self, reason: str, *, maybe_delivered: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.maybe_delivered = maybe_delivered


class TooLarge(Exception):
    """Head office refused a request body as too large (HTTP 413); nothing was stored."""


def app_version() -> str:
    try:
        return version("sg-pos")
    except PackageNotFoundError:
        return "unknown"


@asynccontextmanager
async def http_session(*, timeout_s: float) -> AsyncIterator[aiohttp.ClientSession]:
    """One connection pool for a run of the agent (keep-alive across batches and cycles)."""
    timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=min(CONNECT_TIMEOUT_S, timeout_s))
    headers = {
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        "User-Agent": f"sgpos-sync/{app_version()}",
    }
    async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
        yield session


class CentralClient:
    """The protocol's calls against one head-office address, over a shared session."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        # Entities sent on request, the newest last (the first to drop for an older server).
        self.ask_for: tuple[str, ...] = tuple(e.value for e in SENT_ON_REQUEST)

    async def enrol(self, request: EnrolRequest) -> EnrolOk | ErrorAnswer:
        answer: EnrolOk | ErrorAnswer = await self._call(
            "POST", "/v1/enroll", _ENROL, body=request.model_dump_json().encode()
        )
        return answer

    async def push(self, credential: Credential, request: PushRequest) -> PushAnswer | ErrorAnswer:
        answer: PushAnswer | ErrorAnswer = await self._call(
            "POST",
            "/v1/push",
            _PUSH,
            body=request.model_dump_json().encode(),
            credential=credential,
        )
        return answer

    async def pull(self, credential: Credential, cursor: str, limit: int) -> PullPage | ErrorAnswer:
        params = {"cursor": cursor, "limit": str(limit)}
        # Promotions, orders, variants, voucher batches and quarantine outcomes come only to
        # tills that ask: an older till would refuse a page holding an entity it does not know.
        # A head office from before them refuses the words it does not know: ask for less (and
        # stop asking this run), since the catalogue and staff must still come down.
        while self.ask_for:
            answer: PullPage | ErrorAnswer = await self._call(
                "GET",
                "/v1/pull",
                _PULL,
                params={**params, "with": ",".join(self.ask_for)},
                credential=credential,
            )
            if not isinstance(answer, Rejected):
                return answer
            if "'with'" in answer.message:  # before promotions: no such parameter at all
                self.ask_for = ()
            elif answer.message.startswith("with:"):  # before the newest entity asked for
                self.ask_for = self.ask_for[:-1]
            else:
                return answer
        answer = await self._call("GET", "/v1/pull", _PULL, params=params, credential=credential)
        return answer

    async def till_state(self, credential: Credential) -> TillState | ErrorAnswer:
        answer: TillState | ErrorAnswer = await self._call(
            "GET", "/v1/till/state", _STATE, credential=credential
        )
        return answer

    async def points(
        self, credential: Credential, request: MemberPointsRequest
    ) -> MemberPoints | ErrorAnswer:
        answer: MemberPoints | ErrorAnswer = await self._call(
            "POST",
            "/v1/points",
            _POINTS,
            body=request.model_dump_json().encode(),
            credential=credential,
        )
        return answer

    async def health(self) -> Health:
        return await self._call("GET", "/v1/health", _HEALTH)

    async def _call(
        self,
        method: str,
        path: str,
        adapter: TypeAdapter[_T],
        *,
        body: bytes | None = None,
        params: dict[str, str] | None = None,
        credential: Credential | None = None,
    ) -> _T:
        url = self.base_url + path
        headers = {}
        if credential is not None:
            headers["Authorization"] = credential.authorization()
        if body is not None:
            headers["Content-Type"] = "application/json"
            if len(body) >= GZIP_FROM_BYTES:
                body = gzip.compress(body, compresslevel=6)
                headers["Content-Encoding"] = "gzip"
        try:
            async with self.http.request(
                method, url, data=body, params=params, headers=headers
            ) as response:
                raw = await response.read()
                status, retry_after = response.status, response.headers.get("Retry-After")
        except TimeoutError:
            within = f" within {self.http.timeout.total:g} s" if self.http.timeout.total else ""
            raise Offline(f"head office at {self.base_url} did not answer{within}") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise Offline(
                f"cannot reach head office at {self.base_url}: {_describe(exc)}",
                maybe_delivered=not isinstance(exc, aiohttp.ClientConnectorError),
            ) from None
        return self._parse(adapter, status, raw, retry_after)

    def _parse(
        self, adapter: TypeAdapter[_T], status: int, raw: bytes, retry_after: str | None
    ) -> _T:
        if status == 413:
            try:
                message = _REJECTED.validate_json(raw).message
            except ValidationError:
                message = "the request is too large"
            raise TooLarge(message)
        try:
            # A pull page is 5,000 changes as models and dicts (see shared.gc_pause).
            with cycle_collection_paused():
                return adapter.validate_json(raw)
        except ValidationError:
            pass
        seconds = whole_number(retry_after.strip()) if retry_after is not None else None
        if status == 503 and seconds is not None:
            # A load balancer's own 503 with Retry-After: as good as a typed 'busy'.
            try:
                return adapter.validate_python(Busy(retry_after=min(max(seconds, 1), 3600)))
            except ValidationError:
                pass
        snippet = " ".join(raw[:120].decode("utf-8", "replace").split()) or "an empty body"
        if status >= 500:
            raise Offline(f"head office at {self.base_url} answered HTTP {status}: {snippet}")
        raise Offline(
            f"{self.base_url} answered HTTP {status} with something that is not an SG-POS "
            f"answer ({snippet}); check the head-office address"
        )


def _describe(exc: BaseException) -> str:
    """What went wrong on the network, in words a technician can act on."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "its name could not be resolved (check the address and the till's DNS)"
    if isinstance(exc, aiohttp.ClientSSLError):
        return f"the secure connection failed ({exc})"
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return "connection refused (is the server running and the port right?)"
        return f"could not connect ({exc.os_error.strerror or exc.os_error})"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the connection was closed before an answer came"
    if isinstance(exc, ConnectionResetError):
        return "the connection was reset"
    if isinstance(exc, aiohttp.InvalidURL):
        return f"the address {exc} is not a valid URL"
    return str(exc) or type(exc).__name__
