"""Soak rounds: ring sales on every till while a seeded random plan of faults hits the fleet,
heal everything, time until every till's outbox is acknowledged, and check what head office
holds (``tests.soak.checks``). Prints each round's figures and a summary; saves the summary as
JSON with ``bench.common.save_result``.

    python -m tests.soak [--rounds N] [--seed S] [--phase-s 60] [--faults 6]

The seed (``--seed``, else ``SGPOS_SOAK_SEED``, else a random one, printed) decides the fleet
(2–4 tills, 1–2 servers) and every round's plan; a round's plan is replayed by its seed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.common import RESULTS_DIR, save_result
from tests.soak.checks import TillVerdict, check_till, store_mark
from tests.soak.faults import KINDS, Active, Injector, Planned, plan_round
from tests.soak.fleet import Fleet, running_fleet

DRAIN_GOAL_S = 60.0  # DESIGN.md §8: a till is drained within a minute of the network healing
DRAIN_LIMIT_S = 180.0  # how long a round waits before it calls the till stuck


@dataclass
class RoundResult:
    round: int
    seed: int
    plan: list[str]
    effects: list[str]
    faults: dict[str, int]
    sales: int
    heal_to_drained_s: float | None
    tills: list[TillVerdict]
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return sum(t.lost for t in self.tills)

    @property
    def doubled(self) -> int:
        return sum(t.doubled for t in self.tills)

    def line(self) -> str:
        drained = "never" if self.heal_to_drained_s is None else f"{self.heal_to_drained_s:.1f} s"
        return (
            f"round {self.round} (seed {self.seed}): {self.sales} sales, "
            f"{sum(self.faults.values())} faults "
            f"({', '.join(f'{k} {v}' for k, v in sorted(self.faults.items()))}); "
            f"lost {self.lost}, doubled {self.doubled}, "
            f"quarantined {sum(t.quarantined for t in self.tills)} "
            f"(poison {sum(t.poison for t in self.tills)}); heal→drained {drained}; "
            f"{'OK' if not self.problems else f'{len(self.problems)} PROBLEMS'}"
        )


def central_sales(fleet: Fleet) -> int:
    with fleet.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM sgpos.sale WHERE till_id::text = ANY(:t)"),
                {"t": [t.till_id for t in fleet.tills]},
            ).scalar_one()
        )


def run_round(
    fleet: Fleet,
    round_no: int,
    seed: int,
    *,
    phase_s: float,
    faults: int,
    kinds: list[str] | None = None,
) -> RoundResult:
    rng = random.Random(seed)
    plan = plan_round(
        rng,
        tills=len(fleet.tills),
        servers=len(fleet.servers),
        phase_s=phase_s,
        faults=faults,
        kinds=kinds,
    )
    print(f"round {round_no} (seed {seed}): " + "; ".join(p.describe() for p in plan), flush=True)
    problems: list[str] = []
    marks = {t.index: store_mark(t) for t in fleet.tills}
    rewound = {p.target for p in plan if p.kind in ("restore", "replace")}
    before = central_sales(fleet)
    for till in fleet.tills:
        fleet.start_agent(till)
        fleet.start_ringer(till)

    injector = Injector(fleet, rng, round_no)
    healed_faults: list[Active] = []

    def heal(fault: Active) -> None:
        fault.heal()
        healed_faults.append(fault)

    timeline: list[tuple[float, int, Planned]] = sorted(
        [(p.at, 1, p) for p in plan] + [(p.ends, 0, p) for p in plan],
        key=lambda e: (e[0], e[1]),
    )
    active: dict[Planned, Active] = {}
    start = time.monotonic()
    for at, starting, planned in timeline:
        time.sleep(max(0.0, start + at - time.monotonic()))
        try:
            if starting:
                active[planned] = injector.start(planned)
            elif planned in active:
                heal(active.pop(planned))
        except Exception as exc:  # noqa: BLE001 - the harness's own trouble: reported, go on
            problems.append(f"{planned.describe()}: {exc!r}")
            traceback.print_exc()
    time.sleep(max(0.0, start + phase_s - time.monotonic()))
    for planned in list(active):
        try:
            heal(active.pop(planned))
        except Exception as exc:  # noqa: BLE001 - as above
            problems.append(f"healing {planned.describe()}: {exc!r}")
            traceback.print_exc()
    injector.wait_background()
    problems += injector.failures
    effects = [  # what each fault did, as far as it can tell (after background work ended)
        f"{f.planned.describe()}: {', '.join(f'{k} {v}' for k, v in sorted(f.notes.items()))}"
        for f in healed_faults
        if f.notes
    ]

    # Healed: every fault is over, every process is back. The cashiers stop ringing, so
    # "drained" has a fixed end: every event each till has committed is acknowledged.
    for till in fleet.tills:
        fleet.kill_ringer(till, signal.SIGTERM)
    healed = time.monotonic()
    drained: float | None = None
    while time.monotonic() - healed < DRAIN_LIMIT_S:
        if all(t.pending() == 0 for t in fleet.tills):
            drained = time.monotonic() - healed
            break
        for till in fleet.tills:
            if till.agent is not None and till.agent.poll() is not None:
                problems.append(
                    f"till {till.index}'s agent exited by itself ({till.agent.returncode})"
                )
                fleet.start_agent(till)
        time.sleep(0.2)
    if drained is None:
        pending = {t.index: t.pending() for t in fleet.tills}
        problems.append(f"not drained {DRAIN_LIMIT_S:g} s after the heal: pending {pending}")
    elif drained > DRAIN_GOAL_S:
        problems.append(f"drained {drained:.1f} s after the heal, more than {DRAIN_GOAL_S:g} s")
    for till in fleet.tills:
        fleet.kill_agent(till, signal.SIGTERM)

    verdicts = [
        check_till(fleet.engine, t, None if t.index in rewound else marks[t.index])
        for t in fleet.tills
    ]
    for verdict in verdicts:
        problems.extend(verdict.problems)
    result = RoundResult(
        round=round_no,
        seed=seed,
        plan=[p.describe() for p in plan],
        effects=effects,
        faults=dict(Counter(p.kind for p in plan)),
        sales=central_sales(fleet) - before,
        heal_to_drained_s=None if drained is None else round(drained, 2),
        tills=verdicts,
        problems=problems,
    )
    print(result.line(), flush=True)
    for effect in effects:
        print(f"  {effect}", flush=True)
    for problem in problems:
        print(f"  PROBLEM: {problem}", flush=True)
    return result


def summarise(results: list[RoundResult], *, seed: int, tills: int, servers: int) -> dict[str, Any]:
    drains = sorted(r.heal_to_drained_s for r in results if r.heal_to_drained_s is not None)
    faults: Counter[str] = Counter()
    for r in results:
        faults.update(r.faults)
    return {
        "seed": seed,
        "tills": tills,
        "servers": servers,
        "rounds": len(results),
        "sales": sum(r.sales for r in results),
        "faults": sum(faults.values()),
        "faults_by_kind": dict(sorted(faults.items())),
        "lost": sum(r.lost for r in results),
        "doubled": sum(r.doubled for r in results),
        "poison_added": sum(t.poison for t in results[-1].tills) if results else 0,
        "quarantined": sum(t.quarantined for t in results[-1].tills) if results else 0,
        "abandoned_with_dead_stores": sum(t.abandoned for t in results[-1].tills) if results else 0,
        "heal_to_drained_s": {
            "max": drains[-1] if drains else None,
            "p50": drains[(len(drains) - 1) // 2] if drains else None,
            "not_drained": len(results) - len(drains),
        },
        "problems": [p for r in results for p in r.problems],
        "per_round": [
            {
                **{k: v for k, v in asdict(r).items() if k != "tills"},
                "lost": r.lost,
                "doubled": r.doubled,
            }
            for r in results
        ],
    }


def soak(
    db_url: str,
    work: Path,
    *,
    rounds: int,
    seed: int,
    phase_s: float,
    faults: int,
    kinds: list[str] | None = None,
    results_dir: Path = RESULTS_DIR,
) -> dict[str, Any]:
    shape = random.Random(seed)
    tills, servers = shape.randint(2, 4), shape.randint(1, 2)
    print(
        f"soak seed {seed} (SGPOS_SOAK_SEED={seed} replays it): {tills} tills, {servers} "
        f"servers, {rounds} rounds of {phase_s:g} s with {faults} faults",
        flush=True,
    )
    results: list[RoundResult] = []
    with running_fleet(db_url, work, tills=tills, servers=servers, seed=seed) as fleet:
        for round_no in range(1, rounds + 1):
            results.append(
                run_round(
                    fleet,
                    round_no,
                    seed * 1000 + round_no,
                    phase_s=phase_s,
                    faults=faults,
                    kinds=kinds,
                )
            )
    summary = summarise(results, seed=seed, tills=tills, servers=servers)
    save_result("soak_sync", summary, directory=results_dir)
    return summary


def seed_from_environment() -> int:
    given = os.environ.get("SGPOS_SOAK_SEED")
    return int(given) if given else random.SystemRandom().randrange(1, 1_000_000)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--seed", type=int, default=None, help="default: SGPOS_SOAK_SEED or random")
    p.add_argument("--phase-s", type=float, default=60.0, help="seconds of faults per round")
    p.add_argument("--faults", type=int, default=6, help="faults planned per round")
    p.add_argument(
        "--only", default=None, help=f"comma-separated kinds to inject, of: {', '.join(KINDS)}"
    )
    args = p.parse_args(argv)
    kinds = args.only.split(",") if args.only else None
    unknown = sorted(set(kinds or ()) - set(KINDS))
    if unknown:
        p.error(f"unknown fault kinds {unknown}; known: {', '.join(KINDS)}")
    from bench.pg import fresh_database

    seed = args.seed if args.seed is not None else seed_from_environment()
    work = Path(tempfile.mkdtemp(prefix="sgpos-soak-"))
    with fresh_database() as db_url:
        summary = soak(
            db_url,
            work,
            rounds=args.rounds,
            seed=seed,
            phase_s=args.phase_s,
            faults=args.faults,
            kinds=kinds,
        )
    if summary["problems"]:
        print(f"the processes' logs and the tills' stores are kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
