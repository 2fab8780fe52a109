"""Danish number parsing: `.` groups thousands, `,` marks decimals, `mio.`/`mia.` scale, `kr.` and `%` are units."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

MAX_KRONER = 10**15
"""Largest amount read as kroner (a thousand billion; Denmark's GDP is ~3·10¹²): a longer digit run is an
account number, an id or garbage, and would not fit a database integer."""
_SCALES = {"mio": Decimal(1_000_000), "mia": Decimal(1_000_000_000)}
_GROUP_SEPARATORS = re.compile(r"[.\s\u00a0\u202f]")
_NUMBER = re.compile(
    r"""
    (?:(?:ca|kr)\.?\s*)*                                  # `ca.` / `kr.` before the number
    (?P<sign>[-\u2212+])?\s*
    (?P<int>\d{1,3}(?:(?:\.|[\s\u00a0\u202f])\d{3})+|\d+)  # thousands grouped by `.` or (NB)space
    (?:,(?P<frac>\d+))?
    \s*(?:(?P<scale>mio|mia)\.?)?
    \s*(?:kr\.?)?
    \s*(?P<pct>%|pct\.?)?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _parse(text: str) -> tuple[Decimal, bool] | None:
    """The scaled value of `text` and whether it is a percentage, or None when `text` is not one number."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    value = Decimal(f"{_GROUP_SEPARATORS.sub('', match['int'])}.{match['frac'] or 0}")
    if match["sign"] in ("-", "\u2212"):
        value = -value
    if match["scale"]:
        value *= _SCALES[match["scale"].lower()]
    return value, match["pct"] is not None


def parse_danish_number(text: str) -> float | None:
    """`4.107` → 4107.0, `1,5 mio. kr.` → 1500000.0, `13,30%` → 13.3, `−1.234` → -1234.0; `-`, `–`, junk → None."""
    parsed = _parse(text)
    return None if parsed is None else float(parsed[0])


def parse_dkk(text: str) -> int | None:
    """A kroner amount in whole kroner (`34.172.412`, `3.080 kr.`, `ca. 1,1 mio. kr.`); percentages and amounts
    beyond `MAX_KRONER` → None."""
    parsed = _parse(text)
    if parsed is None or parsed[1] or abs(parsed[0]) > MAX_KRONER:
        return None
    return int(parsed[0].quantize(Decimal(1), rounding=ROUND_HALF_UP))
