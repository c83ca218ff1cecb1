"""Moving average cost per product per outlet, and the cost each stock movement is booked at.

Every stored movement passes through ``book`` once, in the order head office stores them
(docs/stock.md, "The cost method"):

- Goods **in with a cost** (a delivery, a transfer taken in at the sender's cost, a refund at
  the cost the goods were sold at) are booked at that cost and move the average:
  ``(on hand x average + quantity x cost) / (on hand + quantity)``. Into stock at or below
  zero (sold before it was received) the average becomes the cost of what came in: the goods
  already sold were costed when they were sold.
- Goods **in without a cost** (found, a count over, a till from before costs) are booked at
  the average and leave it as it is.
- Goods **out** (a sale, damaged, a count short, a transfer sent) are booked at the average.
- Where an outlet has no average yet, the product's catalogue cost price stands in (and is
  not stored as the average); with neither, the cost is unknown (None).
- A movement of zero quantity changes nothing.

Averages keep four decimal places and line costs two, rounded half up (as PostgreSQL's
``round``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection, text

from sync_service.central import summaries

UNIT = Decimal("0.0001")  # an average cost per unit keeps four places
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Position:
    """An outlet's stock of one product: on hand, its moving average cost per unit (None
    until goods with a cost came in) and the catalogue cost price that stands in for it."""

    quantity: Decimal
    average: Decimal | None
    fallback: Decimal | None = None

    @property
    def cost(self) -> Decimal | None:
        """What one unit is costed at now."""
        return self.average if self.average is not None else self.fallback


def book(
    position: Position, quantity: Decimal, cost: Decimal | None
) -> tuple[Position, Decimal | None]:
    """``position`` after a movement of ``quantity`` (signed), and the cost per unit the
    movement is booked at. ``cost`` is what goods coming in cost (None: unknown); it is
    ignored for goods going out."""
    if quantity == 0:
        return position, position.cost
    after = position.quantity + quantity
    if quantity < 0 or cost is None:
        return Position(after, position.average, position.fallback), position.cost
    if position.average is None or position.quantity <= 0:
        average = cost
    else:
        total = position.quantity * position.average + quantity * cost
        average = (total / after).quantize(UNIT, ROUND_HALF_UP)
    return Position(after, average, position.fallback), cost


def line_cost(quantity: Decimal, unit_cost: Decimal | None) -> Decimal | None:
    """The cost of a line: quantity x cost per unit, to the cent."""
    return None if unit_cost is None else (quantity * unit_cost).quantize(CENT, ROUND_HALF_UP)


def lock_positions(
    conn: Connection, outlet_id: uuid.UUID, products: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Position]:
    """The outlet's positions in ``products``, their rows locked until the transaction ends
    (created at zero where missing), taken in key order as every server takes them."""
    ordered = sorted(set(products), key=lambda p: p.int)
    rows = conn.execute(
        text(
            """
            WITH locked AS (
              INSERT INTO sgpos.stock_on_hand (outlet_id, product_id, quantity)
              SELECT :outlet, u.p, 0
                FROM unnest(CAST(:products AS uuid[])) WITH ORDINALITY AS u(p, i)
               ORDER BY u.i
              ON CONFLICT (outlet_id, product_id)
              DO UPDATE SET quantity = sgpos.stock_on_hand.quantity
              RETURNING product_id, quantity, average_cost)
            SELECT l.product_id, l.quantity, l.average_cost, p.cost_price
              FROM locked l LEFT JOIN sgpos.product p ON p.product_id = l.product_id
            """
        ),
        {"outlet": outlet_id, "products": ordered},
    )
    return {r.product_id: Position(r.quantity, r.average_cost, r.cost_price) for r in rows}


def store_positions(
    conn: Connection, outlet_id: uuid.UUID, positions: dict[uuid.UUID, Position]
) -> None:
    """Write back positions taken with ``lock_positions``."""
    if not positions:
        return
    ordered = sorted(positions.items(), key=lambda pp: pp[0].int)
    conn.execute(
        text(
            """
            UPDATE sgpos.stock_on_hand h SET quantity = v.q, average_cost = v.a
              FROM unnest(CAST(:p AS uuid[]), CAST(:q AS numeric[]), CAST(:a AS numeric[]))
                   AS v(p, q, a)
             WHERE h.outlet_id = :outlet AND h.product_id = v.p
            """
        ),
        {
            "outlet": outlet_id,
            "p": [p for p, _ in ordered],
            "q": [pos.quantity for _, pos in ordered],
            "a": [pos.average for _, pos in ordered],
        },
    )


# --- costing the whole ledger again (back fill) ------------------------------------------------

RECOST_PAGE = 20_000  # movements read, and costs written, per round trip


@dataclass(frozen=True)
class Recosted:
    """What ``recost`` went through: movements, sale lines and refund lines costed, and the
    outlet positions given their average."""

    movements: int
    sale_lines: int
    refund_lines: int
    positions: int


def recost(conn: Connection) -> Recosted:
    """Cost every stored movement again from the start of the ledger, in the order it was
    stored (``movement_id``), by ``book``'s rule; then every sale and refund line, every
    outlet's average and the cost columns of the breakdown summaries. For rows stored before
    costs were kept (migration 0015_cost), or after a correction of a cost price. Takes the
    stock table's lock for the transaction, so pushes wait until it commits: run it when the
    shops are closed."""
    conn.execute(text("LOCK TABLE sgpos.stock_on_hand IN EXCLUSIVE MODE"))
    fallback = dict(
        conn.execute(text("SELECT product_id, cost_price FROM sgpos.product")).tuples().all()
    )
    # A refund's movement is keyed "<refund id>:<position>"; the line it refunds, if known.
    refunded = {
        f"{refund_id}:{position}": line_id
        for refund_id, position, line_id in conn.execute(
            text("SELECT refund_id, position, line_id FROM sgpos.refund_line")
        )
    }
    wanted_lines = {str(line) for line in refunded.values() if line is not None}
    sold_at: dict[str, Decimal | None] = {}  # the refunded lines' cost per unit
    sent_at: dict[tuple[str, uuid.UUID], Decimal | None] = {}  # a transfer's out, per product
    positions: dict[tuple[uuid.UUID, uuid.UUID], Position] = {}
    counts = {"movements": 0, "sale": 0, "refund": 0}
    last = 0
    while True:
        page = conn.execute(
            text(
                "SELECT movement_id, outlet_id, product_id, quantity, reason, source, detail, "
                "reference, unit_cost FROM sgpos.stock_movement WHERE movement_id > :last "
                "ORDER BY movement_id LIMIT :n"
            ),
            {"last": last, "n": RECOST_PAGE},
        ).all()
        if not page:
            break
        booked_rows: list[tuple[int, Decimal | None]] = []
        sale_rows: list[tuple[str, Decimal | None]] = []
        refund_rows: list[tuple[str, Decimal, Decimal | None]] = []
        for m in page:
            key = (m.outlet_id, m.product_id)
            position = positions.get(key) or Position(Decimal(0), None, fallback.get(m.product_id))
            cost_in: Decimal | None = None
            if m.reason == "received":
                cost_in = m.unit_cost
            elif m.reason == "transfer" and (m.detail or "").startswith("in:"):
                cost_in = sent_at.get((m.reference, m.product_id), m.unit_cost)
            elif m.reason == "refund":
                line = refunded.get(m.source)
                cost_in = sold_at.get(str(line)) if line is not None else None
            positions[key], booked = book(position, m.quantity, cost_in)
            booked_rows.append((m.movement_id, booked))
            if m.reason == "transfer" and m.quantity < 0:
                sent_at.setdefault((m.reference, m.product_id), booked)
            elif m.reason == "sale":
                sale_rows.append((m.source, booked))
                if m.source in wanted_lines:
                    sold_at[m.source] = booked
            elif m.reason == "refund":
                refund_rows.append((m.source, m.quantity, booked))
        _write_recosted(conn, booked_rows, sale_rows, refund_rows)
        counts["movements"] += len(booked_rows)
        counts["sale"] += len(sale_rows)
        counts["refund"] += len(refund_rows)
        last = page[-1].movement_id
    ordered = list(positions.items())
    for start in range(0, len(ordered), RECOST_PAGE):
        chunk = ordered[start : start + RECOST_PAGE]
        conn.execute(
            text(
                "UPDATE sgpos.stock_on_hand h SET average_cost = v.a FROM unnest("
                "CAST(:o AS uuid[]), CAST(:p AS uuid[]), CAST(:a AS numeric[])) AS v(o, p, a) "
                "WHERE h.outlet_id = v.o AND h.product_id = v.p"
            ),
            {
                "o": [o for (o, _), _ in chunk],
                "p": [p for (_, p), _ in chunk],
                "a": [pos.average for _, pos in chunk],
            },
        )
    # The breakdowns read cost from the summaries: their cost columns follow the lines'.
    summaries.recost_summaries(conn)
    return Recosted(counts["movements"], counts["sale"], counts["refund"], len(positions))


def _write_recosted(
    conn: Connection,
    booked: list[tuple[int, Decimal | None]],
    sales: list[tuple[str, Decimal | None]],
    refunds: list[tuple[str, Decimal, Decimal | None]],
) -> None:
    conn.execute(
        text(
            "UPDATE sgpos.stock_movement m SET cost = v.c FROM unnest(CAST(:i AS bigint[]), "
            "CAST(:c AS numeric[])) AS v(i, c) WHERE m.movement_id = v.i"
        ),
        {"i": [i for i, _ in booked], "c": [c for _, c in booked]},
    )
    if sales:
        conn.execute(
            text(
                "UPDATE sgpos.sale_line l SET unit_cost = v.c, "
                "cost = round(l.quantity * v.c, 2) FROM unnest(CAST(:l AS uuid[]), "
                "CAST(:c AS numeric[])) AS v(l, c) WHERE l.line_id = v.l"
            ),
            {"l": [uuid.UUID(s) for s, _ in sales], "c": [c for _, c in sales]},
        )
    if refunds:
        conn.execute(
            text(
                "UPDATE sgpos.refund_line r SET cost = round(r.quantity * v.c, 2) "
                "FROM unnest(CAST(:r AS uuid[]), CAST(:p AS int[]), CAST(:c AS numeric[])) "
                "AS v(r, p, c) WHERE r.refund_id = v.r AND r.position = v.p"
            ),
            {
                "r": [uuid.UUID(s.split(":")[0]) for s, _, _ in refunds],
                "p": [int(s.split(":")[1]) for s, _, _ in refunds],
                "c": [c for _, _, c in refunds],
            },
        )
