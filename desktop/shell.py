"""The composition root of a station: builds the main window and hands each part what it needs.

It owns the database worker, the login session, the scanners, the sounds and the screens, and
routes every scan: to the login while nobody is logged in, to the station's screen after. Every
scan is answered on the banner with a sound: green when it counted, red with the reason when it
did not, at once and red while the database is unreachable ("not recorded"), amber while a
slow answer is on its way (never green before the database said so).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from desktop.config import StationConfig, documents_folder
from desktop.runner import StationRunner, WorkRunner
from desktop.scanner import KeyboardWedge, SerialScanner
from desktop.session import ActivityWatch, LoginSession
from desktop.sounds import Sounds
from desktop.worker import DatabaseWorker, Settled
from models.auth import Operator
from models.db import Database
from ui.login import LoginView
from ui.messages import idle_message, offline_message
from ui.overview import OverviewView
from ui.station_screen import StationScreen
from ui.station_window import StationWindow
from ui.widgets.feedback import Tone

log = logging.getLogger(__name__)
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# The key a wedge scanner presses after a code, for each suffix the config allows (config.SUFFIXES).
SUFFIX_KEYS: dict[str, tuple[Qt.Key, ...]] = {
    "\r": _ENTER,
    "\n": _ENTER,
    "\r\n": _ENTER,
    "\t": (Qt.Key.Key_Tab,),
    "": (),
}


def _screen_class(kind: str) -> type[StationScreen]:
    """The screen of a station kind (models.schema.StationKind), imported when needed; the plant
    overview until the kind is known."""
    if kind == "RECEIVING":
        from ui.receiving.view import ReceivingView

        return ReceivingView
    if kind == "PRODUCTION":
        from ui.production.view import ProductionView

        return ProductionView
    if kind == "PACKING":
        from ui.packing.view import PackingView

        return PackingView
    if kind == "SHIPPING":
        from ui.shipping.view import ShippingView

        return ShippingView
    if kind == "SUPERVISOR":
        from ui.supervisor.view import SupervisorView

        return SupervisorView
    return OverviewView


RECHECK_MS = 5_000  # a start-up check that failed for another cause than a lost server: asked again


@dataclass(frozen=True)
class StationCheck:
    """What the database says of this station at the start: where it is, or why it cannot work.

    `problem` is one of "schema" (params: current, head) or "station" (params: code); `detail` is
    the whole story for the log and for IT, in English."""

    line: str = ""  # the line's name in Chinese (its code when it has none)
    kind: str = ""
    problem: str | None = None
    params: tuple[str, ...] = ()
    detail: str = ""
    line_en: str = ""  # and in English
    zone: str = ""  # the plant's time zone (IANA name): every time on a screen is its wall clock


class EscapeClears(QObject):
    """Esc empties the banner before the screen handles it: what the screen answers to the Esc (or
    to a scan still in flight) is said afresh, and nothing of what was dropped stays on screen.

    Seen at the window stage only (an application filter sees a key at the window, the widget and
    its parents): one Esc, one clear."""

    def __init__(self, window: StationWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and watched is self.window.windowHandle()
        ):
            self.window.banner.clear()
        return False


@dataclass(frozen=True)
class StationPlace:
    """Where this station is, for its header."""

    code: str
    line: str
    kind: str = ""  # models.schema.StationKind: a SUPERVISOR station opens on the trace view


class StationShell(QObject):
    def __init__(
        self,
        app: QApplication,
        db: Database,
        config: StationConfig,
        place: StationPlace,
        *,
        switch_language: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.app = app
        self.db = db
        self.config = config
        self.switch_language = switch_language
        self.window = StationWindow(place.code, place.line, config.language)
        self.worker = DatabaseWorker(db, self.window)
        # The login asks on the same worker; its refusals are said on the login form, not the banner.
        self.session = LoginSession(
            db,
            WorkRunner(self.worker, self.window),
            idle_minutes=config.idle_lock_minutes,
            clock=clock,
            parent=self.window,
        )
        self.activity = ActivityWatch(self.session)
        app.installEventFilter(self.activity)
        self.escape = EscapeClears(self.window)
        app.installEventFilter(self.escape)
        scanner = config.scanner
        self.wedge = KeyboardWedge(
            self.window,
            gap_ms=scanner.gap_ms,
            prefix=scanner.prefix,
            suffix_keys=SUFFIX_KEYS[scanner.suffix],
        )
        self.wedge.install(app)
        self.serial: SerialScanner | None = None
        if scanner.serial_port:
            self.serial = SerialScanner(scanner.serial_port, self.window, baudrate=scanner.baud)
            self.serial.scanned.connect(self.scan)
            self.serial.start()
            app.aboutToQuit.connect(self.serial.stop)
        self.sounds = Sounds(self.window)
        # The runner's callables read the session and the window, never the shell: a reference to
        # the shell from an object the window owns would keep it alive in a cycle (see _changed).
        self.runner = StationRunner(
            db,
            self.worker,
            place.code,
            show=self.window.show_result,
            operator=functools.partial(getattr, self.session, "operator"),
            language=functools.partial(getattr, self.window, "language"),
            printer=config.printer_settings,
            documents=documents_folder,
            sounds=self.sounds,
            parent=self.window,
        )

        self.login = LoginView(place.code)
        self.home: StationScreen = self._make_home(place.kind)
        self._check: Callable[[], StationCheck] | None = None  # until the database has answered it
        self.unavailable: str | None = None  # why this station cannot work on this database
        self.window.add_screen(self.login)
        self.window.show_screen(self.login)
        self.window.set_operator(None)
        self.window.set_sound_available(self.sounds.available)

        self.wedge.scanned.connect(self.scan)
        self.login.login_requested.connect(self._login)
        self.session.changed.connect(self._session_changed)
        self.session.refused.connect(self._login_refused)
        self.worker.online_changed.connect(self._online_changed)
        self.worker.settled.connect(self._settled)
        self.worker.changed.connect(self._changed)
        self.sounds.available_changed.connect(self.window.set_sound_available)
        self.window.logout_requested.connect(self._logout)
        self.window.language_requested.connect(self._language_requested)

    def _make_home(self, kind: str) -> StationScreen:
        """The screen after login: the station's own screen for its kind."""
        home = _screen_class(kind)(self.runner)
        self.window.add_screen(home)
        return home

    def set_kind(self, kind: str) -> None:
        """The station's kind, once the database has said it: its home screen follows."""
        if type(self.home) is _screen_class(kind):
            return
        showing = self.window.screens.currentWidget() is self.home
        old, self.home = self.home, self._make_home(kind)
        self.window.screens.removeWidget(old)
        old.deleteLater()
        if showing:
            self.window.show_screen(self.home)
            self.home.activate()  # the kind came after the login: the screen's lists, the clock

    # --- scans -----------------------------------------------------------------------------------

    # --- the start ------------------------------------------------------------------------------

    def check_station(self, check: Callable[[], StationCheck]) -> None:
        """Ask the database on the worker whether this station can work on it (the schema, the
        station's code), ahead of anything the operator does. Without an answer (the database is
        down) the station stays on its login, says it is offline and refuses scans in red, and
        asks again by itself once the database answers: never a dialog, never a restart."""
        self._check = check
        self.runner.ask(check, self._checked, self._check_failed)

    def _checked(self, answer: StationCheck) -> None:
        self._check = None
        if answer.problem is not None:
            log.error("station %s cannot work here: %s", self.runner.station_code, answer.detail)
            self.unavailable = self._problem_text(answer)
            self.login.refused(self.unavailable)
            self._refused(self.unavailable)
            return
        self.unavailable = None
        self.window.set_line(answer.line, answer.line_en or answer.line)
        if answer.zone:
            self.window.set_zone(ZoneInfo(answer.zone))
        self.set_kind(answer.kind)

    def _check_failed(self, error: Exception) -> None:
        log.warning("station start-up check: %s", error, exc_info=error)  # the details are for the log
        if self.worker.online:  # not a server that went away (that waits for _online_changed)
            QTimer.singleShot(RECHECK_MS, self, self._recheck)

    def _recheck(self) -> None:
        if self._check is not None:
            self.check_station(self._check)

    def _problem_text(self, answer: StationCheck) -> str:
        if answer.problem == "schema":
            return self.tr(
                "This station cannot work on this database: its schema is {0}, this station needs {1}. "
                "IT upgrades it with tracestation-admin db upgrade."
            ).format(*answer.params)
        return self.tr(
            "The database has no active station {0}: IT sets this PC's station code (station.toml)."
        ).format(*answer.params)

    # --- scans -----------------------------------------------------------------------------------

    def scan(self, text: str) -> None:
        """Every scan of the station, from whichever scanner."""
        self.session.touch()
        if self.unavailable is not None:
            self._refused(self.unavailable)
            return
        if not self.worker.online:  # a badge too: nobody can log in until the database answers
            self._refused(offline_message())
            return
        if self.session.operator is None:
            self.login.scanned(text)
            return
        self.home.scanned(text)

    def _refused(self, message: str) -> None:
        self.window.show_result(Tone.ERROR, message)
        self.sounds.error()

    # --- login, status, language -------------------------------------------------------------

    def _session_changed(self, operator: Operator | None, why: str) -> None:
        self.window.set_operator(operator.name if operator else None)
        if operator is None:
            self.window.clear_feedback()  # the next person sees nothing of the last one's answers
            self.login.reset(idle_message(self.config.idle_lock_minutes) if why == "idle" else "")
            self.window.show_screen(self.login)
            return
        if self.switch_language is not None and operator.language != self.window.language:
            self.switch_language(operator.language)
            self._show_language(operator.language)
        self.window.show_screen(self.home)
        self.window.show_result(Tone.OK, self.tr("Welcome, {0}").format(operator.name))
        self.sounds.ok()
        self.home.activate()

    def _login(self, badge: str, pin: str) -> None:
        if self.unavailable is not None:
            self.login.refused(self.unavailable)
            self.sounds.error()
            return
        self.session.login(badge, pin)

    def _login_refused(self, error: Exception) -> None:
        # The runner's words: a refusal's sentence, "offline", or a fault named (details logged).
        self.login.refused(self.runner.message(error))
        self.sounds.error()

    def _online_changed(self, online: bool) -> None:
        self.window.set_online(online)
        if online:
            self.window.show_result(Tone.OK, self.tr("Database back online."))
            self._recheck()
            if self.session.operator is not None and isinstance(self.home, OverviewView):
                self.home.refresh()  # the station screens reload on F5 and after their actions
        else:
            self._refused(offline_message())

    def _settled(self, answer: Settled) -> None:
        if answer.recorded:
            self.window.show_result(Tone.OK, self.tr("The interrupted action was recorded."))
        else:
            self._refused(self.tr("The interrupted action was NOT recorded: scan it again."))

    def _language_requested(self, language: str) -> None:
        if self.switch_language is not None:
            self.switch_language(language)
        self._show_language(language)

    # Slots are methods, never lambdas over self: a lambda held by a connection keeps the shell
    # alive in a cycle the garbage collector only breaks at exit, where PySide then crashes.
    def _changed(self, changes: frozenset[str]) -> None:
        if self.session.operator is not None and isinstance(self.home, OverviewView):
            self.home.refresh()  # the station screens reload after their own actions

    def _logout(self) -> None:
        self.session.logout()

    def _show_language(self, language: str) -> None:
        """Texts follow Qt's LanguageChange; names chosen by language (items, customers) follow this."""
        self.window.set_language(language)
        self.home.language_switched()

    def close(self) -> None:
        """Stop what runs beside the event loop (application exit and tests)."""
        self.wedge.remove()
        self.app.removeEventFilter(self.activity)
        self.app.removeEventFilter(self.escape)
        if self.serial is not None:
            self.serial.stop()
        self.worker.wait()
