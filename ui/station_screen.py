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
- `runner.long(work, done, failed, on_progress=...)` runs long work (a big trace, a recall export)
  on the worker: `work(db, progress)` reports how far it got and stops at the next batch once the
  operator cancels (`Progress.check()` raises `Cancelled`); the returned `Job` cancels it.
- `runner.print_label(code, done)` records the job, draws and sends the label on the worker;
  `runner.save_document(name, render, done)` renders a document (PDF bytes) there and saves it.

One thing at a time: a screen hands each scan and key to `enqueue(job)`, and the jobs run in the
order they came, each ended by `done()` whatever its answer, so a scan is handled in the state the
scans and keys before it left, a failed job never jams the queue, and a login drops what the last
operator left queued (`drop_jobs`). `read` and `act` on the screen are the runner's, bound to the
job running: an answer to a dropped job is not shown (`bound` does the same for any other answer).

Command barcodes (a printed sheet beside the scanner) let an operator confirm, cancel and close
without a keyboard: a scan of one of `Command`'s values is a command, never looked up as a code.
"""

from __future__ import annotations

from collections import deque
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
    CONFIRM_SHORT = "#CONFIRM-SHORT"  # ship short: answers only the short-shipment question, never Enter's


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


class Cancelled(Exception):
    """Long work stopped because the operator cancelled it: nothing of it is kept."""


class Progress(Protocol):
    """Handed to long work on the worker: report how far it got, stop when cancelled."""

    def report(self, done: int, total: int | None = None) -> None: ...

    @property
    def cancelled(self) -> bool: ...

    def check(self) -> None:
        """Raise `Cancelled` if the operator cancelled: call between batches."""
        ...


class Job(Protocol):
    """Long work as its screen holds it: to cancel it."""

    def cancel(self) -> None: ...


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

    @property
    def operator_name(self) -> str | None:
        """The logged-in operator's printed name (a signature shows whose it is), None if nobody."""
        ...

    @property
    def documents(self) -> Path:
        """The station's documents folder: where saved documents and exports go."""
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

    def long(
        self,
        work: Callable[[Database, Progress], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None] | None = None,
        *,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> Job:
        """Long work on the worker (Anki's QueryOp.with_progress): `on_progress(done, total)` on
        the GUI thread as it goes; a cancelled job fails with `Cancelled`, which is not refused
        on the banner (the operator asked for it): the screen's `failed` says so where it wants."""
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

    def neutral(self, text: str) -> None:
        """A plain answer, neither green nor red (a trace cancelled, a pick list offered)."""
        ...

    def message(self, error: Exception) -> str:
        """What a failure says to the operator, in the operator's language (details to the log)."""
        ...


class StationScreen(QWidget):
    """A screen the shell shows after login and hands every scan to.

    Subclasses build their widgets, put every visible text in `retranslate()` (called again on a
    language switch), handle `scanned(text)` (usually `self.enqueue(lambda: self._scan(text))`) and
    reload what they show in `refresh()`. Every job they enqueue ends with `self.done()`.
    """

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._jobs: deque[Callable[[], None]] = deque()
        self._busy = False
        self._job = 0  # the number of the job running (or last run): an answer to another is stale

    def title(self) -> str:
        """The screen's name in the operator's language, for the window header."""
        raise NotImplementedError

    def scanned(self, text: str) -> None:
        raise NotImplementedError

    def activate(self) -> None:
        """Shown after a login: the operator (and so the roles and the language) may have changed."""
        self.drop_jobs()
        self.refresh()

    def language_switched(self) -> None:
        """The operator's language changed: texts follow Qt's LanguageChange (`retranslate`); what a
        screen shows by language from its data (item names) follows here."""

    def refresh(self) -> None:
        """Reload from the database what the screen shows (through runner.read)."""

    def retranslate(self) -> None:
        """Every visible text again, in the language now installed."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- one thing at a time ---------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A job is running: what comes now waits its turn."""
        return self._busy

    def enqueue(self, job: Callable[[], None]) -> None:
        """Run `job` after those before it; it (or its answer) ends with `done()`."""
        self._jobs.append(job)
        self._run_next()

    def drop_jobs(self) -> None:
        """A login: what was queued or half answered belongs to the operator before. An answer still
        to come for it is dropped (see `bound`), so nothing holds the queue."""
        self._job += 1
        self._jobs.clear()
        self._busy = False

    def done(self, *_answer: object) -> None:
        """The end of every job, answered or refused: `job_ended()`, then the next job waiting."""
        self._busy = False
        self.job_ended()
        self._run_next()

    def job_ended(self) -> None:
        """After each job: where the prompt and the focus go (a screen's own)."""

    def read(
        self,
        work: Callable[[Database], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None] | None = None,
    ) -> None:
        """runner.read for the job running: its answer ends the job even if handling it fails
        (`failed` defaults to ending it; the runner has said why)."""
        self.runner.read(work, self.bound(done), self.bound(failed or self.done))

    def act(
        self,
        operation: Callable[..., T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None] | None = None,
        /,
        **kwargs: Any,
    ) -> None:
        """runner.act for the job running: its answer ends the job even if handling it fails."""
        self.runner.act(operation, self.bound(done), self.bound(failed or self.done), **kwargs)

    def _run_next(self) -> None:
        while self._jobs and not self._busy:
            self._busy = True
            self._job += 1
            number, job = self._job, self._jobs.popleft()
            try:
                job()
            except Exception as error:  # a fault must not hold every scan after it
                self._broken(number, error)

    def bound(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        """`callback` bound to the job running: not called once a login dropped that job, and a
        fault in it is said and ends the job (for answers that come another way than read and act,
        such as a label's print answer)."""
        number = self._job

        def answered(value: Any) -> None:
            if number != self._job:
                return  # its job was dropped at a login: the screen has moved on
            try:
                callback(value)
            except Exception as error:
                self._broken(number, error)

        return answered

    def _broken(self, number: int, error: Exception) -> None:
        """A fault in a job or in handling its answer: said (details in the log), and the job ended
        unless it ended already, so the next scan is answered."""
        self.runner.refuse(self.runner.message(error))  # the runner logs what is not a refusal
        if self._busy and number == self._job:
            self.job_broken()
            self.done()

    def job_broken(self) -> None:
        """A job failed on a fault: forget what it meant to do next (a screen's own)."""


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
