"""Doctor on a healthy till, with head office gone, with a printer, with a backlog."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.central_process import running_central
from tests.installer.support import (
    HeadOffice,
    install,
    new_till_code,
    sell,
    sgpos_install,
    sgpos_install_process,
)
from tests.tills import FakeClock

pytestmark = pytest.mark.postgres


def doctor_json(capsys, data_dir: Path) -> tuple[int, dict[str, dict]]:
    ran = sgpos_install(capsys, "doctor", "--data-dir", str(data_dir), "--json")
    body = json.loads(ran.out)
    return ran.code, {c["check"]: c for c in body["checks"]}


def test_doctor_is_all_green_on_a_fresh_till(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "till"
    assert install(capsys, head_office, data_dir, "--no-service")[0].code == 0
    code, checks = doctor_json(capsys, data_dir)
    assert code == 0
    assert {c["status"] for c in checks.values()} == {"green"}
    assert set(checks) == {
        "store integrity",
        "store schema",
        "head office reachable",
        "till credential",
        "clock",
        "unsent events",
        "quarantined events",
        "receipt printer",
        "free disk",
        "log errors (24 h)",
    }
    human = sgpos_install(capsys, "doctor", "--data-dir", str(data_dir))
    assert human.code == 0 and "DONE: every check is green" in human.out


def test_doctor_names_a_dead_network_red_with_its_fix(
    tmp_path: Path, head_office: HeadOffice, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "till"
    # Installed end to end by the real command, as its own process, against a server of its own.
    with running_central(pg_url) as own:
        ran = sgpos_install_process(
            "install",
            "--data-dir",
            str(data_dir),
            "--central",
            own.url,
            "--code",
            head_office.code(new_till_code()),
            "--no-service",
        )
        assert ran.code == 0, ran.out
        assert "DONE: the till" in ran.out
    # The server is gone now: the network is dead as far as the till can tell.
    code, checks = doctor_json(capsys, data_dir)
    assert code == 2
    dead = checks["head office reachable"]
    assert dead["status"] == "red"
    assert f"cannot reach head office at {own.url}: connection refused" in dead["found"]
    assert "check the network" in dead["fix"]
    assert checks["till credential"]["status"] == "amber"
    assert checks["store integrity"]["status"] == "green"
    human = sgpos_install(capsys, "doctor", "--data-dir", str(data_dir))
    assert human.code == 2
    assert "[RED  ] head office reachable" in human.out and "→ check the network" in human.out


@pytest.fixture
def listening_printer() -> Iterator[int]:
    """A TCP port that accepts connections like a network printer (and never answers)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    server.close()


def test_doctor_checks_the_printer_set_at_install(
    tmp_path: Path,
    head_office: HeadOffice,
    capsys: pytest.CaptureFixture[str],
    listening_printer: int,
) -> None:
    data_dir = tmp_path / "till"
    printer = f"127.0.0.1:{listening_printer}"
    ran = install(capsys, head_office, data_dir, "--no-service", "--outlet-printer", printer)[0]
    assert ran.code == 0, ran.out
    assert 'kind = "network"' in (data_dir / "till.toml").read_text()
    _, checks = doctor_json(capsys, data_dir)
    assert checks["receipt printer"]["status"] == "green"
    assert printer in checks["receipt printer"]["found"]

    text = (data_dir / "till.toml").read_text().replace(str(listening_printer), "1")
    (data_dir / "till.toml").write_text(text)
    code, checks = doctor_json(capsys, data_dir)
    assert code == 2 and checks["receipt printer"]["status"] == "red"
    assert "does not answer" in checks["receipt printer"]["found"]


def test_doctor_shows_an_old_backlog_red(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "till"
    assert install(capsys, head_office, data_dir, "--no-service")[0].code == 0
    sell(data_dir, 2, clock=FakeClock())  # rung on 1 March 2025, never sent since
    code, checks = doctor_json(capsys, data_dir)
    assert code == 2
    backlog = checks["unsent events"]
    assert backlog["status"] == "red"
    assert backlog["found"].startswith("5 waiting, the oldest for")  # shift, 2 sales, audit
    assert backlog["found"].split("for ")[1].endswith("days")
    assert "sgpos-sync --data-dir DIR once" in backlog["fix"]
