"""The question before an irreversible step (reject a lot, unpack a carton, ship short), inline.

Not a modal dialog: a scanner types into whatever has focus, and a burst landing on a dialog's
default button would answer the question for the operator. The strip asks in large amber text and
waits for an explicit answer: Enter, the "Yes" button or the #CONFIRM command barcode confirms;
Esc, "No" or #CANCEL drops it. While it waits, the screen refuses every other scan (it asks
`waiting` first), so nothing else happens behind an open question.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ui.station_screen import TOUCH_TARGET, Command


class ConfirmStrip(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confirmStrip")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.question = QLabel()
        self.question.setObjectName("confirmQuestion")
        self.question.setWordWrap(True)
        self.yes_button = QPushButton()
        self.yes_button.setObjectName("confirmYes")
        self.no_button = QPushButton()
        self.no_button.setObjectName("confirmNo")
        for button in (self.yes_button, self.no_button):
            button.setMinimumSize(TOUCH_TARGET * 3, TOUCH_TARGET)
        row = QHBoxLayout(self)
        row.addWidget(self.question, 1)
        row.addWidget(self.yes_button)
        row.addWidget(self.no_button)
        self._on_yes: Callable[[], None] | None = None
        self._on_no: Callable[[], None] | None = None
        self.yes_button.clicked.connect(self.confirm)
        self.no_button.clicked.connect(self.cancel)
        self.retranslate()
        self.hide()

    @property
    def waiting(self) -> bool:
        return self._on_yes is not None

    def ask(self, question: str, on_yes: Callable[[], None], on_no: Callable[[], None] | None = None) -> None:
        self._on_yes, self._on_no = on_yes, on_no
        self.question.setText(question)
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def answer(self, command: Command | None) -> bool:
        """A scanned command while waiting: True when it answered the question."""
        if command is Command.CONFIRM:
            self.confirm()
            return True
        if command is Command.CANCEL:
            self.cancel()
            return True
        return False

    def confirm(self) -> None:
        on_yes = self._on_yes
        self._close()
        if on_yes is not None:
            on_yes()

    def cancel(self) -> None:
        on_no = self._on_no
        self._close()
        if on_no is not None:
            on_no()

    def _close(self) -> None:
        self._on_yes = self._on_no = None
        self.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.confirm()
        elif event.key() == Qt.Key.Key_Escape:
            self.cancel()
        else:
            super().keyPressEvent(event)

    def retranslate(self) -> None:
        self.yes_button.setText(self.tr("Yes (Enter)"))
        self.no_button.setText(self.tr("No (Esc)"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
