"""A full or read-only disk under a real till: every command says so in plain words.

Each test mounts a small tmpfs of its own (root only; skipped elsewhere), puts a till store on
it, then fills the disk or remounts it read-only and runs the real commands a cashier's
machine or a technician would run. None may print a traceback, blame the store ("cannot be
read as a till store", "damaged"), or point to a log that could not be written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.support_tills import CHILD_ENV, ROOT

BIN = Path(sys.executable).parent
NEVER = ("Traceback", "Logging error", "cannot be read as a till store", "damaged", "details are")


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB file system of this test's own."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **CHILD_ENV, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def fill(mount: Path) -> None:
    with (mount / "filler").open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass


def commands(till: Path) -> list[tuple[str, ...]]:
    return [
        ("sgpos-till", "simulate", "--data-dir", str(till), "--sales", "2"),
        ("sgpos-sync", "--data-dir", str(till), "once"),
        ("sgpos-install", "backup", "--data-dir", str(till)),
    ]


def said(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


@pytest.mark.parametrize("store", ["a till that has traded", "a new till"])
def test_a_full_disk_is_called_full_by_every_command(disk: Path, store: str) -> None:
    till = disk / "till"
    if store == "a till that has traded":
        assert (
            run("sgpos-till", "simulate", "--data-dir", str(till), "--sales", "3").returncode == 0
        )
    fill(disk)
    for argv in commands(till):
        done = run(*argv)
        assert done.returncode != 0, argv
        assert "the disk is full" in said(done), (argv, said(done))
        assert not any(words in said(done) for words in NEVER), (argv, said(done))
    doctor = run("sgpos-install", "doctor", "--data-dir", str(till))
    assert "the disk is full" in said(doctor) and "free disk" in said(doctor)
    assert not any(words in said(doctor) for words in NEVER), said(doctor)


def test_a_read_only_disk_is_called_read_only_by_every_command(disk: Path) -> None:
    till = disk / "till"
    assert run("sgpos-till", "simulate", "--data-dir", str(till), "--sales", "3").returncode == 0
    remount = subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=False)
    assert remount.returncode == 0
    for argv in commands(till):
        done = run(*argv)
        assert done.returncode != 0, argv
        assert "read-only" in said(done).lower(), (argv, said(done))
        assert not any(words in said(done) for words in NEVER), (argv, said(done))
