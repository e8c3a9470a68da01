"""Test databases: real PostgreSQL and real SQLite, fresh for every test, dropped at the end.

Each run migrates two template databases per backend once (empty, and with the demo plant's master
data); every test gets its own copy (PostgreSQL: CREATE DATABASE ... TEMPLATE; SQLite: a file
copy), so tests never see each other's rows and the append-only triggers stay in force.
PostgreSQL must be reachable: a test run without it fails, it is never silently skipped.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from demo.plant import build_master_data
from models.db import Database
from models.migrate import upgrade
from tests.support import Plant

# Nothing of Qt here, nor in tests/support.py: tests/models and tests/printing run in an environment
# without PySide6 or pytest-qt (scripts/run-tests proves it). The screen and station folders load
# the station harness through their own conftest.py (pytest allows `pytest_plugins` only here).

PG_ADMIN_URL = os.environ.get(
    "TRACESTATION_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
RUN_ID = uuid.uuid4().hex[:8]
BACKENDS = ("sqlite", "postgresql")


class PostgresDatabases:
    """Creates and drops this run's databases through one admin connection."""

    def __init__(self) -> None:
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)
        try:
            with self.admin.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # re-raised as a clear failure
            pytest.exit(
                f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({error}). Run the tests with "
                "scripts/run-tests, which starts it, or set TRACESTATION_TEST_PG_URL.",
                returncode=3,
            )
        self.created: list[str] = []

    def url(self, name: str) -> str:
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        suffix = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        self.created.append(name)
        return self.url(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in reversed(list(self.created)):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


def _prepare(db: Database, with_plant: bool) -> None:
    upgrade(db)
    if with_plant:
        with db.session() as session, session.begin():
            build_master_data(session)
    db.dispose()


@pytest.fixture(scope="session")
def templates(
    postgres: PostgresDatabases, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, bool], str]:
    """(backend, with_plant) -> template database (PostgreSQL name or SQLite file path)."""
    made: dict[tuple[str, bool], str] = {}
    folder = tmp_path_factory.mktemp("templates")
    for with_plant in (False, True):
        name = f"ts_{RUN_ID}_tpl_{'plant' if with_plant else 'empty'}"
        _prepare(Database.connect(postgres.create(name)), with_plant)
        made[("postgresql", with_plant)] = name
        path = folder / f"{name}.sqlite3"
        _prepare(Database.connect(f"sqlite:///{path}"), with_plant)
        made[("sqlite", with_plant)] = str(path)
    return made


def _fresh_database(
    backend: str,
    with_plant: bool,
    templates: dict[tuple[str, bool], str],
    postgres: PostgresDatabases,
    tmp_path: Path,
) -> Iterator[Database]:
    template = templates[(backend, with_plant)]
    if backend == "postgresql":
        name = f"ts_{RUN_ID}_{uuid.uuid4().hex[:10]}"
        db = Database.connect(postgres.create(name, template=template))
        try:
            yield db
        finally:
            db.dispose()
            postgres.drop(name)
    else:
        path = tmp_path / "station.sqlite3"
        shutil.copyfile(template, path)
        db = Database.connect(f"sqlite:///{path}")
        try:
            yield db
        finally:
            db.dispose()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, templates, postgres, tmp_path: Path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """An empty database at head, on each backend."""
    yield from _fresh_database(request.param, False, templates, postgres, tmp_path)


@pytest.fixture
def pg_db(templates, postgres, tmp_path: Path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """An empty database at head, PostgreSQL only: for what only a shared server can show."""
    yield from _fresh_database("postgresql", False, templates, postgres, tmp_path)


@pytest.fixture(params=BACKENDS)
def plant(request: pytest.FixtureRequest, templates, postgres, tmp_path: Path) -> Iterator[Plant]:  # type: ignore[no-untyped-def]
    """A database with the demo plant's master data (no history), on each backend."""
    for db in _fresh_database(request.param, True, templates, postgres, tmp_path):
        yield Plant.load(db)


@pytest.fixture
def pg_plant(templates, postgres, tmp_path: Path) -> Iterator[Plant]:  # type: ignore[no-untyped-def]
    for db in _fresh_database("postgresql", True, templates, postgres, tmp_path):
        yield Plant.load(db)


@pytest.fixture(scope="session")
def pg_template_url(templates: dict[tuple[str, bool], str], postgres: PostgresDatabases):  # type: ignore[no-untyped-def]
    """Make a fresh PostgreSQL plant database for tests that spawn processes: (url, drop)."""

    def make() -> str:
        name = f"ts_{RUN_ID}_{uuid.uuid4().hex[:10]}"
        return postgres.create(name, template=templates[("postgresql", True)])

    return make


# --- The run's summary: how many tests ran on each database, and that none was skipped ----------

_BACKEND_FIXTURES = {"pg_db": "postgresql", "pg_plant": "postgresql", "postgres": "postgresql"}
_backend_of: dict[str, str] = {}
_outcomes: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec else {}
        backend = next((params[name] for name in ("db", "plant", "backend") if name in params), None)
        if backend is None:
            fixtures = getattr(item, "fixturenames", ())
            known = [_BACKEND_FIXTURES[name] for name in fixtures if name in _BACKEND_FIXTURES]
            backend = known[0] if known else "none"
        _backend_of[item.nodeid] = backend


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # A test's outcome is its call's, unless its setup or teardown failed or skipped it.
    first_word = _outcomes.get(report.nodeid) in (None, "passed")
    if first_word and (report.when == "call" or report.outcome != "passed"):
        _outcomes[report.nodeid] = report.outcome


def pytest_terminal_summary(terminalreporter, exitstatus: int) -> None:  # type: ignore[no-untyped-def]
    counts: dict[str, dict[str, int]] = {}
    for nodeid, outcome in _outcomes.items():
        per_backend = counts.setdefault(_backend_of.get(nodeid, "none"), {})
        per_backend[outcome] = per_backend.get(outcome, 0) + 1
    terminalreporter.section("tests per database")
    labels = {"postgresql": "PostgreSQL", "sqlite": "SQLite", "none": "other"}
    for backend in ("postgresql", "sqlite", "none"):
        tally = counts.get(backend, {})
        terminalreporter.write_line(
            f"{labels[backend]:>12}: {tally.get('passed', 0)} passed, {tally.get('failed', 0)} failed, "
            f"{tally.get('skipped', 0)} skipped"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test proves nothing: here a skip fails the run, it never stands in for a pass."""
    skipped = [nodeid for nodeid, outcome in _outcomes.items() if outcome == "skipped"]
    if skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
