"""Scan capture: a wedge burst is one `scanned` signal, typing still types, serial lines survive replugging.

Keys are real QKeyEvents sent to the window handle, as the platform delivers them (see keys.py),
stamped by a fake clock the test advances: the wedge times bursts by the events' timestamps, so a
burst is a burst however busy the machine. Real waits are only used where a person's pace, the
wedge's real end-of-burst timers or a blocked GUI thread is the point.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
import tty
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, QTimer, Slot
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop.scanner import KeyboardWedge, SerialScanner
from tests.desktop.keys import (
    GS,
    FakeClock,
    GsForm,
    enter,
    key_of,
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
            press(
                station.handle, int(Qt.Key.Key_Tab), Qt.KeyboardModifier.NoModifier, "\t", clock=station.clock
            )
        assert blocker.args == ["]C1ABC123"]
        assert QApplication.focusWidget() is station.field  # the scanner's Tab was swallowed

        station.clock.advance(1.0)
        scanner_burst(station.handle, "NOPREFIX", station.clock, suffix=False)
        qtbot.waitUntil(lambda: station.field.text() == "NOPREFIX", timeout=WAIT_MS)
        assert station.scans == ["]C1ABC123"]


# -- a loaded station: keys delivered late, back to back, around a blocked GUI thread -------------

_STALL = QEvent.Type(QEvent.registerEventType())
GS_FORMS: tuple[GsForm, ...] = ("text", "ctrl", "ctrl+text", "alt")


@dataclass(frozen=True)
class Stroke:
    """One key as the platform stamps it: a character, "\\r" (Enter) or "\\t" (Tab), at `at_ms`."""

    at_ms: int
    char: str
    caps_lock: bool = False
    gs: GsForm = "text"


class LoadedStation(QObject):
    """Delivers strokes the way a loaded PC does, with the stamps of when they were pressed.

    Every stroke is queued before the wedge sees the first, so the wedge handles them late and back
    to back: a stall before each one. At the `stalls` positions the GUI thread is also blocked for
    real inside an event handler (a slow slot), while the keys after it wait in the platform's
    queue. Qt hands those over from an event source it runs after its timers, so when the handler
    returns, the wedge's gap timer (overdue by then) fires before the keys arrive. The test does the
    same: a timer started after the wedge's, and overdue with it, sends them.
    """

    def __init__(
        self, window: QWindow, strokes: Sequence[Stroke], stalls: Mapping[int, float], *, gap_ms: int
    ) -> None:
        super().__init__()
        self._window = window
        self._strokes = strokes
        cuts = sorted(index for index in stalls if 0 < index < len(strokes))
        self._segments = list(zip([0, *cuts], [*cuts, len(strokes)], strict=True))
        self._stalls = [stalls[index] for index in cuts]
        self._clock = FakeClock()
        self._next = 0
        self.blocked = 0.0  # seconds the GUI thread was really blocked
        # Started after the wedge's gap timer and a little longer: when both are overdue, the
        # wedge's fires first.
        self._platform = QTimer(self)
        self._platform.setSingleShot(True)
        self._platform.setTimerType(Qt.TimerType.PreciseTimer)
        self._platform.setInterval(gap_ms + 5)
        self._platform.timeout.connect(self._platform_delivers)

    def play(self) -> None:
        self._deliver(0, post=True)

    def _deliver(self, number: int, *, post: bool) -> None:
        start, end = self._segments[number]
        for stroke in self._strokes[start:end]:
            self._clock.now = stroke.at_ms / 1000
            if stroke.char == "\r":
                enter(self._window, post=post, clock=self._clock)
            elif stroke.char == "\t":
                tab = int(Qt.Key.Key_Tab)
                press(self._window, tab, Qt.KeyboardModifier.NoModifier, "\t", post=post, clock=self._clock)
            else:
                caps_lock, gs = stroke.caps_lock, stroke.gs
                type_char(self._window, stroke.char, caps_lock=caps_lock, gs=gs, post=post, clock=self._clock)
        if number + 1 < len(self._segments):
            self._next = number + 1
            QCoreApplication.postEvent(self, QEvent(_STALL))  # right after the segment's last key

    def event(self, event: QEvent) -> bool:
        if event.type() != _STALL:
            return super().event(event)
        seconds = self._stalls[self._next - 1]
        self._platform.start()
        time.sleep(seconds)  # the GUI thread is busy; the scanner is not
        self.blocked += seconds
        return True

    @Slot()
    def _platform_delivers(self) -> None:
        self._deliver(self._next, post=False)


def _scans_script(
    rng: random.Random, count: int, *, prefix: str = "", suffix: str | None = "\r", gap_ms: int = 40
) -> tuple[list[Stroke], list[str]]:
    """`count` scans of random codes, 2-10 ms per key by timestamp, more than the gap between scans."""
    strokes: list[Stroke] = []
    codes: list[str] = []
    at = 1_000_000
    for _ in range(count):
        code = _random_code(rng)
        codes.append(code)
        gs, caps_lock = rng.choice(GS_FORMS), rng.random() < 0.2
        for char in prefix + code:
            at += rng.randint(2, 10)
            strokes.append(Stroke(at, char, caps_lock, gs))
        if suffix is not None:
            at += rng.randint(2, 10)
            strokes.append(Stroke(at, suffix))
        at += rng.randint(gap_ms + 1, 1_500)
    return strokes, codes


def _random_code(rng: random.Random) -> str:
    digits = "0123456789"
    upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    lower = upper.lower()
    lot = "".join(rng.choices(upper + digits + "-", k=rng.randint(1, 10)))
    serial = "".join(rng.choices(upper + lower + digits, k=rng.randint(1, 12)))
    gtin = "".join(rng.choices(digits, k=14))
    kind = rng.randrange(4)
    if kind == 0:
        return f"SM2{''.join(rng.choices(digits, k=rng.randint(1, 9)))}"  # an internal serial
    if kind == 1:
        return f"]C101{gtin}10{lot}{GS}21{serial}"  # GS1-128, AIM identifier, a GS separator
    if kind == 2:
        return f"]Q3https://id.gs1.org/01/{gtin}/10/{lot}?s={serial}"  # GS1 Digital Link
    return f"]d2{GS}01{gtin}17261231{GS}10{lot}"  # DataMatrix with a leading FNC1 as GS


def _typing_script(rng: random.Random, count: int) -> tuple[list[Stroke], list[str]]:
    """`count` things a person types (quantities, reasons), 80-200 ms per key by timestamp, and Enter."""
    strokes: list[Stroke] = []
    typed: list[str] = []
    at = 1_000_000
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-"
    for _ in range(count):
        text = "".join(rng.choices(alphabet, k=rng.randint(1, 12)))
        typed.append(text)
        for char in [*text, "\r"]:
            at += rng.randint(80, 200)
            strokes.append(Stroke(at, char))
        at += rng.randint(300, 3_000)
    return strokes, typed


def _stalls(rng: random.Random, strokes: Sequence[Stroke], *, long: int, short: int) -> dict[int, float]:
    """Where the GUI thread blocks: `long` stalls of 50-500 ms and `short` ones of 50 ms."""
    positions = rng.sample(range(1, len(strokes)), long + short)
    return {
        position: rng.uniform(0.05, 0.5) if number < long else 0.05
        for number, position in enumerate(positions)
    }


def _play(station: Station, strokes: Sequence[Stroke], stalls: Mapping[int, float]) -> LoadedStation:
    """Starts delivering `strokes`; keep the result until they are all delivered (it posts the rest)."""
    loaded = LoadedStation(station.handle, strokes, stalls, gap_ms=station.wedge.gap_ms)
    station.field.returnPressed.connect(station.field.clear)  # each typed answer is taken
    loaded.play()
    return loaded


@pytest.mark.parametrize(
    ("options", "suffix", "count"),
    [
        ({}, "\r", 1_000),
        ({"suffix_keys": ()}, None, 1_000),
        ({"prefix": "#", "suffix_keys": (Qt.Key.Key_Tab,)}, "\t", 300),
    ],
    ids=["enter", "no-suffix", "prefix-tab"],
)
def test_a_thousand_scans_on_a_stalling_station_are_never_split_or_merged(
    qtbot: QtBot, options: dict[str, object], suffix: str | None, count: int
) -> None:
    """The bar: 1,000 bursts, all handled late and back to back, 15 of them around a GUI thread
    blocked 50-500 ms for real: exactly the 1,000 codes come out, in order, and nothing reaches the
    field."""
    rng = random.Random(f"scans-{suffix!r}")
    strokes, codes = _scans_script(rng, count, prefix=str(options.get("prefix", "")), suffix=suffix)
    with _station(qtbot, **options) as station:
        loaded = _play(station, strokes, _stalls(rng, strokes, long=3, short=12))
        qtbot.waitUntil(lambda: len(station.scans) >= len(codes), timeout=60_000)
        _settle(qtbot, station)
        assert station.scans == codes
        assert station.field.text() == ""
        assert station.returns == []
        assert loaded.blocked >= 15 * 0.05


def test_a_thousand_things_typed_at_human_pace_are_never_a_scan_even_delivered_back_to_back(
    qtbot: QtBot, station: Station
) -> None:
    """1,000 quantities and reasons typed 80-200 ms per key (by timestamp), handled late and back
    to back: not one scan, and every key reaches the field in order."""
    rng = random.Random("typing")
    strokes, typed = _typing_script(rng, 1_000)
    loaded = _play(station, strokes, _stalls(rng, strokes, long=2, short=8))
    qtbot.waitUntil(lambda: len(station.returns) >= len(typed), timeout=60_000)
    _settle(qtbot, station)
    assert station.scans == []
    assert station.returns == typed
    assert loaded.blocked >= 10 * 0.05


@pytest.mark.parametrize(
    ("options", "suffix", "gs"),
    [({}, "\r", "alt"), ({"suffix_keys": (), "prefix": "#"}, None, "ctrl+text")],
    ids=["enter-alt-gs", "prefix-no-suffix-ctrl-gs"],
)
def test_a_stall_anywhere_in_a_burst_does_not_split_it(
    qtbot: QtBot, options: dict[str, object], suffix: str | None, gs: GsForm
) -> None:
    """One GS1 scan for each position of its keys, with the GUI thread blocked right before that key:
    before the suffix, inside the prefix and the AIM identifier, around the GS."""
    code = GS1_SCAN
    prefix = str(options.get("prefix", ""))
    keys = [*(prefix + code), *([suffix] if suffix else [])]
    strokes: list[Stroke] = []
    stalls: dict[int, float] = {}
    at = 1_000_000
    for position in range(1, len(keys)):
        stalls[len(strokes) + position] = 0.05
        for number, char in enumerate(keys):
            at += 3 + number % 5
            strokes.append(Stroke(at, char, caps_lock=position % 2 == 0, gs=gs))
        at += 200
    with _station(qtbot, **options) as station:
        loaded = _play(station, strokes, stalls)
        count = len(keys) - 1
        qtbot.waitUntil(lambda: len(station.scans) >= count, timeout=60_000)
        _settle(qtbot, station)
        assert station.scans == [code] * count
        assert station.field.text() == ""
        assert station.returns == []
        assert loaded.blocked == pytest.approx(0.05 * count)


def test_without_waiting_for_the_queue_a_stall_would_split_the_scan(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: a wedge that decides as soon as its gap timer runs out splits these same scans,
    so the stalls above really leave keys queued behind an overdue timer."""
    monkeypatch.setattr(KeyboardWedge, "_gap_expired", KeyboardWedge._queue_drained)
    keys = list(GS1_SCAN)
    strokes = [Stroke(1_000_000 + 4 * number, char) for number, char in enumerate(keys)]
    with _station(qtbot, suffix_keys=()) as station:
        loaded = _play(station, strokes, {len(keys) // 2: 0.1})
        qtbot.waitUntil(lambda: len(station.scans) >= 2, timeout=WAIT_MS)
        assert station.scans == [GS1_SCAN[: len(keys) // 2], GS1_SCAN[len(keys) // 2 :]]
        assert loaded.blocked == pytest.approx(0.1)


def test_key_events_without_a_timestamp_are_timed_by_the_clock(qtbot: QtBot) -> None:
    """Events a program builds carry timestamp 0: the wedge times those when it handles them."""
    clock = FakeClock()
    with _station(qtbot) as station:
        station.wedge.remove()
        wedge = KeyboardWedge(clock=clock)
        wedge.scanned.connect(station.scans.append)
        wedge.install()
        try:
            for char in "SM2-55":
                key, modifiers, text = key_of(char)
                event = QKeyEvent(QEvent.Type.KeyPress, key, modifiers, text)
                assert event.timestamp() == 0
                QCoreApplication.sendEvent(station.handle, event)
                clock.advance(0.005)
            for char in "ab":
                clock.advance(0.150)
                key, modifiers, text = key_of(char)
                QCoreApplication.sendEvent(
                    station.handle, QKeyEvent(QEvent.Type.KeyPress, key, modifiers, text)
                )
            assert station.scans == ["SM2-55"]  # ended by the late "a", timed by the clock
            qtbot.waitUntil(lambda: station.field.text() == "ab", timeout=WAIT_MS)
        finally:
            wedge.remove()


def test_a_key_stamped_within_the_gap_of_a_burst_already_ended_is_logged(
    qtbot: QtBot, station: Station, caplog: pytest.LogCaptureFixture
) -> None:
    scanner_burst(station.handle, "SM2-77", station.clock, suffix=False)
    qtbot.waitUntil(lambda: station.scans == ["SM2-77"], timeout=WAIT_MS)
    station.clock.advance(0.004)  # pressed in the burst, reaching the wedge after its timers
    with caplog.at_level(logging.WARNING, logger="desktop.scanner"):
        type_char(station.handle, "8", clock=station.clock)
    assert "split" in caplog.text


# -- property: any mix of scans, typing and stalls ------------------------------------------------

_CODE_CHARS = "ABCXYZabcxyz0189-./:]#%" + GS


@dataclass(frozen=True)
class _Scan:
    code: str
    gs: GsForm
    caps_lock: bool
    step_ms: int


@dataclass(frozen=True)
class _Typed:
    text: str
    pace_ms: int


_items = st.one_of(
    st.builds(
        _Scan,
        code=st.text(alphabet=_CODE_CHARS, min_size=4, max_size=24),
        gs=st.sampled_from(GS_FORMS),
        caps_lock=st.booleans(),
        step_ms=st.integers(2, 10),
    ),
    st.builds(
        _Typed, text=st.text(alphabet="abcXYZ019 -", min_size=1, max_size=6), pace_ms=st.integers(80, 200)
    ),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    items=st.lists(_items, min_size=1, max_size=6),
    pauses=st.lists(st.integers(41, 2_000), min_size=6, max_size=6),
    stall_at=st.lists(st.integers(0, 10_000), max_size=2),
)
def test_scans_and_typing_in_any_order_and_stalls_anywhere(
    qtbot: QtBot, station: Station, items: list[_Scan | _Typed], pauses: list[int], stall_at: list[int]
) -> None:
    """Whatever comes, scans come out whole and once, and what a person typed reaches the field."""
    _settle(qtbot, station)  # the previous example is over
    station.scans.clear()
    station.returns.clear()
    station.field.clear()
    strokes: list[Stroke] = []
    at = round(station.clock() * 1000)
    for item, pause in zip(items, pauses, strict=False):
        at += pause
        if isinstance(item, _Scan):
            for char in [*item.code, "\r"]:
                at += item.step_ms
                strokes.append(Stroke(at, char, item.caps_lock, item.gs))
        else:
            for char in [*item.text, "\r"]:
                at += item.pace_ms
                strokes.append(Stroke(at, char))
    station.clock.now = (at + 1_000) / 1000
    # A stall before any key but the first (before the first, nothing is held yet).
    stalls = {1 + position % (len(strokes) - 1): 0.05 for position in stall_at}
    scans = [item.code for item in items if isinstance(item, _Scan)]
    typed = [item.text for item in items if isinstance(item, _Typed)]
    loaded = _play(station, strokes, stalls)
    try:
        qtbot.waitUntil(lambda: len(station.scans) + len(station.returns) >= len(items), timeout=WAIT_MS * 2)
        _settle(qtbot, station)
    finally:
        station.field.returnPressed.disconnect(station.field.clear)
    assert loaded.blocked == pytest.approx(0.05 * len(stalls))
    assert station.scans == scans
    assert station.returns == typed


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
