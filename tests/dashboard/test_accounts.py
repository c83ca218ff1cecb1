"""Head-office accounts in a browser-like client: the users list with last sign-ins, an admin
setting a forgotten password, deactivation and reactivation, sign-ins in the audit trail, and
an admin's authenticator app."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator

import pyotp
import pytest
from sqlalchemy import text

from sync_service.central.accounts import set_active
from sync_service.central.admin import AdminError
from sync_service.central.users import create_user
from tests.dashboard.conftest import Shop
from tests.dashboard.support import PASSWORD, LiveDashboard, Visitor

pytestmark = pytest.mark.postgres

SignIn = Callable[[str], Visitor]
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def person(shop: Shop) -> str:
    """A fresh analyst of this test's own."""
    email = f"person-{uuid.uuid4().hex[:8]}@example.com"
    create_user(shop.engine, email=email, password=PASSWORD, role="analyst", outlet_code=None)
    return email


@pytest.fixture
def browser(dashboard: LiveDashboard) -> Iterator[Callable[[], Visitor]]:
    opened: list[Visitor] = []

    def new() -> Visitor:
        opened.append(dashboard.visitor())
        return opened[-1]

    yield new
    for v in opened:
        v.close()


def user_id(shop: Shop, email: str) -> uuid.UUID:
    with shop.engine.connect() as conn:
        found: uuid.UUID = conn.execute(
            text("SELECT user_id FROM sgpos.ho_user WHERE email = :e"), {"e": email}
        ).scalar_one()
        return found


def audit_rows(shop: Shop, key: str) -> list[dict[str, object]]:
    with shop.engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(
                text(
                    "SELECT table_name, op, after, changed_by FROM sgpos.ho_audit "
                    "WHERE key = :k ORDER BY audit_id"
                ),
                {"k": key},
            )
        ]


def test_an_admin_sees_every_user_with_their_last_sign_in(
    signed_in: SignIn, shop: Shop, person: str, browser: Callable[[], Visitor]
) -> None:
    admin = signed_in("admin")
    row = re.compile(r'<tr data-user="[^"]+">.*?</tr>', re.S)
    before = {r for r in row.findall(admin.get("/ho/users").text) if person in r}
    assert len(before) == 1 and "never" in next(iter(before))
    assert browser().sign_in(person).status == 303
    after = [r for r in row.findall(admin.get("/ho/users").text) if person in r]
    assert "never" not in after[0] and "analyst" in after[0] and "allowed" in after[0]
    for role in ("analyst", "manager_a"):
        assert signed_in(role).get("/ho/users").status == 403


def test_an_admin_sets_a_forgotten_password_and_the_user_is_signed_out(
    signed_in: SignIn, shop: Shop, person: str, browser: Callable[[], Visitor]
) -> None:
    admin, them = signed_in("admin"), browser()
    assert them.sign_in(person).status == 303
    page = f"/ho/users/{user_id(shop, person)}"
    token = admin.get(page).csrf_token

    differ = admin.post(
        f"{page}/password", {"password": NEW_PASSWORD, "password_again": "x"}, token=token
    )
    assert differ.status == 400 and "the two passwords differ" in differ.text
    short = admin.post(
        f"{page}/password", {"password": "short", "password_again": "short"}, token=token
    )
    assert short.status == 400 and "at least 12" in short.text
    done = admin.post(
        f"{page}/password", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}, token=token
    )
    assert done.status == 303 and "signed out everywhere" in admin.get(done.location).text

    assert them.get("/ho/").location == "/ho/login"  # their session ended with the reset
    assert browser().sign_in(person).status == 401  # the old password is gone
    assert browser().sign_in(person, NEW_PASSWORD).status == 303
    [reset] = [r for r in audit_rows(shop, str(user_id(shop, person))) if r["op"] == "update"]
    assert reset["changed_by"] == shop.emails["admin"] and reset["after"] == {
        "email": person,
        "password_reset": True,
    }


def test_a_deactivated_user_cannot_sign_in_until_reactivated_and_nobody_deactivates_themselves(
    signed_in: SignIn, shop: Shop, person: str, browser: Callable[[], Visitor]
) -> None:
    admin, them = signed_in("admin"), browser()
    assert them.sign_in(person).status == 303
    page = f"/ho/users/{user_id(shop, person)}"
    token = admin.get(page).csrf_token

    assert admin.post(f"{page}/deactivate", token=token).status == 303
    assert them.get("/ho/").location == "/ho/login"
    assert browser().sign_in(person).status == 401
    assert "deactivated" in admin.get(page).text
    assert admin.post(f"{page}/reactivate", token=token).status == 303
    assert browser().sign_in(person).status == 303

    own = f"/ho/users/{user_id(shop, shop.emails['admin'])}"
    assert "Deactivate" not in admin.get(own).text
    refused = admin.post(f"{own}/deactivate", token=token)
    assert refused.status == 400 and "your own account" in refused.text
    reasons = [
        r["after"]["reason"]  # type: ignore[index]
        for r in audit_rows(shop, str(user_id(shop, person)))
        if r["table_name"] == "sign_in" and r["op"] == "failed"
    ]
    assert reasons == ["account deactivated"]


def test_the_last_active_admin_cannot_be_deactivated(shop: Shop) -> None:
    with shop.engine.connect() as conn:
        admins = conn.execute(
            text("SELECT user_id FROM sgpos.ho_user WHERE role = 'admin' AND active")
        ).scalars()
        others = [a for a in admins if a != user_id(shop, shop.emails["admin"])]
    try:
        for other in others:  # leave one admin: the dashboard fixtures' own
            set_active(shop.engine, "test", other, active=False, by=None)
        last = user_id(shop, shop.emails["admin"])
        with pytest.raises(AdminError, match="last active admin"):
            set_active(shop.engine, "test", last, active=False, by=None)
    finally:
        for other in others:
            set_active(shop.engine, "test", other, active=True, by=None)


def test_every_sign_in_is_in_the_audit_trail_with_its_address(
    signed_in: SignIn, shop: Shop, person: str, browser: Callable[[], Visitor]
) -> None:
    assert browser().sign_in(person, "not my password").status == 401
    assert browser().sign_in(person).status == 303
    nobody = f"nobody-{uuid.uuid4().hex[:6]}@example.com"
    assert browser().sign_in(nobody).status == 401

    rows = audit_rows(shop, str(user_id(shop, person)))
    assert [(r["table_name"], r["op"]) for r in rows] == [
        ("sign_in", "failed"),
        ("sign_in", "ok"),
    ]
    assert rows[0]["after"] == {"address": "127.0.0.1", "reason": "wrong password"}
    assert rows[1]["after"] == {"address": "127.0.0.1", "second_factor": False}
    assert {r["changed_by"] for r in rows} == {person}
    with shop.engine.connect() as conn:
        kept = conn.execute(
            text("SELECT count(*) FROM sgpos.ho_audit WHERE changed_by = :e OR key = :e "
                 "OR after::text LIKE :like"),
            {"e": nobody, "like": f"%{nobody}%"},
        ).scalar_one()  # fmt: skip
    assert kept == 0  # what was typed for an unknown account is not kept
    trail = signed_in("admin").get("/ho/audit", action="sign_in.", source="head_office")
    assert trail.status == 200 and "sign_in.failed" in trail.text and "wrong password" in trail.text


def test_an_admin_adds_an_authenticator_app_and_each_code_signs_in_once(
    shop: Shop, browser: Callable[[], Visitor], central_admin: str
) -> None:
    admin = browser()
    assert admin.sign_in(central_admin).status == 303
    token = admin.csrf_token()
    started = admin.post("/ho/account/second-factor/start", token=token)
    assert started.status == 200 and "<svg" in started.text
    found = re.search(r'name="secret" value="([A-Z2-7]{32})"', started.text)
    assert found is not None
    secret = found.group(1)
    assert secret in started.text.split('name="secret"')[0]  # shown to type, too

    wrong = admin.post(
        "/ho/account/second-factor", {"secret": secret, "code": "000000"}, token=token
    )
    assert wrong.status == 400 and "does not match" in wrong.text
    code = pyotp.TOTP(secret).now()
    on = admin.post("/ho/account/second-factor", {"secret": secret, "code": code}, token=token)
    assert on.status == 303 and "Authenticator" in admin.get("/ho/account").text

    assert browser().sign_in(central_admin).status == 401  # the password alone is not enough
    assert browser().sign_in(central_admin, code=code).status == 401  # used to turn it on
    fresh = _next_code(secret)
    assert browser().sign_in(central_admin, code=fresh).status == 303
    assert browser().sign_in(central_admin, code=fresh).status == 401  # once only

    page = f"/ho/users/{user_id(shop, central_admin)}"
    other_admin = browser()
    assert other_admin.sign_in(shop.emails["admin"]).status == 303
    removed = other_admin.post(f"{page}/second-factor/remove", token=other_admin.csrf_token())
    assert removed.status == 303
    assert browser().sign_in(central_admin).status == 303


def _next_code(secret: str) -> str:
    """The code of the step after the current one (one step of drift is accepted)."""
    totp = pyotp.TOTP(secret)
    return totp.at(int(time.time()) + totp.interval)


@pytest.fixture
def central_admin(shop: Shop) -> str:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    create_user(shop.engine, email=email, password=PASSWORD, role="admin", outlet_code=None)
    return email


def test_only_admins_may_add_an_authenticator_app(signed_in: SignIn) -> None:
    analyst = signed_in("analyst")
    assert "Set up an authenticator" not in analyst.get("/ho/account").text
    token = analyst.csrf_token()
    assert analyst.post("/ho/account/second-factor/start", token=token).status == 403


def test_a_user_changes_their_own_password_and_their_other_sessions_end(
    shop: Shop, person: str, browser: Callable[[], Visitor]
) -> None:
    here, elsewhere = browser(), browser()
    assert here.sign_in(person).status == 303 and elsewhere.sign_in(person).status == 303
    token = here.csrf_token()
    wrong = here.post(
        "/ho/account/password",
        {"current": "guess guess guess", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        token=token,
    )
    assert wrong.status == 400 and "current password is not right" in wrong.text
    done = here.post(
        "/ho/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        token=token,
    )
    assert done.status == 303
    assert here.get("/ho/").status == 200  # this session stays
    assert elsewhere.get("/ho/").location == "/ho/login"
    assert browser().sign_in(person, NEW_PASSWORD).status == 303
