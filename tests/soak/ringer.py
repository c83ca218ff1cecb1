"""A till's cashier for the soak: sign in with the PINs head office sent down and ring sales
(and the simulator's few refunds) into the till's own store until killed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from shared.demo_catalogue import DEMO_STAFF
from till.app import open_till
from till.simulate import simulate


def main() -> None:
    data_dir, seed, pace_s = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    till = open_till(data_dir)
    cashier, manager = (
        till.staff.sign_in(m.code, m.pin)
        for m in (next(s for s in DEMO_STAFF if s.role == role) for role in ("cashier", "manager"))
    )
    print("ready", flush=True)
    sale = 0
    while True:
        sale += 1
        simulate(till, 1, seed=seed * 100_000 + sale, cashier=cashier, manager=manager)
        time.sleep(pace_s)


if __name__ == "__main__":
    main()
