"""The desktop database: schema by Alembic at start-up, SQLite settings, backups."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from mukta_desktop.models import AppSetting, Base, Sor, SorRate
from mukta_desktop.models import database as dbmod
from mukta_desktop.models.database import (
    DB_FILENAME,
    alembic_config,
    backup_database,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    newest_script_revision,
)
from mukta_desktop.services.database import Database, open_database

# The newest revision in the migrations folder (a test below checks it is Alembic's head).
HEAD = newest_script_revision()
TABLES = {
    "alembic_version", "app_setting", "app_user", "counter", "overhead", "rate_analysis",
    "rate_analysis_charge", "rate_analysis_line", "sor", "sor_rate", "sor_sub_type",
    "sor_type", "tenant", "unit", "unit_alias", "variant",
    "project", "estimate", "estimate_line", "measurement_row", "estimate_overhead",
    "estimate_template", "workflow_event",
    "work_order", "measurement_book", "mb_line", "mb_row", "mb_photo",
    "sync_state", "outbox_operation", "synced_record", "uploaded_photo", "pulled_change",
    "number_block",
}


def table_names(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        connection.close()


def test_open_creates_schema_at_head(data_dir: Path) -> None:
    assert not data_dir.exists()
    database = open_database(data_dir)
    try:
        assert database.path == data_dir / DB_FILENAME
        assert database.path.is_file()
        assert current_revision(database.engine) == HEAD
        assert head_revision(database.engine) == HEAD
        assert set(inspect(database.engine).get_table_names()) == TABLES
        assert database.backup is None  # a new database has nothing to back up
        assert not (data_dir / "backups").exists()
        with database.read() as session:  # masters loaded
            assert session.connection().exec_driver_sql(
                "SELECT count(*) FROM sor_type").scalar() == 4
    finally:
        database.close()


def test_connection_pragmas(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.unit_of_work() as session:
        session.add(SorRate(id="r1", sor_id="no-such-sor", tenant_code="od",
                            effective_from=date(2026, 1, 1), material=Decimal("1"),
                            labour=Decimal("0"), machinery=Decimal("0"),
                            conveyance=Decimal("0"), royalty=Decimal("0"), dmf=Decimal("0"),
                            emf=Decimal("0"), additional=Decimal("0"),
                            labour_cess=Decimal("0"), total=Decimal("1"), source="MANUAL",
                            created_by="t"))


def test_orm_and_migrations_agree(db: Database) -> None:
    """What `alembic check` does: autogenerate finds nothing to change."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrations_run_down_and_up(db: Database) -> None:
    config = alembic_config(db.engine)
    command.downgrade(config, "base")
    assert current_revision(db.engine) is None
    assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    assert current_revision(db.engine) == HEAD
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_decimals_stored_as_exact_text(db: Database) -> None:
    with db.unit_of_work() as session:
        session.add(AppSetting(key="k", value="v"))
        session.add(Sor(id="s1", code="X1", type_code="M", sub_type_code="NA1",
                        variant_code="NA", uom_code="CUM", rate_quantity=Decimal("0.1000"),
                        description="d", search_text="x1 d"))
    with db.read() as session:
        raw = session.connection().exec_driver_sql(
            "SELECT rate_quantity, typeof(rate_quantity) FROM sor").one()
        assert tuple(raw) == ("0.1000", "text")
        value = session.scalars(select(Sor.rate_quantity)).one()
        assert isinstance(value, Decimal)
        assert str(value) == "0.1000"


def test_second_open_at_head_makes_no_backup(data_dir: Path) -> None:
    open_database(data_dir).close()
    again = open_database(data_dir)
    try:
        assert again.backup is None
        assert migrate(again.engine, again.path) is None
        assert not (data_dir / "backups").exists()
    finally:
        again.close()


NEXT_REVISION = '''"""a later revision, for the test

Revision ID: 9999
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("test_later", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("test_later")
'''


def test_older_database_is_backed_up_before_migration(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database made by this version, with data in it ...
    database = open_database(data_dir)
    with database.unit_of_work() as session:
        session.add(AppSetting(key="mark", value="before upgrade"))
    database.close()
    # ... opened by a later version whose migrations have one more revision.
    later = tmp_path / "later-migrations"
    shutil.copytree(dbmod.MIGRATIONS_DIR, later, ignore=shutil.ignore_patterns("__pycache__"))
    (later / "versions" / "9999_later.py").write_text(NEXT_REVISION.format(head=HEAD), "utf-8")
    monkeypatch.setattr(dbmod, "MIGRATIONS_DIR", later)

    upgraded = open_database(data_dir)
    try:
        assert current_revision(upgraded.engine) == "9999"
        backup = upgraded.backup
        assert backup is not None
        assert backup.parent == data_dir / "backups"
        assert backup.name.startswith("mukta-")
        assert backup.name.endswith(f"-before-migration-{HEAD}.sqlite3")
        assert list((data_dir / "backups").iterdir()) == [backup]
        # the backup is the database as it was: old revision, data, no new table
        copy = sqlite3.connect(backup)
        try:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [
                (HEAD,)]
            assert copy.execute("SELECT value FROM app_setting WHERE key = 'mark'").fetchall(
            ) == [("before upgrade",)]
        finally:
            copy.close()
        assert "test_later" not in table_names(backup)
        assert "test_later" in table_names(upgraded.path)
        with upgraded.read() as session:
            assert session.get_one(AppSetting, "mark").value == "before upgrade"
    finally:
        upgraded.close()


def test_migrate_a_new_file_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    engine = make_engine(path)
    try:
        assert current_revision(engine) is None
        assert migrate(engine, path) is None
        assert current_revision(engine) == HEAD
        assert not (tmp_path / "backups").exists()
        assert migrate(engine, path) is None  # at head: nothing to do
    finally:
        engine.dispose()


def test_backup_database_copies_committed_data_in_the_wal(db: Database) -> None:
    with db.unit_of_work() as session:
        session.add(AppSetting(key="fresh", value="only in the WAL so far"))
    backup = backup_database(db.engine, db.path, reason="manual")
    assert backup.parent == db.path.parent / "backups"
    assert backup.name.endswith("-manual.sqlite3")
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("SELECT value FROM app_setting WHERE key = 'fresh'").fetchall() == [
            ("only in the WAL so far",)]
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        copy.close()
    # the live database is untouched and still usable
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM app_setting")).scalar() == 1


def test_database_from_a_newer_version_is_refused_untouched(data_dir):
    """A schema revision this version does not know: refused in plain words, no backup."""
    import sqlite3

    from mukta_desktop.domain.errors import DomainError
    from mukta_desktop.services.database import open_database

    open_database(data_dir).close()
    db_file = data_dir / "mukta.sqlite3"
    with sqlite3.connect(db_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    with pytest.raises(DomainError, match="newer version of MUKTA Desktop"):
        open_database(data_dir)
    assert not (data_dir / "backups").exists()
    with sqlite3.connect(db_file) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "f00dfeed9999",
        )


def test_file_naming_gives_the_alembic_head(db):
    """The start-up fast path reads the head from file names; it must agree with Alembic."""
    from mukta_desktop.models.database import head_revision, newest_script_revision

    assert newest_script_revision() == head_revision(db.engine)
