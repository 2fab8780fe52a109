"""Danish dates: the formats of meeting records, round-tripped, and numbers that are not dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.dates import find_dates, parse_danish_date

MONTH_NAMES = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
MONTH_ABBREVIATIONS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]

FORMATS = {
    "dotted": lambda d: f"{d:%d.%m.%Y}",
    "dotted-short": lambda d: f"{d.day}.{d.month}.{d.year}",
    "dashed": lambda d: f"{d:%d-%m-%Y}",
    "iso": lambda d: d.isoformat(),
    "long": lambda d: f"{d.day}. {MONTH_NAMES[d.month - 1]} {d.year}",
    "long-capitalised": lambda d: f"{d.day}. {MONTH_NAMES[d.month - 1].capitalize()} {d.year}",
    "abbreviated": lambda d: f"{d.day}. {MONTH_ABBREVIATIONS[d.month - 1]}. {d.year}",
    "weekday": lambda d: f"tirsdag den {d.day}. {MONTH_NAMES[d.month - 1]} {d.year}, kl. 13:00",
}
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04.12.2012", date(2012, 12, 4)),
        ("Dato: 04.12.2012", date(2012, 12, 4)),
        ("tirsdag den 4. december 2012, kl. 13:00", date(2012, 12, 4)),
        ("Dato: 19. november 2012", date(2012, 11, 19)),
        ("den 1. aug. 2021", date(2021, 8, 1)),
        ("4. sept. 2012", date(2012, 9, 4)),
        ("Mødet den 31.03.2023 DAS Social", date(2023, 3, 31)),
        ("04. 12. 2012", date(2012, 12, 4)),
        ("2012-12-04", date(2012, 12, 4)),
        ("indførelse den 1.\njanuar 2007", date(2007, 1, 1)),
    ],
)
def test_parses_the_formats_of_the_records(text: str, expected: date) -> None:
    assert parse_danish_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1.316.000 kr.",
        "Sagsnr.: 2012-28504",
        "Dok.nr.: 2012-203438",
        "2012-2013",
        "31.02.2012",
        "kl. 13.00",
        "Side 4",
        "Tlf. dir.: 4477 3830",
        "i august 2012",
        "",
    ],
)
def test_numbers_that_are_not_dates(text: str) -> None:
    assert parse_danish_date(text) is None


def test_find_dates_keeps_reading_order() -> None:
    text = "Kommunalbestyrelsen den 30. januar 2012 Punkt 5; beslutning den 04.12.2012 og 2013-02-01."
    assert find_dates(text) == [date(2012, 1, 30), date(2012, 12, 4), date(2013, 2, 1)]


@given(day=DATES, style=st.sampled_from(sorted(FORMATS)))
def test_round_trip(day: date, style: str) -> None:
    assert parse_danish_date(FORMATS[style](day)) == day


@given(
    days=st.lists(DATES, min_size=1, max_size=4),
    styles=st.lists(st.sampled_from(sorted(FORMATS)), min_size=4, max_size=4),
)
def test_round_trip_in_running_text(days: list[date], styles: list[str]) -> None:
    text = " og ".join(f"mødet {FORMATS[style](day)} i sagen" for day, style in zip(days, styles))
    assert find_dates(text) == days
