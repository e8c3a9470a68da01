"""The station refuses an old schema or an unknown station; work on the worker reaches the GUI thread."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.app import _check, schema_problem
from desktop.worker import DatabaseWorker
from models.db import Database
from tests.support import Plant


def test_station_refuses_a_schema_not_at_head_and_names_the_upgrade_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database.connect(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        problem = schema_problem(db)
        assert problem is not None and "tracestation-admin db upgrade" in problem
    finally:
        db.dispose()


def test_station_starts_on_a_database_at_head(plant: Plant) -> None:
    assert schema_problem(plant.db) is None


def test_an_error_on_the_worker_reaches_the_gui_thread(qtbot: QtBot) -> None:
    worker = DatabaseWorker()
    errors: list[Exception] = []

    def fail() -> None:
        raise RuntimeError("database unreachable")

    worker.submit(fail, lambda _: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert str(errors[0]) == "database unreachable"


# The real start, in a process of its own: an application that has run and quit its event loop
# stops passing language changes on to its widgets, which would leak into the tests after this one.
STARTS = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(["tracestation"])
from desktop.app import main
from ui.station_window import StationWindow
seen = {}

def look():
    for window in app.topLevelWidgets():
        if isinstance(window, StationWindow) and window.isVisible() and "·" in window.station_label.text():
            if window.line:  # the checks on the worker have answered
                seen.update(title=window.windowTitle(), station=window.station_label.text(),
                            operator=window.operator_label.text(),
                            screen=type(window.screens.currentWidget()).__name__)
                app.quit()
                return
    QTimer.singleShot(20, look)

QTimer.singleShot(0, look)
status = main(["tracestation"])
print(json.dumps({"status": status, **seen}, ensure_ascii=False))
"""


def _start(tmp_path: Path, url: str, station: str) -> tuple[int, dict[str, object]]:
    config = tmp_path / "station.toml"
    config.write_text(f'version = 1\n[station]\ncode = "{station}"\nlanguage = "en_US"\n', encoding="utf-8")
    environment = {**os.environ, "TRACESTATION_CONFIG": str(config), "TRACESTATION_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-c", STARTS],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, json.loads(lines[-1]) if lines else {"stderr": done.stderr[-2000:]}


def test_the_station_starts_on_its_login_screen(plant: Plant, tmp_path: Path) -> None:
    url = plant.db.engine.url.render_as_string(hide_password=False)
    returncode, seen = _start(tmp_path, url, "PCK-01")
    assert returncode == 0, seen
    assert seen["status"] == 0 and seen["screen"] == "LoginView" and seen["operator"] == "Not logged in"
    assert "PCK-01" in str(seen["title"]) and "Line Meter assembly line" in str(seen["station"])


def test_a_station_the_database_does_not_know_is_refused_by_name(plant: Plant) -> None:
    checked = _check(plant.db, "NOPE-9")
    assert checked.problem == "station" and checked.params == ("NOPE-9",) and "'NOPE-9'" in checked.detail
    assert _check(plant.db, "PRD-01").problem is None


CANNOT_START = """
import json
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel
app = QApplication(["tracestation"])
from desktop.app import main
seen = {}

def look():
    shown = [w for w in app.topLevelWidgets() if w.isVisible()]
    for window in shown:
        if isinstance(window, QLabel) and window.objectName() == "cannotStart":
            seen.update(text=window.text(), dialogs=sum(isinstance(w, QDialog) for w in shown))
            window.close()
            return
    QTimer.singleShot(20, look)

QTimer.singleShot(0, look)
status = main(["tracestation"])
print(json.dumps({"status": status, **seen}, ensure_ascii=False))
"""


def test_a_config_that_cannot_work_is_said_in_a_plain_window_not_a_modal_box(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text("version = 1\n[station]\nidle_lock_minutes = 0\n", encoding="utf-8")
    environment = {**os.environ, "TRACESTATION_CONFIG": str(config)}
    environment.pop("TRACESTATION_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", CANNOT_START],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    seen = json.loads(lines[-1]) if lines else {"stderr": done.stderr[-2000:]}
    assert seen.get("status") == 2, seen
    assert "idle_lock_minutes" in str(seen["text"]) and seen["dialogs"] == 0
    assert "idle_lock_minutes" in done.stderr
