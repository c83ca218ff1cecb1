"""The desktop launcher and the per-user systemd service of the headless sync agent.

Both are written from the templates in ``installer/templates`` to the user's XDG folders
(``$XDG_DATA_HOME/applications``, ``$XDG_CONFIG_HOME/systemd/user``), so nothing needs root and
tests can point them elsewhere. The service is enabled only where a user systemd answers; on a
machine without one (a container, an old distribution) the installer says how to start the
agent instead.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from installer.files import fill_template
from till.files import write_atomically

UNIT = "sgpos-sync.service"
LAUNCHER = "sgpos-till.desktop"
SYSTEMCTL_TIMEOUT_S = 30
# What `systemctl --user is-system-running` prints when a user manager is there to talk to.
_USER_MANAGER_STATES = {"running", "degraded", "starting", "initializing", "maintenance"}


@dataclass(frozen=True)
class Places:
    unit: Path
    launcher: Path


def places() -> Places:
    return Places(
        unit=platformdirs.user_config_path() / "systemd" / "user" / UNIT,
        launcher=platformdirs.user_data_path() / "applications" / LAUNCHER,
    )


def program(script: str, module: str) -> list[str]:
    """The installed console script beside this Python, or ``python -m module``."""
    beside = Path(sys.executable).with_name(script)
    return [str(beside)] if beside.exists() else [sys.executable, "-m", module]


def sync_command(data_dir: Path, config: Path) -> list[str]:
    agent = program("sgpos-sync", "till.sync.cli")
    return [*agent, "--data-dir", str(data_dir), "--config", str(config), "run"]


def quoted(words: list[str]) -> str:
    """Words for a systemd ``ExecStart=`` or a desktop ``Exec=`` line (both take "…")."""
    out = []
    for word in words:
        if word and all(c.isalnum() or c in "/._-=:+@" for c in word):
            out.append(word)
        else:
            out.append('"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(out)


def write_launcher(data_dir: Path) -> tuple[Path, bool]:
    """The launcher file and whether it changed."""
    text = fill_template(
        LAUNCHER,
        {
            "data_dir": str(data_dir).replace("%", "%%"),
            "till_program": quoted(program("sgpos-till", "till.cli")).replace("%", "%%"),
            "data_dir_arg": quoted([str(data_dir)]).replace("%", "%%"),
        },
    )
    return _write(places().launcher, text, 0o755)


def write_unit(data_dir: Path, config: Path) -> tuple[Path, bool]:
    text = fill_template(
        UNIT,
        {
            "data_dir": str(data_dir),
            "sync_program": quoted(program("sgpos-sync", "till.sync.cli")),
            "data_dir_arg": quoted([str(data_dir)]),
            "config_arg": quoted([str(config)]),
        },
    )
    return _write(places().unit, text, 0o644)


def _write(path: Path, text: str, mode: int) -> tuple[Path, bool]:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path, False
    write_atomically(path, text, mode=mode)
    return path, True


def user_systemd() -> bool:
    """Whether a user systemd answers (not in most containers, nor over plain ``su``)."""
    if shutil.which("systemctl") is None:
        return False
    state = _systemctl("is-system-running")
    return state.stdout.strip() in _USER_MANAGER_STATES


def enable_and_start() -> str | None:
    """Enable and (re)start the unit; None on success, else systemctl's own words."""
    for args in (("daemon-reload",), ("enable", UNIT), ("restart", UNIT)):
        done = _systemctl(*args)
        if done.returncode != 0:
            return (
                done.stderr or done.stdout
            ).strip() or f"systemctl --user {' '.join(args)} failed"
    return None


def stop_and_disable() -> None:
    _systemctl("disable", "--now", UNIT)


def manual_start_hint(data_dir: Path, config: Path) -> str:
    command = quoted(sync_command(data_dir, config))
    return (
        "this machine has no user systemd to run the sync agent as a service; start it at "
        f"login instead (e.g. from the desktop's autostart): {command}"
    )


def refers_to(path: Path, data_dir: Path) -> bool:
    """Whether an installed launcher or unit file is the one for ``data_dir``."""
    try:
        return quoted([str(data_dir)]) in path.read_text(encoding="utf-8")
    except OSError:
        return False


def _systemctl(*args: str) -> subprocess.CompletedProcess[str]:
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        return subprocess.CompletedProcess(["systemctl"], 1, "", "systemctl is not installed")
    try:
        return subprocess.run(  # noqa: S603  (fixed words; only the unit name varies)
            [systemctl, "--user", *args],
            capture_output=True,
            text=True,
            timeout=SYSTEMCTL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(["systemctl"], 1, "", str(exc))
