"""Tariff facts (prices per døgn/dag/sag/time/år) from the flattened tables and the prose of one section.

Three readers share the lines of a section:

* level tables (Aalborg's "JV" layout): one row per offer level, `<offer> <ydelse> <lov § n> [pladser] <Døgn|Dag>
  <belægning> <budgets> <gammel> <ny> <pct>…`, offer names wrapped onto the lines above the row;
* column tables: a label, a few amounts, and a header above naming the years (`År 2023 (i 2024 priser) År 2024`),
  the tariff categories (`2019 Takster Tilsyn Skærpet …`) or the two versions of a corrected tariff;
* prose: `døgntaksten er 4.107 kr. pr. anvendt plads`, `Taksten stiger fra 13.767 kr. til 14.589 kr.`,
  `en takststigning på 119 kr. pr. døgn`, `… for ubenyttede pladser (3.080 kr.)`, `svarende til ca. 1,1 mio. kr.
  om året`, `Taksten for 2013 sænkes med 2 pct., hvilket svarer til 64 kr. i døgnet, således vil ny takst udgøre
  3.114 kr. i døgnet`.

A table row's offer is named by the table itself (a group row above its rows, its caption, its title) or by the
item's title, never by a name met elsewhere on the page; a table stated `i 1.000 kr.` or `(mio. kr.)` has its
amounts scaled to kroner.

Only amounts that the text ties to a tariff are reported; budgets, totals and percentages are not.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from indexer.document import Line
from indexer.facts.numbers import parse_danish_number, parse_dkk

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


def extract_tariffs(lines: list[Line], context_year: int | None = None, title: str | None = None) -> list[TariffFact]:
    """All tariff facts in the lines of one section or appendix; `context_year` dates prose that names no year,
    and the offer the item's `title` names (`Takstreduktion på aflastningstilbuddet Torvevej`) prices what the
    section itself does not name."""
    lines = [line for line in lines if line.text.strip() and not _PAGE_MARK.match(line.text)]
    title_offer = _named_offer(title) if title else None
    level_facts = _level_table_facts(lines, context_year)
    level_rows = {fact.line.no for fact in level_facts}
    rest = [line for line in lines if line.no not in level_rows]
    facts = level_facts + _column_table_facts(rest, context_year, title_offer)
    return _dedupe(facts + _prose_facts(lines, context_year, title_offer))


# ---------------------------------------------------------------------------------------------------------------
# shared helpers

_PAGE_MARK = re.compile(r"^\s*(?:Side\s+\d+(?:\s+af\s+\d+)?|\d{1,3}(?:\s*/\s*\d+)?)\s*$")
_WS = re.compile(r"\s+")
_YEAR = re.compile(r"(?<!\d)(?<!\d[.,])((?:19|20)\d\d)(?!\d|[.,]\d)")
_UNIT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"timepris|pr\. time", re.I), "time"),
    (re.compile(r"døgn", re.I), "døgn"),
    (re.compile(r"\bdag\b|dagtilbud", re.I), "dag"),
    (re.compile(r"plejefamilie", re.I), "plejefamilie/år"),
    (re.compile(r"skærpet|godkendelse|ændring|\bsag\b", re.I), "sag"),
    (re.compile(r"takstgruppe|takstkategori|tilsyn|pr\. tilbud|årstakst|pr\. år\b", re.I), "år"),
)


def _collapse(text: str) -> str:
    """`text` with every whitespace run (NBSP included) as one space, stripped."""
    return _WS.sub(" ", text).strip()


def _infer_unit(text: str) -> str | None:
    """The tariff unit a label or service names (`døgn`, `dag`, `time`, `sag`, `år`, `plejefamilie/år`)."""
    return next((unit for pattern, unit in _UNIT_RULES if pattern.search(text)), None)


def _section_unit(lines: list[Line]) -> str | None:
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
_OFFER_NAMED = re.compile(r"\b[Tt]akst(?:en|er|erne)? for (?P<name>[A-ZÆØÅ][\wæøå-]*(?: [A-ZÆØÅ][\wæøå-]*)*)")
_SCALE = re.compile(r"(?:\(\s*|\bi\s+)(?P<unit>1\.?000|mio\.)\s*kr\b|(?<!\d\s)(?<![\d,.])\bt\.?\s?kr\b", re.I)
_SCALE_PHRASE = re.compile(rf"\s*,?\s*\(?\s*(?:{_SCALE.pattern})\.?\s*\)?", re.I)


def _named_offer(text: str) -> str | None:
    """The offer a title or caption names: a facility with its proper name (`aflastningstilbuddet Torvevej`) or
    what tariffs are for (`Takster for Kvisten`)."""
    if facilities := _facilities(text):
        return facilities[0]
    return match["name"] if (match := _OFFER_NAMED.search(text)) else None


def _facilities(text: str) -> list[str]:
    """The facilities a text names with their proper names, in order and in the indefinite form
    (`aflastningstilbuddet Torvevej` → `Aflastningstilbud Torvevej`)."""
    found = []
    for match in _FACILITY.finditer(text):
        if not _NOT_OFFERS.search(match["name"]):
            noun = _indefinite(match["noun"])
            found.append(f"{noun[0].upper()}{noun[1:]} {match['name']}")
    return found


def _indefinite(noun: str) -> str:
    """A facility noun without its definite ending: `aflastningstilbuddet` → `aflastningstilbud`."""
    for ending, plain in _DEFINITE:
        if noun.endswith(ending):
            return noun[: -len(ending)] + plain
    return noun


def _scale(text: str) -> int | None:
    """The factor a label, header or caption states its amounts in: `i 1.000 kr.`, `(1.000 kr.)`, `t.kr.` →
    1000, `(mio. kr.)`, `i mio. kr.` → 1 000 000; an amount (`45 t.kr.`) states none."""
    if (match := _SCALE.search(text)) is None:
        return None
    return 1_000_000 if (match["unit"] or "").lower() == "mio." else 1000


def _fact(
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
        evidence=_collapse(line.text),
        line=line,
        **fields,
    )


def _pair(
    offer: str, service: str | None, years: tuple[int | None, int | None], amounts: tuple[int, int], line: Line, **extra
) -> list[TariffFact]:
    """The `old` and `new` facts of a before/after pair; the new one remembers the old amount."""
    old = _fact(offer, service, years[0], amounts[0], "old", line, **extra)
    new = _fact(offer, service, years[1], amounts[1], "new", line, previous_amount_dkk=amounts[0], **extra)
    return [old, new]


def _dedupe(facts: list[TariffFact]) -> list[TariffFact]:
    """Facts in order, each (offer, service, year, kind, amount) once."""
    seen: set[tuple] = set()
    unique = []
    for fact in facts:
        key = (fact.offer.lower(), (fact.service or "").lower(), fact.year, fact.kind, fact.amount_dkk)
        if key not in seen:
            seen.add(key)
            unique.append(fact)
    return unique


# ---------------------------------------------------------------------------------------------------------------
# level tables: `Botilbud X Boniveau 4 SEL § 107 Døgn 98 - 2.336 2.371 0,57% 2,08% 1,51`

_LEVEL_ROW = re.compile(
    r"^\s*(?P<head>.+?)\s+(?P<law>[A-ZÆØÅ]{2,4}\s*§+\s*\d+\s?[a-z]?)\s+(?:(?P<places>\d{1,4})\s+)?"
    r"(?P<unit>Døgn|Dag|Time|Uge|Måned|År)\s+(?P<values>\d.*)$"
)
_LEVEL = re.compile(r"^(?P<offer>.+?)\s+(?P<level>(?:B+o|Takst)?niveau\s+\d+)$", re.I)
_TRAILING_NUMBER = re.compile(r"^(?P<stem>.*\D)\s+\d+$")


@dataclass
class _LevelRow:
    """One parsed row of a level table."""

    line: Line
    head: str
    law: str
    places: int | None
    unit: str
    old: int
    new: int


def _level_table_facts(lines: list[Line], context_year: int | None) -> list[TariffFact]:
    """Old/new tariff pairs of every row of a level table; both figures are for the table's tariff year."""
    rows = _level_rows(lines)
    if not rows:
        return []
    year = _table_tariff_year(lines, context_year)
    levels = {row.line.no: match for row in rows if (match := _LEVEL.match(row.head))}
    averages = _split_average_heads(
        [row.head for row in rows if row.line.no not in levels], {match["offer"] for match in levels.values()}
    )
    facts: list[TariffFact] = []
    current_offer: str | None = None
    for row in rows:
        if match := levels.get(row.line.no):
            offer = _same_offer(match["offer"], current_offer)
            service = re.sub(r"^B+o", "Bo", match["level"], flags=re.I)
        else:
            offer, service = averages[row.head]
            current_offer = offer
        extra = {"legal_basis": row.law, "places": row.places, "unit": row.unit}
        facts += _pair(offer, service, (year, year), (row.old, row.new), row.line, **extra)
    return facts


def _level_rows(lines: list[Line]) -> list[_LevelRow]:
    """The level-table rows among `lines`, with offer names wrapped onto earlier lines joined in."""
    parsed = {}
    for index, line in enumerate(lines):
        if (match := _LEVEL_ROW.match(line.text)) and (amounts := _old_new(match["values"])):
            parsed[index] = (match, amounts)
    heads = [_collapse(match["head"]) for match, _ in parsed.values()]
    starts = {head.split()[0] for head in heads if not _is_continuation(head, None)}
    rows = []
    for index, (match, (old, new)) in parsed.items():
        head = _joined_head(lines, index, _collapse(match["head"]), set(parsed), starts)
        places = int(match["places"]) if match["places"] else None
        law = _collapse(match["law"])
        rows.append(_LevelRow(lines[index], head, law, places, match["unit"].lower(), old, new))
    return rows


def _joined_head(lines: list[Line], index: int, head: str, row_indexes: set[int], starts: set[str]) -> str:
    """`head` with up to three wrapped lines above it joined in: as few as make it start like a complete row
    (`starts`: the first words of complete heads), else as few as balance its brackets, else none."""
    candidates = [head]
    for back in range(index - 1, max(index - 4, -1), -1):
        if back in row_indexes:
            break
        candidates.append(f"{_collapse(lines[back].text)} {candidates[-1]}")
    for rule in (starts or None, None):
        if found := next((text for text in candidates if not _is_continuation(text, rule)), None):
            return found
    return head


def _old_new(values: str) -> tuple[int, int] | None:
    """The two tariffs before the first percentage of `98 - 2.336 2.371 0,57% …` (budgets and `-` come first)."""
    tokens = values.split()
    first_pct = next((i for i, token in enumerate(tokens) if token.endswith("%")), len(tokens))
    if first_pct < 3:
        return None
    old, new = parse_dkk(tokens[first_pct - 2]), parse_dkk(tokens[first_pct - 1])
    return (old, new) if old is not None and new is not None else None


def _is_continuation(head: str, starts: set[str] | None) -> bool:
    """Whether a row head lacks its beginning: unbalanced brackets, a lower-case/digit start, or (given `starts`)
    a first word that no complete row starts with."""
    if head.count("(") != head.count(")") or not head[:1].isupper():
        return True
    return starts is not None and head.split()[0] not in starts


def _table_tariff_year(lines: list[Line], context_year: int | None) -> int | None:
    """The year of a level table's tariffs: its `Takst 2023` column header, else the meeting's year."""
    for line in lines:
        if match := re.search(r"\bTakst\s+((?:19|20)\d\d)\b", line.text):
            return int(match[1])
    return context_year


def _same_offer(offer: str, current: str | None) -> str:
    """`Botilbud Studievej 16` under `Botilbud Studievej 15`'s average row is an auto-incremented copy of it."""
    if current is None or offer == current:
        return offer
    mine, theirs = _TRAILING_NUMBER.match(offer), _TRAILING_NUMBER.match(current)
    return current if mine and theirs and mine["stem"] == theirs["stem"] else offer


def _split_average_heads(heads: list[str], level_offers: set[str]) -> dict[str, tuple[str, str | None]]:
    """Split `<offer> <ydelse>` heads of average rows: by a level row's offer name, by the ydelse repeating a word
    of the offer (`Botilbud Løvdal Løvdal samlet`), by a ydelse seen in another row, else after two words."""
    splits = {head: _split_by_offer(head, level_offers) or _split_by_repeat(head) for head in heads}
    services = {split[1] for split in splits.values() if split}
    for head, split in splits.items():
        if split is None:
            splits[head] = _split_by_service(head, services) or _split_after(head, 2)
    return splits


def _split_by_offer(head: str, offers: set[str]) -> tuple[str, str] | None:
    """`head` split after the longest known offer name it starts with (the name with or without its first word)."""
    variants = {offer for offer in offers} | {offer.split(" ", 1)[1] for offer in offers if " " in offer}
    for offer in sorted(variants, key=len, reverse=True):
        if head.startswith(offer + " "):
            return offer, head[len(offer) + 1 :]
    return None


def _split_by_repeat(head: str) -> tuple[str, str] | None:
    """`head` split before the first word that repeats (loosely) a name word of the offer before it."""
    words = head.split()
    for index in range(2, len(words)):
        if any(_similar(words[index], earlier) for earlier in words[1:index]):
            return _split_after(head, index)
    return None


def _similar(word: str, other: str) -> bool:
    """Same name word up to case, punctuation and doubled letters (`Hobbitten`/`Hobitten`, `Vester`/`Vesterhassing`)."""
    a, b = (re.sub(r"[^\wæøå]|(\w)\1", r"\1", w.lower()) for w in (word, other))
    return len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a))


def _split_by_service(head: str, services: set[str]) -> tuple[str, str] | None:
    """`head` split before the longest known ydelse it ends with."""
    for service in sorted(services, key=len, reverse=True):
        if head.endswith(" " + service):
            return head[: -len(service) - 1], service
    return None


def _split_after(head: str, count: int) -> tuple[str, str | None]:
    """`head` split after its first `count` words."""
    words = head.split()
    return " ".join(words[:count]), " ".join(words[count:]) or None


# ---------------------------------------------------------------------------------------------------------------
# column tables: `Takstgruppe 1 (1-7 pladser) 42.884 43.852 2,3` under `År 2023 (i 2024 priser) År 2024`

_NUMERIC_TOKEN = re.compile(r"^(?:[-\u2212]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?%?|[-–])$")
_INT_TOKEN = re.compile(r"^[-\u2212]?(?:\d{1,3}(?:\.\d{3})+|\d+)$")
_NUMBERED_LABEL = re.compile(r"(?:kategori|gruppe|niveau|nr\.)$", re.I)
_TARIFF_LABEL = re.compile(
    r"\b(?:døgn|dag|time|måneds|års)?takst(?:gruppe|kategori)?\b|\btimepris\b|\bgennemsnitspris\b|\bpris pr\.", re.I
)
_PROSE_LABEL = re.compile(r"\b(?:at|af|på|i|og|til|for|med|om|som|der|er|blev)$|^(?:\S+\s+){10}", re.I)
_TOTAL_LABEL = re.compile(r"^(?:i alt|alle|samlet|total)\b", re.I)
_PRICE_LEVEL = re.compile(r"\(\s*(?:i\s+)?((?:19|20)\d\d)\s*[-–]?\s*(?:priser|pl)\b\s*\)?", re.I)
_CATEGORY_HEADER = re.compile(r"^\s*(?:19|20)\d\d\s+Takster\b(?P<names>.*)$", re.I)
_CAPTION_QUALIFIERS: tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...] = (
    (re.compile(r"\btakst(?:en|er)? (pr\. \w+)", re.I), re.compile(r"\bpr\."), " – takst {0}"),
    (re.compile(r"\bobjektiv(?:e)? finansiering", re.I), re.compile(r"finansiering"), " (objektiv finansiering)"),
)


@dataclass
class _Row:
    """A table line split into its label and its trailing numbers, and the factor its amounts are stated in."""

    label: str
    tokens: list[str]
    scale: int = 1

    @property
    def counts(self) -> list[int]:
        """The whole-number cells as written (decimals and percentages are ratios, `-` is empty)."""
        ints = (parse_dkk(token) for token in self.tokens if _INT_TOKEN.match(token))
        return [count for count in ints if count is not None]

    @property
    def amounts(self) -> list[int]:
        """The amount cells in kroner: the whole numbers, or in a table stated in thousands or millions of kroner
        every number but a percentage, scaled."""
        if self.scale == 1:
            return self.counts
        values = (parse_danish_number(token) for token in self.tokens if not token.endswith("%"))
        return [round(value * self.scale) for value in values if value is not None]

    @property
    def is_data(self) -> bool:
        """Whether the line carries numbers that are not just the years of a title or header (`Ydelse 2023 2024`)."""
        return bool(self.amounts) and not all(_YEAR.fullmatch(token) for token in self.tokens)


def _split_row(text: str, context_scale: int = 1) -> _Row:
    """`Takstkategori 2 42.409 4.241` → label `Takstkategori 2`, tokens `42.409 4.241`; the amounts are in the
    unit the label states (`Døgntakst (1.000 kr.) 3,2`), else in the table's (`context_scale`)."""
    words = _collapse(text).split()
    cut = len(words)
    while cut > 0 and _NUMERIC_TOKEN.match(words[cut - 1]):
        cut -= 1
    if not any(char.isdigit() for word in words[cut:] for char in word):
        cut = len(words)
    if 0 < cut < len(words) and _NUMBERED_LABEL.search(words[cut - 1]) and words[cut].isdigit():
        cut += 1
    label = " ".join(words[:cut])
    return _Row(label, words[cut:], _scale(label) or context_scale)


def _row_scales(lines: list[Line]) -> list[int]:
    """The factor each line's amounts are stated in, from a caption or header that states one (`Takster i 1.000
    kr.:`, `(mio. kr.) 2023 2024`) down to the next caption; a row stating its own unit keeps it to itself."""
    scales, context = [], 1
    for line in lines:
        own = _scale(line.text)
        counts = [token for token in _split_row(line.text).tokens if not _YEAR.fullmatch(token)]
        if own and not counts:
            context = own
        elif own is None and _is_caption(line.text):
            context = 1
        scales.append(context)
    return scales


def _year_columns(text: str) -> list[int]:
    """The years a header gives its columns, in order: a price level (`(i 2024 priser)`, `2019-priser`) only
    restates the column before it, and the date of a population count (`2. kvt. 2022`) is no column."""
    price_levels = [match.span() for match in _PRICE_LEVEL.finditer(text)]
    columns = []
    for match in _YEAR.finditer(text):
        in_price_level = any(start <= match.start() < end for start, end in price_levels)
        count_date = re.search(r"kvt\.?\s*$", text[: match.start()])
        price_suffix = re.match(r"\s*[-–]?\s*(?:priser|pl)\b", text[match.end() :], re.I)
        if not (in_price_level or count_date or price_suffix):
            columns.append(int(match[1]))
    return columns


def _is_caption(text: str) -> bool:
    """A line that introduces a table (`…, bliver med Budget 2024:`) or ends a sentence of prose."""
    stripped = text.strip()
    return stripped.endswith(":") or (len(stripped) > 40 and stripped.endswith("."))


def _is_fragment(row: _Row, text: str) -> bool:
    """A short wrapped piece of a label (`pladser)`, `pr. plejefamilie`) rather than a header line."""
    return not row.is_data and not _YEAR.search(text) and len(text.strip()) <= 40 and not _is_caption(text)


@dataclass
class _Header:
    """The header above a run of table rows, its caption, and the indexes of its first and last line."""

    text: str
    caption: str
    start: int
    end: int


def _header(lines: list[Line], rows: list[_Row], index: int, needed: int) -> _Header | None:
    """The header of the table row at `index`: the nearest non-data lines above the table's first row, taken back
    until they name `needed` year columns or meet a caption, data, or ten lines."""
    end = index - 1
    while end >= 0 and (rows[end].is_data or _is_fragment(rows[end], lines[end].text)):
        end -= 1
    if end < 0 or _is_caption(lines[end].text):
        return None
    first_data = next((i for i in range(end + 1, index + 1) if rows[i].is_data), index)
    start = end
    while (
        len(_year_columns(_joined(lines, start, first_data))) < needed
        and start > 0
        and end - start < 10
        and not rows[start - 1].is_data
        and not _is_caption(lines[start - 1].text)
    ):
        start -= 1
    return _Header(_joined(lines, start, first_data), _caption(lines, rows, start), start, end)


def _joined(lines: list[Line], start: int, stop: int) -> str:
    """The texts of `lines[start:stop]` as one line."""
    return _collapse(" ".join(line.text for line in lines[start:stop]))


def _caption(lines: list[Line], rows: list[_Row], start: int) -> str:
    """The caption line above a header (at most 25 lines up, no data between), with the line it wraps from when it
    starts in lower case."""
    above = start - 1
    while above >= 0 and start - above <= 25 and not rows[above].is_data and not _is_caption(lines[above].text):
        above -= 1
    if above < 0 or rows[above].is_data or not _is_caption(lines[above].text):
        return ""
    caption = lines[above].text
    if not caption.strip()[:1].isupper() and above > 0:
        caption = lines[above - 1].text + " " + caption
    return _collapse(caption)


def _label(lines: list[Line], rows: list[_Row], index: int) -> str:
    """A row's label with the wrapped beginning (`Takstgruppe 3 (25-49` / `pladser)`) joined in."""
    return _collapse(" ".join(row.label for row in rows[_label_start(lines, rows, index) : index + 1]))


def _label_start(lines: list[Line], rows: list[_Row], index: int) -> int:
    """The index of the line a row's label starts on: the row itself, or a wrapped beginning above it."""
    label, back = rows[index].label, index - 1
    while back >= 0 and (not label or not label[:1].isupper() or label.count("(") < label.count(")")):
        if rows[back].is_data or not _is_fragment(rows[back], lines[back].text):
            break
        label = f"{rows[back].label} {label}"
        back -= 1
    return back + 1


def _column_table_facts(lines: list[Line], context_year: int | None, title_offer: str | None) -> list[TariffFact]:
    """Tariffs in column tables: rows whose label names a tariff, or any row of a table headed by `Takst`."""
    rows = [_split_row(line.text, scale) for line, scale in zip(lines, _row_scales(lines))]
    section_unit = _section_unit(lines)
    facts: list[TariffFact] = []
    categories: list[tuple[int, list[TariffFact]]] = []
    names: list[str] = []
    for index, row in enumerate(rows):
        if (found := _tariff_row(lines, rows, index, title_offer)) is None:
            continue
        offer, label, header = found
        columns, amounts = _year_columns(header.text), row.amounts
        if (category := _CATEGORY_HEADER.match(header.text)) and len(columns) == 1 and len(amounts) > 1:
            names = _category_names(category["names"], len(amounts), lines) or names
            if len(names) == len(amounts):
                categories.append((columns[0], _category_facts(offer, label, names, amounts, lines[index])))
            continue
        service = _service(label, header.caption, section_unit)
        unit = _infer_unit(label) or _infer_unit(header.caption) or section_unit
        places, amounts = _places(header.text, row)
        year = _nearby_year(lines, header.start) or context_year
        facts += _row_facts(offer, service, columns, amounts, lines[index], year, unit=unit, places=places)
    reported = {(f.offer, f.year, f.kind, f.amount_dkk) for f in facts}
    category_facts = _pair_category_tables(categories)
    return facts + [f for f in category_facts if (f.offer, f.year, f.kind, f.amount_dkk) not in reported]


def _tariff_row(
    lines: list[Line], rows: list[_Row], index: int, title_offer: str | None
) -> tuple[str, str, _Header] | None:
    """(offer, label, header) when the line at `index` is a table row that prices something, else None."""
    row = rows[index]
    if not row.is_data:
        return None
    label = _label(lines, rows, index)
    header = _header(lines, rows, index, len(row.amounts))
    if header is None or _TOTAL_LABEL.match(label) or _PROSE_LABEL.search(label):
        return None
    if not (_TARIFF_LABEL.search(label) or re.search(r"\btakst\b", header.text, re.I)):
        return None
    group = _group_row(lines, rows, index, header.end)
    if group and _PROPER_NAME.match(group):
        offer: str | None = group
    else:
        offer = _table_offer(lines, index, header, title_offer) or group
    return (offer, label, header) if offer else None


def _service(label: str, caption: str, section_unit: str | None) -> str:
    """The service a row prices: its label (without `i kr.` or `(1.000 kr.)`), qualified by what its caption says
    the table shows."""
    service = _SCALE_PHRASE.sub("", re.sub(r"\s+i kr\.?$", "", label)).strip()
    if service.lower() == "takst" and section_unit:
        return f"takst pr. {section_unit}"
    for pattern, already_said, template in _CAPTION_QUALIFIERS:
        if (match := pattern.search(caption)) and not already_said.search(service):
            return service + template.format(*match.groups())
    return service


def _places(header: str, row: _Row) -> tuple[int | None, list[int]]:
    """Split off a leading place count (never scaled) when the header has a `Pladsantal`/`pladser` column."""
    if len(row.amounts) == 3 and re.search(r"pladsantal|antal pladser", header, re.I):
        return row.counts[0], row.amounts[1:]
    return None, row.amounts


def _nearby_year(lines: list[Line], start: int) -> int | None:
    """The last year named in the prose just above a table (`… takstbilaget for 2021 …`)."""
    for line in reversed(lines[max(0, start - 4) : start]):
        if years := _YEAR.findall(line.text):
            return int(years[-1])
    return None


def _row_facts(
    offer: str, service: str, columns: list[int], amounts: list[int], line: Line, fallback_year: int | None, **extra
) -> list[TariffFact]:
    """Facts of one row: with year columns, the last two are an old/new pair and earlier ones plain tariffs; with
    none, two amounts are a correction (old/new in the same year) and one is a plain tariff."""
    if not columns:
        if len(amounts) == 2:
            return _pair(offer, service, (fallback_year, fallback_year), (amounts[0], amounts[1]), line, **extra)
        single = len(amounts) == 1
        return [_fact(offer, service, fallback_year, amounts[0], "takst", line, **extra)] if single else []
    if len(columns) < len(amounts):
        return []
    columns = columns[-len(amounts) :]
    if len(amounts) == 1:
        return [_fact(offer, service, columns[0], amounts[0], "takst", line, **extra)]
    plain = [_fact(offer, service, y, amount, "takst", line, **extra) for y, amount in zip(columns, amounts[:-2])]
    return plain + _pair(offer, service, (columns[-2], columns[-1]), (amounts[-2], amounts[-1]), line, **extra)


def _category_names(names: str, count: int, lines: list[Line]) -> list[str]:
    """Column names of a category header (`Tilsyn Skærpet Ny-godkendelse Væsentlig ændring`): one word each, the
    surplus words forming the last; a bare participle (`Skærpet`) qualifies the first column, and a hyphen is
    dropped where the section spells the word without it."""
    words = names.split()
    if len(words) < count:
        return []
    cells = words[: count - 1] + [" ".join(words[count - 1 :])]
    section = " ".join(line.text for line in lines).lower()
    result = []
    for position, cell in enumerate(cells):
        if position and re.fullmatch(r"[A-ZÆØÅ][a-zæøå]+et", cell):
            cell = f"{cell} {cells[0].lower()}"
        if "-" in cell and cell.replace("-", "").lower() in section:
            cell = cell[0] + cell.replace("-", "")[1:].lower()
        result.append(cell)
    return result


def _category_facts(offer: str, label: str, names: list[str], amounts: list[int], line: Line) -> list[TariffFact]:
    """One fact per category column; the kind and year are set when the category tables are paired."""
    return [
        _fact(offer, f"{label} – {name}", None, amount, "takst", line, unit=_infer_unit(name) or _infer_unit(label))
        for name, amount in zip(names, amounts)
    ]


def _pair_category_tables(tables: list[tuple[int, list[TariffFact]]]) -> list[TariffFact]:
    """Category tables of two years are an old/new pair (the later year is new); a lone one holds plain tariffs."""
    years = sorted({year for year, _ in tables})
    latest = years[-1] if years else None
    old = {(f.offer, f.service): f.amount_dkk for year, fs in tables if year != latest for f in fs}
    facts = []
    for year, table_facts in tables:
        for fact in table_facts:
            if len(years) == 1:
                facts.append(replace(fact, year=year))
            elif year == latest:
                previous = old.get((fact.offer, fact.service))
                facts.append(replace(fact, year=year, kind="new", previous_amount_dkk=previous))
            else:
                facts.append(replace(fact, year=year, kind="old"))
    return facts


_TITLE = re.compile(
    r"^\s*(?:\d+\s+)?(?P<name>[^\W\d][\w.]*(?:\s+[^\W\d][\w.]*){0,3})\s*[-–]\s*budget\s+(?:19|20)\d\d:?\s*$", re.I
)
_TARIFF_HEADING = re.compile(r"^\s*(?:nye |reviderede )?takster for (?P<name>[\w ]+?)\s*$", re.I)
_OPERATOR = re.compile(r"^\s*(?:Region [A-ZÆØÅ]\w+|[A-ZÆØÅ]\w+ Kommune)\b")


_PROPER_NAME = re.compile(r"^\S+ [A-ZÆØÅ\d]")
_HEADER_WORDS = re.compile(
    r"\b(?:takst\w*|\w*pris|ydelse|beløb|kr\.?|pct\.?|antal|pladsantal|ændring|budget|regnskab|i alt)\b|%|:$", re.I
)


def _group_row(lines: list[Line], rows: list[_Row], index: int, header_end: int) -> str | None:
    """The group row a table row stands under: the nearest line below the header, above the row's label, that
    carries no amounts, names no column and is not a wrapped piece of a label (`Botilbud Solvej` over
    `Døgntakst 2.345 2.400`). It names the row's offer when it is a proper name (`Botilbud Solvej`, `Børnehus
    Nord`, `Torvevej 31`); a single word (`Døgnophold`) may be a service, and names it only when the table's
    caption and title name none."""
    back = _label_start(lines, rows, index) - 1
    while back > header_end:
        if rows[back].is_data:
            back = _label_start(lines, rows, back) - 1
            continue
        text = _collapse(lines[back].text)
        named = text[:1].isupper() and text.count("(") == text.count(")") and not _HEADER_WORDS.search(text)
        return text if named and _is_fragment(rows[back], text) else None
    return None


def _table_offer(lines: list[Line], index: int, header: _Header, title_offer: str | None) -> str | None:
    """The offer a table prices when no group row names it: what its caption names (`Takster for Botilbud
    Solvej:`), else the nearest title above (`Socialtilsyn Nord – Budget 2024:`, `Nye takster for
    specialbørnehjemmene`), else what the item's title names."""
    if caption_offer := _named_offer(header.caption):
        return caption_offer
    titles = [name for i in range(index) if (name := _title_name(lines, i))]
    return titles[-1] if titles else title_offer


def _title_name(lines: list[Line], index: int) -> str | None:
    """The offer title line `index` names, in the section's own mixed-case spelling when the title is in capitals;
    a tariff heading followed by its operator (`Region Nordjylland har …`) gets the operator in brackets."""
    text = lines[index].text
    if match := _TITLE.match(text):
        name = _collapse(match["name"])
    elif match := _TARIFF_HEADING.match(text):
        name = _collapse(match["name"])
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        if operator := _OPERATOR.match(following):
            name = f"{name} ({operator[0]})"
    else:
        return None
    if name.isupper():
        spelled = (re.search(re.escape(name), line.text, re.I) for line in lines)
        mixed = [m[0] for m in spelled if m and not m[0].isupper()]
        name = mixed[0] if mixed else name.title()
    return name[0].upper() + name[1:]


# ---------------------------------------------------------------------------------------------------------------
# prose

_NUM = r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
_FROM_TO = re.compile(
    rf"\btaksten (?:stiger|falder|ændres|hæves|sænkes) fra (?P<old>{_NUM}) kr\.? til (?P<new>{_NUM}) kr", re.I
)
_UNIT_WORD = r"døgnet|døgn|dagen|dag|sagen|sag|timen|time|ugen|uge|måneden|måned|året|år"
_IN_UNIT = r" (?:i|om) (?P<per_in>døgnet|dagen|timen|ugen|måneden|året)\b"  # `i år` is this year
_TARIFF_YEAR = r"(?: (?:for|i) (?P<year>(?:19|20)\d\d))?"
_RATE = re.compile(
    rf"\b(?P<new>(?:den )?nye? )?(?P<prefix>døgn|dag|time|måneds)?takst(?:en)?{_TARIFF_YEAR}"
    r"(?: (?:er|udgør|udgøre|bliver|blive|vil (?:være|udgøre|blive)|fastsættes til|på)|(?(new)|(?!)))"
    r" (?:nu |ca\. )?"
    rf"(?P<amount>{_NUM}) kr\.?"
    rf"(?: (?:pr\.|per) (?P<per>(?:{_UNIT_WORD})\b|[a-zæøå]+(?: (?!svarende)[a-zæøå]+)?)|{_IN_UNIT})?",
    re.I,
)
_CHANGE = re.compile(
    rf"\b(?P<word>takst(?:stigning|forhøjelse|nedsættelse|reduktion|fald)) på (?P<amount>{_NUM}) kr\.?"
    rf"(?: pr\. (?P<per>{_UNIT_WORD})\b|{_IN_UNIT})?",
    re.I,
)
_SHIFT = re.compile(
    rf"\btakst(?:en)?{_TARIFF_YEAR} (?P<verb>sænkes|nedsættes|reduceres|falder|hæves|forhøjes|stiger|øges) med"
    rf"(?: (?:ca\. )?{_NUM} (?:pct\.?|procent|%),?(?: hvilket svarer til| svarende til| eller))?"
    rf" (?:ca\. )?(?P<amount>{_NUM}) kr\.?(?: (?:pr\.|per) (?P<per>{_UNIT_WORD})\b|{_IN_UNIT})?",
    re.I,
)
_DECREASE = re.compile(r"nedsættelse|reduktion|fald|sænke|nedsætte|reducere", re.I)
_EMPTY = re.compile(
    rf"\b(?P<prefix>døgn|dag)?takst(?:en)? for (?:ubenyttede|tomme|ledige) pladser \((?P<amount>{_NUM}) kr\.?\)",
    re.I,
)
_YEARLY = re.compile(
    rf"^[,;]? svarende til (?P<approx>ca\. )?(?P<amount>{_NUM}(?: mio\.| mia\.)?) kr\.? (?:om året|årligt|pr\. år)",
    re.I,
)
_UNITS = {
    **{unit: unit for unit in ("døgn", "dag", "time", "sag", "uge", "måned", "år")},
    **{"måneds": "måned", "døgnet": "døgn", "dagen": "dag", "sagen": "sag", "timen": "time", "ugen": "uge"},
    **{"måneden": "måned", "året": "år"},
}
_OFFER_PLACES = re.compile(r"\bplads(?:er)? på (?P<name>de [a-zæøå]+ pladser)", re.I)
_NAME = re.compile(r"\b(?P<name>[A-ZÆØÅ][a-zæøå]+(?: [A-ZÆØÅ][a-zæøå]+)+)")
_PARTY = re.compile(r"\s*\([A-ZÆØÅ]{1,2}\)")
_ATTENDANCE = re.compile(r"\b(?:fraværende|afbud|deltog ikke|deltager ikke|tilstede|mødedeltagere)\b", re.I)
_NOT_OFFERS = re.compile(
    r"\b(?:Region|Kommune|Styregruppe|Lov|Budget|Regnskab|Tabel|Bilag|Side)\b"
    r"|^(?:Den|Det|De|Der|Dette|Denne|Fra|For|Med|Til|Af|På|Ved|Efter|Som|Når|Hvis|Hvor|Og|Men|Samt|Jf)\b"
)


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
            part = _collapse(line.text)
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


def _prose_facts(lines: list[Line], context_year: int | None, title_offer: str | None) -> list[TariffFact]:
    """Tariffs stated in sentences, each with the offer named before it (`takst for Kvisten`, `aflastningstilbuddet
    Torvevej`), else by the item's title, else the name most mentioned nearby; and the year it states or the
    sentences before it name."""
    if not lines:
        return []
    text = _Text.of(lines)
    section_unit = _section_unit(lines)
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
    return _pair(offer, service, years, amounts, text.line_at(match.start("new")), unit=section_unit)


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
    return _fact(offer, service, year, amount, "increase", text.line_at(match.start()), unit=unit)


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
    facts = [_fact(offer, service, year, parse_dkk(match["amount"]), kind, text.line_at(match.start()), unit=unit)]
    if yearly := _YEARLY.match(text.text[match.end() :]):
        yearly_service = (service or "takst") + (", pr. år (ca.)" if yearly["approx"] else ", pr. år")
        yearly_line = text.line_at(match.end() + yearly.start("amount"))
        facts.append(_fact(offer, yearly_service, year, parse_dkk(yearly["amount"]), kind, yearly_line, unit="år"))
    return facts


def _stated_unit(match: re.Match[str]) -> str | None:
    """The unit a statement prices by: `pr. døgn`, `i døgnet`, `om året`."""
    groups = match.groupdict()
    return _UNITS.get((groups.get("per") or groups.get("per_in") or "").lower())


def _prose_offer(before: str) -> str | None:
    """The offer the text just before a statement names: `takst for Kvisten`, `en plads på de særlige pladser`,
    `aflastningstilbuddet Torvevej`."""
    window = before[-600:]
    for pattern in (_OFFER_NAMED, _OFFER_PLACES):
        if found := list(pattern.finditer(window)):
            name = found[-1]["name"]
            return name[0].upper() + name[1:]
    facilities = _facilities(window)
    return facilities[-1] if facilities else None


def _frequent_name(texts: Iterable[str]) -> str | None:
    """The proper name (two or more capitalised words on one line, not an authority, nor a member: `Birte Kramhøft
    (F)`, a name on a line of who was absent) mentioned most often."""
    names = Counter(
        m["name"]
        for text in texts
        if not _ATTENDANCE.search(text)
        for m in _NAME.finditer(text)
        if not _NOT_OFFERS.search(m["name"]) and not _PARTY.match(text, m.end())
    )
    return names.most_common(1)[0][0] if names else None


def _prose_year(text: str, offset: int) -> int | None:
    """The last year named in the statement's sentence or the one before it."""
    sentence_starts = [m.end() for m in re.finditer(r"[.!?] (?=[A-ZÆØÅ])", text[:offset])]
    window_start = sentence_starts[-2] if len(sentence_starts) >= 2 else 0
    years = _YEAR.findall(text[window_start:offset])
    return int(years[-1]) if years else None
