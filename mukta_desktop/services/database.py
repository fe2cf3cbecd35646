"""Opening the application database in a data directory: create, migrate, seed masters."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mukta_desktop.models.database import DB_FILENAME, make_engine, make_session_factory, migrate

from .masters import ensure_masters


@dataclass
class Database:
    """The open database of one data directory. `unit_of_work()` is the only way in."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    backup: Path | None = None
    # SQLite allows one writer; serialising our own writers avoids "database is locked".
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self.write_lock, self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (WAL lets readers run beside the writer)."""
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_database(data_dir: Path) -> Database:
    """Open (creating and migrating as needed) the database of a data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DB_FILENAME
    engine = make_engine(path)
    try:
        backup = migrate(engine, path)
    except BaseException:
        engine.dispose()
        raise
    database = Database(
        path=path, engine=engine, sessions=make_session_factory(engine), backup=backup
    )
    with database.unit_of_work() as session:
        ensure_masters(session)
    return database
