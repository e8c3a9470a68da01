"""The database worker: results and errors on the GUI thread, an event loop that never stalls, progress
and cancel, and a server that goes away and comes back without the station restarting."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QThread, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text

from demo.plant import METER
from desktop.worker import Busy, Cancelled, DatabaseWorker, Offline, OutcomeUnknown, Progress, Settled
from models import production
from models.db import Database
from models.schema import Unit, UnitKind
from tests.desktop.pgproxy import PostgresProxy
from tests.support import SUPERVISOR, Plant


def test_results_and_errors_arrive_on_the_gui_thread(db: Database, qtbot: QtBot) -> None:
    worker = DatabaseWorker(db)
    seen: dict[str, object] = {}

    def work() -> int:
        seen["work"] = threading.current_thread()
        with db.engine.connect() as connection:
            return int(connection.execute(text("SELECT 41 + 1")).scalar_one())

    def done(value: int) -> None:
        seen["done"] = (value, QThread.currentThread())

    def fail() -> None:
        raise ValueError("no such lot")

    worker.submit(work, done, lambda error: seen.setdefault("unexpected", error))
    worker.submit(
        fail, lambda _: None, lambda error: seen.setdefault("error", (error, QThread.currentThread()))
    )
    qtbot.waitUntil(lambda: "done" in seen and "error" in seen, timeout=10_000)
    gui = QApplication.instance().thread()
    assert seen["work"] is not threading.main_thread()
    assert seen["done"] == (42, gui)
    error, thread = seen["error"]  # type: ignore[misc]
    assert isinstance(error, ValueError) and str(error) == "no such lot" and thread is gui
    assert "unexpected" not in seen
    worker.wait()


def test_a_write_announces_what_it_changed(db: Database, qtbot: QtBot) -> None:
    worker = DatabaseWorker(db)
    with qtbot.waitSignal(worker.changed, timeout=10_000) as changed:
        worker.submit(lambda: None, lambda _: None, lambda error: None, changes={"units", "events"})
    assert changed.args == [frozenset({"units", "events"})]
    worker.wait()


def test_the_event_loop_never_stalls_while_a_slow_operation_runs(db: Database, qtbot: QtBot) -> None:
    worker = DatabaseWorker(db)
    slow = (
        "SELECT pg_sleep(1.5)"
        if db.engine.dialect.name == "postgresql"
        else "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 8000000) "
        "SELECT count(*) FROM c"
    )
    clock = QElapsedTimer()
    gaps: list[int] = []
    ticker = QTimer()
    ticker.setInterval(10)

    def tick() -> None:
        gaps.append(clock.restart())

    ticker.timeout.connect(tick)
    finished: list[object] = []

    def work() -> object:
        started = time.monotonic()
        with db.engine.connect() as connection:
            connection.execute(text(slow)).all()
        return time.monotonic() - started

    clock.start()
    ticker.start()
    worker.submit(work, finished.append, finished.append)
    qtbot.waitUntil(lambda: bool(finished), timeout=60_000)
    ticker.stop()
    assert isinstance(finished[0], float) and finished[0] >= 0.5  # the work really was slow
    assert len(gaps) > 20
    assert max(gaps) <= 100, f"the event loop stalled {max(gaps)} ms"
    worker.wait()


def test_long_work_reports_progress_and_stops_when_cancelled(db: Database, qtbot: QtBot) -> None:
    worker = DatabaseWorker(db)
    batches_done: list[int] = []
    reported: list[tuple[int, int | None]] = []
    outcome: list[object] = []
    go_on = threading.Event()

    def export(progress: Progress) -> int:
        for batch in range(100):
            progress.check()
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1")).all()
            batches_done.append(batch)
            progress.report(batch + 1, 100)
            go_on.wait(5)  # the first batch waits for the cancel: the test does not race it
        return len(batches_done)

    task = worker.submit_long(
        export, outcome.append, outcome.append, on_progress=lambda done, total: reported.append((done, total))
    )
    qtbot.waitUntil(lambda: bool(reported), timeout=10_000)
    task.cancel()
    go_on.set()
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    assert isinstance(outcome[0], Cancelled)
    assert reported[0] == (1, 100)
    assert len(batches_done) == 1  # it stopped at the next batch, not at the end
    worker.wait()


def test_a_database_that_stops_and_starts_again(
    pg_plant: Plant, proxied: tuple[Database, PostgresProxy], qtbot: QtBot
) -> None:
    db, proxy = proxied
    worker = DatabaseWorker(db, probe_interval_ms=200)
    production.create_work_order(
        pg_plant.db, pg_plant.actor(SUPERVISOR), code="WO-NET", item_code=METER, quantity=5
    )

    def make_serial() -> object:
        return production.create_serials(db, pg_plant.actor(), work_order_code="WO-NET")

    made: list[object] = []
    worker.submit(make_serial, made.append, made.append, changes={"units"})
    qtbot.waitUntil(lambda: bool(made), timeout=10_000)
    assert not isinstance(made[0], Exception)

    with qtbot.waitSignal(worker.online_changed, timeout=10_000) as went:
        proxy.stop()
    assert went.args == [False] and not worker.online

    ran: list[bool] = []
    refused: list[Exception] = []

    def should_not_run() -> None:
        ran.append(True)

    worker.submit(should_not_run, lambda _: None, refused.append)
    qtbot.waitUntil(lambda: bool(refused), timeout=1_000)  # at once, not after a connection timeout
    assert isinstance(refused[0], Offline) and not ran

    with qtbot.waitSignal(worker.online_changed, timeout=10_000) as back:
        proxy.start()
    assert back.args == [True]

    made.clear()
    worker.submit(make_serial, made.append, made.append)
    qtbot.waitUntil(lambda: bool(made), timeout=10_000)
    assert not isinstance(made[0], Exception), made[0]
    assert _serials(pg_plant) == 2
    worker.wait()


def test_an_action_cut_off_during_commit_is_looked_up_not_guessed(
    pg_plant: Plant, proxied: tuple[Database, PostgresProxy], qtbot: QtBot
) -> None:
    db, proxy = proxied
    worker = DatabaseWorker(db, probe_interval_ms=200)
    production.create_work_order(
        pg_plant.db, pg_plant.actor(SUPERVISOR), code="WO-CUT", item_code=METER, quantity=5
    )
    actor = pg_plant.actor()
    outcome: list[object] = []
    proxy.cut_after_commit = True
    worker.submit(
        lambda: production.create_serials(db, actor, work_order_code="WO-CUT"),
        outcome.append,
        outcome.append,
        action_id=actor.action_id,
    )
    qtbot.waitUntil(lambda: bool(outcome), timeout=20_000)
    assert isinstance(outcome[0], OutcomeUnknown) and outcome[0].action_id == actor.action_id
    assert not worker.online
    assert _serials(pg_plant) == 1  # the COMMIT went through: the station just never heard so

    with qtbot.waitSignal(worker.settled, timeout=10_000) as settled:
        proxy.start()
    answer = settled.args[0]
    assert isinstance(answer, Settled)
    assert (answer.action_id, answer.recorded) == (actor.action_id, True)
    assert len(answer.result["codes"]) == 1
    qtbot.waitUntil(lambda: worker.online, timeout=5_000)
    worker.wait()


def _serials(plant: Plant) -> int:
    with plant.db.session() as session:
        return session.scalar(select(func.count(Unit.id)).where(Unit.kind == UnitKind.SERIAL)) or 0


def test_a_lock_held_elsewhere_is_busy_not_offline(pg_plant: Plant, qtbot: QtBot) -> None:
    """A station's session gives up on a lock after its lock_timeout: the answer is "busy, try
    again", and the station stays online (no settle, no red status) because the server answered."""
    url = pg_plant.db.engine.url
    station = Database.for_station(url, lock_timeout_ms=200)
    worker = DatabaseWorker(station)
    holder = pg_plant.db.engine.connect()
    try:
        with station.engine.connect() as connection:
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "200ms"
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "1min"
            assert connection.execute(text("SHOW tcp_user_timeout")).scalar() is not None
        held = holder.begin()
        holder.execute(text("SELECT id FROM site FOR UPDATE"))
        errors: list[Exception] = []

        def wait_for_the_lock() -> None:
            with station.engine.begin() as connection:
                connection.execute(text("SELECT id FROM site FOR UPDATE"))

        worker.submit(
            wait_for_the_lock, lambda _: None, errors.append, action_id="00000000-0000-4000-8000-000000000001"
        )
        qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
        assert isinstance(errors[0], Busy), errors[0]
        assert worker.online and not worker._unsettled
        held.rollback()
    finally:
        holder.close()
        worker.wait()
        station.dispose()


def test_an_embedded_station_database_takes_no_postgresql_options(tmp_path: Path) -> None:
    station = Database.for_station(f"sqlite:///{tmp_path / 'station.sqlite3'}")
    try:
        with station.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
    finally:
        station.dispose()
