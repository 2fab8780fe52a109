"""What the three tariff readers share: the fact they make (`TariffFact`, its `KINDS`), whitespace, years, the
unit a section implies, the offers a text names, and building and deduplicating facts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.document import Line

KINDS = ("takst", "old", "new", "increase", "tomplads")


@dataclass
class TariffFact:
    """One tariff amount: what it prices (offer, service, law, unit), for which year, and the line it stands on."""

    offer: str
    service: str | None
    legal_basis: str | None
    places: int | None
    unit: str | None
    year: int | None
    amount_dkk: int
    previous_amount_dkk: int | None
    kind: str
    evidence: str
    line: Line


_WS = re.compile(r"\s+")
INTEGER = r"(?:\d{1,3}(?:\.\d{3})+|\d+)"  # a whole number as Danish prints it: `4.107`, `1.320.124`, `98`
NUMBER = rf"{INTEGER}(?:,\d+)?"  # with decimals after a comma: `4,2`
YEAR = re.compile(r"(?<!\d)(?<!\d[.,])((?:19|20)\d\d)(?!\d|[.,]\d)")


def collapse(text: str) -> str:
    """`text` with every whitespace run (NBSP included) as one space, stripped."""
    return _WS.sub(" ", text).strip()


def unit_of_section(lines: list[Line]) -> str | None:
    """A unit the section implies for labels that name none: `sag` where cases (`sager`, `sagstal`) are counted."""
    return "sag" if any(re.search(r"\bsag(?:er|stal|stallet)\b", line.text, re.I) for line in lines) else None


_FACILITY = re.compile(
    r"\b(?P<noun>[A-Za-zÆØÅæøå]*(?:tilbud(?:det)?|institution(?:en)?|cent(?:er|eret|ret)|hjem(?:met)?"
    r"|bosted(?:et)?|opholdssted(?:et)?|boform(?:en)?))"
    r" (?P<name>[A-ZÆØÅ][\wæøå'-]*(?: (?:[A-ZÆØÅ][\wæøå'-]*|\d+[A-Za-z]?\b))*)"
)
_DEFINITE: tuple[tuple[str, str], ...] = (
    ("tilbuddet", "tilbud"),
    ("institutionen", "institution"),
    ("centeret", "center"),
    ("centret", "center"),
    ("hjemmet", "hjem"),
    ("stedet", "sted"),
    ("boformen", "boform"),
)
OFFER_NAMED = re.compile(r"\b[Tt]akst(?:en|er|erne)? for (?P<name>[A-ZÆØÅ][\wæøå-]*(?: [A-ZÆØÅ][\wæøå-]*)*)")
NOT_OFFERS = re.compile(
    r"\b(?:Region|Kommune|Styregruppe|Lov|Budget|Regnskab|Tabel|Bilag|Side)\b"
    r"|^(?:Den|Det|De|Der|Dette|Denne|Fra|For|Med|Til|Af|På|Ved|Efter|Som|Når|Hvis|Hvor|Og|Men|Samt|Jf)\b"
)


def named_offer(text: str) -> str | None:
    """The offer a title or caption names: a facility with its proper name (`aflastningstilbuddet Torvevej`) or
    what tariffs are for (`Takster for Kvisten`)."""
    if facilities := facilities_in(text):
        return facilities[0]
    return match["name"] if (match := OFFER_NAMED.search(text)) else None


def facilities_in(text: str) -> list[str]:
    """The facilities a text names with their proper names, in order and in the indefinite form
    (`aflastningstilbuddet Torvevej` → `Aflastningstilbud Torvevej`)."""
    found = []
    for match in _FACILITY.finditer(text):
        if not NOT_OFFERS.search(match["name"]):
            noun = _indefinite(match["noun"])
            found.append(f"{noun[0].upper()}{noun[1:]} {match['name']}")
    return found


def _indefinite(noun: str) -> str:
    """A facility noun without its definite ending: `aflastningstilbuddet` → `aflastningstilbud`."""
    for ending, plain in _DEFINITE:
        if noun.endswith(ending):
            return noun[: -len(ending)] + plain
    return noun


def make_fact(
    offer: str, service: str | None, year: int | None, amount: int, kind: str, line: Line, **extra: object
) -> TariffFact:
    """A fact with the line's text as evidence; `extra` sets legal_basis, places, unit or previous_amount_dkk."""
    fields = {"legal_basis": None, "places": None, "unit": None, "previous_amount_dkk": None} | extra
    return TariffFact(
        offer=offer,
        service=service,
        year=year,
        amount_dkk=amount,
        kind=kind,
        evidence=collapse(line.text),
        line=line,
        **fields,
    )


def pair_facts(
    offer: str, service: str | None, years: tuple[int | None, int | None], amounts: tuple[int, int], line: Line, **extra
) -> list[TariffFact]:
    """The `old` and `new` facts of a before/after pair; the new one remembers the old amount."""
    old = make_fact(offer, service, years[0], amounts[0], "old", line, **extra)
    new = make_fact(offer, service, years[1], amounts[1], "new", line, previous_amount_dkk=amounts[0], **extra)
    return [old, new]


def dedupe(facts: list[TariffFact]) -> list[TariffFact]:
    """Facts in order, each (offer, service, year, kind, amount) once."""
    seen: set[tuple] = set()
    unique = []
    for fact in facts:
        key = (fact.offer.lower(), (fact.service or "").lower(), fact.year, fact.kind, fact.amount_dkk)
        if key not in seen:
            seen.add(key)
            unique.append(fact)
    return unique
