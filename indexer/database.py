"""Engine creation for any SQLAlchemy URL; SQLite gets WAL so readers keep answering while a writer works."""

from __future__ import annotations

from sqlalchemy import Engine, event, inspect
from sqlmodel import SQLModel, create_engine

from indexer import models  # noqa: F401  (registers the tables)


def make_engine(url: str) -> Engine:
    """An engine for `url` with the tables created."""
    is_sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30} if is_sqlite else {})
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    SQLModel.metadata.create_all(engine)
    _add_new_columns(engine)
    return engine


def _add_new_columns(engine: Engine) -> None:
    """Add the nullable columns a newer version of the models has to tables an older version created."""
    inspector = inspect(engine)
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    added = f"{quote(column.name)} {column.type.compile(engine.dialect)}"
                    connection.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {added}")


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
