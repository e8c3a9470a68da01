"""Alembic environment: runs on the connection or the URL handed over by models.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from models.db import make_engine
from models.schema import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:  # the domain takes a URL; it never looks for the station's config itself
        raise SystemExit("TraceStation migrations need a database: use `tracestation-admin db upgrade`.")
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("TraceStation migrations run online only: use `tracestation-admin db upgrade`.")
run_migrations_online()
