"""Typed configuration shared by every SG-POS process.

Each process (till, sync agent, central server, installer) declares one settings class derived
from :class:`SgposSettings`, builds one instance at start-up with :meth:`SgposSettings.load` and
passes it down; nothing reads configuration from module globals. Precedence, highest first:
command-line overrides, ``SGPOS_``-prefixed environment variables, the TOML file, defaults.
"""

from __future__ import annotations

import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# The file to read is chosen per call of ``load``; pydantic-settings builds its sources in a
# classmethod, so the path travels there in a context variable rather than in class state.
_config_file: ContextVar[Path | None] = ContextVar("sgpos_config_file", default=None)


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message says which and why."""


class SgposSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SGPOS_", extra="forbid")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _config_file.get()
        if path is None:
            return (init_settings, env_settings)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, path))

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> Self:
        """Build the process's settings; ``overrides`` are command-line values (None = unset)."""
        if config_file is not None:
            _check_toml(config_file)
        token = _config_file.set(config_file)
        try:
            return cls(**{k: v for k, v in overrides.items() if v is not None})
        finally:
            _config_file.reset(token)

    def for_logging(self) -> dict[str, Any]:
        """The settings as JSON-safe values with every secret and URL password masked."""
        values = self.model_dump(mode="json")  # SecretStr fields dump as '**********'
        return {k: _mask(v) for k, v in values.items()}


def _check_toml(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist; create it") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None


def _mask(value: Any) -> Any:
    return mask_url(value) if isinstance(value, str) and "://" in value else value


def mask_url(url: str) -> str:
    """``postgresql://u:secret@h/db`` → ``postgresql://u:***@h/db``; other URLs unchanged."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
