"""Scan capture for a station: one `scanned(text)` signal, whatever the scanner and whatever has focus.

Two kinds of scanner reach a station PC:

- A keyboard-wedge scanner types its payload as key presses. `KeyboardWedge` watches every key
  press of the application and tells a scanner burst (many keys a few milliseconds apart) from a
  person typing (tens to hundreds of milliseconds between keys) by the key events' own timestamps,
  so no screen needs a dedicated "scan here" field, no scan ends up half typed into whatever widget
  has focus, and a busy event loop that hands over queued keys late cannot change the verdict.
- A serial or USB-CDC scanner sends lines. `SerialScanner` reads them on a thread, survives
  unplugging, and delivers each line on the GUI thread.

Both keep the GS separator (ASCII 29) of GS1 element strings and the AIM symbology identifier
("]C1", "]d2", "]Q3"): models/ parses the text and needs both.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import serial
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QWindow

__all__ = ["GS", "KeyboardWedge", "SerialScanner"]

log = logging.getLogger(__name__)

GS = "\x1d"
"""The GS1 group separator (ASCII 29) that ends a variable-length field in a GS1 element string."""

_KEY_A = int(Qt.Key.Key_A)
_KEY_Z = int(Qt.Key.Key_Z)
_KEY_0 = int(Qt.Key.Key_0)
_KEY_9 = int(Qt.Key.Key_9)
_SHIFT = Qt.KeyboardModifier.ShiftModifier
_CONTROL = Qt.KeyboardModifier.ControlModifier
_ALT = Qt.KeyboardModifier.AltModifier
_KEYPAD = Qt.KeyboardModifier.KeypadModifier
_NO_MODIFIER = Qt.KeyboardModifier.NoModifier

# Keys that only change the meaning of the next key. A scanner presses Shift around every capital
# letter, so these must neither end a burst nor be held back.
_MODIFIER_KEYS = frozenset(
    int(key)
    for key in (
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
        Qt.Key.Key_ScrollLock,
    )
)


_STAMP_WRAP = 1 << 32


def _elapsed_ms(earlier: int, later: int) -> int:
    """Milliseconds between two key events' timestamps.

    X11 and Windows stamp input in 32-bit milliseconds, which wrap after 49.7 days: a drop of more
    than half that range is taken as the wrap. Any other drop (events out of order) counts as no
    time at all, so it can never cut a scan in two.
    """
    elapsed = later - earlier
    if elapsed >= 0:
        return elapsed
    if earlier < _STAMP_WRAP and -elapsed > _STAMP_WRAP // 2:
        return elapsed + _STAMP_WRAP
    return 0


@dataclass(frozen=True)
class _HeldKey:
    """A key press held back while the wedge decides, with the window it was sent to."""

    window: QWindow
    event: QKeyEvent


class KeyboardWedge(QObject):
    """Turns keyboard-wedge scanner bursts into `scanned(text)`, and leaves human typing alone.

    Installed as an application event filter, it sees each key press at the window stage (the
    QWindow that receives it from the platform) and only there: an application filter sees the same
    key again at the focus widget and at each parent that ignores it, so handling every stage would
    count a key two or three times.

    Timing is read from the key events' timestamps (`QKeyEvent.timestamp()`, stamped by the window
    system when the key was pressed), never from the time the filter runs: a loaded station stalls
    its event loop for hundreds of milliseconds and then hands the queued keys over back to back,
    which would split a scan, or turn a person's typing into one.

    A printable key press is held back. A key whose timestamp is within `gap_ms` of the previous
    held key extends the burst; one stamped later ends the burst before it. The burst also ends on
    the suffix key (Enter by default), or when any other key (an arrow, a shortcut, ...) or an input
    method event arrives. When no key comes at all, two timers end the burst: the gap timer runs out
    after `gap_ms` without a key being handled, and then a 0 ms timer lets the event loop deliver
    whatever keys it still has queued first (after a stall the overdue gap timer can fire before
    them); only if none came is the burst decided.

    A burst of at least `min_length` characters that starts with `prefix` is a scan: it is emitted
    once (suffix and prefix removed) and never reaches a widget. Anything else was a person typing,
    and the held presses are replayed to their window in order, so ordinary fields still work, only
    late by the gap.
    """

    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        gap_ms: int = 40,
        min_length: int = 4,
        suffix_keys: Iterable[Qt.Key] = (Qt.Key.Key_Return, Qt.Key.Key_Enter),
        prefix: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Build a wedge; it does nothing until `install()`.

        `gap_ms` is the longest pause between two keys of one scan (scanners send a key every few
        milliseconds; people rarely type four keys under 40 ms apart). `min_length` counts the
        burst's characters, prefix included, suffix not. `suffix_keys` are the keys the scanner
        sends after a code (empty: bursts end on the gap only). `prefix`, when set, is required at
        the start of a scan and stripped. `clock` (seconds, monotonic) times the key events that
        carry no timestamp (0: events a program builds itself rather than the window system); it
        is injectable for tests. The end-of-burst timers stay real QTimers.
        """
        super().__init__(parent)
        if gap_ms <= 0:
            raise ValueError("gap_ms must be positive")
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        self._gap_ms = gap_ms
        self._min_length = min_length
        self._suffix_keys = frozenset(int(key) for key in suffix_keys)
        self._prefix = prefix
        self._clock = clock
        self._enabled = True
        self._replaying = False
        self._app: QCoreApplication | None = None
        self._held: list[_HeldKey] = []
        self._chars: list[str] = []
        self._last_stamp = 0  # timestamp (ms) of the newest key of the held burst
        # Set when a timer ended a burst: a key stamped within the gap of it came too late.
        self._timed_out_stamp: int | None = None
        # A precise timer: a coarse one may fire up to 5 % early.
        self._gap_timer = QTimer(self)
        self._gap_timer.setSingleShot(True)
        self._gap_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._gap_timer.setInterval(gap_ms)
        self._gap_timer.timeout.connect(self._gap_expired)
        # Fires on the next pass of the event loop, after the keys it had queued were delivered.
        self._drain_timer = QTimer(self)
        self._drain_timer.setSingleShot(True)
        self._drain_timer.setInterval(0)
        self._drain_timer.timeout.connect(self._queue_drained)

    # -- configuration -------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """Whether key presses are captured; when off, every key goes straight to the widgets."""
        return self._enabled

    @enabled.setter
    def enabled(self, on: bool) -> None:
        if not on and self._held:
            # Whatever was held back belongs to the user now that capture is off.
            self._release_held()
        self._enabled = on

    @property
    def gap_ms(self) -> int:
        return self._gap_ms

    @property
    def min_length(self) -> int:
        return self._min_length

    @property
    def prefix(self) -> str:
        return self._prefix

    def install(self, app: QCoreApplication | None = None) -> None:
        """Watch every key of `app` (default: the running application)."""
        app = app if app is not None else QCoreApplication.instance()
        if app is None:
            raise RuntimeError("KeyboardWedge.install() needs a QApplication")
        if self._app is not None:
            self.remove()
        app.installEventFilter(self)
        self._app = app

    def remove(self) -> None:
        """Stop watching; keys held back at that moment are handed to their window, not lost."""
        if self._app is None:
            return
        self._release_held()
        if shiboken6.isValid(self._app):
            self._app.removeEventFilter(self)
        self._app = None

    def is_installed(self) -> bool:
        return self._app is not None

    # -- the filter ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Called for every event of the application, several times per key on a loaded PC: keep
        # the common case cheap (type checks, no enum conversions).
        if self._replaying or not self._enabled:
            return False
        if isinstance(event, QKeyEvent):
            if isinstance(watched, QWindow) and event.type() == QEvent.Type.KeyPress:
                return self._key_pressed(watched, event)
            return False
        if isinstance(event, QInputMethodEvent) and self._held:
            # Input methods (a Chinese IME) are people typing, never a scanner: the event goes on to
            # its widget untouched, after anything held back so the text stays in order.
            self._end_burst()
        return False

    def _key_pressed(self, window: QWindow, event: QKeyEvent) -> bool:
        """Holds, ends or lets pass one key press; True when the press is consumed."""
        stamp = self._stamp(event)
        if self._held and _elapsed_ms(self._last_stamp, stamp) > self._gap_ms:
            # The key was pressed after the gap, however late it is handled: the burst ended before it.
            self._end_burst()
        elif self._timed_out_stamp is not None:
            self._check_late_key(self._timed_out_stamp, stamp)
        self._timed_out_stamp = None
        char = self._scan_char(event)
        if char is not None and not event.isAutoRepeat():
            self._held.append(_HeldKey(window, event.clone()))
            self._chars.append(char)
            self._extend_burst(stamp)
            return True
        if self._is_neutral(event):
            if self._held:
                # A Shift or an Alt+keypad digit inside a burst: the scanner is still sending.
                self._extend_burst(stamp)
            return False
        if self._held and self._is_suffix(event):
            # A scan swallows its suffix; after typing, Enter still reaches the widget (after the
            # replay, which happens synchronously inside _end_burst).
            return self._end_burst()
        if self._held:
            # An arrow, a shortcut, a held-down key: a person at the keyboard. What was held back
            # goes first so keys keep their order.
            self._end_burst()
        return False

    def _stamp(self, event: QKeyEvent) -> int:
        """When the key was pressed, in ms: the window system's timestamp, else (0) the clock now."""
        return event.timestamp() or round(self._clock() * 1000)

    def _extend_burst(self, stamp: int) -> None:
        self._last_stamp = stamp
        self._drain_timer.stop()
        self._gap_timer.start()

    def _check_late_key(self, burst_end: int, stamp: int) -> None:
        """Logs a key stamped within the gap of a burst that a timer already ended: a split scan.

        It means the window system delivered the key to Qt more than `gap_ms` after the loop went
        idle; the part already decided cannot be taken back, but the field log says why.
        """
        elapsed = _elapsed_ms(burst_end, stamp)
        if elapsed <= self._gap_ms:
            log.warning(
                "a key pressed %d ms after a burst reached the wedge after that burst was ended; "
                "if it was a scan, it was split",
                elapsed,
            )

    @Slot()
    def _gap_expired(self) -> None:
        if self._held:
            # Keys may still be queued behind this timer (a stalled loop fires overdue timers
            # first): decide only once the loop has delivered them.
            self._drain_timer.start()

    @Slot()
    def _queue_drained(self) -> None:
        if self._held:
            # Noted first: a slot of `scanned` may spin an event loop that delivers the next key.
            self._timed_out_stamp = self._last_stamp
            self._end_burst()

    def _end_burst(self) -> bool:
        """Decides the held burst: emits it as a scan (True) or replays it to its window (False)."""
        self._stop_timers()
        held, text = self._held, "".join(self._chars)
        self._held, self._chars = [], []
        payload = text[len(self._prefix) :]
        if len(text) >= self._min_length and text.startswith(self._prefix) and payload:
            # State is reset before emitting: a slot may open a dialog and spin an event loop.
            self.scanned.emit(payload)
            return True
        self._replay(held)
        return False

    def _stop_timers(self) -> None:
        self._gap_timer.stop()
        self._drain_timer.stop()

    def _release_held(self) -> None:
        self._stop_timers()
        held = self._held
        self._held, self._chars = [], []
        self._replay(held)

    def _replay(self, held: list[_HeldKey]) -> None:
        """Sends the held presses again, to the window they were meant for, past this filter."""
        self._replaying = True
        try:
            for item in held:
                if shiboken6.isValid(item.window):
                    QCoreApplication.sendEvent(item.window, item.event)
        finally:
            self._replaying = False

    # -- what a key means ------------------------------------------------------------------------

    @staticmethod
    def _scan_char(event: QKeyEvent) -> str | None:
        """The character a key press adds to a scan, or None when it cannot be part of one."""
        text = event.text()
        key = event.key()
        # KeypadModifier only says where the key is: scanners in "keypad emulation" type digits there.
        modifiers = event.modifiers() & ~_KEYPAD
        if text == GS:
            # Platforms turn Ctrl+] into the GS character; whatever modifiers came with it, it is GS.
            return GS
        if key == int(Qt.Key.Key_BracketRight) and modifiers == _CONTROL:
            return GS
        if modifiers & ~_SHIFT:
            return None  # Ctrl+C and friends: shortcuts, not text
        if _KEY_A <= key <= _KEY_Z:
            # Caps Lock inverts text() for letters; the key code and Shift say what the scanner meant.
            letter = chr(key)
            return letter if modifiers & _SHIFT else letter.lower()
        if text and text.isprintable():
            return text
        return None

    def _is_suffix(self, event: QKeyEvent) -> bool:
        modifiers = event.modifiers() & ~(_KEYPAD | _SHIFT)
        return event.key() in self._suffix_keys and modifiers == _NO_MODIFIER

    @staticmethod
    def _is_neutral(event: QKeyEvent) -> bool:
        """Keys that neither belong to a scan nor end one: modifiers, and Alt+keypad digit entry."""
        key = event.key()
        if key in _MODIFIER_KEYS:
            return True
        # Scanners that type GS as Alt+0+2+9 on the keypad: the digits come with Alt and no text,
        # and the GS character follows.
        modifiers = event.modifiers()
        return bool(modifiers & _ALT and modifiers & _KEYPAD and _KEY_0 <= key <= _KEY_9 and not event.text())


_LINE_END = re.compile(rb"[\r\n]")
_MAX_LINE = 8192  # bytes without a line end: noise on the line, not a barcode


def _take_lines(buffer: bytearray) -> list[str]:
    """Removes the complete lines (ended by CR, LF or CRLF) from `buffer` and returns them.

    Bytes are decoded as latin-1, which maps every byte to one character, so GS (0x1d) and any
    other control byte survive for the parser. Empty lines (the LF of a CRLF) are dropped.
    """
    *complete, rest = _LINE_END.split(bytes(buffer))
    if len(rest) > _MAX_LINE:
        rest = b""
    buffer[:] = rest
    return [line.decode("latin-1") for line in complete if line]


class SerialScanner(QObject):
    """Reads a serial or USB-CDC scanner on a thread; each line arrives as `scanned` on the GUI thread.

    The port is read by a daemon `threading.Thread`, so a blocking read never freezes the screen.
    The thread emits private signals that are queued to this object, which lives on the GUI thread;
    the public signals are then emitted there, so any slot, even a plain function, runs on the GUI
    thread. When the device disappears (unplugged cable, read error, port missing) the port is
    closed, `connected_changed(False)` is emitted and opening is retried every `retry` seconds until
    the device is back (`connected_changed(True)`).
    """

    scanned = Signal(str)
    connected_changed = Signal(bool)

    # Emitted on the reader thread with the generation of the run, delivered queued on the GUI thread.
    _line_read = Signal(int, str)
    _link_changed = Signal(int, bool)

    def __init__(
        self,
        port: str,
        parent: QObject | None = None,
        *,
        baudrate: int = 9600,
        retry: float = 1.0,
        read_timeout: float = 0.2,
    ) -> None:
        """`port` is a device name ("/dev/ttyACM0", "COM3", or a stable udev symlink such as
        /dev/serial/by-id/..., which survives replugging into another USB socket). `retry` is the
        pause in seconds between attempts to reopen a missing device. `read_timeout` bounds each
        blocking read so the thread notices `stop()` even where a read cannot be cancelled."""
        super().__init__(parent)
        self._port_name = port
        self._baudrate = baudrate
        self._retry = retry
        self._read_timeout = read_timeout
        self._connected = False
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._generation = 0
        self._lock = threading.Lock()  # guards _serial between the reader thread and stop()
        self._serial: serial.Serial | None = None
        self._line_read.connect(self._deliver_line, Qt.ConnectionType.QueuedConnection)
        self._link_changed.connect(self._deliver_link, Qt.ConnectionType.QueuedConnection)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    @property
    def port(self) -> str:
        return self._port_name

    @property
    def connected(self) -> bool:
        """Whether the device is open, as last announced by `connected_changed`."""
        return self._connected

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start reading (opening the port on the thread, retrying until it exists)."""
        if self._thread is not None:
            return
        self._generation += 1
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run,
            args=(self._generation, self._stopping),
            name=f"serial-scanner {self._port_name}",
            daemon=True,
        )
        self._thread.start()

    @Slot()
    def stop(self) -> None:
        """Stop reading, close the port and wait for the thread to end."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        with self._lock:
            if self._serial is not None:
                # Wakes a blocking read at once; where it cannot, the read timeout ends the read.
                with contextlib.suppress(OSError, serial.SerialException, AttributeError):
                    self._serial.cancel_read()
        thread.join(timeout=5.0)  # a cancelled read ends at once; a timed-out one within read_timeout
        if thread.is_alive():
            log.warning("serial scanner thread for %s did not end", self._port_name)
        self._thread = None
        # Lines and link changes still queued from this run are now stale: _deliver_* ignore them.
        self._generation += 1
        if self._connected:
            self._connected = False
            self.connected_changed.emit(False)

    # -- GUI thread -------------------------------------------------------------------------------

    @Slot(int, str)
    def _deliver_line(self, generation: int, line: str) -> None:
        if generation == self._generation:
            self.scanned.emit(line)

    @Slot(int, bool)
    def _deliver_link(self, generation: int, connected: bool) -> None:
        if generation == self._generation and connected != self._connected:
            self._connected = connected
            self.connected_changed.emit(connected)

    # -- reader thread ----------------------------------------------------------------------------

    def _run(self, generation: int, stopping: threading.Event) -> None:
        buffer = bytearray()
        port: serial.Serial | None = None
        try:
            while not stopping.is_set():
                if port is None:
                    port = self._open()
                    if port is None:
                        stopping.wait(self._retry)
                        continue
                    buffer.clear()
                    self._link_changed.emit(generation, True)
                try:
                    data = port.read(max(1, port.in_waiting))
                except Exception as error:
                    if stopping.is_set():
                        break  # a read cancelled by stop(), not a lost device
                    if isinstance(error, serial.SerialException | OSError):
                        log.info("serial scanner %s lost: %s", self._port_name, error)
                    else:  # an unexpected driver error must not end scanning for good
                        log.exception("serial scanner %s: unexpected read error", self._port_name)
                    self._close(port)
                    port = None
                    self._link_changed.emit(generation, False)
                    stopping.wait(self._retry)
                    continue
                buffer += data
                for line in _take_lines(buffer):
                    self._line_read.emit(generation, line)
        finally:
            if port is not None:
                self._close(port)

    def _open(self) -> serial.Serial | None:
        try:
            port = serial.Serial(self._port_name, self._baudrate, timeout=self._read_timeout)
        except (serial.SerialException, OSError, ValueError):
            return None
        with self._lock:
            self._serial = port
        return port

    def _close(self, port: serial.Serial) -> None:
        with self._lock:
            self._serial = None
            with contextlib.suppress(serial.SerialException, OSError):  # the device is already gone
                port.close()
