"""Applying master data pulled from head office: outlets, categories, products, barcodes, staff,
promotions, variants and the outlet's customers.

A pull page is a list of :class:`~shared.protocol.MasterChange`. Every change is validated
against its wire model as the JSON it arrived as, then applied in bulk: executemany into a
staging table and one ``INSERT … ON CONFLICT DO UPDATE`` per chunk (an initial load is 100,000
products; per-row ORM would take minutes). The caller owns the transaction: on
:class:`MasterDataError` it rolls back and the till keeps the catalogue it had, so a bad page
never leaves half a price change behind.

Order within a page: the last change to a key wins; deletes go first, children before parents
(so a SKU or staff code freed by a delete can be reused by an upsert in the same page), then
upserts, parents before children (so a barcode never arrives before its product).

Customers (docs/customers.md, "Members at every till of the outlet"): an upsert of a customer
this till has changed since its last acknowledged push (a ``customer.upserted`` still in the
outbox) is skipped, since head office's copy predates the till's edit; once the edit arrives
head office logs the change and the next pull brings the merged customer. A delete (an
erasure) always applies; a customer a sale or points entry here still names is anonymised in
place instead of removed.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar, cast
from uuid import UUID

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Column, MetaData, Table, delete, or_, select, true, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.logs import get_logger
from shared.money import to_cents
from shared.promotion_wire import PromotionV1
from shared.protocol import (
    MASTER_MODELS,
    BarcodeV1,
    CategoryV1,
    CustomerV1,
    EventKind,
    MasterChange,
    MasterEntity,
    OutletV1,
    ProductV1,
    ProductVariantV1,
    QuarantineOutcomeV1,
    StaffV1,
    VoucherBatchV1,
)
from shared.purchase_wire import PurchaseOrderV1
from till.store.models import (
    Barcode,
    Category,
    Customer,
    MemberPoints,
    OutboxEvent,
    Outlet,
    Product,
    ProductVariant,
    Promotion,
    PurchaseOrder,
    QuarantineOutcome,
    Staff,
    VoucherBatch,
)
from till.store.outbox import unacknowledged
from till.store.types import utc_text

log = get_logger(__name__)

# Records per validation batch and per upsert statement.
CHUNK = 5000
# Page cache while an initial load runs. SQLite's default 2 MiB holds a fraction of the
# indexes 100,000 random product ids touch, and evicted pages are written to the WAL and read
# back; 64 MiB keeps them in memory for the ~10 seconds a first load takes.
LOAD_CACHE_KIB = 64 * 1024

PARENTS_FIRST = (
    MasterEntity.OUTLET,
    MasterEntity.CATEGORY,
    MasterEntity.PRODUCT,
    MasterEntity.BARCODE,
    MasterEntity.STAFF,
    MasterEntity.PROMOTION,
    MasterEntity.PURCHASE_ORDER,
    MasterEntity.VARIANT,
    MasterEntity.VOUCHER_BATCH,
    MasterEntity.QUARANTINE_OUTCOME,
    MasterEntity.CUSTOMER,
)

_T = TypeVar("_T")
Row = tuple[Any, ...]  # one record's column values, as SQLite stores them
_Batch = list[tuple[str, dict[str, Any]]]  # (key as stored, data as sent)

_outlet = cast(Table, Outlet.__table__)
_category = cast(Table, Category.__table__)
_product = cast(Table, Product.__table__)
_barcode = cast(Table, Barcode.__table__)
_staff = cast(Table, Staff.__table__)
_promotion = cast(Table, Promotion.__table__)
_purchase_order = cast(Table, PurchaseOrder.__table__)
_variant = cast(Table, ProductVariant.__table__)
_voucher_batch = cast(Table, VoucherBatch.__table__)
_outcome = cast(Table, QuarantineOutcome.__table__)
_customer = cast(Table, Customer.__table__)
_member_points = cast(Table, MemberPoints.__table__)


class MasterDataError(ValueError):
    """A change from head office that the till cannot apply; names the record and why."""

    def __init__(self, entity: MasterEntity, key: str, reason: str) -> None:
        super().__init__(f"cannot apply {entity.value} {key!r} from head office: {reason}")
        self.entity = entity
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class AppliedCounts:
    """How many changes of each entity were applied (an unchanged upsert still counts)."""

    upserted: Mapping[MasterEntity, int]
    deleted: Mapping[MasterEntity, int]

    @property
    def total(self) -> int:
        return sum(self.upserted.values()) + sum(self.deleted.values())


def apply_changes(session: Session, changes: Sequence[MasterChange]) -> AppliedCounts:
    """Validate and apply ``changes`` in the session's (writer) transaction; no commit here."""
    upserts, deletes = _latest_by_entity(changes)
    if upserts[MasterEntity.CUSTOMER]:
        edited = edited_here(session)
        upserts[MasterEntity.CUSTOMER] = [
            (key, data) for key, data in upserts[MasterEntity.CUSTOMER] if key not in edited
        ]
        taken = _member_numbers_taken(session, upserts[MasterEntity.CUSTOMER])
        upserts[MasterEntity.CUSTOMER] = [
            (key, data) for key, data in upserts[MasterEntity.CUSTOMER] if key not in taken
        ]
    for entity in reversed(PARENTS_FIRST):
        for keys in _chunks(deletes[entity]):
            _DELETERS[entity](session, _checked_keys(entity, keys))
    batches = [(e, batch) for e in PARENTS_FIRST for batch in _chunks(upserts[e])]
    if len(batches) <= 1:
        for entity, batch in batches:
            _write(session, entity, batch, _rows(entity, batch))
    else:
        # An initial load: validate the next chunk on the second core while SQLite (which
        # releases the GIL) writes this one. At most two chunks wait, which bounds memory.
        with (
            _page_cache(session, LOAD_CACHE_KIB),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="master-data") as pool,
        ):
            ahead: deque[tuple[MasterEntity, _Batch, Future[list[Row]]]] = deque()
            todo = iter(batches)
            try:
                while True:
                    while len(ahead) < 2 and (nxt := next(todo, None)) is not None:
                        ahead.append((*nxt, pool.submit(_rows, *nxt)))
                    if not ahead:
                        break
                    entity, batch, rows = ahead.popleft()
                    _write(session, entity, batch, rows.result())
            finally:
                for *_, pending in ahead:
                    pending.cancel()
    if upserts[MasterEntity.CUSTOMER]:
        # Consent withdrawn at head office or another till: the e-mail (never sent down)
        # goes here too, as the till's own withdrawal does.
        withdrawn = [key for key, _ in upserts[MasterEntity.CUSTOMER]]
        for keys in _chunks(withdrawn):
            session.execute(
                update(_customer)
                .where(
                    _customer.c.customer_id.in_(keys),
                    _customer.c.withdrawn_at.is_not(None),
                    _customer.c.email.is_not(None),
                )
                .values(email=None)
            )
    return AppliedCounts(
        upserted={e: len(v) for e, v in upserts.items() if v},
        deleted={e: len(v) for e, v in deletes.items() if v},
    )


def edited_here(session: Session) -> set[str]:
    """Customers with a ``customer.upserted`` this till has not yet had acknowledged."""
    rows = session.execute(
        select(OutboxEvent.payload).where(
            unacknowledged(session), OutboxEvent.kind == EventKind.CUSTOMER_UPSERTED.value
        )
    ).scalars()
    return {str(json.loads(payload)["customer_id"]) for payload in rows}


def _member_numbers_taken(session: Session, batch: _Batch) -> set[str]:
    """Customers whose member number another customer holds here: skipped, not a refused
    page. Only a till restored from a backup that minted a number again can get there (head
    office quarantined that customer); failing the page would stop its catalogue updates."""
    wanted = {
        str(data["member_no"]): key for key, data in batch if isinstance(data.get("member_no"), str)
    }
    taken: set[str] = set()
    for numbers in _chunks(list(wanted)):
        rows = session.execute(
            select(_customer.c.customer_id, _customer.c.member_no).where(
                _customer.c.member_no.in_(numbers)
            )
        )
        for holder, number in rows:
            if holder != wanted[number]:
                taken.add(wanted[number])
                log.warning(
                    "master.customer_skipped",
                    customer_id=wanted[number],
                    reason="another customer on this till holds the member number",
                )
    return taken


@contextmanager
def _page_cache(session: Session, kib: int) -> Iterator[None]:
    """A larger page cache for this connection while a big page loads, then the old size."""
    conn = session.connection()
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _latest_by_entity(
    changes: Sequence[MasterChange],
) -> tuple[dict[MasterEntity, _Batch], dict[MasterEntity, list[str]]]:
    """Upserts and deletes per entity; the last change to a key wins."""
    latest: dict[tuple[MasterEntity, str], MasterChange] = {}
    for change in changes:
        ident = (change.entity, _canonical_key(change.entity, change.key))
        latest.pop(ident, None)  # re-insert, so the order is that of each key's last change
        latest[ident] = change
    upserts: dict[MasterEntity, _Batch] = {e: [] for e in MasterEntity}
    deletes: dict[MasterEntity, list[str]] = {e: [] for e in MasterEntity}
    for (entity, key), change in latest.items():
        if change.op == "delete":
            deletes[entity].append(key)
        elif change.data is None:
            raise MasterDataError(entity, change.key, "an upsert without data")
        else:
            upserts[entity].append((key, change.data))
    return upserts, deletes


# --- validation ---------------------------------------------------------------------------------


def _is_canonical(text: str) -> bool:
    # Cheap on purpose: it runs 200,000 times in an initial load. It is only trusted for text
    # that is also parsed as a UUID, and 36 characters of a valid UUID is the hyphenated form.
    return len(text) == 36 and text == text.lower()


def _uuid_text(raw: Any, parsed: UUID) -> str:
    """The stored form of an id: the text as sent when it is already canonical (the usual
    case, and much cheaper than formatting 100,000 UUIDs), else the parsed UUID's text."""
    return raw if isinstance(raw, str) and _is_canonical(raw) else str(parsed)


def _canonical_key(entity: MasterEntity, key: str) -> str:
    """The key as stored. An upsert's key is then checked against its validated data, and a
    delete's by :func:`_checked_keys`."""
    if entity is MasterEntity.BARCODE or _is_canonical(key):
        return key
    try:
        return str(UUID(key))
    except ValueError:
        raise MasterDataError(entity, key, "the key is not a UUID") from None


def _checked_keys(entity: MasterEntity, keys: list[str]) -> list[str]:
    if entity is not MasterEntity.BARCODE:
        for key in keys:
            try:
                UUID(key)
            except ValueError:
                raise MasterDataError(entity, key, "the key is not a UUID") from None
    return keys


def _json_default(value: object) -> str:
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _is_json(data: dict[str, Any]) -> bool:
    try:
        json.dumps(data, default=_json_default)
    except (TypeError, ValueError):
        return False
    return True


@cache
def _adapter(entity: MasterEntity) -> TypeAdapter[list[Any]]:
    wire_model = MASTER_MODELS[entity]
    return TypeAdapter(list[wire_model])  # type: ignore[valid-type]


def _rows(entity: MasterEntity, batch: _Batch) -> list[Row]:
    """The batch validated as the JSON it arrived as (money as strings), as table rows."""
    try:
        text = json.dumps([data for _, data in batch], default=_json_default)
    except (TypeError, ValueError) as exc:
        bad = next(k for k, d in batch if not _is_json(d))
        raise MasterDataError(entity, bad, f"the data is not JSON ({exc})") from None
    try:
        models: list[Any] = _adapter(entity).validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        index, *path = err["loc"]
        where = ".".join(str(p) for p in path) or "data"
        raise MasterDataError(entity, batch[int(index)][0], f"{where}: {err['msg']}") from None
    kind = _KINDS[entity]
    field = kind.key_field
    rows = []
    for (key, data), model in zip(batch, models, strict=True):
        if data[field] != key and str(getattr(model, field)) != key:
            raise MasterDataError(entity, key, f"the data is for {field} {data[field]!r}")
        rows.append(kind.row(model, key, data))
    return rows


# --- writing ------------------------------------------------------------------------------------

# Rows go through a temporary staging table: a plain executemany into it (no index, no trigger)
# and then one INSERT … SELECT … ON CONFLICT DO UPDATE per chunk. Both halves matter for an
# initial load of 100,000 products: FTS5 flushes its pending index data at the end of every
# statement that fires the product triggers, so one upsert per row spent most of the load in
# the search index; and SQLAlchemy's per-row parameter handling cost more than SQLite itself.


@dataclass(frozen=True)
class _Kind:
    """How one entity is keyed, converted to a row and upserted."""

    table: Table
    key_field: str  # the field of the wire data that must equal the change's key
    columns: tuple[str, ...]  # of each row, in order
    update_columns: tuple[str, ...]  # what an upsert of a known record may change
    row: Callable[[Any, str, dict[str, Any]], Row]  # (model, key as stored, data as sent)


@dataclass(frozen=True)
class _Statements:
    create_stage: str
    fill_stage: str
    upsert: Any
    clear_stage: str


@cache
def _statements(entity: MasterEntity) -> _Statements:
    kind = _KINDS[entity]
    table = kind.table
    name = f"sgpos_stage_{table.name}"
    columns = ", ".join(kind.columns)
    stage = Table(name, MetaData(), *(Column(c) for c in kind.columns), schema="temp")
    stmt = insert(table).from_select(list(kind.columns), select(*stage.c).where(true()))
    # Leave a row alone when nothing in it changed, so a re-pulled catalogue rewrites neither
    # pages nor the search index.
    upsert = stmt.on_conflict_do_update(
        index_elements=[kind.key_field],
        set_={c: stmt.excluded[c] for c in kind.update_columns},
        where=or_(*(table.c[c].is_distinct_from(stmt.excluded[c]) for c in kind.update_columns)),
    )
    # Table and column names below are this module's constants, never data.
    values = ", ".join("?" * len(kind.columns))
    source = f"SELECT {columns} FROM main.{table.name} WHERE 0"  # noqa: S608
    return _Statements(
        create_stage=f"CREATE TEMP TABLE IF NOT EXISTS {name} AS {source}",
        fill_stage=f"INSERT INTO temp.{name} VALUES ({values})",  # noqa: S608
        upsert=upsert,
        clear_stage=f"DELETE FROM temp.{name}",  # noqa: S608
    )


def _outlet_row(m: OutletV1, key: str, data: dict[str, Any]) -> Row:
    settings = m.model_dump(mode="json", exclude={"outlet_id", "code", "name"})
    return (key, m.code, m.name, json.dumps(settings))


def _category_row(m: CategoryV1, key: str, data: dict[str, Any]) -> Row:
    return (key, m.name)


def _product_row(m: ProductV1, key: str, data: dict[str, Any]) -> Row:
    category = None if m.category_id is None else _uuid_text(data["category_id"], m.category_id)
    return (key, m.sku, m.name, to_cents(m.price), m.tax_code, category, m.weighed, m.active)


def _barcode_row(m: BarcodeV1, key: str, data: dict[str, Any]) -> Row:
    return (key, _uuid_text(data["product_id"], m.product_id))


def _staff_row(m: StaffV1, key: str, data: dict[str, Any]) -> Row:
    # New staff start unlocked (0 failed attempts, no lock); for known staff the ON CONFLICT
    # branch never touches those columns, so a re-pull cannot unlock someone who just failed
    # their PIN five times.
    return (key, m.code, m.display_name, m.role, m.pin_hash, m.active, 0, None)


def _promotion_row(m: PromotionV1, key: str, data: dict[str, Any]) -> Row:
    definition = m.model_dump(mode="json")
    try:
        m.to_promotion()  # one that cannot work is refused here, not at the counter
    except ValueError as exc:
        raise MasterDataError(MasterEntity.PROMOTION, key, str(exc)) from None
    return (key, m.name, m.active, json.dumps(definition))


def _purchase_order_row(m: PurchaseOrderV1, key: str, data: dict[str, Any]) -> Row:
    return (key, m.number, m.supplier, json.dumps(m.model_dump(mode="json")))


def _variant_row(m: ProductVariantV1, key: str, data: dict[str, Any]) -> Row:
    pack_of = None if m.pack_of is None else str(m.pack_of)
    return (key, m.family, json.dumps(m.options), pack_of, m.pack_units)


def _voucher_batch_row(m: VoucherBatchV1, key: str, data: dict[str, Any]) -> Row:
    expires = m.expires_on.isoformat() if m.expires_on else None
    return (key, m.prefix, m.count, to_cents(m.face_value), expires, json.dumps(m.voided))


def _outcome_row(m: QuarantineOutcomeV1, key: str, data: dict[str, Any]) -> Row:
    # resent_as starts empty; an upsert never touches it (not among the update columns), so
    # the same decision pulled again cannot make the till send the event a second time.
    return (
        key,
        m.epoch,
        m.seq,
        m.outcome,
        m.reason,
        m.receipt_no,
        m.decided_at.isoformat(),
        None,
    )


def _customer_row(m: CustomerV1, key: str, data: dict[str, Any]) -> Row:
    consent_at = None if m.consent_at is None else utc_text(m.consent_at)
    withdrawn_at = None if m.withdrawn_at is None else utc_text(m.withdrawn_at)
    address = None if m.address_lines is None else json.dumps(m.address_lines)
    return (
        key,
        m.name,
        m.phone,
        m.member_no,
        m.consent_contact,
        m.consent_marketing,
        consent_at,
        withdrawn_at,
        m.consent_purpose,
        None if m.consent_by is None else str(m.consent_by),
        m.company_name,
        m.uen,
        address,
        m.gst_reg_no,
    )


_CUSTOMER_COLUMNS = (
    "customer_id",
    "name",
    "phone",
    "member_no",
    "consent_contact",
    "consent_marketing",
    "consent_at",
    "withdrawn_at",
    "consent_purpose",
    "consent_by",
    "company_name",
    "uen",
    "address_lines",
    "gst_reg_no",
)

_KINDS: dict[MasterEntity, _Kind] = {
    MasterEntity.OUTLET: _Kind(
        _outlet,
        "outlet_id",
        ("outlet_id", "code", "name", "settings"),
        ("code", "name", "settings"),
        _outlet_row,
    ),
    MasterEntity.CATEGORY: _Kind(
        _category, "category_id", ("category_id", "name"), ("name",), _category_row
    ),
    MasterEntity.PRODUCT: _Kind(
        _product,
        "product_id",
        ("product_id", "sku", "name", "price", "tax_code", "category_id", "weighed", "active"),
        ("sku", "name", "price", "tax_code", "category_id", "weighed", "active"),
        _product_row,
    ),
    MasterEntity.BARCODE: _Kind(
        _barcode, "code", ("code", "product_id"), ("product_id",), _barcode_row
    ),
    MasterEntity.STAFF: _Kind(
        _staff,
        "staff_id",
        (
            "staff_id",
            "code",
            "display_name",
            "role",
            "pin_hash",
            "active",
            "failed_attempts",
            "locked_until",
        ),
        ("code", "display_name", "role", "pin_hash", "active"),
        _staff_row,
    ),
    MasterEntity.PROMOTION: _Kind(
        _promotion,
        "promotion_id",
        ("promotion_id", "name", "active", "definition"),
        ("name", "active", "definition"),
        _promotion_row,
    ),
    MasterEntity.PURCHASE_ORDER: _Kind(
        _purchase_order,
        "po_id",
        ("po_id", "number", "supplier", "definition"),
        ("number", "supplier", "definition"),
        _purchase_order_row,
    ),
    MasterEntity.VARIANT: _Kind(
        _variant,
        "product_id",
        ("product_id", "family", "options", "pack_of", "pack_units"),
        ("family", "options", "pack_of", "pack_units"),
        _variant_row,
    ),
    MasterEntity.VOUCHER_BATCH: _Kind(
        _voucher_batch,
        "batch_id",
        ("batch_id", "prefix", "count", "face_value", "expires_on", "voided"),
        ("prefix", "count", "face_value", "expires_on", "voided"),
        _voucher_batch_row,
    ),
    MasterEntity.QUARANTINE_OUTCOME: _Kind(
        _outcome,
        "event_id",
        ("event_id", "epoch", "seq", "outcome", "reason", "receipt_no", "decided_at", "resent_as"),
        ("epoch", "seq", "outcome", "reason", "receipt_no", "decided_at"),
        _outcome_row,
    ),
    MasterEntity.CUSTOMER: _Kind(
        _customer,
        "customer_id",
        _CUSTOMER_COLUMNS,
        _CUSTOMER_COLUMNS[1:],
        _customer_row,
    ),
}


def _write(session: Session, entity: MasterEntity, batch: _Batch, rows: list[Row]) -> None:
    try:
        with session.begin_nested():
            _execute(session, entity, rows)
    except IntegrityError:
        # Find the row the database refused, so the error names a record head office can fix.
        for (key, _), row in zip(batch, rows, strict=True):
            try:
                with session.begin_nested():
                    _execute(session, entity, [row])
            except IntegrityError as exc:
                raise MasterDataError(entity, key, _constraint_reason(entity, exc)) from None
        raise  # pragma: no cover  (the batch failed, so one of its rows must)


def _execute(session: Session, entity: MasterEntity, rows: list[Row]) -> None:
    sql = _statements(entity)
    conn = session.connection()
    conn.exec_driver_sql(sql.create_stage)
    conn.exec_driver_sql(sql.fill_stage, rows)
    conn.execute(sql.upsert)
    conn.exec_driver_sql(sql.clear_stage)


def _constraint_reason(entity: MasterEntity, exc: IntegrityError) -> str:
    text = str(exc.orig)
    if "FOREIGN KEY" in text:
        parent = {
            MasterEntity.PRODUCT: "category",
            MasterEntity.BARCODE: "product",
            MasterEntity.VARIANT: "product",
        }
        return f"it refers to a {parent.get(entity, 'record')} this till does not have"
    if "UNIQUE" in text:
        column = text.rsplit(".", 1)[-1]
        return f"its {column} already belongs to another {entity.value}"
    return text


def _delete_products(session: Session, keys: list[str]) -> None:
    # Explicit, not only ON DELETE CASCADE: a connection opened without foreign keys
    # (migrations, repair tools) must not leave barcodes that ring up a deleted product.
    session.execute(delete(_barcode).where(_barcode.c.product_id.in_(keys)))
    session.execute(delete(_variant).where(_variant.c.product_id.in_(keys)))
    session.execute(delete(_product).where(_product.c.product_id.in_(keys)))


def _delete_categories(session: Session, keys: list[str]) -> None:
    session.execute(
        update(_product).where(_product.c.category_id.in_(keys)).values(category_id=None)
    )
    session.execute(delete(_category).where(_category.c.category_id.in_(keys)))


def _delete_staff(session: Session, keys: list[str]) -> None:
    # Shifts, sales and refunds name their staff, and those facts must keep pointing at a
    # real row: such staff are deactivated (they can no longer log in) instead of removed.
    for key in keys:
        try:
            with session.begin_nested():
                session.execute(delete(_staff).where(_staff.c.staff_id == key))
        except IntegrityError:
            session.execute(update(_staff).where(_staff.c.staff_id == key).values(active=False))


# An erased customer at the till: every personal detail gone, as head office's erasure.
_ERASED = {
    "name": None,
    "phone": None,
    "email": None,
    "member_no": None,
    "consent_contact": False,
    "consent_marketing": False,
    "consent_purpose": None,
    "consent_by": None,
    "company_name": None,
    "uen": None,
    "address_lines": None,
    "gst_reg_no": None,
}


def _delete_customers(session: Session, keys: list[str]) -> None:
    # Sales, refunds and points entries here that name the customer must keep pointing at a
    # real row (their sums still add up): such a customer is anonymised in place.
    session.execute(delete(_member_points).where(_member_points.c.customer_id.in_(keys)))
    for key in keys:
        try:
            with session.begin_nested():
                session.execute(delete(_customer).where(_customer.c.customer_id == key))
        except IntegrityError:
            session.execute(
                update(_customer).where(_customer.c.customer_id == key).values(**_ERASED)
            )


def _simple_delete(table: Table) -> Callable[[Session, list[str]], None]:
    (pk,) = table.primary_key.columns

    def run(session: Session, keys: list[str]) -> None:
        session.execute(delete(table).where(pk.in_(keys)))

    return run


_DELETERS: dict[MasterEntity, Callable[[Session, list[str]], None]] = {
    MasterEntity.OUTLET: _simple_delete(_outlet),
    MasterEntity.CATEGORY: _delete_categories,
    MasterEntity.PRODUCT: _delete_products,
    MasterEntity.BARCODE: _simple_delete(_barcode),
    MasterEntity.STAFF: _delete_staff,
    MasterEntity.PROMOTION: _simple_delete(_promotion),
    MasterEntity.PURCHASE_ORDER: _simple_delete(_purchase_order),
    MasterEntity.VARIANT: _simple_delete(_variant),
    MasterEntity.VOUCHER_BATCH: _simple_delete(_voucher_batch),
    MasterEntity.QUARANTINE_OUTCOME: _simple_delete(_outcome),
    MasterEntity.CUSTOMER: _delete_customers,
}


def _chunks(items: list[_T]) -> Iterator[list[_T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
