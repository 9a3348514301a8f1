"""Dagster's run history in the data directory: its SQLite event log, keeping each database's connection open
for the life of the process.

Dagster's own SQLite event log creates a SQLAlchemy engine, opens the file, commits and disposes the engine for
every event it stores and every record it reads: a demo month's close stores ~670 events and looks up each dbt
model's upstream materializations, ~3,000 connections, ~3 s of a ~37 s close spent opening and closing files.
This storage is Dagster's, file for file (the same run and index databases, the same schema, readable by Dagster's
class and the Dagster UI), with one engine per database file kept open and reused. Dagster serializes every use
under its lock, as before.

Its databases are in SQLite's WAL mode (Dagster creates them so); on them a commit no longer waits for the disk
(`synchronous=NORMAL`, SQLite's advice for WAL): ~0.3 ms less per commit here, ~3,000 commits a demo close. A crash of
the process loses nothing; a power cut may lose the last events of a run, never the history's consistency. The books
are not here: the warehouse and the operational store keep their own durability.
"""

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

# A long-lived process (the Dagster UI, its daemon) reads many runs: the engines of the most recently used
# databases are kept, the index database and the run in progress among them.
KEPT_ENGINES = 8


def _commit_without_waiting_for_the_disk(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        if cursor.execute("pragma journal_mode").fetchone()[0] == "wal":
            cursor.execute("pragma synchronous = normal")
    finally:
        cursor.close()


class KeptConnectionSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage, with each database's engine (and its pooled connection) kept between operations."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> "KeptConnectionSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        # Two pooled connections: creating a database's tables takes a second one while the first is checked out.
        engine = create_engine(
            self.conn_string_for_shard(shard),
            pool_size=2,
            max_overflow=0,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        event.listen(engine, "connect", _commit_without_waiting_for_the_disk)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_ENGINES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
                # A database created just now became WAL after its first connection was opened: open it again.
                engine.dispose()
            with engine.connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    def wipe(self) -> None:
        # The run databases are deleted: no connection may stay open on a deleted file.
        self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
