"""The till's credential for head office: a random secret in ``DIR/till-secret``.

The file is readable by the till's own user only (mode 0600) and is replaced atomically (a
temporary file in the same folder, fsynced, then renamed), so a power cut during enrolment
leaves either the old secret or the new one, never half of one. The secret never goes into a
log or the store: a copy of ``till.sqlite`` taken for support must not let anyone push as this
till.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from shared.logs import get_logger
from till.files import write_atomically
from till.sync.paths import SECRET_FILE

MAX_SECRET_CHARS = 128

log = get_logger("sgpos.sync")


class CredentialError(RuntimeError):
    """The till's credential is missing or unusable; the message says what to do."""


@dataclass(frozen=True)
class Credential:
    till_id: str
    secret: str = field(repr=False)

    def authorization(self) -> str:
        return f"Bearer {self.till_id}:{self.secret}"


def secret_path(data_dir: Path) -> Path:
    return data_dir / SECRET_FILE


def write_secret(data_dir: Path, secret: str) -> Path:
    """Store ``secret`` as the till's credential, replacing any earlier one atomically."""
    _check(secret, where="the secret from head office")
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return write_atomically(secret_path(data_dir), secret + "\n", mode=0o600)


def read_secret(data_dir: Path) -> str:
    """The till's secret; CredentialError if the till has none."""
    path = secret_path(data_dir)
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise CredentialError(
            f"this till has no head-office credential ({path} is missing): enrol it with "
            f"'sgpos-sync --data-dir {data_dir} enroll --central URL --code CODE'"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialError(
            f"the till's credential {path} cannot be read ({exc}); enrol the till again"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Someone widened it (a restore from a USB stick, a careless chmod): narrow it again
        # rather than refuse to sync, and say so.
        os.chmod(path, 0o600)
        log.warning("credential.permissions_tightened", path=str(path), was=oct(mode & 0o777))
    _check(text, where=str(path))
    return text


def _check(secret: str, *, where: str) -> None:
    # It travels in an HTTP header: printable ASCII without spaces, or it would corrupt it.
    if not (0 < len(secret) <= MAX_SECRET_CHARS and secret.isascii() and secret.isprintable()):
        raise CredentialError(f"{where} is not a valid till credential; enrol the till again")
    if any(c.isspace() for c in secret):
        raise CredentialError(f"{where} is not a valid till credential; enrol the till again")
