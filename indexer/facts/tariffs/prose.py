"""Tariffs stated in sentences: rates (`døgntaksten er 4.107 kr. pr. anvendt plads`), rises (`Taksten stiger fra
13.767 kr. til 14.589 kr.`), changes (`en takststigning på 119 kr. pr. døgn`), unused places and the yearly figure
that may follow a rate."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from indexer.document import Line
from indexer.facts.numbers import parse_dkk
from indexer.facts.tariffs.common import (
    NOT_OFFERS,
    NUMBER,
    OFFER_NAMED,
    YEAR,
    TariffFact,
    collapse,
    facilities_in,
    make_fact,
    pair_facts,
    unit_of_section,
)

_FROM_TO = re.compile(
    rf"\btaksten (?:stiger|falder|ændres|hæves|sænkes) fra (?P<old>{NUMBER}) kr\.? til (?P<new>{NUMBER}) kr", re.I
)
_UNITS = {  # the forms a unit is written in after `pr.`, `i`, `om` or before `takst`
    **{unit: unit for unit in ("døgn", "dag", "time", "sag", "uge", "måned", "år")},
    **{"måneds": "måned", "døgnet": "døgn", "dagen": "dag", "sagen": "sag", "timen": "time", "ugen": "uge"},
    **{"måneden": "måned", "året": "år"},
}
_UNIT_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_IN_UNIT = r" (?:i|om) (?P<per_in>døgnet|dagen|timen|ugen|måneden|året)\b"  # `i år` is this year
_TARIFF_YEAR = r"(?: (?:for|i) (?P<year>(?:19|20)\d\d))?"
_RATE = re.compile(
    rf"\b(?P<new>(?:den )?nye? )?(?P<prefix>døgn|dag|time|måneds)?takst(?:en)?{_TARIFF_YEAR}"
    r"(?: (?:er|udgør|udgøre|bliver|blive|vil (?:være|udgøre|blive)|fastsættes til|på)|(?(new)|(?!)))"
    r" (?:nu |ca\. )?"
    rf"(?P<amount>{NUMBER}) kr\.?"
    rf"(?: (?:pr\.|per) (?P<per>(?:{_UNIT_WORD})\b|[a-zæøå]+(?: (?!svarende)[a-zæøå]+)?)|{_IN_UNIT})?",
    re.I,
)
_CHANGE = re.compile(
    rf"\b(?P<word>takst(?:stigning|forhøjelse|nedsættelse|reduktion|fald)) på (?P<amount>{NUMBER}) kr\.?"
    rf"(?: pr\. (?P<per>{_UNIT_WORD})\b|{_IN_UNIT})?",
    re.I,
)
_SHIFT = re.compile(
    rf"\btakst(?:en)?{_TARIFF_YEAR} (?P<verb>sænkes|nedsættes|reduceres|falder|hæves|forhøjes|stiger|øges) med"
    rf"(?: (?:ca\. )?{NUMBER} (?:pct\.?|procent|%),?(?: hvilket svarer til| svarende til| eller))?"
    rf" (?:ca\. )?(?P<amount>{NUMBER}) kr\.?(?: (?:pr\.|per) (?P<per>{_UNIT_WORD})\b|{_IN_UNIT})?",
    re.I,
)
_DECREASE = re.compile(r"nedsættelse|reduktion|fald|sænke|nedsætte|reducere", re.I)
_EMPTY = re.compile(
    rf"\b(?P<prefix>døgn|dag)?takst(?:en)? for (?:ubenyttede|tomme|ledige) pladser \((?P<amount>{NUMBER}) kr\.?\)",
    re.I,
)
_YEARLY = re.compile(
    rf"^[,;]? svarende til (?P<approx>ca\. )?(?P<amount>{NUMBER}(?: mio\.| mia\.)?) kr\.? (?:om året|årligt|pr\. år)",
    re.I,
)
_OFFER_PLACES = re.compile(r"\bplads(?:er)? på (?P<name>de [a-zæøå]+ pladser)", re.I)
_NAME = re.compile(r"\b(?P<name>[A-ZÆØÅ][a-zæøå]+(?: [A-ZÆØÅ][a-zæøå]+)+)")
_PARTY = re.compile(r"\s*\([A-ZÆØÅ]{1,2}\)")
_ATTENDANCE = re.compile(r"\b(?:fraværende|afbud|deltog ikke|deltager ikke|tilstede|mødedeltagere)\b", re.I)


@dataclass
class _Text:
    """A section's lines as one string, with the line each character came from."""

    text: str
    starts: list[int]
    lines: list[Line]

    @classmethod
    def of(cls, lines: list[Line]) -> _Text:
        """Join the lines with single spaces."""
        parts, starts, offset = [], [], 0
        for line in lines:
            part = collapse(line.text)
            parts.append(part)
            starts.append(offset)
            offset += len(part) + 1
        return cls(" ".join(parts), starts, lines)

    def index_at(self, offset: int) -> int:
        """The index of the line holding the character at `offset`."""
        return bisect_right(self.starts, offset) - 1

    def line_at(self, offset: int) -> Line:
        """The line holding the character at `offset`."""
        return self.lines[self.index_at(offset)]


def prose_facts(lines: list[Line], context_year: int | None, title_offer: str | None) -> list[TariffFact]:
    """Tariffs stated in sentences, each with the offer named before it (`takst for Kvisten`, `aflastningstilbuddet
    Torvevej`), else by the item's title, else the name most mentioned nearby; and the year it states or the
    sentences before it name."""
    if not lines:
        return []
    text = _Text.of(lines)
    section_unit = unit_of_section(lines)
    facts: list[TariffFact] = []
    for match in sorted(_prose_matches(text.text), key=lambda m: m.start()):
        here = text.index_at(match.start())
        offer = (
            _prose_offer(text.text[: match.start()])
            or title_offer
            or _frequent_name(line.text for line in lines[max(0, here - 12) : here + 1])
            or _frequent_name(line.text for line in lines)
        )
        if offer is None:
            continue
        stated_year = match.groupdict().get("year")
        year = int(stated_year) if stated_year else _prose_year(text.text, match.start()) or context_year
        facts += _prose_match_facts(match, offer, year, text, section_unit, facts)
    return facts


def _prose_matches(text: str) -> Iterator[re.Match[str]]:
    """Every prose tariff statement in `text`."""
    for pattern in (_FROM_TO, _RATE, _CHANGE, _SHIFT, _EMPTY):
        yield from pattern.finditer(text)


def _prose_match_facts(
    match: re.Match[str], offer: str, year: int | None, text: _Text, section_unit: str | None, earlier: list[TariffFact]
) -> list[TariffFact]:
    """The facts one statement makes."""
    if match.re is _FROM_TO:
        return _rise_facts(match, offer, year, text, section_unit)
    if match.re in (_CHANGE, _SHIFT):
        return [_change_fact(match, offer, year, text, section_unit, earlier)]
    return _rate_facts(match, offer, year, text, section_unit)


def _rise_facts(
    match: re.Match[str], offer: str, year: int | None, text: _Text, section_unit: str | None
) -> list[TariffFact]:
    """`Taksten stiger fra 13.767 kr. til 14.589 kr.`: last year's tariff and this year's."""
    service = f"takst pr. {section_unit}" if section_unit else "takst"
    years = (year - 1 if year else None, year)
    amounts = (parse_dkk(match["old"]), parse_dkk(match["new"]))
    return pair_facts(offer, service, years, amounts, text.line_at(match.start("new")), unit=section_unit)


def _change_fact(
    match: re.Match[str], offer: str, year: int | None, text: _Text, section_unit: str | None, earlier: list[TariffFact]
) -> TariffFact:
    """`en takststigning på 119 kr. pr. døgn`, `Taksten sænkes med 2 pct., hvilket svarer til 64 kr. i døgnet`: the
    stated change, negative for a reduction; when it follows a from/to statement its service names the two
    years."""
    unit = _stated_unit(match) or section_unit
    if match.re is _SHIFT:
        decrease = bool(_DECREASE.search(match["verb"]))
        noun = "takstnedsættelse" if decrease else "takststigning"
    else:
        noun = match["word"].lower()
        decrease = bool(_DECREASE.search(noun))
    service = noun + (f" pr. {unit}" if unit else "")
    if year and any(f.kind == "new" and f.offer == offer and f.year == year for f in earlier):
        service += f" {year - 1}-{year}"
    amount = parse_dkk(match["amount"])
    amount = -amount if decrease else amount
    return make_fact(offer, service, year, amount, "increase", text.line_at(match.start()), unit=unit)


def _rate_facts(
    match: re.Match[str], offer: str, year: int | None, text: _Text, section_unit: str | None
) -> list[TariffFact]:
    """`døgntaksten er 4.107 kr. pr. anvendt plads`, `ny takst udgør 3.114 kr. i døgnet` (a new tariff) or `… for
    ubenyttede pladser (3.080 kr.)`, with the yearly figure that may follow (`svarende til ca. 1,1 mio. kr. om
    året`)."""
    per = (match.groupdict().get("per") or "").lower()
    stated = _UNITS.get((match["prefix"] or "").lower()) or _stated_unit(match)
    unit = stated or section_unit
    if match.re is _EMPTY:
        kind, service = "tomplads", "ubenyttet plads"
    else:
        kind = "new" if match["new"] else "takst"
        service = per if per and per not in _UNITS else (f"takst pr. {stated}" if stated else None)
    facts = [make_fact(offer, service, year, parse_dkk(match["amount"]), kind, text.line_at(match.start()), unit=unit)]
    if yearly := _YEARLY.match(text.text[match.end() :]):
        yearly_service = (service or "takst") + (", pr. år (ca.)" if yearly["approx"] else ", pr. år")
        yearly_line = text.line_at(match.end() + yearly.start("amount"))
        facts.append(make_fact(offer, yearly_service, year, parse_dkk(yearly["amount"]), kind, yearly_line, unit="år"))
    return facts


def _stated_unit(match: re.Match[str]) -> str | None:
    """The unit a statement prices by: `pr. døgn`, `i døgnet`, `om året`."""
    groups = match.groupdict()
    return _UNITS.get((groups.get("per") or groups.get("per_in") or "").lower())


def _prose_offer(before: str) -> str | None:
    """The offer the text just before a statement names: `takst for Kvisten`, `en plads på de særlige pladser`,
    `aflastningstilbuddet Torvevej`."""
    window = before[-600:]
    for pattern in (OFFER_NAMED, _OFFER_PLACES):
        if found := list(pattern.finditer(window)):
            name = found[-1]["name"]
            return name[0].upper() + name[1:]
    facilities = facilities_in(window)
    return facilities[-1] if facilities else None


def _frequent_name(texts: Iterable[str]) -> str | None:
    """The proper name (two or more capitalised words on one line, not an authority, nor a member: `Birte Kramhøft
    (F)`, a name on a line of who was absent) mentioned most often."""
    names = Counter(
        m["name"]
        for text in texts
        if not _ATTENDANCE.search(text)
        for m in _NAME.finditer(text)
        if not NOT_OFFERS.search(m["name"]) and not _PARTY.match(text, m.end())
    )
    return names.most_common(1)[0][0] if names else None


def _prose_year(text: str, offset: int) -> int | None:
    """The last year named in the statement's sentence or the one before it."""
    sentence_starts = [m.end() for m in re.finditer(r"[.!?] (?=[A-ZÆØÅ])", text[:offset])]
    window_start = sentence_starts[-2] if len(sentence_starts) >= 2 else 0
    years = YEAR.findall(text[window_start:offset])
    return int(years[-1]) if years else None
