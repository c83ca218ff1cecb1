"""A pull's progress depends only on head office's own master-data writers (docs/sync.md).

Other sessions on the same PostgreSQL server, in this database or another, idle in a
transaction or busy in a long statement, must not hold a pull back; and master writers that
overlap in every way a seeded random schedule can make them must never let a cursor pass over
a change that commits later.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from sqlalchemy import Engine, create_engine, text

from sync_service.central.migrate import upgrade_central
from sync_service.central.pull import pull_page
from sync_service.central.tills import TillAuth
from tests.central import add_outlet

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = create_engine(pg_url, pool_size=8)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def till(engine: Engine) -> TillAuth:
    outlet = add_outlet(engine)
    return TillAuth(uuid.uuid4(), outlet.outlet_id, outlet.code, "T01")


def other_database(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


@contextmanager
def idle_in_transaction(url: str) -> Iterator[None]:
    """A session that took a transaction id and a snapshot, then went quiet: a forgotten psql."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_current_xact_id()")
        yield
    finally:
        conn.close()


@contextmanager
def sleeping_statement(url: str, seconds: int = 60) -> Iterator[None]:
    """A statement that runs ``seconds`` inside a transaction that holds an id: a pg_dump."""
    conn = psycopg2.connect(url)
    pid = conn.get_backend_pid()
    started = threading.Event()

    def run() -> None:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_current_xact_id()")
            started.set()
            with contextlib.suppress(psycopg2.Error):  # cancelled below, as the test ends
                cur.execute("SELECT pg_sleep(%s)", (seconds,))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    started.wait(10)
    try:
        yield
    finally:
        with psycopg2.connect(url) as killer, killer.cursor() as cur:
            cur.execute("SELECT pg_cancel_backend(%s)", (pid,))
        killer.close()
        worker.join(10)
        conn.close()


def add_product(engine: Engine, name: str) -> str:
    pid = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sgpos.product (product_id, sku, name, price, tax_code, weighed, "
                "active) VALUES (:p, :sku, :n, 1.50, 'SR', false, true)"
            ),
            {"p": pid, "sku": f"SKU-{pid.hex[:10]}", "n": name},
        )
    return str(pid)


def pull_to_end(engine: Engine, till: TillAuth, cursor: str) -> tuple[str, list[str]]:
    keys: list[str] = []
    while True:
        page = pull_page(engine, till, cursor, 500)
        keys += [c.key for c in page.changes]
        cursor = page.next_cursor
        if not page.has_more:
            return cursor, keys


@pytest.mark.parametrize("where", ["same database", "other database"])
@pytest.mark.parametrize("holder", [idle_in_transaction, sleeping_statement])
def test_a_strangers_open_transaction_does_not_hold_a_pull_back(
    engine: Engine, till: TillAuth, pg_url: str, where: str, holder: object
) -> None:
    url = pg_url if where == "same database" else other_database(pg_url)
    head, _ = pull_to_end(engine, till, "0")
    with holder(url):  # type: ignore[operator]
        pid = add_product(engine, "Price change during a backup")
        started = time.monotonic()
        page = pull_page(engine, till, head, 500)
        took = time.monotonic() - started
        assert [c.key for c in page.changes] == [pid] and not page.has_more
    assert took < 5, f"the pull took {took:.1f} s"


def test_a_held_writer_delays_only_the_writers_behind_it(engine: Engine, till: TillAuth) -> None:
    head, _ = pull_to_end(engine, till, "0")
    with engine.connect() as slow:
        tx = slow.begin()
        slow.execute(
            text("UPDATE sgpos.outlet SET name = name || ' ' WHERE outlet_id = :o"),
            {"o": till.outlet_id},
        )
        # Pulls answer at once while head office's own writer is still open.
        started = time.monotonic()
        cursor, keys = pull_to_end(engine, till, head)
        assert keys == [] and cursor == head and time.monotonic() - started < 5
        tx.commit()
    _, keys = pull_to_end(engine, till, cursor)
    assert keys == [str(till.outlet_id)]


def test_overlapping_writers_never_let_a_cursor_pass_a_change(
    engine: Engine, till: TillAuth
) -> None:
    """Writers that hold their transactions open for random times, while a till pulls without
    pause: every change committed must reach the till, whatever it pulled in between."""
    head, _ = pull_to_end(engine, till, "0")
    rng = random.Random(20261204)
    plans = [[rng.random() * 0.05 for _ in range(12)] for _ in range(4)]
    committed: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def writer(pauses: list[float]) -> None:
        for pause in pauses:
            pids = [uuid.uuid4() for _ in range(rng.randint(1, 3))]
            with engine.begin() as conn:
                for pid in pids:
                    conn.execute(
                        text(
                            "INSERT INTO sgpos.product (product_id, sku, name, price, tax_code, "
                            "weighed, active) VALUES (:p, :s, 'Overlap', 1.00, 'SR', false, true)"
                        ),
                        {"p": pid, "s": f"SKU-{pid.hex[:10]}"},
                    )
                    time.sleep(pause)
            with lock:
                committed.extend(str(p) for p in pids)

    seen: set[str] = set()
    cursors = [head]

    def reader() -> None:
        cursor = head
        while not done.is_set():
            cursor, keys = pull_to_end(engine, till, cursor)
            seen.update(keys)
            cursors.append(cursor)

    threads = [threading.Thread(target=writer, args=(p,)) for p in plans]
    pulling = threading.Thread(target=reader)
    pulling.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    pulling.join()
    _, last = pull_to_end(engine, till, cursors[-1])
    seen.update(last)
    assert len(committed) >= 48
    assert set(committed) <= seen, f"{len(set(committed) - seen)} changes were skipped"
    positions = [0 if c == "0" else int(c.removeprefix("v2.")) for c in cursors]
    assert positions == sorted(positions) and len(set(positions)) > 2


def test_the_sequence_behind_change_ids_hands_out_one_id_at_a_time(engine: Engine) -> None:
    # A cached range per session would hand ids out of commit order (migration 0005).
    with engine.connect() as conn:
        cache = conn.scalar(
            text(
                "SELECT seqcache FROM pg_sequence WHERE seqrelid = "
                "'sgpos.change_log_change_id_seq'::regclass"
            )
        )
    assert cache == 1
