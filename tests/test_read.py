"""Reading files: PDF pages with their numbers, text files, and one clear error for every bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from indexer.read import STREAM_LIMIT, Page, UnreadableFile, read_pages

SHARED = Path(__file__).resolve().parents[2] / "shared"
MINUTES_PDF = SHARED / "corpus" / "pdf" / "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf"


def real_minutes() -> Path:
    """The real Ballerup minutes PDF, or skip when ../shared is absent."""
    if not MINUTES_PDF.exists():
        pytest.skip(f"{MINUTES_PDF} is not present")
    return MINUTES_PDF


def write_pdf(path: Path, texts: list[str], padding: int = 0) -> Path:
    """A PDF with one Helvetica text line per page; `padding` spaces inflate each content stream."""
    writer = PdfWriter()
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })
    for text in texts:
        page = writer.add_blank_page(300, 300)
        fonts = DictionaryObject({NameObject("/F1"): font})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 20 150 Td ({text}) Tj ET\n".encode() + b" " * padding)
        page.replace_contents(stream.flate_encode())
    writer.write(path)
    return path


def encrypted(source: Path, target: Path, user_password: str) -> Path:
    """A copy of `source` encrypted with `user_password` (and an owner password)."""
    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password=user_password, owner_password="owner-secret")
    writer.write(target)
    return target


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
    ("name", "content"), [("empty.pdf", b""), ("empty.txt", b""), ("blank.md", b" \n\n"), ("bom.txt", b"\xef\xbb\xbf\n")]
)
def test_empty_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match="empty"):
        read_pages(path)


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "referat.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnreadableFile, match="unsupported file type .docx"):
        read_pages(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="cannot be read"):
        read_pages(tmp_path / "absent.pdf")


def test_text_renamed_to_pdf(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("Referat\nSundheds- og Forebyggelsesudvalget", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="not a PDF"):
        read_pages(path)


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Møde på rådhuset".encode("latin-1"))
    with pytest.raises(UnreadableFile, match="not UTF-8"):
        read_pages(path)


def test_truncated_pdf(tmp_path: Path) -> None:
    data = write_pdf(tmp_path / "whole.pdf", ["Referat", "Side 2"]).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile, match="corrupt or truncated"):
        read_pages(path)


def test_truncated_real_pdf(tmp_path: Path) -> None:
    data = real_minutes().read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(UnreadableFile, match="corrupt or truncated"):
        read_pages(path)


def test_password_protected_pdf(tmp_path: Path) -> None:
    source = write_pdf(tmp_path / "plain.pdf", ["Lukket referat"])
    path = encrypted(source, tmp_path / "locked.pdf", "secret")
    with pytest.raises(UnreadableFile, match="password-protected"):
        read_pages(path)


def test_pdf_encrypted_with_empty_user_password_opens(tmp_path: Path) -> None:
    source = write_pdf(tmp_path / "plain.pdf", ["Referat", "Side 2"])
    path = encrypted(source, tmp_path / "owner-only.pdf", "")
    assert read_pages(path) == [Page(1, "Referat"), Page(2, "Side 2")]


def test_blank_pages_need_ocr(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    writer.write(tmp_path / "scan.pdf")
    with pytest.raises(UnreadableFile, match="needs OCR"):
        read_pages(tmp_path / "scan.pdf")


def test_pdf_without_pages(tmp_path: Path) -> None:
    PdfWriter().write(tmp_path / "none.pdf")
    with pytest.raises(UnreadableFile, match="no pages"):
        read_pages(tmp_path / "none.pdf")


def test_decompression_bomb_fails_clearly(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "bomb.pdf", ["Referat"], padding=STREAM_LIMIT + 1_000_000)
    assert pdf.stat().st_size < 1_000_000
    with pytest.raises(UnreadableFile, match="limit"):
        read_pages(pdf)


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
