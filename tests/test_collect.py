"""Every file in an indexed folder accounted for: the files read, each file left out named with its Danish reason,
hidden files and lock files counted; in the CLI's text and in `dasbot index --json`."""

from __future__ import annotations

import html
import io
import json
import os
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.core import Dasbot
from bot.describe import summary
from bot.settings import Settings
from indexer.collect import collect_files
from indexer.report import FileReport, Reason, Status
from tests.conftest import corpus_file
from tests.support.records import HashedEmbedder

JSON_KEYS = {
    "path", "status", "kind", "committee", "meeting_date", "items", "appendices", "chunks", "tariffs", "decisions",
    "error", "empty_pages", "duplicate_of", "replaces", "newer_version", "reason", "details",
}  # fmt: skip
"""The keys of `dasbot index --json` before Word and HTML were read: all still there."""


@pytest.fixture()
def store(tmp_path: Path, cache_dir: Path, hashed: HashedEmbedder) -> Dasbot:
    """An empty store embedding with hashed vectors."""
    return Dasbot(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir), embedder=hashed)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A secretariat's folder as it is: three meetings' records of three types, a spreadsheet, a file without a type, a pipe,
    Word's and LibreOffice's lock files, a macOS and a Windows folder file, and a git folder."""
    root = tmp_path / "moeder"
    (root / "2023").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (root / "a-dagsorden.txt").write_text(corpus_file("003").read_text(encoding="utf-8"), encoding="utf-8")
    document = docx.Document()
    for line in corpus_file("004").read_text(encoding="utf-8").splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    data = io.BytesIO()
    document.save(data)
    (root / "b-referat.docx").write_bytes(data.getvalue())
    lines = corpus_file("002").read_text(encoding="utf-8").splitlines()
    page = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line.strip())
    (root / "2023" / "c-side.HTML").write_text(f"<html><body>{page}</body></html>", encoding="utf-8")
    (root / "budget.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    (root / "noter").write_text("husk kaffe", encoding="utf-8")
    os.mkfifo(root / "pipe.txt")
    (root / "~$referat.docx").write_bytes(b"\0" * 162)
    (root / ".~lock.b-referat.docx#").write_text("bruger,pc,2023", encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"\0" * 10)
    (root / "Thumbs.db").write_bytes(b"\0" * 10)
    return root


def test_collect_files_reads_three_types_and_accounts_for_the_rest(folder: Path) -> None:
    files, skipped = collect_files([folder])
    assert [path.relative_to(folder).as_posix() for path in files] == [
        "2023/c-side.HTML",
        "a-dagsorden.txt",
        "b-referat.docx",
    ]
    assert {s.path.relative_to(folder).as_posix(): (s.reason, s.details) for s in skipped} == {
        ".git": (Reason.HIDDEN, {}),
        ".DS_Store": (Reason.HIDDEN, {}),
        "Thumbs.db": (Reason.HIDDEN, {}),
        "~$referat.docx": (Reason.LOCK_FILE, {}),
        ".~lock.b-referat.docx#": (Reason.LOCK_FILE, {}),
        "budget.xlsx": (Reason.UNSUPPORTED_TYPE, {"suffix": ".xlsx"}),
        "noter": (Reason.UNSUPPORTED_TYPE, {"suffix": ""}),
        "pipe.txt": (Reason.NOT_REGULAR_FILE, {}),
    }


def test_given_files_are_taken_as_they_are(folder: Path) -> None:
    """A file named on the command line is tried, whatever its type (and refused with its reason)."""
    files, skipped = collect_files([folder / "budget.xlsx", folder / ".DS_Store"])
    assert (files, skipped) == ([folder / "budget.xlsx", folder / ".DS_Store"], [])


def test_cli_names_each_file_left_out_and_counts_hidden_ones(store: Dasbot, folder: Path) -> None:
    result = CliRunner().invoke(cli, ["index", str(folder)], obj=store, prog_name="dasbot")
    assert result.exit_code == 0, result.output  # files left out of a folder are no failure
    lines = result.stderr.splitlines()
    types = "PDF, Word (.docx), HTML (.html, .htm), .txt eller .md"
    left_out = [line for line in lines if " er ikke indekseret: " in line]
    assert left_out == [
        f"budget.xlsx er ikke indekseret: filtypen .xlsx understøttes ikke (send {types}).",
        f"noter er ikke indekseret: filtypen understøttes ikke (send {types}).",
        "pipe.txt er ikke indekseret: det er ikke en almindelig fil.",
    ]
    assert sum(" er indekseret" in line for line in lines) == 3
    assert lines[-1].startswith("6 filer: 3 indekseret, 0 erstattet, 0 uændret, 0 fejlet, 3 sprunget over; ")
    assert lines[-1].endswith("; 5 skjulte filer og låsefiler sprunget over")
    assert "~$referat" not in result.stderr and ".git" not in result.stderr


def test_json_reports_every_entry_with_the_old_keys(store: Dasbot, folder: Path) -> None:
    result = CliRunner().invoke(cli, ["index", "--json", str(folder)], obj=store, prog_name="dasbot")
    assert result.exit_code == 0, result.output
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(JSON_KEYS <= set(report) for report in reports)
    statuses = {report["path"]: (report["status"], report["reason"]) for report in reports}
    assert statuses == {
        "c-side.HTML": ("indexed", None),
        "a-dagsorden.txt": ("indexed", None),
        "b-referat.docx": ("indexed", None),
        "budget.xlsx": ("skipped", "unsupported_type"),
        "noter": ("skipped", "unsupported_type"),
        "pipe.txt": ("skipped", "not_regular_file"),
        ".git": ("skipped", "hidden"),
        ".DS_Store": ("skipped", "hidden"),
        "Thumbs.db": ("skipped", "hidden"),
        "~$referat.docx": ("skipped", "lock_file"),
        ".~lock.b-referat.docx#": ("skipped", "lock_file"),
    }
    assert result.stderr.splitlines()[-1].endswith("5 skjulte filer og låsefiler sprunget over")


def test_summary_without_skipped_files_reads_as_before() -> None:
    reports = [FileReport("a.txt", Status.INDEXED, chunks=3), FileReport("b.pdf", Status.FAILED)]
    assert summary(reports) == "2 filer: 1 indekseret, 0 erstattet, 0 uændret, 1 fejlet; 3 nye tekststykker"
    lock = FileReport("~$a.docx", Status.SKIPPED, reason=Reason.LOCK_FILE)
    assert summary([*reports, lock]).endswith("; 1 skjult fil eller låsefil sprunget over")
