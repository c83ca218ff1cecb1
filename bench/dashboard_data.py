"""A year of trading for 20 outlets (>= 10 million sale lines), generated once in SQL.

The data goes through no till: ``INSERT ... SELECT`` over ``generate_series`` writes sales,
lines, tenders, refunds (1 in 97 sales, refunded the next day at the rate charged), stock
movements and audit chains (sealed in Python with ``shared.audit``, since the hash is the
point). The dashboard summaries are then filled from those facts by migrations 0003's and
0021's fill statements (run per outlet and week), exactly what ingest would have added up, and
each chain's verified mark is set by verifying it. Every transaction is kept short: a writing
transaction holds back the pull cursor of every database on the server.

Shape: 20 outlets x 2 tills, 366 days from 2023-10-01 (the GST rate moves from 8% to 9% on
2024-01-01), 456 sales per outlet and day with 1-5 lines (3 on average): 3.34 million sales
and 10.0 million lines. A marker row written last says the dataset is complete.
"""

from __future__ import annotations

import io
import json
import os
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg2
from alembic.script import ScriptDirectory

from shared.audit import GENESIS_HASH, append, verify_chain
from sync_service.central.db import central_engine
from sync_service.central.migrate import alembic_config, upgrade_central
from sync_service.central.seed import seed_demo

# SGPOS_BENCH_DASHBOARD_SCALE="OUTLETSxDAYSxSALESxPRODUCTS" (e.g. "2x30x50x300") builds a small
# data set into a database of its own, to check the benchmark runs before the long build.
_SCALE = os.environ.get("SGPOS_BENCH_DASHBOARD_SCALE", "20x366x456x5000")
try:
    OUTLETS, DAYS, SALES_PER_DAY, PRODUCTS = (int(n) for n in _SCALE.lower().split("x"))
except ValueError:
    raise SystemExit(
        f"SGPOS_BENCH_DASHBOARD_SCALE={_SCALE!r}: write it as OUTLETSxDAYSxSALESxPRODUCTS, "
        "for example 2x30x50x300"
    ) from None
FULL_SCALE = _SCALE == "20x366x456x5000"
TILLS_PER_OUTLET = 2
FIRST_DAY = date(2023, 10, 1)
AUDIT_PER_TILL_DAY = 40
ACTIONS = ("staff.signed_in", "sale.line_discount", "drawer.opened", "sale.refunded")
DATASET = f"v1:{OUTLETS}x{DAYS}x{SALES_PER_DAY}x{PRODUCTS}"
# Days per transaction: every transaction that writes holds back the pull cursor of every
# database on the server (docs/sync.md), so the load is cut into sub-second transactions.
CHUNK_DAYS = 7


def is_complete(url: str) -> bool:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('public.bench_dataset') IS NOT NULL")
        if not _one(cur):
            return False
        cur.execute("SELECT count(*) FROM public.bench_dataset WHERE name = %s", (DATASET,))
        done = bool(_one(cur))
    conn.close()
    return done


def _one(cur: Any) -> Any:
    row = cur.fetchone()
    assert row is not None
    return row[0]


# Lines of one outlet's year; sale numbers run per outlet, the till is k % 2.
_LINES = """
CREATE TEMP TABLE lines ON COMMIT DROP AS
SELECT md5('l:' || %(o)s || ':' || d || ':' || k || ':' || pos)::uuid AS line_id,
       md5('s:' || %(o)s || ':' || d || ':' || k)::uuid AS sale_id,
       d, k, pos, p.product_id, p.sku, p.name, p.price,
       (1 + (k + pos) %% 3)::numeric AS quantity,
       p.price * (1 + (k + pos) %% 3) AS amount, p.tax_code,
       CASE WHEN p.tax_code <> 'SR' THEN 0
            WHEN %(first)s::date + d < date '2024-01-01' THEN 8 ELSE 9 END AS gst_rate
FROM generate_series(%(d0)s, %(d1)s - 1) AS d,
     generate_series(0, %(sales)s - 1) AS k,
     LATERAL generate_series(0, k %% 5) AS pos,
     public.bench_product AS p
WHERE p.idx = (k * 7919 + pos * 104729 + d * 31 + %(o)s * 131) %% %(products)s
"""

_SALES = """
INSERT INTO sgpos.sale
SELECT s.sale_id, t.till_id, o.outlet_id,
       o.code || '-T0' || (s.k %% 2 + 1) || '-' || lpad((s.d * %(sales)s + s.k + 1)::text, 7, '0'),
       md5('shift:' || %(o)s || ':' || s.d || ':' || s.k %% 2)::uuid,
       c.staff_id, s.sold_at, %(first)s::date + s.d,
       s.total, 0, s.total, s.gst, s.rounding,
       CASE WHEN s.k %% 20 < 10 AND s.k %% 3 = 0
            THEN ceil((s.total + s.rounding) / 10) * 10 - (s.total + s.rounding) ELSE 0 END,
       NULL
FROM (
    SELECT sale_id, d, k, sum(amount) AS total, sum(gst) AS gst,
           CASE WHEN k %% 20 < 10 THEN round(sum(amount) * 20) / 20 - sum(amount) ELSE 0 END
               AS rounding,
           ((%(first)s::date + d) + time '08:00' + k * interval '100 seconds')
               AT TIME ZONE 'Asia/Singapore' AS sold_at
    FROM (SELECT *, round(amount * gst_rate / (100 + gst_rate), 2) AS gst FROM lines) AS x
    GROUP BY sale_id, d, k
) AS s
JOIN public.bench_outlet AS o ON o.o = %(o)s
JOIN public.bench_till AS t ON t.o = %(o)s AND t.t = s.k %% 2
JOIN public.bench_staff AS c ON c.o = %(o)s AND c.c = s.k %% 3
"""

_SALE_LINES = """
INSERT INTO sgpos.sale_line
SELECT line_id, sale_id, pos, product_id, sku, name, quantity, price, price, 0, 0, amount,
       tax_code, gst_rate, round(amount * gst_rate / (100 + gst_rate), 2), NULL
FROM lines
"""

_TENDERS = """
INSERT INTO sgpos.tender
SELECT s.sale_id, 0, 'sale',
       (ARRAY['cash','cash','cash','cash','cash','cash','cash','cash','cash','cash',
              'card','card','card','card','nets','nets','nets','paynow','paynow','voucher']
       )[1 + (substr(s.receipt_no, length(s.receipt_no) - 6)::int - 1) %% %(sales)s %% 20],
       s.total + s.rounding + s.change, NULL, NULL, NULL
FROM sgpos.sale AS s WHERE s.outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
  AND s.business_date >= %(first)s::date + %(d0)s AND s.business_date < %(first)s::date + %(d1)s
"""

_REFUNDS = """
INSERT INTO sgpos.refund
SELECT md5('r:' || s.sale_id)::uuid, s.till_id, s.outlet_id,
       split_part(s.receipt_no, '-', 1) || '-' || split_part(s.receipt_no, '-', 2) || '-'
           || (10000000 + split_part(s.receipt_no, '-', 3)::int),
       s.sale_id, s.receipt_no, false, 'faulty', s.shift_id, s.cashier_id, NULL,
       s.sold_at + interval '1 day', s.business_date + 1, s.total, s.gst_total,
       round(s.total * 20) / 20 - s.total
FROM sgpos.sale AS s
WHERE s.outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
  AND (substr(s.receipt_no, length(s.receipt_no) - 6)::int - 1) %% 97 = 0
  AND s.business_date < %(first)s::date + %(days)s - 1
  AND s.business_date >= %(first)s::date + %(d0)s AND s.business_date < %(first)s::date + %(d1)s
"""

_REFUND_REST = [
    """
INSERT INTO sgpos.refund_line
SELECT r.refund_id, l.position, l.line_id, l.product_id, l.name, l.quantity, l.amount, l.gst,
       l.gst_rate, l.tax_code
FROM sgpos.refund AS r JOIN sgpos.sale_line AS l ON l.sale_id = r.original_sale_id
WHERE r.outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
  AND r.business_date > %(first)s::date + %(d0)s AND r.business_date <= %(first)s::date + %(d1)s
""",
    """
INSERT INTO sgpos.tender
SELECT refund_id, 0, 'refund', 'cash', total + rounding, NULL, NULL, NULL
FROM sgpos.refund WHERE outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
  AND business_date > %(first)s::date + %(d0)s AND business_date <= %(first)s::date + %(d1)s
""",
    """
INSERT INTO sgpos.stock_movement (outlet_id, product_id, quantity, reason, source, till_id,
                                  moved_at)
SELECT r.outlet_id, l.product_id, l.quantity, 'refund', r.refund_id || ':' || l.position,
       r.till_id, r.refunded_at
FROM sgpos.refund AS r JOIN sgpos.refund_line AS l ON l.refund_id = r.refund_id
WHERE r.outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
  AND r.business_date > %(first)s::date + %(d0)s AND r.business_date <= %(first)s::date + %(d1)s
""",
]

_SALE_STOCK = """
INSERT INTO sgpos.stock_movement (outlet_id, product_id, quantity, reason, source, till_id,
                                  moved_at)
SELECT o.outlet_id, l.product_id, -l.quantity, 'sale', l.line_id::text, t.till_id,
       ((%(first)s::date + l.d) + time '08:00' + l.k * interval '100 seconds')
           AT TIME ZONE 'Asia/Singapore'
FROM lines AS l
JOIN public.bench_outlet AS o ON o.o = %(o)s
JOIN public.bench_till AS t ON t.o = %(o)s AND t.t = l.k %% 2
"""


_FILLS: tuple[str, ...] = (
    # Migration 0003's fills, one outlet and a few days at a time.
    """
INSERT INTO sgpos.sales_by_hour
SELECT outlet_id, business_date, hour, sum(sc), sum(st), sum(sg), sum(sr),
       sum(rc), sum(rt), sum(rg), sum(rr)
FROM (
    SELECT outlet_id, business_date,
           extract(hour from (sold_at AT TIME ZONE 'UTC') + interval '8 hours')::smallint
               AS hour,
           1 AS sc, total AS st, gst_total AS sg, rounding AS sr, 0 AS rc, 0 AS rt, 0 AS rg,
           0 AS rr
    FROM sgpos.sale WHERE outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
      AND business_date >= %(first)s::date + %(d0)s AND business_date < %(first)s::date + %(d1)s
    UNION ALL
    SELECT outlet_id, business_date,
           extract(hour from (refunded_at AT TIME ZONE 'UTC') + interval '8 hours')::smallint,
           0, 0, 0, 0, 1, total, gst_total, rounding
    FROM sgpos.refund
    WHERE outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
      AND business_date >= %(first)s::date + %(d0)s AND business_date < %(first)s::date + %(d1)s
) AS facts
GROUP BY outlet_id, business_date, hour
""",
    """
INSERT INTO sgpos.sales_by_tax
SELECT outlet_id, business_date, tax_code, gst_rate, sum(sa), sum(sg), sum(ra), sum(rg)
FROM (
    SELECT s.outlet_id, s.business_date, l.tax_code, l.gst_rate,
           l.amount AS sa, l.gst AS sg, 0 AS ra, 0 AS rg
    FROM sgpos.sale_line AS l JOIN sgpos.sale AS s ON s.sale_id = l.sale_id
    WHERE s.outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
      AND s.business_date >= %(first)s::date + %(d0)s
      AND s.business_date < %(first)s::date + %(d1)s
    UNION ALL
    SELECT r.outlet_id, r.business_date, l.tax_code, l.gst_rate, 0, 0, l.amount, l.gst
    FROM sgpos.refund_line AS l JOIN sgpos.refund AS r ON r.refund_id = l.refund_id
    WHERE r.outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
      AND r.business_date >= %(first)s::date + %(d0)s
      AND r.business_date < %(first)s::date + %(d1)s
) AS facts
GROUP BY outlet_id, business_date, tax_code, gst_rate
""",
    """
INSERT INTO sgpos.sales_by_tender
SELECT outlet_id, business_date, tender_type, sum(sa), sum(ra)
FROM (
    SELECT s.outlet_id, s.business_date, t.type AS tender_type, t.amount AS sa, 0 AS ra
    FROM sgpos.tender AS t JOIN sgpos.sale AS s ON s.sale_id = t.document_id
    WHERE s.outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
      AND s.business_date >= %(first)s::date + %(d0)s
      AND s.business_date < %(first)s::date + %(d1)s
    UNION ALL
    SELECT outlet_id, business_date, 'cash', -change, 0 FROM sgpos.sale
    WHERE change <> 0
      AND outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
      AND business_date >= %(first)s::date + %(d0)s AND business_date < %(first)s::date + %(d1)s
    UNION ALL
    SELECT r.outlet_id, r.business_date, t.type, 0, t.amount
    FROM sgpos.tender AS t JOIN sgpos.refund AS r ON r.refund_id = t.document_id
    WHERE r.outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
      AND r.business_date >= %(first)s::date + %(d0)s
      AND r.business_date < %(first)s::date + %(d1)s
) AS facts
GROUP BY outlet_id, business_date, tender_type
""",
)

_OUTLET = "(SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)"
_DAYS = "business_date >= %(first)s::date + %(d0)s AND business_date < %(first)s::date + %(d1)s"
# Migration 0021's fills (the breakdown summaries, goods only), one outlet and a few days at
# a time; its month rollup one outlet at a time, from the day rows just filled. Taken from the
# revision itself, so the data set is summed by the same statements as a head office.
_GOODS = (
    ScriptDirectory.from_config(alembic_config()).get_revision("0021_goods_only_summaries").module
)
_CHUNK = {
    "sales": f"s.outlet_id = {_OUTLET} AND s.{_DAYS}",
    "refunds": f"r.outlet_id = {_OUTLET} AND r.{_DAYS}",
}
_FILLS += (
    _GOODS.FILL_SALES_BY_ITEM.format_map(_CHUNK),
    _GOODS.FILL_SALES_BY_STAFF.format_map(_CHUNK),
)
_MONTHS = _GOODS.FILL_SALES_BY_ITEM_MONTH.format(items=f"outlet_id = {_OUTLET}")

_ON_HAND = """
INSERT INTO sgpos.stock_on_hand
SELECT outlet_id, product_id, sum(quantity) FROM sgpos.stock_movement
WHERE outlet_id = (SELECT outlet_id FROM public.bench_outlet WHERE o = %(o)s)
GROUP BY outlet_id, product_id
"""


def _commit(conn: Any) -> None:
    conn.commit()
    # A gap between transactions, so the pulls of whoever shares the server get through.
    time.sleep(0.02)


def _setup(cur: Any) -> None:
    cur.execute(
        "CREATE TABLE public.bench_dataset (name text PRIMARY KEY, finished_at timestamptz)"
    )
    cur.execute(
        "CREATE TABLE public.bench_product AS SELECT (row_number() OVER (ORDER BY sku)) - 1 AS idx,"
        " product_id, sku, name, price, tax_code FROM sgpos.product"
    )
    cur.execute("CREATE UNIQUE INDEX ON public.bench_product (idx)")
    cur.execute("SELECT company_id FROM sgpos.company LIMIT 1")
    company = _one(cur)
    cur.execute("CREATE TABLE public.bench_outlet (o int, outlet_id uuid, code text)")
    cur.execute("CREATE TABLE public.bench_till (o int, t int, till_id uuid)")
    cur.execute("CREATE TABLE public.bench_staff (o int, c int, staff_id uuid)")
    for o in range(OUTLETS):
        outlet_id, code = uuid.uuid5(uuid.NAMESPACE_URL, f"bench:outlet:{o}"), f"B{o:02d}"
        cur.execute(
            "INSERT INTO sgpos.outlet (outlet_id, company_id, code, name, address_lines,"
            " gst_reg_no, gst_rounding, cash_rounding, discount_limit_percent, variance_limit,"
            " paynow_uen, receipt_footer) SELECT %s, %s, %s, 'Bench Outlet ' || %s, address_lines,"
            " gst_reg_no, gst_rounding, cash_rounding, discount_limit_percent, variance_limit,"
            " paynow_uen, receipt_footer FROM sgpos.outlet WHERE code = 'ORC'",
            (str(outlet_id), str(company), code, code),
        )
        cur.execute(
            "INSERT INTO public.bench_outlet VALUES (%s, %s, %s)", (o, str(outlet_id), code)
        )
        for t in range(TILLS_PER_OUTLET):
            till_id = uuid.uuid5(uuid.NAMESPACE_URL, f"bench:till:{o}:{t}")
            cur.execute(
                "INSERT INTO sgpos.till (till_id, outlet_id, code, secret_hash, status) "
                "VALUES (%s, %s, %s, repeat('0', 64), 'active')",
                (str(till_id), str(outlet_id), f"T0{t + 1}"),
            )
            cur.execute("INSERT INTO public.bench_till VALUES (%s, %s, %s)", (o, t, str(till_id)))
        for c in range(3):
            staff_id = uuid.uuid5(uuid.NAMESPACE_URL, f"bench:staff:{o}:{c}")
            cur.execute(
                "INSERT INTO sgpos.staff (staff_id, code, display_name, role, pin_hash, active)"
                " VALUES (%s, %s, %s, 'cashier', 'x', true)",
                (str(staff_id), f"B{o:02d}C{c}", f"Cashier {c + 1} of {code}"),
            )
            cur.execute(
                "INSERT INTO sgpos.staff_outlet VALUES (%s, %s)", (str(staff_id), str(outlet_id))
            )
            cur.execute("INSERT INTO public.bench_staff VALUES (%s, %s, %s)", (o, c, str(staff_id)))


def _audit_chains(conn: Any, cur: Any) -> int:
    cur.execute("SELECT o, t, till_id FROM public.bench_till ORDER BY o, t")
    tills = cur.fetchall()
    written = 0
    for _, _, till_id in tills:
        buf = io.StringIO()
        previous = None
        start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 0, 0, tzinfo=UTC)
        chain = []
        for d in range(DAYS):
            for n in range(AUDIT_PER_TILL_DAY):
                at = start + timedelta(days=d, minutes=10 * n + 5)
                action = ACTIONS[n % len(ACTIONS)]
                previous = append(
                    previous,
                    till_id=str(till_id),
                    epoch=1,
                    occurred_at=at,
                    actor=None,
                    action=action,
                    subject=f"bench {d}:{n}",
                    after={"n": n, "amount": "1.50"},
                )
                chain.append(previous)
                r = previous.to_dict()
                buf.write(
                    "\t".join(
                        [
                            r["till_id"],
                            "1",
                            str(r["seq"]),
                            r["occurred_at"],
                            "\\N",
                            r["action"],
                            r["subject"],
                            "\\N",
                            _json(r["after"]),
                            r["prev_hash"],
                            r["hash"],
                        ]
                    )
                    + "\n"
                )
        assert verify_chain(chain).ok  # the mark ingest would have left: verified to the head
        buf.seek(0)
        cur.copy_expert(
            "COPY sgpos.audit_record (till_id, epoch, seq, occurred_at, actor, action, subject,"
            " before, after, prev_hash, hash) FROM STDIN",
            buf,
        )
        cur.execute(
            "INSERT INTO sgpos.audit_chain_check (till_id, epoch, verified_seq, verified_hash,"
            " head_seq) VALUES (%s, 1, %s, %s, %s)",
            (str(till_id), chain[-1].seq, chain[-1].hash, chain[-1].seq),
        )
        _commit(conn)
        written += len(chain)
    return written


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True).replace("\\", "\\\\")


def generate(url: str, log: Any = print) -> dict[str, Any]:
    """Build the dataset into the (empty or half-built, then wiped) database at ``url``."""
    started = time.perf_counter()
    upgrade_central(url)
    engine = central_engine(url, pool_size=1)
    seed_demo(engine, products=PRODUCTS)
    engine.dispose()
    conn = psycopg2.connect(url)
    conn.autocommit = False
    cur = conn.cursor()
    # Bulk load: no per-row triggers or foreign-key checks (the data is consistent by
    # construction), and no waiting for the disk on every commit.
    cur.execute("SET session_replication_role = replica")
    cur.execute("SET synchronous_commit = off")
    cur.execute("SET work_mem = '256MB'")
    _setup(cur)
    conn.commit()
    params = {"first": FIRST_DAY, "days": DAYS, "sales": SALES_PER_DAY, "products": PRODUCTS}
    chunks = [(d, min(d + CHUNK_DAYS, DAYS)) for d in range(0, DAYS, CHUNK_DAYS)]
    for o in range(OUTLETS):
        t0 = time.perf_counter()
        for d0, d1 in chunks:
            p = {**params, "o": o, "d0": d0, "d1": d1}
            for statement in (_LINES, _SALES, _SALE_LINES, _SALE_STOCK, _TENDERS, _REFUNDS):
                cur.execute(statement, p)
            for statement in _REFUND_REST:
                cur.execute(statement, p)
            _commit(conn)
        log(f"outlet {o + 1}/{OUTLETS} in {time.perf_counter() - t0:.0f} s")
    cur.execute(
        "INSERT INTO sgpos.stock_movement"
        " (outlet_id, product_id, quantity, reason, source, moved_at)"
        " SELECT o.outlet_id, p.product_id, 400, 'received', 'bench:' || o.o || ':' || p.idx,"
        " %s::timestamptz FROM public.bench_outlet o CROSS JOIN public.bench_product p",
        (datetime(2023, 9, 30, tzinfo=UTC),),
    )
    _commit(conn)
    log("summaries")
    for o in range(OUTLETS):
        cur.execute(_ON_HAND, {"o": o})
        _commit(conn)
        for d0, d1 in chunks:
            for statement in _FILLS:
                cur.execute(statement, {"o": o, "first": FIRST_DAY, "d0": d0, "d1": d1})
            _commit(conn)
        cur.execute(_MONTHS, {"o": o})
        _commit(conn)
    log("audit chains")
    records = _audit_chains(conn, cur)
    cur.execute("INSERT INTO public.bench_dataset VALUES (%s, now())", (DATASET,))
    conn.commit()
    conn.autocommit = True
    log("vacuum analyze")
    cur.execute("VACUUM ANALYZE")
    cur.execute("SELECT count(*) FROM sgpos.sale_line")
    lines = _one(cur)
    cur.execute("SELECT pg_database_size(current_database())")
    size = _one(cur)
    conn.close()
    return {
        "sale_lines": lines,
        "audit_records": records,
        "database_gb": round(size / 1e9, 2),
        "generated_in_s": round(time.perf_counter() - started),
        "genesis": GENESIS_HASH[:4],
    }
