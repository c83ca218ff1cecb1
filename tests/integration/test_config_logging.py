"""Typed configuration from TOML + environment, and logs that never carry secrets."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from shared.config import ConfigError, SgposSettings, mask_url
from shared.logs import configure_logging, get_logger


class DemoSettings(SgposSettings):
    outlet_code: str = "ORC"
    central_url: str | None = None
    db_url: str = "postgresql://sgpos:hunter2@db.example:5432/sgpos"
    till_secret: SecretStr | None = None
    port: int = 8080


def test_precedence_is_flags_then_environment_then_file_then_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "till.toml"
    cfg.write_text('outlet_code = "TPY"\nport = 9000\ncentral_url = "https://ho.example"\n')
    monkeypatch.setenv("SGPOS_PORT", "9100")
    s = DemoSettings.load(cfg, central_url="https://flag.example", outlet_code=None)
    assert s.outlet_code == "TPY"  # file (flag given as None means 'not given')
    assert s.port == 9100  # environment beats file
    assert s.central_url == "https://flag.example"  # flag beats everything
    assert DemoSettings.load().outlet_code == "ORC"  # defaults


def test_bad_configuration_files_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        DemoSettings.load(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("port = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        DemoSettings.load(broken)
    typo = tmp_path / "typo.toml"
    typo.write_text("prot = 1\n")
    with pytest.raises(ValueError, match="prot"):
        DemoSettings.load(typo)


def test_secrets_are_masked_when_settings_are_logged() -> None:
    s = DemoSettings.load(till_secret="s3cr3t-value")
    shown = json.dumps(s.for_logging())
    assert "s3cr3t-value" not in shown and "hunter2" not in shown
    assert "postgresql://sgpos:***@db.example:5432/sgpos" in shown
    assert mask_url("https://ho.example/v1") == "https://ho.example/v1"


def test_logs_are_json_lines_without_pins_or_tokens(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "till.log"
    configure_logging(log_file=log_file, console=False)
    try:
        get_logger("till").info("staff.signed_in", staff="S01", pin="4321", auth_token="tkn-999")
        logging.getLogger("third.party").warning("plain %s", "message")
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
        configure_logging(log_file=None, console=False)  # detach the file handler again
    records = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert records[0]["event"] == "staff.signed_in" and records[0]["staff"] == "S01"
    assert records[0]["pin"] == "***" and records[0]["auth_token"] == "***"
    assert records[1]["event"] == "plain message" and records[1]["level"] == "warning"
    assert "4321" not in log_file.read_text()


def test_an_exception_logged_to_the_file_never_carries_local_variables(tmp_path: Path) -> None:
    log_file = tmp_path / "till.log"
    configure_logging(log_file=log_file, console=False)

    def enrol(secret: str) -> None:
        raise RuntimeError("head office said no")

    try:
        try:
            enrol("s3cr3t-till-secret")
        except RuntimeError:
            get_logger("till").exception("enrolment.failed")
        for handler in logging.getLogger().handlers:
            handler.flush()
    finally:
        configure_logging(log_file=None, console=False)
    text = log_file.read_text()
    assert "head office said no" in text and "enrolment.failed" in text
    assert "s3cr3t-till-secret" not in text


def test_the_printing_library_does_not_echo_the_tills_log_onto_the_console() -> None:
    # python-escpos calls logging.basicConfig() on import; a till must not print its log lines.
    script = (
        "import till.printing, escpos.printer\n"
        "from shared.logs import configure_logging, get_logger\n"
        "configure_logging(log_file=None, console=False)\n"
        "get_logger('sgpos.test').info('should stay out of stderr')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "should stay out of stderr" not in done.stderr
