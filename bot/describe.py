"""What indexing did with each file, in Danish plain text from its typed report: every face words reports here
(and adds only its own markup), so no face depends on the wording of the English `error`."""

from __future__ import annotations

from datetime import date

from indexer.document import DocumentKind
from indexer.report import FileReport, MeetingRef, Reason, Status, megabytes

_UNKNOWN_FAILURE = "filen kunne ikke indekseres"
FILE_TYPES = "PDF, Word (.docx), HTML (.html, .htm), .txt eller .md"
"""The file types indexed (`indexer.read.SUPPORTED`), as every face names them."""

_REASONS: dict[Reason, str] = {
    Reason.NO_SUCH_FILE: "filen findes ikke",
    Reason.NOT_REGULAR_FILE: "det er ikke en almindelig fil",
    Reason.CANNOT_READ: "filen kunne ikke læses",
    Reason.UNSUPPORTED_TYPE: "filtypen{suffix} understøttes ikke (send " + FILE_TYPES + ")",
    Reason.TOO_LARGE: "filen er for stor ({size} MB; grænsen er {limit} MB)",
    Reason.EMPTY: "filen er tom",
    Reason.NOT_UTF8: "teksten er ikke UTF-8 (gem filen som UTF-8)",
    Reason.NOT_PDF: "filen er ikke en gyldig PDF",
    Reason.CORRUPT_PDF: "PDF'en er beskadiget eller ufuldstændig",
    Reason.UNSUPPORTED_PDF_FEATURE: "PDF'en bruger en kryptering eller komprimering, der ikke understøttes",
    Reason.PASSWORD_PROTECTED: "PDF'en er beskyttet med adgangskode",
    Reason.NO_PAGES: "PDF'en har ingen sider",
    Reason.STREAM_OVER_LIMIT: "en del af PDF'en fylder over {limit} MB udpakket",
    Reason.CONTENT_OVER_LIMIT: "PDF'ens sider fylder tilsammen over {limit} MB udpakket",
    Reason.TOO_MANY_PAGES: "PDF'en har {count} sider; grænsen er {cap} sider",
    Reason.TOO_MANY_CHARACTERS: "filen har over {cap} tegn, som er grænsen",
    Reason.TOO_MANY_CHUNKS: "filen giver {count} tekststykker; grænsen er {cap} tekststykker",
    Reason.EXTRACTION_TIMEOUT: "det tog over {seconds} sekunder at læse teksten, som er grænsen; filen er sat i karantæne",
    Reason.EXTRACTION_MEMORY: "det krævede over {limit} MB hukommelse at læse teksten, som er grænsen; "
    "filen er sat i karantæne",
    Reason.EXTRACTION_CRASHED: "læsningen af teksten gik ned; filen er sat i karantæne",
    Reason.QUARANTINED: "filen er i karantæne, fordi et tidligere forsøg på at læse den ramte en grænse "
    "eller gik ned; den prøves ikke igen",
    Reason.NOT_DOCX: "filen er ikke et gyldigt Word-dokument (.docx)",
    Reason.CORRUPT_DOCX: "Word-dokumentet er beskadiget eller ufuldstændigt",
    Reason.ARCHIVE_OVER_LIMIT: "Word-dokumentet fylder for meget udpakket ({size} MB; grænsen er {limit} MB)",
    Reason.HTML_OVER_LIMIT: "HTML-siden overskrider en grænse (højst 1.000.000 elementer, 256 niveauer "
    "inde i hinanden og 10 MB i ét tekstafsnit)",
    Reason.NEEDS_OCR: "PDF'en har ingen tekst (den er nok scannet) og skal først OCR-behandles; "
    "installér Debian-pakkerne tesseract-ocr og tesseract-ocr-dan, så læser botten selv scannede sider",
    Reason.OCR_NO_TEXT: "PDF'en har ingen tekst, og OCR fandt heller ingen tekst på siderne (er de billeder uden tekst?)",
    Reason.NO_TEXT: "der er ingen tekst at indeksere",
    Reason.UNEXPECTED: "en uventet fejl ({error}); detaljerne står i loggen",
    Reason.HIDDEN: "det er en skjult fil eller mappe",
    Reason.LOCK_FILE: "det er en låsefil, som Word eller LibreOffice skriver, mens et dokument er åbent",
    Reason.DUPLICATE: "samme indhold er allerede indekseret som {duplicate_of}",
    Reason.NOT_REPLACED: "indholdet står ikke blandt de erstattede udgaver (se dasbot history)",
    Reason.OLDER_VERSION: "den er en ældre udgave af samme mødes dokument end {newer_version}, som er indekseret",
}


def describe(report: FileReport) -> str:
    """The whole description of one file, as lines (see `describe_lines`)."""
    return "\n".join(describe_lines(report))


def describe_lines(report: FileReport) -> list[str]:
    """What happened to one file: a first line saying it (with the reason when it was not indexed), then for a
    document written its meeting, its counts, the versions it replaced and its pages without text."""
    if (why := reason(report)) is not None:
        return [f"{report.path} er ikke indekseret: {why}."]
    if report.status == Status.UNCHANGED:
        return [f"{report.path} er allerede indekseret med samme indhold; intet er ændret."]
    replaced_itself = report.status == Status.REPLACED and not report.replaces
    lines = [f"{report.path} er {'opdateret (den tidligere udgave er erstattet)' if replaced_itself else 'indekseret'}"]
    if report.meeting_date and report.kind != DocumentKind.OTHER:
        lines.append(f"Møde: {report.committee or 'ukendt udvalg'} {date.fromisoformat(report.meeting_date):%d.%m.%Y}")
    elif report.meeting_date:  # a letter's or a memo's own date
        by = f" ({report.committee})" if report.committee else ""
        day = date.fromisoformat(report.meeting_date)
        lines.append(f"Dateret {day:%d.%m.%Y}{by}; dokumentet kan søges, men hører ikke til et møde.")
    else:
        lines.append("Ingen mødedato fundet; dokumentet kan søges, men hører ikke til et møde.")
    lines.append(
        " · ".join(
            [
                _count(report.items, "punkt", "punkter"),
                _count(report.appendices, "bilag", "bilag"),
                _count(report.chunks, "tekststykke", "tekststykker"),
                _count(report.tariffs, "takst", "takster"),
                _count(report.decisions, "indstilling/beslutning", "indstillinger/beslutninger"),
            ]
        )
    )
    if report.replaces:
        lines.append(f"Erstatter den ældre udgave af mødets dokument: {', '.join(report.replaces)}")
    if report.kept_beside:
        meetings = ", ".join(map(_meeting, report.kept_beside))
        lines.append(f"Bevaret ved siden af (et andet mødes dokument med samme filnavn): {meetings}")
    if pages := empty_pages(report):
        lines.append(pages)
    if pages := ocr_pages(report):
        lines.append(pages)
    return lines


def reason(report: FileReport) -> str | None:
    """Why the file failed or was left out, as a clause ("PDF'en er beskyttet med adgangskode"); None when its
    document was written or was already indexed."""
    if report.reason is None:
        return _UNKNOWN_FAILURE if report.status == Status.FAILED else None
    details = report.details
    text = _REASONS[report.reason].format(
        size=f"{megabytes(details.get('size', 0)):.1f}",
        limit=f"{details.get('limit', 0) / 1e6:g}",
        error=details.get("error", "ukendt"),
        count=f"{details.get('count', 0):,}".replace(",", "."),
        cap=f"{details.get('cap', 0):,}".replace(",", "."),
        seconds=details.get("seconds", 0),
        suffix=f" {details['suffix']}" if details.get("suffix") else "",
        duplicate_of=report.duplicate_of,
        newer_version=report.newer_version,
    )
    if report.reason == Reason.DUPLICATE and report.status == Status.REPLACED:
        text += f"; den tidligere udgave af {report.path} er fjernet"
    return text


MAX_PAGE_RANGES = 20  # page ranges named in a summary; the rest are counted


def _page_ranges(pages: list[int]) -> list[tuple[int, int]]:
    """Sorted page numbers as runs of consecutive pages, (first, last)."""
    runs: list[tuple[int, int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], page)
        else:
            runs.append((page, page))
    return runs


def empty_pages(report: FileReport) -> str | None:
    """The sentence naming a document's pages without text as ranges (`2–3001`), at most MAX_PAGE_RANGES of
    them and a count of the rest; None when it has none."""
    if not report.empty_pages:
        return None
    runs = _page_ranges(report.empty_pages)
    named = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs[:MAX_PAGE_RANGES])
    rest = sum(b - a + 1 for a, b in runs[MAX_PAGE_RANGES:])
    return f"Sider uden tekst (kræver OCR): {named}{f' og {rest} andre' if rest else ''}. Resten er indekseret."


def ocr_pages(report: FileReport) -> str | None:
    """The sentence naming a document's pages read by OCR as ranges, like `empty_pages`; None when it has none."""
    if not report.ocr_pages:
        return None
    runs = _page_ranges(report.ocr_pages)
    named = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs[:MAX_PAGE_RANGES])
    rest = sum(b - a + 1 for a, b in runs[MAX_PAGE_RANGES:])
    return (
        f"Sider læst med OCR: {named}{f' og {rest} andre' if rest else ''}; deres tekst er maskinlæst og mærket (OCR)."
    )


def summary(reports: list[FileReport]) -> str:
    """One line over a run: files by status (those skipped in a folder too), new chunks, pages without text and
    pages read by OCR, and how many hidden files and lock files were left out."""
    excepted = sum(1 for r in reports if counted_only(r))
    counts = {status: sum(1 for r in reports if r.status == status and not counted_only(r)) for status in Status}
    empty = sum(len(r.empty_pages) for r in reports)
    ocr = sum(len(r.ocr_pages) for r in reports)
    files = (
        f"{_count(len(reports) - excepted, 'fil', 'filer')}: {counts[Status.INDEXED]} indekseret, "
        f"{counts[Status.REPLACED]} erstattet, {counts[Status.UNCHANGED]} uændret, {counts[Status.FAILED]} fejlet"
    )
    parts = [files + (f", {counts[Status.SKIPPED]} sprunget over" if counts[Status.SKIPPED] else "")]
    parts.append(_count(sum(r.chunks for r in reports), "nyt tekststykke", "nye tekststykker"))
    parts += [f"{_count(empty, 'side', 'sider')} uden tekst (kræver OCR)"] if empty else []
    parts += [f"{_count(ocr, 'side', 'sider')} læst med OCR"] if ocr else []
    if excepted:
        parts.append(f"{_count(excepted, 'skjult fil eller låsefil', 'skjulte filer og låsefiler')} sprunget over")
    return "; ".join(parts)


def counted_only(report: FileReport) -> bool:
    """Whether a report is only counted in a run's summary, not named: a hidden file or a lock file in a folder."""
    return report.reason in (Reason.HIDDEN, Reason.LOCK_FILE)


def _meeting(meeting: MeetingRef) -> str:
    """A meeting named by committee and Danish date, or as having none."""
    if "date" not in meeting:
        return "dokument uden mødedato"
    return f"{meeting.get('committee', 'ukendt udvalg')} {date.fromisoformat(meeting['date']):%d.%m.%Y}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
