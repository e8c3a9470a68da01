"""The composition root of a station: builds the main window and hands each part what it needs.

It owns the database worker, the login session, the scanners, the sounds and the screens, and
routes every scan: to the login while nobody is logged in, to the station's screen after. Every
scan is answered on the banner with a sound: green when it counted, red with the reason when it
did not, at once and red while the database is unreachable ("not recorded"), amber while a
slow answer is on its way (never green before the database said so).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication

from desktop.config import StationConfig, documents_folder
from desktop.runner import StationRunner
from desktop.scanner import KeyboardWedge, SerialScanner
from desktop.session import ActivityWatch, LoginSession
from desktop.sounds import Sounds
from desktop.supervisor import SupervisorDesk
from desktop.worker import DatabaseWorker, Offline, Settled
from models.auth import Operator
from models.db import Database
from models.errors import DomainError
from models.overview import Overview, plant_overview
from models.resolve import Resolved, Target, resolve
from ui.login import LoginView
from ui.messages import domain_message, idle_message, offline_message
from ui.overview import OverviewView
from ui.station_screen import StationScreen
from ui.station_window import StationWindow
from ui.supervisor.view import SupervisorView
from ui.widgets.feedback import Tone

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# The key a wedge scanner presses after a code, for each suffix the config allows (config.SUFFIXES).
SUFFIX_KEYS: dict[str, tuple[Qt.Key, ...]] = {
    "\r": _ENTER,
    "\n": _ENTER,
    "\r\n": _ENTER,
    "\t": (Qt.Key.Key_Tab,),
    "": (),
}


Home = OverviewView | SupervisorView | StationScreen


def _screen_class(kind: str) -> type[StationScreen] | None:
    """The operator screen of a station kind (models.schema.StationKind), imported when needed."""
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
    return None


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
        self.session = LoginSession(
            db, self.worker, idle_minutes=config.idle_lock_minutes, clock=clock, parent=self.window
        )
        self.activity = ActivityWatch(self.session)
        app.installEventFilter(self.activity)
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
        self.desk: SupervisorDesk | None = None
        self.home: Home = self._make_home(place.kind)
        self.window.add_screen(self.login)
        self.window.show_screen(self.login)
        self.window.set_operator(None)
        self.window.set_sound_available(self.sounds.available)

        self.wedge.scanned.connect(self.scan)
        self.login.login_requested.connect(self.session.login)
        self.session.changed.connect(self._session_changed)
        self.session.refused.connect(self._login_refused)
        self.worker.online_changed.connect(self._online_changed)
        self.worker.settled.connect(self._settled)
        self.worker.changed.connect(self._changed)
        self.sounds.available_changed.connect(self.window.set_sound_available)
        self.window.logout_requested.connect(self._logout)
        self.window.language_requested.connect(self._language_requested)

    def _make_home(self, kind: str) -> Home:
        """The screen after login: the station's own screen for its kind, the trace view at a
        supervisor station, the plant overview until the kind is known."""
        home: Home
        screen = _screen_class(kind)
        if screen is not None:
            home = screen(self.runner)
        elif kind == "SUPERVISOR":
            home = SupervisorView(language=self.config.language)
            self.desk = SupervisorDesk(
                self.db,
                self.worker,
                self.runner,
                self.window,
                home,
                operator=functools.partial(getattr, self.session, "operator"),
                documents=documents_folder,
                parent=home,
            )
        else:
            home = OverviewView()
            home.refresh_requested.connect(self.refresh)
        self.window.add_screen(home)
        return home

    def set_kind(self, kind: str) -> None:
        """The station's kind, once the database has said it: its home screen follows."""
        screen = _screen_class(kind)
        wanted = screen or (SupervisorView if kind == "SUPERVISOR" else OverviewView)
        if type(self.home) is wanted:
            return
        showing = self.window.screens.currentWidget() is self.home
        if isinstance(self.home, SupervisorView):
            self.desk = None  # it goes with its view (its parent)
        old, self.home = self.home, self._make_home(kind)
        self.window.screens.removeWidget(old)
        old.deleteLater()
        if showing:
            self.window.show_screen(self.home)
            if isinstance(self.home, StationScreen):
                self.home.activate()
            if self.desk is not None and self.session.operator is not None:
                self.desk.activate()  # the kind came after the login: the plant's clock, the lists

    # --- scans -----------------------------------------------------------------------------------

    def scan(self, text: str) -> None:
        """Every scan of the station, from whichever scanner."""
        self.session.touch()
        if self.session.operator is None:
            self.login.scanned(text)
            return
        if not self.worker.online:
            self._refused(offline_message())
            return
        if isinstance(self.home, SupervisorView | StationScreen):
            self.home.scanned(text)  # the supervisor view asks for the trace: trace_requested
            return
        self.window.show_result(Tone.PENDING, self.tr("Looking up {0}…").format(text))
        db = self.db
        self.worker.submit(lambda: resolve(db, text), self._resolved, self._failed)

    def _resolved(self, found: Resolved) -> None:
        kinds = {
            Target.UNIT: self.tr("Unit"),
            Target.WORK_ORDER: self.tr("Work order"),
            Target.SHIPMENT: self.tr("Shipment"),
            Target.ITEM: self.tr("Item"),
        }
        parts = [kinds[found.target], found.code]
        parts += [value for value in (found.item_code, found.status) if value]
        self.window.show_result(Tone.OK, " · ".join(parts))
        self.sounds.ok()

    def _failed(self, error: Exception) -> None:
        self._refused(self.runner.message(error))

    def _refused(self, message: str) -> None:
        self.window.show_result(Tone.ERROR, message)
        self.sounds.error()

    # --- login, status, language -------------------------------------------------------------

    def _session_changed(self, operator: Operator | None, why: str) -> None:
        self.window.set_operator(operator.name if operator else None)
        if operator is None:
            self.login.reset(idle_message(self.config.idle_lock_minutes) if why == "idle" else "")
            self.window.show_screen(self.login)
            return
        if self.switch_language is not None and operator.language != self.window.language:
            self.switch_language(operator.language)
            self._show_language(operator.language)
        self.window.show_screen(self.home)
        self.window.show_result(Tone.OK, self.tr("Welcome, {0}").format(operator.name))
        self.sounds.ok()
        if isinstance(self.home, StationScreen):
            self.home.activate()
        if self.desk is not None:
            self.desk.activate()
        self.refresh()

    def _login_refused(self, error: Exception) -> None:
        message = offline_message() if isinstance(error, Offline) else None
        if isinstance(error, DomainError):
            message = domain_message(error)
        text = message or self.tr("Not logged in: {0}").format(error)
        self.login.refused(text)
        self.sounds.error()

    def _online_changed(self, online: bool) -> None:
        self.window.set_online(online)
        if online:
            self.window.show_result(Tone.OK, self.tr("Database back online."))
            self.refresh()
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
        self.refresh()

    def _logout(self) -> None:
        self.session.logout()

    def _show_language(self, language: str) -> None:
        """Texts follow Qt's LanguageChange; names chosen by language (items, customers) follow this."""
        self.window.set_language(language)
        if isinstance(self.home, SupervisorView):
            self.home.set_language(language)

    def refresh(self) -> None:
        if self.session.operator is None or not self.worker.online or not isinstance(self.home, OverviewView):
            return
        db = self.db
        self.worker.submit(lambda: plant_overview(db), self._show_overview, self._overview_failed)

    def _show_overview(self, overview: Overview) -> None:
        assert isinstance(self.home, OverviewView)
        self.home.show_overview(overview)

    def _overview_failed(self, error: Exception) -> None:
        assert isinstance(self.home, OverviewView)
        self.home.show_error(domain_message(error) if isinstance(error, DomainError) else str(error))

    def close(self) -> None:
        """Stop what runs beside the event loop (application exit and tests)."""
        self.wedge.remove()
        self.app.removeEventFilter(self.activity)
        if self.serial is not None:
            self.serial.stop()
        self.worker.wait()
