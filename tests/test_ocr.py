"""OCR of scanned PDF pages: real record text drawn on a page without a text layer is found again through the
product's read path, cited with its page and marked as OCR text in every face, under its time and page limits."""

from __future__ import annotations

import io
import stat
import time
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader, PdfWriter
from sqlmodel import Session, select

from bot.answer import Passage
from bot.core import Dasbot
from bot.describe import describe, summary
from bot.render.citation import citation
from bot.render.progress import EmbeddingBars
from bot.render.terminal import render_passage
from bot.search.catalog import load_catalog
from bot.settings import Settings
from bot.telegram import render
from indexer import ocr
from indexer.extract import extract_file
from indexer.indexer import Stage
from indexer.limits import Limits
from indexer.models import Chunk
from indexer.read import UnreadableFile, read_pages
from indexer.report import FileReport, Reason, Status
from tests.conftest import shared_path
from tests.support.fake_telegram import parse_html
from tests.support.pdfs import write_pdf
from tests.support.records import HashedEmbedder
from tests.support.scans import FONT, corpus_lines, scanned_pdf, word_share

needs_tesseract = pytest.mark.skipif(
    ocr.engine() is None or not FONT.exists(),
    reason="Tesseract with Danish data and the DejaVu font are not installed "
    "(Debian: tesseract-ocr tesseract-ocr-dan fonts-dejavu-core; `make test` installs them as root)",
)


def mixed_pdf(path: Path, text_line: str, scanned_lines: list[str]) -> Path:
    """Page 1 with a text layer, page 2 a scan of `scanned_lines`."""
    writer = PdfWriter(clone_from=write_pdf(path.with_name("text.pdf"), [text_line]))
    writer.append(PdfReader(io.BytesIO(scanned_pdf([scanned_lines]))))
    writer.write(path)
    return path


@needs_tesseract
def test_a_scanned_page_of_a_record_is_read_again() -> None:
    """A full A4 page of Danish record text: at least 95 % of its words come back, from OCR, on page 1."""
    lines = corpus_lines(45)
    calls: list[tuple[int, int]] = []
    [page] = extract_file("scan.pdf", scanned_pdf([lines]), Limits(), lambda *done: calls.append(done)).pages
    assert (page.number, page.ocr) == (1, True)
    assert word_share("\n".join(lines), page.text) >= 0.95
    assert calls == [(1, 1)]


@needs_tesseract
def test_a_real_record_scanned_at_300_dpi_is_read_again() -> None:
    """Two pages of the real Ballerup minutes, rasterised as a scanner would (no text layer): their words come back."""
    minutes = shared_path("corpus", "pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf")
    document = pypdfium2.PdfDocument(minutes.read_bytes())
    images = [document[n].render(scale=300 / 72, grayscale=True).to_pil() for n in (0, 1)]
    scan = io.BytesIO()
    images[0].save(scan, "PDF", resolution=300, save_all=True, append_images=images[1:])
    pages = extract_file("scannet-referat.pdf", scan.getvalue(), Limits()).pages
    source = "\n".join(page.text for page in read_pages(minutes)[:2])
    assert [p.ocr for p in pages] == [True, True]
    assert word_share(source, "\n".join(page.text for page in pages)) >= 0.95


@needs_tesseract
def test_a_text_page_and_a_scanned_page_are_both_indexed_and_the_scan_is_cited_as_ocr(
    tmp_path: Path, hashed: HashedEmbedder
) -> None:
    lines = corpus_lines(12, skip=20)
    pdf = mixed_pdf(tmp_path / "blandet.pdf", "Referat om aflastning paa Torvevej", lines)
    pages = extract_file(pdf.name, pdf.read_bytes(), Limits()).pages
    assert [(p.number, p.ocr) for p in pages] == [(1, False), (2, True)]
    assert "Torvevej" in pages[0].text and word_share("\n".join(lines), pages[1].text) >= 0.95

    app = Dasbot(Settings(data_dir=tmp_path / "data"), embedder=hashed)
    progress: list[tuple] = []
    [report] = app.index([pdf], lambda *step: progress.append(step))
    assert report.status == "indexed" and report.ocr_pages == [2] and report.empty_pages == []
    assert ("blandet.pdf", 1, 1, "ocr") in progress and progress[-1][:1] == ("blandet.pdf",)
    assert "Sider læst med OCR: 2;" in describe(report) and "1 side læst med OCR" in summary([report])
    with Session(app.engine) as session:
        rows = session.exec(select(Chunk.page, Chunk.ocr)).all()
    assert {(1, False), (2, True)} <= set(rows) and all(ocr_ is (page == 2) for page, ocr_ in rows)

    chunks = load_catalog(app.engine).values()
    scanned = next(chunk for chunk in chunks if chunk.citation.page == 2)
    plain = next(chunk for chunk in chunks if chunk.citation.page == 1)
    assert citation(scanned.citation).endswith("side 2 (OCR) · blandet.pdf")
    assert "(OCR)" not in citation(plain.citation)
    passage = Passage(1, 1.0, scanned.text, scanned.citation)
    assert "side 2 (OCR)" in render_passage(passage, bold=False)
    assert "side 2 (OCR)" in render.passage(passage)
    assert passage.to_json()["ocr"] is True and passage.to_json()["page"] == 2
    assert Passage(2, 1.0, plain.text, plain.citation).to_json()["ocr"] is False


@needs_tesseract
def test_an_encrypted_scan_that_opens_without_a_password_is_read() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(scanned_pdf([corpus_lines(5)]))))
    writer.encrypt(user_password="", owner_password="ejerens-kode", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    [page] = extract_file("laast-scan.pdf", buffer.getvalue(), Limits()).pages
    assert page.ocr and word_share("\n".join(corpus_lines(5)), page.text) >= 0.95


@needs_tesseract
def test_only_the_first_pages_up_to_the_cap_are_read(tmp_path: Path) -> None:
    pages = [corpus_lines(3, skip=skip) for skip in (0, 3, 6)]
    found = extract_file("tre.pdf", scanned_pdf(pages), Limits(ocr_pages=2)).pages
    assert [(p.number, p.ocr, bool(p.text.strip())) for p in found] == [
        (1, True, True),
        (2, True, True),
        (3, False, False),
    ]


@needs_tesseract
def test_a_page_without_text_leaves_the_pdf_refused_as_ocr_found_none() -> None:
    with pytest.raises(UnreadableFile, match="OCR found none") as caught:
        extract_file("blank.pdf", scanned_pdf([[]]), Limits())
    assert caught.value.reason is Reason.OCR_NO_TEXT and caught.value.details == {"count": 1}


def test_without_tesseract_a_scan_still_needs_ocr_naming_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "engine", lambda: None)
    with pytest.raises(UnreadableFile, match="needs OCR") as caught:
        extract_file("scan.pdf", scanned_pdf([corpus_lines(3)]), Limits())
    error = caught.value
    line = describe(FileReport("scan.pdf", Status.FAILED, reason=error.reason, details=error.details))
    assert "installér Debian-pakkerne tesseract-ocr og tesseract-ocr-dan" in line


def test_a_page_whose_ocr_takes_too_long_is_given_up_after_its_time_limit(tmp_path: Path) -> None:
    """A Tesseract that never answers is killed at the page's limit; the OCR process goes on with the next page."""
    slow = tmp_path / "tesseract"
    slow.write_text("#!/bin/sh\nexec sleep 60\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    began = time.monotonic()
    outcome = ocr.read_pages(scanned_pdf([["a"], ["b"]]), [1, 2], str(slow), seconds=1, memory_mb=1024)
    assert outcome.texts == {} and outcome.stopped is None
    assert time.monotonic() - began < ocr.budget(1, 2)


def test_the_ocr_process_is_killed_with_its_tesseract_at_its_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the whole budget the OCR process and the Tesseract it runs are killed; the pages read so far stay."""
    pid_file = tmp_path / "pid"
    slow = tmp_path / "tesseract"
    slow.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(ocr, "budget", lambda seconds, pages: 3)
    began = time.monotonic()
    outcome = ocr.read_pages(scanned_pdf([["a"]]), [1], str(slow), seconds=30, memory_mb=1024)
    assert outcome == ocr.Outcome({}, "timeout") and time.monotonic() - began < 10
    time.sleep(0.5)
    assert not running(int(pid_file.read_text()))


def running(pid: int) -> bool:
    """Whether process `pid` exists and is no zombie (a killed orphan stays one where nothing reaps it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_progress_of_ocr_is_shown_in_the_faces() -> None:
    assert parse_html(render.embedding("scan.pdf", 2, 5, Stage.OCR)) == (
        "⏳ Læser scannede sider i scan.pdf med OCR: 2 af 5 sider læst …"
    )
    assert "tekststykker" in render.embedding("scan.pdf", 2, 5)
    with EmbeddingBars() as bars:
        bars("scan.pdf", 1, 2, Stage.OCR)
        bars("scan.pdf", 1, 9)
        bars("scan.pdf", 9, 9)


def test_the_ocr_limits_come_from_the_environment(tmp_path: Path) -> None:
    env = {"DASBOT_DATA_DIR": str(tmp_path), "DASBOT_OCR_SECONDS": "7", "DASBOT_OCR_PAGES": "3"}
    limits = Dasbot(Settings.from_env(env)).indexer.limits
    assert (limits.ocr_seconds, limits.ocr_pages) == (7, 3)
    assert Settings.from_env({}).ocr_seconds == Limits().ocr_seconds and Settings().ocr_pages == Limits().ocr_pages
