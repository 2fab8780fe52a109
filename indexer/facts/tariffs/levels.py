"""Level tables (Aalborg's "JV" layout): an old/new tariff pair per offer level,
`Botilbud X Boniveau 4 SEL § 107 Døgn 98 - 2.336 2.371 0,57% 2,08% 1,51`, offer names wrapped onto the lines above
the row."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.document import Line
from indexer.facts.numbers import parse_dkk
from indexer.facts.tariffs.common import TariffFact, collapse, pair_facts

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


def level_table_facts(lines: list[Line], context_year: int | None) -> list[TariffFact]:
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
        facts += pair_facts(offer, service, (year, year), (row.old, row.new), row.line, **extra)
    return facts


def _level_rows(lines: list[Line]) -> list[_LevelRow]:
    """The level-table rows among `lines`, with offer names wrapped onto earlier lines joined in."""
    parsed = {}
    for index, line in enumerate(lines):
        if (match := _LEVEL_ROW.match(line.text)) and (amounts := _old_new(match["values"])):
            parsed[index] = (match, amounts)
    heads = [collapse(match["head"]) for match, _ in parsed.values()]
    starts = {head.split()[0] for head in heads if not _is_continuation(head, None)}
    rows = []
    for index, (match, (old, new)) in parsed.items():
        head = _joined_head(lines, index, collapse(match["head"]), set(parsed), starts)
        places = int(match["places"]) if match["places"] else None
        law = collapse(match["law"])
        rows.append(_LevelRow(lines[index], head, law, places, match["unit"].lower(), old, new))
    return rows


def _joined_head(lines: list[Line], index: int, head: str, row_indexes: set[int], starts: set[str]) -> str:
    """`head` with up to three wrapped lines above it joined in: as few as make it start like a complete row
    (`starts`: the first words of complete heads), else as few as balance its brackets, else none."""
    candidates = [head]
    for back in range(index - 1, max(index - 4, -1), -1):
        if back in row_indexes:
            break
        candidates.append(f"{collapse(lines[back].text)} {candidates[-1]}")
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
