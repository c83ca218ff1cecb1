"""Logging set-up for every SG-POS process: structlog over the standard library.

JSON lines go to a rotating file (what a technician's support bundle collects), readable lines
to the console. Values under sensitive keys (PINs, passwords, secrets, tokens) are replaced
before any renderer sees them, so no handler can leak them. Tracebacks never show frame
locals, in the file or on the console: a handler's locals hold form fields and tokens.

A value can also turn up inside text: a database error quoting the row it refused, an
exception message naming an email. A request handler names the secrets it holds with
:func:`hide_in_logs` (its session and form tokens, the user's email, a typed password), and
every line is searched for them after it is rendered, whatever carried them there.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.handlers
import re
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import structlog

from shared.disk import disk_trouble

REDACTED = "***"
_SENSITIVE = re.compile(r"pin|password|passwd|secret|token|credential|authorization", re.I)
# What the current request (or task) holds that no log line may show; see hide_in_logs.
_HIDDEN: ContextVar[frozenset[str]] = ContextVar("sgpos_hidden_in_logs", default=frozenset())
_SHORTEST_HIDDEN = 4  # shorter values would blot out ordinary words


def hide_in_logs(*values: str | None) -> None:
    """From now on in this request's context, ``values`` appear as ``***`` in every log line."""
    keep = {v for v in values if v and len(v) >= _SHORTEST_HIDDEN}
    if keep - _HIDDEN.get():
        _HIDDEN.set(_HIDDEN.get() | keep)


@contextmanager
def secrets_of_one_request() -> Iterator[None]:
    """Secrets named inside the block are forgotten after it (a keep-alive connection serves
    the next request in the same task)."""
    token = _HIDDEN.set(frozenset())
    try:
        yield
    finally:
        _HIDDEN.reset(token)


def _scrub(_logger: Any, _method: str, rendered: Any) -> Any:
    """The rendered line with every hidden value blotted out, as typed or JSON-escaped."""
    for value in _HIDDEN.get():
        for form in {value, json.dumps(value)[1:-1]}:
            rendered = rendered.replace(form, REDACTED)
    return rendered


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
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *renderers,
                    _scrub,
                ],
            )
        )
        handler._sgpos = True  # type: ignore[attr-defined]
        root.addHandler(handler)

    if log_file is not None:
        with contextlib.suppress(OSError):  # the file's handler reports it, once
            log_file.parent.mkdir(parents=True, exist_ok=True)
        attach(
            LogFile(log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"),
            # Never frame locals in the file: they can hold secrets and payloads.
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(),
        )
    if console:
        # Plain tracebacks: the default (rich's, when installed) prints every frame's locals.
        attach(
            logging.StreamHandler(),
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            ),
        )


class LogFile(logging.handlers.RotatingFileHandler):
    """The process's log file, which a full or read-only disk must not turn into tracebacks
    on every line: the first failure is said once, on stderr, and the file is given up."""

    def __init__(self, path: Path, **kwargs: Any) -> None:
        super().__init__(path, delay=True, **kwargs)  # opened on the first line, inside emit
        self.path = path
        self.broken: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.broken is None:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.broken is not None:
            return
        exc = sys.exc_info()[1]
        self.broken = (disk_trouble(exc) if exc else None) or str(exc)
        print(
            f"sgpos: the log file {self.path} cannot be written ({self.broken}); "
            "carrying on without it",
            file=sys.stderr,
        )


def log_file_in_use() -> Path | None:
    """The log file lines are going to, or None (none configured, or it could not be written):
    what an error message may point a person to."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, LogFile) and handler.broken is None:
            return handler.path
    return None


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)
