"""What the operator sees after every scan: a large green or red banner with the message in their
language, and the last actions below it, so a glance tells whether the scan counted.

A banner never stays green by accident: each new message replaces the last, and an OK banner fades
to neutral after a few seconds so the next scan's answer stands out. A red banner stays until the
next action: an error the operator did not see must not disappear on its own.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QSizePolicy, QWidget

OK_SHOWN_MS = 4_000
RECENT = 20


class Tone(StrEnum):
    NEUTRAL = "neutral"
    OK = "ok"
    ERROR = "error"
    PENDING = "pending"  # sent, not answered yet (a slow database): never shown as done


class FeedbackBanner(QLabel):
    """The banner: its `tone` property drives the stylesheet (QLabel[tone="ok"] {...})."""

    shown = Signal(str, str)  # tone, text: each message as it appears

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedback")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMinimumHeight(96)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._fade = QTimer(self)
        self._fade.setSingleShot(True)
        self._fade.timeout.connect(self._faded)
        self._set_tone(Tone.NEUTRAL)

    @property
    def tone(self) -> Tone:
        return Tone(self.property("tone"))

    def show_message(self, tone: Tone, text: str) -> None:
        self._fade.stop()
        self.setText(text)
        self._set_tone(tone)
        if tone is Tone.OK:
            self._fade.start(OK_SHOWN_MS)
        self.shown.emit(tone.value, text)

    def clear(self) -> None:
        """Nothing to say (Esc, a logout, a language switch): what was on screen belongs to what was
        dropped, or is in the other language."""
        self._fade.stop()
        self.setText("")
        self._set_tone(Tone.NEUTRAL)

    def _faded(self) -> None:
        self._set_tone(Tone.NEUTRAL)

    def _set_tone(self, tone: Tone) -> None:
        self.setProperty("tone", tone.value)
        # A dynamic property does not restyle by itself: polish again so the colour follows.
        self.style().unpolish(self)
        self.style().polish(self)


class RecentActions(QListWidget):
    """The last actions, newest first, each with its time, ✔ or ✖ and its message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recentActions")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # scans and keys belong to the screen
        # The plant's time zone, once the database has said it: the screens' tables show its wall
        # clock, so the times here must too (until then, this PC's).
        self.zone: dt.tzinfo | None = None

    def add(self, tone: Tone, text: str, when: dt.datetime | None = None) -> None:
        moment = (when or dt.datetime.now(dt.UTC)).astimezone(self.zone).strftime("%H:%M:%S")
        mark = {Tone.OK: "✔", Tone.ERROR: "✖"}.get(tone, "…")
        item = QListWidgetItem(f"{moment}  {mark}  {text}")
        item.setData(Qt.ItemDataRole.UserRole, tone.value)
        self.insertItem(0, item)
        while self.count() > RECENT:
            self.takeItem(self.count() - 1)
