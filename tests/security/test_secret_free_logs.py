"""No log line of a failing request shows a secret: run a real ``sgpos-central serve``, make
requests fail inside PostgreSQL with errors whose very text quotes the user's email and
session tokens, and grep everything the server wrote (console and JSON file) for the email,
the passwords typed, the CSRF tokens and the session token."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
import pytest

from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.users import create_user
from tests.e2e.central_process import CentralProcess, running_central
from tests.e2e.support_tills import CHILD_ENV
from tests.migrations.central_support import fresh_database

pytestmark = pytest.mark.postgres

EMAIL = "finance.lead@example.com"
PASSWORD = "Kopi-O kosong 2 sugar"
NEW_PASSWORD = "Teh tarik kurang manis"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

# Errors raised inside the database that quote what a careless error message would: the
# account's email and every session's tokens, in the exception's own text.
LEAKY_SESSION_INSERT = """
CREATE FUNCTION pg_temp_leak() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  RAISE EXCEPTION 'boom: no session for % (csrf %)',
    (SELECT email FROM sgpos.ho_user WHERE user_id = NEW.user_id), NEW.csrf_token;
END $$
"""


@dataclass
class Browser:
    """Just enough of a browser: cookies kept, forms posted, nothing followed."""

    central: CentralProcess
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.central.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return answer.status, answer.read().decode()
        finally:
            conn.close()

    def sign_in(self, email: str, password: str) -> int:
        _, page = self.request("GET", "/ho/login")
        token = _TOKEN.search(page)
        assert token is not None
        form = {"csrf_token": token.group(1), "email": email, "password": password}
        return self.request("POST", "/ho/login", form)[0]


@pytest.fixture
def database(pg_server: str) -> Iterator[str]:
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        engine = central_engine(url, pool_size=1)
        create_user(engine, email=EMAIL, password=PASSWORD, role="admin", outlet_code=None)
        engine.dispose()
        yield url


def run_sql(url: str, sql: str) -> None:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def install(url: str, function: str, table: str, when: str) -> None:
    run_sql(
        url,
        function.replace("pg_temp_leak", "sgpos.test_leak")
        + f"; CREATE TRIGGER test_leak {when} ON sgpos.{table} FOR EACH ROW "
        "EXECUTE FUNCTION sgpos.test_leak()",
    )


def uninstall(url: str, table: str) -> None:
    run_sql(url, f"DROP TRIGGER test_leak ON sgpos.{table}; DROP FUNCTION sgpos.test_leak()")


def test_a_failing_request_logs_its_traceback_without_one_secret(
    database: str, tmp_path: Path
) -> None:
    json_log = tmp_path / "central.json"
    env = {**CHILD_ENV, "SGPOS_LOG_FILE": str(json_log)}
    with running_central(database, tmp_path, env=env) as central:
        browser = Browser(central)

        # 1. Signing in fails inside the database, in an error quoting the email and the
        # new session's CSRF token.
        install(database, LEAKY_SESSION_INSERT, "ho_session", "BEFORE INSERT")
        assert browser.sign_in(EMAIL, PASSWORD) == 500
        login_token = browser.cookies["sgpos_ho_login"]
        uninstall(database, "ho_session")

        # 2. Signed in, changing the password fails the same way, quoting the CSRF tokens.
        assert browser.sign_in(EMAIL, PASSWORD) == 303
        session = browser.cookies["sgpos_ho"]
        status, page = browser.request("GET", "/ho/account")
        csrf = _TOKEN.search(page)
        assert status == 200 and csrf is not None
        install(
            database,
            LEAKY_SESSION_INSERT.replace(
                "(SELECT email FROM sgpos.ho_user WHERE user_id = NEW.user_id), NEW.csrf_token",
                "NEW.email, (SELECT string_agg(csrf_token, ',') FROM sgpos.ho_session)",
            ),
            "ho_user",
            "BEFORE UPDATE",
        )
        form = {
            "csrf_token": csrf.group(1),
            "current": PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        }
        status, page = browser.request("POST", "/ho/account/password", form)
        assert status == 500 and "nothing was changed" in page
        uninstall(database, "ho_user")
        console = central.log_path.read_text()

    written = console + json_log.read_text()
    # The failures were logged, tracebacks and the database's own words included ...
    assert written.count("dashboard.page_failed") >= 2 and "Traceback" in written
    assert "boom: no session for ***" in written
    assert "locals" not in written  # no frame's local variables in any traceback
    # ... and not one secret with them.
    for name, secret in {
        "email": EMAIL,
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "sign-in form token": login_token,
        "session token": session,
        "CSRF token": csrf.group(1),
    }.items():
        assert secret not in written, f"the {name} is in the server's log"
