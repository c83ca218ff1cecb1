"""UI tests: real widgets offscreen, a real till store per test (tests/ui/selling.py)."""

from __future__ import annotations

import os

# Before any Qt import: a test machine has no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from collections.abc import Iterator

import pytest

from tests.ui.selling import TEST_GENERATION


@pytest.fixture(autouse=True)
def _look_outs_end_with_their_test() -> Iterator[None]:
    yield
    TEST_GENERATION[0] += 1
