"""Column tables: the rows that price something (`Takstgruppe 1 (1-7 pladser) 42.884 43.852 2,3` under
`År 2023 (i 2024 priser) År 2024`) and their facts, plain tariffs or old/new pairs by the header's year columns,
or one per column of a category table (`2019 Takster Tilsyn Skærpet …`)."""

from __future__ import annotations

import re
from dataclasses import replace

from indexer.document import Line
from indexer.facts.tariffs.column_layout import (
    SCALE_PHRASE,
    Header,
    Row,
    find_header,
    row_label,
    row_scales,
    split_row,
    year_columns,
)
from indexer.facts.tariffs.column_offers import group_row, table_offer
from indexer.facts.tariffs.common import YEAR, TariffFact, make_fact, pair_facts, unit_of_section

_UNIT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"timepris|pr\. time", re.I), "time"),
    (re.compile(r"døgn", re.I), "døgn"),
    (re.compile(r"\bdag\b|dagtilbud", re.I), "dag"),
    (re.compile(r"plejefamilie", re.I), "plejefamilie/år"),
    (re.compile(r"skærpet|godkendelse|ændring|\bsag\b", re.I), "sag"),
    (re.compile(r"takstgruppe|takstkategori|tilsyn|pr\. tilbud|årstakst|pr\. år\b", re.I), "år"),
)
_TARIFF_LABEL = re.compile(
    r"\b(?:døgn|dag|time|måneds|års)?takst(?:gruppe|kategori)?\b|\btimepris\b|\bgennemsnitspris\b|\bpris pr\.", re.I
)
_PROSE_LABEL = re.compile(r"\b(?:at|af|på|i|og|til|for|med|om|som|der|er|blev)$|^(?:\S+\s+){10}", re.I)
_TOTAL_LABEL = re.compile(r"^(?:i alt|alle|samlet|total)\b", re.I)
_CATEGORY_HEADER = re.compile(r"^\s*(?:19|20)\d\d\s+Takster\b(?P<names>.*)$", re.I)
_CAPTION_QUALIFIERS: tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...] = (
    (re.compile(r"\btakst(?:en|er)? (pr\. \w+)", re.I), re.compile(r"\bpr\."), " – takst {0}"),
    (re.compile(r"\bobjektiv(?:e)? finansiering", re.I), re.compile(r"finansiering"), " (objektiv finansiering)"),
)
_PROPER_NAME = re.compile(r"^\S+ [A-ZÆØÅ\d]")


def _infer_unit(text: str) -> str | None:
    """The tariff unit a label or service names (`døgn`, `dag`, `time`, `sag`, `år`, `plejefamilie/år`)."""
    return next((unit for pattern, unit in _UNIT_RULES if pattern.search(text)), None)


def column_table_facts(lines: list[Line], context_year: int | None, title_offer: str | None) -> list[TariffFact]:
    """Tariffs in column tables: rows whose label names a tariff, or any row of a table headed by `Takst`."""
    rows = [split_row(line.text, scale) for line, scale in zip(lines, row_scales(lines))]
    section_unit = unit_of_section(lines)
    facts: list[TariffFact] = []
    categories: list[tuple[int, list[TariffFact]]] = []
    names: list[str] = []
    for index, row in enumerate(rows):
        if (found := _tariff_row(lines, rows, index, title_offer)) is None:
            continue
        offer, label, header = found
        columns, amounts = year_columns(header.text), row.amounts
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
    lines: list[Line], rows: list[Row], index: int, title_offer: str | None
) -> tuple[str, str, Header] | None:
    """(offer, label, header) when the line at `index` is a table row that prices something, else None."""
    row = rows[index]
    if not row.is_data:
        return None
    label = row_label(lines, rows, index)
    header = find_header(lines, rows, index, len(row.amounts))
    if header is None or _TOTAL_LABEL.match(label) or _PROSE_LABEL.search(label):
        return None
    if not (_TARIFF_LABEL.search(label) or re.search(r"\btakst\b", header.text, re.I)):
        return None
    group = group_row(lines, rows, index, header.end)
    if group and _PROPER_NAME.match(group):
        offer: str | None = group
    else:
        offer = table_offer(lines, index, header, title_offer) or group
    return (offer, label, header) if offer else None


def _service(label: str, caption: str, section_unit: str | None) -> str:
    """The service a row prices: its label (without `i kr.` or `(1.000 kr.)`), qualified by what its caption says
    the table shows."""
    service = SCALE_PHRASE.sub("", re.sub(r"\s+i kr\.?$", "", label)).strip()
    if service.lower() == "takst" and section_unit:
        return f"takst pr. {section_unit}"
    for pattern, already_said, template in _CAPTION_QUALIFIERS:
        if (match := pattern.search(caption)) and not already_said.search(service):
            return service + template.format(*match.groups())
    return service


def _places(header: str, row: Row) -> tuple[int | None, list[int]]:
    """Split off a leading place count (never scaled) when the header has a `Pladsantal`/`pladser` column."""
    if len(row.amounts) == 3 and re.search(r"pladsantal|antal pladser", header, re.I):
        return row.counts[0], row.amounts[1:]
    return None, row.amounts


def _nearby_year(lines: list[Line], start: int) -> int | None:
    """The last year named in the prose just above a table (`… takstbilaget for 2021 …`)."""
    for line in reversed(lines[max(0, start - 4) : start]):
        if years := YEAR.findall(line.text):
            return int(years[-1])
    return None


def _row_facts(
    offer: str, service: str, columns: list[int], amounts: list[int], line: Line, fallback_year: int | None, **extra
) -> list[TariffFact]:
    """Facts of one row: with year columns, the last two are an old/new pair and earlier ones plain tariffs; with
    none, two amounts are a correction (old/new in the same year) and one is a plain tariff."""
    if not columns:
        if len(amounts) == 2:
            return pair_facts(offer, service, (fallback_year, fallback_year), (amounts[0], amounts[1]), line, **extra)
        single = len(amounts) == 1
        return [make_fact(offer, service, fallback_year, amounts[0], "takst", line, **extra)] if single else []
    if len(columns) < len(amounts):
        return []
    columns = columns[-len(amounts) :]
    if len(amounts) == 1:
        return [make_fact(offer, service, columns[0], amounts[0], "takst", line, **extra)]
    plain = [make_fact(offer, service, y, amount, "takst", line, **extra) for y, amount in zip(columns, amounts[:-2])]
    return plain + pair_facts(offer, service, (columns[-2], columns[-1]), (amounts[-2], amounts[-1]), line, **extra)


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
        make_fact(offer, f"{label} – {name}", None, amount, "takst", line, unit=_infer_unit(name) or _infer_unit(label))
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
