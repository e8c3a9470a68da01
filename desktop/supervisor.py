"""The supervisor station's desk: what answers the supervisor window (ui/supervisor/view.py).

Traces run as long work on the database worker (backward, forward, the timeline and the genealogy
picture's layout together), cancellable between batches; a code naming several units comes back as
a pick list. A recall is counted and exported by desktop/recall_export.py. Hold, release, scrap and
the hold of a whole recall are signed: the signer's PIN is asked in ui/supervisor/signature.py and checked by
the operation in its own transaction (models/quality.py), so a wrong PIN is refused and counted
like a wrong login, and the record keeps who signed, when, and what the signature meant.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject

from desktop.recall_export import RecallExports
from desktop.runner import StationRunner
from desktop.worker import Cancelled, DatabaseWorker, Progress, Task
from models import quality
from models.auth import Operator
from models.db import Database
from models.errors import DomainError, ErrorCode
from models.history import History, history
from models.impact import ImpactScope, ScopeChoices, recall_choices
from models.overview import plant_timezone
from models.trace import Trace, TraceCancelled, TraceNode, backward, forward
from ui.messages import domain_message, offline_message
from ui.station_window import StationWindow
from ui.supervisor.genealogy_layout import Picture, lay_out
from ui.supervisor.signature import (
    SignatureDialog,
    hold_affected_meaning,
    hold_meaning,
    release_meaning,
    scrap_meaning,
)
from ui.supervisor.view import SupervisorView
from ui.widgets.feedback import Tone

Found = tuple[str, Trace, Trace, History | None, Picture]


class SupervisorDesk(QObject):
    def __init__(
        self,
        db: Database,
        worker: DatabaseWorker,
        runner: StationRunner,
        window: StationWindow,
        view: SupervisorView,
        *,
        operator: Callable[[], Operator | None],
        documents: Callable[[], Path],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.runner = runner
        self.window = window
        self.view = view
        self._operator = operator
        self._tracing: Task | None = None
        self._asked = 0  # the number of the latest trace asked for: older answers are dropped
        self.exports = RecallExports(
            db,
            worker,
            view.impact_view,
            folder=documents,
            language=runner_language(runner),
            describe=view.scope_form.describe,
            message=runner.message,
            parent=self,
        )
        trace_view = view.trace_view
        trace_view.trace_requested.connect(self.trace)
        trace_view.cancel_requested.connect(self.cancel_trace)
        trace_view.save_requested.connect(self.save)
        trace_view.action_requested.connect(self.act_on_unit)
        view.scope_form.scope_requested.connect(self.count_recall)
        view.hold_affected_requested.connect(self.hold_affected)
        self.exports.shown.connect(view.recall_shown)

    def activate(self) -> None:
        """After a login: the plant's time zone and the recall form's completions."""
        db = self.db
        self.worker.submit(lambda: (plant_timezone(db), recall_choices(db)), self._choices, self._no_choices)

    # --- traces ----------------------------------------------------------------------------------

    def trace(self, code: str) -> None:
        """Backward, forward, the timeline and the picture of `code`, on the worker; cancellable."""
        view = self.view.trace_view
        if not self.worker.online:
            view.show_error(offline_message())
            self.runner.refuse(offline_message())
            return
        if self._tracing is not None:
            self._tracing.cancel()  # a new question: the old answer is not wanted any more
        self._asked += 1
        view.set_busy(True)
        self.runner.pending(self.tr("Tracing {0}…").format(code))
        db = self.db

        def work(progress: Progress) -> Found:
            def cancelled() -> bool:
                return progress.cancelled

            back = backward(db, code, cancel=cancelled)
            ahead = forward(db, code, cancel=cancelled)
            progress.check()
            try:
                timeline = history(db, code)
            except DomainError as error:
                # A shipment or a work order traces the units it names; the timeline is a unit's.
                if error.code is not ErrorCode.NOTHING_TO_TRACE:
                    raise
                timeline = None
            progress.check()
            return code, back, ahead, timeline, lay_out(back, ahead)

        self._tracing = self.worker.submit_long(
            work,
            functools.partial(self._traced, self._asked),
            functools.partial(self._trace_failed, self._asked),
        )

    def cancel_trace(self) -> None:
        if self._tracing is not None:
            self._tracing.cancel()

    def _traced(self, asked: int, found: Found) -> None:
        if asked != self._asked:
            return  # an older trace, answered after a newer one was asked for
        view = self.view.trace_view
        self._tracing = None
        code, back, ahead, timeline, picture = found
        view.show_backward(back)
        view.show_forward(ahead)
        view.show_picture(picture)
        if timeline is not None:
            view.show_history(timeline)
        view.set_busy(False)
        self.runner.ok(self.tr("Traced {0}").format(code))

    def _trace_failed(self, asked: int, error: Exception) -> None:
        if asked != self._asked:
            return
        view = self.view.trace_view
        self._tracing = None
        if isinstance(error, Cancelled | TraceCancelled):
            view.show_error(self.tr("Cancelled."))
            self.window.show_result(Tone.NEUTRAL, self.tr("Trace cancelled."))
            return
        if isinstance(error, DomainError) and error.code is ErrorCode.AMBIGUOUS_CODE:
            self.window.show_result(Tone.NEUTRAL, domain_message(error))
            view.show_choices([str(code) for code in error.params.get("candidates", [])])
            return
        message = self.runner.message(error)
        self.runner.refuse(message)
        view.show_error(message)

    def save(self, name: str, render: Callable[[], bytes]) -> None:
        self.runner.save_document(name, render)

    # --- signed actions --------------------------------------------------------------------------

    def act_on_unit(self, action: str, unit: TraceNode) -> None:
        """Hold, release or scrap the unit on the card, once its signer has signed."""
        operator = self._operator()
        if operator is None:
            return
        code = unit.code
        partial_lot = action == "scrap" and unit.kind == "LOT"
        meaning = {"hold": hold_meaning, "release": release_meaning, "scrap": scrap_meaning}[action](code)
        signed = SignatureDialog.ask(
            self.window, meaning, operator.name, quantity_uom=unit.uom if partial_lot else None
        )
        if signed is None:
            return
        retrace = functools.partial(self._acted, code)
        if action == "hold":
            self.runner.act(quality.hold, retrace, None, unit_code=code, reason=signed.reason, pin=signed.pin)
        elif action == "release":
            self.runner.act(
                quality.release_hold, retrace, None, unit_code=code, reason=signed.reason, pin=signed.pin
            )
        else:
            self.runner.act(
                quality.scrap,
                retrace,
                None,
                unit_code=code,
                reason=signed.reason,
                pin=signed.pin,
                quantity=signed.quantity,
            )

    def _acted(self, code: str, result: object) -> None:
        self.runner.ok(self.tr("Signed and recorded for {0}.").format(code))
        self.trace(code)  # the card, the trees and the timeline as they are now

    def count_recall(self, scope: ImpactScope) -> None:
        if not self.worker.online:
            self.view.impact_view.show_error(offline_message())
            return
        self.exports.show(scope)

    def hold_affected(self, scope: ImpactScope) -> None:
        operator = self._operator()
        if operator is None or self.view.impact_view.summary is None:
            return
        meaning = hold_affected_meaning(self.view.scope_form.describe(scope))
        signed = SignatureDialog.ask(self.window, meaning, operator.name)
        if signed is None:
            return
        self.runner.act(
            quality.hold_affected,
            functools.partial(self._held, scope),
            None,
            scope=scope,
            reason=signed.reason,
            pin=signed.pin,
        )

    def _held(self, scope: ImpactScope, result: quality.AffectedHoldResult) -> None:
        skipped = sum(result.skipped.values())
        self.runner.ok(
            self.tr("Held {0} units; {1} left as they are (shipped, used or already held).").format(
                result.held, skipped
            )
        )
        self.exports.show(scope)  # the counts as they are now

    # --- plumbing --------------------------------------------------------------------------------

    def _choices(self, found: tuple[ZoneInfo, ScopeChoices]) -> None:
        zone, choices = found
        self.view.set_zone(zone)
        self.view.scope_form.set_choices(choices.suppliers, choices.equipment, choices.operators)

    def _no_choices(self, error: Exception) -> None:
        """Completions are a convenience: without them the form still takes typed codes; say why."""
        self.view.scope_form.problem.setText(self.runner.message(error))


def runner_language(runner: StationRunner) -> Callable[[], str]:
    return functools.partial(getattr, runner, "language")
