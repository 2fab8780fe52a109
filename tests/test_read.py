"""Reading files: PDF pages with their numbers, text files, and one clear error for every bad file."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfWriter

from indexer import extract
from indexer.extract import extract_file
from indexer.limits import Limits
from indexer.read import STREAM_LIMIT, Page, UnreadableFile, read_pages
from indexer.report import Reason
from tests.support.pdfs import encrypted, write_pdf

SHARED = Path(__file__).resolve().parents[2] / "shared"
MINUTES_PDF = SHARED / "corpus" / "pdf" / "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf"


def real_minutes() -> Path:
    """The real Ballerup minutes PDF, or skip when ../shared is absent."""
    if not MINUTES_PDF.exists():
        pytest.skip(f"{MINUTES_PDF} is not present")
    return MINUTES_PDF


def test_pdf_pages_are_numbered_from_one(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "two.pdf", ["Referat", "Side 2"])
    assert read_pages(pdf) == [Page(1, "Referat"), Page(2, "Side 2")]


def test_text_file_is_one_page_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("\ufeffMødet den 31.03.2023\nPunkt 1.".encode())
    assert read_pages(path) == [Page(None, "Mødet den 31.03.2023\nPunkt 1.")]


def test_markdown_and_upper_case_suffix(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Referat", encoding="utf-8")
    assert read_pages(tmp_path / "a.md") == [Page(None, "# Referat")]
    write_pdf(tmp_path / "B.PDF", ["Referat"])
    assert read_pages(tmp_path / "B.PDF") == [Page(1, "Referat")]


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.pdf", b""), ("empty.txt", b""), ("blank.md", b" \n\n"), ("bom.txt", b"\xef\xbb\xbf\n")],
)
def test_empty_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match="empty") as caught:
        read_pages(path)
    assert caught.value.reason is Reason.EMPTY


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "budget.XLSX"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnreadableFile, match="unsupported file type .xlsx") as caught:
        read_pages(path)
    assert (caught.value.reason, caught.value.details) == (Reason.UNSUPPORTED_TYPE, {"suffix": ".xlsx"})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="cannot be read") as caught:
        read_pages(tmp_path / "absent.pdf")
    assert caught.value.reason is Reason.CANNOT_READ


def test_text_renamed_to_pdf(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("Referat\nSundheds- og Forebyggelsesudvalget", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="not a PDF") as caught:
        read_pages(path)
    assert caught.value.reason is Reason.NOT_PDF


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Møde på rådhuset".encode("latin-1"))
    with pytest.raises(UnreadableFile, match="not UTF-8") as caught:
        read_pages(path)
    assert (caught.value.reason, caught.value.details) == (Reason.NOT_UTF8, {"offset": 1})


def test_truncated_pdf(tmp_path: Path) -> None:
    data = write_pdf(tmp_path / "whole.pdf", ["Referat", "Side 2"]).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile, match="corrupt or truncated") as caught:
        read_pages(path)
    assert caught.value.reason is Reason.CORRUPT_PDF and caught.value.details["error"] in str(caught.value)


def test_truncated_real_pdf(tmp_path: Path) -> None:
    data = real_minutes().read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(UnreadableFile, match="corrupt or truncated"):
        read_pages(path)


def test_password_protected_pdf(tmp_path: Path) -> None:
    source = write_pdf(tmp_path / "plain.pdf", ["Lukket referat"])
    path = encrypted(source, tmp_path / "locked.pdf", "secret")
    with pytest.raises(UnreadableFile, match="password-protected") as caught:
        read_pages(path)
    assert caught.value.reason is Reason.PASSWORD_PROTECTED


def test_pdf_encrypted_with_empty_user_password_opens(tmp_path: Path) -> None:
    source = write_pdf(tmp_path / "plain.pdf", ["Referat", "Side 2"])
    path = encrypted(source, tmp_path / "owner-only.pdf", "")
    assert read_pages(path) == [Page(1, "Referat"), Page(2, "Side 2")]


def test_blank_pages_need_ocr(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    writer.write(tmp_path / "scan.pdf")
    with pytest.raises(UnreadableFile, match="needs OCR") as caught:
        read_pages(tmp_path / "scan.pdf")
    assert caught.value.reason is Reason.NEEDS_OCR


def test_pdf_without_pages(tmp_path: Path) -> None:
    PdfWriter().write(tmp_path / "none.pdf")
    with pytest.raises(UnreadableFile, match="no pages") as caught:
        read_pages(tmp_path / "none.pdf")
    assert caught.value.reason is Reason.NO_PAGES


def test_decompression_bomb_fails_clearly(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "bomb.pdf", ["Referat"], padding=STREAM_LIMIT + 1_000_000)
    assert pdf.stat().st_size < 1_000_000
    with pytest.raises(UnreadableFile, match="limit") as caught:
        read_pages(pdf)
    assert (caught.value.reason, caught.value.details) == (Reason.STREAM_OVER_LIMIT, {"limit": STREAM_LIMIT})


def test_error_messages_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"%PDF-1.7\ngarbage")
    with pytest.raises(UnreadableFile) as caught:
        read_pages(path)
    assert "\n" not in str(caught.value) and str(caught.value).startswith("fake.pdf: ")


def test_real_minutes_pages() -> None:
    pages = read_pages(real_minutes())
    assert [page.number for page in pages] == list(range(1, 16))
    assert "1. Meddelelser" in pages[2].text.splitlines()
    assert all("Side " + str(page.number) in page.text for page in pages)


# ------------------------------------------------------------------------ extraction in a child process


def test_a_pdf_extracted_in_a_child_gives_the_same_pages(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "two.pdf", ["Referat", "Side 2"])
    assert extract_file(pdf.name, pdf.read_bytes(), Limits()).pages == read_pages(pdf)


def test_a_refusal_in_the_child_keeps_its_reason(tmp_path: Path) -> None:
    pdf = encrypted(write_pdf(tmp_path / "plain.pdf", ["Lukket"]), tmp_path / "locked.pdf", "hemmelig")
    with pytest.raises(UnreadableFile, match="password-protected") as caught:
        extract_file(pdf.name, pdf.read_bytes(), Limits())
    assert caught.value.reason == Reason.PASSWORD_PROTECTED


def test_extraction_over_the_memory_limit_fails_with_its_reason(tmp_path: Path) -> None:
    """A 40 MB content stream decompressed in a child allowed 60 MB of address space."""
    pdf = write_pdf(tmp_path / "big.pdf", ["Referat"], padding=40_000_000)
    with pytest.raises(UnreadableFile, match="more than 60 MB") as caught:
        extract_file(pdf.name, pdf.read_bytes(), Limits(memory_mb=60))
    assert (caught.value.reason, caught.value.details) == (Reason.EXTRACTION_MEMORY, {"limit": 60_000_000})


def test_a_crashed_child_fails_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def segfault(command: list[str], **_: object) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(command, -signal.SIGSEGV, b"", b"Segmentation fault")

    monkeypatch.setattr(extract.subprocess, "run", segfault)
    pdf = write_pdf(tmp_path / "one.pdf", ["Referat"])
    with pytest.raises(UnreadableFile, match="crashed") as caught:
        extract_file(pdf.name, pdf.read_bytes(), Limits())
    assert caught.value.reason == Reason.EXTRACTION_CRASHED


def test_the_caps_apply_to_text_files_in_process(tmp_path: Path) -> None:
    path = tmp_path / "lang.md"
    path.write_text("x" * 101, encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        extract_file(path.name, path.read_bytes(), Limits(max_characters=100))
    assert (caught.value.reason, caught.value.details) == (Reason.TOO_MANY_CHARACTERS, {"count": 101, "cap": 100})
