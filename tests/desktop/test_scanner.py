"""Scan capture: a wedge burst is one `scanned` signal, typing still types, serial lines survive replugging.

Keys are real QKeyEvents sent to the window handle, as the platform delivers them (see keys.py),
stamped by a fake clock the test advances: the wedge times bursts by the events' timestamps, so a
burst is a burst however busy the machine. Real waits are only used where a person's pace, the
wedge's real end-of-burst timers or a blocked GUI thread is the point.
"""

from __future__ import annotations

import os
import threading
import tty
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop.scanner import KeyboardWedge, SerialScanner
from tests.desktop.keys import (
    GS,
    FakeClock,
    GsForm,
    enter,
    press,
    scanner_burst,
    type_char,
    type_like_a_person,
)

GS1_SCAN = "]C1" + "0109521234000013" + "10LOT1" + GS + "21SN9"
WAIT_MS = 5_000  # generous: the machine may be busy; nothing here asserts on speed


@dataclass
class Station:
    window: QMainWindow
    field: QLineEdit
    handle: QWindow
    wedge: KeyboardWedge
    clock: FakeClock
    scans: list[str]
    returns: list[str]  # the field's text each time returnPressed fired


@contextmanager
def _station(qtbot: QtBot, **wedge_options: object) -> Iterator[Station]:
    window = QMainWindow()
    central = QWidget()
    layout = QVBoxLayout(central)
    field = QLineEdit()
    layout.addWidget(field)
    layout.addWidget(QLineEdit())  # a second field: the focus is a real choice
    window.setCentralWidget(central)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=WAIT_MS)
    handle = window.windowHandle()
    assert handle is not None

    clock = FakeClock()
    wedge = KeyboardWedge(**wedge_options)  # type: ignore[arg-type]
    scans: list[str] = []
    returns: list[str] = []
    wedge.scanned.connect(scans.append)
    field.returnPressed.connect(lambda: returns.append(field.text()))
    wedge.install()
    try:
        yield Station(window, field, handle, wedge, clock, scans, returns)
    finally:
        wedge.remove()


@pytest.fixture
def station(qtbot: QtBot) -> Iterator[Station]:
    with _station(qtbot) as station:
        yield station


def _settle(qtbot: QtBot, station: Station) -> None:
    """Lets the wedge's real gap timer run out, so nothing is still held back."""
    qtbot.wait(station.wedge.gap_ms * 4)


# -- keyboard wedge -----------------------------------------------------------------------------


def test_a_burst_ended_by_enter_is_one_scan_and_never_reaches_the_field(
    qtbot: QtBot, station: Station
) -> None:
    with qtbot.waitSignal(station.wedge.scanned, timeout=WAIT_MS) as blocker:
        scanner_burst(station.handle, "ABC-12345", station.clock)
    assert blocker.args == ["ABC-12345"]
    _settle(qtbot, station)
    assert station.scans == ["ABC-12345"]
    assert station.field.text() == ""
    assert station.returns == []  # the scanner's Enter was swallowed with the scan


@pytest.mark.parametrize("gs", ["text", "ctrl", "ctrl+text", "alt"])
def test_a_gs1_scan_keeps_its_aim_identifier_and_gs_separators(
    qtbot: QtBot, station: Station, gs: GsForm
) -> None:
    with qtbot.waitSignal(station.wedge.scanned, timeout=WAIT_MS) as blocker:
        scanner_burst(station.handle, GS1_SCAN, station.clock, gs=gs)
    assert blocker.args == [GS1_SCAN]
    _settle(qtbot, station)
    assert station.scans == [GS1_SCAN]
    assert station.field.text() == ""


def test_caps_lock_does_not_change_the_scanned_letters(qtbot: QtBot, station: Station) -> None:
    code = "]C1Lot-Ab12cd"
    with qtbot.waitSignal(station.wedge.scanned, timeout=WAIT_MS) as blocker:
        scanner_burst(station.handle, code, station.clock, caps_lock=True)
    assert blocker.args == [code]


def test_a_burst_without_suffix_ends_on_the_real_gap_timer(qtbot: QtBot, station: Station) -> None:
    with qtbot.waitSignal(station.wedge.scanned, timeout=WAIT_MS) as blocker:
        scanner_burst(station.handle, "SN-0001", station.clock, suffix=False)
    assert blocker.args == ["SN-0001"]
    assert station.field.text() == ""


def test_posted_key_events_through_the_event_loop_make_one_scan(qtbot: QtBot, station: Station) -> None:
    """The platform's path: events queued, delivered by the event loop to the window, then the widget."""
    with qtbot.waitSignal(station.wedge.scanned, timeout=WAIT_MS) as blocker:
        scanner_burst(station.handle, GS1_SCAN, post=True)
    assert blocker.args == [GS1_SCAN]
    _settle(qtbot, station)
    assert station.scans == [GS1_SCAN]
    assert station.field.text() == ""


def test_each_scan_is_emitted_once_although_the_filter_sees_each_key_at_several_stages(
    qtbot: QtBot, station: Station
) -> None:
    class Stages(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.text() == GS:
                self.seen.append(watched.metaObject().className())
            return False

    stages = Stages()
    app = QCoreApplication.instance()
    assert app is not None
    app.installEventFilter(stages)
    try:
        # With capture off, one GS press travels window -> line edit (which drops it) -> its parents.
        station.wedge.enabled = False
        type_char(station.handle, GS, clock=station.clock)
        assert len(stages.seen) >= 3, stages.seen
        assert stages.seen[:2] == ["QWidgetWindow", "QLineEdit"]
        station.wedge.enabled = True

        for code in ("FIRST-001", GS1_SCAN, "THIRD-003"):
            scanner_burst(station.handle, code, station.clock)
            station.clock.advance(1.0)
        _settle(qtbot, station)
    finally:
        app.removeEventFilter(stages)
    assert station.scans == ["FIRST-001", GS1_SCAN, "THIRD-003"]
    assert station.field.text() == ""


def test_keys_sent_straight_to_a_widget_are_left_alone(qtbot: QtBot, station: Station) -> None:
    """Only the window stage counts: keys that code sends to a widget (qtbot.keyClicks) are not captured."""
    qtbot.keyClicks(station.field, "ABC-12345")  # no clock advance: as fast as a scanner
    _settle(qtbot, station)
    assert station.field.text() == "ABC-12345"
    assert station.scans == []


def test_typing_at_human_speed_reaches_the_field_and_enter_after_it_too(
    qtbot: QtBot, station: Station
) -> None:
    type_like_a_person(qtbot, station.handle, "hello", station.clock)
    qtbot.waitUntil(lambda: station.field.text() == "hello", timeout=WAIT_MS)
    with qtbot.waitSignal(station.field.returnPressed, timeout=WAIT_MS):
        enter(station.handle, clock=station.clock)
    assert station.returns == ["hello"]
    assert station.scans == []


def test_enter_right_after_the_last_typed_key_comes_after_that_key(qtbot: QtBot, station: Station) -> None:
    """The last key is still held back when Enter comes: it is replayed first, then Enter goes on."""
    type_like_a_person(qtbot, station.handle, "hell", station.clock)
    station.clock.advance(0.150)
    type_char(station.handle, "o", clock=station.clock)  # held while the wedge decides
    station.clock.advance(0.010)
    with qtbot.waitSignal(station.field.returnPressed, timeout=WAIT_MS):
        enter(station.handle, clock=station.clock)
    assert station.returns == ["hello"]
    assert station.scans == []


@pytest.mark.parametrize("with_enter", [False, True])
def test_a_short_fast_burst_is_typing_and_is_replayed_into_the_field(
    qtbot: QtBot, station: Station, with_enter: bool
) -> None:
    scanner_burst(station.handle, "ok", station.clock, suffix=with_enter)
    qtbot.waitUntil(lambda: station.field.text() == "ok", timeout=WAIT_MS)
    _settle(qtbot, station)
    assert station.scans == []
    assert station.returns == (["ok"] if with_enter else [])


def test_a_pause_longer_than_the_gap_splits_bursts_even_when_the_timer_could_not_fire(
    qtbot: QtBot, station: Station
) -> None:
    """A busy event loop: the clock says the gap passed before the next key, the timer never ran."""
    scanner_burst(station.handle, "LOT-77", station.clock, suffix=False)
    station.clock.advance(0.5)
    scanner_burst(station.handle, "ab", station.clock, suffix=False)
    assert station.scans == ["LOT-77"]  # decided when "a" arrived, before any timer
    qtbot.waitUntil(lambda: station.field.text() == "ab", timeout=WAIT_MS)
    assert station.scans == ["LOT-77"]


def test_an_input_method_commit_reaches_the_field_and_is_never_a_scan(qtbot: QtBot, station: Station) -> None:
    commit = QInputMethodEvent("", [])
    commit.setCommitString("批次")
    QCoreApplication.sendEvent(station.field, commit)
    assert station.field.text() == "批次"

    # A key still held back when the input method commits goes first: the text keeps its order.
    type_char(station.handle, "a", clock=station.clock)
    second = QInputMethodEvent("", [])
    second.setCommitString("号")
    QCoreApplication.sendEvent(station.field, second)
    assert station.field.text() == "批次a号"
    _settle(qtbot, station)
    assert station.scans == []

    with qtbot.waitSignal(station.wedge.scanned, timeout=WAIT_MS) as blocker:
        scanner_burst(station.handle, "ABC-12345", station.clock)
    assert blocker.args == ["ABC-12345"]
    assert station.field.text() == "批次a号"


def test_shortcuts_and_arrows_pass_and_keep_their_order_with_held_keys(
    qtbot: QtBot, station: Station
) -> None:
    # "a", "c" fast (held), then Left at once: the held keys are replayed before the arrow moves.
    scanner_burst(station.handle, "ac", station.clock, suffix=False)
    station.clock.advance(0.004)
    press(station.handle, int(Qt.Key.Key_Left), clock=station.clock)
    station.clock.advance(0.2)
    type_char(station.handle, "b", clock=station.clock)
    qtbot.waitUntil(lambda: station.field.text() == "abc", timeout=WAIT_MS)

    station.clock.advance(0.2)
    select_all = Qt.KeyboardModifier.ControlModifier
    press(station.handle, int(Qt.Key.Key_A), select_all, "\x01", clock=station.clock)
    assert station.field.selectedText() == "abc"
    assert station.scans == []


def test_a_held_down_key_is_typing_not_a_scan(qtbot: QtBot, station: Station) -> None:
    key, modifiers, text = int(Qt.Key.Key_X), Qt.KeyboardModifier.NoModifier, "x"
    press(station.handle, key, modifiers, text, clock=station.clock)
    for _ in range(8):  # autorepeat comes faster than the gap
        station.clock.advance(0.030)
        press(station.handle, key, modifiers, text, autorepeat=True, clock=station.clock)
    qtbot.waitUntil(lambda: station.field.text() == "x" * 9, timeout=WAIT_MS)
    _settle(qtbot, station)
    assert station.scans == []


def test_with_capture_switched_off_a_burst_is_plain_typing(qtbot: QtBot, station: Station) -> None:
    station.wedge.enabled = False
    scanner_burst(station.handle, "ABC-12345", station.clock)
    assert station.field.text() == "ABC-12345"
    assert station.returns == ["ABC-12345"]
    assert station.scans == []


def test_switching_capture_off_hands_held_keys_to_the_field(qtbot: QtBot, station: Station) -> None:
    scanner_burst(station.handle, "AB", station.clock, suffix=False)
    station.wedge.enabled = False
    assert station.field.text() == "AB"
    _settle(qtbot, station)
    assert station.scans == []


def test_a_configured_prefix_is_required_and_stripped(qtbot: QtBot) -> None:
    with _station(qtbot, prefix="#", suffix_keys=(Qt.Key.Key_Tab,)) as station:
        with qtbot.waitSignal(station.wedge.scanned, timeout=WAIT_MS) as blocker:
            scanner_burst(station.handle, "#]C1ABC123", station.clock, suffix=False)
            station.clock.advance(0.004)
            press(station.handle, int(Qt.Key.Key_Tab), Qt.KeyboardModifier.NoModifier, "\t", clock=station.clock)
        assert blocker.args == ["]C1ABC123"]
        assert QApplication.focusWidget() is station.field  # the scanner's Tab was swallowed

        station.clock.advance(1.0)
        scanner_burst(station.handle, "NOPREFIX", station.clock, suffix=False)
        qtbot.waitUntil(lambda: station.field.text() == "NOPREFIX", timeout=WAIT_MS)
        assert station.scans == ["]C1ABC123"]


# -- serial scanner -------------------------------------------------------------------------------


class PtyScanner:
    """A pseudo-terminal standing in for a USB-CDC scanner, behind a symlink that survives replugging."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.controller: int | None = None
        self.peripheral: int | None = None

    def plug(self) -> None:
        self.controller, self.peripheral = os.openpty()
        tty.setraw(self.peripheral)  # bytes as sent: no CR-to-LF, no echo, before the scanner opens it
        self.link.symlink_to(os.ttyname(self.peripheral))

    def send(self, data: bytes) -> None:
        assert self.controller is not None
        os.write(self.controller, data)

    def unplug(self) -> None:
        """The port disappears, and the open one fails its next read."""
        self.link.unlink(missing_ok=True)
        for fd in (self.peripheral, self.controller):
            if fd is not None:
                os.close(fd)
        self.controller = self.peripheral = None


@pytest.fixture
def device(tmp_path: Path) -> Iterator[PtyScanner]:
    device = PtyScanner(tmp_path / "ttyScanner")
    yield device
    device.unplug()


def _scanner_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("serial-scanner")]


@pytest.fixture
def scanner_threads_end() -> Iterator[None]:
    yield
    assert _scanner_threads() == []


def test_serial_lines_arrive_on_the_gui_thread_and_survive_replugging(
    qtbot: QtBot, device: PtyScanner, scanner_threads_end: None
) -> None:
    device.plug()
    scanner = SerialScanner(str(device.link), retry=0.05)
    received: list[tuple[str, bool, bool]] = []
    gui_thread = QCoreApplication.instance().thread()  # type: ignore[union-attr]

    def on_scan(line: str) -> None:  # a plain function: no receiver object to queue to
        received.append(
            (
                line,
                QThread.currentThread() is gui_thread,
                threading.current_thread() is threading.main_thread(),
            )
        )

    scanner.scanned.connect(on_scan)
    try:
        with qtbot.waitSignal(scanner.connected_changed, timeout=WAIT_MS) as blocker:
            scanner.start()
        assert blocker.args == [True]
        assert scanner.connected

        # Only once it is open: opening a port flushes what was waiting in it.
        device.send(b"SN-1\r\n" + GS1_SCAN.encode("latin-1") + b"\n")
        device.send(b"CR-ONLY\rSPLIT-")  # CR alone ends a line; a line may come in pieces
        device.send(b"LINE\r")
        device.send(b"\n\r\n")  # the LF of a split CRLF, and empty lines: nothing
        qtbot.waitUntil(lambda: len(received) == 4, timeout=WAIT_MS)
        assert [line for line, _, _ in received] == ["SN-1", GS1_SCAN, "CR-ONLY", "SPLIT-LINE"]
        assert all(on_gui and on_main for _, on_gui, on_main in received)

        with qtbot.waitSignal(scanner.connected_changed, timeout=WAIT_MS) as blocker:
            device.unplug()
        assert blocker.args == [False]
        assert not scanner.connected
        assert scanner.is_running()  # still trying to reopen

        with qtbot.waitSignal(scanner.connected_changed, timeout=WAIT_MS) as blocker:
            device.plug()
        assert blocker.args == [True]
        with qtbot.waitSignal(scanner.scanned, timeout=WAIT_MS) as blocker:
            device.send(b"SN-2\r\n")
        assert blocker.args == ["SN-2"]
        assert received[-1] == ("SN-2", True, True)
    finally:
        scanner.stop()
    assert not scanner.is_running()
    assert not scanner.connected


def test_stop_ends_a_scanner_blocked_in_a_read(
    qtbot: QtBot, device: PtyScanner, scanner_threads_end: None
) -> None:
    device.plug()
    scanner = SerialScanner(str(device.link), read_timeout=60.0)  # only stop() can end this read
    with qtbot.waitSignal(scanner.connected_changed, timeout=WAIT_MS):
        scanner.start()
    qtbot.wait(50)  # let the thread enter its read
    with qtbot.waitSignal(scanner.connected_changed, timeout=WAIT_MS) as blocker:
        scanner.stop()
    assert blocker.args == [False]
    assert not scanner.is_running()


def test_stop_ends_a_scanner_waiting_for_its_device(tmp_path: Path, scanner_threads_end: None) -> None:
    scanner = SerialScanner(str(tmp_path / "missing"), retry=60.0)  # only stop() can end this wait
    scanner.start()
    assert scanner.is_running()
    assert not scanner.connected
    scanner.stop()
    assert not scanner.is_running()
