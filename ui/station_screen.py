"""What every station screen is handed, and what it offers the shell.

A station screen (receiving, production, packing, shipping) is a view: it never opens a session and
never imports desktop/. The composition root hands it a `Runner`, the one way to the database, the
printer and the banner, and passes it every scan through `scanned(text)` while it is shown.

- `runner.read(work, done)` runs `work(db)` on the database worker and calls `done(answer)` on the
  GUI thread; `runner.act(operation, done, **kwargs)` runs one operator action, `operation(db,
  actor, **kwargs)`, with a new client action id (one action, one transaction, never twice).
  A refusal is shown by the runner (red banner, its sentence in the operator's language, the error
  sound) before the screen's own `failed` callback runs, so no screen can forget to say why.
- `runner.ok(text)` is the green banner and the OK sound: the screen calls it when the database has
  answered, never before.
- `runner.print_label(code, done)` records the job, draws and sends the label on the worker;
  `runner.save_document(name, render, done)` renders a document (PDF bytes) there and saves it.

Command barcodes (a printed sheet beside the scanner) let an operator confirm, cancel and close
without a keyboard: a scan of one of `Command`'s values is a command, never looked up as a code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QWidget

from models.db import Database
from models.schema import Role

T = TypeVar("T")

TOUCH_TARGET = 48  # px: every button an operator presses with a gloved finger


class Command(StrEnum):
    """The command barcodes of the station sheet (Code 128 of these texts)."""

    CONFIRM = "#CONFIRM"  # confirm what the screen is asking (the same as Enter on the keyboard)
    CANCEL = "#CANCEL"  # drop what is half-entered on the screen; nothing recorded is undone
    CLOSE = "#CLOSE"  # close the open carton or pallet (packing)
    REMOVE = "#REMOVE"  # the next scan removes that unit instead of adding it (shipping)


def command(text: str) -> Command | None:
    """The command a scan is, or None for a code to look up."""
    try:
        return Command(text.strip().upper())
    except ValueError:
        return None


@dataclass(frozen=True)
class PrintAnswer:
    """What became of a label: `sent` (with where to), or not sent and why; the job can be resent."""

    unit_code: str
    job_id: int | None
    sent: bool
    detail: str


class Runner(Protocol):
    """What desktop/ hands a screen (desktop/runner.py is the station's)."""

    @property
    def language(self) -> str:
        """The operator's language now ("zh_CN" or "en_US"): item names follow it."""
        ...

    @property
    def station_code(self) -> str:
        """This station's code: what a screen reads for its own station (open cartons, labels owed)."""
        ...

    @property
    def roles(self) -> frozenset[Role]:
        """The logged-in operator's roles: what the screen offers (QUALITY releases lots...)."""
        ...

    def read(
        self,
        work: Callable[[Database], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None] | None = None,
    ) -> None: ...

    def act(
        self,
        operation: Callable[..., T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None] | None = None,
        /,
        *,
        action_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`action_id`: reuse an earlier try's id (its outcome unknown) so it is never recorded twice."""
        ...

    def print_label(self, unit_code: str, done: Callable[[PrintAnswer], None] | None = None) -> None:
        """`done` always runs, with the label sent or not sent and why."""
        ...

    def resend(
        self, job_id: int, unit_code: str, done: Callable[[PrintAnswer], None] | None = None
    ) -> None: ...

    def save_document(
        self, file_name: str, render: Callable[[], bytes], done: Callable[[Path], None] | None = None
    ) -> None:
        """Render a document (a packing list's PDF) on the worker and save it in the station's
        documents folder; `done` gets the file."""
        ...

    def ok(self, text: str) -> None: ...

    def refuse(self, text: str) -> None: ...

    def pending(self, text: str) -> None: ...


class StationScreen(QWidget):
    """A screen the shell shows after login and hands every scan to.

    Subclasses build their widgets, put every visible text in `retranslate()` (called again on a
    language switch), handle `scanned(text)` and reload what they show in `refresh()`.
    """

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner

    def title(self) -> str:
        """The screen's name in the operator's language, for the window header."""
        raise NotImplementedError

    def scanned(self, text: str) -> None:
        raise NotImplementedError

    def activate(self) -> None:
        """Shown after a login: the operator (and so the roles and the language) may have changed."""
        self.refresh()

    def refresh(self) -> None:
        """Reload from the database what the screen shows (through runner.read)."""

    def retranslate(self) -> None:
        """Every visible text again, in the language now installed."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def parse_quantity(text: str) -> Decimal | None:
    """A typed quantity, or None when it is not a plain positive-or-zero number (the screen says so).

    Accepts the decimal comma some keyboards give and the full-width digits a Chinese IME types.
    """
    cleaned = text.strip().translate(_FULL_WIDTH).replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    return value


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
