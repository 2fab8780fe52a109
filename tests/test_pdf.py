"""The PDF path: PDFs built from the bundled text and the real minutes PDF, with page numbers cited right."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF
from sqlmodel import Session, select

from bot.core import Dasbot
from bot.lookups.decisions import all_decisions
from bot.settings import Settings
from indexer.clean import join_lines
from indexer.models import AgendaItem, Chunk, Document, Meeting
from tests.conftest import corpus_file, shared_path

LINES_PER_PAGE = 45


def text_to_pdf(text: str, path: Path) -> list[list[str]]:
    """Write `text` as a PDF of LINES_PER_PAGE lines a page (core font, Latin-1); returns each page's lines."""
    lines = [line.replace("\uf0b7", "-").encode("latin-1", "replace").decode("latin-1") for line in text.splitlines()]
    lines = [line for line in lines if line.strip()]
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=7)
    for page in pages:
        pdf.add_page()
        for n, line in enumerate(page):
            pdf.text(10, 10 + n * 6, line)
    pdf.output(str(path))
    return pages


@pytest.fixture()
def store(app: Dasbot, tmp_path: Path) -> Dasbot:
    other = Dasbot(Settings(data_dir=tmp_path / "data", cache_dir=app.settings.cache_dir), embedder=app.embedder)
    return other


def test_pdf_built_from_an_agenda_cites_pages(store: Dasbot, tmp_path: Path) -> None:
    pdf = tmp_path / "dagsorden.pdf"
    pages = text_to_pdf(corpus_file("003").read_text(encoding="utf-8"), pdf)
    [report] = store.index([pdf])
    assert report.status == "indexed" and report.meeting_date == "2023-01-20" and report.items == 17
    with Session(store.engine) as session:
        items = {i.number: i for i in session.exec(select(AgendaItem))}
        chunks = session.exec(select(Chunk)).all()
    expected_page = next(
        n for n, page in enumerate(pages, start=1) if any("Kommissorie for Nødspor Kvisten" in line for line in page)
    )
    assert items[11].page == expected_page
    for chunk in chunks:  # every chunk starts on the page it cites
        first_words = " ".join(chunk.text.split()[:3])
        assert first_words in join_lines(pages[chunk.page - 1], keep_hyphens=True), (chunk.page, chunk.text[:60])


def test_real_minutes_pdf(store: Dasbot) -> None:
    pdf = shared_path("corpus", "pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf")
    [report] = store.index([pdf])
    assert (report.status, report.kind, report.meeting_date, report.items) == ("indexed", "minutes", "2012-12-04", 8)
    with Session(store.engine) as session:
        meeting = session.exec(select(Meeting)).one()
        assert meeting.committee == "Sundheds- og Forebyggelsesudvalget"
        pages = {i.number: i.page for i in session.exec(select(AgendaItem))}
    assert pages[1] == 3 and pages[4] == 7
    answer = store.answerer.ask("takstreduktion på aflastningstilbuddet Torvevej", k=3)
    top = answer.passages[0]
    cite = top.citation
    assert cite.item == 4 and cite.page in (7, 8) and cite.meeting_date.isoformat() == "2012-12-04"


def test_pdf_of_unknown_layout_degrades_to_pages(store: Dasbot) -> None:
    pdf = shared_path(
        "corpus", "pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_bilag-takstreduktion-torvevej.pdf"
    )
    [report] = store.index([pdf])
    assert report.status == "indexed" and report.kind == "other"
    with Session(store.engine) as session:
        pages = {c.page for c in session.exec(select(Chunk))}
        document = session.exec(select(Document)).one()
    assert pages == set(range(1, document.pages + 1))


def test_minutes_decisions_are_recorded(store: Dasbot) -> None:
    pdf = shared_path("corpus", "pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf")
    store.index([pdf])
    decided = {r.item: r for r in all_decisions(store.engine) if r.kind == "beslutning"}
    assert sorted(decided) == list(range(1, 9))
    assert decided[1].lines == ("Taget til efterretning",)
    assert all(r.meeting_date.isoformat() == "2012-12-04" and r.page is not None for r in decided.values())
    # the next item's title never leaks into a decision
    assert not any("Bygningsvedligeholdelse" in line for line in decided[1].lines)
