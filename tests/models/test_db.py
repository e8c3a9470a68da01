"""Where a station finds its database: environment, then config file, then the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.db import ENV_DATABASE_URL, resolve_database_url


def test_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text('[database]\nurl = "sqlite:////elsewhere.sqlite3"\n', encoding="utf-8")
    url = resolve_database_url({ENV_DATABASE_URL: "postgresql://ts@db.plant/trace"}, config)
    assert url.drivername == "postgresql+psycopg2"  # never SQLAlchemy 2.1's psycopg 3 default
    assert (url.host, url.database, url.username) == ("db.plant", "trace", "ts")


def test_config_file_when_no_environment(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text('[database]\nurl = "postgresql+psycopg2://ts@db/trace"\n', encoding="utf-8")
    assert resolve_database_url({}, config).host == "db"


def test_embedded_sqlite_in_the_user_data_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = resolve_database_url({}, tmp_path / "missing.toml")
    assert url.get_backend_name() == "sqlite"
    assert Path(url.database).parent.is_dir()
    assert Path(url.database).is_relative_to(tmp_path / "data")


def test_other_databases_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PostgreSQL or SQLite"):
        resolve_database_url({ENV_DATABASE_URL: "mysql://root@localhost/x"}, tmp_path / "none.toml")


def test_a_malformed_config_section_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text('database = "sqlite:///x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="must be a table"):
        resolve_database_url({}, config)
