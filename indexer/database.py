"""Engine creation for any SQLAlchemy URL; SQLite gets WAL so readers keep answering while a writer works."""

from __future__ import annotations

from sqlalchemy import Engine, event
from sqlmodel import SQLModel, create_engine

from indexer import models  # noqa: F401  (registers the tables)


def make_engine(url: str) -> Engine:
    """An engine for `url` with the tables created."""
    is_sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30} if is_sqlite else {})
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    SQLModel.metadata.create_all(engine)
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
