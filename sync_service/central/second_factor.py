"""An admin's optional second factor: a six-digit code from an authenticator app (RFC 6238).

The shared secret is made by the server, shown once as a QR code and as text to type, and
kept in ``ho_user.totp_secret``. A code is good for its 30-second step and one step either
side (phone clocks drift), and signs in once: the step of the last accepted code is kept and a
code of that step or an earlier one is refused, so a code seen over someone's shoulder is
useless a moment later. The secret and the codes are never logged.
"""

from __future__ import annotations

import hmac
import io
import re
from datetime import datetime, timedelta

import pyotp
import qrcode
import qrcode.image.svg

STEP = timedelta(seconds=30)
ISSUER = "SG-POS head office"
_CODE = re.compile(r"\d{6}")


def new_secret() -> str:
    """160 random bits, base32: what the authenticator app is given."""
    return pyotp.random_base32(32)


def is_secret(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z2-7]{32}", text))


def setup_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step ``code`` belongs to (now, or one step either side); None if none."""
    typed = "".join(code.split())
    if not _CODE.fullmatch(typed):
        return None
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        at = now + drift * STEP
        if hmac.compare_digest(totp.at(at), typed):
            return int(totp.timecode(at))
    return None


def qr_svg(text: str) -> str:
    """``text`` as an inline SVG QR code (the dashboard runs no script and loads no image)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML declaration: it is part of an HTML page
