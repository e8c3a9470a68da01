"""What a recall starts from, as the quality engineer knows it: codes, a supplier or one of its lots,
a work order, a machine or an operator within a time window.

A form only: it builds a models.impact.ImpactScope and asks for it through `scope_requested`; the
checks that need the database (is this supplier known?) are the model's, and their refusals come
back in words. What the form can tell alone it says at once: an empty scope, a time window without
a machine or an operator, a window that ends before it starts. Times are the plant's wall clock
(`zone`), so a window typed at a station in Shenzhen means the same hours to the database.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDateTime, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from models.impact import ImpactScope
from ui.station_screen import TOUCH_TARGET

# Not \s: it matches GS (ASCII 29), the separator inside a GS1 element string a scanner sends.
_SEPARATORS = re.compile(r"[ \t\r\n,;，；]+")
DEFAULT_WINDOW_DAYS = 7


class ScopeForm(QWidget):
    """Asks for an impact through `scope_requested(ImpactScope)`; says what is wrong in `problem`."""

    scope_requested = Signal(object)

    def __init__(self, zone: dt.tzinfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.codes = QLineEdit()
        self.codes.setObjectName("scopeCodes")
        self.supplier = QLineEdit()
        self.supplier.setObjectName("scopeSupplier")
        self.supplier_lot = QLineEdit()
        self.supplier_lot.setObjectName("scopeSupplierLot")
        self.work_order = QLineEdit()
        self.work_order.setObjectName("scopeWorkOrder")
        self.equipment = QLineEdit()
        self.equipment.setObjectName("scopeEquipment")
        self.operator = QLineEdit()
        self.operator.setObjectName("scopeOperator")
        self.windowed = QCheckBox()
        self.windowed.setObjectName("scopeWindowed")
        self.since = QDateTimeEdit()
        self.until = QDateTimeEdit()
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setEnabled(False)
        self.show_button = QPushButton()
        self.show_button.setObjectName("scopeShow")
        self.show_button.setDefault(True)
        self.problem = QLabel()
        self.problem.setObjectName("scopeProblem")
        self.problem.setWordWrap(True)
        for widget in (self.codes, self.supplier, self.supplier_lot, self.work_order, self.equipment):
            widget.setMinimumHeight(TOUCH_TARGET)
            widget.returnPressed.connect(self.submit)
        self.operator.setMinimumHeight(TOUCH_TARGET)
        self.operator.returnPressed.connect(self.submit)

        self.captions: dict[str, QLabel] = {}
        grid = QGridLayout()
        rows = (
            ("codes", self.codes, None, None),
            ("supplier", self.supplier, "supplier_lot", self.supplier_lot),
            ("work_order", self.work_order, "equipment", self.equipment),
            ("operator", self.operator, None, None),
        )
        for number, (left, left_widget, right, right_widget) in enumerate(rows):
            self.captions[left] = QLabel()
            self.captions[left].setBuddy(left_widget)
            grid.addWidget(self.captions[left], number, 0)
            if right is None:
                grid.addWidget(left_widget, number, 1, 1, 3)
                continue
            grid.addWidget(left_widget, number, 1)
            self.captions[right] = QLabel()
            self.captions[right].setBuddy(right_widget)
            grid.addWidget(self.captions[right], number, 2)
            grid.addWidget(right_widget, number, 3)
        window_row = QHBoxLayout()
        window_row.addWidget(self.windowed)
        window_row.addWidget(self.since, 1)
        self.until_caption = QLabel()
        window_row.addWidget(self.until_caption)
        window_row.addWidget(self.until, 1)
        window_row.addWidget(self.show_button)
        grid.addLayout(window_row, len(rows), 0, 1, 4)
        grid.addWidget(self.problem, len(rows) + 1, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.setLayout(grid)

        self.windowed.toggled.connect(self._window_toggled)
        self.show_button.clicked.connect(self.submit)
        self.reset_window()
        self.retranslate()

    # --- what the supervisor window tells it -------------------------------------------------

    def set_choices(self, suppliers: list[str], equipment: list[str], operators: list[str]) -> None:
        """Completions from the master data, so a code is picked rather than remembered."""
        for field, values in (
            (self.supplier, suppliers),
            (self.equipment, equipment),
            (self.operator, operators),
        ):
            completer = QCompleter(values, field)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            field.setCompleter(completer)

    def add_code(self, code: str) -> None:
        """A scan while the recall is shown: one more starting code."""
        codes = self._codes()
        if code.strip() and code.strip() not in codes:
            codes.append(code.strip())
        self.codes.setText(" ".join(codes))

    def reset_window(self) -> None:
        """The last week, to the next minute: the usual question after a machine fault."""
        now = dt.datetime.now(self.zone).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        self.until.setDateTime(self._qt(now))
        self.since.setDateTime(self._qt(now - dt.timedelta(days=DEFAULT_WINDOW_DAYS)))

    # --- asking --------------------------------------------------------------------------------

    def scope(self) -> ImpactScope | None:
        """The scope typed, or None with the reason in `problem`."""
        since = until = None
        equipment = self.equipment.text().strip() or None
        operator = self.operator.text().strip() or None
        if self.windowed.isChecked():
            if equipment is None and operator is None:
                return self._refuse(self.tr("A time window narrows a machine or an operator: name one."))
            since, until = self._aware(self.since), self._aware(self.until)
            if since >= until:
                return self._refuse(self.tr("The time window ends before it starts."))
        scope = ImpactScope(
            codes=tuple(self._codes()),
            supplier_code=self.supplier.text().strip() or None,
            supplier_lot=self.supplier_lot.text().strip() or None,
            equipment_code=equipment,
            operator_badge=operator,
            work_order_code=self.work_order.text().strip() or None,
            since=since,
            until=until,
        )
        if scope == ImpactScope():
            return self._refuse(self.tr("Name at least one code, supplier, work order, machine or operator."))
        self.problem.setText("")
        return scope

    def submit(self) -> None:
        scope = self.scope()
        if scope is not None:
            self.scope_requested.emit(scope)

    def describe(self, scope: ImpactScope) -> str:
        """The scope in one line, for the summary's title and the report."""
        parts = []
        if scope.codes:
            parts.append(self.tr("codes {0}").format(", ".join(scope.codes)))
        if scope.supplier_code:
            parts.append(self.tr("supplier {0}").format(scope.supplier_code))
        if scope.supplier_lot:
            parts.append(self.tr("supplier lot {0}").format(scope.supplier_lot))
        if scope.work_order_code:
            parts.append(self.tr("work order {0}").format(scope.work_order_code))
        if scope.equipment_code:
            parts.append(self.tr("machine {0}").format(scope.equipment_code))
        if scope.operator_badge:
            parts.append(self.tr("operator {0}").format(scope.operator_badge))
        if scope.since is not None and scope.until is not None:
            parts.append(
                self.tr("from {0} to {1}").format(
                    scope.since.strftime("%Y-%m-%d %H:%M"), scope.until.strftime("%Y-%m-%d %H:%M")
                )
            )
        return "; ".join(parts)

    # --- texts ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        captions = {
            "codes": self.tr("Codes"),
            "supplier": self.tr("Supplier"),
            "supplier_lot": self.tr("Supplier lot"),
            "work_order": self.tr("Work order"),
            "equipment": self.tr("Machine"),
            "operator": self.tr("Operator badge"),
        }
        for name, caption in captions.items():
            self.captions[name].setText(caption)
        self.codes.setPlaceholderText(self.tr("Scan or type codes: serials, lots, cartons, shipments…"))
        self.windowed.setText(self.tr("Only from"))
        self.until_caption.setText(self.tr("to"))
        self.show_button.setText(self.tr("Show impact (Enter)"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- inside --------------------------------------------------------------------------------

    def _codes(self) -> list[str]:
        return [code for code in _SEPARATORS.split(self.codes.text().strip()) if code]

    def _refuse(self, text: str) -> None:
        self.problem.setText(text)
        return None

    def _window_toggled(self, on: bool) -> None:
        self.since.setEnabled(on)
        self.until.setEnabled(on)

    def _qt(self, moment: dt.datetime) -> QDateTime:
        """The plant's wall clock as the edit shows it: a date and a time, no zone of Qt's own
        (the edit would convert to this PC's zone, which need not be the plant's)."""
        local = moment.astimezone(self.zone)
        return QDateTime(local.date(), local.time().replace(tzinfo=None))

    def _aware(self, edit: QDateTimeEdit) -> dt.datetime:
        """The typed wall-clock time in the plant's zone, as an aware datetime."""
        shown = edit.dateTime()
        naive = dt.datetime.combine(shown.date().toPython(), shown.time().toPython())
        if self.zone is None:
            return naive.astimezone()
        return naive.replace(tzinfo=self.zone)
