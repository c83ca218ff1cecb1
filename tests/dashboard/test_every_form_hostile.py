"""Odd values posted to every head-office form, one field at a time, on a head office of its
own: each is taken or refused in words, never a 500. (Posted by hand once, this found a
scheduled price's start without its offset, and form fields where "²", 29 digits or
1e999999999 escaped as errors; see docs/security.md, "Numbers".)"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.dashboard.support import Visitor
from tests.dashboard.test_admin_pages import Site, browsers, site  # noqa: F401 (fixtures)
from tests.dashboard.test_security import Route, dashboard_routes

pytestmark = pytest.mark.postgres

ODD = ("²", "1" * 5000, "1e999999999", "2026-02-30")
LEAVES_THE_SESSION = ("/ho/logout", "/ho/sign-out", "/ho/account")


def _fields(admin: Visitor, routes: list[Route], values: dict[str, str]) -> set[str]:
    """Every field name of every form the admin's pages post."""
    names: set[str] = set()
    for route in routes:
        if route.method != "GET" or route.roles is None or "admin" not in route.roles:
            continue
        page = admin.get(route.url(values))
        for form in re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', page.text, re.S):
            names |= set(re.findall(r'name="([\w-]+)"', form))
    return names - {"csrf_token"}


def test_every_form_takes_or_refuses_odd_values_in_words(
    site: Site,  # noqa: F811
    browsers: Callable[[str], Visitor],  # noqa: F811
) -> None:
    admin = browsers("admin")
    routes = dashboard_routes(site.server.app)
    values = {
        "product_id": str(site.product_id),
        "outlet_id": str(site.outlet_a.outlet_id),
        "till_id": str(site.till_a),
    }
    names = _fields(admin, routes, values)
    assert len(names) > 40, names  # the forms were found
    token = admin.csrf_token()
    failed, tried = [], 0
    for route in routes:
        if route.method != "POST" or route.roles is None or "admin" not in route.roles:
            continue
        url = route.url(values)
        if url.startswith(LEAVES_THE_SESSION):
            continue
        for name in sorted(names):
            for value in ODD:
                answer = admin.post(url, {name: value}, token=token)
                tried += 1
                if answer.status >= 500 or "Traceback" in answer.text:
                    failed.append(f"POST {route.path} {name}={value[:12]!r}: {answer.status}")
    assert tried > 1000
    assert failed == []
