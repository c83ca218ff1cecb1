"""What a stranger probing the server learns from its answers: no software versions, and a
plain 400 (never a 500) for control characters in the dashboard's addresses."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

import pytest

from sync_service.central.migrate import upgrade_central
from tests.e2e.central_process import CentralProcess, running_central
from tests.e2e.support_tills import CHILD_ENV

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def central(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralProcess]:
    upgrade_central(pg_url)
    with running_central(pg_url, tmp_path_factory.mktemp("visitor"), env=CHILD_ENV) as server:
        yield server


def ask(central: CentralProcess, method: str, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", central.port, timeout=30)
    conn.request(method, path)
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer


def raw(central: CentralProcess, request: bytes) -> str:
    """Whatever the server answers to bytes that are not quite HTTP."""
    with socket.create_connection(("127.0.0.1", central.port), timeout=30) as s:
        s.sendall(request)
        received = b""
        while chunk := s.recv(65536):
            received += chunk
    return received.decode("latin-1")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/health"),
        ("GET", "/v1/pull?cursor=0"),  # no credential: 401
        ("POST", "/v1/push"),
        ("GET", "/nothing/here"),
        ("GET", "/ho/login"),
        ("GET", "/ho/static/style.css"),
        ("GET", "/ho/sales"),  # to the sign-in page
        ("GET", "/ho/nothing"),
    ],
)
def test_no_answer_names_the_software_or_its_version(
    central: CentralProcess, method: str, path: str
) -> None:
    answer = ask(central, method, path)
    assert answer.getheader("Server") == "SG-POS", answer.getheaders()
    headers = " ".join(f"{k}: {v}" for k, v in answer.getheaders()).lower()
    assert "aiohttp" not in headers and "python" not in headers


def test_a_malformed_request_gets_no_version_banner_either(central: CentralProcess) -> None:
    answer = raw(central, b"GET /ho/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert answer.split("\r\n")[0].endswith(" 400 Bad Request"), answer[:200]
    assert "\r\nServer: SG-POS\r\n" in answer
    assert "aiohttp" not in answer.lower() and "python/" not in answer.lower()


def test_a_nul_in_a_dashboard_address_is_a_plain_400(central: CentralProcess) -> None:
    for path in ("/ho/login?next=%00", "/ho/sales?receipt_no=%00", "/ho/login?%00=1"):
        answer = ask(central, "GET", path)
        assert answer.status == 400, path
