"""``whole_number``: the one reading of a typed or sent whole number, for every form field,
filter and query parameter that takes one."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from shared.text import whole_number


@given(st.text(max_size=25) | st.from_regex(r"\A[0-9]{1,40}\Z"))
@example("²")
@example("٣")
@example("9" * 5000)
@example("007")
def test_only_ascii_digits_of_a_sane_length_are_a_number(text: str) -> None:
    number = whole_number(text)
    if text.isascii() and text.isdigit() and len(text) <= 18:
        assert number == int(text)
    else:
        assert number is None
