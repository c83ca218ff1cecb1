"""The one check for names and filters: no control or invisible formatting character."""

from __future__ import annotations

import pytest

from shared.text import unseen_character
from sync_service.central.admin import FieldError, fields


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("\u202eevil", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("a\x00b", "U+0000 control character"),
        ("Kopi\u2067O", "U+2067 RIGHT-TO-LEFT ISOLATE"),
        ("x\u200by", "U+200B ZERO WIDTH SPACE"),
        ("para\u2029graph", "U+2029 PARAGRAPH SEPARATOR"),
    ],
)
def test_unseen_characters_are_found_and_named(text: str, found: str) -> None:
    assert unseen_character(text) == found
    with pytest.raises(FieldError, match="invisible or changes how the name shows"):
        fields.name("name", text)


@pytest.mark.parametrize(
    "text", ["Kopi-O Kosong", "海南鸡饭 (Hainanese chicken rice)", "Teh Tarik ×2", "முருக்கு", "🥥"]
)
def test_names_in_every_script_of_singapore_pass(text: str) -> None:
    assert unseen_character(text) is None
    assert fields.name("name", text) == text
