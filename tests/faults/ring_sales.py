"""Child process for the crash test: ring sales into a till until killed."""

from __future__ import annotations

import sys
from pathlib import Path

from till.app import open_till
from till.demo import ensure_demo_till
from till.simulate import simulate


def main() -> None:
    data_dir, seed = Path(sys.argv[1]), int(sys.argv[2])
    till = open_till(data_dir)
    cashier, manager = ensure_demo_till(till)
    print("ready", flush=True)
    round_ = 0
    while True:
        round_ += 1
        simulate(till, 5, seed=seed * 1000 + round_, cashier=cashier, manager=manager)


if __name__ == "__main__":
    main()
