"""Schema versions: bring a database to head, and refuse to run a station against an older one."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from models.db import Database
from models.errors import DomainError, ErrorCode

MIGRATIONS = Path(__file__).with_name("migrations")
UPGRADE_COMMAND = "tracestation-admin db upgrade"


def alembic_config(db: Database | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if db is not None:
        config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False))
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have a single head, found {heads}")
    return heads[0]


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(db: Database) -> tuple[str | None, str]:
    """Bring the database to head; harmless when it is there already. Returns (before, after)."""
    before = current_revision(db)
    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, current_revision(db) or ""


def require_head(db: Database) -> None:
    """A station must not write into a schema it does not know: say which command fixes it."""
    current, head = current_revision(db), head_revision()
    if current != head:
        raise DomainError(ErrorCode.SCHEMA_NOT_AT_HEAD, current=current, head=head, command=UPGRADE_COMMAND)
