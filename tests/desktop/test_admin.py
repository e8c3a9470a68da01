"""`tracestation-admin db upgrade` and `demo seed` on a fresh SQLite file and a fresh PostgreSQL database."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.admin import main
from models.db import Database
from models.schema import Event, ShippedUnit, Unit, UnitStatus
from tests.support import Plant


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


def test_a_supervisor_unlocks_a_locked_badge_from_the_command_line(plant: Plant) -> None:
    from models.auth import MAX_WRONG_PINS, authenticate
    from models.errors import DomainError, ErrorCode

    for _ in range(MAX_WRONG_PINS):
        with pytest.raises(DomainError):
            authenticate(plant.db, "EMP1001", "0000")
    url = plant.db.engine.url.render_as_string(hide_password=False)
    admin = [sys.executable, "-m", "desktop.admin", "--url", url, "user", "unlock", "EMP1001"]

    def run(*extra: str, pin: str) -> subprocess.CompletedProcess[str]:
        # No terminal here: getpass reads the PIN from stdin, as it does under a service manager.
        return subprocess.run([*admin, *extra], input=f"{pin}\n", capture_output=True, text=True, timeout=60)

    operator_only = run("--supervisor", "EMP1002", pin="2345")
    assert operator_only.returncode == 2 and "ROLE_REQUIRED" in operator_only.stderr
    wrong = run("--supervisor", "EMP2001", pin="1111")
    assert wrong.returncode == 2 and "WRONG_PIN" in wrong.stderr
    with pytest.raises(DomainError) as still:
        authenticate(plant.db, "EMP1001", "1234")
    assert still.value.code is ErrorCode.USER_LOCKED

    done = run("--supervisor", "EMP2001", pin="2468")
    assert done.returncode == 0, done.stderr
    assert "EMP1001 unlocked by 王芳 Wang Fang" in done.stdout
    assert authenticate(plant.db, "EMP1001", "1234").badge_code == "EMP1001"
