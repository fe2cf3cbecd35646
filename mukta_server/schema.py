"""The database schema: migrating at `init`, and refusing to serve a schema we do not match."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaMismatch(Exception):
    """The database is not at the schema this server version needs; the message says what
    to do, in plain words."""


def alembic_config(engine: Engine | None = None) -> Config:
    # No alembic.ini: the engine is handed to env.py, so one code path serves both databases.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest schema this version of the server knows (its newest migration)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise RuntimeError("mukta_server ships no migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _is_known(revision: str) -> bool:
    scripts = ScriptDirectory.from_config(alembic_config())
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def _display(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _refuse_newer(engine: Engine, current: str) -> None:
    if not _is_known(current):
        raise SchemaMismatch(
            f"The database {_display(engine)} was written by a newer MUKTA server (schema "
            f"{current}; this version knows up to {head_revision()}). Install that "
            "version or newer; nothing was changed."
        )


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to this version's schema. Returns (before, after) revisions."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return current, head
    if current is not None:
        _refuse_newer(engine, current)
    command.upgrade(alembic_config(engine), "head")
    log.info("server database migrated from %s to %s", current, head)
    return current, head


def require_current(engine: Engine) -> None:
    """Refuse to serve a database that `init` has not brought to this version's schema."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaMismatch(
            f"The database {_display(engine)} has no MUKTA server tables yet. "
            "Run `mukta-server init` with the same database first."
        )
    _refuse_newer(engine, current)
    raise SchemaMismatch(
        f"The database {_display(engine)} is at schema {current}; this server needs {head}. "
        "Run `mukta-server init` with the same database to migrate it (stop the running "
        "servers first)."
    )
