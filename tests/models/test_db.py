"""The URL the domain connects with: it takes one (desktop.config decides which) and checks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.db import database_url, embedded_url, make_engine


def test_a_postgresql_url_gets_psycopg2() -> None:
    url = database_url("postgresql://ts@db.plant/trace")
    assert url.drivername == "postgresql+psycopg2"  # never SQLAlchemy 2.1's psycopg 3 default
    assert (url.host, url.database, url.username) == ("db.plant", "trace", "ts")


def test_embedded_sqlite_in_the_user_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = embedded_url()
    assert url.get_backend_name() == "sqlite"
    assert url.database is not None
    assert Path(url.database).parent.is_dir()
    assert Path(url.database).is_relative_to(tmp_path / "data")


def test_other_databases_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="PostgreSQL or SQLite"):
        database_url("mysql://root:secret@localhost/x")
    with pytest.raises(ValueError, match="PostgreSQL or SQLite") as refused:
        make_engine("mysql://root:secret@localhost/x")
    assert "secret" not in str(refused.value)  # an installer's screenshot must not leak a password
