"""The station refuses an old schema; the overview loads off the GUI thread and shows the plant."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.app import schema_problem
from desktop.worker import DatabaseWorker
from models.db import Database
from models.demo import seed
from models.overview import plant_overview
from models.schema import Unit
from tests.support import Plant
from ui.overview import OverviewView


def test_station_refuses_a_schema_not_at_head_and_names_the_upgrade_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database.connect(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        problem = schema_problem(db)
        assert problem is not None and "tracestation-admin db upgrade" in problem
    finally:
        db.dispose()


def test_station_starts_on_a_database_at_head(plant: Plant) -> None:
    assert schema_problem(plant.db) is None


def test_overview_loads_on_the_worker_and_shows_on_the_gui_thread(plant: Plant, qtbot: QtBot) -> None:
    seed(plant.db)
    view = OverviewView()
    qtbot.addWidget(view)
    worker = DatabaseWorker()
    threads: dict[str, object] = {}

    def load():  # type: ignore[no-untyped-def]
        threads["load"] = threading.current_thread()
        return plant_overview(plant.db)

    def shown(overview) -> None:  # type: ignore[no-untyped-def]
        threads["shown"] = QThread.currentThread()
        view.show_overview(overview)

    worker.submit(load, shown, lambda error: view.show_error(str(error)))
    qtbot.waitUntil(lambda: "shown" in threads, timeout=10_000)
    assert threads["load"] is not threading.main_thread()
    assert threads["shown"] is QApplication.instance().thread()
    with plant.db.session() as session:
        total = session.scalar(select(func.count(Unit.id)))
    shown_total = sum(int(view.units.item(row, 2).text()) for row in range(view.units.rowCount()))
    assert shown_total == total
    assert view.recent.rowCount() == 50
    worker.wait()


def test_an_error_on_the_worker_reaches_the_gui_thread(qtbot: QtBot) -> None:
    worker = DatabaseWorker()
    errors: list[Exception] = []

    def fail() -> None:
        raise RuntimeError("database unreachable")

    worker.submit(fail, lambda _: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert str(errors[0]) == "database unreachable"
