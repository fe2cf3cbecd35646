"""Database access: one engine per process, sessions per unit of work.

Everything lives in the database, nothing in process memory, so several server processes
(`serve --workers N`, or several machines on PostgreSQL) can serve the same head office.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL, Connection
from sqlalchemy.orm import Session, sessionmaker

# Connections each process keeps (and may add under load). A head office runs a few workers:
# 4 workers x (5 + 5) stays well under PostgreSQL's default max_connections of 100.
PG_POOL_SIZE = 5
PG_MAX_OVERFLOW = 5
# How long a SQLite writer waits for another process's write to finish before giving up.
SQLITE_BUSY_SECONDS = 30
# Execution option telling the SQLite "begin" hook to take the write lock at BEGIN.
_WRITE_OPTION = "mukta_write"


class UnsupportedDatabase(ValueError):
    """A database URL that is neither SQLite nor PostgreSQL."""


def normalise_url(url: str) -> URL:
    """The URL with the driver we ship: `postgresql://` and `postgres://` mean psycopg 3."""
    text = url.strip()
    if text.startswith("postgres://"):
        text = "postgresql://" + text.removeprefix("postgres://")
    parsed = make_url(text)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed
    raise UnsupportedDatabase(
        f"Database URL {parsed.render_as_string(hide_password=True)}: use sqlite:///FILE or "
        "postgresql://USER@HOST/DATABASE."
    )


def make_engine(url: str) -> Engine:
    """An engine with the settings each database needs for several concurrent processes."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(
        parsed,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_MAX_OVERFLOW,
        # A database restart or a firewall dropping idle connections must not turn into
        # failed requests: test each connection as it leaves the pool.
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # pysqlite starts transactions late (at the first write) and on its own; we emit BEGIN
        # ourselves (below) so a unit of work is one transaction from its first read.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the write lock at BEGIN (IMMEDIATE). A deferred transaction that read
        # first and writes later cannot wait for another process's writer: SQLite answers
        # "database is locked" at once instead of waiting the busy timeout.
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@dataclass
class Database:
    """The server's database. `unit_of_work()` for writes, `read()` for reads."""

    engine: Engine
    _writer: sessionmaker[Session]
    _reader: sessionmaker[Session]

    @classmethod
    def open(cls, url: str) -> Database:
        engine = make_engine(url)
        return cls.for_engine(engine)

    @classmethod
    def for_engine(cls, engine: Engine) -> Database:
        writer = engine.execution_options(**{_WRITE_OPTION: True})
        return cls(
            engine=engine,
            _writer=sessionmaker(writer, expire_on_commit=False),
            _reader=sessionmaker(engine, expire_on_commit=False),
        )

    @property
    def display_url(self) -> str:
        """The URL without its password, fit for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self._writer() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading. Closing it ends its transaction (nothing is committed) and
        leaves the objects it loaded readable, detached."""
        with self._reader() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
