"""Database work off the GUI thread: one worker thread, results delivered back on the GUI thread.

Writes are serialised on the single worker (each operation opens its own session); the result or
the exception comes back through a queued signal, so screens only ever touch widgets from the GUI
thread and the event loop never waits on the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Outcome(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], outcome: _Outcome) -> None:
        super().__init__()
        self.work = work
        self.outcome = outcome

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as error:  # handed to the caller's on_error on the GUI thread
            self.outcome.failed.emit(error)
        else:
            self.outcome.done.emit(result)


class DatabaseWorker(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending: set[_Outcome] = set()

    def submit(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        outcome = _Outcome(self)  # lives in the GUI thread: its signals are queued back to it
        self._pending.add(outcome)

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            self._pending.discard(outcome)
            outcome.deleteLater()
            callback(value)

        outcome.done.connect(lambda value: finish(on_done, value))
        outcome.failed.connect(lambda error: finish(on_error, error))
        self._pool.start(_Job(work, outcome))

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the queue is empty (application shutdown and tests only)."""
        return self._pool.waitForDone(msecs)
