"""A station for a screen test: a real window, worker, runner and preview printer on the test plant.

`station("PRD-01", OPERATOR)` logs the badge in (argon2 check included) and gives the harness the
screen tests drive: `harness.show(screen)` puts a screen in the window, `harness.scan(text)` hands
it a scan the way the shell does, `harness.wait_banner(tone)` waits for the database's answer.
Labels land as PNG files in `harness.labels` (the preview printer), to be decoded back;
documents (packing lists) in `harness.documents`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Widgets are real Qt widgets, drawn offscreen: the machines that run the tests have no display.
# Set when a Qt test folder's conftest.py imports this module, before pytest-qt makes the QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pytestqt.qtbot import QtBot

from demo.plant import PEOPLE
from desktop.runner import StationRunner
from desktop.worker import DatabaseWorker
from models.auth import Operator, authenticate
from printing.settings import PrinterSettings
from tests.support import Plant
from ui.station_screen import StationScreen
from ui.station_window import StationWindow
from ui.widgets.feedback import Tone

PINS = {person.badge: person.pin for person in PEOPLE}
ANSWER_MS = 10_000  # a generous wait for the worker's answer: never a timing assertion


@dataclass
class StationHarness:
    qtbot: QtBot
    plant: Plant
    code: str
    window: StationWindow
    worker: DatabaseWorker
    runner: StationRunner
    labels: Path
    documents: Path
    operator: Operator | None
    language: str = "en_US"
    screen: StationScreen | None = None
    messages: list[tuple[str, str]] = field(default_factory=list)  # (tone, text), every banner shown

    def show(self, screen: StationScreen) -> StationScreen:
        self.window.add_screen(screen)
        self.window.show_screen(screen)
        self.screen = screen
        screen.activate()
        self.idle()
        return screen

    def scan(self, text: str, tone: Tone | None = None) -> str:
        """Hand the screen a scan; with `tone`, wait for the answer in that tone and return its text."""
        assert self.screen is not None
        count = len(self.messages)
        self.screen.scanned(text)
        if tone is None:
            return ""
        return self.wait_banner(tone, after=count)

    def wait_banner(self, tone: Tone, *, after: int | None = None) -> str:
        """Wait until a banner in `tone` appears (after the `after`-th message), and return its text.

        A banner in another final tone (OK when ERROR was expected, or the reverse) fails at once
        with its text, so a test never times out on the wrong answer.
        """
        start = len(self.messages) if after is None else after
        final = {Tone.OK.value, Tone.ERROR.value}

        def answered() -> bool:
            return any(shown in final or shown == tone.value for shown, _ in self.messages[start:])

        self.qtbot.waitUntil(answered, timeout=ANSWER_MS)
        for shown, text in self.messages[start:]:
            if shown == tone.value:
                return text
            if shown in final:
                raise AssertionError(f"expected a {tone.value} banner, got {shown}: {text}")
        raise AssertionError("unreachable")

    def idle(self) -> None:
        """Wait until the worker has answered everything submitted so far (reads included)."""
        self.qtbot.waitUntil(lambda: not self.worker._pending, timeout=ANSWER_MS)

    def errors(self) -> list[str]:
        return [text for tone, text in self.messages if tone == Tone.ERROR.value]


@pytest.fixture
def station(plant: Plant, qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., StationHarness]]:
    made: list[StationHarness] = []

    def make(code: str, badge: str | None, *, language: str = "en_US") -> StationHarness:
        window = StationWindow(code, "", language)
        qtbot.addWidget(window)
        worker = DatabaseWorker(plant.db, window)
        operator = authenticate(plant.db, badge, PINS[badge]) if badge else None
        labels = tmp_path / f"labels-{code}"
        labels.mkdir(exist_ok=True)
        documents = tmp_path / f"documents-{code}"
        settings = PrinterSettings.from_mapping({"driver": "preview"}, preview_folder=labels)
        harness: StationHarness

        def current_operator() -> Operator | None:
            return harness.operator

        runner = StationRunner(
            plant.db,
            worker,
            code,
            show=window.show_result,
            operator=current_operator,
            language=lambda: harness.language,
            printer=lambda: settings,
            documents=lambda: documents,
            parent=window,
        )
        harness = StationHarness(
            qtbot, plant, code, window, worker, runner, labels, documents, operator, language
        )
        window.banner.shown.connect(lambda tone, text: harness.messages.append((tone, text)))
        window.set_operator(operator.name if operator else None)
        window.show()
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.worker.wait()
