"""Encrypted PDFs as pypdf's writer makes them: RC4 and AES files that open without a user password (an empty one,
or only an owner password) are read and indexed like any other; one that needs a real password is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfWriter
from sqlmodel import Session, select

from bot.core import Dasbot
from bot.describe import describe
from bot.settings import Settings
from indexer.extract import extract_file
from indexer.limits import Limits
from indexer.models import Chunk
from indexer.read import Page, UnreadableFile, pdf_modified, read_pages
from indexer.report import Reason
from tests.support.pdfs import write_pdf
from tests.support.records import HashedEmbedder

TEXTS = ["Referat om aflastning paa Torvevej", "Taksten for Kvisten stiger"]
MODIFIED = dt.datetime(2024, 2, 5, 9, 30, tzinfo=dt.UTC)
OPEN = [  # (algorithm, user password, owner password): any PDF reader opens these without asking
    ("AES-128", "", None),
    ("AES-256", "", None),
    ("RC4-128", "", None),
    ("AES-128", "", "ejerens-kode"),
    ("AES-256", "", "ejerens-kode"),
]
LOCKED = ["AES-128", "AES-256", "RC4-128"]


def encrypted_pdf(folder: Path, algorithm: str, user: str, owner: str | None) -> Path:
    """A two-page text PDF with a modification date, encrypted by pypdf's writer."""
    writer = PdfWriter(clone_from=write_pdf(folder / "plain.pdf", TEXTS))
    writer.add_metadata({"/ModDate": "D:20240205093000Z"})
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    path = folder / f"{algorithm}-{'owner' if owner else 'empty'}{'-user' if user else ''}.pdf"
    writer.write(path)
    return path


@pytest.mark.parametrize(("algorithm", "user", "owner"), OPEN)
def test_an_encrypted_pdf_that_opens_without_a_password_is_read(
    tmp_path: Path, algorithm: str, user: str, owner: str | None
) -> None:
    path = encrypted_pdf(tmp_path, algorithm, user, owner)
    assert read_pages(path) == [Page(1, TEXTS[0]), Page(2, TEXTS[1])]
    extracted = extract_file(path.name, path.read_bytes(), Limits())  # the sandboxed child too
    assert (extracted.pages, extracted.modified) == (read_pages(path), MODIFIED)
    assert pdf_modified(path.read_bytes()) == MODIFIED


@pytest.mark.parametrize("algorithm", LOCKED)
def test_an_encrypted_pdf_that_needs_a_user_password_is_refused(tmp_path: Path, algorithm: str) -> None:
    path = encrypted_pdf(tmp_path, algorithm, "brugerens-kode", "ejerens-kode")
    with pytest.raises(UnreadableFile, match="password-protected") as caught:
        extract_file(path.name, path.read_bytes(), Limits())
    assert caught.value.reason is Reason.PASSWORD_PROTECTED
    assert pdf_modified(path.read_bytes()) is None


def test_encrypted_pdfs_are_indexed_and_searchable_and_a_locked_one_is_refused_in_danish(
    tmp_path: Path, hashed: HashedEmbedder
) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    for algorithm, user, owner in OPEN[:2] + OPEN[-1:]:
        encrypted_pdf(folder, algorithm, user, owner)
    encrypted_pdf(folder, "AES-256", "brugerens-kode", "ejerens-kode")
    (folder / "plain.pdf").unlink()
    app = Dasbot(Settings(data_dir=tmp_path / "data"), embedder=hashed)
    reports = {report.path: report for report in app.index([folder])}
    assert {name: (r.status, r.reason) for name, r in reports.items()} == {
        "AES-128-empty.pdf": ("indexed", None),
        "AES-256-empty.pdf": ("indexed", None),  # same text, another file: indexed beside it
        "AES-256-owner.pdf": ("indexed", None),
        "AES-256-owner-user.pdf": ("failed", Reason.PASSWORD_PROTECTED),
    }
    assert describe(reports["AES-256-owner-user.pdf"]) == (
        "AES-256-owner-user.pdf er ikke indekseret: PDF'en er beskyttet med adgangskode."
    )
    with Session(app.engine) as session:
        texts = session.exec(select(Chunk.text)).all()
    assert any("Torvevej" in text for text in texts) and any("Kvisten" in text for text in texts)
