"""Engine creation for any SQLAlchemy URL; SQLite gets WAL so readers keep answering while a writer works, and
enforced foreign keys. Tables an older version created are brought up to the models (new columns, cascades)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Table, event, inspect
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
    if is_sqlite:
        _recreate_for_foreign_keys(engine)
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


def _recreate_for_foreign_keys(engine: Engine) -> None:
    """Recreate the SQLite tables whose foreign keys differ from the models' (an older version made them without
    ON DELETE CASCADE, and SQLite cannot alter a constraint): each one's rows are copied aside, the table created
    anew from its model with its indexes, and the rows copied back. One transaction under the write lock, with
    foreign keys off (dropping a table would otherwise delete through them), as SQLite's ALTER TABLE guide says.
    Once: afterwards the constraints match and this only reads them."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:  # BEGIN/COMMIT by hand
        if not _differing_foreign_keys(connection):
            return
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # no effect inside a transaction: set before BEGIN
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                # Read again under the write lock: another process may have recreated them meanwhile.
                for table in _differing_foreign_keys(connection):
                    _recreate(connection, table)
                connection.exec_driver_sql("COMMIT")
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _differing_foreign_keys(connection: Connection) -> list[Table]:
    """The tables (parents first) whose foreign keys in the database differ from their model's."""
    quote = connection.dialect.identifier_preparer.quote
    differing = []
    for table in SQLModel.metadata.sorted_tables:
        rows = connection.exec_driver_sql(f"PRAGMA foreign_key_list({quote(table.name)})").all()
        present = {(referred, column, on_delete.upper()) for _, _, referred, column, _, _, on_delete, _ in rows}
        wanted = {
            (fk.column.table.name, fk.parent.name, (fk.ondelete or "NO ACTION").upper()) for fk in table.foreign_keys
        }
        if present != wanted:
            differing.append(table)
    return differing


def _recreate(connection: Connection, table: Table) -> None:
    """Create `table` anew from its model, keeping its rows (call inside a transaction, foreign keys off)."""
    quote = connection.dialect.identifier_preparer.quote
    name, kept = quote(table.name), quote(f"{table.name}_before_recreate")
    columns = ", ".join(quote(c["name"]) for c in inspect(connection).get_columns(table.name) if c["name"] in table.c)
    connection.exec_driver_sql(f"CREATE TEMP TABLE {kept} AS SELECT * FROM {name}")
    connection.exec_driver_sql(f"DROP TABLE {name}")
    table.create(connection)
    connection.exec_driver_sql(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM temp.{kept}")
    connection.exec_driver_sql(f"DROP TABLE temp.{kept}")


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
