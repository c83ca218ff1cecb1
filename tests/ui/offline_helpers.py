"""A local port where nothing listens: head office or a printer that is switched off."""

from __future__ import annotations

import socket


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
