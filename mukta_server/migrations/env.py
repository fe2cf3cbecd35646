"""Alembic environment: runs on the engine `mukta_server.schema` hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from mukta_server.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        raise RuntimeError("migrations are run by `mukta-server init` (mukta_server.schema)")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite alters a table by copying it; batch mode does that for us.
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
