"""Inline buttons and their callback data (`kind:number`, always far under Telegram's 64 bytes)."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.answer import Passage

MORE = "more"  # the next passages of the question the message replies to; the value is the offset
ITEM = "item"  # a whole agenda item; the value is its id
SOURCE = "src"  # the source of a passage; the value is its chunk id
DAY = "day"  # the agenda of a meeting day; the value is the date's ordinal
MAX_DAYS = 24  # day buttons under the meeting list (the latest meetings)


def data(kind: str, value: int) -> str:
    """Callback data for a button."""
    text = f"{kind}:{value}"
    if len(text.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
        raise ValueError(f"callback data too long: {text!r}")
    return text


def pattern(kind: str) -> str:
    """The regex a CallbackQueryHandler uses for one kind."""
    return rf"^{kind}:\d+$"


def value(callback_data: str) -> int:
    """The number in callback data made by `data`."""
    return int(callback_data.partition(":")[2])


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
