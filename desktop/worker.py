"""Database work off the GUI thread: one worker, results and errors delivered on the GUI thread.

Every domain operation runs on a single worker thread (writes are serialised; each operation opens
its own session), and its result or its exception comes back through a queued signal, so screens
only ever touch widgets from the GUI thread and the event loop never waits on the database (Anki's
CollectionOp is the model). After a write the worker announces what changed, and screens refresh
themselves. Long work gets a `Progress` to report through and to ask whether it was cancelled.

The worker also knows whether the database is reachable. A probe on a thread of its own asks the
server every few seconds, so the status shows red before the next scan fails, and while it is red
every submission is refused at once with `Offline`: nothing recorded, nothing waiting. An action
that lost its connection while it ran may or may not have committed; it fails with
`OutcomeUnknown`, and once the database is back its action id is looked up and the answer
(`Settled`: recorded or not recorded) is announced, never guessed.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from models.actions import lookup_action
from models.db import Database
from ui.station_screen import Cancelled  # beside the Runner protocol: screens catch it

__all__ = [
    "Busy",
    "Cancelled",
    "DatabaseWorker",
    "Offline",
    "OutcomeUnknown",
    "Progress",
    "Settled",
    "Task",
    "is_busy",
]

R = TypeVar("R")

PROBE_INTERVAL_MS = 2_000


class Offline(Exception):
    """The database cannot be reached: the action was not sent, so nothing was recorded."""


class Busy(Exception):
    """The database was too busy to answer in time (a lock held elsewhere, a deadlock, a statement
    over the station's timeout): the transaction rolled back, nothing was recorded; try again."""


# PostgreSQL's answers that mean "not now", not "gone": deadlock, serialization failure, lock
# not available (lock_timeout), query cancelled (statement_timeout).
BUSY_CODES = frozenset({"40P01", "40001", "55P03", "57014"})


def is_busy(error: Exception) -> bool:
    if not isinstance(error, DBAPIError) or error.connection_invalidated:
        return False
    if getattr(error.orig, "pgcode", None) in BUSY_CODES:
        return True
    message = str(error.orig).lower()  # SQLite after its busy timeout
    return "database is locked" in message or "database is busy" in message


class OutcomeUnknown(Exception):
    """The connection went away while the action ran: it is looked up when the database is back."""

    def __init__(self, action_id: str, cause: Exception) -> None:
        super().__init__(f"action {action_id}: connection lost ({cause.__class__.__name__})")
        self.action_id = action_id


@dataclass(frozen=True)
class Settled:
    """What became of an action whose outcome was unknown: looked up by its action id."""

    action_id: str
    recorded: bool
    result: Any  # the stored result when recorded (JSON form), else None


class Task:
    """One submitted operation, as its caller holds it: to cancel long work."""

    def __init__(self, number: int) -> None:
        self.number = number
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Relay(QObject):
    """Carries what happens on the worker and the probe threads back to the GUI thread.

    One long-lived object, not one per task: a per-task QObject whose slots are closures over the
    worker makes a cycle that crashes PySide when the worker is destroyed with a task pending.
    """

    done = Signal(int, object)
    failed = Signal(int, object)
    progress = Signal(int, int, object)  # task, done, total (None when unknown)
    probed = Signal(bool, object, object)  # reachable, [Settled], error


class Progress:
    """Handed to long work on the worker: report how far it got, stop when cancelled."""

    def __init__(self, task: Task, relay: _Relay) -> None:
        self._task = task
        self._relay = relay

    def report(self, done: int, total: int | None = None) -> None:
        self._relay.progress.emit(self._task.number, done, total)

    @property
    def cancelled(self) -> bool:
        return self._task.cancelled

    def check(self) -> None:
        """Raise `Cancelled` if the operator cancelled: call between batches."""
        if self._task.cancelled:
            raise Cancelled()


@dataclass
class _Pending:
    on_done: Callable[[Any], None]
    on_error: Callable[[Exception], None]
    on_progress: Callable[[int, int | None], None] | None
    changes: frozenset[str]
    action_id: str | None


class _Run(QRunnable):
    def __init__(self, work: Callable[[], Any], task: Task, relay: _Relay) -> None:
        super().__init__()
        self.work = work
        self.task = task
        self.relay = relay

    def run(self) -> None:
        if self.task.cancelled:
            self.relay.failed.emit(self.task.number, Cancelled())
            return
        try:
            result = self.work()
        except Exception as error:  # handed to the caller's on_error on the GUI thread
            self.relay.failed.emit(self.task.number, error)
        else:
            self.relay.done.emit(self.task.number, result)


class DatabaseWorker(QObject):
    """The one way screens reach the database."""

    online_changed = Signal(bool)
    changed = Signal(object)  # frozenset[str]: what a write changed ("units", "print_jobs", ...)
    settled = Signal(object)  # Settled

    def __init__(
        self,
        db: Database | None = None,
        parent: QObject | None = None,
        *,
        probe_interval_ms: int = PROBE_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._probes = QThreadPool(self)  # its own thread: a long operation never delays the status
        self._probes.setMaxThreadCount(1)
        self._pending: dict[int, _Pending] = {}
        self._numbers = itertools.count(1)
        self._online = True
        self._probing = False
        self._unsettled: list[str] = []
        self._relay = _Relay(self)
        self._relay.done.connect(self._done)
        self._relay.failed.connect(self._failed)
        self._relay.progress.connect(self._progress)
        self._relay.probed.connect(self._probed)
        self._timer = QTimer(self)
        self._timer.setInterval(probe_interval_ms)
        self._timer.timeout.connect(self.probe)
        if db is not None:
            self._timer.start()

    @property
    def online(self) -> bool:
        return self._online

    def submit(
        self,
        work: Callable[[], R],
        on_done: Callable[[R], None],
        on_error: Callable[[Exception], None],
        *,
        changes: Iterable[str] = (),
        action_id: str | None = None,
    ) -> Task:
        """Run `work` on the worker; `on_done` or `on_error` runs on the GUI thread.

        A write names what it `changes` (announced after it succeeds) and its `action_id`, so an
        unknown outcome can be settled later.
        """
        return self._start(
            lambda task: work(), _Pending(on_done, on_error, None, frozenset(changes), action_id)
        )

    def submit_long(
        self,
        work: Callable[[Progress], R],
        on_done: Callable[[R], None],
        on_error: Callable[[Exception], None],
        *,
        on_progress: Callable[[int, int | None], None] | None = None,
        changes: Iterable[str] = (),
        action_id: str | None = None,
    ) -> Task:
        """Long work: it is handed a `Progress`; the returned task can be cancelled."""
        pending = _Pending(on_done, on_error, on_progress, frozenset(changes), action_id)
        return self._start(lambda task: work(Progress(task, self._relay)), pending)

    def _start(self, work: Callable[[Task], Any], pending: _Pending) -> Task:
        task = Task(next(self._numbers))
        self._pending[task.number] = pending
        if not self._online:
            # Refused at once, not queued behind a connection attempt: the operator must know now.
            QTimer.singleShot(0, self._relay, functools.partial(self._failed, task.number, Offline()))
            return task
        self._pool.start(_Run(functools.partial(work, task), task, self._relay))
        return task

    def _done(self, number: int, value: Any) -> None:
        pending = self._pending.pop(number)
        pending.on_done(value)
        if pending.changes:
            self.changed.emit(pending.changes)

    def _failed(self, number: int, error: Exception) -> None:
        pending = self._pending.pop(number)
        if is_busy(error):
            error = Busy(str(error))  # an answer from a server that is there: not offline
        elif self._connection_lost(error):
            if pending.action_id is not None:
                self._unsettled.append(pending.action_id)
                error = OutcomeUnknown(pending.action_id, error)
            else:
                error = Offline(str(error))
            self._set_online(False)
        pending.on_error(error)

    def _progress(self, number: int, done: int, total: int | None) -> None:
        pending = self._pending.get(number)
        if pending is not None and pending.on_progress is not None:
            pending.on_progress(done, total)

    def _connection_lost(self, error: Exception) -> bool:
        """A server that went away (PostgreSQL); SQLite's busy or locked file is not that."""
        if not isinstance(error, DBAPIError):
            return False
        if error.connection_invalidated:
            return True
        backend = self.db.engine.dialect.name if self.db is not None else ""
        return backend == "postgresql" and isinstance(error, OperationalError | InterfaceError)

    # --- the status probe ----------------------------------------------------------------------

    def probe(self) -> None:
        """Ask the server now (the timer asks every few seconds); the answer comes back queued."""
        if self.db is None or self._probing:
            return
        self._probing = True
        db = self.db
        unsettled = list(self._unsettled) if not self._online else []
        relay = self._relay

        def ask() -> None:
            try:
                with db.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                settled = [_settle(db, action_id) for action_id in unsettled]
            except Exception as error:  # any failure to reach it: still (or now) offline
                relay.probed.emit(False, [], error)
            else:
                relay.probed.emit(True, settled, None)

        self._probes.start(ask)

    def _probed(self, reachable: bool, settled: list[Settled], error: Exception | None) -> None:
        self._probing = False
        if not reachable:
            if error is not None and self._online and not self._connection_lost(error):
                return  # a probe that failed for another reason says nothing about the server
            self._set_online(False)
            return
        for answer in settled:
            self._unsettled.remove(answer.action_id)
            self.settled.emit(answer)
        self._set_online(True)

    def _set_online(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self.online_changed.emit(online)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the queue is empty (application shutdown and tests only)."""
        self._timer.stop()
        return self._pool.waitForDone(msecs) and self._probes.waitForDone(msecs)


def _settle(db: Database, action_id: str) -> Settled:
    recorded = lookup_action(db, action_id)
    if recorded is None:
        return Settled(action_id, False, None)
    return Settled(action_id, True, recorded.result)
