"""Alembic environment: runs on the engine the application hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from mukta_desktop.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        raise RuntimeError("migrations are run by mukta_desktop.models.database.migrate")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
