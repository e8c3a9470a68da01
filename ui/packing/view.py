"""Serialization and packing (成品入库 / 包装): label a work order's serials and scan each label back
off its unit, pack units into the station's carton and cartons onto its pallet.

What a scan does depends on what the screen is waiting for, checked in this order:

- a question on the confirm strip: #CONFIRM or #CANCEL answers it, anything else is refused;
- a typed quantity (a lot) or reason: only commands (#CONFIRM submits it, #CANCEL drops it);
- a serial label printed and not yet scanned back (oldest first): the scan must read that serial,
  which confirms the label; any other code is refused, nothing recorded (a label on the wrong unit);
- Unpack (F9 or #REMOVE), Repack (F11), Reprint (F10): the unit to take out, move, or relabel;
- otherwise a work order selects it for labelling (F5 one label, F6 a typed batch); a serial or
  a lot (its quantity typed) goes into the station's open carton, a closed carton onto its open
  pallet, either opened when there is none; a full one closes itself and its SSCC label prints;
  #CLOSE (F8) closes the current one early, after a question.

Scans that arrive while the database answers the last one wait in line and are handled in order
(StationScreen's queue: each scan is a job, ended by `done()`). A key pressed meanwhile is said no
to: it never waits behind a scan, which may change what the key would act on.
What the station has open and the labels it still owes are read from the database on activate(),
so a restart or the next shift carries on. The station's code comes from the runner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from models import packing, print_jobs
from models.db import Database
from models.lookup import plain
from models.packing import CloseResult, OpenContainer, PackResult, PackRoom, StationPackResult, UnpackResult
from models.print_jobs import LabelJob, StationLabels, WorkOrderLabels
from models.resolve import Resolved, Target, resolve
from ui.packing.labels import Checked, LabelFlows
from ui.packing.panel import CARTON, PALLET, Entry, Held, Mode, PackingPanel, Shown
from ui.packing.parts import amount, short_code
from ui.station_screen import Command, PrintAnswer, Runner, StationScreen, command, parse_quantity


@dataclass(frozen=True)
class StationState:
    labels: StationLabels
    containers: list[OpenContainer]
    order: WorkOrderLabels | None
    checked: Checked
    unlabelled: list[str]


class PackingView(LabelFlows, StationScreen):
    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        # desktop's StationRunner knows its station; the Runner protocol does not name it (yet).
        self.station = runner.station_code
        self._order: WorkOrderLabels | None = None
        self._labels = StationLabels([], [])
        self._containers: list[OpenContainer] = []
        self._current: dict[str, str] = {}  # level -> the container last packed into
        self._level = CARTON  # the current target: what the last scan was packed into
        self._skipped: set[int] = set()  # label jobs whose scan-back the operator cancelled
        self._unlabelled: list[str] = []  # units whose label was refused before a job was recorded
        self._mode = Mode.PACK
        self._entry = Entry.NONE
        self._held: Held | None = None

        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.panel = PackingPanel(self.station)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        # The panel's parts, by the names the flows (and the tests) use.
        panel = self.panel
        self.card, self.prompt, self.strip = panel.card, panel.prompt, panel.strip
        self.amount, self.reason = panel.amount, panel.reason
        self.contents, self.contents_title, self.labels = panel.contents, panel.contents_title, panel.labels
        self.next_button, self.batch_button = panel.next_button, panel.batch_button
        self.resend_button, self.close_button = panel.resend_button, panel.close_button
        self.unpack_button, self.repack_button = panel.unpack_button, panel.repack_button
        self.reprint_button = panel.reprint_button
        for button, slot in (
            (self.next_button, self._next_label),
            (self.batch_button, self._batch),
            (self.resend_button, self._resend),
            (self.close_button, self._close_command),
            (self.unpack_button, self._unpack_mode),
            (self.repack_button, self._repack_mode),
            (self.reprint_button, self._reprint_mode),
        ):
            button.clicked.connect(slot)
        self.amount.returnPressed.connect(self._amount_entered)
        self.reason.returnPressed.connect(self._reason_entered)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape)
        self._show()

    # --- what the shell calls --------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Packing")

    def activate(self) -> None:
        """A new login (or a restart): drop what was half-typed and ask again for every label
        still owed, then reload what the station has open."""
        if self.strip.waiting:
            self.strip.cancel()
        self._reset_entry()
        self._skipped.clear()
        super().activate()  # drops the last operator's jobs, then refresh()

    def refresh(self) -> None:
        self.enqueue(self._finish)

    def scanned(self, text: str) -> None:
        self.enqueue(lambda: self._scan(text))

    # --- scans (each a job of StationScreen's queue, ended by `done()`) ----------------------------

    def _scan(self, text: str) -> None:
        order = command(text)
        if self.strip.waiting:
            if not self.strip.answer(order):
                self.runner.refuse(self.tr("Answer the question first: #CONFIRM or #CANCEL."))
            self.done()
        elif order is not None:
            self._command(order)
        elif self._entry is not Entry.NONE or self._held is not None:
            self.runner.refuse(self._type_first())
            self.done()
        else:
            self.read(lambda db: resolve(db, text), self._resolved, self._read_failed)

    def _command(self, order: Command) -> None:
        if order is Command.CANCEL:
            self._cancel()
        elif order is Command.CONFIRM:
            if self._entry is not Entry.NONE:
                self._amount_job()
            elif self._held is not None:
                self._reason_job()
            else:
                self.runner.refuse(self.tr("There is nothing to confirm."))
                self.done()
        elif order is Command.CLOSE:
            self._close_job()
        elif order is Command.REMOVE:
            self._start_mode(Mode.UNPACK)
        else:
            self.runner.refuse(self.tr("{0} does nothing on the packing screen.").format(order.value))
            self.done()

    def _key(self, job: Callable[[], None]) -> None:
        """A key (or its button) starts `job` now, or is said no to: it never waits behind a scan."""
        if self.strip.waiting:
            self.runner.refuse(self.tr("Answer the question first: #CONFIRM or #CANCEL."))
        elif self.busy:
            self.runner.refuse(self.tr("Wait: the last scan is still being recorded."))
        else:
            self.enqueue(job)

    def _resolved(self, found: Resolved) -> None:
        awaiting = self._awaiting()
        if awaiting and self._mode is Mode.PACK:
            self._check_label(found, awaiting[0])
        elif self._mode is not Mode.PACK:
            if found.target is not Target.UNIT:
                self.runner.refuse(self.tr("{0} is not a unit: scan the unit itself.").format(found.code))
                self._idle()
            elif self._mode is Mode.UNPACK:
                self.runner.ok(self.tr("{0}: type why it comes out, then Enter.").format(found.code))
                self._hold(Held(found.code, found.unit_kind))
            elif self._mode is Mode.REPACK:
                self._hold_for_repack(found)
            else:
                code = found.code
                self.read(
                    lambda db: print_jobs.last_label(db, code),
                    lambda job: self._reprint_found(code, job),
                    self._read_failed,
                )
        elif found.target is Target.WORK_ORDER:
            code = found.code
            self.read(lambda db: print_jobs.work_order_labels(db, code), self._order_found, self._read_failed)
        elif found.target is Target.UNIT:
            self._pack(found)
        else:
            self.runner.refuse(
                self.tr(
                    "{0} is neither a unit nor a work order: scan a product, a carton or a work order."
                ).format(found.code)
            )
            self._idle()

    # --- packing ---------------------------------------------------------------------------------

    def _pack(self, found: Resolved) -> None:
        if found.unit_kind == "LOT":
            code, station = found.code, self.station
            self.read(lambda db: packing.pack_room(db, station, code), self._lot_room, self._read_failed)
        else:
            self._pack_unit(found.code, None)

    def _lot_room(self, room: PackRoom) -> None:
        self._entry = Entry.LOT
        self._held = Held(room.unit_code, "LOT")
        self.amount.setText(str(plain(room.suggested)))
        self.amount.selectAll()
        self.runner.ok(
            self.tr("Lot {0}: {1} available. Type how much goes into the carton, then Enter.").format(
                room.unit_code, amount(room.available, room.uom)
            )
        )
        self._idle()

    def _pack_unit(self, code: str, quantity: Decimal | None) -> None:
        if quantity is None:
            self.act(packing.pack_into_open, self._packed, self._failed, unit_code=code)
        else:
            self.act(
                packing.pack_into_open, self._packed, self._failed, unit_code=code, quantity=str(quantity)
            )

    def _packed(self, result: StationPackResult) -> None:
        self._level = result.level
        self._current[result.level] = result.container_code
        count, capacity = plain(result.count), result.capacity
        if result.level == CARTON:
            text = self.tr("{0} packed: carton {1} holds {2} of {3}.")
            self.runner.ok(text.format(result.unit_code, short_code(result.container_code), count, capacity))
        else:
            text = self.tr("Carton {0} is on pallet {1}: {2} of {3}.")
            self.runner.ok(text.format(result.unit_code, short_code(result.container_code), count, capacity))
        if result.full:
            self._close(result.container_code)
        else:
            self._finish()

    def _close_command(self) -> None:
        """F8 or the button; #CLOSE is `_close_job` in its turn."""
        self._key(self._close_job)

    def _close_job(self) -> None:
        if not self._ready(free=True):
            self.done()
            return
        container = self._target(self._level)
        if container is None:
            if self._level == CARTON:
                self.runner.refuse(self.tr("There is no open carton to close."))
            else:
                self.runner.refuse(self.tr("There is no open pallet to close."))
            self.done()
            return
        code = container.code
        if container.count == 0 or (container.capacity and container.count >= container.capacity):
            self._close(code)  # full: nothing to ask; empty: the model says why it stays open
            return
        if container.level == CARTON:
            question = self.tr("Close carton {0} with {1} of {2}?")
        else:
            question = self.tr("Close pallet {0} with {1} of {2}?")
        self.strip.ask(
            question.format(short_code(code), plain(container.count), container.capacity or "?"),
            lambda: self.enqueue(lambda: self._close(code)),
            self._show,
        )
        self._idle()

    def _close(self, code: str) -> None:
        self.act(packing.close_container, self._closed, self._failed, container_code=code)

    def _closed(self, result: CloseResult) -> None:
        self._current.pop(result.level, None)
        self._print_labels(
            [(result.code, None)],
            lambda answers: self._finish(
                [result.code], lambda checked: self._container_labelled(result, checked, answers)
            ),
        )

    def _container_labelled(self, result: CloseResult, checked: Checked, answers: list[PrintAnswer]) -> None:
        refusal = self._refusal(answers)
        if self._printed([result.code], checked):
            if result.level == CARTON:
                self.runner.ok(self.tr("Carton {0} closed and labelled.").format(result.code))
            else:
                self.runner.ok(self.tr("Pallet {0} closed and labelled.").format(result.code))
        elif refusal is not None:
            if result.level == CARTON:
                text = self.tr("Carton {0} is closed, but its label did not print: {1}")
            else:
                text = self.tr("Pallet {0} is closed, but its label did not print: {1}")
            self.runner.refuse(text.format(result.code, refusal))
        elif result.level == CARTON:
            self.runner.refuse(
                self.tr(
                    "Carton {0} is closed, but its label did not print: check the printer, then F7."
                ).format(result.code)
            )
        else:
            self.runner.refuse(
                self.tr(
                    "Pallet {0} is closed, but its label did not print: check the printer, then F7."
                ).format(result.code)
            )

    # --- unpack, repack ----------------------------------------------------------------------------

    def _unpack_mode(self) -> None:
        self._key(lambda: self._start_mode(Mode.UNPACK))

    def _repack_mode(self) -> None:
        self._key(lambda: self._start_mode(Mode.REPACK))

    def _start_mode(self, mode: Mode) -> None:
        if not self._ready(free=True):
            self.done()
            return
        if self._awaiting():
            self.runner.refuse(self._scan_back_first())
            self.done()
            return
        self._mode = mode
        self._idle()

    def _hold(self, held: Held) -> None:
        self._held = held
        self.reason.clear()
        self._idle()

    def _hold_for_repack(self, found: Resolved) -> None:
        level = PALLET if found.unit_kind == "CONTAINER" else CARTON
        target = self._target(level)
        if target is None:
            if level == CARTON:
                text = self.tr("There is no open carton here to move {0} into: pack a unit to open one.")
            else:
                text = self.tr(
                    "There is no open pallet here to move {0} onto: pack a closed carton to open one."
                )
            self.runner.refuse(text.format(found.code))
            self._idle()
            return
        self.runner.ok(
            self.tr("{0}: type why it moves into {1}, then Enter.").format(
                found.code, short_code(target.code)
            )
        )
        self._hold(Held(found.code, found.unit_kind, target=target.code, level=level))

    def _reason_entered(self) -> None:
        """Enter in the reason field; #CONFIRM is `_reason_job` in its turn."""
        self._key(self._reason_job)

    def _reason_job(self) -> None:
        held = self._held
        if held is None or self._entry is not Entry.NONE:
            self.done()
            return
        reason = self.reason.text().strip()
        if not reason:
            self.runner.refuse(self.tr("Type the reason first."))
            self.done()
            return
        if self._mode is Mode.UNPACK:
            question = self.tr("Take {0} out of its container? Reason: {1}").format(held.code, reason)
            self.strip.ask(question, lambda: self.enqueue(lambda: self._unpack(held, reason)), self._show)
            self._idle()
        elif self._mode is Mode.REPACK:
            assert held.target is not None
            question = self.tr("Move {0} into {1}? Reason: {2}").format(
                held.code, short_code(held.target), reason
            )
            self.strip.ask(question, lambda: self.enqueue(lambda: self._repack(held, reason)), self._show)
            self._idle()
        else:
            self._reprint(held, reason)

    def _unpack(self, held: Held, reason: str) -> None:
        self.act(packing.unpack, self._unpacked, self._failed_reset, unit_code=held.code, reason=reason)

    def _unpacked(self, result: UnpackResult) -> None:
        self._reset_entry()
        self.runner.ok(
            self.tr("{0} taken out of {1}: {2} left in it.").format(
                result.unit_code, short_code(result.container_code), plain(result.container_count)
            )
        )
        self._finish()

    def _repack(self, held: Held, reason: str) -> None:
        assert held.target is not None
        level = held.level

        def moved(result: PackResult) -> None:
            self._reset_entry()
            self._level = level
            self._current[level] = result.container_code
            self.runner.ok(
                self.tr("{0} moved into {1}: {2} of {3}.").format(
                    result.unit_code, short_code(result.container_code), plain(result.count), result.capacity
                )
            )
            if result.full:
                self._close(result.container_code)
            else:
                self._finish()

        self.act(
            packing.repack,
            moved,
            self._failed_reset,
            unit_code=held.code,
            container_code=held.target,
            reason=reason,
        )

    # --- typed input, cancel ---------------------------------------------------------------------

    def _amount_entered(self) -> None:
        """Enter in the amount field; #CONFIRM is `_amount_job` in its turn."""
        self._key(self._amount_job)

    def _amount_job(self) -> None:
        if self._entry is Entry.NONE:
            self.done()
            return
        typed = parse_quantity(self.amount.text())
        if self._entry is Entry.BATCH:
            if typed is None or typed < 1 or typed != typed.to_integral_value():
                self.runner.refuse(self.tr("Type how many serials: a whole number, 1 or more."))
                self.done()
                return
            self._entry = Entry.NONE
            self.amount.clear()
            self._create(int(typed))
            return
        held = self._held
        if typed is None or typed == 0 or held is None:
            self.runner.refuse(self.tr("Type a quantity greater than zero."))
            self.done()
            return
        self._reset_entry()
        self._pack_unit(held.code, typed)

    def _escape(self) -> None:
        """Esc is a key, not a scan: it cannot wait in line, so while the database answers the
        last scan it is refused (a cancel then would speak for an action being recorded)."""
        if self.strip.waiting:
            self.strip.cancel()
        else:
            self._key(self._cancel)

    def _cancel(self) -> None:
        awaiting = self._awaiting()
        if self._mode is Mode.PACK and self._entry is Entry.NONE and self._held is None and awaiting:
            self._skipped.update(job.job_id for job in awaiting)
            self.runner.ok(
                self.tr(
                    "{0} labels left without their scan-back: they are asked for again at the next login."
                ).format(len(awaiting))
            )
        else:
            self.runner.ok(self.tr("Cancelled: nothing was recorded."))
        self._reset_entry()
        self._idle()

    def _reset_entry(self) -> None:
        self._mode = Mode.PACK
        self._entry = Entry.NONE
        self._held = None
        self.amount.clear()
        self.reason.clear()

    def _ready(self, *, free: bool = False) -> bool:
        """Whether a job may start something now (no question open; `free`: nor a typed entry or a
        mode); said no to otherwise (the job then ends)."""
        if self.strip.waiting:
            self.runner.refuse(self.tr("Answer the question first: #CONFIRM or #CANCEL."))
            return False
        if free and (self._entry is not Entry.NONE or self._held is not None or self._mode is not Mode.PACK):
            self.runner.refuse(self._type_first())
            return False
        return True

    def _type_first(self) -> str:
        if self._entry is Entry.BATCH:
            return self.tr("Type how many serials first (Enter), or scan #CANCEL.")
        if self._entry is Entry.LOT:
            return self.tr("Type the quantity first (Enter), or scan #CANCEL.")
        if self._held is not None:
            return self.tr("Type the reason first (Enter), or scan #CANCEL.")
        return self.tr("Scan the unit first, or scan #CANCEL.")

    # --- the database's answers ------------------------------------------------------------------

    def _failed(self, error: Exception) -> None:
        """The runner has said why; the screen shows the database as it is now."""
        self._finish()

    def _failed_reset(self, error: Exception) -> None:
        self._reset_entry()
        self._finish()

    def _read_failed(self, error: Exception) -> None:
        self._idle()

    def _finish(self, check: Iterable[str] = (), after: Callable[[Checked], None] | None = None) -> None:
        """Reload what the station has open and owes (and the last label of `check`), show it,
        then run `after` and end the job."""
        station, skipped, codes = self.station, frozenset(self._skipped), list(check)
        order = self._order.code if self._order else None
        # Units whose label was refused before a job was recorded: still owed, or not any more.
        unlabelled = [*self._unlabelled, *codes]

        def work(db: Database) -> StationState:
            labels = print_jobs.station_labels(db, station)
            wanted = order
            if wanted is None:
                owed = [job for job in labels.awaiting if job.job_id not in skipped and job.work_order_code]
                wanted = owed[0].work_order_code if owed else None
            return StationState(
                labels=labels,
                containers=packing.open_containers(db, station),
                order=print_jobs.work_order_labels(db, wanted) if wanted else None,
                checked={code: print_jobs.last_label(db, code) for code in codes},
                unlabelled=print_jobs.unlabelled(db, unlabelled),
            )

        def loaded(state: StationState) -> None:
            self._labels, self._containers, self._order = state.labels, state.containers, state.order
            self._unlabelled = state.unlabelled
            self._show()
            if after is not None:
                after(state.checked)
            self._idle()

        self.read(work, loaded, self._read_failed)

    def _idle(self) -> None:
        """The end of a job: show the screen as it is now, then the next scan's turn."""
        self._show()
        self.done()

    # --- what the screen shows -------------------------------------------------------------------

    def _awaiting(self) -> list[LabelJob]:
        return [job for job in self._labels.awaiting if job.job_id not in self._skipped]

    def _target(self, level: str) -> OpenContainer | None:
        """The open container of a level the screen works on: the one last packed into, else the
        station's oldest."""
        candidates = [container for container in self._containers if container.level == level]
        for container in candidates:
            if container.code == self._current.get(level):
                return container
        return candidates[0] if candidates else None

    def retranslate(self) -> None:
        """The panel retranslates its own texts; item names follow the operator's language here."""
        self._show()

    def _show(self) -> None:
        self.panel.show_state(
            Shown(
                station=self.station,
                chinese=self.runner.language.startswith("zh"),
                order=self._order,
                carton=self._target(CARTON),
                pallet=self._target(PALLET),
                level=self._level,
                awaiting=self._awaiting(),
                unprinted=sorted({job.unit_code for job in self._labels.unprinted} | set(self._unlabelled)),
                mode=self._mode,
                entry=self._entry,
                held=self._held,
            )
        )
        if self.strip.waiting:
            return
        if self._entry is not Entry.NONE:
            self.amount.setFocus()
        elif self._held is not None:
            self.reason.setFocus()
        else:
            self.setFocus()
