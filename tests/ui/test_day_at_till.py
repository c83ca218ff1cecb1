"""A cashier's whole day at the real till in one process (tests/ui/day.py).

``SGPOS_DAY_SALES`` sets how many sales (2,000 by default), ``SGPOS_DAY_SEED`` replays a day
(each run picks and prints a seed otherwise), and ``SGPOS_DAY_SAVE=1`` saves the figures as
``bench/results/day_at_till.json`` (``make soak`` runs 10,000 sales that way).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from pytestqt.qtbot import QtBot

from bench.common import save_result, summary
from tests.ui.day import Day
from tests.ui.selling import running_till


def test_a_whole_day_at_the_till(qtbot: QtBot, tmp_path: Path) -> None:
    sales = int(os.environ.get("SGPOS_DAY_SALES") or 2000)
    seed = int(os.environ.get("SGPOS_DAY_SEED") or random.SystemRandom().randrange(2**32))
    print(f"a day at the till: {sales} sales; replay with SGPOS_DAY_SEED={seed}")
    with running_till(qtbot, tmp_path / "till") as till:
        figures = Day(qtbot, till, seed).run(sales)
    result = figures.summary(seed)
    if os.environ.get("SGPOS_DAY_SAVE") == "1":
        save_result("day_at_till", result)
    else:
        print(summary("day_at_till", result))
    assert figures.sales >= sales  # and the carts still parked at closing time
