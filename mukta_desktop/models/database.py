"""The SQLite database file: engine settings, sessions, and migration at start-up."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mukta_desktop.domain.errors import DomainError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
DB_FILENAME = "mukta.sqlite3"


def make_engine(db_path: Path) -> Engine:
    """An engine on the database file with WAL, foreign keys and a busy timeout."""
    engine = create_engine(f"sqlite:///{db_path}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # INSERT OR REPLACE deletes the row it replaces; with recursive triggers that delete
        # meets the triggers guarding approved records (migrations 0003 and 0004).
        cursor.execute("PRAGMA recursive_triggers=ON")
        cursor.close()

    return engine


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def newest_script_revision() -> str | None:
    """The revision of the newest migration script, by our file naming `NNNN_slug.py`."""
    names = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))
    return names[-1].split("_", 1)[0] if names else None


def _stored_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        try:
            value = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except OperationalError:  # no table yet: an empty database
            return None
    return None if value is None else str(value)


def migrate(engine: Engine, db_path: Path) -> Path | None:
    """Bring the database to the newest schema; back the file up first if it has data.

    Returns the backup's path when one was made.
    """
    # Start-up fast path: a database already at the newest script needs no Alembic import
    # (a third of a second for every headless command).
    if _stored_revision(engine) == newest_script_revision():
        return None
    from alembic import command

    current = current_revision(engine)
    head = head_revision(engine)
    if current == head:
        return None
    if current is not None and not _known_revision(engine, current):
        raise DomainError(
            f"The database {db_path} was written by a newer version of MUKTA Desktop "
            f"(schema {current}). Install that version or newer; nothing was changed."
        )
    backup: Path | None = None
    if db_path.exists() and db_path.stat().st_size > 0 and current is not None:
        backup = backup_database(engine, db_path, reason=f"before-migration-{current}")
    command.upgrade(alembic_config(engine), "head")
    log.info("database migrated from %s to %s", current, head)
    return backup


def backup_database(engine: Engine, db_path: Path, reason: str) -> Path:
    """A consistent copy of the database (SQLite online backup) next to it in backups/."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target_dir = db_path.parent / "backups"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{db_path.stem}-{stamp}-{reason}.sqlite3"
    source = sqlite3.connect(db_path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    if not target.exists():  # pragma: no cover - backup() raises on failure
        shutil.copy2(db_path, target)
    return target


def _known_revision(engine: Engine, revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return (
            ScriptDirectory.from_config(alembic_config(engine)).get_revision(revision) is not None
        )
    except CommandError:
        return False


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
