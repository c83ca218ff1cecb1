"""COPY text made a column at a time is byte for byte the text made value by value."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_service.central.bulk import _Rows, _text

# The values our row dicts hold, a column of each kind, some with NULLs, some mixed.
KINDS: list[st.SearchStrategy[Any]] = [
    st.uuids(),
    st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=12),
    st.text(alphabet="ab\\\t\n\r", max_size=6),  # what must be escaped
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.integers(),
    st.booleans(),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
]
COLUMNS = [*KINDS, *(st.one_of(st.none(), kind) for kind in KINDS), st.one_of(*KINDS)]


def _by_value(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    return "".join("\t".join(_text(row[c]) for c in columns) + "\n" for row in rows).encode()


def _read(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    source = _Rows(rows, columns)
    return b"".join(iter(source.read, b""))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=4).flatmap(
        lambda kinds: st.lists(st.tuples(*kinds), min_size=1, max_size=40)
    )
)
def test_rows_are_the_same_text_whichever_way_they_are_made(values: list[tuple[Any, ...]]) -> None:
    columns = [f"c{i}" for i in range(len(values[0]))]
    rows = [dict(zip(columns, row, strict=True)) for row in values]
    assert _read(rows, columns) == _by_value(rows, columns)


def test_a_long_column_is_made_in_chunks_and_a_nul_is_refused() -> None:
    rows = [
        {
            "id": uuid.UUID(int=i),
            "amount": Decimal(i) / 100,
            "at": datetime(2026, 12, 5, tzinfo=UTC),
            "day": date(2026, 12, 5),
            "note": None if i % 3 else f"n{i}",
        }
        for i in range(1_234)
    ]
    assert _read(rows, list(rows[0])) == _by_value(rows, list(rows[0]))
    with pytest.raises(ValueError, match="NUL"):
        _read([{"note": "a\x00b"}], ["note"])
