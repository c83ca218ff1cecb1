"""'make demo' decides up front whether the till app can open a window, instead of letting Qt
abort it after head office was set up."""

from __future__ import annotations

import sys

import pytest

from installer.demo import no_display

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="X11 and Wayland are Linux's")


def test_no_display_at_all_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert no_display() == "there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def test_a_display_that_does_not_answer_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":4711")  # no X server listens there
    assert no_display() == "the display ':4711' does not answer"


def test_a_chosen_qt_platform_is_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.delenv("DISPLAY", raising=False)
    assert no_display() is None
