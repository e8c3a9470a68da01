"""What the production screen does at a step of a serialized item: a unit scanned, its components
scanned into it, its measurements recorded, a failure armed by hand; and new serials made.
ui/production/view.py routes the scans and keys here; each method is one job of the screen and
ends it (view.done) on every path.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QObject

from models.db import Database
from models.production import (
    FitResult,
    SerialReportResult,
    SerialsResult,
    create_serials,
    fit_component,
    report_serial,
)
from models.resolve import Resolved, Target
from models.work_orders import SCRAP_REASONS, SerialState, StepState, WorkOrderState, serial_state
from ui.production.host import ProductionHost
from ui.production.parts import amount
from ui.station_screen import parse_quantity

_SIGNS = str.maketrans("０１２３４５６７８９．，－−﹣", "0123456789.,---")


def measured(text: str) -> Decimal | None:
    """A typed measurement (it may be negative: a meter's error), or None when it is no number."""
    cleaned = text.strip().translate(_SIGNS).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def serial_at_step(db: Database, code: str, work_order_code: str, step_code: str) -> SerialState:
    """A scanned serial as the step sees it: refused as report_serial would refuse it, unless it is
    another work order's, which the screen refuses for that."""
    found = serial_state(db, code)
    if found.work_order_code != work_order_code:
        return found
    return serial_state(db, code, step_code)


class SerialFlow(QObject):
    def __init__(self, view: ProductionHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.serial: SerialState | None = None  # the unit half entered, waiting for parts or values

    # --- a scan ---------------------------------------------------------------------------------

    def scanned(self, state: WorkOrderState, step: StepState, found: Resolved) -> None:
        view, held = self.view, self.serial
        if held is not None:
            if (
                step.assembly
                and held.components_missing
                and found.target is Target.UNIT
                and found.item_code != state.item_code
            ):
                self._fit(held, step, found.code)
                return
            view.refuse(
                self.tr("{0} is still open: press Enter to record it, or scan #CANCEL to drop it.").format(
                    held.code
                )
            )
            return
        if found.target is not Target.UNIT:
            view.refuse(self.tr("{0} is not a serial: scan the unit's serial label.").format(found.code))
            return
        code, work_order, step_code = found.code, state.code, step.code
        view.read(
            lambda db: serial_at_step(db, code, work_order, step_code),
            lambda serial: self._found(state, step, serial),
            view.done,
        )

    def _found(self, state: WorkOrderState, step: StepState, serial: SerialState) -> None:
        view = self.view
        if serial.work_order_code != state.code:
            view.refuse(
                self.tr("Serial {0} belongs to work order {1}, not to {2}.").format(
                    serial.code, serial.work_order_code or "—", state.code
                )
            )
            return
        waits_for_components = step.assembly and serial.components_missing > 0
        if not waits_for_components and not step.characteristics:
            self._record(serial.code, step, None)  # nothing to type: recorded on the scan
            return
        self.serial = serial
        view.serial_step.show_serial(serial)
        if waits_for_components:
            view.runner.ok(self.tr("{0}: now scan {1}.").format(serial.code, self.missing_text(serial)))
        else:
            view.runner.ok(
                self.tr("{0} at {1}: type the measurements, then Enter.").format(
                    serial.code, view.step_name(step)
                )
            )
        view.done()

    def _fit(self, held: SerialState, step: StepState, component: str) -> None:
        """A component scanned into the unit; the last one records the step in the same action,
        unless the step measures something or a failure is armed (then Enter records it)."""
        view = self.view
        finishes = not step.characteristics and not view.serial_step.fail.isChecked()
        view.act(
            fit_component,
            lambda result: self._fitted(step, result),
            view.done,
            product_code=held.code,
            component_code=component,
            step_code=step.code if finishes else None,
        )

    def _fitted(self, step: StepState, result: FitResult) -> None:
        view, fitted = self.view, result.assembled
        if result.report is not None:
            view.runner.ok(
                self.tr("{0} fitted into {1}. {2}").format(
                    fitted.component_code, fitted.product_code, self._passed_text(step, result.report)
                )
            )
            self.drop()
            view.reload()
            return
        view.runner.ok(
            self.tr("{0} fitted into {1} ({2} of {3}).").format(
                fitted.component_code, fitted.product_code, fitted.assembled, amount(fitted.required)
            )
        )
        code = fitted.product_code

        def reread(serial: SerialState) -> None:
            self.serial = serial
            view.serial_step.show_serial(serial)
            view.reload()

        view.read(lambda db: serial_state(db, code), reread, view.done)

    # --- Enter ----------------------------------------------------------------------------------

    def confirm(self, step: StepState) -> None:
        """Enter at a serial step: the unit's measurements recorded (or it failed, if armed)."""
        view, serial = self.view, self.serial
        if serial is None:
            view.refuse(self.tr("Scan a unit first."))
            return
        values: dict[str, str] = {}
        for code, field in view.serial_step.fields.items():
            text = field.text().strip()
            if not text:
                view.refuse(self.tr("Type every measurement first."), field)
                return
            value = measured(text)
            if value is None:
                view.refuse(self.tr("{0} is not a number.").format(text), field)
                return
            values[code] = str(value)
        self._record(serial.code, step, values or None)

    def _record(self, code: str, step: StepState, measurements: dict[str, str] | None) -> None:
        view = self.view
        failing = view.serial_step.fail.isChecked()
        reason = view.serial_step.reason.currentData()
        if failing and not reason:
            view.refuse(self.tr("Choose why the unit fails first."), view.serial_step.reason)
            return

        def recorded(result: SerialReportResult) -> None:
            if result.remeasure:
                self._measure_again(step, result, measurements or {})
                return
            if result.passed:
                view.runner.ok(self._passed_text(step, result))
            else:
                # Recorded, not refused; but red with the error sound: the unit must be set aside.
                why = [self._characteristic_name(step, name) for name in result.failed_checks]
                view.runner.refuse(
                    self.tr("Recorded: {0} FAILED {1} ({2}). Set it aside.").format(
                        result.serial_code, view.step_name(step), ", ".join(why) or self._reason_name(reason)
                    )
                )
            self.drop()
            view.reload()

        view.act(
            report_serial,
            recorded,
            view.done,
            serial_code=code,
            step_code=step.code,
            passed=not failing,
            measurements=measurements,
            failure_reason=reason if failing else None,
            remeasure=True,  # out of limits: measured again while the step allows, then failed
        )

    def _measure_again(self, step: StepState, result: SerialReportResult, values: dict[str, str]) -> None:
        """An out-of-limit reading, recorded to be measured again: which value is outside which
        limit, and the unit held with those fields emptied for the new reading (amber: not failed)."""
        view = self.view
        outside = [self._outside(step, code, values.get(code, "?")) for code in result.failed_checks]
        if result.remeasures_left:
            then = self.tr("Measure {0} again and press Enter ({1} more re-measures allowed).").format(
                result.serial_code, result.remeasures_left
            )
        else:
            then = self.tr("Measure {0} again and press Enter: out of limits again fails it.").format(
                result.serial_code
            )
        view.runner.pending(self.tr("{0}. {1} F9 fails it now.").format("; ".join(outside), then))
        fields = view.serial_step.fields
        for code in result.failed_checks:
            if code in fields:
                fields[code].clear()
        first = next((fields[code] for code in result.failed_checks if code in fields), None)
        if first is not None:
            first.setFocus()
        view.done()

    def _outside(self, step: StepState, code: str, value: str) -> str:
        """ "Supply voltage 250 is above its upper limit 242": the value and the limit it broke."""
        name = self._characteristic_name(step, code)
        found = next((c for c in step.characteristics if c.code == code), None)
        number = measured(value)
        if found is not None and found.upper is not None and number is not None and number > found.upper:
            return self.tr("{0} {1} is above its upper limit {2}").format(name, value, amount(found.upper))
        if found is not None and found.lower is not None:
            return self.tr("{0} {1} is below its lower limit {2}").format(name, value, amount(found.lower))
        return self.tr("{0} {1} is outside its limits").format(name, value)

    def drop(self) -> None:
        """Forget the half-entered unit and the armed failure (nothing recorded is undone)."""
        self.serial = None
        self.view.serial_step.show_serial(None)
        self.view.serial_step.reset_verdict()

    # --- new serials ----------------------------------------------------------------------------

    def ask_serials(self) -> None:
        """F7: new serials for the work order (the count typed on the card, else one), their
        labels printed, once the operator has confirmed."""
        view = self.view
        state = view.state
        if state is None or not state.serialized:
            view.refuse(self.tr("Making serials is for a work order of serialized items."))
            return
        typed = view.card.amount.text().strip() or "1"
        count = parse_quantity(typed)
        if count is None or count < 1 or count != count.to_integral_value():
            view.refuse(
                self.tr("{0} is not a number of serials: type 1 or more.").format(typed), view.card.amount
            )
            return
        view.strip.ask(
            self.tr("Make {0} serials of {1} for {2} and print their labels?").format(
                int(count), state.item_code, state.code
            ),
            lambda: view.enqueue(lambda: self._make(state.code, int(count))),
            view.question_dropped,
        )
        view.done()

    def _make(self, work_order: str, count: int) -> None:
        view = self.view

        def made(result: SerialsResult) -> None:
            view.runner.ok(
                self.tr("{0} serials made, {1} to {2}: their labels are printing.").format(
                    len(result.codes), result.codes[0], result.codes[-1]
                )
            )
            view.card.amount.clear()
            for code in result.codes:
                view.runner.print_label(code)
            view.reload()

        view.act(create_serials, made, view.done, work_order_code=work_order, count=count)

    # --- words ----------------------------------------------------------------------------------

    def missing_text(self, serial: SerialState) -> str:
        chinese = self.view.chinese()
        return ", ".join(
            self.tr("{0} ({1} of {2} in)").format(
                need.name_zh if chinese else need.name_en, len(need.fitted), need.required
            )
            for need in serial.components
            if need.missing
        )

    def _passed_text(self, step: StepState, result: SerialReportResult) -> str:
        if result.remaining_steps:
            return self.tr("{0} passed {1}. Next: {2}.").format(
                result.serial_code, self.view.step_name(step), result.remaining_steps[0]
            )
        return self.tr("{0} passed {1}: every mandatory step is done.").format(
            result.serial_code, self.view.step_name(step)
        )

    def _characteristic_name(self, step: StepState, code: str) -> str:
        chinese = self.view.chinese()
        for characteristic in step.characteristics:
            if characteristic.code == code:
                return characteristic.name_zh if chinese else characteristic.name_en
        return code

    def _reason_name(self, code: str | None) -> str:
        chinese = self.view.chinese()
        for reason in SCRAP_REASONS:
            if reason.code == code:
                return reason.name_zh if chinese else reason.name_en
        return code or ""
