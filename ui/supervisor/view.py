"""The supervisor's and quality engineer's window: trace one code, or count a recall and act on it.

Two pages. "Trace" is ui/supervisor/trace_view.py: any code, its card with hold / release / scrap,
the trees, the genealogy picture, the timeline and the inspections. "Recall" starts from what the
engineer knows (recall_scope.py: codes, a supplier or one of its lots, a work order, a machine or
an operator within a time window), shows the impact (impact_view.py: counts by place, the chart,
the customers, the exports: recall_exports.py) and offers to hold everything affected that has not
shipped, in one signed action.

A station screen like the others: the shell hands it the runner and every scan. A trace is long
work on the worker (backward, forward, the timeline and the picture's layout together), cancellable
between batches and replaced by a newer question; a code naming several units comes back as a pick
list. Hold, release, scrap and the hold of a whole recall are signed: the signer's PIN is asked in
signature.py and checked by the operation in its own transaction (models/quality.py), so a wrong PIN
is refused and counted like a wrong login, and the record keeps who signed, when, and what it meant.

A scan goes to the page shown: on "Trace" it is traced, on "Recall" it is one more starting code.
F3 and F4 switch pages, so the keyboard alone reaches both.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models import quality
from models.db import Database
from models.errors import DomainError, ErrorCode
from models.history import History, history
from models.impact import ImpactScope, ScopeChoices, recall_choices
from models.overview import plant_timezone
from models.trace import Trace, TraceCancelled, TraceNode, backward, forward
from ui.station_screen import TOUCH_TARGET, Cancelled, Job, Progress, Runner, StationScreen
from ui.supervisor.genealogy_layout import Picture, lay_out
from ui.supervisor.impact_view import ImpactView
from ui.supervisor.recall_exports import RecallExports
from ui.supervisor.recall_scope import ScopeForm
from ui.supervisor.signature import (
    SignatureDialog,
    Signed,
    hold_affected_meaning,
    hold_meaning,
    release_meaning,
    scrap_meaning,
)
from ui.supervisor.trace_view import TraceView

TRACE_PAGE, RECALL_PAGE = 0, 1


@dataclass(frozen=True)
class Found:
    code: str
    backward: Trace
    forward: Trace
    timeline: History | None
    picture: Picture


@dataclass(frozen=True)
class Ambiguous:
    """The code names several units: the answer is a pick list, not a refusal."""

    error: DomainError


def trace_everything(db: Database, code: str, progress: Progress) -> Found | Ambiguous:
    """On the worker: both trees, the timeline and the picture of `code`; stops once cancelled."""

    def cancelled() -> bool:
        return progress.cancelled

    try:
        back = backward(db, code, cancel=cancelled)
        ahead = forward(db, code, cancel=cancelled)
    except TraceCancelled as stopped:
        raise Cancelled() from stopped
    except DomainError as error:
        if error.code is ErrorCode.AMBIGUOUS_CODE:
            return Ambiguous(error)
        raise
    progress.check()
    try:
        timeline: History | None = history(db, code)
    except DomainError as error:
        # A shipment or a work order traces the units it names; the timeline is a unit's.
        if error.code is not ErrorCode.NOTHING_TO_TRACE:
            raise
        timeline = None
    progress.check()
    return Found(code, back, ahead, timeline, lay_out(back, ahead))


class SupervisorView(StationScreen):
    """Trace and recall, each action through the runner like every station screen."""

    recall_shown = Signal(object)  # the ImpactScope whose summary is on screen (None: none)

    def __init__(self, runner: Runner, zone: dt.tzinfo | None = None, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self.setObjectName("supervisor")
        language = runner.language
        self.trace_view = TraceView(language=language, zone=zone)
        self.scope_form = ScopeForm(zone=zone)
        self.impact_view = ImpactView(language=language)
        self.exports = RecallExports(runner, self.impact_view, describe=self.scope_form.describe, parent=self)
        self.hold_affected_button = QPushButton()
        self.hold_affected_button.setObjectName("holdAffected")
        self.hold_affected_button.setMinimumHeight(TOUCH_TARGET)
        self.hold_affected_button.setEnabled(False)
        self.shown_scope: ImpactScope | None = None
        self._tracing: Job | None = None
        self._asked = 0  # the number of the latest trace asked for: older answers are dropped

        recall = QWidget()
        layout = QVBoxLayout(recall)
        layout.addWidget(self.scope_form)
        layout.addWidget(self.impact_view, 1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.hold_affected_button)
        layout.addLayout(actions)
        # The form, the counts, the chart and the customers are taller than a station's screen:
        # the page scrolls instead of forcing the window past the screen's height.
        scroller = QScrollArea()
        scroller.setObjectName("recallPage")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(recall)
        self.pages = QTabWidget()
        self.pages.addTab(self.trace_view, "")
        self.pages.addTab(scroller, "")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self.trace_view.trace_requested.connect(self.trace)
        self.trace_view.cancel_requested.connect(self.cancel_trace)
        self.trace_view.save_requested.connect(self.save)
        self.trace_view.action_requested.connect(self.act_on_unit)
        self.scope_form.scope_requested.connect(self.count_recall)
        self.exports.shown.connect(self._recall_shown)
        self.hold_affected_button.clicked.connect(self.hold_affected)
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, self.show_trace)
        QShortcut(QKeySequence(Qt.Key.Key_F4), self, self.show_recall)
        self.setFocusProxy(self.trace_view)
        self.retranslate()

    # --- StationScreen ---------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Trace and recall")

    def scanned(self, text: str) -> None:
        if self.pages.currentIndex() == RECALL_PAGE:
            self.scope_form.add_code(text)
        else:
            self.trace_view.scanned(text)  # asks for the trace: trace_requested

    def activate(self) -> None:
        """After a login: the plant's time zone and the recall form's completions."""
        super().activate()
        self.language_switched()
        self.runner.read(lambda db: (plant_timezone(db), recall_choices(db)), self._choices, self._no_choices)

    def language_switched(self) -> None:
        """Item and customer names follow the operator's language (texts follow LanguageChange)."""
        self.trace_view.set_language(self.runner.language)
        self.impact_view.set_language(self.runner.language)

    def retranslate(self) -> None:
        self.pages.setTabText(TRACE_PAGE, self.tr("Trace (F3)"))
        self.pages.setTabText(RECALL_PAGE, self.tr("Recall (F4)"))
        self.hold_affected_button.setText(self.tr("Hold everything affected that has not shipped…"))

    # --- pages -----------------------------------------------------------------------------------

    def set_zone(self, zone: dt.tzinfo) -> None:
        """The plant's time zone: times are shown and typed on its wall clock, whatever this PC's."""
        self.trace_view.zone = zone
        self.scope_form.zone = zone
        self.exports.zone = zone
        self.scope_form.reset_window()

    def show_trace(self) -> None:
        self.pages.setCurrentIndex(TRACE_PAGE)
        self.trace_view.setFocus()

    def show_recall(self) -> None:
        self.pages.setCurrentIndex(RECALL_PAGE)
        self.scope_form.codes.setFocus()

    # --- traces ----------------------------------------------------------------------------------

    def trace(self, code: str) -> None:
        """Backward, forward, the timeline and the picture of `code`, on the worker; cancellable."""
        if self._tracing is not None:
            self._tracing.cancel()  # a new question: the old answer is not wanted any more
        self._asked += 1
        self.trace_view.set_busy(True)
        self.runner.pending(self.tr("Tracing {0}…").format(code))
        self._tracing = self.runner.long(
            functools.partial(_trace_work, code),
            functools.partial(self._traced, self._asked),
            functools.partial(self._trace_failed, self._asked),
        )

    def cancel_trace(self) -> None:
        if self._tracing is not None:
            self._tracing.cancel()

    def _traced(self, asked: int, found: Found | Ambiguous) -> None:
        if asked != self._asked:
            return  # an older trace, answered after a newer one was asked for
        view = self.trace_view
        self._tracing = None
        if isinstance(found, Ambiguous):
            self.runner.neutral(self.runner.message(found.error))
            view.show_choices([str(code) for code in found.error.params.get("candidates", [])])
            return
        view.show_backward(found.backward)
        view.show_forward(found.forward)
        view.show_picture(found.picture)
        if found.timeline is not None:
            view.show_history(found.timeline)
        view.set_busy(False)
        self.runner.ok(self.tr("Traced {0}").format(found.code))

    def _trace_failed(self, asked: int, error: Exception) -> None:
        if asked != self._asked:
            return
        view = self.trace_view
        self._tracing = None
        if isinstance(error, Cancelled):
            view.show_error(self.tr("Cancelled."))
            self.runner.neutral(self.tr("Trace cancelled."))
            return
        view.show_error(self.runner.message(error))

    def save(self, name: str, render: Callable[[], bytes]) -> None:
        self.runner.save_document(name, render)

    # --- signed actions --------------------------------------------------------------------------

    def act_on_unit(self, action: str, unit: TraceNode) -> None:
        """Hold, release or scrap the unit on the card, once its signer has signed."""
        signer = self.runner.operator_name
        if signer is None:
            return
        code = unit.code
        partial_lot = action == "scrap" and unit.kind == "LOT"
        meaning = {"hold": hold_meaning, "release": release_meaning, "scrap": scrap_meaning}[action](code)
        retrace = functools.partial(self._acted, code)

        def send(signed: Signed, failed: Callable[[Exception], None]) -> None:
            if action == "hold":
                self.runner.act(
                    quality.hold, retrace, failed, unit_code=code, reason=signed.reason, pin=signed.pin
                )
            elif action == "release":
                self.runner.act(
                    quality.release_hold,
                    retrace,
                    failed,
                    unit_code=code,
                    reason=signed.reason,
                    pin=signed.pin,
                )
            else:
                self.runner.act(
                    quality.scrap,
                    retrace,
                    failed,
                    unit_code=code,
                    reason=signed.reason,
                    pin=signed.pin,
                    quantity=signed.quantity,
                )

        self._sign(meaning, signer, send, quantity_uom=unit.uom if partial_lot else None)

    def _sign(
        self,
        meaning: str,
        signer: str,
        send: Callable[[Signed, Callable[[Exception], None]], None],
        *,
        quantity_uom: str | None = None,
        earlier: Signed | None = None,
        problem: str = "",
    ) -> None:
        """Ask for the signature and send the signed action. The PIN is checked by the operation in
        its own transaction; when it refuses the PIN (WRONG_PIN), the dialog opens again with the
        reason and quantity as typed and says why, so the signer types only the PIN again. Opened
        after the refusal's answer has been handled (a timer), never inside the worker's answer."""
        signed = SignatureDialog.ask(
            self.window(), meaning, signer, quantity_uom=quantity_uom, earlier=earlier, problem=problem
        )
        if signed is None:
            return

        def failed(error: Exception) -> None:
            if isinstance(error, DomainError) and error.code is ErrorCode.WRONG_PIN:
                again = functools.partial(
                    self._sign,
                    meaning,
                    signer,
                    send,
                    quantity_uom=quantity_uom,
                    earlier=signed,
                    problem=self.runner.message(error),
                )
                QTimer.singleShot(0, self, again)  # with its receiver: never after the view is gone

        send(signed, failed)

    def _acted(self, code: str, result: object) -> None:
        self.runner.ok(self.tr("Signed and recorded for {0}.").format(code))
        self.trace(code)  # the card, the trees and the timeline as they are now

    def count_recall(self, scope: ImpactScope) -> None:
        self.exports.show(scope)

    def hold_affected(self) -> None:
        scope, signer = self.shown_scope, self.runner.operator_name
        if scope is None or signer is None or self.impact_view.summary is None:
            return
        meaning = hold_affected_meaning(self.scope_form.describe(scope))

        def send(signed: Signed, failed: Callable[[Exception], None]) -> None:
            self.runner.act(
                quality.hold_affected,
                functools.partial(self._held, scope),
                failed,
                scope=scope,
                reason=signed.reason,
                pin=signed.pin,
            )

        self._sign(meaning, signer, send)

    def _held(self, scope: ImpactScope, result: quality.AffectedHoldResult) -> None:
        skipped = sum(result.skipped.values())
        self.runner.ok(
            self.tr("Held {0} units; {1} left as they are (shipped, used or already held).").format(
                result.held, skipped
            )
        )
        self.exports.show(scope)  # the counts as they are now

    def _recall_shown(self, scope: ImpactScope | None) -> None:
        """The impact on screen is the one of `scope` (None: none, or no longer valid)."""
        self.shown_scope = scope
        self.hold_affected_button.setEnabled(scope is not None)
        self.recall_shown.emit(scope)

    # --- plumbing --------------------------------------------------------------------------------

    def _choices(self, found: tuple[ZoneInfo, ScopeChoices]) -> None:
        zone, choices = found
        self.set_zone(zone)
        self.scope_form.set_choices(choices.suppliers, choices.equipment, choices.operators)

    def _no_choices(self, error: Exception) -> None:
        """Completions are a convenience: without them the form still takes typed codes; say why."""
        self.scope_form.problem.setText(self.runner.message(error))


def _trace_work(code: str, db: Database, progress: Progress) -> Found | Ambiguous:
    return trace_everything(db, code, progress)
