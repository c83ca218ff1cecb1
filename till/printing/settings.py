"""The ``[printer]`` table of the till's ``till.toml``: which receipt printer, how to reach it."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["PrinterKind", "PrinterSettings"]

PrinterKind = Literal["none", "network", "usb", "serial", "dummy"]

# Printable columns per paper width. A 58 mm roll prints 48 mm (384 dots): Font B (9 dots) gives
# 42 columns, Font A only 32. An 80 mm roll prints 72 mm (576 dots): Font A (12 dots) gives 48.
COLUMNS: dict[int, Literal[42, 48]] = {58: 42, 80: 48}
FONT: dict[int, Literal["a", "b"]] = {58: "b", 80: "a"}
# python-escpos profiles of printers sold with a GB18030 Chinese font in their firmware (the
# Chinese-market models); every other printer gets Chinese as a raster picture, which any
# ESC/POS printer prints, unless the settings say "double-byte".
CHINESE_FONT_PROFILES = frozenset({"ZJ-5870", "NT-5890K", "POS-5890", "KR-306", "P822D"})


class PrinterSettings(BaseModel):
    """One receipt printer. ``kind = "none"`` means no printer: the till offers PDFs instead."""

    # Unknown keys are refused: a misspelt ``hots = ...`` would otherwise leave the till silently
    # printing nowhere.
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: PrinterKind = "none"
    host: str | None = None
    port: int = Field(default=9100, ge=1, le=65535)
    usb_vendor_id: int | None = Field(default=None, ge=0, le=0xFFFF)
    usb_product_id: int | None = Field(default=None, ge=0, le=0xFFFF)
    serial_device: str | None = None
    baudrate: int = Field(default=9600, gt=0)
    paper_mm: Literal[58, 80] = 80
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    # Pin 2 is the drawer socket on nearly every printer; a second drawer sits on pin 5.
    drawer_pin: Literal[2, 5] = 2
    # A python-escpos printer profile ("TM-T20II", ...); None = a generic ESC/POS printer.
    profile: str | None = None
    # How Chinese (and other double-width characters) reach the paper: "double-byte" selects
    # the printer's own GB18030 Chinese font (FS &), "raster" prints such lines as a picture
    # (any printer), "auto" picks by profile (CHINESE_FONT_PROFILES, else raster).
    chinese: Literal["auto", "double-byte", "raster"] = "auto"

    @field_validator("usb_vendor_id", "usb_product_id", mode="before")
    @classmethod
    def _hex_text(cls, value: object) -> object:
        # lsusb shows ids as "04b8:0202"; people paste them as text rather than TOML's 0x04b8.
        if isinstance(value, str):
            text = value.strip().lower().removeprefix("0x")
            try:
                return int(text, 16)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not a USB id; write it as in lsusb, e.g. 0x04b8"
                ) from None
        return value

    @field_validator("host", "serial_device", "profile")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _complete_for_kind(self) -> Self:
        if self.kind == "network" and not self.host:
            raise ValueError(
                'a network printer needs host = its IP address, e.g. host = "192.168.1.50"'
            )
        if self.kind == "usb" and (self.usb_vendor_id is None or self.usb_product_id is None):
            raise ValueError(
                "a USB printer needs usb_vendor_id and usb_product_id, as lsusb shows them "
                "(e.g. 04b8:0202 → usb_vendor_id = 0x04b8, usb_product_id = 0x0202)"
            )
        if self.kind == "serial" and not self.serial_device:
            raise ValueError('a serial printer needs serial_device, e.g. "/dev/ttyUSB0" or "COM3"')
        if self.profile is not None:
            _check_profile(self.profile)
        return self

    @property
    def chinese_mode(self) -> Literal["double-byte", "raster"]:
        """How this printer is sent Chinese, "auto" resolved."""
        if self.chinese != "auto":
            return self.chinese
        return "double-byte" if self.profile in CHINESE_FONT_PROFILES else "raster"

    @property
    def columns(self) -> Literal[42, 48]:
        return COLUMNS[self.paper_mm]

    @property
    def where(self) -> str:
        """The printer as a cashier or technician would name it in a message."""
        if self.kind == "network":
            return f"the receipt printer at {self.host}:{self.port}"
        if self.kind == "usb":
            ids = f"{self.usb_vendor_id or 0:04x}:{self.usb_product_id or 0:04x}"
            return f"the USB receipt printer {ids}"
        if self.kind == "serial":
            return f"the receipt printer on {self.serial_device}"
        return "the receipt printer"


def _check_profile(name: str) -> None:
    # Imported here: loading python-escpos's printer database takes a while and most settings
    # never name a profile.
    from escpos.capabilities import CAPABILITIES

    known = sorted(CAPABILITIES["profiles"])
    if name not in known:
        raise ValueError(
            f"printer profile {name!r} is unknown; leave it out for a generic ESC/POS printer "
            f"or use a python-escpos profile name such as {', '.join(known[:8])}"
        )


def sentence(text: str) -> str:
    """``text`` with a capital first letter; str.capitalize would lower-case device names."""
    return text[:1].upper() + text[1:]
