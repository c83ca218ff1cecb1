"""What the sell screen asks of the catalogue: a scanned barcode, a product id, a typed name.

Reads go through the reader engine (a plain ``BEGIN`` on WAL), so a scan never waits behind
the sync agent writing a price update. Statements are compiled once and run on a pooled
connection: a scan is one indexed point query, a search one FTS5 query ranked by bm25.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select, text

from shared.cart import ProductSnapshot
from shared.gst import TaxCode
from shared.money import from_cents
from shared.promotion_wire import PromotionV1
from shared.promotions import Promotion
from till.store.db import Store
from till.store.models import Product

MAX_SEARCH_RESULTS = 100
# Eight words is more than anyone types into a till; beyond it each extra word only costs time.
MAX_SEARCH_WORDS = 8

_BY_BARCODE = text(
    "SELECT p.product_id, p.sku, p.name, p.price, p.tax_code, p.weighed, p.category_id "
    "FROM barcode b JOIN product p ON p.product_id = b.product_id "
    "WHERE b.code = :code AND p.active"
)
_PROMOTIONS = text("SELECT definition FROM promotion WHERE active ORDER BY promotion_id")
_BY_ID = text(
    "SELECT p.product_id, p.sku, p.name, p.price, p.tax_code, p.weighed, p.category_id "
    "FROM product p WHERE p.product_id = :product_id AND p.active"
)
_FAMILIES = text(
    "SELECT v.product_id, v.family, (SELECT count(*) FROM product_variant w "
    "JOIN product q ON q.product_id = w.product_id WHERE w.family = v.family AND q.active) "
    "FROM product_variant v WHERE v.family IS NOT NULL AND v.product_id IN "
    "(SELECT value FROM json_each(:ids))"
)
_VARIANTS = text(
    "SELECT p.product_id, p.sku, p.name, p.price, p.tax_code, p.weighed, p.category_id, "
    "v.options FROM product_variant v JOIN product p ON p.product_id = v.product_id "
    "WHERE v.family = :family AND p.active ORDER BY p.name, p.sku"
)
# bm25 has to read every match's sizes, which costs ~100 ms when a short prefix ("pa") matches
# half the catalogue. So only the first RANK_WINDOW matches are ranked: exact for any query
# that narrows the catalogue to that many products, and still instant type-ahead when it
# does not (typing one more letter narrows it). Name words count ten times SKU words; ties go
# to the shorter, then alphabetical, name.
RANK_WINDOW = 1000
_SEARCH = text(
    "SELECT p.product_id, p.sku, p.name, p.price, p.tax_code, p.weighed, p.category_id FROM ("
    "  SELECT rowid, bm25(product_fts, 10.0, 1.0) AS score FROM product_fts"
    "  WHERE product_fts MATCH :query LIMIT :window"
    ") AS f JOIN product p ON p.product_no = f.rowid WHERE p.active "
    "ORDER BY f.score, length(p.name), p.name LIMIT :limit"
)

# What the unicode61 tokenizer treats as part of a word: letters and digits. Everything else
# separates words, so dropping it loses nothing and leaves no FTS5 syntax behind.
_WORD = re.compile(r"[^\W_]+")


class Catalogue:
    """Active products by barcode, id or name, as the snapshot a cart line records."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    def by_barcode(self, code: str) -> ProductSnapshot | None:
        """The active product a scanned (or keyed) barcode belongs to, if any."""
        code = code.strip()
        if not code:
            return None
        with self._engine.connect() as conn:
            row = conn.execute(_BY_BARCODE, {"code": code}).first()
            if row is None and len(code) == 12 and code.isdigit():
                # Scanners set to UPC-A drop the leading 0 of an EAN-13 from North America.
                row = conn.execute(_BY_BARCODE, {"code": "0" + code}).first()
        return None if row is None else _snapshot(row)

    def by_id(self, product_id: str | UUID) -> ProductSnapshot | None:
        """The active product with this id, if any (a discontinued one cannot be sold)."""
        try:
            key = str(UUID(str(product_id)))
        except ValueError:
            return None
        with self._engine.connect() as conn:
            row = conn.execute(_BY_ID, {"product_id": key}).first()
        return None if row is None else _snapshot(row)

    def category_ids(self, product_ids: list[str]) -> dict[str, str]:
        """Each of these products' category id (products without one are left out): the
        quick keys take their colour from it."""
        if not product_ids:
            return {}
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(Product.product_id, Product.category_id).where(
                    Product.product_id.in_(product_ids), Product.category_id.is_not(None)
                )
            ).all()
        return {str(pid): str(cid) for pid, cid in rows}

    def promotions(self) -> tuple[Promotion, ...]:
        """The active promotions head office sent; each checked when it was pulled."""
        with self._engine.connect() as conn:
            rows = conn.execute(_PROMOTIONS).scalars().all()
        return tuple(
            PromotionV1.model_validate_json(
                r if isinstance(r, str) else json.dumps(r)
            ).to_promotion()
            for r in rows
        )

    def families(self, product_ids: list[str]) -> dict[str, tuple[str, int]]:
        """For each of these products that is a family's variant: the family, and how many
        active variants it has (the search shows a family once, then its variants)."""
        if not product_ids:
            return {}
        with self._engine.connect() as conn:
            rows = conn.execute(_FAMILIES, {"ids": json.dumps(product_ids)}).all()
        return {str(pid): (family, int(n)) for pid, family, n in rows}

    def variants(self, family: str) -> list[tuple[ProductSnapshot, dict[str, str]]]:
        """A family's active variants, each with its options (``{"Size": "1.5L"}``)."""
        with self._engine.connect() as conn:
            rows = conn.execute(_VARIANTS, {"family": family}).all()
        return [
            (_snapshot(row[:7]), json.loads(row[7]) if isinstance(row[7], str) else row[7])
            for row in rows
        ]

    def search(self, text: str, limit: int = 20) -> list[ProductSnapshot]:
        """Active products whose name or SKU has words starting with every word typed.

        Case and accents do not matter ("creme" finds "Crème"); the best matches come first.
        Whatever is typed is only ever searched for, never run as FTS5 query syntax.
        """
        query = fts_query(text)
        if query is None or limit < 1:
            return []
        params: Mapping[str, Any] = {
            "query": query,
            "window": RANK_WINDOW,
            "limit": min(limit, MAX_SEARCH_RESULTS),
        }
        with self._engine.connect() as conn:
            rows = conn.execute(_SEARCH, params).all()
        return [_snapshot(row) for row in rows]


def fts_query(typed: str) -> str | None:
    """An FTS5 query for what was typed, or None when nothing searchable was typed.

    Every word must match the start of a word in the name or SKU. A one-character word is
    matched whole unless it is all that was typed: in "milo 3-in-1" the "3" and the "1" are
    complete words, and as prefixes they would match most of the catalogue for nothing.
    Each word is a quoted string, so ``OR``, ``NEAR(``, ``-``, ``:`` or a stray ``"`` are
    searched for as text (or dropped as separators), never run as FTS5 query syntax.
    """
    words = _WORD.findall(unicodedata.normalize("NFKC", typed))[:MAX_SEARCH_WORDS]
    if not words:
        return None
    return " ".join(
        '"' + word.replace('"', '""') + ('"*' if len(word) > 1 or len(words) == 1 else '"')
        for word in words
    )


def _snapshot(row: Sequence[Any]) -> ProductSnapshot:
    product_id, sku, name, cents, tax_code, weighed, category_id = row
    return ProductSnapshot(
        product_id=product_id,
        sku=sku,
        name=name,
        unit_price=from_cents(int(cents)),
        tax_code=TaxCode(tax_code),
        weighed=bool(weighed),
        category_id=category_id,
    )
