"""Readers of document formats other than PDF and plain text: each turns a file's bytes into text lines that the
text segmenters read (block structure kept, a table row on one line with its cells joined by TAB)."""

from __future__ import annotations

from collections.abc import Sequence

BULLET = "• "
"""What a list item's first line starts with."""


def row_lines(cells: Sequence[Sequence[str]]) -> list[str]:
    """A table row's lines: one line of TAB-joined cells when no cell holds more than one line (trailing empty
    cells dropped), else each cell's lines in order, so a layout table keeps its blocks."""
    if all(len(cell) <= 1 for cell in cells):
        texts = [cell[0] if cell else "" for cell in cells]
        while texts and not texts[-1]:
            texts.pop()
        return ["\t".join(texts)] if any(texts) else []
    return [line for cell in cells for line in cell]
