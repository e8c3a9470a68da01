"""Key events the way a platform delivers them: to the window handle, not to a widget.

`qtbot.keyClicks(widget, ...)` sends straight to the widget and skips the window stage that
`desktop.scanner.KeyboardWedge` watches (and aborts pytest on "\\x1d"), so scanner tests build real
QKeyEvents and send them to `widget.windowHandle()`, as the platform plugin does.

Every event carries a timestamp, as the window system's do: the wedge times bursts by them, so a
burst stays a burst however late a loaded machine delivers it. The times come from a `clock`
(seconds): a `FakeClock` the test moves, or by default `REAL_TIME`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Literal

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent, QWindow
from pytestqt.qtbot import QtBot

GS = "\x1d"
GsForm = Literal["text", "ctrl", "ctrl+text", "alt"]
Clock = Callable[[], float]
_SHIFTED_SYMBOLS = frozenset('~!@#$%^&*()_+{}|:"<>?')


class FakeClock:
    """A monotonic clock the test moves by hand: the wedge's timing without real waits."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RealClock:
    """The monotonic clock, never behind what it already stamped.

    A burst is stamped at the scanner's pace from one reading of this clock (`start`), never
    per key: a busy machine may preempt the test between two keys, the scanner would not pause.
    `reach` records the burst's last stamp, so the next key is stamped after it even if the real
    clock has not caught up. The wedge times unstamped events by `time.monotonic` too.
    """

    def __init__(self) -> None:
        self._latest = 0.0

    def __call__(self) -> float:
        self._latest = max(self._latest, time.monotonic())
        return self._latest

    def start(self) -> FakeClock:
        """A clock for one burst, starting now, moved only by the burst's own pace."""
        return FakeClock(self())

    def reach(self, seconds: float) -> None:
        self._latest = max(self._latest, seconds)


REAL_TIME = RealClock()


def stamp(clock: Clock | None) -> int:
    """A key event timestamp (ms) for the time of `clock` (default: `REAL_TIME`)."""
    return round((clock or REAL_TIME)() * 1000)


def key_of(
    char: str, *, caps_lock: bool = False, gs: GsForm = "text"
) -> tuple[int, Qt.KeyboardModifier, str]:
    """The (key, modifiers, text) a US-layout keyboard (or a wedge scanner) sends for `char`.

    With `caps_lock`, letters carry the inverted text, as the platform reports them: unshifted "a"
    arrives with text "A", shifted "A" with text "a". GS is sent as the bare character ("text"),
    as Ctrl+] without text ("ctrl"), or as Ctrl+] with the GS text ("ctrl+text", what X11 reports);
    `type_char` adds the Alt+0+2+9 keypad presses of the "alt" form before the bare character.
    """
    if char == GS:
        if gs in ("text", "alt"):
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
    clock: Clock | None = None,
) -> None:
    """One key press and release at the time of `clock`, sent (or posted, delivered by the event
    loop) to `window`."""
    at = stamp(clock)
    for event_type in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(event_type, key, modifiers, text, autorepeat)
        event.setTimestamp(at)
        _deliver(window, event, post)


def press_modifier(
    window: QWindow,
    key: Qt.Key,
    event_type: QEvent.Type,
    *,
    post: bool = False,
    clock: Clock | None = None,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    if key == Qt.Key.Key_Shift and event_type == QEvent.Type.KeyPress:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    if key == Qt.Key.Key_Alt and event_type == QEvent.Type.KeyPress:
        modifiers |= Qt.KeyboardModifier.AltModifier
    event = QKeyEvent(event_type, int(key), modifiers, "")
    event.setTimestamp(stamp(clock))
    _deliver(window, event, post)


def _deliver(window: QWindow, event: QKeyEvent, post: bool) -> None:
    if post:
        QCoreApplication.postEvent(window, event)
    else:
        QCoreApplication.sendEvent(window, event)


def type_char(
    window: QWindow,
    char: str,
    *,
    caps_lock: bool = False,
    gs: GsForm = "text",
    post: bool = False,
    clock: Clock | None = None,
) -> None:
    """Types one character, with the Shift (or, for GS in the "alt" form, Alt+0+2+9) keys around it
    that a scanner sends."""
    key, modifiers, text = key_of(char, caps_lock=caps_lock, gs=gs)
    if char == GS and gs == "alt":
        alt = Qt.KeyboardModifier.AltModifier
        press_modifier(window, Qt.Key.Key_Alt, QEvent.Type.KeyPress, post=post, clock=clock)
        for digit in (Qt.Key.Key_0, Qt.Key.Key_2, Qt.Key.Key_9):
            press(window, int(digit), alt | Qt.KeyboardModifier.KeypadModifier, post=post, clock=clock)
        press_modifier(window, Qt.Key.Key_Alt, QEvent.Type.KeyRelease, post=post, clock=clock, modifiers=alt)
    shifted = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
    if shifted:
        press_modifier(window, Qt.Key.Key_Shift, QEvent.Type.KeyPress, post=post, clock=clock)
    press(window, key, modifiers, text, post=post, clock=clock)
    if shifted:
        press_modifier(window, Qt.Key.Key_Shift, QEvent.Type.KeyRelease, post=post, clock=clock)


def enter(window: QWindow, *, post: bool = False, clock: Clock | None = None) -> None:
    press(window, int(Qt.Key.Key_Return), Qt.KeyboardModifier.NoModifier, "\r", post=post, clock=clock)


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
    """Sends `text` (and Enter) as a wedge scanner does: one key every `step` seconds of `clock`
    (default: `REAL_TIME`), stamped so.

    The wedge times the burst by these stamps, so however late a loaded machine handles the keys,
    they stay one burst.
    """
    burst = clock if clock is not None else REAL_TIME.start()
    for char in text:
        burst.advance(step)
        type_char(window, char, caps_lock=caps_lock, gs=gs, post=post, clock=burst)
    if suffix:
        burst.advance(step)
        enter(window, post=post, clock=burst)
    if clock is None:
        REAL_TIME.reach(burst.now)


def type_like_a_person(
    qtbot: QtBot,
    window: QWindow,
    text: Iterable[str],
    clock: FakeClock | None = None,
    *,
    pause_ms: int = 120,
) -> None:
    """Types at human speed: `pause_ms` of real time and of `clock` (default: from `REAL_TIME`)
    between keys."""
    typing = clock if clock is not None else REAL_TIME.start()
    for char in text:
        typing.advance(pause_ms / 1000)
        type_char(window, char, clock=typing)
        qtbot.wait(pause_ms)
    typing.advance(pause_ms / 1000)
    if clock is None:
        REAL_TIME.reach(typing.now)
