"""The station's main window: who and where in the header, the feedback banner, the screen of the
station's kind (or the login), and the last actions.

A view only: what its buttons ask for leaves through signals, and the composition root
(desktop/shell.py) tells it what to show. Every control is reachable by keyboard: F2 switches the
language, Ctrl+L logs out.

It speaks one language at a time: the line's name is kept in both and shown in the current one,
and the sentences said before a switch (the banner, the last actions) are cleared with it, since
they cannot be said again in the other language. Every time it shows is on the plant's wall clock
(`set_zone`), not this PC's.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.feedback import FeedbackBanner, RecentActions, Tone

LANGUAGE_NAMES = {"zh_CN": "中文", "en_US": "English"}


class StationWindow(QMainWindow):
    language_requested = Signal(str)
    logout_requested = Signal()

    def __init__(self, station: str, line: str, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.line_names = {"zh_CN": line, "en_US": line}  # the line's name in each language
        self.language = language
        self.operator_name: str | None = None
        self.online = True
        self.sound_available = True

        header = QFrame()
        header.setObjectName("header")
        self.station_label = QLabel()
        self.station_label.setObjectName("stationLabel")
        self.operator_label = QLabel()
        self.operator_label.setObjectName("operatorLabel")
        self.db_status = QLabel()
        self.db_status.setObjectName("dbStatus")
        self.sound_status = QLabel()
        self.sound_status.setObjectName("soundStatus")
        self.language_button = QPushButton()
        self.language_button.setObjectName("languageButton")
        self.logout_button = QPushButton()
        self.logout_button.setObjectName("logoutButton")
        row = QHBoxLayout(header)
        row.addWidget(self.station_label)
        row.addStretch(1)
        row.addWidget(self.operator_label)
        row.addWidget(self.db_status)
        row.addWidget(self.sound_status)
        row.addWidget(self.language_button)
        row.addWidget(self.logout_button)

        self.banner = FeedbackBanner()
        self.screens = QStackedWidget()
        self.recent = RecentActions()
        self.recent_title = QLabel()
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.recent_title)
        side_layout.addWidget(self.recent)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.screens)
        split.addWidget(side)
        # The screen gets three quarters: at 1280 px the supervisor's trees need the width more than
        # the log, which still shows a time and most of an answer.
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        side.setMinimumWidth(280)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addWidget(header)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.setCentralWidget(body)

        self.set_online(True)
        self.language_button.clicked.connect(self._toggle_language)
        self.logout_button.clicked.connect(self.logout_requested)
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, self._toggle_language)
        QShortcut(QKeySequence("Ctrl+L"), self, self.logout_requested.emit)
        self.retranslate()

    # --- what the composition root tells it ----------------------------------------------------

    def add_screen(self, screen: QWidget) -> None:
        self.screens.addWidget(screen)

    def show_screen(self, screen: QWidget) -> None:
        self.screens.setCurrentWidget(screen)
        screen.setFocus()

    @property
    def line(self) -> str:
        """The line's name in the language shown (its other name, if it has only one)."""
        return self.line_names.get(self.language) or next(
            (name for name in self.line_names.values() if name), ""
        )

    def set_line(self, zh: str, en: str) -> None:
        """The line's names: the header shows the one of the language, and follows a switch."""
        self.line_names = {"zh_CN": zh, "en_US": en}
        self.retranslate()

    def set_zone(self, zone: dt.tzinfo) -> None:
        """The plant's time zone: the last actions' times are its wall clock, like the screens'."""
        self.recent.zone = zone

    def set_operator(self, name: str | None) -> None:
        self.operator_name = name
        self.logout_button.setEnabled(name is not None)
        self._show_operator()

    def set_online(self, online: bool) -> None:
        self.online = online
        self.db_status.setProperty("online", "true" if online else "false")
        self.db_status.style().unpolish(self.db_status)
        self.db_status.style().polish(self.db_status)
        self._show_online()

    def set_sound_available(self, available: bool) -> None:
        self.sound_available = available
        self._show_sound()

    def set_language(self, language: str) -> None:
        if language != self.language:
            # What was said in the other language cannot be said again: a screen in one language.
            self.clear_feedback()
        self.language = language
        self.retranslate()

    def clear_feedback(self) -> None:
        """A logout (the next person sees nothing of the last one's answers) or a language switch."""
        self.banner.clear()
        self.recent.clear()

    def show_result(self, tone: Tone, text: str) -> None:
        """One action's outcome: the banner, and a line in the last actions."""
        self.banner.show_message(tone, text)
        if tone is not Tone.PENDING:
            self.recent.add(tone, text)

    # --- texts -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("TraceStation · {0}").format(self.station))
        self.station_label.setText(self.tr("Station {0} · Line {1}").format(self.station, self.line or "—"))
        other = "en_US" if self.language == "zh_CN" else "zh_CN"
        self.language_button.setText(LANGUAGE_NAMES[other] + " (F2)")
        self.logout_button.setText(self.tr("Log out (Ctrl+L)"))
        self.recent_title.setText(self.tr("Last actions"))
        self._show_operator()
        self._show_online()
        self._show_sound()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_operator(self) -> None:
        self.operator_label.setText(self.operator_name or self.tr("Not logged in"))

    def _show_online(self) -> None:
        self.db_status.setText(
            self.tr("Database online") if self.online else self.tr("Database offline: scans are not recorded")
        )

    def _show_sound(self) -> None:
        self.sound_status.setText("" if self.sound_available else self.tr("No sound"))
        self.sound_status.setVisible(not self.sound_available)

    def _toggle_language(self) -> None:
        self.language_requested.emit("en_US" if self.language == "zh_CN" else "zh_CN")
