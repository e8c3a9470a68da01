"""Login at a station: badge scan, PIN, Enter; five wrong PINs lock the badge; an unattended
station locks itself. Real widgets, the real database on both backends, a controllable clock."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.runner import WorkRunner
from desktop.session import ActivityWatch, LoginSession
from desktop.worker import DatabaseWorker, Offline
from models.auth import MAX_WRONG_PINS, authenticate, unlock
from models.errors import DomainError, ErrorCode
from tests.support import OPERATOR, SUPERVISOR, Plant
from ui.login import LoginView
from ui.messages import domain_message, idle_message, offline_message


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def station(plant: Plant, qtbot: QtBot, clock: Clock) -> tuple[LoginView, LoginSession, DatabaseWorker]:
    view = LoginView("PRD-01")
    qtbot.addWidget(view)
    # Owned by the view, as the application's window owns them: destroyed with it, in order.
    worker = DatabaseWorker(plant.db, view)
    session = LoginSession(plant.db, WorkRunner(worker), idle_minutes=15, clock=clock, parent=view)

    def refused(error: Exception) -> None:
        if isinstance(error, DomainError):
            view.refused(domain_message(error))
        elif isinstance(error, Offline):
            view.refused(offline_message())

    view.login_requested.connect(session.login)
    session.refused.connect(refused)
    session.changed.connect(lambda operator, why: view.reset(idle_message(15) if why == "idle" else ""))
    view.show()
    qtbot.waitExposed(view)
    return view, session, worker


def log_in(qtbot: QtBot, view: LoginView, session: LoginSession, badge: str, pin: str) -> None:
    view.scanned(badge)
    assert view.focusWidget() is view.pin
    qtbot.keyClicks(view.pin, pin)
    qtbot.keyClick(view.pin, Qt.Key.Key_Return)


def test_badge_scan_pin_and_enter_log_the_operator_in(plant: Plant, qtbot: QtBot) -> None:
    view, session, worker = station(plant, qtbot, Clock())
    with qtbot.waitSignal(session.changed, timeout=10_000) as changed:
        log_in(qtbot, view, session, OPERATOR, "1234")
    operator, why = changed.args
    assert why == "login" and operator.badge_code == OPERATOR and session.operator == operator
    worker.wait()


def test_five_wrong_pins_lock_the_badge_until_a_supervisor_unlocks_it(plant: Plant, qtbot: QtBot) -> None:
    view, session, worker = station(plant, qtbot, Clock())
    for attempt in range(1, MAX_WRONG_PINS + 1):
        with qtbot.waitSignal(session.refused, timeout=10_000) as refused:
            log_in(qtbot, view, session, OPERATOR, "0000")
        code = refused.args[0].code
        assert code is (ErrorCode.WRONG_PIN if attempt < MAX_WRONG_PINS else ErrorCode.USER_LOCKED)
    assert "supervisor must unlock" in view.message.text()
    assert view.pin.text() == "" and view.focusWidget() is view.pin  # ready for the next try, PIN never kept

    with qtbot.waitSignal(session.refused, timeout=10_000) as still:
        log_in(qtbot, view, session, OPERATOR, "1234")  # the right PIN no longer opens a locked badge
    assert still.args[0].code is ErrorCode.USER_LOCKED
    assert session.operator is None

    unlock(plant.db, authenticate(plant.db, SUPERVISOR, "2468"), OPERATOR)
    with qtbot.waitSignal(session.changed, timeout=10_000):
        log_in(qtbot, view, session, OPERATOR, "1234")
    assert session.operator is not None
    worker.wait()


def test_an_unattended_station_locks_itself_and_activity_keeps_it_open(plant: Plant, qtbot: QtBot) -> None:
    clock = Clock()
    view, session, worker = station(plant, qtbot, clock)
    watch = ActivityWatch(session)
    QApplication.instance().installEventFilter(watch)
    try:
        with qtbot.waitSignal(session.changed, timeout=10_000):
            log_in(qtbot, view, session, OPERATOR, "1234")
        clock.now += 14 * 60
        QApplication.sendEvent(
            view.badge, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
        )
        clock.now += 14 * 60  # 28 minutes since login, but only 14 since the last key
        session.check_idle()
        assert session.operator is not None
        clock.now += 60
        with qtbot.waitSignal(session.changed, timeout=5_000) as locked:
            session.check_idle()
        assert locked.args == [None, "idle"]
        assert view.message.text() == idle_message(15) and view.badge.text() == ""
    finally:
        QApplication.instance().removeEventFilter(watch)
    worker.wait()


def test_a_login_while_the_database_is_down_says_so(plant: Plant, qtbot: QtBot) -> None:
    view, session, worker = station(plant, qtbot, Clock())
    worker._set_online(False)  # as the probe would after the server went away
    with qtbot.waitSignal(session.refused, timeout=5_000) as refused:
        log_in(qtbot, view, session, OPERATOR, "1234")
    assert isinstance(refused.args[0], Offline)
    assert view.message.text() == offline_message()
    worker.wait()
