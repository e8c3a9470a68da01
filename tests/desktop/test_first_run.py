"""What the first-run dialog's answers make of station.toml: the environment's database URL is
never written into the file (README: the environment overrides, and is never saved)."""

from __future__ import annotations

from pathlib import Path

from desktop.config import load, load_file, save
from desktop.first_run import to_save
from ui.setup_dialog import SetupChoice

CHOICE = SetupChoice(
    station_code="PCK-01",
    new_station=None,
    database_url="postgresql+psycopg2://env:secret@db.other/trace",
    printer={"driver": "preview"},
    language="en_US",
)


def test_a_url_the_environment_set_is_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    environ = {"TRACESTATION_CONFIG": str(path), "TRACESTATION_DATABASE_URL": CHOICE.database_url or ""}
    effective = load(path, environ)
    assert "database_url" in effective.overrides

    saved = save(to_save(load_file(path), CHOICE, effective.overrides), path)
    assert load_file(saved).database_url is None  # the file says nothing of the environment's URL
    assert "secret" not in saved.read_text(encoding="utf-8")
    assert load_file(saved).station_code == "PCK-01"


def test_a_url_chosen_in_the_dialog_is_saved(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    saved = save(to_save(load_file(path), CHOICE, frozenset()), path)
    assert load_file(saved).database_url == CHOICE.database_url
