"""Every indexing outcome worded in Danish from its typed report: each reason with its figures, a written
document with its meeting and counts, and a run in one line."""

from __future__ import annotations

import re

import pytest

from bot.describe import describe, summary
from indexer.read import CONTENT_LIMIT, MAX_FILE_SIZE, STREAM_LIMIT
from indexer.report import Details, FileReport, Reason, Status

OTHER = {"duplicate_of": "b.pdf", "newer_version": "b.pdf"}
DANISH: dict[Reason, tuple[Details, str]] = {
    Reason.NO_SUCH_FILE: ({}, "filen findes ikke"),
    Reason.NOT_REGULAR_FILE: ({}, "det er ikke en almindelig fil"),
    Reason.CANNOT_READ: ({}, "filen kunne ikke læses"),
    Reason.UNSUPPORTED_TYPE: (
        {"suffix": ".xlsx"},
        "filtypen .xlsx understøttes ikke (send PDF, Word (.docx), HTML (.html, .htm), .txt eller .md)",
    ),
    Reason.NOT_DOCX: ({}, "filen er ikke et gyldigt Word-dokument (.docx)"),
    Reason.CORRUPT_DOCX: ({"error": "BadZipFile"}, "Word-dokumentet er beskadiget eller ufuldstændigt"),
    Reason.ARCHIVE_OVER_LIMIT: (
        {"size": 150_000_000, "limit": CONTENT_LIMIT},
        "Word-dokumentet fylder for meget udpakket (150.0 MB; grænsen er 100 MB)",
    ),
    Reason.HTML_OVER_LIMIT: (
        {},
        "HTML-siden overskrider en grænse (højst 1.000.000 elementer, 256 niveauer inde i hinanden og 10 MB i ét "
        "tekstafsnit)",
    ),
    Reason.HIDDEN: ({}, "det er en skjult fil eller mappe"),
    Reason.LOCK_FILE: ({}, "det er en låsefil, som Word eller LibreOffice skriver, mens et dokument er åbent"),
    Reason.TOO_LARGE: (
        {"size": MAX_FILE_SIZE + 1, "limit": MAX_FILE_SIZE},
        "filen er for stor (50.1 MB; grænsen er 50 MB)",
    ),
    Reason.EMPTY: ({}, "filen er tom"),
    Reason.NOT_UTF8: ({"offset": 3}, "teksten er ikke UTF-8 (gem filen som UTF-8)"),
    Reason.NOT_PDF: ({}, "filen er ikke en gyldig PDF"),
    Reason.CORRUPT_PDF: ({"error": "PdfReadError"}, "PDF'en er beskadiget eller ufuldstændig"),
    Reason.UNSUPPORTED_PDF_FEATURE: ({}, "PDF'en bruger en kryptering eller komprimering, der ikke understøttes"),
    Reason.PASSWORD_PROTECTED: ({}, "PDF'en er beskyttet med adgangskode"),
    Reason.NO_PAGES: ({}, "PDF'en har ingen sider"),
    Reason.STREAM_OVER_LIMIT: ({"limit": STREAM_LIMIT}, "en del af PDF'en fylder over 50 MB udpakket"),
    Reason.CONTENT_OVER_LIMIT: ({"limit": CONTENT_LIMIT}, "PDF'ens sider fylder tilsammen over 100 MB udpakket"),
    Reason.TOO_MANY_PAGES: ({"count": 20000, "cap": 2000}, "PDF'en har 20.000 sider; grænsen er 2.000 sider"),
    Reason.TOO_MANY_CHARACTERS: (
        {"count": 5_000_001, "cap": 5_000_000},
        "filen har over 5.000.000 tegn, som er grænsen",
    ),
    Reason.TOO_MANY_CHUNKS: (
        {"count": 6001, "cap": 5000},
        "filen giver 6.001 tekststykker; grænsen er 5.000 tekststykker",
    ),
    Reason.EXTRACTION_TIMEOUT: (
        {"seconds": 60},
        "det tog over 60 sekunder at læse teksten, som er grænsen; filen er sat i karantæne",
    ),
    Reason.EXTRACTION_MEMORY: (
        {"limit": 1_024_000_000},
        "det krævede over 1024 MB hukommelse at læse teksten, som er grænsen; filen er sat i karantæne",
    ),
    Reason.EXTRACTION_CRASHED: ({"error": "exit status -11"}, "læsningen af teksten gik ned; filen er sat i karantæne"),
    Reason.QUARANTINED: (
        {},
        "filen er i karantæne, fordi et tidligere forsøg på at læse den ramte en grænse eller gik ned; "
        "den prøves ikke igen",
    ),
    Reason.NEEDS_OCR: (
        {},
        "PDF'en har ingen tekst (den er nok scannet) og skal først OCR-behandles; installér Debian-pakkerne "
        "tesseract-ocr og tesseract-ocr-dan, så læser botten selv scannede sider",
    ),
    Reason.OCR_NO_TEXT: (
        {"count": 2},
        "PDF'en har ingen tekst, og OCR fandt heller ingen tekst på siderne (er de billeder uden tekst?)",
    ),
    Reason.NO_TEXT: ({}, "der er ingen tekst at indeksere"),
    Reason.UNEXPECTED: ({"error": "OperationalError"}, "en uventet fejl (OperationalError); detaljerne står i loggen"),
    Reason.DUPLICATE: ({}, "samme indhold er allerede indekseret som b.pdf"),
    Reason.NOT_REPLACED: ({}, "indholdet står ikke blandt de erstattede udgaver (se dasbot history)"),
    Reason.OLDER_VERSION: ({}, "den er en ældre udgave af samme mødes dokument end b.pdf, som er indekseret"),
}
ENGLISH = re.compile(
    r"\b(?:file|the|not|is|no|none|header|limit|exceeds|stream|content|password|protected|corrupt|truncated|empty|"
    r"text|large|needs|type|unsupported|expected|regular|such|cannot|read|pages?|older|version|same|indexed|error)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_has_one_danish_sentence(reason: Reason) -> None:
    details, danish = DANISH[reason]
    status = Status.UNCHANGED if reason in (Reason.DUPLICATE, Reason.OLDER_VERSION) else Status.FAILED
    text = describe(FileReport("a.pdf", status, reason=reason, details=details, **OTHER))
    assert text == f"a.pdf er ikke indekseret: {danish}."
    assert not ENGLISH.search(text) and "{" not in text, text


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        (
            FileReport("a.txt", Status.REPLACED, reason=Reason.DUPLICATE, duplicate_of="b.txt"),
            [
                "a.txt er ikke indekseret: samme indhold er allerede indekseret som b.txt; "
                "den tidligere udgave af a.txt er fjernet."
            ],
        ),
        (FileReport("a.txt", Status.FAILED), ["a.txt er ikke indekseret: filen kunne ikke indekseres."]),
        (FileReport("a.txt", Status.UNCHANGED), ["a.txt er allerede indekseret med samme indhold; intet er ændret."]),
        (
            FileReport(
                "dagsorden.pdf",
                Status.REPLACED,
                kind="agenda",
                committee="DAS Social",
                meeting_date="2024-02-05",
                items=1,
                appendices=2,
                chunks=1,
                tariffs=3,
                replaces=["udkast.pdf"],
                empty_pages=[2, 4],
            ),
            [
                "dagsorden.pdf er indekseret",
                "Møde: DAS Social 05.02.2024",
                "1 punkt · 2 bilag · 1 tekststykke · 3 takster · 0 indstillinger/beslutninger",
                "Erstatter den ældre udgave af mødets dokument: udkast.pdf",
                "Sider uden tekst (kræver OCR): 2, 4. Resten er indekseret.",
            ],
        ),
        (
            FileReport("notat.txt", Status.REPLACED, kind="other", chunks=4),
            [
                "notat.txt er opdateret (den tidligere udgave er erstattet)",
                "Ingen mødedato fundet; dokumentet kan søges, men hører ikke til et møde.",
                "0 punkter · 0 bilag · 4 tekststykker · 0 takster · 0 indstillinger/beslutninger",
            ],
        ),
        (
            FileReport("notat.pdf", Status.INDEXED, kind="other", meeting_date="2012-11-19", chunks=12),
            [
                "notat.pdf er indekseret",
                "Dateret 19.11.2012; dokumentet kan søges, men hører ikke til et møde.",
                "0 punkter · 0 bilag · 12 tekststykker · 0 takster · 0 indstillinger/beslutninger",
            ],
        ),
    ],
)
def test_a_report_is_described_line_by_line(report: FileReport, expected: list[str]) -> None:
    assert describe(report).split("\n") == expected


def test_a_run_is_summed_up_in_one_line() -> None:
    reports = [
        FileReport("a.pdf", Status.INDEXED, chunks=5, empty_pages=[2]),
        FileReport("b.txt", Status.REPLACED, chunks=1),
        FileReport("c.txt", Status.UNCHANGED),
        FileReport("d.pdf", Status.FAILED, reason=Reason.EMPTY),
    ]
    assert summary(reports) == (
        "4 filer: 1 indekseret, 1 erstattet, 1 uændret, 1 fejlet; 6 nye tekststykker; 1 side uden tekst (kræver OCR)"
    )
    assert summary(reports[1:2]) == "1 fil: 0 indekseret, 1 erstattet, 0 uændret, 0 fejlet; 1 nyt tekststykke"
