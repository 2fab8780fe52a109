"""Danish number parsing: corpus spellings and round trips through a Danish formatter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.facts.numbers import parse_danish_number, parse_dkk


def danish(value: int, separator: str = ".", minus: str = "-") -> str:
    """`value` written the Danish way: thousands grouped by `separator`."""
    digits = f"{abs(value):,}".replace(",", separator)
    return f"{minus}{digits}" if value < 0 else digits


def danish_decimal(value: Decimal, places: int) -> str:
    """`value` with `places` decimals: `.` between thousands, `,` before the decimals."""
    whole, _, fraction = f"{abs(value):.{places}f}".partition(".")
    text = danish(int(whole)) + (f",{fraction}" if fraction else "")
    return f"-{text}" if value < 0 else text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.107", 4107),  # 001 l.51 "døgntaksten er 4.107 kr."
        ("34.172.412", 34_172_412),  # 000 l.2720, a budget cell of the Aalborg table
        ("3.080 kr.", 3080),
        ("kr. 1.320.124", 1_320_124),  # 002 l.136
        ("1,5 mio. kr.", 1_500_000),  # 001 l.53
        ("ca. 1,1 mio. kr.", 1_100_000),
        ("0,25 mio. kr", 250_000),
        ("17,7 mia.", 17_700_000_000),
        ("943", 943),
        ("-1.234", -1234),
        ("\u22121.234", -1234),
        ("1 234 567", 1_234_567),
        ("1\u00a0234", 1234),
        ("-", None),
        ("–", None),
        ("", None),
        ("2.2", None),  # "Målgruppe 2.2" is a label, not a number
        ("4.10", None),
        ("13,30%", None),  # a percentage is no amount
        ("tekst", None),
    ],
)
def test_parse_dkk(text: str, expected: int | None) -> None:
    assert parse_dkk(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13,30%", 13.3),  # 000 l.2434
        ("-0,33%", -0.33),
        ("3,2 pct.", 3.2),
        ("2,3", 2.3),
        ("1,5 mio. kr.", 1_500_000.0),
        ("-", None),
        ("–", None),
        ("12,", None),
    ],
)
def test_parse_danish_number(text: str, expected: float | None) -> None:
    assert parse_danish_number(text) == expected


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_round_trip(value: int) -> None:
    assert parse_dkk(danish(value)) == value
    assert parse_danish_number(danish(value)) == value


@given(st.integers(min_value=-(10**9), max_value=10**9), st.sampled_from([" ", "\u00a0"]))
def test_space_grouping_round_trips(value: int, separator: str) -> None:
    assert parse_dkk(danish(value, separator)) == value


@given(st.integers(min_value=1, max_value=10**9))
def test_unicode_minus_and_suffixes(value: int) -> None:
    assert parse_dkk(danish(-value, minus="\u2212")) == -value
    assert parse_dkk(danish(value) + " kr.") == value
    assert parse_dkk(danish(value) + " kr") == value


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_decimals_round_trip(value: Decimal) -> None:
    assert parse_danish_number(danish_decimal(value, 2)) == pytest.approx(float(value))
    assert parse_danish_number(danish_decimal(value, 2) + "%") == pytest.approx(float(value))
    assert parse_dkk(danish_decimal(value, 2) + " %") is None


@given(
    st.decimals(min_value=0, max_value=999, places=1, allow_nan=False, allow_infinity=False),
    st.sampled_from([("mio.", 10**6), ("mia.", 10**9)]),
)
def test_scaled_amounts(value: Decimal, scale: tuple[str, int]) -> None:
    word, factor = scale
    assert parse_dkk(f"{danish_decimal(value, 1)} {word} kr.") == int(value * factor)
