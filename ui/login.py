"""The login screen: scan the badge, type the PIN, Enter. No mouse needed.

A badge scan fills the badge field wherever the focus is and moves on to the PIN; Enter in the PIN
field logs in. The PIN field takes digits only and never an input method, so a Chinese IME left on
cannot swallow the PIN. What the login answers (wrong PIN with the tries left, badge locked,
database offline) is shown in large text under the fields.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

TOUCH_TARGET = 48  # pixels: the smallest a gloved finger hits reliably


class _PinEdit(QLineEdit):
    def inputMethodQuery(self, query: Qt.InputMethodQuery) -> object:
        # WA_InputMethodEnabled=False does not keep an IME out of a QLineEdit (FIELD-NOTES).
        if query == Qt.InputMethodQuery.ImEnabled:
            return False
        return super().inputMethodQuery(query)


class LoginView(QWidget):
    """Asks for badge and PIN; says so through `login_requested`, shows what came of it."""

    login_requested = Signal(str, str)  # badge, PIN

    def __init__(self, station_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("loginTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.station_name = station_name
        self.badge = QLineEdit()
        self.badge.setObjectName("badge")
        self.pin = _PinEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setValidator(QRegularExpressionValidator(r"\d{0,12}", self.pin))
        self.button = QPushButton()
        self.button.setObjectName("loginButton")
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (self.badge, self.pin, self.button):
            widget.setMinimumHeight(TOUCH_TARGET)

        form = QFormLayout()
        self.badge_label = QLabel()
        self.pin_label = QLabel()
        form.addRow(self.badge_label, self.badge)
        form.addRow(self.pin_label, self.pin)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.button)
        layout.addWidget(self.message)
        layout.addStretch(2)

        self.badge.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("TraceStation · {0}").format(self.station_name))
        self.badge_label.setText(self.tr("Badge"))
        self.pin_label.setText(self.tr("PIN"))
        self.badge.setPlaceholderText(self.tr("Scan your badge"))
        self.button.setText(self.tr("Log in"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def scanned(self, text: str) -> None:
        """A badge scanned anywhere on this screen: fill it in and go on to the PIN."""
        self.badge.setText(text.strip())
        self.pin.clear()
        self.pin.setFocus()

    def submit(self) -> None:
        badge, pin = self.badge.text().strip(), self.pin.text()
        if not badge:
            self.show_message(self.tr("Scan your badge first."))
            self.badge.setFocus()
            return
        if not pin:
            self.show_message(self.tr("Enter your PIN."))
            self.pin.setFocus()
            return
        self.login_requested.emit(badge, pin)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def reset(self, message: str = "") -> None:
        """Back to an empty form (after a logout or an idle lock), with why."""
        self.badge.clear()
        self.pin.clear()
        self.message.setText(message)
        self.badge.setFocus()

    def refused(self, message: str) -> None:
        """The login did not work: say why, and let the PIN be typed again."""
        self.message.setText(message)
        self.pin.clear()
        self.pin.setFocus()
