"""What head office's server counts for Prometheus (``GET /metrics``).

Request counts and latencies per route, push batch sizes, events by outcome and busy answers
are counted in the process as they happen. Under ``serve --workers N`` every worker writes its
counts to files in ``PROMETHEUS_MULTIPROC_DIR`` and a scrape of any worker adds up all of them
(prometheus_client's multiprocess mode; the client picks the mode when it is first imported,
from that variable, which the supervising parent sets before starting the workers).

The fleet figures (tills by health, each till's backlog and oldest unsent event) are read from
the database at scrape time, in one query with a short statement timeout, so every worker
answers the same and nothing needs keeping in step between them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import Engine, text

from shared.protocol import EventOutcome, PushOk
from sync_service.central.admin.fleet import fleet
from sync_service.central.reports.common import Scope

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# A scrape must not queue behind a slow database: Prometheus would rather miss one.
FLEET_QUERY_TIMEOUT_MS = 2000

REQUESTS = Counter(
    "sgpos_requests",
    "HTTP requests answered, by route, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "sgpos_request_duration_seconds",
    "Time to answer a request, by route",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
BATCH = Histogram(
    "sgpos_push_batch_events",
    "Events per accepted push",
    buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000),
)
EVENTS = Counter("sgpos_push_events", "Events acknowledged to tills, by outcome", ["outcome"])
BUSY = Counter(
    "sgpos_busy_answers",
    "Requests answered 'busy, retry later' (load shed or database unavailable), by route",
    ["route"],
)
for _outcome in EventOutcome:  # every outcome is present from the first scrape, at 0
    EVENTS.labels(outcome=_outcome.value)


def observe_request(route: str, method: str, status: int, seconds: float, busy: bool) -> None:
    REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    LATENCY.labels(route=route).observe(seconds)
    if busy:
        BUSY.labels(route=route).inc()


def observe_push(result: PushOk) -> None:
    BATCH.observe(len(result.results))
    for outcome in EventOutcome:
        n = sum(1 for r in result.results if r.outcome is outcome)
        if n:
            EVENTS.labels(outcome=outcome.value).inc(n)


class FleetCollector(Collector):
    """Tills by health and per-till backlog, read from the database when scraped."""

    def __init__(self, engine: Engine, now: datetime) -> None:
        self.engine, self.now = engine, now

    def collect(self) -> Iterator[Metric]:
        by_health = GaugeMetricFamily(
            "sgpos_tills",
            "Enrolled tills by fleet health (green, amber, red, grey)",
            labels=["health"],
        )
        oldest = GaugeMetricFamily(
            "sgpos_till_oldest_unsent_seconds",
            "Age of the oldest event a till reported still waiting to be sent (0: none)",
            labels=["outlet", "till"],
        )
        backlog = GaugeMetricFamily(
            "sgpos_till_backlog_events",
            "Events a till reported still waiting to be sent at its last push",
            labels=["outlet", "till"],
        )
        seen = GaugeMetricFamily(
            "sgpos_till_last_seen_seconds",
            "Seconds since a till last pushed or pulled",
            labels=["outlet", "till"],
        )
        with self.engine.begin() as conn:
            conn.execute(text(f"SET LOCAL statement_timeout = {FLEET_QUERY_TIMEOUT_MS}"))
            tills = fleet(conn, Scope.everything(), self.now)
        counts = dict.fromkeys(("green", "amber", "red", "grey"), 0)
        for till in tills:
            counts[till.health] += 1
            if till.status != "active":
                continue
            labels = [till.outlet_code, till.till_code]
            waiting = (
                (self.now - till.oldest_pending_at).total_seconds()
                if till.oldest_pending_at is not None
                else 0.0
            )
            oldest.add_metric(labels, max(0.0, waiting))
            backlog.add_metric(labels, float(till.backlog or 0))
            if till.last_seen_at is not None:
                seen.add_metric(labels, (self.now - till.last_seen_at).total_seconds())
        for health, n in counts.items():
            by_health.add_metric([health], n)
        yield from (by_health, oldest, backlog, seen)


def exposition(engine: Engine, now: datetime) -> bytes:
    """The text a scrape gets: this process's (or all workers') counts and the fleet's state.
    Blocking (it queries the database): call it off the event loop."""
    if os.environ.get(MULTIPROC_ENV):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
    else:
        counted = REGISTRY
    from_database = CollectorRegistry()
    from_database.register(FleetCollector(engine, now))
    # Two registries' texts one after the other: their metric names are distinct.
    return generate_latest(counted) + generate_latest(from_database)
