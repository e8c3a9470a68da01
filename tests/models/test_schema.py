"""The schema: one migration head, the same tables on both databases, an audit trail that only grows."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from demo.history import seed
from demo.plant import METER
from models import production
from models.db import Database
from models.errors import DomainError, ErrorCode
from models.migrate import alembic_config, current_revision, head_revision, require_head, upgrade
from models.schema import Base, Item
from tests.support import SUPERVISOR, Plant

AUDIT_TABLES = ("event", "event_unit", "link", "step_result", "inspection_result", "shipped_unit")


def test_migrations_have_a_single_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert heads == [head_revision()]


def test_migrated_database_matches_the_models(db: Database) -> None:
    """The migrations and the SQLAlchemy models describe the same schema, on each database."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def _shape(db: Database) -> dict[str, tuple[list[str], list[str], list[str], list[str]]]:
    inspector = inspect(db.engine)
    shape = {}
    for table in sorted(inspector.get_table_names()):
        shape[table] = (
            [column["name"] for column in inspector.get_columns(table)],
            # PostgreSQL also lists the index behind each unique constraint; SQLite does not.
            sorted(
                str(index["name"])
                for index in inspector.get_indexes(table)
                if not index.get("duplicates_constraint")
            ),
            sorted(str(key["name"]) for key in inspector.get_foreign_keys(table)),
            sorted(str(unique["name"]) for unique in inspector.get_unique_constraints(table)),
        )
    return shape


def test_sqlite_and_postgresql_get_the_same_tables_columns_indexes_and_keys(
    templates: dict[tuple[str, bool], str], postgres
) -> None:  # type: ignore[no-untyped-def]
    sqlite = Database.connect(f"sqlite:///{templates[('sqlite', False)]}")
    pg = Database.connect(postgres.url(templates[("postgresql", False)]))
    try:
        assert _shape(sqlite) == _shape(pg)
    finally:
        sqlite.dispose()
        pg.dispose()


def test_upgrade_twice_is_harmless(db: Database) -> None:
    assert upgrade(db) == (head_revision(), head_revision())
    assert current_revision(db) == head_revision()


def test_a_station_refuses_a_schema_not_at_head_and_names_the_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database.connect(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        with pytest.raises(DomainError) as refused:
            require_head(db)
        assert refused.value.code is ErrorCode.SCHEMA_NOT_AT_HEAD
        assert refused.value.params["command"] == "tracestation-admin db upgrade"
        assert refused.value.params["current"] is None
        upgrade(db)
        require_head(db)
    finally:
        db.dispose()


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        assert db.is_postgresql
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@pytest.fixture
def recorded(plant: Plant) -> Plant:
    """A plant with at least one row in each of event, event_unit and link."""
    production.create_work_order(plant.db, plant.actor(SUPERVISOR), code="WO-A", item_code=METER, quantity=2)
    production.create_serials(plant.db, plant.actor(), work_order_code="WO-A", count=1)
    return plant


@pytest.mark.parametrize("table", ["event", "event_unit", "link"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_audit_trail_refuses_update_and_delete(recorded: Plant, table: str, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), recorded.db.engine.begin() as connection:
        connection.execute(text(statement.format(table=table)))


def test_an_action_record_takes_its_result_once_and_is_never_deleted(recorded: Plant) -> None:
    with pytest.raises(DBAPIError, match="append-only"), recorded.db.engine.begin() as connection:
        connection.execute(text("UPDATE action SET result = NULL"))
    with pytest.raises(DBAPIError, match="append-only"), recorded.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM action"))


def test_postgresql_audit_trail_holds_against_truncate_and_replica_mode(pg_plant: Plant) -> None:
    seed(pg_plant.db)  # rows in every audit table: row triggers only fire on rows
    for table in (*AUDIT_TABLES, "action"):
        with pg_plant.db.engine.connect() as connection:
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0, table
        with pytest.raises(DBAPIError, match="append-only"), pg_plant.db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {table} CASCADE"))
        # A superuser session in replica mode skips ordinary triggers, not ENABLE ALWAYS ones.
        with pytest.raises(DBAPIError, match="append-only"), pg_plant.db.engine.begin() as connection:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(f"DELETE FROM {table}"))
    with pg_plant.db.engine.connect() as connection:
        triggers = connection.execute(
            text(
                "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
                "WHERE NOT tgisinternal ORDER BY 1, 2"
            )
        ).all()
    assert {row[0] for row in triggers} == {*AUDIT_TABLES, "action"}
    assert {row[2] for row in triggers} == {"A"}  # A = ENABLE ALWAYS


def test_constraint_names_follow_the_naming_convention(pg_db: Database) -> None:
    engine = create_engine(pg_db.engine.url)
    try:
        with engine.connect() as connection:
            names = connection.execute(
                text(
                    "SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                    "AND conrelid <> 'alembic_version'::regclass"
                )
            ).scalars()
            prefixes = {name.split("_")[0] for name in names}
            assert prefixes == {"pk", "fk", "uq", "ck"}
    finally:
        engine.dispose()


def test_an_items_gtin_is_stored_as_fourteen_digits_with_its_check_digit_verified() -> None:
    assert Item(gtin="4006381333931").gtin == "04006381333931"
    for wrong, code in (("4006381333932", ErrorCode.BAD_CHECK_DIGIT), ("40063813339", ErrorCode.BAD_GTIN)):
        with pytest.raises(DomainError) as refused:
            Item(gtin=wrong)
        assert refused.value.code is code
