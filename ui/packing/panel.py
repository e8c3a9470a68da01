"""What the packing screen shows: the card, the prompt, the typed fields, the F-key buttons and the
two tables, drawn from one `Shown` snapshot the screen (ui/packing/view.py) hands it after every
answer. Display only: the buttons and fields are connected by the screen, which owns the flows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, auto

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from models.packing import OpenContainer
from models.print_jobs import LabelJob, WorkOrderLabels
from ui.packing.parts import FillRow, PackingCard, amount, fill_table, make_table, short_code
from ui.station_screen import TOUCH_TARGET
from ui.widgets.confirm import ConfirmStrip

CARTON, PALLET = "CARTON", "PALLET"


class Mode(Enum):
    """What the next unit scanned is for."""

    PACK = auto()
    UNPACK = auto()
    REPACK = auto()
    REPRINT = auto()


class Entry(Enum):
    """What the typed field is for."""

    NONE = auto()
    BATCH = auto()  # how many serials to create
    LOT = auto()  # how much of a scanned lot goes into the carton


@dataclass(frozen=True)
class Held:
    """A scanned unit the screen holds while the operator types (a lot's quantity, a reason)."""

    code: str
    kind: str | None
    job_id: int | None = None  # reprint: the job it repeats
    target: str | None = None  # repack: the open container it moves into
    level: str = CARTON


@dataclass(frozen=True)
class Shown:
    """Everything the panel draws, as the screen has it now."""

    station: str
    chinese: bool
    order: WorkOrderLabels | None
    carton: OpenContainer | None
    pallet: OpenContainer | None
    level: str  # the current target: CARTON or PALLET
    awaiting: list[LabelJob]
    unprinted: list[str]
    mode: Mode
    entry: Entry
    held: Held | None


class PackingPanel(QWidget):
    def __init__(self, station: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = PackingCard()
        self.prompt = QLabel()
        self.prompt.setObjectName("prompt")
        self.prompt.setWordWrap(True)
        self.strip = ConfirmStrip()

        self.amount_label = QLabel()
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount_label.setBuddy(self.amount)
        self.reason_label = QLabel()
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason_label.setBuddy(self.reason)
        entry = QHBoxLayout()
        for widget in (self.amount_label, self.amount, self.reason_label, self.reason):
            widget.setMinimumHeight(TOUCH_TARGET)
            entry.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)

        self._keys: dict[QPushButton, Qt.Key] = {}
        self.next_button = self._button("nextLabel", Qt.Key.Key_F5)
        self.batch_button = self._button("batchLabels", Qt.Key.Key_F6)
        self.resend_button = self._button("resendLabels", Qt.Key.Key_F7)
        self.close_button = self._button("closeContainer", Qt.Key.Key_F8)
        self.unpack_button = self._button("unpack", Qt.Key.Key_F9)
        self.repack_button = self._button("repack", Qt.Key.Key_F11)
        self.reprint_button = self._button("reprint", Qt.Key.Key_F10)
        buttons = QGridLayout()
        for number, button in enumerate(self._keys):
            buttons.addWidget(button, *divmod(number, 4))

        self.contents_title = QLabel()
        self.contents = make_table("contents", 3)
        self.labels_title = QLabel()
        self.labels = make_table("labels", 2)
        tables = QHBoxLayout()
        tables.addLayout(_titled(self.contents_title, self.contents), 3)
        tables.addLayout(_titled(self.labels_title, self.labels), 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.card)
        layout.addWidget(self.prompt)
        layout.addWidget(self.strip)
        layout.addLayout(entry)
        layout.addLayout(buttons)
        layout.addLayout(tables, 1)
        self.setTabOrder(self.amount, self.reason)
        self.setTabOrder(self.reason, self.next_button)

        self._shown = Shown(station, False, None, None, None, CARTON, [], [], Mode.PACK, Entry.NONE, None)
        self.retranslate()

    def _button(self, name: str, key: Qt.Key) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        button.setMinimumHeight(TOUCH_TARGET)
        self._keys[button] = key
        return button

    def retranslate(self) -> None:
        self.next_button.setText(self.tr("Next label (F5)"))
        self.batch_button.setText(self.tr("Batch (F6)"))
        self.resend_button.setText(self.tr("Resend (F7)"))
        self.close_button.setText(self.tr("Close (F8)"))
        self.unpack_button.setText(self.tr("Unpack (F9)"))
        self.repack_button.setText(self.tr("Repack (F11)"))
        self.reprint_button.setText(self.tr("Reprint (F10)"))
        for button, key in self._keys.items():  # setText drops a shortcut (it sets the mnemonic)
            button.setShortcut(QKeySequence(key))
        self.reason_label.setText(self.tr("Reason"))
        self.contents.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Kind"), self.tr("Quantity")])
        self.labels.setHorizontalHeaderLabels([self.tr("Label"), self.tr("State")])
        self.labels_title.setText(self.tr("Labels owed"))
        self.show_state(self._shown)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- drawing ---------------------------------------------------------------------------------

    def show_state(self, shown: Shown) -> None:
        self._shown = shown
        self._show_card(shown)
        self._show_tables(shown)
        batch = shown.entry is Entry.BATCH
        self.amount_label.setText(self.tr("Serials to create") if batch else self.tr("Quantity"))
        typing_amount = shown.entry is not Entry.NONE
        typing_reason = shown.held is not None and not typing_amount
        self.amount_label.setVisible(typing_amount)
        self.amount.setVisible(typing_amount)
        self.reason_label.setVisible(typing_reason)
        self.reason.setVisible(typing_reason)
        self.prompt.setText(self._prompt(shown))

    def _name(self, shown: Shown, zh: str, en: str, code: str | None) -> str:
        return (zh if shown.chinese else en) or code or ""

    def _show_card(self, shown: Shown) -> None:
        order = shown.order
        if order is None:
            self.card.title.setText(self.tr("Packing at {0}").format(shown.station))
            self.card.order.setVisible(False)
        else:
            name = self._name(shown, order.item_name_zh, order.item_name_en, order.item_code)
            self.card.title.setText(self.tr("Work order {0} · {1}").format(order.code, name))
            self.card.order.setText(
                self.tr(
                    "Serials: {0} of {1} created · {2} labelled · {3} scanned back · {4} still to create"
                ).format(order.created, order.planned, order.labelled, order.confirmed, order.remaining)
            )
            self.card.order.setVisible(True)
        self._show_fill(shown, self.card.carton, shown.carton, CARTON)
        self._show_fill(shown, self.card.pallet, shown.pallet, PALLET)

    def _show_fill(self, shown: Shown, row: FillRow, container: OpenContainer | None, level: str) -> None:
        marker = "▶ " if level == shown.level else ""
        if container is None:
            if level == CARTON:
                caption = self.tr("Carton: none open, the next unit opens one")
            else:
                caption = self.tr("Pallet: none open, the next closed carton opens one")
            row.show_fill(marker + caption, Decimal(0), None, "EA")
            return
        what = self._name(shown, container.item_name_zh, container.item_name_en, container.item_code)
        what = what or self.tr("empty")
        if level == CARTON:
            caption = self.tr("Carton {0} · {1}").format(short_code(container.code), what)
        else:
            caption = self.tr("Pallet {0} · {1}").format(short_code(container.code), what)
        row.show_fill(marker + caption, container.count, container.capacity, container.uom)

    def _show_tables(self, shown: Shown) -> None:
        target = shown.carton if shown.level == CARTON else shown.pallet
        kinds = {"SERIAL": self.tr("serial"), "LOT": self.tr("lot"), "CONTAINER": self.tr("carton")}
        if target is None:
            self.contents_title.setText(self.tr("Nothing open"))
            fill_table(self.contents, [])
        else:
            if target.level == CARTON:
                self.contents_title.setText(self.tr("In carton {0}").format(short_code(target.code)))
            else:
                self.contents_title.setText(self.tr("On pallet {0}").format(short_code(target.code)))
            fill_table(
                self.contents,
                [
                    (unit.code, kinds.get(unit.kind, unit.kind), amount(unit.quantity, unit.uom))
                    for unit in target.contents
                ],
            )
        owed = [(job.unit_code, self.tr("to scan back")) for job in shown.awaiting]
        owed += [(code, self.tr("not printed: F7")) for code in shown.unprinted]
        fill_table(self.labels, owed)

    def _prompt(self, shown: Shown) -> str:
        held = shown.held
        if shown.entry is Entry.BATCH:
            return self.tr("Type how many serials to create, then Enter.")
        if shown.entry is Entry.LOT and held is not None:
            return self.tr("Type how much of {0} goes into the carton, then Enter.").format(held.code)
        if held is not None:
            if shown.mode is Mode.UNPACK:
                return self.tr("Type why {0} comes out of its container, then Enter.").format(held.code)
            if shown.mode is Mode.REPACK:
                return self.tr("Type why {0} moves into {1}, then Enter.").format(
                    held.code, short_code(held.target or "")
                )
            return self.tr("Type why the label of {0} is printed again, then Enter.").format(held.code)
        if shown.mode is Mode.UNPACK:
            return self.tr("Unpack: scan the unit to take out of its container (#CANCEL: back).")
        if shown.mode is Mode.REPACK:
            return self.tr("Repack: scan the unit to move into the open carton or pallet (#CANCEL: back).")
        if shown.mode is Mode.REPRINT:
            return self.tr("Reprint: scan the label to print again (#CANCEL: back).")
        if shown.awaiting:
            more = len(shown.awaiting) - 1
            code = shown.awaiting[0].unit_code
            if more:
                return self.tr(
                    "Stick the label on its unit and scan it back: {0} ({1} more after it)."
                ).format(code, more)
            return self.tr("Stick the label on its unit and scan it back: {0}.").format(code)
        if shown.unprinted:
            return self.tr("A label did not print: check the printer, then F7 sends it again.")
        if shown.order is not None:
            return self.tr("Scan a unit to pack, or F5 for the next label of {0}.").format(shown.order.code)
        return self.tr("Scan a unit to pack, a closed carton for the pallet, or a work order to label.")


def _titled(title: QLabel, table: QTableWidget) -> QVBoxLayout:
    column = QVBoxLayout()
    column.addWidget(title)
    column.addWidget(table, 1)
    return column
