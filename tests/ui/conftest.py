"""UI tests: real widgets offscreen, a real till store per test (tests/ui/selling.py)."""

from __future__ import annotations

import os

# Before any Qt import: a test machine has no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
