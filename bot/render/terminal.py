"""Answers for an 80-column terminal: a citation header per passage, matched words highlighted."""

from __future__ import annotations

import re
import textwrap
from datetime import date

from bot.answer import Answer, Passage
from bot.lookups.decisions import DecisionRow
from bot.lookups.meetings import MeetingRow
from bot.lookups.tariffs import TariffRow
from bot.render.citation import citation, part_of_item

WIDTH = 80
KIND_LABELS = {"old": "før ændring", "new": "ny", "increase": "ændring", "tomplads": "tom plads"}
NEAREST = "Det nærmeste, arkivet har:"
NO_ANSWER = (
    "Det kan jeg ikke finde i møderne. Prøv andre ord, eller slå op med 'dasbot decisions' eller 'dasbot tariffs'."
)


def highlight(text: str, matched: tuple[str, ...], bold: bool) -> str:
    """Mark the matched words: ANSI bold on a terminal, *word* otherwise."""
    if not matched:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(matched, key=len, reverse=True)) + r")\b", re.I)
    return pattern.sub((lambda m: f"\033[1m{m.group(0)}\033[0m") if bold else (lambda m: f"*{m.group(0)}*"), text)


def render_passage(passage: Passage, bold: bool, same_item: bool = False) -> str:
    """One passage: its numbered citation header (only section and page when the item was just shown),
    then the wrapped text."""
    cite = citation(passage.citation) if not same_item else " · ".join(part_of_item(passage.citation))
    header = textwrap.fill(f"[{passage.rank}] {cite}", WIDTH, subsequent_indent="    ")
    body = textwrap.fill(passage.text, WIDTH, initial_indent="    ", subsequent_indent="    ")
    return f"{header}\n{highlight(body, passage.matched, bold)}"


def render_passages(passages: list[Passage], bold: bool) -> list[str]:
    """Passages in order; a passage of the same item as the one before it gets a short header."""
    out = []
    for previous, passage in zip([None, *passages], passages):
        cite = passage.citation
        same = (
            previous is not None
            and cite.item is not None
            and (previous.citation.source, previous.citation.item) == (cite.source, cite.item)
        )
        out.append(render_passage(passage, bold, same))
    return out


def render_direct(answer: Answer) -> str:
    """The direct answer line: the best-matching sentence and the passage it is quoted from."""
    if answer.direct is None:
        return ""
    return textwrap.fill(f"Svar: »{answer.direct.text}« [{answer.direct.rank}]", WIDTH, subsequent_indent="      ")


def render_agenda(meetings: list[MeetingRow]) -> str:
    """A meeting's agenda: its items, numbered."""
    blocks = []
    for meeting in meetings:
        lines = [f"Dagsorden for {meeting.committee} {_dk_date(meeting.date)} ({meeting.source}):"]
        lines += [f"  {item.number:>2}. {item.title}" for item in meeting.items]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def kroner(amount: int) -> str:
    """An amount the Danish way: `4.107 kr.`."""
    return f"{amount:,} kr.".replace(",", ".")


def _dk_date(day: date | None) -> str:
    """A date as `31.03.2023` (empty when there is none)."""
    return f"{day:%d.%m.%Y}" if day else ""


def render_tariff(row: TariffRow) -> str:
    """One tariff on a line: offer, service, year, amount per unit, previous amount, and where it stands."""
    what = " – ".join(p for p in (row.offer, row.service, row.legal_basis) if p)
    unit = f" pr. {row.unit.lower()}" if row.unit else ""
    before = f" (før {kroner(row.previous_amount_dkk)})" if row.previous_amount_dkk is not None else ""
    where = f"møde {_dk_date(row.meeting_date)}, punkt {row.item}" if row.item is not None else row.source
    page = f", side {row.page}" if row.page is not None else ""
    label = f" ({KIND_LABELS[row.kind]})" if row.kind in KIND_LABELS else ""
    return f"  {what} {row.year or ''}{label}: {kroner(row.amount_dkk)}{unit}{before}  [{where}{page}]"


def render_decision(row: DecisionRow) -> str:
    """A recommendation or decision: its item (and the day it was decided, when not the meeting's), its line
    items, then who was absent, against, reserved or abstained."""
    when = f"{row.meeting_date:%d.%m.%Y}" if row.meeting_date else row.source
    decided = f" (besluttet {row.decided_on:%d.%m.%Y})" if row.decided_on and row.decided_on != row.meeting_date else ""
    head = f"  {row.kind.capitalize()} {when}, punkt {row.item}: {row.item_title}{decided}"
    lines = [textwrap.fill(f"• {line}", WIDTH, initial_indent="    ", subsequent_indent="      ") for line in row.lines]
    lines += [
        textwrap.fill(f"{label}: {', '.join(names)}", WIDTH, initial_indent="    ", subsequent_indent="      ")
        for label, names in row.participation()
    ]
    return "\n".join([head, *lines])


def render_facts(answer: Answer) -> str:
    """The compact tariff and decision lists shown above the passages (empty when none)."""
    blocks = []
    if answer.tariffs:
        blocks.append("Takster:\n" + "\n".join(render_tariff(t) for t in answer.tariffs))
    if answer.decisions:
        blocks.append("Indstillinger og beslutninger:\n" + "\n".join(render_decision(d) for d in answer.decisions))
    return "\n\n".join(blocks)


def render_answer(answer: Answer, bold: bool = False) -> str:
    """A whole answer: the agenda or direct answer, the facts, then the passages; or the one-line abstention."""
    facts = render_facts(answer)
    agenda = render_agenda(answer.agenda) if answer.agenda else ""
    if not answer.cited and not facts and not agenda:
        return NO_ANSWER
    reason = textwrap.fill(f"{answer.reason} {NEAREST}", WIDTH) if answer.reason else ""
    parts = [reason, agenda, render_direct(answer), facts, *render_passages(answer.cited, bold)]
    return "\n\n".join(part for part in parts if part)
