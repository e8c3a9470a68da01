"""Key events the way a platform delivers them: to the window handle, not to a widget.

`qtbot.keyClicks(widget, ...)` sends straight to the widget and skips the window stage that
`desktop.scanner.KeyboardWedge` watches (and aborts pytest on "\\x1d"), so scanner tests build real
QKeyEvents and send them to `widget.windowHandle()`, as the platform plugin does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent, QWindow
from pytestqt.qtbot import QtBot

GS = "\x1d"
GsForm = Literal["text", "ctrl", "ctrl+text"]
_SHIFTED_SYMBOLS = frozenset('~!@#$%^&*()_+{}|:"<>?')


class FakeClock:
    """A monotonic clock the test moves by hand: the wedge's timing without real waits."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def key_of(
    char: str, *, caps_lock: bool = False, gs: GsForm = "text"
) -> tuple[int, Qt.KeyboardModifier, str]:
    """The (key, modifiers, text) a US-layout keyboard (or a wedge scanner) sends for `char`.

    With `caps_lock`, letters carry the inverted text, as the platform reports them: unshifted "a"
    arrives with text "A", shifted "A" with text "a". GS is sent as the bare character ("text"),
    as Ctrl+] without text ("ctrl"), or as Ctrl+] with the GS text ("ctrl+text", what X11 reports).
    """
    if char == GS:
        if gs == "text":
            return 0, Qt.KeyboardModifier.NoModifier, GS
        return (
            int(Qt.Key.Key_BracketRight),
            Qt.KeyboardModifier.ControlModifier,
            GS if gs == "ctrl+text" else "",
        )
    if char.isascii() and char.isalpha():
        shift = char.isupper()
        text = char.swapcase() if caps_lock else char
        modifiers = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
        return ord(char.upper()), modifiers, text
    # Qt's key codes for printable ASCII are the characters' own codes.
    modifiers = (
        Qt.KeyboardModifier.ShiftModifier if char in _SHIFTED_SYMBOLS else Qt.KeyboardModifier.NoModifier
    )
    return ord(char), modifiers, char


def press(
    window: QWindow,
    key: int,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    text: str = "",
    *,
    autorepeat: bool = False,
    post: bool = False,
) -> None:
    """One key press and release, sent (or posted, delivered by the event loop) to `window`."""
    for event_type in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(event_type, key, modifiers, text, autorepeat)
        if post:
            QCoreApplication.postEvent(window, event)
        else:
            QCoreApplication.sendEvent(window, event)


def press_modifier(window: QWindow, key: Qt.Key, event_type: QEvent.Type, *, post: bool = False) -> None:
    modifiers = Qt.KeyboardModifier.NoModifier
    if key == Qt.Key.Key_Shift and event_type == QEvent.Type.KeyPress:
        modifiers = Qt.KeyboardModifier.ShiftModifier
    event = QKeyEvent(event_type, int(key), modifiers, "")
    if post:
        QCoreApplication.postEvent(window, event)
    else:
        QCoreApplication.sendEvent(window, event)


def type_char(
    window: QWindow, char: str, *, caps_lock: bool = False, gs: GsForm = "text", post: bool = False
) -> None:
    """Types one character, with the Shift press and release around it that a scanner sends."""
    key, modifiers, text = key_of(char, caps_lock=caps_lock, gs=gs)
    shifted = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
    if shifted:
        press_modifier(window, Qt.Key.Key_Shift, QEvent.Type.KeyPress, post=post)
    press(window, key, modifiers, text, post=post)
    if shifted:
        press_modifier(window, Qt.Key.Key_Shift, QEvent.Type.KeyRelease, post=post)


def enter(window: QWindow, *, post: bool = False) -> None:
    press(window, int(Qt.Key.Key_Return), Qt.KeyboardModifier.NoModifier, "\r", post=post)


def scanner_burst(
    window: QWindow,
    text: str,
    clock: FakeClock | None = None,
    *,
    step: float = 0.004,
    suffix: bool = True,
    caps_lock: bool = False,
    gs: GsForm = "text",
    post: bool = False,
) -> None:
    """Sends `text` (and Enter) as a wedge scanner does: one key every `step` seconds of `clock`.

    Sent synchronously, no key can be separated from the next by the wedge's real gap timer,
    whatever the load of the machine; the timing the wedge sees is the fake clock's.
    """
    for char in text:
        if clock is not None:
            clock.advance(step)
        type_char(window, char, caps_lock=caps_lock, gs=gs, post=post)
    if suffix:
        if clock is not None:
            clock.advance(step)
        enter(window, post=post)


def type_like_a_person(
    qtbot: QtBot, window: QWindow, text: Iterable[str], clock: FakeClock | None = None, *, pause_ms: int = 120
) -> None:
    """Types at human speed: `pause_ms` of real time (and of `clock`) between keys."""
    for char in text:
        if clock is not None:
            clock.advance(pause_ms / 1000)
        type_char(window, char)
        qtbot.wait(pause_ms)
    if clock is not None:
        clock.advance(pause_ms / 1000)
