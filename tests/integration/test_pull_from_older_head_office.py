"""A till pulls from a head office that predates promotions: that server refuses the unknown
``with`` parameter, and the till still gets its catalogue by pulling as before. From one that
knows only some of the words, the till drops the newest word after each refusal and still gets
what that head office can send."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import TestServer

from shared.protocol import PullPage, Rejected
from till.sync.client import CentralClient, http_session
from till.sync.credentials import Credential

Handler = Callable[[web.Request], Awaitable[web.Response]]


def _two_pulls(handler: Handler, second_cursor: str) -> list[object]:
    """A real till client pulls twice (from 0, then from ``second_cursor``) from a server that
    answers ``/v1/pull`` with ``handler``."""

    async def run() -> list[object]:
        app = web.Application()
        app.router.add_get("/v1/pull", handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            async with http_session(timeout_s=10) as http:
                client = CentralClient(http, str(server.make_url("")))
                credential = Credential("till", "s" * 40)
                return [
                    await client.pull(credential, "0", 100),
                    await client.pull(credential, second_cursor, 100),
                ]
        finally:
            await server.close()

    return asyncio.run(run())


def _knowing(known: set[str], asked: list[str | None], next_cursor: str) -> Handler:
    """A head office that sends only the ``known`` entities on request and refuses any other
    word, as its ``pull_extras`` does."""

    async def pull(request: web.Request) -> web.Response:
        asked.append(request.query.get("with"))
        for word in request.query.get("with", "").split(","):
            if word and word not in known:
                refused = Rejected(message=f"with: {word!r} is not an entity sent on request")
                return web.json_response(refused.model_dump(mode="json"), status=400)
        page = PullPage(cursor="0", next_cursor=next_cursor, has_more=False, changes=[])
        return web.json_response(page.model_dump(mode="json"))

    return pull


def test_a_till_pulls_without_promotions_from_a_head_office_that_knows_none() -> None:
    asked: list[dict[str, str]] = []

    async def older_pull(request: web.Request) -> web.Response:
        # What a server from before promotions answers (sync_service/server/app.py then).
        asked.append(dict(request.query))
        unknown = sorted(set(request.query) - {"cursor", "limit"})
        if unknown:
            refused = Rejected(message=f"unknown query parameter {unknown[0][:40]!r}")
            return web.json_response(refused.model_dump(mode="json"), status=400)
        page = PullPage(cursor="0", next_cursor="v2.7", has_more=False, changes=[])
        return web.json_response(page.model_dump(mode="json"))

    first, second = _two_pulls(older_pull, "v2.7")
    assert isinstance(first, PullPage) and first.next_cursor == "v2.7"
    assert isinstance(second, PullPage)
    # Asked once with everything sent on request, refused, then as before; not asked again.
    everything = "promotion,purchase_order,variant,voucher_batch,quarantine,customer"
    assert [q.get("with") for q in asked] == [everything, None, None]


def test_a_till_pulls_promotions_from_a_head_office_that_knows_only_promotions() -> None:
    # What a server with promotions, before orders, variants and gift vouchers, answers.
    asked: list[str | None] = []
    first, second = _two_pulls(_knowing({"promotion"}, asked, "v2.9"), "v2.9")
    assert isinstance(first, PullPage) and isinstance(second, PullPage)
    # The newest word dropped after each refusal; then promotions alone for the rest of the run.
    assert asked == [
        "promotion,purchase_order,variant,voucher_batch,quarantine,customer",
        "promotion,purchase_order,variant,voucher_batch,quarantine",
        "promotion,purchase_order,variant,voucher_batch",
        "promotion,purchase_order,variant",
        "promotion,purchase_order",
        "promotion",
        "promotion",
    ]


def test_a_till_still_gets_orders_and_variants_from_a_head_office_without_later_words() -> None:
    # A server with orders and variants, before voucher batches and outcomes.
    asked: list[str | None] = []
    known = {"promotion", "purchase_order", "variant"}
    pages = _two_pulls(_knowing(known, asked, "v3.1"), "v3.1")
    assert all(isinstance(p, PullPage) for p in pages)
    assert asked == [
        "promotion,purchase_order,variant,voucher_batch,quarantine,customer",
        "promotion,purchase_order,variant,voucher_batch,quarantine",
        "promotion,purchase_order,variant,voucher_batch",
        "promotion,purchase_order,variant",
        "promotion,purchase_order,variant",
    ]
