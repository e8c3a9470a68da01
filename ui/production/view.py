"""Production (投料 / 报工): feed material to a work order and report its routing steps, by scanning.

The operator scans a work order: the card shows what it makes and how far it is, the BOM table
what each component needs, has had and still needs, the routing table each step's progress. The
mode (F1 feed, F3/F4 the previous/next step, or the list) says what the next scan means:

- Feed (the default): a scanned material lot is fed at once. The quantity is the one typed in the
  Quantity field if any (it then clears: it was for that lot), else what the lot's BOM line still
  needs, at most what the lot holds (worked out by models.production.feed in its own
  transaction, never from the tables shown, which may be stale). One scan, one feed, answered
  green or red at once; the operator types only to feed less or more than that. A line already
  fed in full is refused unless a quantity is typed. Untracked components (screws) are never
  scanned, and serialized ones go into each unit at the assembly step, so the table says so.
- A step of a lot-tracked item (the compound's MIX, QC): good and scrap quantities and, with scrap,
  its reason (refused before anything is sent without one), then Enter or #CONFIRM. F8 puts what
  every mandatory step has reported good into stock as a new lot, after the ConfirmStrip question,
  and prints its label.
- A step of a serialized item (the meter's ASSY, CAL, TEST, VIS): scan the unit. A step that
  measures nothing records it at once; one that measures shows its fields with their limits, and
  Enter records the values (the model judges them against the limits). F9 arms a failure (with a
  reason) for the next unit recorded. At the assembly step a unit still lacking serialized
  components waits for them: each component scanned is fitted into it, and the last one records
  the step in the same action (production.fit_component); Enter records it without them.
  F7 makes new serials (the count typed on the card, 1 if none) and prints their labels.

A unit failing a step is recorded, not refused, yet it shows red with the error sound: it must be
set aside, and the banner says it was recorded. A serial of another work order, one that passed the
step or skipped a mandatory one before it, is refused when scanned, before anything is typed.
Scanning another work order switches to it (back to Feed); #CANCEL or Esc drops what is half
entered. Scans and keys (F1, F3, F4, F9, Enter, Esc too) are answered one at a time, in the order
they came: a scan is handled in the mode it came in, whatever key followed it.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.resolve import Resolved, Target, resolve
from models.work_orders import SCRAP_REASONS, SerialState, StepState, WorkOrderState, work_order_state
from ui.production.lots import LotFlow
from ui.production.parts import (
    BomTable,
    FeedPanel,
    LotStepPanel,
    SerialStepPanel,
    StepsTable,
    WorkOrderCard,
    amount,
)
from ui.production.serials import SerialFlow
from ui.station_screen import Command, Runner, StationScreen, command
from ui.widgets.confirm import ConfirmStrip

T = TypeVar("T")
log = logging.getLogger(__name__)

BOM_TAB, ROUTING_TAB = 0, 1
PROMPT_HEIGHT = 64  # two lines of the prompt's 22 px bold type


class ProductionView(StationScreen):
    """The production station's screen; the module docstring says what each scan and key does."""

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._state: WorkOrderState | None = None
        self._mode: str | None = None  # None: feed; else the step reported at
        self._panel_step: tuple[str, str] | None = None  # (item, step) the measurement fields are for
        self._focus_next: QWidget | None = None

        self.card = WorkOrderCard()
        self.prompt = QLabel()
        self.prompt.setObjectName("prompt")
        self.prompt.setWordWrap(True)
        # Two lines always: the screen sits in a splitter, which does not pass height-for-width on,
        # so a wrapped prompt would be clipped rather than given its second line.
        self.prompt.setMinimumHeight(PROMPT_HEIGHT)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.mode_label = QLabel()
        self.mode = QComboBox()
        self.mode.setObjectName("modeCombo")
        self.mode.setMinimumWidth(360)
        self.mode_label.setBuddy(self.mode)
        self.mode_hint = QLabel()
        self.mode_hint.setWordWrap(True)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_label)
        mode_row.addWidget(self.mode)
        mode_row.addWidget(self.mode_hint, 1)

        self.feed = FeedPanel()
        self.lot_step = LotStepPanel()
        self.serial_step = SerialStepPanel()
        self.pages = QStackedWidget()
        for page in (self.feed, self.lot_step, self.serial_step):
            self.pages.addWidget(page)
        self.strip = ConfirmStrip()
        self.lots = LotFlow(self, self)
        self.serials = SerialFlow(self, self)

        # One table at a time, the one the mode works on (the BOM while feeding, the routing at a
        # step): a station screen has the height for one of them in full, not for two halves.
        self.bom = BomTable()
        self.steps = StepsTable()
        self.tables = QTabWidget()
        self.tables.setObjectName("productionTables")
        self.tables.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tables.addTab(self.bom, "")
        self.tables.addTab(self.steps, "")

        layout = QVBoxLayout(self)
        layout.addWidget(self.card)
        layout.addWidget(self.prompt)
        layout.addLayout(mode_row)
        layout.addWidget(self.pages)
        layout.addWidget(self.strip)
        layout.addWidget(self.tables, 1)

        self.mode.currentIndexChanged.connect(self._mode_chosen)
        self.card.action.clicked.connect(self.card_action)
        self.lot_step.report.clicked.connect(self.confirm)
        self.serial_step.record.clicked.connect(self.confirm)
        self.serial_step.fail.toggled.connect(self._verdict_changed)
        self.feed.quantity.textChanged.connect(self._show_prompt)
        for key, slot in (
            (Qt.Key.Key_F1, self.feed_mode),
            (Qt.Key.Key_F3, self.previous_mode),
            (Qt.Key.Key_F4, self.next_mode),
            (Qt.Key.Key_F5, self.refresh),
            (Qt.Key.Key_F7, self.make_serials),
            (Qt.Key.Key_F8, self.complete_lot),
            (Qt.Key.Key_F9, self.toggle_fail),
        ):
            QShortcut(QKeySequence(key), self, slot)
        QWidget.setTabOrder(self.mode, self.feed.quantity)
        QWidget.setTabOrder(self.feed.quantity, self.lot_step.good)
        QWidget.setTabOrder(self.lot_step.good, self.lot_step.scrap)
        QWidget.setTabOrder(self.lot_step.scrap, self.lot_step.reason)
        QWidget.setTabOrder(self.lot_step.reason, self.lot_step.report)
        QWidget.setTabOrder(self.lot_step.report, self.serial_step.fail)
        QWidget.setTabOrder(self.serial_step.fail, self.serial_step.reason)
        QWidget.setTabOrder(self.serial_step.reason, self.serial_step.record)
        QWidget.setTabOrder(self.serial_step.record, self.card.amount)
        QWidget.setTabOrder(self.card.amount, self.card.action)
        self.retranslate()

    # --- the shell's side --------------------------------------------------------------------

    @property
    def state(self) -> WorkOrderState | None:
        """The work order shown (as last read), or None."""
        return self._state

    @property
    def serial(self) -> SerialState | None:
        """The unit half entered at a serial step, or None."""
        return self.serials.serial

    def title(self) -> str:
        return self.tr("Production")

    def activate(self) -> None:
        # A login: what was queued, half answered or asked belongs to the operator before.
        self.drop_jobs()
        if self.strip.waiting:
            self.strip.cancel()
        self.serials.drop()
        self.retranslate()  # the operator, so the language of item names, may have changed
        super().activate()

    def refresh(self) -> None:
        if self._state is not None:
            self.enqueue(self.reload)

    def scanned(self, text: str) -> None:
        self.enqueue(lambda: self._scan(text))

    # --- keys and buttons --------------------------------------------------------------------

    def confirm(self) -> None:
        """Enter, the panel's button or #CONFIRM: record what the current mode has typed, or answer
        yes to the question open when its turn comes."""
        self.enqueue(self._confirm)

    def cancel(self) -> None:
        """Esc or #CANCEL: drop what is half entered (nothing recorded is undone), or answer no to
        the question open when its turn comes."""
        self.enqueue(self._cancel)

    # The mode keys wait their turn like scans: a scan before them is handled in its own mode.

    def feed_mode(self) -> None:
        self.enqueue(lambda: self._to_mode(0))

    def next_mode(self) -> None:
        self.enqueue(lambda: self._to_mode(self.mode.currentIndex() + 1))

    def previous_mode(self) -> None:
        self.enqueue(lambda: self._to_mode(self.mode.currentIndex() - 1))

    def choose_step(self, step_code: str | None) -> None:
        """Report at this step from now on (None: feed)."""
        self.enqueue(lambda: self._to_mode(max(self.mode.findData(step_code or ""), 0)))

    def toggle_fail(self) -> None:
        """F9: the next unit recorded at this serial step fails (with a reason); again to undo."""
        self.enqueue(self._toggle_fail)

    def question_dropped(self) -> None:
        """The question answered no: nothing was done, and the prompt and focus are the mode's again."""
        self._show_prompt()
        self._settle_focus()

    def card_action(self) -> None:
        if self._state is not None and self._state.serialized:
            self.make_serials()
        else:
            self.complete_lot()

    def make_serials(self) -> None:
        self.enqueue(self.serials.ask_serials)

    def complete_lot(self) -> None:
        self.enqueue(self.lots.ask_complete)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter records and Esc clears from any field (line edits pass them on); in a measurement
        field Enter first moves on to the next one still empty."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = QApplication.focusWidget()
            empty = self.serial_step.first_empty()
            if focus in self.serial_step.fields.values() and empty is not None and empty is not focus:
                empty.setFocus()
            else:
                self.confirm()
        elif event.key() == Qt.Key.Key_Escape:
            self.cancel()
        else:
            super().keyPressEvent(event)

    # --- one thing at a time (StationScreen's queue; ui/production/lots.py and serials.py use it) --

    def job_ended(self) -> None:
        """After every job, answered or refused: the prompt and the focus follow."""
        self._show_prompt()
        self._settle_focus()

    def job_broken(self) -> None:
        self._focus_next = None

    def refuse(self, text: str, focus: QWidget | None = None) -> None:
        """Say no before anything is sent (red banner, error sound), put the focus where the
        operator corrects it, and end the job."""
        self.runner.refuse(text)
        self._focus_next = focus
        self.done()

    # --- scans ---------------------------------------------------------------------------------

    def _scan(self, text: str) -> None:
        order = command(text)
        if self.strip.waiting:
            if not self.strip.answer(order):
                self.runner.refuse(
                    self.tr("Answer the question first: #CONFIRM or Enter for yes, #CANCEL or Esc for no.")
                )
            self.done()
            return
        if order is Command.CANCEL:
            self._cancel()
        elif order is Command.CONFIRM:
            self._confirm()
        elif order is not None:
            self.refuse(self.tr("{0} does nothing on the production screen.").format(order.value))
        else:
            self.read(lambda db: resolve(db, text), self._resolved)

    def _resolved(self, found: Resolved) -> None:
        state, step = self._state, self._step()
        if found.target is Target.WORK_ORDER:
            self._open(found.code)
        elif state is None:
            self.refuse(self.tr("Scan a work order first: {0} is not one.").format(found.code))
        elif step is None:
            self.lots.feed(state, found)
        elif not state.serialized:
            self.refuse(
                self.tr(
                    "{0} is reported with quantities, not scans: type them and press Enter (F1 feeds)."
                ).format(self.step_name(step))
            )
        else:
            self.serials.scanned(state, step, found)

    def _open(self, code: str) -> None:
        def opened(state: WorkOrderState) -> None:
            self._show(state, reset=self._state is None or self._state.code != state.code)
            name = state.item_name_zh if self.chinese() else state.item_name_en
            self.runner.ok(
                self.tr("Work order {0}: {1} {2} {3} {4}, {5}.").format(
                    state.code,
                    amount(state.quantity),
                    state.uom,
                    state.item_code,
                    name,
                    self.card.status_text(state.status),
                )
            )
            self.done()

        self.read(lambda db: work_order_state(db, code), opened)

    def reload(self) -> None:
        """Read the work order again after an action, show it, and end the job."""
        if self._state is None:
            self.done()
            return
        code = self._state.code

        def reloaded(state: WorkOrderState) -> None:
            self._show(state, reset=False)
            self.done()

        self.read(lambda db: work_order_state(db, code), reloaded)

    # --- confirm and cancel ----------------------------------------------------------------------

    def _confirm(self) -> None:
        state, step = self._state, self._step()
        if self.strip.waiting:  # asked since the key (F8 just before it): the key answers it
            self.strip.confirm()
            self.done()
        elif state is None:
            self.refuse(self.tr("Scan a work order first."))
        elif step is None:
            self.refuse(self.tr("Nothing to confirm in feed mode: scan a material lot to feed it."))
        elif not state.serialized:
            self.lots.report(state, step)
        else:
            self.serials.confirm(step)

    def _cancel(self) -> None:
        if self.strip.waiting:
            self.strip.cancel()
            self.done()
            return
        typed = [self.feed.quantity, self.lot_step.good, self.lot_step.scrap, self.card.amount]
        had = (
            self.serials.serial is not None
            or self.serial_step.fail.isChecked()
            or any(field.text() for field in (*typed, *self.serial_step.fields.values()))
        )
        for field in typed:
            field.clear()
        self.lot_step.reason.setCurrentIndex(0)
        self.serials.drop()
        self.runner.ok(self.tr("Cleared: nothing was recorded.") if had else self.tr("Nothing to clear."))
        self.done()

    # --- showing ---------------------------------------------------------------------------------

    def _show(self, state: WorkOrderState, *, reset: bool) -> None:
        self._state = state
        if reset:
            self._mode = None
            self.serials.drop()
            self.feed.quantity.clear()
            self.lot_step.clear()
            self.card.amount.clear()
        elif self._mode is not None and state.step(self._mode) is None:
            self._mode = None
        chinese = self.chinese()
        self.card.show_state(state, chinese)
        self.bom.show_lines(state.bom, chinese)
        self.steps.show_state(state, chinese)
        self._fill_modes()
        self._show_mode()

    def _fill_modes(self) -> None:
        state = self._state
        self.mode.blockSignals(True)
        self.mode.clear()
        self.mode.addItem(self.tr("Feed material (F1)"), "")
        for step in state.steps if state is not None else ():
            text = f"{step.seq} {step.code} · {self.step_name(step)}"
            self.mode.addItem(text if step.mandatory else self.tr("{0} (optional)").format(text), step.code)
        self.mode.setCurrentIndex(max(self.mode.findData(self._mode or ""), 0))
        self.mode.setEnabled(state is not None)
        self.mode.blockSignals(False)

    def _mode_chosen(self, index: int) -> None:
        code = self.mode.itemData(index) or None
        if code == self._mode:
            return
        self._mode = code
        self.serials.drop()
        self._show_mode()
        self._show_prompt()
        self._settle_focus()

    def _to_mode(self, index: int) -> None:
        if self.mode.count():
            self.mode.setCurrentIndex(index % self.mode.count())  # _mode_chosen applies it
        self.done()

    def _toggle_fail(self) -> None:
        if self.pages.currentWidget() is self.serial_step:
            self.serial_step.fail.toggle()
        self.done()

    def _verdict_changed(self, _checked: bool) -> None:
        self._show_prompt()

    def _show_mode(self) -> None:
        state, step = self._state, self._step()
        if step is None or state is None:
            self.pages.setCurrentWidget(self.feed)
        elif not state.serialized:
            self.pages.setCurrentWidget(self.lot_step)
        else:
            self.pages.setCurrentWidget(self.serial_step)
            if self._panel_step != (state.item_code, step.code):
                self.serial_step.set_step(step, self.chinese())
                self._panel_step = (state.item_code, step.code)
                previous: QWidget = self.mode  # Tab: the mode, the measurements, the verdict
                for field in self.serial_step.fields.values():
                    QWidget.setTabOrder(previous, field)
                    previous = field
                QWidget.setTabOrder(previous, self.serial_step.fail)
        self.pages.setEnabled(state is not None)
        self.steps.select_step(step.code if step else None)
        self.tables.setCurrentIndex(BOM_TAB if step is None else ROUTING_TAB)

    def _show_prompt(self) -> None:
        state, step, serial = self._state, self._step(), self.serials.serial
        typed = self.feed.quantity.text().strip()
        if self.strip.waiting:
            text = self.tr("Answer the question: Enter or #CONFIRM for yes, Esc or #CANCEL for no.")
        elif state is None:
            text = self.tr("Scan a work order")
        elif step is None:
            text = (
                self.tr("Scan the material lot to feed {0} of").format(typed)
                if typed
                else self.tr("Scan a material lot to feed it")
            )
        elif not state.serialized:
            text = self.tr("{0}: type the good and scrap quantities, then Enter").format(self.step_name(step))
        elif serial is None:
            text = (
                self.tr("{0}: scan the unit that FAILS").format(self.step_name(step))
                if self.serial_step.fail.isChecked()
                else self.tr("{0}: scan a unit").format(self.step_name(step))
            )
        elif step.assembly and serial.components_missing:
            text = self.tr("Scan into {0}: {1}").format(serial.code, self.serials.missing_text(serial))
        elif step.characteristics:
            text = self.tr("{0}: type the measurements, then Enter").format(serial.code)
        else:
            text = self.tr("{0}: press Enter to record it").format(serial.code)
        self.prompt.setText(text)

    def _settle_focus(self) -> None:
        wanted, self._focus_next = self._focus_next, None
        state, step = self._state, self._step()
        if self.strip.waiting:
            return
        if wanted is None:
            if state is None:
                wanted = self
            elif step is None:
                wanted = self.feed.quantity
            elif not state.serialized:
                wanted = self.lot_step.good
            elif self.serials.serial is not None and self.serial_step.fields:
                wanted = self.serial_step.first_empty() or next(iter(self.serial_step.fields.values()))
            else:
                wanted = self
        wanted.setFocus()

    def retranslate(self) -> None:
        chinese = self.chinese()
        self.mode_label.setText(self.tr("Mode"))
        self.mode_hint.setText(self.tr("F1 feed · F3/F4 steps · Esc clears"))
        self.tables.setTabText(BOM_TAB, self.tr("Bill of materials"))
        self.tables.setTabText(ROUTING_TAB, self.tr("Routing"))
        self.card.show_state(self._state, chinese)
        self.bom.retranslate()
        self.steps.retranslate()
        self.feed.retranslate()
        self.lot_step.set_reasons(SCRAP_REASONS, chinese)
        self.lot_step.retranslate()
        self.serial_step.set_reasons(SCRAP_REASONS, chinese)
        if self._state is not None:
            self.bom.show_lines(self._state.bom, chinese)
            self.steps.show_state(self._state, chinese)
        self._fill_modes()
        self._show_mode()
        self.serial_step.show_serial(self.serials.serial)
        self._show_prompt()

    # --- words ----------------------------------------------------------------------------------

    def chinese(self) -> bool:
        return self.runner.language.startswith("zh")

    def _step(self) -> StepState | None:
        return self._state.step(self._mode) if self._state is not None and self._mode else None

    def step_name(self, step: StepState) -> str:
        return f"{step.code} {step.name_zh if self.chinese() else step.name_en}"
