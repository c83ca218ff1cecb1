"""Installing with bad input: each a clear error naming the fix, and nothing left half-done
(the data folder holds at most the installer's log, and no launcher or service)."""

from __future__ import annotations

import os
import pwd
import resource
import signal
import subprocess
import sys
import tempfile
import traceback
from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.central_process import free_port
from tests.installer.support import (
    ROOT,
    HeadOffice,
    new_till_code,
    sgpos_install,
    sgpos_install_process,
)

pytestmark = pytest.mark.postgres

INSTALL = [sys.executable, "-m", "installer.cli", "install"]


def leftovers(data_dir: Path, xdg_home: Path) -> list[str]:
    """Everything an install left behind apart from its log."""
    found = [p.name for p in data_dir.iterdir() if p.name != "logs"] if data_dir.exists() else []
    found += [str(p) for p in xdg_home.rglob("sgpos-*")]
    return found


def run_install(capsys, data_dir: Path, url: str, code: str):
    return sgpos_install(
        capsys, "install", "--data-dir", str(data_dir), "--central", url, "--code", code
    )


def test_a_wrong_code_is_refused_and_nothing_is_left(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str], xdg_home: Path
) -> None:
    data_dir = tmp_path / "till"
    ran = run_install(capsys, data_dir, head_office.url, "ABCD-EFGH-JKLM")
    assert ran.code == 2
    assert "this enrolment code is not valid; ask head office for a new one" in ran.out
    assert "undone:" in ran.out
    assert leftovers(data_dir, xdg_home) == []
    assert "installer.failed" in (data_dir / "logs" / "installer.log").read_text()

    # A clean retry with a good code works at once.
    retry = run_install(capsys, data_dir, head_office.url, head_office.code(new_till_code()))
    assert retry.code == 0, retry.out


def test_an_expired_code_is_refused_and_nothing_is_left(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str], xdg_home: Path
) -> None:
    data_dir = tmp_path / "till"
    expired = head_office.code(new_till_code(), valid_for=timedelta(seconds=-1))
    ran = run_install(capsys, data_dir, head_office.url, expired)
    assert ran.code == 2
    assert "this enrolment code has expired; ask head office for a new one" in ran.out
    assert leftovers(data_dir, xdg_home) == []


def test_an_unreachable_head_office_stops_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], xdg_home: Path
) -> None:
    data_dir = tmp_path / "till"
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    ran = run_install(capsys, data_dir, url, "ABCD-EFGH-JKLM")
    assert ran.code == 2
    assert f"cannot reach head office at {url}: connection refused" in ran.out
    assert "check the till's network" in ran.out and "nothing was installed" in ran.out
    assert leftovers(data_dir, xdg_home) == []


def test_a_missing_flag_without_a_terminal_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], head_office: HeadOffice
) -> None:
    ran = sgpos_install_process("install", "--data-dir", str(tmp_path / "till"))
    assert ran.code == 2
    assert "--central is missing" in ran.out and "give --central on the command line" in ran.out
    no_code = sgpos_install(
        capsys, "install", "--data-dir", str(tmp_path / "t"), "--central", head_office.url
    )
    assert no_code.code == 2 and "--code is missing" in no_code.out


def test_a_data_folder_under_a_file_is_refused(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str], xdg_home: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    data_dir = blocker / "till"
    ran = run_install(capsys, data_dir, head_office.url, head_office.code(new_till_code()))
    assert ran.code == 2
    assert f"{blocker} is a file, not a folder" in ran.out
    assert "choose another --data-dir" in ran.out
    assert blocker.read_text() == "a file where a folder should be"
    assert leftovers(tmp_path / "nowhere", xdg_home) == []


def test_a_data_folder_this_user_may_not_write_is_refused(
    tmp_path: Path, head_office: HeadOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    # Root writes anywhere, so as root the install runs in a forked child that has become
    # 'nobody' (the checkout and Python stay readable); otherwise the folder is made read-only.
    base = Path(tempfile.mkdtemp(prefix="sgpos-unwritable-"))
    base.chmod(0o755)
    data_dir = base / "till"
    data_dir.mkdir(mode=0o755)
    code = head_office.code(new_till_code())
    argv = ["install", "--data-dir", str(data_dir), "--central", head_office.url, "--code", code]
    try:
        if os.geteuid() == 0:
            code_out = _as_nobody(argv, tmp_path)
        else:
            data_dir.chmod(0o555)
            ran = sgpos_install(capsys, *argv)
            code_out = (ran.code, ran.out)
        exit_code, out = code_out
        assert exit_code == 2, out
        assert f"cannot write in {data_dir}: this user is not allowed to write there" in out
        assert "run as the till's own user" in out
        assert list(data_dir.iterdir()) == []
    finally:
        data_dir.chmod(0o755)
        for p in sorted(base.rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
        base.rmdir()


def _as_nobody(argv: list[str], tmp_path: Path) -> tuple[int, str]:
    from installer.cli import main

    out = tmp_path / "child-output.txt"
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            fh = out.open("w")  # opened as root: nobody may not enter tmp_path
            os.dup2(fh.fileno(), 1)
            os.dup2(fh.fileno(), 2)
            sys.stdout = sys.stderr = fh
            nobody = pwd.getpwnam("nobody")
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            code = main(argv)
            fh.flush()
            os._exit(code)
        except BaseException:  # noqa: BLE001  (the forked child must never return to pytest)
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.read_text() if out.exists() else ""


def test_a_full_disk_stops_the_install_with_nothing_half_done(
    tmp_path: Path, head_office: HeadOffice, xdg_home: Path
) -> None:
    # A real write failure: the installer runs under a 256 KiB file-size limit (SIGXFSZ
    # ignored, so a write past it fails with EFBIG as on a full disk).
    data_dir = tmp_path / "till"
    code = head_office.code(new_till_code())

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    done = subprocess.run(
        [*INSTALL, "--data-dir", str(data_dir), "--central", head_office.url, "--code", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert f"cannot write in {data_dir}: the disk is full" in out
    assert "free some disk space" in out
    assert leftovers(data_dir, xdg_home) == []
