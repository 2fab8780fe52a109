"""Indexing end to end on the bundled corpus with the real model: structure, chunk limit, increments."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlmodel import Session, func, select

from bot.core import Dasbot
from bot.settings import BUNDLED_CORPUS, Settings
from indexer import ann
from indexer.models import AgendaItem, Appendix, Chunk, Document, Meeting


def test_bundled_corpus_structure(app: Dasbot) -> None:
    with Session(app.engine) as session:
        dates = sorted(m.date.isoformat() for m in session.exec(select(Meeting)))
        assert dates == ["2021-08-23", "2023-01-20", "2023-03-31", "2023-08-21"]
        assert session.exec(select(func.count()).select_from(AgendaItem)).one() == 58
        kinds = sorted(d.kind for d in session.exec(select(Document)))
        assert kinds == ["agenda", "agenda", "agenda", "agenda", "other"]
        appendix = session.exec(select(Appendix).where(Appendix.title.startswith("Aalborg Kommune JV"))).one()
        item = session.get(AgendaItem, appendix.item_id)
        assert (item.number, item.title) == (7, "Orienteringspunkt vedr. reviderede takster 2023")
        assert "Viften Vodskov" in appendix.text


def test_every_chunk_fits_the_models_token_limit(app: Dasbot) -> None:
    with Session(app.engine) as session:
        texts = session.exec(select(Chunk.embed_text)).all()
    assert len(texts) > 500
    counts = app.embedder.count_tokens_batch(texts)
    assert max(counts) <= app.embedder.max_tokens


def test_faiss_and_database_agree(app: Dasbot) -> None:
    index = ann.load(app.settings.ann_path)
    ids, _ = ann.stored_vectors(app.engine)
    assert index.ntotal == len(ids)
    assert sorted(ann.ids(index).tolist()) == sorted(ids.tolist())


def test_incremental_indexing(app: Dasbot, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=app.settings.cache_dir)
    other = Dasbot(settings, embedder=app.embedder)  # one model load per process
    source = tmp_path / "records"
    source.mkdir()
    shutil.copy(next(BUNDLED_CORPUS.glob("003_*.txt")), source / "agenda.txt")
    first = other.index([source])
    assert [r.status for r in first] == ["indexed"]
    chunks = other.chunk_count()

    second = other.index([source])
    assert [r.status for r in second] == ["unchanged"]
    assert other.chunk_count() == chunks

    path = source / "agenda.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Kvisten", "Kvistenhuset"), encoding="utf-8")
    third = other.index([source])
    assert [r.status for r in third] == ["replaced"]
    assert other.chunk_count() == chunks
    with Session(other.engine) as session:
        assert session.exec(select(func.count()).select_from(Document)).one() == 1
        texts = " ".join(session.exec(select(Chunk.text)).all())
    assert "Kvistenhuset" in texts
    index = ann.load(settings.ann_path)
    assert index.ntotal == chunks
