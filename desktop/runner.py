"""The station's `Runner` (ui/station_screen.py): how a screen reaches the database and the printer.

Every read, long read and action goes through the one DatabaseWorker, so the GUI thread never
waits; nothing else in the application submits work to it. `WorkRunner.ask` is the plain form for
what answers in its own place rather than on the banner (the login form, the first-run dialog,
the start-up check), and all that a station without a database yet needs. An
action gets a new client action id here, from the logged-in operator and this station, so a screen
cannot record one under someone else or twice; its unknown outcome is settled by that id
(desktop/worker.py). Every refusal is answered the same way on every screen: the red banner with
the sentence for it in the operator's language and the error sound, before the screen's own
`failed` callback runs.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer

from desktop.labels import Printed, print_unit_label, send_job
from desktop.sounds import Sounds
from desktop.worker import Busy, DatabaseWorker, Offline, OutcomeUnknown, Progress, Task
from models.actions import Actor
from models.auth import Operator
from models.db import Database
from models.errors import DomainError
from models.schema import PrintJobStatus, Role
from models.stations import station_id
from printing.settings import PrinterSettings
from ui.messages import domain_message, offline_message
from ui.station_screen import Cancelled, PrintAnswer
from ui.widgets.feedback import Tone

T = TypeVar("T")
log = logging.getLogger(__name__)


class NotLoggedIn(Exception):
    """An action asked for while nobody is logged in (a logout or the idle lock came first)."""


# What an action changes, announced after it succeeds so other views refresh.
UNITS = frozenset({"units"})
PRINT_JOBS = frozenset({"print_jobs"})


class WorkRunner(QObject):
    """Work off the GUI thread on the one worker, answered on the GUI thread."""

    def __init__(self, worker: DatabaseWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker

    def ask(
        self, work: Callable[[], T], done: Callable[[T], None], failed: Callable[[Exception], None]
    ) -> None:
        """Run `work` on the worker; its failure is the caller's to say, in its own place (a login
        form, a dialog), not on the station's banner."""
        self.worker.submit(work, done, failed)


class StationRunner(WorkRunner):
    def __init__(
        self,
        db: Database,
        worker: DatabaseWorker,
        station_code: str,
        *,
        show: Callable[[Tone, str], None],
        operator: Callable[[], Operator | None],
        language: Callable[[], str],
        printer: Callable[[], PrinterSettings],
        documents: Callable[[], Path],
        sounds: Sounds | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(worker, parent)
        self.db = db
        self.station_code = station_code
        self._show = show
        self._operator = operator
        self._language = language
        self._printer = printer
        self._documents = documents
        self._sounds = sounds
        self._station_id: int | None = None  # looked up on the worker at the first action

    # --- what the screen reads ---------------------------------------------------------------

    @property
    def language(self) -> str:
        return self._language()

    @property
    def roles(self) -> frozenset[Role]:
        operator = self._operator()
        return operator.roles if operator is not None else frozenset()

    @property
    def operator_name(self) -> str | None:
        operator = self._operator()
        return operator.name if operator is not None else None

    @property
    def documents(self) -> Path:
        return self._documents()

    # --- the database ------------------------------------------------------------------------

    def read(
        self,
        work: Callable[[Database], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None] | None = None,
    ) -> None:
        db = self.db
        self.worker.submit(lambda: work(db), done, self._on_error(failed))

    def long(
        self,
        work: Callable[[Database, Progress], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None] | None = None,
        *,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> Task:
        """Long work, cancellable between batches: a cancel is no refusal (the operator asked
        for it), so only the screen's `failed` hears of it."""
        db = self.db
        on_error = self._on_error(failed)

        def on_failure(error: Exception) -> None:
            if isinstance(error, Cancelled):
                if failed is not None:
                    failed(error)
            else:
                on_error(error)

        return self.worker.submit_long(
            lambda progress: work(db, progress), done, on_failure, on_progress=on_progress
        )

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
        """`action_id`: the id of an earlier try of this same action (its outcome was unknown), so a
        retry is answered with what was recorded instead of recording it again."""
        actor = self._actor(action_id)
        if actor is None:
            self._later(self._on_error(failed), NotLoggedIn())
            return
        db = self.db

        def work() -> T:
            return operation(db, self._stamped(actor), **kwargs)

        self.worker.submit(work, done, self._on_error(failed), changes=UNITS, action_id=actor.action_id)

    # --- the printer -------------------------------------------------------------------------

    def print_label(self, unit_code: str, done: Callable[[PrintAnswer], None] | None = None) -> None:
        """`done` always runs: with the label sent, or not sent and why (refused, printer down)."""
        actor = self._actor()
        if actor is None:
            self._later(self._print_failed(unit_code, None, done), NotLoggedIn())
            return
        db, settings = self.db, self._printer()

        def work() -> Printed:
            return print_unit_label(db, self._stamped(actor), unit_code, settings)

        self.worker.submit(
            work,
            lambda printed: self._printed(unit_code, printed, done, settings),
            self._print_failed(unit_code, None, done),
            changes=PRINT_JOBS,
            action_id=actor.action_id,
        )

    def resend(self, job_id: int, unit_code: str, done: Callable[[PrintAnswer], None] | None = None) -> None:
        db, settings = self.db, self._printer()
        self.worker.submit(
            lambda: send_job(db, job_id, settings),
            lambda printed: self._printed(unit_code, printed, done, settings),
            self._print_failed(unit_code, job_id, done),
            changes=PRINT_JOBS,
        )

    def _print_failed(
        self, unit_code: str, job_id: int | None, done: Callable[[PrintAnswer], None] | None
    ) -> Callable[[Exception], None]:
        def failed(error: Exception) -> None:
            message = self.message(error)
            self.refuse(message)
            if done is not None:
                done(PrintAnswer(unit_code, job_id, False, message))

        return failed

    def _printed(
        self,
        unit_code: str,
        printed: Printed,
        done: Callable[[PrintAnswer], None] | None,
        settings: PrinterSettings,
    ) -> None:
        """The banner says which label went where in the operator's words (the printer, or a
        preview file); what was sent how, or the printer's own error, is English for the log."""
        sent = printed.status is not PrintJobStatus.FAILED
        preview = settings.driver == "preview"
        if sent:
            log.info("label %s printed (job %s): %s", unit_code, printed.job_id, printed.detail)
            if preview:
                message = self.tr("Label {0} printed to a preview file.").format(unit_code)
            else:
                message = self.tr("Label {0} printed on {1}.").format(unit_code, printed.printer)
            self.ok(message)
        else:
            log.warning("label %s not printed (job %s): %s", unit_code, printed.job_id, printed.detail)
            if preview:
                message = self.tr("Label {0} NOT printed: check the preview folder and resend it.").format(
                    unit_code
                )
            else:
                message = self.tr("Label {0} NOT printed on {1}. Check the printer and resend it.").format(
                    unit_code, printed.printer
                )
            self.refuse(message)
        if done is not None:
            done(PrintAnswer(unit_code, printed.job_id, sent, message))

    def save_document(
        self, file_name: str, render: Callable[[], bytes], done: Callable[[Path], None] | None = None
    ) -> None:
        folder = self._documents()
        if Path(file_name).name != file_name:
            raise ValueError(f"a document's name, not a path: {file_name!r}")

        def work() -> Path:
            content = render()
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / file_name
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(content)
            partial.replace(path)  # a reader never sees half a document
            return path

        def saved(path: Path) -> None:
            self.ok(self.tr("Saved {0}").format(str(path)))
            if done is not None:
                done(path)

        self.worker.submit(work, saved, self._on_error(None))

    # --- the banner --------------------------------------------------------------------------

    def ok(self, text: str) -> None:
        self._show(Tone.OK, text)
        if self._sounds is not None:
            self._sounds.ok()

    def refuse(self, text: str) -> None:
        self._show(Tone.ERROR, text)
        if self._sounds is not None:
            self._sounds.error()

    def pending(self, text: str) -> None:
        self._show(Tone.PENDING, text)

    def neutral(self, text: str) -> None:
        self._show(Tone.NEUTRAL, text)

    def message(self, error: Exception) -> str:
        """What a failure says to the operator, in the operator's language."""
        if isinstance(error, DomainError):
            return domain_message(error)
        if isinstance(error, Offline):
            return offline_message()
        if isinstance(error, OutcomeUnknown):
            return self.tr("Connection lost: whether it was recorded is checked when the database is back.")
        if isinstance(error, Busy):
            return self.tr("The database is busy (another station holds what this needs): try again.")
        if isinstance(error, NotLoggedIn):
            return self.tr("Nobody is logged in: log in first.")
        # Not a refusal the operator can act on: the details (SQL, a traceback) are for the log.
        log.error("station %s: %s", self.station_code, error, exc_info=error)
        return self.tr("Failed ({0}): nothing more was done. Tell a supervisor if it happens again.").format(
            type(error).__name__
        )

    # --- inside --------------------------------------------------------------------------------

    def _actor(self, action_id: str | None = None) -> Actor | None:
        operator = self._operator()
        if operator is None:
            return None
        # The station's id is not known on the GUI thread yet: 0 until _stamped looks it up.
        if action_id is not None:
            return Actor(operator.user_id, self._station_id or 0, action_id)
        return Actor.new(operator.user_id, self._station_id or 0)

    def _later(self, call: Callable[[Exception], None], error: Exception) -> None:
        """A failure known at once, answered on the next turn of the event loop like any other."""
        QTimer.singleShot(0, self, functools.partial(call, error))

    def _stamped(self, actor: Actor) -> Actor:
        """On the worker: the actor with this station's id (looked up once, by code)."""
        if self._station_id is None:
            self._station_id = station_id(self.db, self.station_code)
        return Actor(actor.user_id, self._station_id, actor.action_id)

    def _on_error(self, failed: Callable[[Exception], None] | None) -> Callable[[Exception], None]:
        def on_error(error: Exception) -> None:
            self.refuse(self.message(error))
            if failed is not None:
                failed(error)

        return on_error
