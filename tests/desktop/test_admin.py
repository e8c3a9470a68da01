"""`tracestation-admin db upgrade` and `demo seed` on a fresh SQLite file and a fresh PostgreSQL database."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.admin import main
from models.db import Database
from models.schema import Event, ShippedUnit, Unit, UnitStatus


def _fresh_url(backend: str, tmp_path: Path, postgres) -> str:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return postgres.create(f"ts_admin_{uuid.uuid4().hex[:10]}")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_then_seed_on_a_fresh_database_twice_each(
    backend: str, tmp_path: Path, postgres, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    url = _fresh_url(backend, tmp_path, postgres)
    assert main(["--url", url, "db", "current"]) == 1
    assert main(["--url", url, "db", "upgrade"]) == 0
    assert main(["--url", url, "db", "upgrade"]) == 0
    assert main(["--url", url, "db", "current"]) == 0
    assert main(["--url", url, "demo", "seed"]) == 0
    db = Database.connect(url)
    try:
        with db.session() as session:
            events = session.scalar(select(func.count(Event.id)))
            shipped = session.scalar(select(func.count(ShippedUnit.id)))
            held = session.scalar(select(func.count(Unit.id)).where(Unit.status == UnitStatus.ON_HOLD))
        assert events > 100 and shipped > 0 and held == 1
        assert main(["--url", url, "demo", "seed"]) == 0  # replays: nothing new
        with db.session() as session:
            assert session.scalar(select(func.count(Event.id))) == events
    finally:
        db.dispose()
    output = capsys.readouterr().out
    assert "demo plant ready" in output and "on hold" in output


def test_seed_refuses_a_database_not_at_head(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert main(["--url", url, "demo", "seed"]) == 2
    assert "tracestation-admin db upgrade" in capsys.readouterr().err
