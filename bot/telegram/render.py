"""Danish Telegram HTML: answers under bold citation headers, lookups, agendas and reports; every text escaped."""

from __future__ import annotations

import html
import re
from datetime import date

from telegram.constants import MessageLimit

from bot import describe
from bot.answer import Answer, Passage
from bot.citation import Citation
from bot.lookups.decisions import DecisionRow
from bot.lookups.items import ItemRecord
from bot.lookups.meetings import MeetingRow
from bot.lookups.tariffs import TariffRow
from bot.lookups.timeline import TimelineEntry
from bot.render.citation import citation
from bot.render.terminal import kroner
from bot.telegram.indexing import MAX_DOWNLOAD, Rebuild, Refusal, indexed
from bot.telegram.subscriptions import MAX_PER_CHAT, MAX_TOPIC, Notice
from indexer.indexer import Stage
from indexer.report import FileReport, Status

MAX_TARIFFS = 15
MAX_DECISIONS = 5
MAX_CAPTION = MessageLimit.CAPTION_LENGTH - 20  # room for the "Kilde:" label

STRANGER = "Beklager, denne bot er kun for medlemmer af DAS Social. Kontakt sekretariatet, hvis du skal have adgang."
APOLOGY = "Beklager, der gik noget galt. Prøv igen om lidt."
NO_ANSWER = "Det kan jeg ikke finde i møderne. Prøv andre ord, eller slå op med /beslutning, /takst eller /tidslinje."
NO_MORE = "Der er ikke flere resultater."
NEAREST = "Det nærmeste, arkivet har:"
GONE = "Det findes ikke længere i indekset. Stil spørgsmålet igen."
QUESTION_GONE = "Jeg kan ikke se spørgsmålet længere. Stil det igen."
STALE_BUTTON = "Knappen virker ikke længere."
UNKNOWN_COMMAND = "Den kommando kender jeg ikke. Se /hjaelp."
UPLOAD_REFUSED = "Tak, men kun sekretariatet kan tilføje dokumenter. Intet er blevet indekseret."
REINDEX_REFUSED = "Kun sekretariatet kan genindeksere."
SLOW_DOWN = "Du har stillet mange spørgsmål på kort tid. Vent et øjeblik, og spørg så igen."
INDEXING_FAILED = "❌ Indekseringen stoppede på grund af en fejl. Prøv igen, eller kontakt den, der driver botten."
WAITING = "⏳ Venter på, at den igangværende indeksering bliver færdig …"
REBUILDING = "⏳ Genindekserer alle dokumenter …"
NO_SUBSCRIPTIONS = "Denne chat følger ingen emner. Brug fx /abonner Kvisten."
NO_MEETINGS = "Der er ingen møder i indekset endnu."
ASK_HINT = "Skriv dit spørgsmål sammen med mit navn, fx „{mention} hvad blev indstillet om Kvisten?“"
USAGE = {
    "takst": "Skriv hvad du søger, fx /takst Kvisten eller /takst Socialtilsyn 2024.",
    "beslutning": "Skriv et emne, fx /beslutning Kvisten eller /beslutning Kvisten 20.01.2023.",
    "dagsorden": "Skriv mødets dato, fx /dagsorden 21.08.2023, /dagsorden 21. august 2023 eller /dagsorden 2023-08-21.",
    "tidslinje": "Skriv et emne, fx /tidslinje Socialtilsyn.",
    "abonner": f"Skriv et emne på højst {MAX_TOPIC} tegn, fx /abonner Kvisten, /abonner takster eller /abonner Socialtilsyn.",
    "afmeld": "Skriv emnet, du vil afmelde, fx /afmeld Kvisten. Se dine emner med /abonnementer.",
}


def esc(text: str) -> str:
    """Text made safe for Telegram HTML."""
    return html.escape(text, quote=False)


def _day(day: date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else "uden dato"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def highlight(text: str, matched: tuple[str, ...]) -> str:
    """`text` escaped, with the matched words in bold."""
    if not matched:
        return esc(text)
    words = "|".join(re.escape(w) for w in sorted(matched, key=len, reverse=True))
    out, last = [], 0
    for match in re.finditer(rf"\b(?:{words})\b", text, re.IGNORECASE):
        out.append(esc(text[last : match.start()]) + f"<b>{esc(match.group(0))}</b>")
        last = match.end()
    return "".join(out) + esc(text[last:])


def passage(p: Passage) -> str:
    """One passage under its bold, numbered citation header."""
    return f"<b>[{p.rank}] {esc(citation(p.citation))}</b>\n{highlight(p.text, p.matched)}"


def tariff(row: TariffRow) -> str:
    """One tariff on a line: what, year, amount per unit, the amount before, and where it stands."""
    what = " – ".join(p for p in (row.offer, row.service, row.legal_basis) if p)
    unit = f" pr. {row.unit.lower()}" if row.unit else ""
    before = f" (før {kroner(row.previous_amount_dkk)})" if row.previous_amount_dkk is not None else ""
    where = [f"møde {_day(row.meeting_date)}" if row.meeting_date else row.source]
    where += [f"punkt {row.item}"] if row.item is not None else []
    where += [f"side {row.page}"] if row.page is not None else []
    year = f" {row.year}" if row.year else ""
    return f"• {esc(what)}{year}: <b>{esc(kroner(row.amount_dkk))}</b>{esc(unit + before)} <i>({esc(', '.join(where))})</i>"


def decision(row: DecisionRow) -> str:
    """A recommendation or decision: its item in bold (and the day it was decided, when not the meeting's), its
    line items, then who was absent, against, reserved or abstained."""
    head = f"• <b>{esc(row.kind.capitalize())} {_day(row.meeting_date)}, punkt {row.item}: {esc(row.item_title)}</b>"
    notes = [f"besluttet {_day(row.decided_on)}"] if row.decided_on and row.decided_on != row.meeting_date else []
    notes += [f"side {row.page}"] if row.page is not None else []
    where = f" <i>({', '.join(notes)})</i>" if notes else ""
    return "\n".join([head + where, *_decision_lines(row)])


def _decision_lines(row: DecisionRow) -> list[str]:
    """A decision's line items, then one line per kind of participation recorded (`Fraværende: …`)."""
    lines = [f"   – {esc(line)}" for line in row.lines]
    return lines + [f"   <i>{label}:</i> {esc(', '.join(names))}" for label, names in row.participation()]


def answer(result: Answer, passages: list[Passage], with_facts: bool) -> str:
    """The passages shown (under the tariffs and decisions when `with_facts`), or the one-line abstention."""
    blocks = []
    if with_facts and result.reason:
        blocks.append(f"<b>{esc(result.reason)}</b> {NEAREST}")
    if with_facts and result.agenda:
        blocks += [agenda(meeting) for meeting in result.agenda]
    if with_facts and result.direct:
        blocks.append(f"<b>Svar:</b> »{esc(result.direct.text)}« [{result.direct.rank}]")
    if with_facts and result.tariffs:
        blocks.append("<b>Takster</b>\n" + "\n".join(tariff(t) for t in result.tariffs))
    if with_facts and result.decisions:
        blocks.append("<b>Indstillinger og beslutninger</b>\n" + "\n".join(decision(d) for d in result.decisions))
    blocks += [passage(p) for p in passages]
    if not blocks:
        return NO_MORE if not with_facts and not result.abstained else NO_ANSWER
    return "\n\n".join(blocks)


def tariffs(rows: list[TariffRow], query: str) -> str:
    """Tariffs matching a lookup, newest first, at most MAX_TARIFFS."""
    if not rows:
        return f"Ingen takster matcher „{esc(query)}“."
    more = f"\n… og {len(rows) - MAX_TARIFFS} flere. Skriv flere ord eller et år." if len(rows) > MAX_TARIFFS else ""
    return f"<b>Takster: {esc(query)}</b>\n" + "\n".join(tariff(r) for r in rows[:MAX_TARIFFS]) + more


def decisions(rows: list[DecisionRow], query: str) -> str:
    """Recommendations and decisions matching a lookup, newest first, at most MAX_DECISIONS."""
    if not rows:
        return f"Ingen indstillinger eller beslutninger matcher „{esc(query)}“."
    more = f"\n\n… og {len(rows) - MAX_DECISIONS} flere. Skriv flere ord." if len(rows) > MAX_DECISIONS else ""
    return (
        f"<b>Indstillinger og beslutninger: {esc(query)}</b>\n"
        + "\n\n".join(decision(r) for r in rows[:MAX_DECISIONS])
        + more
    )


def meetings(rows: list[MeetingRow]) -> str:
    """Every meeting, oldest first, with its number of items."""
    if not rows:
        return NO_MEETINGS
    lines = [f"• <b>{_day(m.date)}</b> {esc(m.committee)} – {_count(len(m.items), 'punkt', 'punkter')}" for m in rows]
    return "<b>Møder</b>\n" + "\n".join(lines) + "\n\nTryk på en dato, eller skriv /dagsorden DATO."


def agenda(meeting: MeetingRow) -> str:
    """A meeting's agenda: its items with their appendices."""
    head = f"<b>{esc(meeting.committee)} møde {_day(meeting.date)}</b>\n<i>{esc(meeting.source)}</i>"
    lines = []
    for item in meeting.items:
        appendices = f" <i>({_count(len(item.appendices), 'bilag', 'bilag')})</i>" if item.appendices else ""
        lines.append(f"{item.number}. {esc(item.title)}{appendices}")
    return head + "\n\n" + ("\n".join(lines) or "Ingen dagsordenspunkter fundet.")


def no_meeting(day: date) -> str:
    """No meeting on the day asked for."""
    return f"Der er intet møde den {_day(day)} i indekset. Se alle møder med /moeder."


def timeline(topic: str, entries: list[TimelineEntry]) -> str:
    """A topic through the meetings, oldest first, with what was recommended or decided."""
    if not entries:
        return f"Ingen dagsordenspunkter om „{esc(topic)}“."
    blocks = []
    for entry in entries:
        lines = [f"• <b>{_day(entry.meeting_date)}, punkt {entry.item}:</b> {esc(entry.item_title)}"]
        for row in entry.decisions:
            lines += [f"   {esc(row.kind.capitalize())}:", *_decision_lines(row)]
        blocks.append("\n".join(lines))
    return f"<b>Tidslinje: {esc(topic)}</b>\n\n" + "\n\n".join(blocks)


def item(record: ItemRecord) -> str:
    """A whole agenda item: header, sections, then appendices (long items are split by the caller)."""
    where = " · ".join(
        p
        for p in (
            f"{record.committee or ''} møde {_day(record.meeting_date)}".strip() if record.meeting_date else None,
            f"sag {record.case_number}" if record.case_number else None,
            f"side {record.page}" if record.page is not None else None,
            record.source,
        )
        if p
    )
    blocks = [f"<b>Punkt {record.number}: {esc(record.title)}</b>\n<i>{esc(where)}</i>"]
    blocks += [f"<b>{esc(heading)}</b>\n{esc(text)}" if heading else esc(text) for heading, text in record.sections]
    if record.appendices:
        blocks.append("<b>Bilag</b>\n" + "\n".join(f"• {esc(title)}" for title, _ in record.appendices))
        blocks += [f"<b>Bilag: {esc(title)}</b>\n{esc(text)}" for title, text in record.appendices if text.strip()]
    return "\n\n".join(blocks)


def source_caption(cite: Citation) -> str:
    """The caption of a source file sent for a passage (within Telegram's caption limit)."""
    cited = citation(cite)
    if len(cited) > MAX_CAPTION:
        cited = cited[: MAX_CAPTION - 1] + "…"
    return f"<b>Kilde:</b> {esc(cited)}"


def page(cite: Citation, text: str) -> str:
    """The cited page's text, when the source file is not at hand."""
    where = f"side {cite.page}" if cite.page is not None else "afsnittet"
    return f"<b>{esc(citation(cite))}</b>\n<i>Kildefilen ligger ikke hos botten; her er teksten fra {where}.</i>\n\n{esc(text)}"


def help_text(secretariat: bool, mention: str | None) -> str:
    """What the bot does and its commands; upload help for the secretariat, mention help in groups."""
    ask = f"Nævn mig ({esc(mention)}) eller svar på mine beskeder" if mention else "Skriv et spørgsmål"
    lines = [
        "<b>DAS Social-botten</b>",
        (
            f"{ask}, fx <i>Hvad blev indstillet om Kvisten?</i> Svaret viser de bedste steder i møderne med dato, "
            "punkt, afsnit og side, og knapper til flere resultater, hele punktet og kilden."
        ),
        "",
        "/takst EMNE [ÅR] – takster, fx /takst Socialtilsyn 2024",
        "/beslutning EMNE [DATO] – indstillinger og beslutninger, fx /beslutning Kvisten 20.01.2023",
        "/moeder – alle møder",
        "/dagsorden DATO – et mødes dagsorden, fx /dagsorden 21.08.2023",
        "/tidslinje EMNE – et emne gennem møderne",
        "/abonner EMNE – få besked, når et nyt møde har et punkt om emnet",
        "/abonnementer – de emner, chatten følger",
        "/afmeld EMNE – stop med at følge et emne",
    ]
    if secretariat:
        lines += [
            "",
            "<b>Sekretariatet</b>",
            f"Send en fil ({esc(describe.FILE_TYPES)}, højst {MAX_DOWNLOAD // 1_000_000} MB) for at indeksere den.",
            "/reindex – læs alle dokumenter ind igen",
        ]
    return "\n".join(lines)


def welcome(secretariat: bool, mention: str | None) -> str:
    """The answer to /start."""
    return "Hej! Jeg svarer på spørgsmål om DAS Socials møder – altid med kilde.\n\n" + help_text(secretariat, mention)


def subscribed(topic: str, added: bool) -> str:
    """The answer to /abonner."""
    if added:
        return f"Denne chat følger nu „{esc(topic)}“. I får besked, når et nyt møde har et punkt om emnet."
    return f"„{esc(topic)}“ følges allerede, eller chatten følger allerede {MAX_PER_CHAT} emner. Se /abonnementer."


def unsubscribed(topic: str, removed: bool) -> str:
    """The answer to /afmeld."""
    if removed:
        return f"Afmeldt: „{esc(topic)}“."
    return f"Chatten følger ikke „{esc(topic)}“. Se /abonnementer."


def subscriptions(topics: list[str]) -> str:
    """The answer to /abonnementer."""
    if not topics:
        return NO_SUBSCRIPTIONS
    return "<b>Chatten følger</b>\n" + "\n".join(f"• {esc(t)}" for t in topics) + "\n\nAfmeld med /afmeld EMNE."


def notice(n: Notice) -> str:
    """A subscriber's message about a new record: the meeting and the items its topics matched."""
    topics = ", ".join(f"„{t}“" for t in n.topics)
    meeting = f"{n.committee or 'Møde'} møde {_day(n.meeting_date)}" if n.meeting_date else "Et nyt dokument"
    lines = [f"🔔 <b>Nyt om {esc(topics)}</b>", f"{esc(meeting)} <i>({esc(n.source)})</i>"]
    lines += [f"• Punkt {i.number}: {esc(i.title)}" for i in n.items]
    return "\n".join(lines)


def refusal(reason: Refusal, filename: str, size: int | None) -> str:
    """Why an upload was refused before download."""
    if reason is Refusal.TOO_BIG:
        return (
            f"{esc(filename)} fylder {(size or 0) / 1e6:.1f} MB. Telegram lader kun botter hente filer på højst "
            f"{MAX_DOWNLOAD / 1e6:.0f} MB, så den er ikke hentet. Del den op, eller få den indekseret på serveren."
        )
    return f"{esc(filename)} er ikke indekseret: jeg kan kun læse {describe.FILE_TYPES}."


def received(filename: str) -> str:
    """The first state of an upload's progress message."""
    return f"⏳ Henter {esc(filename)} …"


def reading(filename: str) -> str:
    """An upload downloaded and being read."""
    return f"⏳ Læser og indekserer {esc(filename)} …"


def embedding(name: str, done: int, total: int, stage: Stage = Stage.EMBEDDING) -> str:
    """Progress of one file: pages read by OCR, then chunks embedded."""
    if stage is Stage.OCR:
        return f"⏳ Læser scannede sider i {esc(name)} med OCR: {done} af {_count(total, 'side', 'sider')} læst …"
    return f"⏳ Indekserer {esc(name)}: {done} af {_count(total, 'tekststykke', 'tekststykker')} behandlet …"


def download_failed(filename: str) -> str:
    """A download that Telegram refused."""
    return (
        f"❌ {esc(filename)} kunne ikke hentes fra Telegram (højst {MAX_DOWNLOAD / 1e6:.0f} MB). Intet er indekseret."
    )


def index_report(report: FileReport, notified: int) -> str:
    """The summary of one upload: the meeting found and what was indexed, or why not."""
    head, *facts = describe.describe_lines(report)
    if report.status == Status.FAILED:
        return f"❌ {esc(head)}"
    if not indexed(report):
        return f"ℹ️ {esc(head)}"
    lines = [f"✅ <b>{esc(head)}</b>", *map(esc, facts), "Det kan besvares med det samme."]
    if notified:
        lines.append(f"{_count(notified, 'abonnent', 'abonnenter')} har fået besked.")
    return "\n".join(lines)


def rebuild_report(rebuild: Rebuild) -> str:
    """The summary of /reindex: counts, then a line per file that failed or was left out."""
    reports = rebuild.reports
    done = [r for r in reports if indexed(r)]
    failed = [r for r in reports if r.status == Status.FAILED]
    lines = [
        "✅ <b>Genindeksering færdig</b>" if not failed else "⚠️ <b>Genindeksering færdig med fejl</b>",
        (
            f"{_count(len(reports), 'fil', 'filer')}: {len(done)} indekseret, {len(failed)} fejlet · "
            f"{_count(sum(r.chunks for r in done), 'tekststykke', 'tekststykker')}"
        ),
    ]
    lines += [f"❌ {esc(r.path)}: {esc(describe.reason(r) or '')}; den hidtidige udgave er beholdt" for r in failed]
    lines += [f"ℹ️ {esc(describe.describe(r))}" for r in reports if not indexed(r) and r.status != Status.FAILED]
    lines += [f"{esc(r.path)}: {esc(pages)}" for r in done if (pages := describe.empty_pages(r))]
    lines += [f"{esc(r.path)}: {esc(pages)}" for r in done if (pages := describe.ocr_pages(r))]
    if rebuild.kept:
        lines.append("Beholdt som de var (kildefilen ligger ikke hos botten): " + esc(", ".join(rebuild.kept)))
    return "\n".join(lines)
