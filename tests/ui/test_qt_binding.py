"""The Qt binding under the till must not corrupt the interpreter it runs in."""

from __future__ import annotations

import sys

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QPoint


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from CPython 3.12")
def test_void_qt_calls_leave_none_refcount_alone() -> None:
    # PySide6 6.12.0 on CPython 3.11 released one reference to None per void-returning call;
    # a till died hours into a shift with "Fatal Python error: none_dealloc". The pin in
    # pyproject.toml keeps 3.11 on 6.11; this says so loudly if a re-lock ever undoes it.
    point = QPoint()
    before = sys.getrefcount(None)
    for _ in range(1000):
        point.setX(1)
    drift = sys.getrefcount(None) - before
    assert abs(drift) < 10, (
        f"PySide6 {pyside_version} on Python {sys.version.split()[0]} changed the reference"
        f" count of None by {drift} over 1000 void Qt calls: this build of the binding will"
        " crash the till (none_dealloc). Pin PySide6-Essentials to a sound version."
    )
