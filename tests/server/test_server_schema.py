"""The server database: `init` makes the schema on both engines; serving needs that schema."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, Table, inspect, select, text

from mukta_server.app import create_app
from mukta_server.db import Database, UnsupportedDatabase, make_engine, normalise_url
from mukta_server.models import CHANGE_SEQ, Base, ChangeCounter, DecimalText, UtcDateTime
from mukta_server.schema import (
    SchemaMismatch,
    current_revision,
    head_revision,
    require_current,
    upgrade,
)
from mukta_server.settings import Settings

# The tables of migration 0001; later migrations add others.
TABLES = {"alembic_version", "tenant", "server_user", "device", "change_counter", "change"}


def test_init_creates_every_table_at_head(server_url: str) -> None:
    database = Database.open(server_url)
    try:
        assert current_revision(database.engine) is None
        head = head_revision()
        assert upgrade(database.engine) == (None, head)
        assert current_revision(database.engine) == head
        assert set(inspect(database.engine).get_table_names()) >= TABLES
        columns = {c["name"] for c in inspect(database.engine).get_columns("device")}
        assert columns == {
            "id",
            "user_login",
            "tenant_code",
            "name",
            "token_hash",
            "created_at",
            "last_seen_at",
            "revoked_at",
        }
        unique = inspect(database.engine).get_unique_constraints("device")
        assert [u["column_names"] for u in unique] == [["token_hash"]]
        # The change log starts empty, its counter row at zero.
        with database.read() as session:
            assert session.scalar(text("SELECT count(*) FROM change")) == 0
            assert session.get(ChangeCounter, CHANGE_SEQ) is not None
            assert session.scalars(select(ChangeCounter.value)).all() == [0]
        # A second init changes nothing.
        assert upgrade(database.engine) == (head, head)
        require_current(database.engine)
    finally:
        database.close()


def test_models_match_the_migrations(server_url: str) -> None:
    database = Database.open(server_url)
    try:
        upgrade(database.engine)
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.close()


def test_serving_an_uninitialised_database_is_refused(server_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=server_url, storage_dir=tmp_path / "photos")
    with pytest.raises(SchemaMismatch, match="Run `mukta-server init`"):
        create_app(settings)


def test_a_newer_database_is_refused_untouched(server_url: str, tmp_path: Path) -> None:
    database = Database.open(server_url)
    try:
        upgrade(database.engine)
        with database.unit_of_work() as session:
            session.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        with pytest.raises(SchemaMismatch, match="newer MUKTA server") as refused:
            upgrade(database.engine)
        assert "0099" in str(refused.value)
        with pytest.raises(SchemaMismatch, match="newer MUKTA server"):
            require_current(database.engine)
        assert current_revision(database.engine) == "0099"
    finally:
        database.close()


def test_column_types_round_trip_exactly(server_url: str) -> None:
    metadata = MetaData()
    table = Table("probe", metadata, Column("amount", DecimalText()), Column("at", UtcDateTime()))
    database = Database.open(server_url)
    india = timezone(timedelta(hours=5, minutes=30))
    try:
        metadata.create_all(database.engine)
        with database.unit_of_work() as session:
            session.execute(
                table.insert(),
                [
                    {
                        "amount": Decimal("14249.10"),
                        "at": datetime(2026, 11, 21, 11, 0, tzinfo=india),
                    },
                    {"amount": Decimal("0.0001"), "at": datetime(2026, 1, 1, tzinfo=UTC)},
                ],
            )
        with database.read() as session:
            rows = session.execute(select(table.c.amount, table.c.at)).all()
        assert [str(r.amount) for r in rows] == ["14249.10", "0.0001"]
        assert rows[0].at == datetime(2026, 11, 21, 5, 30, tzinfo=UTC)
        assert rows[0].at.tzinfo == UTC
        with pytest.raises(Exception, match="aware datetime"), database.unit_of_work() as s:
            s.execute(table.insert(), {"amount": None, "at": datetime(2026, 1, 1)})
    finally:
        database.close()


def test_sqlite_engine_settings(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()


def test_sqlite_unit_of_work_takes_the_write_lock_at_begin(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    database = Database.open(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        upgrade(database.engine)
        with database.unit_of_work() as session:
            session.execute(text("SELECT count(*) FROM tenant"))  # read only, so far
            # Another process's writer is kept out from BEGIN on, not from the first write.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            # Readers are not (WAL).
            assert other.execute("SELECT count(*) FROM tenant").fetchone() == (0,)
        with database.read() as session:
            session.execute(text("SELECT count(*) FROM tenant"))
            other.execute("BEGIN IMMEDIATE")  # a read session holds no write lock
            other.execute("ROLLBACK")
    finally:
        other.close()
        database.close()


def test_database_urls() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u:pw@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.sqlite3").drivername == "sqlite"
    with pytest.raises(UnsupportedDatabase, match="use sqlite:///FILE or postgresql") as refused:
        normalise_url("mysql://root:hunter2@h/db")
    assert "hunter2" not in str(refused.value)
