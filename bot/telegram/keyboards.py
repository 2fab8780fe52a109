"""Inline buttons and their callback data (`kind:number`, always far under Telegram's 64 bytes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.answer import Passage

MORE = "more"  # the next passages of the question the message replies to; the value is the offset
ITEM = "item"  # a whole agenda item; the value is its id
SOURCE = "src"  # the source of a passage; the value is its chunk id
DAY = "day"  # the agenda of a meeting day; the value is the date's ordinal
MAX_DAYS = 24  # day buttons under the meeting list (the latest meetings)
MAX_OFFSET = 300  # the furthest "Flere resultater" goes
_INT64 = range(0, 2**63)
_RANGES = {  # the numbers a button of each kind can carry; anything else is forged or stale
    MORE: range(0, MAX_OFFSET + 1),
    ITEM: _INT64,
    SOURCE: _INT64,
    DAY: range(date(1900, 1, 1).toordinal(), date(2100, 12, 31).toordinal() + 1),
}
_DATA = re.compile(r"([a-z]+):([0-9]{1,19})", re.ASCII)


def data(kind: str, value: int) -> str:
    """Callback data for a button."""
    text = f"{kind}:{value}"
    if len(text.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
        raise ValueError(f"callback data too long: {text!r}")
    return text


def parse(callback_data: object) -> tuple[str, int] | None:
    """The kind and number of callback data made by `data`; None for anything else (ASCII digits only, the
    whole string, the number within its kind's range)."""
    match = _DATA.fullmatch(callback_data) if isinstance(callback_data, str) else None
    if match is None or match[1] not in _RANGES:
        return None
    number = int(match[2])
    return (match[1], number) if number in _RANGES[match[1]] else None


def ours(callback_data: object) -> bool:
    """Whether callback data names one of this bot's kinds (`kind:`), valid or not."""
    return isinstance(callback_data, str) and callback_data.partition(":")[0] in _RANGES


def pattern(kind: str) -> Callable[[object], bool]:
    """The test a CallbackQueryHandler uses for one kind: valid data of that kind."""
    return lambda callback_data: (parsed := parse(callback_data)) is not None and parsed[0] == kind


def value(callback_data: str) -> int:
    """The number in valid callback data (as `pattern` let through)."""
    parsed = parse(callback_data)
    if parsed is None:
        raise ValueError(f"invalid callback data: {callback_data!r}")
    return parsed[1]


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def answer(passages: list[Passage], next_offset: int | None) -> InlineKeyboardMarkup | None:
    """ "Hele punktet" (for a passage of an agenda item) and "Kilde" for each passage (by its rank), and
    "Flere resultater" when there are more."""
    rows = []
    for passage in passages:
        row = []
        cite = passage.citation
        if cite.item_id is not None:
            row.append(InlineKeyboardButton(f"Hele punktet [{passage.rank}]", callback_data=data(ITEM, cite.item_id)))
        row.append(InlineKeyboardButton(f"Kilde [{passage.rank}]", callback_data=data(SOURCE, cite.chunk_id)))
        rows.append(row)
    if next_offset is not None:
        rows.append([InlineKeyboardButton("Flere resultater", callback_data=data(MORE, next_offset))])
    return InlineKeyboardMarkup(rows) if rows else None


def without_more(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The keyboard without its "Flere resultater" button (once pressed)."""
    if markup is None:
        return None
    rows = [
        [b for b in row if not (isinstance(b.callback_data, str) and b.callback_data.startswith(f"{MORE}:"))]
        for row in markup.inline_keyboard
    ]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def items(entries: list[tuple[int, int]], label: str = "Punkt {}", width: int = 3) -> InlineKeyboardMarkup | None:
    """One button per agenda item, given as (number, id) pairs, `width` to a row."""
    buttons = [
        InlineKeyboardButton(label.format(number), callback_data=data(ITEM, item_id)) for number, item_id in entries
    ]
    return InlineKeyboardMarkup(_rows(buttons, width)) if buttons else None


def days(meeting_days: list[date]) -> InlineKeyboardMarkup | None:
    """One button per meeting day, opening its agenda."""
    buttons = [
        InlineKeyboardButton(f"{day:%d.%m.%Y}", callback_data=data(DAY, day.toordinal())) for day in meeting_days
    ]
    return InlineKeyboardMarkup(_rows(buttons, 3)) if buttons else None
