"""The till's two settings files in its data folder, as the installer writes them.

- ``till.toml``: the till app's settings (``till.settings.TillSettings``); the installer owns
  only its ``[printer]`` table and keeps whatever else a technician put there;
- ``sync-agent.toml``: the sync agent's settings (``AgentSettings``), written once with the
  defaults spelt out so a technician can see what to tune; an existing file is kept.

Head office's address is not in either: it belongs to the till's identity, written when the
till enrols.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from installer.files import render_toml
from installer.steps import StepFailed
from shared.text import whole_number
from till.files import write_atomically
from till.settings import AGENT_FILE, TILL_FILE, TillSettings
from till.sync.settings import AgentSettings

AGENT_KEYS = (
    "push_batch",
    "push_interval_s",
    "pull_interval_s",
    "request_timeout_s",
    "backoff_base_s",
    "backoff_max_s",
    "probe_interval_s",
    "busy_patience_s",
    "log_level",
)
_AGENT_HEADER = """SG-POS sync agent settings, written by sgpos-install (the defaults, spelt out).
Head office's address comes from the till's enrolment; set central_url only to point this
till at another address without enrolling it again. Restart the agent after a change:
systemctl --user restart sgpos-sync"""
_TILL_HEADER = """SG-POS till settings. sgpos-install manages [printer] (kind, host, port); other
keys (paper_columns, quick_keys, log_level) are yours and are kept."""


def parse_printer(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (or just ``HOST``, port 9100) of a network receipt printer."""
    host, sep, port_text = text.strip().rpartition(":")
    if not sep or "]" in port_text:
        host, port_text = text.strip(), "9100"
    host = host.strip("[]")
    port = whole_number(port_text)
    if not host or port is None or not 1 <= port <= 65535:
        raise ValueError(
            f"{text!r} is not a printer address; give it as HOST:PORT, e.g. 192.168.1.50:9100"
        )
    return host, port


def till_toml(data_dir: Path) -> Path:
    return data_dir / TILL_FILE


def agent_toml(data_dir: Path) -> Path:
    return data_dir / AGENT_FILE


def write_till_settings(data_dir: Path, printer: tuple[str, int] | None) -> str:
    """Write (or update) ``till.toml``; what was done, in words."""
    path = till_toml(data_dir)
    values: dict[str, Any] = _read(path) if path.is_file() else {}
    if printer is not None:
        host, port = printer
        table = dict(values.get("printer") or {})
        table.update(kind="network", host=host, port=port)
        table.setdefault("paper_mm", 80)
        values["printer"] = table
    elif "printer" not in values:
        values["printer"] = {"kind": "none"}
    try:
        TillSettings(**values)
    except ValidationError as exc:
        raise StepFailed(
            f"the till settings would not be valid: {_problems(exc)}",
            f"correct {path} (or the --outlet-printer value) and run again",
        ) from None
    text = render_toml(values, header=_TILL_HEADER)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return f"{path.name} already up to date"
    write_atomically(path, text)
    kind = values["printer"].get("kind", "none")
    where = f" at {values['printer'].get('host')}:{values['printer'].get('port')}"
    return f"{path.name}: printer {kind}{where if kind == 'network' else ''}"


def write_agent_settings(data_dir: Path) -> str:
    path = agent_toml(data_dir)
    if path.is_file():
        try:
            AgentSettings.load(path)
        except (ValidationError, ValueError) as exc:
            raise StepFailed(
                f"{path} exists but the sync agent cannot use it: {exc}",
                "correct it, or move it away to have a fresh one written, then run again",
            ) from None
        return f"{path.name} kept as it is"
    defaults = AgentSettings.model_fields
    values = {key: defaults[key].default for key in AGENT_KEYS}
    write_atomically(path, render_toml(values, header=_AGENT_HEADER))
    return f"{path.name} written"


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StepFailed(
            f"{path} cannot be read as settings ({exc})",
            "correct it, or move it away to have a fresh one written, then run again",
        ) from None


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
    )
