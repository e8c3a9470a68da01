"""Fixtures the station tests share, the station harness among them.

The harness is imported here rather than declared in the root conftest.py, so that tests/models
and tests/printing never import Qt, pytest-qt or the screens (they also run without PySide6;
scripts/run-tests).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models.db import Database
from tests.desktop.pgproxy import PostgresProxy
from tests.station_harness import station  # noqa: F401  (a fixture: pytest finds it by name)
from tests.support import Plant


@pytest.fixture
def proxied(pg_plant: Plant) -> Iterator[tuple[Database, PostgresProxy]]:
    """The station's own connection to the plant database, through a line the test can cut."""
    url = pg_plant.db.engine.url
    proxy = PostgresProxy((url.host or "127.0.0.1", url.port or 5432))
    db = Database.connect(url.set(host="127.0.0.1", port=proxy.port))
    yield db, proxy
    db.dispose()
    proxy.stop()
