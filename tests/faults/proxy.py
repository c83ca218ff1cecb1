"""A TCP proxy for fault tests, between a sync agent and the central server.

It runs its own asyncio loop on its own thread. Each accepted connection takes the fault in
force at that moment (so one ``sgpos-sync`` run meets one fault) and opens its own connection
to the server:

- ``Fault()``: pass everything through;
- ``Fault.refuse()``: reset every new connection at once, never reaching the server (a
  partition);
- ``Fault.drop(n)``: forward ``n`` request bytes, then close both sides (FIN);
- ``Fault.reset_request(n)``: forward ``n`` request bytes, then reset both sides (RST);
- ``Fault.stall(s)``: hold the request ``s`` seconds, then forward it only if the client is
  still waiting (a client that gave up never gets its request delivered late);
- ``Fault.reset_response(n)``: forward ``n`` bytes of the server's answer, then RST the client;
- ``Fault.swallow()``: let the server answer (it has committed), then close the client's
  connection without the answer;
- ``Fault.hold()``: keep the server's answer from the client until :meth:`close_held`;
- ``Fault.duplicate()``: deliver every request twice: first on a second server connection,
  whose answer is thrown away, and only once that answer has begun (the server has committed)
  on the client's own server connection, whose answer the client gets. So the delivery the
  client hears about always finds the other one's work already done.

``tripped`` counts the connections a fault acted on, so a test can tell it really happened.
A new fault meets only new connections; :meth:`sever` resets the open ones, so a client that
keeps its connections alive meets the new fault too.
Every wait is bounded; :meth:`stop` (or leaving the ``with`` block) closes everything.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Any, Self, TypeVar

CHUNK = 65536
CONNECT_TIMEOUT_S = 5.0
CALL_TIMEOUT_S = 10.0

_T = TypeVar("_T")


class FaultKind(StrEnum):
    PASS = "pass"
    REFUSE = "refuse"
    DROP = "drop"
    RESET_REQUEST = "reset_request"
    STALL = "stall"
    RESET_RESPONSE = "reset_response"
    SWALLOW = "swallow"
    HOLD = "hold"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Fault:
    kind: FaultKind = FaultKind.PASS
    after_bytes: int = 0
    seconds: float = 0.0

    @classmethod
    def refuse(cls) -> Fault:
        return cls(FaultKind.REFUSE)

    @classmethod
    def drop(cls, after_request_bytes: int) -> Fault:
        return cls(FaultKind.DROP, after_bytes=after_request_bytes)

    @classmethod
    def reset_request(cls, after_request_bytes: int) -> Fault:
        return cls(FaultKind.RESET_REQUEST, after_bytes=after_request_bytes)

    @classmethod
    def stall(cls, seconds: float) -> Fault:
        return cls(FaultKind.STALL, seconds=seconds)

    @classmethod
    def reset_response(cls, after_response_bytes: int) -> Fault:
        return cls(FaultKind.RESET_RESPONSE, after_bytes=after_response_bytes)

    @classmethod
    def swallow(cls) -> Fault:
        return cls(FaultKind.SWALLOW)

    @classmethod
    def hold(cls) -> Fault:
        return cls(FaultKind.HOLD)

    @classmethod
    def duplicate(cls) -> Fault:
        return cls(FaultKind.DUPLICATE)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST: SO_LINGER on with a zero timeout makes close() abort the connection."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@dataclass(eq=False)  # a set member by identity
class _Link:
    """One client connection and its server connection(s)."""

    fault: Fault
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter
    twin: asyncio.StreamWriter | None = None
    for_server: bytearray = field(default_factory=bytearray)  # waiting for the twin's answer

    def close(self) -> None:
        for writer in (self.client, self.server, self.twin):
            if writer is not None and not writer.is_closing():
                writer.close()


class FaultProxy:
    def __init__(self, upstream_port: int, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.upstream_port = upstream_port
        self.fault = Fault()
        self.tripped = 0
        self.port = 0
        self._links: set[_Link] = set()
        self._held: set[_Link] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fault-proxy", daemon=True
        )
        self._server: asyncio.Server | None = None

    # --- life cycle (called from the test's thread) ---------------------------------------

    def start(self) -> Self:
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._accept, self.host, 0))
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CALL_TIMEOUT_S)
        self._loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def set_fault(self, fault: Fault) -> None:
        """The fault new connections meet (connections already open keep theirs)."""
        self.fault = fault

    def set_upstream(self, port: int) -> None:
        """Send new connections to another server (one started after the old one died)."""
        self.upstream_port = port

    def sever(self) -> int:
        """Reset every open connection (both sides); how many there were."""

        async def reset() -> int:
            links, self._held = list(self._links), set()
            for link in links:
                for writer in (link.client, link.server, link.twin):
                    if writer is not None and not writer.is_closing():
                        _reset(writer)
            return len(links)

        return self._call(reset())

    def close_held(self) -> int:
        """Close every connection whose answer is held: its client sees the connection close
        without an answer. Returns how many there were."""

        async def close() -> int:
            held, self._held = list(self._held), set()
            for link in held:
                link.close()
            return len(held)

        return self._call(close())

    def wait_tripped(self, count: int = 1, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.tripped < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the proxy's {self.fault.kind} fault acted {self.tripped} times in "
                    f"{timeout:g} s, not {count}"
                )
            time.sleep(0.02)

    def _call(self, coro: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(CALL_TIMEOUT_S)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=CALL_TIMEOUT_S)

    # --- the proxy's own loop ---------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fault = self.fault
        if fault.kind is FaultKind.REFUSE:
            self.tripped += 1
            _reset(writer)
            return
        upstream = await self._connect()
        twin = await self._connect() if fault.kind is FaultKind.DUPLICATE else None
        if upstream is None or (fault.kind is FaultKind.DUPLICATE and twin is None):
            for opened in (upstream, twin):
                if opened is not None:
                    opened[1].close()
            writer.close()  # the server is down: the client sees its connection closed
            return
        server_reader, server = upstream
        twin_reader, twin_writer = twin if twin is not None else (None, None)
        link = _Link(fault, writer, server, twin_writer)
        self._links.add(link)
        pumps = [
            asyncio.create_task(self._requests(reader, link)),
            asyncio.create_task(self._answers(server_reader, link)),
        ]
        if twin_reader is not None:
            self.tripped += 1
            pumps.append(asyncio.create_task(self._twin_answers(twin_reader, link)))
        try:
            # The link ends when either side has finished with it; a held answer waits for
            # close_held() (or for the client to give up).
            await asyncio.wait(pumps[:2], return_when=asyncio.FIRST_COMPLETED)
            if link in self._held:
                await asyncio.wait(pumps[:1])
        finally:
            for pump in pumps:
                pump.cancel()
            # Connection errors end a pump like an end of stream does: collect, never raise.
            await asyncio.gather(*pumps, return_exceptions=True)
            link.close()
            self._links.discard(link)
            self._held.discard(link)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(self.host, self.upstream_port), CONNECT_TIMEOUT_S
            )
        except (OSError, TimeoutError):
            return None

    async def _requests(self, reader: asyncio.StreamReader, link: _Link) -> None:
        fault, sent = link.fault, 0
        cut = fault.kind in (FaultKind.DROP, FaultKind.RESET_REQUEST)
        while chunk := await reader.read(CHUNK):
            if fault.kind is FaultKind.STALL and sent == 0:
                self.tripped += 1
                held = await self._hold(reader, chunk, fault.seconds)
                if held is None:
                    return  # the client gave up while the network held its request
                chunk = held
            if link.twin is not None:
                link.twin.write(chunk)
                link.for_server += chunk
                sent += len(chunk)
                continue
            if cut and sent + len(chunk) > fault.after_bytes:
                link.server.write(chunk[: fault.after_bytes - sent])
                await link.server.drain()
                self.tripped += 1
                if fault.kind is FaultKind.DROP:
                    link.close()
                else:
                    _reset(link.client)
                    _reset(link.server)
                return
            link.server.write(chunk)
            sent += len(chunk)
            await link.server.drain()

    @staticmethod
    async def _hold(reader: asyncio.StreamReader, first: bytes, seconds: float) -> bytes | None:
        """Everything the client sends for ``seconds``; None if it hangs up meanwhile."""
        held = bytearray(first)
        deadline = asyncio.get_running_loop().time() + seconds
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                more = await asyncio.wait_for(reader.read(CHUNK), left)
            except TimeoutError:
                break
            if not more:
                return None
            held += more
        return bytes(held)

    async def _answers(self, reader: asyncio.StreamReader, link: _Link) -> None:
        fault, sent = link.fault, 0
        while chunk := await reader.read(CHUNK):
            if fault.kind is FaultKind.SWALLOW:
                self.tripped += 1
                return  # the caller closes both sides; the answer never reaches the client
            if fault.kind is FaultKind.HOLD:
                if link not in self._held:
                    self._held.add(link)
                    self.tripped += 1
                continue
            if fault.kind is FaultKind.RESET_RESPONSE and sent + len(chunk) > fault.after_bytes:
                link.client.write(chunk[: fault.after_bytes - sent])
                await link.client.drain()
                self.tripped += 1
                _reset(link.client)
                return
            link.client.write(chunk)
            sent += len(chunk)
            await link.client.drain()

    @staticmethod
    async def _twin_answers(reader: asyncio.StreamReader, link: _Link) -> None:
        """Throw the twin's answers away; each one releases the request to the real server."""
        while await reader.read(CHUNK):
            if link.for_server:
                link.server.write(bytes(link.for_server))
                link.for_server.clear()
                await link.server.drain()
