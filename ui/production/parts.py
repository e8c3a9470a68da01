"""The production screen's parts: the work order card, the BOM and routing tables, and the three
entry panels (feed, a lot step, a serial step). Views only: each shows what it is handed and
holds the fields the operator types into; ui/production/view.py decides what a scan or a key does.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.lookup import plain
from models.work_orders import (
    BomLineState,
    Characteristic,
    Reason,
    SerialState,
    StepState,
    WorkOrderState,
)
from ui.station_screen import TOUCH_TARGET

ROW_HEIGHT = 36
BAR_SCALE = 1000  # progress bars count the share done in thousandths: bars take ints


def amount(value: Decimal) -> str:
    """A quantity as people write it: 8, not 8.000000."""
    return str(plain(value))


def limits(characteristic: Characteristic) -> str:
    """A characteristic's limits as the shop floor writes them: [-0.5, 0.5], ≤ 1.5, ≥ 198."""
    lower, upper = characteristic.lower, characteristic.upper
    if lower is not None and upper is not None:
        return f"[{amount(lower)}, {amount(upper)}]"
    if upper is not None:
        return f"≤ {amount(upper)}"
    if lower is not None:
        return f"≥ {amount(lower)}"
    return ""


def measurement_label(characteristic: Characteristic, chinese: bool) -> str:
    """ "Basic error (%) [-0.5, 0.5]": what to measure, in what, and what passes."""
    name = characteristic.name_zh if chinese else characteristic.name_en
    unit = f" ({characteristic.uom})" if characteristic.uom else ""
    return f"{name}{unit} {limits(characteristic)}".strip()


def _bar(value: Decimal, maximum: Decimal, text: str) -> QProgressBar:
    """A bar of the share done, in thousandths (the text says the quantities): a bar counts in
    Qt's 32-bit ints, which a large quantity in thousandths would overflow."""
    bar = QProgressBar()
    bar.setRange(0, BAR_SCALE)
    share = min(max(value / maximum, Decimal(0)), Decimal(1)) if maximum > 0 else Decimal(0)
    bar.setValue(int(share * BAR_SCALE))
    bar.setFormat(text)
    bar.setTextVisible(True)
    bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return bar


def _set_up(table: QTableWidget, name: str, stretch: int, bar_column: int, bar_width: int) -> None:
    """The look both tables share: read-only rows, one column stretched, a fixed one for the bars."""
    table.setObjectName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # scans and keys belong to the screen
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(bar_column, QHeaderView.ResizeMode.Fixed)
    header.resizeSection(bar_column, bar_width)


def _cell(text: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    alignment = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
    item.setTextAlignment(alignment | Qt.AlignmentFlag.AlignVCenter)
    return item


class WorkOrderCard(QFrame):
    """The context card: which work order, for what, how far; and its one order-wide action
    (make serials for a serialized item, put good output into stock for a lot item)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contextCard")
        self.title = QLabel()
        self.title.setObjectName("contextTitle")
        self.title.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("contextDetails")
        self.details.setWordWrap(True)
        self.amount = QLineEdit()
        self.amount.setObjectName("cardAmount")
        self.amount.setMaximumWidth(130)
        self.action = QPushButton()
        self.action.setObjectName("cardAction")
        self.action.setMinimumHeight(TOUCH_TARGET)
        row = QHBoxLayout()
        row.addWidget(self.details, 1)
        row.addWidget(self.amount)
        row.addWidget(self.action)
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addLayout(row)
        self._state: WorkOrderState | None = None
        self._chinese = False
        self.retranslate()

    def show_state(self, state: WorkOrderState | None, chinese: bool) -> None:
        self._state, self._chinese = state, chinese
        self.retranslate()

    def retranslate(self) -> None:
        state = self._state
        self.amount.setVisible(state is not None)
        self.action.setVisible(state is not None)
        if state is None:
            self.title.setText(self.tr("No work order"))
            self.details.setText(self.tr("Scan the work order's code to start."))
            return
        name = state.item_name_zh if self._chinese else state.item_name_en
        self.title.setText(f"{state.code} · {state.item_code} {name}")
        order = self.tr("{0} {1} · {2} · production lot {3}").format(
            amount(state.quantity), state.uom, self.status_text(state.status), state.production_lot_code
        )
        if state.serialized:
            progress = self.tr("Serials: {0} made, {1} finished, {2} failed").format(
                state.serials_created, state.serials_finished, state.serials_failed
            )
            self.amount.setPlaceholderText(self.tr("How many"))
            self.action.setText(self.tr("Make serials (F7)"))
        else:
            progress = self.tr("In stock {0} of {1} {2} · scrap {3} {2} · ready to complete {4} {2}").format(
                amount(state.quantity_completed),
                amount(state.quantity),
                state.uom,
                amount(state.quantity_scrapped),
                amount(state.completable),
            )
            self.amount.setPlaceholderText(self.tr("Quantity"))
            self.action.setText(self.tr("Complete lot (F8)"))
        self.details.setText(f"{order}\n{progress}")

    def status_text(self, status: str) -> str:
        if status == "PLANNED":
            return self.tr("planned, not released")
        if status == "RELEASED":
            return self.tr("released")
        if status == "COMPLETED":
            return self.tr("completed")
        return status


class BomTable(QTableWidget):
    """The bill of materials: per component what the order needs, what went in, what is left."""

    COLUMNS = 6
    FED_COLUMN = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, self.COLUMNS, parent)
        _set_up(self, "bomTable", stretch=1, bar_column=self.FED_COLUMN, bar_width=150)
        self._lines: tuple[BomLineState, ...] = ()
        self._chinese = False
        self.retranslate()

    def show_lines(self, lines: tuple[BomLineState, ...], chinese: bool) -> None:
        self._lines, self._chinese = lines, chinese
        self._fill()

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels(
            [
                self.tr("Component"),
                self.tr("Name"),
                self.tr("Required"),
                self.tr("Fed"),
                self.tr("Remaining"),
                self.tr("Scan"),
            ]
        )
        self._fill()

    def _fill(self) -> None:
        self.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            name = line.name_zh if self._chinese else line.name_en
            if line.substitutes:
                name = self.tr("{0} (or {1})").format(name, ", ".join(line.substitutes))
            if line.unit_level:
                how = self.tr("into each unit")
            elif line.scanned:
                how = self.tr("scan lot")
            else:
                how = self.tr("not scanned")
            counted = line.scanned or line.unit_level
            fed = f"{amount(line.fed)} / {amount(line.required)} {line.uom}"
            values = [
                (line.component_code, False),
                (name, False),
                (f"{amount(line.required)} {line.uom}", True),
                (fed if counted else "—", True),
                (f"{amount(line.remaining)} {line.uom}" if counted else "—", True),
                (how, False),
            ]
            for column, (text, right) in enumerate(values):
                self.setItem(row, column, _cell(text, right=right))
            if counted:
                self.setCellWidget(row, self.FED_COLUMN, _bar(line.fed, line.required, fed))
            else:
                self.removeCellWidget(row, self.FED_COLUMN)


class StepsTable(QTableWidget):
    """The routing: each step, what it checks, and how many passed it (or how much was reported)."""

    COLUMNS = 4
    PROGRESS_COLUMN = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, self.COLUMNS, parent)
        _set_up(self, "stepsTable", stretch=2, bar_column=self.PROGRESS_COLUMN, bar_width=220)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().resizeSection(1, 190)
        # A step checking two things lists both: its row grows rather than hiding one.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._state: WorkOrderState | None = None
        self._chinese = False
        self.retranslate()

    def show_state(self, state: WorkOrderState | None, chinese: bool) -> None:
        self._state, self._chinese = state, chinese
        self._fill()

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels(
            [self.tr("Step"), self.tr("Name"), self.tr("Checks"), self.tr("Progress")]
        )
        self._fill()

    def progress_text(self, step: StepState, state: WorkOrderState) -> str:
        if state.serialized:
            return self.tr("{0} passed · {1} failed").format(step.passed, step.failed)
        return self.tr("{0} good · {1} scrap {2}").format(amount(step.good), amount(step.scrap), state.uom)

    def _fill(self) -> None:
        state = self._state
        steps = state.steps if state is not None else ()
        self.setRowCount(len(steps))
        if state is None:
            return
        for row, step in enumerate(steps):
            name = step.name_zh if self._chinese else step.name_en
            if step.assembly:
                name = self.tr("{0} + components").format(name)
            if not step.mandatory:
                name = self.tr("{0} (optional)").format(name)
            checks = "\n".join(measurement_label(c, self._chinese) for c in step.characteristics)
            text = self.progress_text(step, state)
            for column, value in enumerate((f"{step.seq} {step.code}", name, checks or "—", text)):
                self.setItem(row, column, _cell(value))
            done = Decimal(step.passed) if state.serialized else step.good
            self.setCellWidget(row, self.PROGRESS_COLUMN, _bar(done, state.quantity, text))
        self.resizeRowsToContents()

    def select_step(self, code: str | None) -> None:
        """Mark the step the station reports at now (none in feed mode)."""
        steps = self._state.steps if self._state is not None else ()
        row = next((n for n, step in enumerate(steps) if code and step.code == code), None)
        if row is None:
            self.clearSelection()
        else:
            self.selectRow(row)


def reason_combo(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setMinimumWidth(180)
    return combo


def fill_reasons(combo: QComboBox, reasons: tuple[Reason, ...], chinese: bool, empty: str) -> None:
    """The reason list, "none chosen" first; the choice survives a language switch."""
    chosen = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(empty, None)
    for reason in reasons:
        combo.addItem(reason.name_zh if chinese else reason.name_en, reason.code)
    index = combo.findData(chosen) if chosen else 0
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


class FeedPanel(QWidget):
    """Feed mode: an optional quantity for the next lot scanned."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.quantity = QLineEdit()
        self.quantity.setObjectName("feedQuantity")
        self.quantity.setMaximumWidth(200)
        self.label.setBuddy(self.quantity)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.quantity)
        row.addWidget(self.hint, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(self.tr("Quantity"))
        self.quantity.setPlaceholderText(self.tr("optional"))
        self.hint.setText(
            self.tr("Left empty, a scan feeds what the BOM line still needs, at most what the lot holds.")
        )


class LotStepPanel(QWidget):
    """A step of a lot-tracked item: good and scrap quantities, and the scrap's reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.good_label, self.scrap_label, self.reason_label = QLabel(), QLabel(), QLabel()
        self.good = QLineEdit()
        self.good.setObjectName("goodQuantity")
        self.scrap = QLineEdit()
        self.scrap.setObjectName("scrapQuantity")
        for field in (self.good, self.scrap):
            field.setMinimumWidth(90)
            field.setMaximumWidth(140)
        self.reason = reason_combo("scrapReason")
        self.report = QPushButton()
        self.report.setObjectName("reportButton")
        self.report.setMinimumHeight(TOUCH_TARGET)
        self.good_label.setBuddy(self.good)
        self.scrap_label.setBuddy(self.scrap)
        self.reason_label.setBuddy(self.reason)
        self.reason_label.hide()  # the list's first entry names it: the row needs the width
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.good_label, self.good, self.scrap_label, self.scrap):
            row.addWidget(widget)
        row.addWidget(self.reason, 1)
        row.addWidget(self.report)
        self._reasons: tuple[Reason, ...] = ()
        self._chinese = False
        self.retranslate()

    def set_reasons(self, reasons: tuple[Reason, ...], chinese: bool) -> None:
        self._reasons, self._chinese = reasons, chinese
        fill_reasons(self.reason, reasons, chinese, self.tr("— scrap reason —"))

    def clear(self) -> None:
        self.good.clear()
        self.scrap.clear()
        self.reason.setCurrentIndex(0)

    def retranslate(self) -> None:
        self.good_label.setText(self.tr("Good"))
        self.scrap_label.setText(self.tr("Scrap"))
        self.reason_label.setText(self.tr("Reason"))
        self.report.setText(self.tr("Report (Enter)"))
        self.set_reasons(self._reasons, self._chinese)


class SerialStepPanel(QWidget):
    """A step of a serialized item: the unit scanned, its measurements against their limits, the
    components still to scan into it (assembly), and the operator's own verdict (Fail, F9)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit = QLabel()
        self.unit.setObjectName("serialUnit")
        self.components = QLabel()
        self.components.setObjectName("serialComponents")
        self.components.setWordWrap(True)
        self.measurements = QWidget()
        self.form = QGridLayout(self.measurements)  # two measurements a row: the height is short
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setColumnStretch(4, 1)
        self.fields: dict[str, QLineEdit] = {}
        self.fail = QPushButton()
        self.fail.setObjectName("failToggle")
        self.fail.setCheckable(True)
        self.fail.setMinimumHeight(TOUCH_TARGET)
        self.reason_label = QLabel()
        self.reason = reason_combo("failReason")
        self.reason_label.setBuddy(self.reason)
        self.record = QPushButton()
        self.record.setObjectName("recordButton")
        self.record.setMinimumHeight(TOUCH_TARGET)
        verdict = QHBoxLayout()
        verdict.addWidget(self.fail)
        verdict.addWidget(self.reason_label)
        verdict.addWidget(self.reason, 1)
        verdict.addWidget(self.record)
        unit_row = QHBoxLayout()
        unit_row.addWidget(self.unit)
        unit_row.addWidget(self.components, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(unit_row)
        column.addWidget(self.measurements)
        column.addLayout(verdict)
        self._step: StepState | None = None
        self._serial: SerialState | None = None
        self._reasons: tuple[Reason, ...] = ()
        self._chinese = False
        self.labels: list[QLabel] = []
        self.fail.toggled.connect(self._verdict_changed)
        self.retranslate()

    # --- what the screen tells it ------------------------------------------------------------

    def set_step(self, step: StepState | None, chinese: bool) -> None:
        """Build the measurement fields of this step (none for a step that measures nothing)."""
        self._step, self._chinese = step, chinese
        for widget in (*self.labels, *self.fields.values()):
            self.form.removeWidget(widget)
            widget.deleteLater()
        self.labels, self.fields = [], {}
        for number, characteristic in enumerate(step.characteristics if step else ()):
            label, field = QLabel(measurement_label(characteristic, chinese)), QLineEdit()
            field.setObjectName(f"measure_{characteristic.code}")
            field.setMinimumWidth(90)
            field.setMaximumWidth(140)
            label.setBuddy(field)
            row, pair = divmod(number, 2)
            self.form.addWidget(label, row, pair * 2)
            self.form.addWidget(field, row, pair * 2 + 1)
            self.labels.append(label)
            self.fields[characteristic.code] = field
        self.measurements.setVisible(bool(self.fields))
        self.show_serial(None)

    def show_serial(self, serial: SerialState | None) -> None:
        self._serial = serial
        for field in self.fields.values():
            field.setEnabled(serial is not None)
            if serial is None:
                field.clear()
        self.retranslate()

    def set_reasons(self, reasons: tuple[Reason, ...], chinese: bool) -> None:
        self._reasons, self._chinese = reasons, chinese
        fill_reasons(self.reason, reasons, chinese, self.tr("— reason —"))

    def reset_verdict(self) -> None:
        self.fail.setChecked(False)
        self.reason.setCurrentIndex(0)

    def first_empty(self) -> QLineEdit | None:
        return next((field for field in self.fields.values() if not field.text().strip()), None)

    # --- texts --------------------------------------------------------------------------------

    def retranslate(self) -> None:
        step, serial = self._step, self._serial
        if serial is None:
            self.unit.setText(self.tr("No unit scanned"))
        elif serial.next_step is None:
            self.unit.setText(self.tr("Unit {0} · every mandatory step passed").format(serial.code))
        else:
            self.unit.setText(self.tr("Unit {0} · next step {1}").format(serial.code, serial.next_step))
        characteristics = step.characteristics if step else ()
        for label, characteristic in zip(self.labels, characteristics, strict=True):
            label.setText(measurement_label(characteristic, self._chinese))
        needs = serial.components if serial is not None and step is not None and step.assembly else ()
        self.components.setVisible(bool(needs))
        self.components.setText(
            "\n".join(
                self.tr("{0}: {1} of {2} scanned in {3}")
                .format(
                    need.name_zh if self._chinese else need.name_en,
                    len(need.fitted),
                    need.required,
                    " ".join(need.fitted),
                )
                .strip()
                for need in needs
            )
        )
        self.fail.setText(self.tr("FAIL armed (F9)") if self.fail.isChecked() else self.tr("Fail (F9)"))
        self.reason_label.setText(self.tr("Reason"))
        self.record.setText(self.tr("Record (Enter)"))
        self.set_reasons(self._reasons, self._chinese)

    def _verdict_changed(self, _checked: bool) -> None:
        self.reason.setEnabled(self.fail.isChecked())
        self.retranslate()
