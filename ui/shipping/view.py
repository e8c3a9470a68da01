"""Shipping (出货): pick a shipment, scan what leaves against its lines, confirm, print the packing list.

Without a shipment the screen lists the open ones (arrows and Enter pick one) and waits for a
shipment's code. With one, every scan of a pallet, carton, serial or lot (internal code, SSCC,
GS1 element string) is added to it through `models.shipping.add_to_shipment`, which checks
everything inside what was scanned; a quantity typed first ships that part of a lot. The screen
only shows the model's answers: which lines are short, which units are on it, why a scan was refused.

Scans are handled one at a time, in the order they came (StationScreen's queue): the next waits
until the database has answered the one before and the shipment is shown as that answer left it.
What a scan means is fixed when it is scanned or taken up, never when its lookup answers: the
quantity typed before it (taken from the field at the scan, so it is for that one scan only) and
remove mode. Esc waits its turn like a scan; Enter, Delete, F4 and F10 pressed while a scan or an
action is under way are said no to.

Irreversible steps ask first, inline (ConfirmStrip): taking a unit off the shipment (#REMOVE then
the unit, or Delete on a selected row), and the shipment leaving (F10 or #CONFIRM). Only a scan made
after a question answers it. A shipment as ordered is asked about once (Enter or #CONFIRM). A short
one is asked a question of its own, naming per line what is ordered and what is scanned in the
item's unit, and only the total quantity being shipped typed on the strip and Enter, or the
#CONFIRM-SHORT command barcode, answers yes: never Enter alone nor #CONFIRM, so two Enters cannot
ship 1 of 30. The model ships short only for the total confirmed (`shipping_total`).
Whether a unit is on the shipment, or anything is, the model says (its refusal is the banner): the
screen never judges that on what it last showed. F9 saves the packing list as a PDF.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from documents.packing_list import packing_list_pdf
from models import shipping
from models.errors import DomainError, ErrorCode
from models.lookup import plain
from models.resolve import Resolved, Target, resolve
from models.shipping import LineView, OpenShipment, PackingList, ShipmentState, ShipmentView
from ui.messages import domain_message
from ui.station_screen import TOUCH_TARGET, Command, Runner, StationScreen, command, parse_quantity
from ui.widgets.confirm import ConfirmStrip

PROGRESS_WIDTH = 200  # px: a line's progress bar, wide enough for "1200 / 1500" in large type
CodeRole = Qt.ItemDataRole.UserRole + 1  # on a table row's first cell: the shipment's or unit's code
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ShippingStrip(ConfirmStrip):
    """The confirm strip, plus the short-shipment question: yes only with the quantity typed.

    `ask_quantity` shows a field on the strip; Enter (or the Yes button) confirms only when the
    field holds exactly the quantity asked for, else `on_wrong` says so and the question stays.
    The #CONFIRM-SHORT command barcode confirms it too; #CONFIRM never does (the ordinary question
    takes #CONFIRM, not #CONFIRM-SHORT), so no habit of the ordinary question ships short.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.typed = QLineEdit()
        self.typed.setObjectName("confirmQuantity")
        self.typed.setMinimumHeight(TOUCH_TARGET)
        self.typed.setMaximumWidth(200)
        layout = self.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.insertWidget(1, self.typed)
        self.typed.hide()
        self._expected: Decimal | None = None
        self._on_wrong: Callable[[str], None] | None = None

    @property
    def expecting(self) -> Decimal | None:
        """The quantity the open short-shipment question wants typed, or None."""
        return self._expected if self.waiting else None

    def ask_quantity(
        self,
        question: str,
        expected: Decimal,
        on_yes: Callable[[], None],
        on_no: Callable[[], None],
        on_wrong: Callable[[str], None],
    ) -> None:
        super().ask(question, on_yes, on_no)
        self._expected, self._on_wrong = expected, on_wrong
        self.typed.clear()
        self.typed.show()
        self.typed.setFocus(Qt.FocusReason.OtherFocusReason)

    def answer(self, command: Command | None) -> bool:
        if self.expecting is None:
            return command is not Command.CONFIRM_SHORT and super().answer(command)
        if command is Command.CONFIRM_SHORT:
            super().confirm()
            return True
        if command is Command.CANCEL:
            self.cancel()
            return True
        return False  # #CONFIRM is no answer to a short shipment

    def confirm(self) -> None:
        """Enter or Yes: the short question only with its quantity typed."""
        expected = self.expecting
        if expected is None:
            super().confirm()
            return
        typed = self.typed.text().strip()
        if parse_quantity(typed) == expected:
            super().confirm()
        elif self._on_wrong is not None:
            self._on_wrong(typed)
            self.typed.selectAll()
            self.typed.setFocus(Qt.FocusReason.OtherFocusReason)

    def _close(self) -> None:
        self._expected = self._on_wrong = None
        self.typed.clear()
        self.typed.hide()
        super()._close()


class ShippingView(StationScreen):
    """The shipping station's screen; everything it records goes through `runner.act`."""

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self._shipments: list[OpenShipment] = []
        self._view: ShipmentView | None = None
        self._removing = False  # #REMOVE scanned: the next unit scanned comes off the shipment
        self._scan_count = 0  # scans handed to the screen so far: each one's number
        self._asked_after = 0  # the scan count when the open question was asked
        self._note = ""  # what the last answer left to say under the prompt (not shipped, saved...)

        # The context card: which shipment, for whom, how far.
        self.card = QFrame()
        self.card.setObjectName("contextCard")
        self.card_title = QLabel()
        self.card_title.setObjectName("contextTitle")
        self.card_title.setWordWrap(True)
        self.card_detail = QLabel()
        self.card_detail.setObjectName("contextDetail")
        self.card_detail.setWordWrap(True)
        self.overall = QProgressBar()
        self.overall.setObjectName("overallProgress")
        self.overall.setRange(0, 100)
        card_grid = QGridLayout(self.card)
        card_grid.addWidget(self.card_title, 0, 0)
        card_grid.addWidget(self.overall, 0, 1)
        card_grid.addWidget(self.card_detail, 1, 0, 1, 2)
        card_grid.setColumnStretch(0, 3)
        card_grid.setColumnStretch(1, 1)

        self.prompt = QLabel()
        self.prompt.setObjectName("prompt")
        self.prompt.setWordWrap(True)
        self.strip = ShippingStrip()

        # Page 0: the open shipments to pick from.
        self.shipment_table = self._table(4, "openShipments", stretch=3)
        self.open_button = QPushButton()
        self.open_button.setObjectName("openShipment")
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_title = QLabel()
        list_layout.addWidget(self.list_title)
        list_layout.addWidget(self.shipment_table, 1)
        open_row = QHBoxLayout()
        open_row.addStretch(1)
        open_row.addWidget(self.open_button)
        list_layout.addLayout(open_row)

        # Page 1: one shipment, its lines and what is scanned onto it.
        self.line_table = self._table(5, "shipmentLines", stretch=1)
        self.line_table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        self.line_table.horizontalHeader().resizeSection(4, PROGRESS_WIDTH)
        self.unit_table = self._table(5, "pickedUnits", stretch=2)
        self.lines_title = QLabel()
        self.units_title = QLabel()
        self.quantity_label = QLabel()
        self.quantity = QLineEdit()
        self.quantity.setObjectName("quantity")
        self.quantity.setMinimumWidth(140)
        self.quantity.setMaximumWidth(200)
        self.quantity_label.setBuddy(self.quantity)
        self.remove_button = QPushButton()
        self.remove_button.setObjectName("removeUnit")
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("confirmShipment")
        self.list_button = QPushButton()
        self.list_button.setObjectName("packingList")
        self.back_button = QPushButton()
        self.back_button.setObjectName("shipmentList")
        lines_box, units_box = QWidget(), QWidget()
        for box, title, table in (
            (lines_box, self.lines_title, self.line_table),
            (units_box, self.units_title, self.unit_table),
        ):
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(title)
            box_layout.addWidget(table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(lines_box)
        split.addWidget(units_box)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        controls = QHBoxLayout()
        controls.addWidget(self.quantity_label)
        controls.addWidget(self.quantity)
        controls.addStretch(1)
        for button in (self.remove_button, self.list_button, self.back_button, self.confirm_button):
            controls.addWidget(button)
        detail_page = QWidget()
        detail_layout = QVBoxLayout(detail_page)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(split, 1)
        detail_layout.addLayout(controls)

        self.pages = QStackedWidget()
        self.pages.addWidget(list_page)
        self.pages.addWidget(detail_page)
        for button in (
            self.open_button,
            self.remove_button,
            self.confirm_button,
            self.list_button,
            self.back_button,
        ):
            button.setMinimumHeight(TOUCH_TARGET)
        self.quantity.setMinimumHeight(TOUCH_TARGET)

        layout = QVBoxLayout(self)
        layout.addWidget(self.card)
        layout.addWidget(self.prompt)
        layout.addWidget(self.strip)
        layout.addWidget(self.pages, 1)

        self.shipment_table.activated.connect(self._shipment_activated)
        self.open_button.clicked.connect(self.open_selected)
        self.remove_button.clicked.connect(self.remove)
        self.confirm_button.clicked.connect(self.confirm)
        self.list_button.clicked.connect(self.save_packing_list)
        self.back_button.clicked.connect(self.show_list)
        self.quantity.returnPressed.connect(self._quantity_entered)
        QShortcut(QKeySequence(Qt.Key.Key_F10), self, self.confirm)
        QShortcut(QKeySequence(Qt.Key.Key_F9), self, self.save_packing_list)
        QShortcut(QKeySequence(Qt.Key.Key_F4), self, self.show_list)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel)
        # Delete only where a unit is selected: in the quantity field it deletes a digit.
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.unit_table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove)
        QWidget.setTabOrder(self.quantity, self.unit_table)
        QWidget.setTabOrder(self.unit_table, self.line_table)
        QWidget.setTabOrder(self.line_table, self.remove_button)
        QWidget.setTabOrder(self.remove_button, self.list_button)
        QWidget.setTabOrder(self.list_button, self.back_button)
        QWidget.setTabOrder(self.back_button, self.confirm_button)
        self.retranslate()

    # --- StationScreen ---------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Shipping")

    def activate(self) -> None:
        """After a login: a question asked of the operator who left is not for the one who came."""
        if self.strip.waiting:
            self.strip.cancel()
        self._removing = False
        super().activate()  # drops the last operator's jobs

    def refresh(self) -> None:
        if self._view is None:
            self.runner.read(shipping.open_shipments, self._show_shipments)
        else:
            self._load(self._view.code)

    def scanned(self, text: str) -> None:
        self._scan_count += 1
        number, typed = self._scan_count, None if command(text) is not None else self._take_quantity()
        self.enqueue(lambda: self._scan(number, text, typed))

    def retranslate(self) -> None:
        self.strip.retranslate()
        self.list_title.setText(self.tr("Open shipments"))
        self.lines_title.setText(self.tr("Ordered and scanned"))
        self.units_title.setText(self.tr("Scanned units"))
        self.quantity_label.setText(self.tr("Lot &quantity"))
        self.quantity.setPlaceholderText(self.tr("whole lot"))
        self.open_button.setText(self.tr("Open (Enter)"))
        self.remove_button.setText(self.tr("Remove (Del)"))
        self.confirm_button.setText(self.tr("Ship (F10)"))
        self.list_button.setText(self.tr("Packing list (F9)"))
        self.back_button.setText(self.tr("Shipments (F4)"))
        self.shipment_table.setHorizontalHeaderLabels(
            [self.tr("Shipment"), self.tr("Customer"), self.tr("Reference"), self.tr("Scanned / ordered")]
        )
        self.line_table.setHorizontalHeaderLabels(
            [self.tr("Item"), self.tr("Name"), self.tr("Ordered"), self.tr("Scanned"), self.tr("Progress")]
        )
        self.unit_table.setHorizontalHeaderLabels(
            [self.tr("Code"), self.tr("Kind"), self.tr("Item"), self.tr("Quantity"), self.tr("Contents")]
        )
        self._show_shipments(self._shipments)
        self._show(self._view)

    # --- scans, in turn (each a job of StationScreen's queue, ended by `done()`) --------------------

    def _scan(self, number: int, text: str, typed: str | None) -> None:
        wanted = command(text)
        if self.strip.waiting:
            # A scan made before the question (the rest of a burst) never answers it.
            if number <= self._asked_after or not self.strip.answer(wanted):
                self._answer_first()
                self._give_back(typed, number)
            self.done()
        elif wanted is Command.CONFIRM:
            self._confirm()
        elif wanted is Command.CANCEL:
            self._cancel()
        elif wanted is Command.REMOVE:
            self.start_removing()
            self.done()
        elif wanted is Command.CLOSE:
            self.runner.refuse(
                self.tr("#CLOSE closes a carton at the packing station: nothing to close here.")
            )
            self.done()
        elif wanted is Command.CONFIRM_SHORT:
            self.runner.refuse(
                self.tr("#CONFIRM-SHORT answers only the question about a short shipment: none is asked.")
            )
            self.done()
        else:
            removing = self._removing  # what this scan is for is decided now, not at the answer
            self.read(
                lambda db: resolve(db, text),
                lambda found: self._found(found, removing, typed, number),
                lambda _error: self._not_found(typed, number),
            )

    def _take_quantity(self) -> str | None:
        """The quantity typed before a scan is that scan's: taken out of the field now, so it never
        also applies to the next lot of a burst. One that is no number stays, to be corrected (the
        scan is refused)."""
        typed = self.quantity.text().strip()
        if typed and parse_quantity(typed) is not None:
            self.quantity.clear()
        return typed or None

    def _give_back(self, typed: str | None, number: int) -> None:
        """A quantity its scan (number `number`) did not use goes back into the field, to be
        corrected or used by the next scan; not over one typed since, nor past a scan made after it."""
        if (
            typed
            and parse_quantity(typed) is not None
            and not self.quantity.text()
            and number == self._scan_count
        ):
            self.quantity.setText(typed)

    def _idle(self) -> bool:
        """Keys act at once, scans in turn: a key pressed while a scan is under way is said no to."""
        if self.busy:
            self.runner.refuse(
                self.tr("Still busy with the last scan or action: wait for its answer, then try again.")
            )
            return False
        return True

    # --- what the operator does ------------------------------------------------------------------

    def open_shipment(self, code: str) -> None:
        """Show a shipment (a pick from the list or a scan of its code), in its turn."""
        self.enqueue(lambda: self._open_shipment(code))

    def _open_shipment(self, code: str) -> None:
        self._removing, self._note = False, ""
        self.read(lambda db: shipping.shipment_view(db, code), self._opened, self._read_failed)

    def open_selected(self) -> None:
        row = self.shipment_table.currentRow()
        if self._view is not None or row < 0 or not self._idle():
            return
        self.open_shipment(self.shipment_table.item(row, 0).data(CodeRole))

    def show_list(self) -> None:
        """Back to the open shipments (F4): nothing recorded is undone, the shipment stays as it is."""
        if self.strip.waiting:
            self._answer_first()
            return
        if not self._idle():
            return
        self._view, self._removing, self._note = None, False, ""
        self.quantity.clear()
        self._show(None)
        self.runner.read(shipping.open_shipments, self._show_shipments)

    def cancel(self) -> None:
        """Esc: what #CANCEL does, in its turn."""
        self.enqueue(self._cancel)

    def _cancel(self) -> None:
        """No to the question, else drop the half-entered (remove mode, a quantity)."""
        if self.strip.waiting:
            self.strip.cancel()  # its "no" puts the focus back where the question came from
        else:
            if self._removing:
                self._removing = False
                self._show_prompt()
            elif self.quantity.text():
                self.quantity.clear()
            self._focus()
        self.done()

    def start_removing(self) -> None:
        """#REMOVE: the next unit scanned is taken off the shipment (after a question)."""
        view = self._open_view()
        if view is None:
            return
        if not view.units:
            self.runner.refuse(
                self.tr("Nothing is scanned onto {0}: there is nothing to remove.").format(view.code)
            )
            return
        self._removing, self._note = True, ""
        self._show_prompt()

    def remove(self) -> None:
        """The Remove button or Delete: the selected unit, else wait for the unit's scan."""
        if self.strip.waiting or not self._idle():
            return
        self.enqueue(self._remove_selected)

    def _remove_selected(self) -> None:
        if self._open_view() is not None:
            selected = self.unit_table.selectionModel().selectedRows()
            if selected:
                self._ask_remove(self.unit_table.item(selected[0].row(), 0).data(CodeRole), from_table=True)
            else:
                self.start_removing()
        self.done()

    def confirm(self) -> None:
        """F10 or the button: what #CONFIRM does, unless a question is open or a job runs."""
        if self.strip.waiting or not self._idle():
            return
        self.enqueue(self._confirm)

    def _confirm(self) -> None:
        """The shipment read afresh (the model refuses one that cannot leave), then the first
        question, whose yes checks the quantities once more."""
        view = self._open_view()
        if view is None:
            self.done()
            return
        self._removing = False
        self._show_prompt()
        code = view.code
        self.read(lambda db: shipping.shipment_to_ship(db, code), self._ask_ship, self._failed)

    def save_packing_list(self) -> None:
        """F9: the packing list as a PDF in the station's documents folder (rendered on the worker)."""
        if self.strip.waiting:
            return
        if self._view is None:
            self.runner.refuse(self.tr("Pick a shipment first: the packing list is a shipment's."))
            return
        code = self._view.code
        self.runner.pending(self.tr("Writing the packing list of {0}…").format(code))
        self.runner.read(lambda db: shipping.packing_list(db, code), self._save_document)

    # --- answers ---------------------------------------------------------------------------------

    def _found(self, found: Resolved, removing: bool, typed: str | None, number: int) -> None:
        """A scanned code, looked up: for what it was scanned for (remove mode, the quantity typed
        before it), against the shipment as the answer before it left it."""
        adding = opening = False
        if found.target is Target.SHIPMENT:
            opening = True
            self._open_shipment(found.code)
        elif found.target is not Target.UNIT:
            self.runner.refuse(
                self.tr("{0} is not a pallet, carton, serial or lot: scan what leaves.").format(found.code)
            )
        elif self._view is None:
            self.runner.refuse(self.tr("Scan or pick a shipment first, then {0}.").format(found.code))
        elif self._open_view() is None:
            pass  # it has said why
        elif removing:
            self._removing = False
            self._show_prompt()
            self._ask_remove(found.code)  # on the shipment or not, the model says when asked
        else:
            adding = self._add(found, typed, number)
        if not adding:
            self._give_back(typed, number)
        if not (adding or opening):
            self.done()

    def _not_found(self, typed: str | None, number: int) -> None:
        """The runner has said why the code is not known; nothing changed."""
        self._give_back(typed, number)
        self.done()

    def _add(self, found: Resolved, typed: str | None, number: int) -> bool:
        """Add what was scanned (the part typed before it, of a lot); False when refused here."""
        assert self._view is not None
        quantity: Decimal | None = None
        if typed:
            quantity = parse_quantity(typed)
            if quantity is None:
                self.runner.refuse(
                    self.tr("{0} is not a quantity: type a number, or clear it.").format(typed)
                )
                self._focus()
                return False
        self.act(
            shipping.add_to_shipment,
            lambda state: self._added(state, found),
            lambda error: self._add_failed(error, typed, number),
            shipment_code=self._view.code,
            unit_code=found.code,
            quantity=None if quantity is None else str(quantity),
        )
        return True

    def _add_failed(self, error: Exception, typed: str | None, number: int) -> None:
        self._give_back(typed, number)  # refused: the quantity is there to be corrected, as typed
        self._failed(error)

    def _added(self, state: ShipmentState, found: Resolved) -> None:
        added = state.picked_units[-1] if state.picked_units else found.code  # a part of a lot: its own code
        line = next((line for line in state.lines if line.item_code == found.item_code), None)
        if line is None:
            self.runner.ok(self.tr("Added {0}.").format(added))
        else:
            uom = self._uom(line.item_code)
            self.runner.ok(
                self.tr("Added {0}. {1}: {2} of {3} scanned.").format(
                    added, line.item_code, _amount(line.picked, uom), _amount(line.required, uom)
                )
            )
        self._note = ""  # the field was emptied at the scan: what is in it now is for the next one
        self._reload(state.code)

    def _ask_remove(self, code: str, *, from_table: bool = False) -> None:
        view = self._open_view()
        if view is None:
            return
        self._ask(
            self.tr("Take {0} off shipment {1}?").format(code, view.code),
            lambda: self.enqueue(lambda: self._remove(view.code, code)),
            self._kept_in_table if from_table else self._focus,
        )

    def _kept_in_table(self) -> None:
        """No to removing the selected row: back where the operator was, to pick another one."""
        self.unit_table.setFocus()

    def _remove(self, shipment_code: str, unit_code: str) -> None:
        self.act(
            shipping.remove_from_shipment,
            lambda state: self._removed(state, unit_code),
            self._failed,
            shipment_code=shipment_code,
            unit_code=unit_code,
        )

    def _removed(self, state: ShipmentState, unit_code: str) -> None:
        self.runner.ok(self.tr("{0} taken off shipment {1}.").format(unit_code, state.code))
        self._reload(state.code)

    def _ask_ship(self, view: ShipmentView) -> None:
        """The one question, with the numbers just read: as ordered, or short (its own question)."""
        self._show(view)
        code = view.code
        if view.differences:
            self._ask_short(view)
        else:
            what = ", ".join(
                f"{line.item_code} {_amount(line.picked, line.uom)}" for line in view.lines if line.picked
            )
            self._ask(
                self.tr("Ship everything ordered to {0}: {1}?").format(self._customer(view), what),
                lambda: self.enqueue(lambda: self._ship(code)),
                self._not_shipped,
            )
        self.done()

    def _ask_short(self, view: ShipmentView) -> None:
        """Short: every line that is, in its item's unit, and the total to type. Built unlike the
        question of a complete shipment, so no reflex of that one answers it."""
        total, code = view.total, view.code
        parts = [
            self.tr("{0}: ordered {1}, scanned {2}").format(
                line.item_code, _amount(line.required, line.uom), _amount(line.picked, line.uom)
            )
            for line in view.differences
        ]
        self._ask(
            self.tr(
                "SHORT SHIPMENT. {0}. To ship only what is scanned, type {1} (the total shipped) and press "
                "Enter, or scan #CONFIRM-SHORT. Esc or #CANCEL: do not ship."
            ).format("; ".join(parts), str(plain(total))),
            lambda: self.enqueue(lambda: self._ship(code, total)),
            self._not_shipped,
            short=total,
        )

    def _ship(self, code: str, short_total: Decimal | None = None) -> None:
        """The shipment leaves: as ordered, or short for exactly the total the operator confirmed."""
        self.runner.pending(self.tr("Shipping {0}…").format(code))
        self.act(
            shipping.confirm_shipment,
            self._shipped,
            lambda error: self._ship_failed(code, error),
            shipment_code=code,
            accept_difference=short_total is not None,
            shipping_total=None if short_total is None else str(short_total),
        )

    def _ship_failed(self, code: str, error: Exception) -> None:
        """The quantities changed between the question and the answer (the red banner has said
        what differs): the shipment read again and asked about afresh, never shipped unasked."""
        if isinstance(error, DomainError) and error.code is ErrorCode.SHIPMENT_QUANTITY_MISMATCH:
            self.read(lambda db: shipping.shipment_to_ship(db, code), self._ask_ship, self._failed)
            return
        self._failed(error)

    def _shipped(self, state: ShipmentState) -> None:
        view = self._view
        customer = (
            self._customer(view) if view is not None and view.code == state.code else state.customer_code
        )
        what = ", ".join(
            f"{line.item_code} {_amount(line.picked, self._uom(line.item_code))}"
            for line in state.lines
            if line.picked
        )
        self.runner.ok(self.tr("Shipment {0} shipped to {1}: {2}.").format(state.code, customer, what))
        self._note = self.tr("Shipped. F9 saves the packing list.")
        self._reload(state.code)

    def _not_shipped(self) -> None:
        self._note = self.tr("Not shipped: nothing was recorded.")
        self._show_prompt()
        self._focus()

    def _failed(self, _error: Exception) -> None:
        """The runner has said why; show the shipment as the database has it now, then the next scan."""
        if self._view is not None:
            self._reload(self._view.code)
        else:
            self._read_failed(_error)

    def _read_failed(self, _error: Exception) -> None:
        """The runner has said why; the screen stays as it was."""
        self._focus()
        self.done()

    def _save_document(self, listing: PackingList) -> None:
        name = _UNSAFE_IN_FILE_NAME.sub("_", listing.code) + ".pdf"
        self.runner.save_document(name, lambda: packing_list_pdf(listing), self._saved)

    def _saved(self, path: Path) -> None:
        self._note = self.tr("Packing list saved: {0}").format(str(path))
        self._show_prompt()

    def _opened(self, view: ShipmentView) -> None:
        self._show(view)
        self.runner.ok(self.tr("Opened shipment {0} for {1}.").format(view.code, self._customer(view)))
        self.done()

    def _load(self, code: str) -> None:
        """F5 and the like: the shipment again, whatever is under way (the turn of scans is not touched)."""
        self.runner.read(lambda db: shipping.shipment_view(db, code), self._show)

    def _reload(self, code: str) -> None:
        """After an answer: the shipment as the database has it now, before the next scan's turn."""
        self.read(lambda db: shipping.shipment_view(db, code), self._reloaded, self._read_failed)

    def _reloaded(self, view: ShipmentView) -> None:
        self._show(view)
        self.done()

    # --- showing ---------------------------------------------------------------------------------

    def _show_shipments(self, shipments: list[OpenShipment]) -> None:
        self._shipments = shipments
        current = self.shipment_table.currentRow()
        table = self.shipment_table
        table.setRowCount(len(shipments))
        for row, entry in enumerate(shipments):
            summary = " · ".join(
                f"{line.item_code} {_amount(line.picked, line.uom)} / {_amount(line.required, line.uom)}"
                for line in entry.lines
            )
            values = [
                entry.code,
                f"{self._name(entry.customer_name_zh, entry.customer_name_en)} ({entry.customer_code})",
                entry.reference or "—",
                summary,
            ]
            self._fill_row(table, row, values, entry.code)
        if shipments:
            table.setCurrentCell(min(max(current, 0), len(shipments) - 1), 0)
        if self._view is None:
            self.card_detail.setText(self.tr("Open shipments: {0}").format(len(shipments)))
        self._show_prompt()
        self._focus()

    def _show(self, view: ShipmentView | None) -> None:
        self._view = view
        self.pages.setCurrentIndex(0 if view is None else 1)
        if view is None:
            self.card_title.setText(self.tr("Shipping: no shipment open"))
            self.card_detail.setText(self.tr("Open shipments: {0}").format(len(self._shipments)))
            self.overall.setVisible(False)
            self._show_prompt()
            self._focus()
            return
        is_open = view.is_open
        self.card_title.setText(self.tr("Shipment {0} · {1}").format(view.code, self._customer(view)))
        self.card_detail.setText(
            self.tr("Customer {0} · reference {1} · {2} · scanned: {3}").format(
                view.customer_code,
                view.reference or "—",
                self.tr("open") if is_open else self.tr("shipped"),
                len(view.units),
            )
        )
        self.overall.setVisible(True)
        self.overall.setValue(_percent(view.lines))
        self.overall.setFormat(self.tr("%p% scanned") if is_open else self.tr("%p% shipped"))

        lines = self.line_table
        lines.setRowCount(len(view.lines))
        for row, line in enumerate(view.lines):
            name = self._name(line.item_name_zh, line.item_name_en)
            values = [
                line.item_code,
                name,
                _amount(line.required, line.uom),
                _amount(line.picked, line.uom),
            ]  # the fifth column is the line's progress bar
            self._fill_row(lines, row, values, line.item_code)
            for column in (2, 3):
                lines.item(row, column).setTextAlignment(
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
            bar = lines.cellWidget(row, 4)
            if not isinstance(bar, QProgressBar):
                bar = QProgressBar()
                lines.setCellWidget(row, 4, bar)
            bar.setRange(0, 1000)
            bar.setValue(_permille(line))
            bar.setFormat(f"{_amount(line.picked, '')} / {_amount(line.required, '')}")

        # Every line stays in sight (up to four), also while a question takes the strip's room.
        shown = min(max(len(view.lines), 1), 4)
        lines.setMinimumHeight(lines.horizontalHeader().sizeHint().height() + shown * TOUCH_TARGET + 4)

        units = self.unit_table
        units.clearSelection()  # Delete takes off a row the operator chose, never a leftover one
        units.setRowCount(len(view.units))
        for row, unit in enumerate(view.units):
            values = [
                unit.code,
                self._kind(unit.kind, unit.level),
                f"{unit.item_code} {self._name(unit.item_name_zh, unit.item_name_en)}".strip(),
                _amount(unit.quantity, unit.uom),
                self._contents(unit.pieces_inside, unit.containers_inside),
            ]
            self._fill_row(units, row, values, unit.code)
            units.item(row, 3).setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.quantity.setEnabled(is_open)
        self.remove_button.setEnabled(is_open and bool(view.units))
        self.confirm_button.setEnabled(is_open)
        self._show_prompt()
        self._focus()

    def _show_prompt(self) -> None:
        view = self._view
        if view is None:
            text = (
                self.tr("Scan or pick a shipment (arrows, then Enter).")
                if self._shipments
                else self.tr("No open shipments: scan a shipment's code.")
            )
        elif not view.is_open:
            text = self.tr(
                "Shipment {0} has left. F9 saves its packing list, F4 shows the open shipments."
            ).format(view.code)
        elif self._removing:
            text = self.tr("Scan the unit to take off {0} (Esc: keep it).").format(view.code)
        elif view.lines and not view.differences:
            text = self.tr("Everything ordered is scanned: ship with F10 or #CONFIRM.")
        else:
            text = self.tr(
                "Scan pallets, cartons, serials or lots. For part of a lot, type the quantity first."
            )
        if self._note:
            text = f"{self._note}\n{text}"
        self.prompt.setText(text)

    def _focus(self) -> None:
        """After each answer: the quantity field on an open shipment, the list without one."""
        if self.strip.waiting:
            return
        if self._view is None:
            self.shipment_table.setFocus()
        elif self._view.is_open:
            self.quantity.setFocus()
        else:
            self.setFocus()

    # --- pieces ----------------------------------------------------------------------------------

    def _open_view(self) -> ShipmentView | None:
        """The shown shipment if things can still be scanned onto it; else say why, and None."""
        view = self._view
        if view is None:
            self.runner.refuse(self.tr("Scan or pick a shipment first."))
            return None
        if not view.is_open:
            self._refuse(ErrorCode.SHIPMENT_NOT_OPEN, shipment=view.code, status=view.status)
            return None
        return view

    def _refuse(self, error: ErrorCode, /, **params: object) -> None:
        """A refusal the model would give, said before asking it: the same sentence as everywhere."""
        self.runner.refuse(domain_message(DomainError(error, **params)))

    def _ask(
        self,
        question: str,
        on_yes: Callable[[], None],
        on_no: Callable[[], None],
        *,
        short: Decimal | None = None,
    ) -> None:
        """Every question: only a scan made after it can answer it. `short`: the quantity to type."""
        self._asked_after = self._scan_count
        if short is None:
            self.strip.ask(question, on_yes, on_no)
        else:
            self.strip.ask_quantity(question, short, on_yes, on_no, self._wrong_total)

    def _answer_first(self) -> None:
        expected = self.strip.expecting
        if expected is not None:
            self.runner.refuse(
                self.tr(
                    "Short shipment: type {0} and press Enter, or scan #CONFIRM-SHORT, to ship it; "
                    "Esc or #CANCEL not to."
                ).format(str(plain(expected)))
            )
            return
        self.runner.refuse(
            self.tr("Answer the question first: Enter or #CONFIRM for yes, Esc or #CANCEL for no.")
        )

    def _wrong_total(self, typed: str) -> None:
        """Enter on the short question without its quantity: said, and the question stays."""
        expected = str(plain(self.strip.expecting or Decimal(0)))
        if not typed:
            self.runner.refuse(
                self.tr("Not shipped: type {0}, the total shipped, then press Enter.").format(expected)
            )
        else:
            self.runner.refuse(
                self.tr("Not shipped: {0} is not the total shipped, {1}.").format(typed, expected)
            )

    def _shipment_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.shipment_table.setCurrentCell(index.row(), 0)
            self.open_selected()

    def _quantity_entered(self) -> None:
        typed = self.quantity.text().strip()
        if typed and parse_quantity(typed) is None:
            self.runner.refuse(self.tr("{0} is not a quantity: type a number, or clear it.").format(typed))
            return
        self._note = self.tr("Now scan the lot.") if typed else ""
        self._show_prompt()

    def _name(self, zh: str, en: str) -> str:
        return (zh or en) if self.runner.language == "zh_CN" else (en or zh)

    def _customer(self, view: ShipmentView) -> str:
        return self._name(view.customer_name_zh, view.customer_name_en)

    def _uom(self, item_code: str) -> str:
        view = self._view
        if view is not None:
            for line in view.lines:
                if line.item_code == item_code:
                    return line.uom
        return ""

    def _kind(self, kind: str, level: str | None) -> str:
        if level == "PALLET":
            return self.tr("pallet")
        if level == "CARTON" or kind == "CONTAINER":
            return self.tr("carton")
        if kind == "SERIAL":
            return self.tr("serial")
        if kind == "LOT":
            return self.tr("lot")
        return kind

    def _contents(self, pieces: int, containers: int) -> str:
        if not pieces and not containers:
            return ""
        units = self.tr("1 unit") if pieces == 1 else self.tr("{0} units").format(pieces)
        if not containers:
            return units
        cartons = self.tr("1 carton") if containers == 1 else self.tr("{0} cartons").format(containers)
        return self.tr("{0} in {1}").format(units, cartons)

    @staticmethod
    def _table(columns: int, name: str, *, stretch: int) -> QTableWidget:
        table = QTableWidget(0, columns)
        table.setObjectName(name)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setTabKeyNavigation(False)  # Tab leaves the table: the keyboard moves between controls
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(TOUCH_TARGET)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)  # names take what is left
        return table

    @staticmethod
    def _fill_row(table: QTableWidget, row: int, values: list[str], code: str) -> None:
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == 0:
                item.setData(CodeRole, code)
            table.setItem(row, column, item)


def _amount(value: Decimal, uom: str) -> str:
    """A quantity as people write it, with its unit unless it counts pieces."""
    number = str(plain(value))
    return number if uom in ("", "EA") else f"{number} {uom}"


def _permille(line: LineView) -> int:
    if line.required <= 0:
        return 1000
    return int(min(line.picked / line.required, Decimal(1)) * 1000)


def _percent(lines: tuple[LineView, ...]) -> int:
    """How far the whole shipment is: each line counts the same, whatever its unit."""
    if not lines:
        return 0
    return round(sum(_permille(line) for line in lines) / len(lines) / 10)
