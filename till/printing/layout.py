"""What paper and PDF add to ``render_text``'s plain lines: which header lines stand out."""

from __future__ import annotations

from typing import Literal

from shared.receipt import Receipt

__all__ = ["Mark", "header_marks"]

Mark = Literal["name", "title"]
_TITLES = frozenset({"TAX INVOICE", "RECEIPT", "REFUND", "VOID"})


def _key(text: str) -> str:
    # The printable, non-space characters: what survives render_text's cleaning and wrapping.
    return "".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def header_marks(lines: list[str], receipt: Receipt) -> dict[int, Mark]:
    """Line index → emphasis: the supplier's name (wrapped or not), the title, REPRINT #n.

    Found in the rendered text rather than re-laid out here, so paper, PDF and screen can
    never disagree about the words; only the emphasis is added.
    """
    header_end = next((i for i, line in enumerate(lines) if line.startswith("---")), len(lines))
    marks: dict[int, Mark] = {}
    name, so_far = _key(receipt.supplier.name), ""
    for index, line in enumerate(lines[:header_end]):
        if not name or so_far == name:
            break
        so_far += _key(line)
        marks[index] = "name"
    if so_far != name:
        # The layout changed under us: plain is better than emphasising the wrong lines.
        marks = {}
    first_blank = next((i for i, line in enumerate(lines) if not line.strip()), header_end)
    for index in range(first_blank, header_end):
        text = lines[index].strip()
        if text in _TITLES or text.startswith("REPRINT #"):
            marks[index] = "title"
    return marks
