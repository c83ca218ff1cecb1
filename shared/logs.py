"""Logging set-up for every SG-POS process: structlog over the standard library.

JSON lines go to a rotating file (what a technician's support bundle collects), readable lines
to the console. Values under sensitive keys (PINs, passwords, secrets, tokens) are replaced
before any renderer sees them, so no handler can leak them.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import structlog

REDACTED = "***"
_SENSITIVE = re.compile(r"pin|password|passwd|secret|token|credential|authorization", re.I)


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if _SENSITIVE.search(key):
            event_dict[key] = REDACTED
    return event_dict


def configure_logging(
    *,
    log_file: Path | None,
    level: str = "INFO",
    console: bool = True,
    max_bytes: int = 5_000_000,
    backups: int = 5,
) -> None:
    """Route structlog and stdlib logging to a JSON file and/or the console. Idempotent."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_sgpos", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level.upper())

    def attach(handler: logging.Handler, *renderers: Any) -> None:
        handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=shared,
                processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderers],
            )
        )
        handler._sgpos = True  # type: ignore[attr-defined]
        root.addHandler(handler)

    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        attach(
            logging.handlers.RotatingFileHandler(
                log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
            ),
            # Never frame locals in the file: they can hold secrets and payloads.
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(),
        )
    if console:
        attach(logging.StreamHandler(), structlog.dev.ConsoleRenderer(colors=False))


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)
