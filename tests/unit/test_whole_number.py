"""``whole_number``: the one reading of a typed or sent whole number, for every form field,
filter and query parameter that takes one."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from installer.config_files import parse_printer
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


@pytest.mark.parametrize("typed", ["10.0.0.5:\u00b2", "10.0.0.5:" + "9" * 5000, "10.0.0.5:70000"])
def test_a_printer_port_that_is_no_port_is_refused_with_the_form_to_use(typed: str) -> None:
    with pytest.raises(ValueError, match="give it as HOST:PORT"):
        parse_printer(typed)


def test_a_printer_address_is_host_and_port() -> None:
    assert parse_printer("10.0.0.5:9101") == ("10.0.0.5", 9101)
    assert parse_printer("10.0.0.5") == ("10.0.0.5", 9100)
