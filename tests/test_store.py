"""The store: deleting a document takes every row derived from it (foreign keys cascade), and a database an older
version made without the cascades gets them once, keeping its rows, and still indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, create_engine, func, or_
from sqlmodel import Session, SQLModel, select

from bot.core import Dasbot
from bot.settings import Settings
from indexer.database import make_engine
from indexer.indexer import Indexer
from indexer.models import AgendaItem, Chunk, Document, Meeting
from indexer.report import Status
from indexer.store import READER_VERSION, delete_document
from tests.conftest import corpus_file
from tests.support.records import HashedEmbedder, agenda

DERIVED = {"agendaitem", "section", "appendix", "chunk", "tariff", "decision"}
STORE = DERIVED | {"document", "meeting"}


def copy_database(app: Dasbot, folder: Path) -> Path:
    """A consistent copy of the session's indexed database."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "dasbot.sqlite3"
    with sqlite3.connect(app.engine.url.database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


def derived_tables() -> list[Table]:
    """Every table whose rows point to a document or an agenda item."""
    return [
        table
        for table in SQLModel.metadata.sorted_tables
        if any(fk.column.table.name in ("document", "agendaitem") for fk in table.foreign_keys)
    ]


def rows_of(engine: Engine, document_id: int, item_ids: list[int]) -> dict[str, int]:
    """Rows per table that point to the document or to one of its items."""
    counts = {}
    with engine.connect() as connection:
        for table in derived_tables():
            points = [table.c.document_id == document_id]
            points += [table.c.item_id.in_(item_ids)] if "item_id" in table.c else []
            query = select(func.count()).select_from(table).where(or_(*points))
            counts[table.name] = connection.execute(query).scalar()
    return counts


def totals(engine: Engine) -> dict[str, int]:
    """Rows per table."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar()
            for table in derived_tables()
        }


def orphans(engine: Engine) -> int:
    """Rows pointing to a document or an item that is not there."""
    with engine.connect() as connection:
        return len(connection.exec_driver_sql("PRAGMA foreign_key_check").all())


def test_deleting_a_document_leaves_no_row_of_it(app: Dasbot, tmp_path: Path) -> None:
    """On a real record (000: items, sections, appendices, chunks, tariffs and decisions, alone at its meeting)."""
    engine = make_engine(f"sqlite:///{copy_database(app, tmp_path)}")
    assert {table.name for table in derived_tables()} == DERIVED
    with Session(engine) as session:
        document = session.exec(select(Document).where(Document.filename == corpus_file("000").name)).one()
        document_id, meeting_id = document.id, document.meeting_id
        item_ids = list(session.exec(select(AgendaItem.id).where(AgendaItem.document_id == document_id)).all())
        chunk_ids = list(session.exec(select(Chunk.id).where(Chunk.document_id == document_id)).all())
    before, total = rows_of(engine, document_id, item_ids), totals(engine)
    assert all(before[name] for name in DERIVED), before

    with Session(engine) as session, session.begin():
        removed = delete_document(session, document_id)

    assert sorted(removed) == sorted(chunk_ids)
    assert rows_of(engine, document_id, item_ids) == dict.fromkeys(DERIVED, 0)
    assert totals(engine) == {name: total[name] - before[name] for name in DERIVED}  # the other records keep theirs
    with Session(engine) as session:
        assert session.get(Document, document_id) is None and session.get(Meeting, meeting_id) is None
        assert len(session.exec(select(Document)).all()) == 4
    assert orphans(engine) == 0


def old_schema_database(app: Dasbot, path: Path) -> None:
    """The indexed store as an older version made it: the same tables and rows, foreign keys without cascades."""
    metadata = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        if table.name in STORE:
            table.to_metadata(metadata)
    for table in metadata.tables.values():
        for constraint in table.foreign_key_constraints:
            constraint.ondelete = None
    metadata.create_all(create_engine(f"sqlite:///{path}"))
    with sqlite3.connect(path, isolation_level=None) as connection:
        connection.execute("ATTACH DATABASE ? AS src", (app.engine.url.database,))
        for table in metadata.sorted_tables:
            columns = ", ".join(f'"{name}"' for name in table.c.keys())
            connection.execute(f'INSERT INTO main."{table.name}" ({columns}) SELECT {columns} FROM src."{table.name}"')
        connection.execute("DETACH DATABASE src")


def schema(path: Path) -> dict[str, tuple[str, list[str], list[str]]]:
    """Each store table's SQL, its foreign keys' ON DELETE and its indexes."""
    with sqlite3.connect(path) as connection:
        return {
            name: (
                connection.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0],
                sorted(row[6] for row in connection.execute(f'PRAGMA foreign_key_list("{name}")')),
                sorted(row[1] for row in connection.execute(f'PRAGMA index_list("{name}")')),
            )
            for name in STORE
        }


def schema_version(path: Path) -> int:
    """SQLite's count of schema changes."""
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA schema_version").fetchone()[0]


def test_a_database_from_before_cascades_gets_them_once_and_still_indexes(app: Dasbot, tmp_path: Path) -> None:
    path = tmp_path / "dasbot.sqlite3"
    old_schema_database(app, path)
    old = schema(path)
    assert old["chunk"][1] == ["NO ACTION", "NO ACTION"]
    total = totals(app.engine)

    engine = make_engine(f"sqlite:///{path}")
    new = schema(path)
    for name in DERIVED:
        assert new[name][2] == old[name][2], name  # created anew with the same indexes
        assert new[name][1] == (["CASCADE", "NO ACTION"] if name == "agendaitem" else ["CASCADE", "CASCADE"]), name
    assert new["document"] == old["document"] and new["meeting"] == old["meeting"]  # left as they were
    assert totals(engine) == total and orphans(engine) == 0
    engine.dispose()
    version = schema_version(path)
    make_engine(f"sqlite:///{path}").dispose()
    assert schema_version(path) == version and schema(path) == new  # once: nothing is created anew the second time

    engine = make_engine(f"sqlite:///{path}")
    indexer = Indexer(engine, tmp_path / "chunks.faiss", lambda: app.embedder)
    record = tmp_path / "dagsorden.txt"
    record.write_text(agenda(word="Torvevej"), encoding="utf-8")
    [first] = indexer.index([record])
    record.write_text(agenda(word="Torvevænget"), encoding="utf-8")
    [second] = indexer.index([record])
    assert (first.status, second.status) == (Status.INDEXED, Status.REPLACED) and second.items == 2
    assert orphans(engine) == 0 and indexer.agreement().ok
    assert {name: count - total[name] for name, count in totals(engine).items()} == totals_of(engine, "dagsorden.txt")


def totals_of(engine: Engine, filename: str) -> dict[str, int]:
    """Rows per table of the document indexed under `filename`."""
    with Session(engine) as session:
        document_id = session.exec(select(Document.id).where(Document.filename == filename)).one()
        item_ids = list(session.exec(select(AgendaItem.id).where(AgendaItem.document_id == document_id)).all())
    return rows_of(engine, document_id, item_ids)


def test_a_record_an_older_reader_read_is_read_again_even_when_its_meeting_changes(
    tmp_path: Path, cache_dir: Path, hashed: HashedEmbedder
) -> None:
    store = Dasbot(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir), embedder=hashed)
    path = tmp_path / "dagsorden.txt"
    path.write_text(agenda(), encoding="utf-8")
    store.index([path])
    assert [r.status for r in store.index([path])] == [Status.UNCHANGED]  # read by this version: skipped
    with Session(store.engine) as session:  # as an older version left it: no meeting, no reader version
        document = session.exec(select(Document)).one()
        document.meeting_id, document.reader_version = None, None
        session.add(document)
        session.commit()
    [report] = store.index([path])
    assert (report.status, report.meeting_date, report.items) == (Status.REPLACED, "2012-12-04", 2)
    with Session(store.engine) as session:
        [document] = session.exec(select(Document)).all()
        assert document.reader_version == READER_VERSION and document.meeting_id is not None
    assert store.indexer.agreement().ok
    assert not (store.settings.data_dir / "replaced.jsonl").exists()  # a re-read replaces nothing in the history
