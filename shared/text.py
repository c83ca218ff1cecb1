"""Characters that have no place in what a person types for a name or a search.

Control characters (NUL, escape, line breaks) break storage and logs; PostgreSQL refuses NUL
outright. Format characters are invisible and change how the text around them shows: a
product named ``\u202eevil`` with a right-to-left override *displays* as "live", so a
price list, a receipt and an audit trail would each show something other than what is stored.
Zero-width spaces and joiners make two names that look the same differ. Private-use code
points and lone surrogates show as nothing or as boxes.

One check serves every name head office keeps (products, SKUs, categories, staff, tax code
descriptions, outlets) and every filter of the dashboard, so all refuse the same characters.
"""

from __future__ import annotations

import unicodedata

# Cc control, Cf format (bidi overrides and isolates, zero-width space/joiners, BOM, soft
# hyphen), Co private use, Cs surrogates, Zl/Zp line and paragraph separators.
UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def unseen_character(text: str) -> str | None:
    """The first control or invisible formatting character in ``text``, described for a
    person (``U+202E RIGHT-TO-LEFT OVERRIDE``); None when there is none."""
    for ch in text:
        if unicodedata.category(ch) in UNSEEN_CATEGORIES:
            return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}"
    return None


def whole_number(text: str, *, most_digits: int = 18) -> int | None:
    """``text`` as a whole number when it is nothing but ASCII digits, at most ``most_digits``
    of them; otherwise None. ``str.isdigit()`` alone also takes "²" (which ``int`` refuses
    with an error) and 5,000 digits (which ``int`` refuses past 4,300, or is slow to read)."""
    if not (text.isascii() and text.isdigit()) or len(text) > most_digits:
        return None
    return int(text)
