"""Reaching a real receipt printer (network, USB, serial) and saying in plain words what failed.

Every failure of the device, its cable or its network becomes a ``DeviceTrouble`` whose
``problem`` a cashier can act on; the raw error travels along as ``reason`` for the log.
"""

from __future__ import annotations

import contextlib
import errno
import socket
from typing import Literal

import usb.core  # type: ignore[import-untyped]
from escpos.constants import RT_MASK_LOWPAPER, RT_MASK_NOPAPER, RT_MASK_PAPER, RT_STATUS_PAPER
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import Network, Serial, Usb

from till.printing.settings import PrinterSettings, sentence

__all__ = ["DeviceTrouble", "PaperState", "close", "connect", "paper_state", "send"]

PaperState = Literal["ok", "low", "out", "unknown"]
# A printer that reports its status answers DLE EOT within milliseconds; one that never answers
# costs this much once, after which the ReceiptPrinter stops asking.
STATUS_WAIT_S = 0.5
# What can go wrong below us: sockets, pyusb and pyserial errors are all OSErrors; python-escpos
# wraps "cannot open" in its own Error; pyusb without libusb raises NoBackendError (a
# ValueError); python-escpos raises RuntimeError when pyusb or pyserial is missing.
DEVICE_ERRORS = (OSError, EscposError, usb.core.NoBackendError, RuntimeError)


class DeviceTrouble(Exception):
    def __init__(self, problem: str, reason: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.reason = reason


def _cause(exc: BaseException) -> BaseException:
    # python-escpos re-raises "could not open" without chaining the original explicitly;
    # the original is still the implicit context.
    return exc.__context__ or exc.__cause__ or exc


def _opening_problem(settings: PrinterSettings, exc: BaseException) -> str:
    where, cause = settings.where, _cause(exc)
    if settings.kind == "network":
        if isinstance(cause, socket.gaierror):
            return (
                f"The receipt printer address {settings.host!r} is not known on this network. "
                "Check host in the [printer] part of till.toml."
            )
        if isinstance(cause, TimeoutError):
            return (
                f"{sentence(where)} did not answer within {settings.timeout_s:g} s. "
                "Check it is switched on and connected to the network, then press Retry."
            )
        return (
            f"{sentence(where)} does not answer. Check it is switched on and connected, "
            "then press Retry."
        )
    if settings.kind == "usb":
        if isinstance(exc, usb.core.NoBackendError):
            return (
                "USB printing needs libusb, which is missing on this computer. Ask your "
                "technician to install it, or set up the printer as a network printer."
            )
        if isinstance(exc, RuntimeError):
            return f"USB printing is not available on this till: {exc}"
        if getattr(cause, "errno", None) in (errno.EACCES, errno.EPERM):
            return (
                f"This till is not allowed to use {where}. Ask your technician to give the "
                "till's user access to it (a udev rule on Linux), then press Retry."
            )
        return (
            f"{sentence(where)} is not connected. Check the USB cable and that the printer "
            "is switched on, then press Retry."
        )
    return (
        f"{sentence(where)} cannot be opened. Check the cable, that the printer is switched "
        "on and that serial_device in till.toml names the right port, then press Retry."
    )


def connect(settings: PrinterSettings) -> Escpos:
    """An open connection to the configured printer (network, usb or serial)."""
    device: Escpos
    if settings.kind == "network":
        device = Network(
            settings.host, settings.port, timeout=settings.timeout_s, profile=settings.profile
        )
    elif settings.kind == "usb":
        device = Usb(
            settings.usb_vendor_id,
            settings.usb_product_id,
            timeout=int(settings.timeout_s * 1000),  # pyusb counts milliseconds
            profile=settings.profile,
        )
    elif settings.kind == "serial":
        device = Serial(
            settings.serial_device,
            baudrate=settings.baudrate,
            timeout=STATUS_WAIT_S,  # pyserial's read timeout: only status answers are read
            profile=settings.profile,
        )
    else:
        raise ValueError(f"printer kind {settings.kind!r} has no device to connect to")
    try:
        device.open()
        if settings.kind == "serial":
            # Without a write timeout a printer holding flow control would hang the till.
            device.device.write_timeout = settings.timeout_s
    except DEVICE_ERRORS as exc:
        close(device)
        raise DeviceTrouble(
            _opening_problem(settings, exc), f"{exc!r} from {_cause(exc)!r}"
        ) from exc
    return device


def send(device: Escpos, settings: PrinterSettings, job: bytes) -> None:
    """Hand the whole job to the printer; a printer that stops taking data is reported."""
    try:
        # The public methods build a job piece by piece; a job built beforehand (on a Dummy)
        # goes out through the driver's raw write, as python-escpos documents for Dummy output.
        device._raw(job)
    except DEVICE_ERRORS as exc:
        if isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower():
            problem = (
                f"{sentence(settings.where)} stopped taking the print-out. Check it has "
                "paper and its cover is closed, then press Retry."
            )
        else:
            problem = (
                f"The connection to {settings.where} broke while printing. Check the cable or "
                "network and that the printer is switched on, then press Retry."
            )
        raise DeviceTrouble(problem, repr(exc)) from exc


def paper_state(device: Escpos, settings: PrinterSettings) -> PaperState:
    """Ask the printer for its paper sensor (DLE EOT 4); "unknown" if it does not say."""
    sock = device.device if settings.kind == "network" else None
    try:
        if isinstance(sock, socket.socket):
            sock.settimeout(min(STATUS_WAIT_S, settings.timeout_s))
        # query_status rather than paper_status: the latter reads silence as "plenty of paper",
        # and a printer that never answers must be told apart so it is not asked every time.
        answer = device.query_status(RT_STATUS_PAPER)
    except DEVICE_ERRORS:
        # Many printers (and every printer behind some print servers) never answer.
        return "unknown"
    finally:
        if isinstance(sock, socket.socket):
            sock.settimeout(settings.timeout_s)
    if not answer:
        return "unknown"
    sensor = answer[0]
    # Epson's bits: 0x12 always set; 0x0C roll near its end; 0x60 roll end.
    if sensor & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
        return "out"
    if sensor & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
        return "low"
    if sensor & RT_MASK_PAPER == RT_MASK_PAPER:
        return "ok"
    return "unknown"  # not a status byte: better to print than to refuse on noise


def close(device: Escpos) -> None:
    """Close the connection without losing the end of the job."""
    sock = getattr(device, "_device", None)
    if isinstance(sock, socket.socket):
        # Closing a socket with unread input (a late status answer) sends a reset, which can
        # discard the end of a job still in flight: read whatever has arrived first.
        try:
            sock.setblocking(False)
            while sock.recv(4096):
                pass
        except OSError:
            pass  # nothing (more) to read: exactly what we wanted
    # A printer that is gone already leaves nothing to release.
    with contextlib.suppress(*DEVICE_ERRORS):
        device.close()
