"""Head-office accounts from ``sgpos-central``: for the server's administrator, and for the day
the only admin forgot the password or lost the phone."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pyotp
import pytest
from sqlalchemy import Engine, text

from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.users import SignInAttempt, create_user, sign_in

pytestmark = pytest.mark.postgres

CLI = Callable[..., tuple[int, str, str]]
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = central_engine(pg_url, pool_size=2)
    yield eng
    eng.dispose()


@pytest.fixture
def admin(engine: Engine) -> str:
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    create_user(engine, email=email, password=PASSWORD, role="admin", outlet_code=None)
    return email


def signs_in(engine: Engine, email: str, password: str, code: str = "") -> bool:
    attempt = SignInAttempt(email, password, code, "cli-test")
    return sign_in(engine, attempt, now=datetime.now(UTC)) is not None


def test_the_administrator_resets_a_password_deactivates_and_reactivates(
    engine: Engine, admin: str, central_cli: CLI
) -> None:
    new = "the new office passphrase"
    code, out, err = central_cli("reset-password", "--email", admin.upper(), "--password-stdin",
                                 stdin=new + "\n")  # fmt: skip
    assert code == 0, err
    assert f"New password set for {admin}" in out and new not in out + err
    assert not signs_in(engine, admin, PASSWORD) and signs_in(engine, admin, new)

    spare = f"spare-{uuid.uuid4().hex[:8]}@example.com"  # never deactivate the last admin
    create_user(engine, email=spare, password=PASSWORD, role="admin", outlet_code=None)
    assert central_cli("deactivate-user", "--email", admin)[0] == 0
    assert not signs_in(engine, admin, new)
    listed = central_cli("list-users")[1]
    assert any(admin in line and "deactivated" in line for line in listed.splitlines())
    assert central_cli("reactivate-user", "--email", admin)[0] == 0
    assert signs_in(engine, admin, new)
    with engine.connect() as conn:
        edits = conn.execute(
            text(
                "SELECT changed_by, after FROM sgpos.ho_audit WHERE table_name = 'ho_user' "
                "AND after ->> 'email' = :e ORDER BY audit_id"
            ),
            {"e": admin},
        ).all()
    assert [sorted(e.after) for e in edits] == [
        ["email", "password_reset"],
        ["active", "email"],
        ["active", "email"],
    ]
    assert all(e.changed_by.startswith("cli:") for e in edits)


def test_a_lost_phone_is_removed_on_the_server(
    engine: Engine, admin: str, central_cli: CLI
) -> None:
    secret = pyotp.random_base32(32)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE sgpos.ho_user SET totp_secret = :s WHERE email = :e"),
            {"s": secret, "e": admin},
        )
    assert not signs_in(engine, admin, PASSWORD)
    assert signs_in(engine, admin, PASSWORD, pyotp.TOTP(secret).now())
    code, out, err = central_cli("remove-second-factor", "--email", admin)
    assert code == 0 and "password alone" in out, err
    assert signs_in(engine, admin, PASSWORD)
    again = central_cli("remove-second-factor", "--email", admin)
    assert again[0] == 1 and "has no authenticator app" in again[2]


def test_account_commands_refuse_clearly(central_cli: CLI, admin: str) -> None:
    unknown = central_cli("reset-password", "--email", "nobody@example.com", "--password-stdin",
                          stdin=PASSWORD)  # fmt: skip
    assert unknown[0] == 1 and "no head-office user nobody@example.com" in unknown[2]
    short = central_cli("reset-password", "--email", admin, "--password-stdin", stdin="short")
    assert short[0] == 1 and "at least 12" in short[2]
    again = central_cli("reactivate-user", "--email", admin)
    assert again[0] == 1 and "already active" in again[2]
