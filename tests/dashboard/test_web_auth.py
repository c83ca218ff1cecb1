"""Signing in and out of the head-office dashboard, sessions and the sign-in delays."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from sync_service.central.db import CentralSettings
from sync_service.server.app import make_app
from sync_service.server.dashboard import DASHBOARD_APP
from sync_service.server.dashboard.web import DASHBOARD
from sync_service.server.sign_in_delays import PER_ACCOUNT_AND_ADDRESS
from tests.dashboard.conftest import Shop
from tests.dashboard.support import PASSWORD, LiveDashboard, Visitor

pytestmark = pytest.mark.postgres


def test_a_visitor_signs_in_sees_the_overview_and_signs_out(visitor: Visitor, shop: Shop) -> None:
    assert visitor.get("/ho/").location == "/ho/login"
    answer = visitor.sign_in(shop.emails["analyst"])
    assert answer.status == 303 and answer.location == "/ho/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ho/" in cookie
    overview = visitor.get("/ho/")
    assert overview.status == 200
    assert shop.emails["analyst"] in overview.text and "Sign out" in overview.text

    token = overview.csrf_token
    assert token
    out = visitor.post("/ho/logout", token=token)
    assert out.status == 303 and out.location == "/ho/login"
    assert visitor.get("/ho/").location == "/ho/login"  # the session is gone, not just the cookie


def test_the_session_table_holds_only_a_hash_of_the_cookie(visitor: Visitor, shop: Shop) -> None:
    visitor.sign_in(shop.emails["admin"])
    cookie = next(c for c in visitor.session.cookie_jar if c.key == "sgpos_ho")
    with shop.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM sgpos.ho_session WHERE token_hash = :t"),
            {"t": cookie.value},
        ).scalar_one()
    assert stored == 0
    assert visitor.get("/ho/").status == 200


def test_a_wrong_password_is_refused_in_plain_words(visitor: Visitor, shop: Shop) -> None:
    answer = visitor.sign_in(shop.emails["analyst"], "not the password at all")
    assert answer.status == 401
    assert "The email, password or authenticator code is not right." in answer.text
    assert visitor.get("/ho/").location == "/ho/login"


def test_a_deactivated_user_is_signed_out_everywhere_at_once(
    dashboard: LiveDashboard, shop: Shop
) -> None:
    from sync_service.central.users import create_user

    email = f"leaver-{shop.outlet_a.code.lower()}@example.com"
    create_user(shop.engine, email=email, password=PASSWORD, role="analyst", outlet_code=None)
    browser = dashboard.visitor()
    try:
        assert browser.sign_in(email).status == 303
        assert browser.get("/ho/").status == 200
        with shop.engine.begin() as conn:
            conn.execute(
                text("UPDATE sgpos.ho_user SET active = false WHERE email = :e"), {"e": email}
            )
        assert browser.get("/ho/").location == "/ho/login"
    finally:
        browser.close()


def test_after_signing_in_the_visitor_lands_where_they_were_going(
    visitor: Visitor, shop: Shop
) -> None:
    wanted = visitor.get("/ho/sales", outlet="x")
    assert wanted.status == 303 and wanted.location.startswith("/ho/login?next=")
    form = visitor.get(wanted.location)
    answer = visitor.post(
        wanted.location,
        {"email": shop.emails["analyst"], "password": PASSWORD},
        token=form.csrf_token,
    )
    assert answer.status == 303 and answer.location == "/ho/sales?outlet=x"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/ho/", "/v1/pull"])
def test_sign_in_never_sends_the_visitor_off_the_dashboard(
    visitor: Visitor, shop: Shop, target: str
) -> None:
    form = visitor.get("/ho/login")
    answer = visitor.post(
        "/ho/login",
        {"email": shop.emails["analyst"], "password": PASSWORD, "next": target},
        token=form.csrf_token,
    )
    assert answer.status == 303 and answer.location == "/ho/"


def test_the_sign_in_form_without_its_token_is_refused(visitor: Visitor, shop: Shop) -> None:
    visitor.get("/ho/login")
    answer = visitor.post("/ho/login", {"email": shop.emails["admin"], "password": PASSWORD})
    assert answer.status == 403
    assert "nothing" not in answer.text.lower() or "sign-in form" in answer.text
    assert visitor.get("/ho/").location == "/ho/login"


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_passwords_slow_that_address_for_that_account_never_the_owner_elsewhere(
    shop: Shop,
) -> None:
    # A server of its own: the delays are per process, and others' tests sign in from here too.
    settings = CentralSettings.load(central_db_url=shop.url, db_pool_size=2)
    server = LiveDashboard(make_app(settings, shop.engine))
    ticks = Ticks()
    delays = server.app[DASHBOARD_APP][DASHBOARD].sign_in_delays
    delays.per_account._clock = delays.per_address._clock = ticks
    attacker = server.visitor(address="127.0.0.2")
    owner = server.visitor(address="127.0.0.1")
    victim = shop.emails["manager_a"]
    try:
        for _ in range(PER_ACCOUNT_AND_ADDRESS.free):
            assert attacker.sign_in(victim, "wrong password!!").status == 401
        waits = []
        for _ in range(12):
            held = attacker.sign_in(victim)  # even the right password is not even checked
            assert held.status == 429 and "Wait " in held.text and "Users page" in held.text
            waits.append(int(held.headers["Retry-After"]))
            ticks.now += waits[-1]
            assert attacker.sign_in(victim, "wrong again!!!").status == 401
        # 1 s after the third wrong password, doubling with each, never more than 15 minutes.
        assert waits[:4] == [2, 3, 5, 9] and waits[-1] == 901
        assert waits == sorted(waits)

        # The owner, at their own desk, signs in at once; so does the attacker's next victim.
        assert owner.sign_in(victim).status == 303
        assert attacker.sign_in(shop.emails["manager_b"]).status == 303
    finally:
        attacker.close()
        owner.close()
        server.close()


def test_every_page_carries_the_security_headers(signed_in: Callable[[str], Visitor]) -> None:
    page = signed_in("analyst").get("/ho/")
    assert page.status == 200
    csp = page.headers["Content-Security-Policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unknown_dashboard_address_is_an_html_page_and_the_sync_api_stays_json(
    visitor: Visitor,
) -> None:
    missing = visitor.get("/ho/no-such-page")
    assert missing.status == 404 and missing.headers["Content-Type"].startswith("text/html")
    assert "There is no such page" in missing.text
    assert visitor.get("/ho").status == 308
    api = visitor.get("/v1/no-such-call")
    assert api.status == 404 and api.headers["Content-Type"].startswith("application/json")
