"""What the sell screen asks of the catalogue: a scanned barcode, a product id, a typed name.

Reads go through the reader engine (a plain ``BEGIN`` on WAL), so a scan never waits behind
the sync agent writing a price update. Statements are compiled once and run on a pooled
connection: a scan is one indexed point query, a search one FTS5 query ranked by bm25.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import Row, text

from shared.cart import ProductSnapshot
from shared.gst import TaxCode
from shared.money import from_cents
from till.store.db import Store

MAX_SEARCH_RESULTS = 100
# Eight words is more than anyone types into a till; beyond it each extra word only costs time.
MAX_SEARCH_WORDS = 8

_BY_BARCODE = text(
    "SELECT p.product_id, p.sku, p.name, p.price, p.tax_code, p.weighed "
    "FROM barcode b JOIN product p ON p.product_id = b.product_id "
    "WHERE b.code = :code AND p.active"
)
_BY_ID = text(
    "SELECT p.product_id, p.sku, p.name, p.price, p.tax_code, p.weighed "
    "FROM product p WHERE p.product_id = :product_id AND p.active"
)
# bm25 has to read every match's sizes, which costs ~100 ms when a short prefix ("pa") matches
# half the catalogue. So only the first RANK_WINDOW matches are ranked: exact for any query
# that narrows the catalogue to that many products, and still instant type-ahead when it
# does not (typing one more letter narrows it). Name words count ten times SKU words; ties go
# to the shorter, then alphabetical, name.
RANK_WINDOW = 1000
_SEARCH = text(
    "SELECT p.product_id, p.sku, p.name, p.price, p.tax_code, p.weighed FROM ("
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


def _snapshot(row: Row[Any]) -> ProductSnapshot:
    product_id, sku, name, cents, tax_code, weighed = row
    return ProductSnapshot(
        product_id=product_id,
        sku=sku,
        name=name,
        unit_price=from_cents(int(cents)),
        tax_code=TaxCode(tax_code),
        weighed=bool(weighed),
    )
