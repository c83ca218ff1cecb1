"""Security of every dashboard route, found by walking the router: pages added later are
covered without touching this file.

Anonymous visitors are sent to sign in; a role without the right is refused; an outlet
manager never sees another outlet by editing an address or a filter; a POST without the
session's CSRF token changes nothing; names that are markup show as text; SQL
metacharacters in any filter are only text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from aiohttp import web
from sqlalchemy import text

from sync_service.server.dashboard import DASHBOARD_APP
from sync_service.server.dashboard.web import PUBLIC_ATTRIBUTE, ROLES_ATTRIBUTE
from tests.dashboard.conftest import SCRIPT_NAME, Shop
from tests.dashboard.support import LiveDashboard, Visitor

pytestmark = pytest.mark.postgres

SignIn = Callable[[str], Visitor]
ROLE_OF = {"admin": "admin", "analyst": "analyst", "manager_a": "outlet_manager"}
HOSTILE = ("'; DROP TABLE sgpos.sale; --", "%", "_", "\\", "' OR '1'='1", "%' --", "²", "٣")
PUBLIC = {("GET", "/ho/login"), ("POST", "/ho/login")}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # canonical, with {placeholders}
    roles: frozenset[str] | None  # None: public

    def url(self, values: dict[str, str]) -> str:
        return re.sub(
            r"\{(\w+)(?::[^}]*)?\}", lambda m: values.get(m.group(1), str(uuid.uuid4())), self.path
        )


def dashboard_routes(app: web.Application) -> list[Route]:
    routes = []
    for route in app[DASHBOARD_APP].router.routes():
        resource = route.resource
        if resource is None or isinstance(resource, web.StaticResource) or route.method == "HEAD":
            continue
        roles = getattr(route.handler, ROLES_ATTRIBUTE, None)
        routes.append(Route(route.method, resource.canonical, roles))
    return routes


@pytest.fixture(scope="module")
def routes(dashboard: LiveDashboard) -> list[Route]:
    found = dashboard_routes(dashboard.app)
    assert len(found) >= 12, found  # sign-in, sign-out and every read-only page at least
    return found


def gets(routes: list[Route]) -> list[Route]:
    return [r for r in routes if r.method == "GET" and r.roles is not None]


def posts(routes: list[Route]) -> list[Route]:
    return [r for r in routes if r.method == "POST" and r.roles is not None]


def own_values(shop: Shop, which: str = "A") -> dict[str, str]:
    """Path values that exist, at outlet ``which``."""
    return {
        "sale_id": str(shop.sale_ids(which)[0]),
        "outlet_id": str(shop.outlet(which).outlet_id),
        "product_id": str(shop.script_product_id),
        "till_id": str(shop.tills[which].till.auth.till_id),
    }


def fingerprint(shop: Shop) -> dict[str, int]:
    """Rows in every table a form could change; equal before and after means nothing changed."""
    with shop.engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'sgpos' "
                "AND table_type = 'BASE TABLE' AND table_name <> 'ho_session' ORDER BY 1"
            )
        ).scalars()
        return {
            t: conn.execute(text(f'SELECT count(*) FROM sgpos."{t}"')).scalar_one() for t in tables
        }


def test_every_route_is_guarded_except_signing_in(routes: list[Route]) -> None:
    public = {(r.method, r.path) for r in routes if r.roles is None}
    assert public == PUBLIC


def test_sign_in_handlers_are_marked_public(dashboard: LiveDashboard) -> None:
    handlers = [
        r.handler
        for r in dashboard.app[DASHBOARD_APP].router.routes()
        if r.resource is not None and r.resource.canonical == "/ho/login"
    ]
    assert handlers and all(getattr(h, PUBLIC_ATTRIBUTE, False) for h in handlers)


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_page_and_export(
    routes: list[Route], visitor: Visitor, shop: Shop
) -> None:
    before = fingerprint(shop)
    for route in (r for r in routes if r.roles is not None):
        url = route.url(own_values(shop))
        if route.method == "GET":
            answer = visitor.get(url)
        else:
            answer = visitor.post(url, {"name": "x"}, token="forged")
        assert answer.status == 303, f"{route.method} {url}: {answer.status}"
        assert answer.location.startswith("/ho/login"), f"{route.method} {url}"
        assert SCRIPT_NAME not in answer.text and shop.outlet_a.code not in answer.text
    assert fingerprint(shop) == before


@pytest.mark.parametrize("role", ["analyst", "manager_a"])
def test_a_role_without_the_right_is_refused_every_page_and_form(
    routes: list[Route], signed_in: SignIn, shop: Shop, role: str
) -> None:
    visitor = signed_in(role)
    token = visitor.csrf_token()
    before = fingerprint(shop)
    refused = [r for r in routes if r.roles is not None and ROLE_OF[role] not in r.roles]
    for route in refused:
        url = route.url(own_values(shop))
        if route.method == "GET":
            answer = visitor.get(url)
        else:
            answer = visitor.post(url, {"name": "x"}, token=token)
        assert answer.status == 403, f"{role} {route.method} {url}: {answer.status}"
        assert "does not have the right" in answer.text
    assert fingerprint(shop) == before
    # and the pages the role may use do open
    allowed = [r for r in gets(routes) if ROLE_OF[role] in r.roles and "{" not in r.path]
    for route in allowed:
        assert visitor.get(route.path).status == 200, route.path


def test_the_menu_offers_only_pages_the_role_may_open(
    signed_in: SignIn, routes: list[Route]
) -> None:
    for role in ("admin", "analyst", "manager_a"):
        home = signed_in(role).get("/ho/")
        menu = re.search(r"<nav>(.*?)</nav>", home.text, re.S)
        assert menu
        for link in re.findall(r'href="([^"]+)"', menu.group(1)):
            route = next(r for r in gets(routes) if r.path == link)
            assert ROLE_OF[role] in route.roles, f"{role} is offered {link}"


def test_an_outlet_manager_cannot_reach_another_outlet_by_editing_the_address(
    routes: list[Route], signed_in: SignIn, shop: Shop
) -> None:
    manager = signed_in("manager_a")
    other = shop.outlet_b
    theirs = own_values(shop, "B")
    # Addresses naming the other outlet's things directly. A product or a staff member is not
    # one outlet's, so such a page may open; none may show anything of the other outlet.
    for route in gets(routes):
        if "{" in route.path and ROLE_OF["manager_a"] in route.roles:
            answer = manager.get(route.url(theirs))
            if any(f"{{{key}}}" in route.path for key in ("sale_id", "outlet_id", "till_id")):
                assert answer.status in (403, 404), f"{route.path}: {answer.status}"
            assert other.code not in answer.text, f"{route.path} showed outlet B"
    # Filters naming the other outlet or its till, on every page and export.
    for route in gets(routes):
        if "{" in route.path or ROLE_OF["manager_a"] not in route.roles:
            continue
        for name, value in (("outlet", theirs["outlet_id"]), ("till", theirs["till_id"])):
            answer = manager.get(route.path, **{name: value})
            assert other.code not in answer.text, f"{route.path}?{name}= showed outlet B"
            assert answer.status in (200, 403, 404), f"{route.path}?{name}=: {answer.status}"
            if name == "outlet" and route.path in ("/ho/", "/ho/sales", "/ho/journal.csv"):
                assert answer.status == 404
    # The manager's own outlet is there.
    mine = manager.get("/ho/sales", outlet=str(shop.outlet_a.outlet_id))
    assert mine.status == 200 and shop.outlet_a.code in mine.text


def test_a_post_without_the_sessions_form_token_changes_nothing(
    routes: list[Route], signed_in: SignIn, dashboard: LiveDashboard, shop: Shop
) -> None:
    admin = signed_in("admin")
    someone_else = signed_in("analyst").csrf_token()
    before = fingerprint(shop)
    for route in posts(routes):
        url = route.url(own_values(shop))
        for token in (None, "", someone_else, admin.csrf_token() + "x"):
            answer = admin.post(url, {"name": "Changed", "price": "1.00"}, token=token)
            assert answer.status == 403, f"POST {url} with token {token!r}: {answer.status}"
            assert "nothing was changed" in answer.text
    assert fingerprint(shop) == before
    assert admin.get("/ho/").status == 200  # still signed in: sign-out needs the token too


DOWNLOAD_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _pages_with_filters(routes: list[Route]) -> Iterator[Route]:
    yield from (r for r in gets(routes) if "admin" in r.roles and "{" not in r.path)


def test_names_that_are_markup_are_shown_as_text_everywhere(
    routes: list[Route], signed_in: SignIn, shop: Shop
) -> None:
    admin = signed_in("admin")
    values = own_values(shop)
    with shop.engine.connect() as conn:
        values["sale_id"] = str(
            conn.execute(
                text("SELECT sale_id FROM sgpos.sale_line WHERE name = :n"), {"n": SCRIPT_NAME}
            ).scalar_one()
        )
    shown = 0
    for route in gets(routes):
        if "admin" not in route.roles:
            continue
        for params in ({}, {"q": "script"}, {"source": "head_office"}):
            answer = admin.get(route.url(values), **params)
            if answer.headers.get("Content-Disposition", "").startswith("attachment"):
                # A download is data the browser saves, never renders (and may not sniff):
                # the name stays exactly what was typed, as in the stock on hand CSV.
                assert answer.headers["Content-Type"].split(";")[0] in DOWNLOAD_TYPES
                assert answer.headers["X-Content-Type-Options"] == "nosniff"
                continue
            assert SCRIPT_NAME not in answer.text, route.path
            shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    assert shown >= 4  # stock, a product's movements, the sale, the audit trail at least


def test_sql_metacharacters_in_every_filter_are_only_text(
    routes: list[Route], signed_in: SignIn, shop: Shop
) -> None:
    admin = signed_in("admin")
    before = fingerprint(shop)
    tried = 0
    for route in _pages_with_filters(routes):
        page = admin.get(route.path)
        forms = re.findall(r'<form class="filters" method="get"[^>]*>(.*?)</form>', page.text, re.S)
        names = sorted({n for f in forms for n in re.findall(r'name="(\w+)"', f)})
        for name in [*names, "page", "size"]:
            for value in HOSTILE:
                answer = admin.get(route.path, **{name: value})
                tried += 1
                assert answer.status in (200, 400, 404), f"{route.path}?{name}={value!r}"
                assert "Traceback" not in answer.text
                if answer.status == 400:
                    assert "<p>" in answer.text  # a plain-words explanation, not a crash
    assert tried > 50
    assert fingerprint(shop) == before  # every table still there, nothing added or lost


UNSEEN = ("\x00", "a\x00b", "\x1b[31m", "\x7f", "line\nbreak", "\u202eevil", "zero\u200bwidth")


def test_every_filter_refuses_nul_and_control_characters_with_a_400(
    routes: list[Route], signed_in: SignIn, shop: Shop
) -> None:
    """A NUL in any filter made PostgreSQL fail (a 500): every parameter of every page is
    refused in plain words before any query runs, whatever its name."""
    admin = signed_in("admin")
    before = fingerprint(shop)
    tried = 0
    for route in _pages_with_filters(routes):
        page = admin.get(route.path)
        forms = re.findall(r'<form class="filters" method="get"[^>]*>(.*?)</form>', page.text, re.S)
        names = sorted({n for f in forms for n in re.findall(r'name="(\w+)"', f)})
        for name in [*names, "after", "next", "done", "kind", "x"]:
            for value in UNSEEN:
                answer = admin.get(route.path, **{name: value})
                tried += 1
                assert answer.status == 400, f"{route.path}?{name}={value!r}: {answer.status}"
                assert "control or invisible character" in answer.text, route.path
                assert "Traceback" not in answer.text
    assert tried > 300
    assert admin.get("/ho/sales", receipt_no="ORC-T01-000001").status == 200
    assert fingerprint(shop) == before


@pytest.mark.parametrize(
    "name",
    [
        "\u202eevil",  # shows as "live"
        "Kopi\u2066O\u2069",  # an isolate
        "Teh\u200bTarik",  # zero-width space
        "Milo\u200d",  # zero-width joiner
        "\ufeffBOM",
        "soft\u00adhyphen",
        "tab\there",
        "\ue000private",
    ],
)
def test_names_refuse_invisible_and_bidirectional_control_characters(
    signed_in: SignIn, shop: Shop, name: str
) -> None:
    admin = signed_in("admin")
    token = admin.csrf_token()
    before = fingerprint(shop)
    product = f"/ho/catalogue/products/{shop.script_product_id}"
    staff = next(iter(own_staff(shop)))
    for path, form in (
        ("/ho/catalogue/new", {"sku": f"S-{uuid.uuid4().hex[:6]}", "name": name, "price": "1",
                               "tax_code": "SR"}),
        ("/ho/catalogue/new", {"sku": f"S{name}", "name": "Plain", "price": "1",
                               "tax_code": "SR"}),
        (product, {"name": name, "tax_code": "SR", "active": "1"}),
        ("/ho/catalogue/categories", {"name": name}),
        (f"/ho/staff/{staff}", {"display_name": name, "role": "cashier",
                                "outlet": str(shop.outlet_a.outlet_id)}),
    ):  # fmt: skip
        answer = admin.post(path, form, token=token)
        assert answer.status == 400, f"{path}: {answer.status}"
        assert "invisible or changes how the name shows" in answer.text, path
    assert fingerprint(shop) == before


def own_staff(shop: Shop) -> list[str]:
    with shop.engine.connect() as conn:
        return [str(s) for s in conn.execute(text("SELECT staff_id FROM sgpos.staff")).scalars()]
