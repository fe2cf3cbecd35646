"""An approved MB never changes: the services refuse, the database triggers refuse a direct
UPDATE/DELETE/INSERT, and `verify` finds a change made behind the app's back."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from estimate_support import JE, TODAY
from mb_support import MB_EE, D, approve_mb, awarded, new_mb

from mukta_desktop.domain.dates import INDIA
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo_photos import draw_site_photo
from mukta_desktop.services.mb_verify import verify_records
from mukta_desktop.services.measurement_books import (
    act_mb,
    add_photo,
    get_mb,
    remove_photo,
    save_mb,
)

REFUSAL = "An approved Measurement Book never changes."


@pytest.fixture
def approved(db: Database, tmp_path: Path) -> tuple[Database, str]:
    order = awarded(db)
    mb = new_mb(db, order, "5")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(
        draw_site_photo(
            1,
            taken_at=datetime(2026, 7, 2, 9, 30, tzinfo=INDIA),
            latitude=D("20.658741"),
            longitude=D("85.598512"),
            size=(320, 240),
        )
    )
    add_photo(db, JE, mb.number, photo)
    approve_mb(db, mb.number)
    return db, mb.number


def test_services_refuse_every_change(approved: tuple[Database, str], tmp_path: Path) -> None:
    db, number = approved
    view = get_mb(db, number, viewer=JE)
    assert view.editable is False
    assert view.allowed_actions == ()
    with pytest.raises(ValidationError, match="never changes"):
        save_mb(db, JE, number, view.draft, today=TODAY)
    with pytest.raises(ValidationError, match="never changes"):
        add_photo(db, JE, number, tmp_path / "site.jpg")
    with pytest.raises(ValidationError, match="never changes"):
        remove_photo(db, JE, number, view.photos[0].id)
    for action in Action:
        with pytest.raises(ValidationError, match="nothing: it is final"):
            act_mb(db, MB_EE, number, action, comment="again")
    assert get_mb(db, number).content_hash == view.content_hash


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE measurement_book SET total = '1.00'",
        "UPDATE measurement_book SET status = 'DRAFTED'",
        "DELETE FROM measurement_book",
        "UPDATE mb_line SET quantity = '9.0000'",
        "DELETE FROM mb_line",
        "UPDATE mb_row SET length = '9'",
        "DELETE FROM mb_row",
        "INSERT INTO mb_row (id, line_id, position, kind, name) "
        "SELECT 'x', id, 99, 'PLUS', 'extra' FROM mb_line",
        "INSERT OR REPLACE INTO mb_row (id, line_id, position, kind, name) "
        "SELECT id, line_id, position, kind, 'replaced' FROM mb_row",
        "INSERT OR REPLACE INTO measurement_book SELECT * FROM measurement_book",
        "REPLACE INTO mb_line SELECT * FROM mb_line",
        "REPLACE INTO mb_photo SELECT * FROM mb_photo",
        "UPDATE mb_photo SET latitude = '0'",
        "DELETE FROM mb_photo",
        "INSERT INTO mb_photo (id, mb_id, position, sha256, media_type, width, height, "
        "stored_bytes, original_sha256, original_name, original_bytes, thumbnail, added_by, "
        "added_at) SELECT 'y', id, 9, 'ab', 'image/png', 1, 1, 1, 'cd', 'x.png', 1, x'00', "
        "'je', '2026-01-01' FROM measurement_book",
    ],
)
def test_database_refuses_direct_sql(approved: tuple[Database, str], statement: str) -> None:
    db, _number = approved
    with (
        sqlite3.connect(db.path) as connection,
        pytest.raises(sqlite3.IntegrityError, match=REFUSAL),
    ):
        connection.execute(statement)


def test_verify_passes_then_finds_a_changed_quantity(approved: tuple[Database, str]) -> None:
    db, number = approved
    report = verify_records(db)
    assert report.ok
    assert report.measurement_books == 1
    assert report.photos == 1
    # Behind the app's back: drop the guard and edit the file.
    with sqlite3.connect(db.path) as connection:
        connection.execute("DROP TRIGGER mb_row_approved_no_update")
        connection.execute("UPDATE mb_row SET number = '6'")
    problems = verify_records(db).problems
    assert len(problems) == 1
    assert number in problems[0]
    assert "changed after approval" in problems[0]


def test_verify_finds_a_changed_photo_file(approved: tuple[Database, str]) -> None:
    db, number = approved
    photo = get_mb(db, number).photos[0]
    data = bytearray(photo.path.read_bytes())
    data[-10] ^= 0xFF
    photo.path.write_bytes(bytes(data))
    problems = verify_records(db).problems
    assert len(problems) == 1
    assert number in problems[0]
    assert "site.jpg" in problems[0]
    assert "was changed" in problems[0]
    photo.path.unlink()
    assert "is missing" in verify_records(db).problems[0]


def test_verify_finds_a_broken_chain(db: Database) -> None:
    order = awarded(db)
    approve_mb(db, new_mb(db, order, "1").number)
    second = approve_mb(db, new_mb(db, order, "1").number)
    with sqlite3.connect(db.path) as connection:
        connection.execute("DROP TRIGGER measurement_book_approved_no_update")
        connection.execute(
            "UPDATE measurement_book SET previous_hash = ? WHERE number = ?",
            ("0" * 64, second.number),
        )
    problems = verify_records(db).problems
    assert any("chain is broken" in p and second.number in p for p in problems)


def test_timeline_is_append_only(approved: tuple[Database, str]) -> None:
    db, _number = approved
    with sqlite3.connect(db.path) as connection:
        for statement in (
            "UPDATE workflow_event SET comment = 'rewritten'",
            "DELETE FROM workflow_event",
            "REPLACE INTO workflow_event SELECT * FROM workflow_event",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="never changed"):
                connection.execute(statement)


def test_verify_finds_an_approved_mb_no_longer_approved(approved: tuple[Database, str]) -> None:
    """The last MB of a chain turned back to a draft (or deleted) behind the app's back."""
    db, number = approved
    with sqlite3.connect(db.path) as connection:
        connection.execute("DROP TRIGGER measurement_book_approved_no_update")
        connection.execute("UPDATE measurement_book SET status = 'DRAFTED'")
    problems = verify_records(db).problems
    assert len(problems) == 1
    assert f"MB {number} was approved on" in problems[0]
    assert "is now Drafted" in problems[0]


def test_approved_by_is_in_the_hashed_record(approved: tuple[Database, str]) -> None:
    from mukta_desktop.services.measurement_books import find_mb, mb_document

    db, number = approved
    with db.read() as session:
        document = mb_document(session, find_mb(session, number))
    assert document["approved_by"] == MB_EE.login
    assert document["lines"][0]["quantity"] == "5.0000"
    assert document["total"] == "25130.70"
