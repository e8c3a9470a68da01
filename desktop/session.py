"""Who is at the station: login by badge and PIN, logout, operator switch, and the idle lock.

The PIN check runs on the database worker (argon2 and a database round trip: never on the GUI
thread); five wrong PINs lock the badge in the database (models.auth), so the lockout holds at
every station until a supervisor unlocks it. An unattended station locks itself after the
configured idle time: the operator's session ends and the next person must log in, so nobody books
work under a colleague who walked away. Activity is any key, click or scan; the time comes from an
injectable clock so tests need not wait fifteen minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from desktop.runner import WorkRunner
from models import auth
from models.auth import Operator
from models.db import Database

IDLE_CHECK_MS = 1_000


class LoginSession(QObject):
    """The logged-in operator, or None; `changed` says when that changes, and why."""

    changed = Signal(object, str)  # Operator | None, why: "login", "logout", "idle"
    refused = Signal(object)  # the DomainError (or Offline) of a login that did not work

    def __init__(
        self,
        db: Database,
        runner: WorkRunner,
        *,
        idle_minutes: int = 15,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.idle_seconds = idle_minutes * 60
        self.clock = clock
        self.operator: Operator | None = None
        self._last_activity = clock()
        self._busy = False
        self._idle_timer = QTimer(self)
        self._idle_timer.setInterval(IDLE_CHECK_MS)
        self._idle_timer.timeout.connect(self.check_idle)
        self._idle_timer.start()

    @property
    def busy(self) -> bool:
        """A PIN is being checked: a second Enter must not send it twice."""
        return self._busy

    def login(self, badge: str, pin: str) -> None:
        """Check badge and PIN off the GUI thread; `changed` or `refused` answers."""
        if self._busy:
            return
        self._busy = True
        db = self.db
        self.runner.ask(lambda: auth.authenticate(db, badge, pin), self._logged_in, self._refused)

    def _logged_in(self, operator: Operator) -> None:
        self._busy = False
        self.operator = operator
        self.touch()
        self.changed.emit(operator, "login")

    def _refused(self, error: Exception) -> None:
        self._busy = False
        self.refused.emit(error)

    def logout(self, why: str = "logout") -> None:
        if self.operator is None:
            return
        self.operator = None
        self.changed.emit(None, why)

    def touch(self) -> None:
        """The operator did something: the idle time starts again."""
        self._last_activity = self.clock()

    def check_idle(self) -> None:
        if self.operator is not None and self.clock() - self._last_activity >= self.idle_seconds:
            self.logout("idle")


class ActivityWatch(QObject):
    """An application event filter that tells the session about every key and click."""

    _ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin})

    def __init__(self, session: LoginSession) -> None:
        super().__init__(session)
        self.session = session

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._ACTIVITY:
            self.session.touch()
        return False
