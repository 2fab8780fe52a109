"""A record replaced by a newer version stays restorable: `dasbot history` lists it, `dasbot restore` indexes it
again over its successor, which is logged in turn, so a restore can itself be undone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, select

from bot.cli import cli
from bot.core import Dasbot
from bot.settings import Settings
from indexer.ann import compare_ann
from indexer.models import Chunk, Document
from tests.support.records import HashedEmbedder, agenda


@pytest.fixture()
def store(tmp_path: Path, cache_dir: Path, hashed: HashedEmbedder) -> Dasbot:
    """A store where `dagsorden-revideret.txt` replaced `dagsorden.txt`, the same meeting's agenda."""
    dasbot = Dasbot(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir), embedder=hashed)
    for name, word in (("dagsorden.txt", "Torvevej"), ("dagsorden-revideret.txt", "Torvevænget")):
        (tmp_path / name).write_text(agenda(word=word), encoding="utf-8")
        dasbot.index([tmp_path / name])
    return dasbot


def dasbot(store: Dasbot, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=store, prog_name="dasbot")


def indexed_words(store: Dasbot) -> tuple[list[str], bool, bool]:
    """The files indexed, and whether the old and the new wording are in the chunks."""
    with Session(store.engine) as session:
        files = sorted(session.exec(select(Document.filename)).all())
        text = "\n".join(session.exec(select(Chunk.text)).all())
    return files, "Torvevej " in text, "Torvevænget" in text


def test_a_replaced_version_is_restored_and_the_restore_undone(store: Dasbot, tmp_path: Path) -> None:
    assert indexed_words(store) == (["dagsorden-revideret.txt"], False, True)
    listed = dasbot(store, "history")
    assert "dagsorden.txt (Sundheds- og Forebyggelsesudvalget 2012-12-04) erstattet af dagsorden-revideret.txt" in (
        listed.stdout
    )
    assert "Gendan en udgave med: dasbot restore FIL" in listed.stdout

    restored = dasbot(store, "restore", "--json", str(tmp_path / "dagsorden.txt"))
    assert restored.exit_code == 0, restored.output
    report = json.loads(restored.stdout)
    assert (report["status"], report["replaces"]) == ("replaced", ["dagsorden-revideret.txt"])
    assert indexed_words(store) == (["dagsorden.txt"], True, False)
    assert compare_ann(store.engine, store.settings.ann_path).ok
    entries = json.loads(dasbot(store, "history", "--json").stdout)
    assert [(e["file"], e["replaced_by"]) for e in entries] == [
        ("dagsorden.txt", "dagsorden-revideret.txt"),
        ("dagsorden-revideret.txt", "dagsorden.txt"),
    ]

    undone = dasbot(store, "restore", str(tmp_path / "dagsorden-revideret.txt"))
    assert undone.exit_code == 0, undone.output
    assert indexed_words(store) == (["dagsorden-revideret.txt"], False, True)


def test_an_upload_is_restored_by_the_name_history_shows(store: Dasbot, tmp_path: Path) -> None:
    store.settings.uploads_dir.mkdir(parents=True)
    (tmp_path / "dagsorden.txt").rename(store.settings.uploads_dir / "dagsorden.txt")
    assert dasbot(store, "restore", "dagsorden.txt").exit_code == 0
    assert indexed_words(store) == (["dagsorden.txt"], True, False)


def test_a_file_that_was_never_replaced_is_refused_in_one_danish_line(store: Dasbot, tmp_path: Path) -> None:
    other = tmp_path / "andet.txt"
    other.write_text(agenda(date="05.12.2012"), encoding="utf-8")
    result = dasbot(store, "restore", str(other))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "andet.txt er ikke indekseret: indholdet står ikke blandt de erstattede udgaver (se dasbot history)."
    )
    assert indexed_words(store) == (["dagsorden-revideret.txt"], False, True)
    missing = dasbot(store, "restore", "findes-ikke.txt")
    assert (missing.exit_code, missing.stderr.strip()) == (1, "findes-ikke.txt er ikke indekseret: filen findes ikke.")
