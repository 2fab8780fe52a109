"""PDFs made for tests: one text line per page, and encrypted copies."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def write_pdf(path: Path, texts: list[str], padding: int = 0) -> Path:
    """A PDF with one Helvetica text line per page; `padding` spaces inflate each content stream."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
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
