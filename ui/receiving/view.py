"""Receiving (原材料入库): supplier lots in as internal lots with their labels; incoming inspection.

The receiver scans the supplier's code on the delivery note, then each package's label: a GS1 label
fills item, lot, expiry and quantity, any other barcode is the supplier's lot (the item is chosen
first, from the list or by scanning its code). Enter or #CONFIRM receives: the internal lots are
recorded and their labels printed, and the form is ready for the next package of the same
delivery. Esc or #CANCEL clears the package's fields; a second one clears the supplier too.

A quality inspector (or a supervisor) sees the lots waiting for incoming inspection beside today's
receipts, selects one by scanning its label or in the list, and releases (F7) or rejects (F8) it;
a rejection is irreversible, so the screen asks first (ConfirmStrip, never a modal box).

A supplier label received today already (same supplier, item, supplier lot and per-package
quantity) is refused by `receive` as the same label scanned twice; the screen then asks under the
form whether it is another package with the same label, and a yes receives it as one.

Scans are answered one at a time (StationScreen's queue): a scan that arrives while the last one is
still being read (or while a receipt is being recorded) waits its turn, so a burst "supplier, label,
#CONFIRM" is read in the order it was scanned, each against the form as the one before left it.
Esc waits its turn too; Enter, F7 and F8 pressed while a scan or an action is under way are not
queued (Enter is said no to, F7 and F8 do nothing), so a key never acts on a form about to change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.actions import QUALITY
from models.errors import DomainError, ErrorCode
from models.lookup import plain
from models.receiving import (
    MAX_PACKAGES,
    InspectionOutcome,
    ItemChoice,
    QuarantinedLot,
    ReceiveResult,
    ReceivingChoices,
    ReceivingScan,
    ScanKind,
    TodaysReceipts,
    quarantined_lots,
    read_scan,
    receive,
    receiving_choices,
    reject_received_lot,
    release_received_lot,
    todays_receipts,
)
from ui.messages import status_name
from ui.station_screen import TOUCH_TARGET, Command, Runner, StationScreen, command, parse_quantity
from ui.widgets.confirm import ConfirmStrip

CodeRole = Qt.ItemDataRole.UserRole + 1  # a combo entry's or a table row's code
RECEIPT_COLUMNS = 7
WAITING_COLUMNS = 6
INSPECTION_TAB = 1


class ReceivingView(StationScreen):
    """The receiving station's screen; see the module docstring for what each scan does."""

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self._choices = ReceivingChoices((), ())
        self._receipts: TodaysReceipts | None = None
        self._waiting: tuple[QuarantinedLot, ...] = ()
        self._selected: str | None = None  # the quarantined lot the inspector works on
        self._rejecting: tuple[str, str] | None = None  # (lot, reason) while the question is open
        self._pending_item: str | None = None  # an item scanned before the list had loaded
        self._pending_supplier: str | None = None  # a supplier scanned before the list had loaded
        # The action id of the receipt the form holds, and the fields it was made for: a retry of
        # the same, unchanged form (its last outcome unknown) is answered, never recorded twice.
        self._receipt_id: str | None = None
        self._receipt_fields: dict[str, object] | None = None
        self._receiving_item = ""  # the item of the receipt being recorded (the form may change)
        # The form refused as the same label received today (its fields), while the question is
        # open, and the one the receiver then said is another package: Enter on that same form
        # (a retry after an unknown outcome) is sent as another package again, under its own id.
        self._same_label: tuple[dict[str, object], DomainError] | None = None
        self._second_package_of: dict[str, object] | None = None

        # The context card: the delivery, the item chosen, and what to scan next.
        self.card = QFrame()
        self.card.setObjectName("contextCard")
        self.card_title = QLabel()
        self.card_title.setObjectName("contextTitle")
        self.card_detail = QLabel()
        self.card_detail.setWordWrap(True)
        self.prompt = QLabel()
        self.prompt.setObjectName("prompt")
        self.prompt.setWordWrap(True)
        card_layout = QVBoxLayout(self.card)
        card_layout.setSpacing(2)
        card_layout.addWidget(self.card_title)
        card_layout.addWidget(self.card_detail)
        card_layout.addWidget(self.prompt)

        # The receipt form.
        self.supplier = QComboBox()
        self.supplier.setObjectName("supplier")
        self.item = QComboBox()
        self.item.setObjectName("item")
        for combo in (self.supplier, self.item):
            combo.setMinimumContentsLength(18)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.lot = QLineEdit()
        self.lot.setObjectName("supplierLot")
        self.quantity = QLineEdit()
        self.quantity.setObjectName("quantity")
        self.quantity.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
        self.uom = QLabel()
        self.packages = QSpinBox()
        self.packages.setObjectName("packages")
        self.packages.setRange(1, MAX_PACKAGES)
        self.made = QLineEdit()
        self.made.setObjectName("manufacturedOn")
        self.expiry = QLineEdit()
        self.expiry.setObjectName("expiresOn")
        for edit in (self.made, self.expiry):
            edit.setInputMethodHints(Qt.InputMethodHint.ImhDate)
            edit.setMaxLength(10)
        self.receive_button = QPushButton()
        self.receive_button.setObjectName("receiveButton")
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clearButton")
        for button in (self.receive_button, self.clear_button):
            button.setMinimumSize(TOUCH_TARGET * 3, TOUCH_TARGET)

        self.supplier_label, self.item_label, self.lot_label = QLabel(), QLabel(), QLabel()
        self.quantity_label, self.packages_label = QLabel(), QLabel()
        self.made_label, self.expiry_label = QLabel(), QLabel()
        quantity_row = QHBoxLayout()
        quantity_row.setContentsMargins(0, 0, 0, 0)
        quantity_row.addWidget(self.quantity, 1)
        quantity_row.addWidget(self.uom)
        form = QGridLayout()
        form.setVerticalSpacing(4)
        placed = (
            (self.supplier_label, self.supplier, 0, 0),
            (self.item_label, self.item, 0, 2),
            (self.lot_label, self.lot, 1, 0),
            (self.quantity_label, quantity_row, 1, 2),
            (self.made_label, self.made, 2, 0),
            (self.expiry_label, self.expiry, 2, 2),
            (self.packages_label, self.packages, 3, 0),
        )
        for label, field, row, column in placed:
            form.addWidget(label, row, column)
            if isinstance(field, QHBoxLayout):
                form.addLayout(field, row, column + 1)
            else:
                form.addWidget(field, row, column + 1)
                label.setBuddy(field)
        self.quantity_label.setBuddy(self.quantity)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.receive_button)
        buttons.addWidget(self.clear_button)
        form.addLayout(buttons, 3, 2, 1, 2)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)

        # The question after a receipt refused as the same label scanned twice, under the form.
        self.receipt_strip = ConfirmStrip()
        self.receipt_strip.setObjectName("sameLabelStrip")
        self.receipt_strip.setMinimumHeight(TOUCH_TARGET * 2)

        # Today's receipts, and the lots waiting for incoming inspection (quality only); the
        # question before a rejection opens where the inspector works.
        self.receipts = self._table(RECEIPT_COLUMNS, "receipts", stretch=2)
        self.waiting = self._table(WAITING_COLUMNS, "waitingLots", stretch=1)
        self.waiting.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.selected_label = QLabel()
        self.selected_label.setObjectName("selectedLot")
        self.note_label = QLabel()
        self.note = QLineEdit()
        self.note.setObjectName("inspectionNote")
        self.note_label.setBuddy(self.note)
        self.release_button = QPushButton()
        self.release_button.setObjectName("releaseButton")
        self.reject_button = QPushButton()
        self.reject_button.setObjectName("rejectButton")
        for button in (self.release_button, self.reject_button):
            button.setMinimumSize(TOUCH_TARGET * 3, TOUCH_TARGET)
        self.strip = ConfirmStrip()
        self.strip.setMinimumHeight(TOUCH_TARGET * 2)  # two lines of question, never squeezed
        inspection_row = QHBoxLayout()
        inspection_row.addWidget(self.note_label)
        inspection_row.addWidget(self.note, 1)
        inspection_row.addWidget(self.release_button)
        inspection_row.addWidget(self.reject_button)
        self.inspection = QWidget()
        inspection_layout = QVBoxLayout(self.inspection)
        inspection_layout.setContentsMargins(4, 4, 4, 4)
        inspection_layout.addWidget(self.waiting, 1)
        inspection_layout.addWidget(self.selected_label)
        inspection_layout.addWidget(self.strip)
        inspection_layout.addLayout(inspection_row)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("receivingTabs")
        self.tabs.addTab(self.receipts, "")
        self.tabs.addTab(self.inspection, "")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.card)
        layout.addLayout(form)
        layout.addWidget(self.receipt_strip)
        layout.addWidget(self.tabs, 1)

        for first, second in (
            (self.supplier, self.item),
            (self.item, self.lot),
            (self.lot, self.quantity),
            (self.quantity, self.packages),
            (self.packages, self.made),
            (self.made, self.expiry),
            (self.expiry, self.receive_button),
            (self.receive_button, self.clear_button),
            (self.clear_button, self.tabs),
            (self.waiting, self.note),
            (self.note, self.release_button),
            (self.release_button, self.reject_button),
        ):
            QWidget.setTabOrder(first, second)

        self.supplier.currentIndexChanged.connect(self._show_state)
        self.item.currentIndexChanged.connect(self._show_state)
        for edit in (self.lot, self.quantity, self.made, self.expiry):
            edit.textChanged.connect(self._show_state)
        self.receive_button.clicked.connect(self.receive)
        self.clear_button.clicked.connect(self.cancel)
        self.release_button.clicked.connect(self.release)
        self.reject_button.clicked.connect(self.reject)
        self.waiting.itemSelectionChanged.connect(self._waiting_selection_changed)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.reload)
        QShortcut(QKeySequence(Qt.Key.Key_F7), self, self.release)
        QShortcut(QKeySequence(Qt.Key.Key_F8), self, self.reject)
        self._apply_roles()
        self.retranslate()

    @staticmethod
    def _table(columns: int, name: str, *, stretch: int) -> QTableWidget:
        table = QTableWidget(0, columns)
        table.setObjectName(name)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)  # one line a row; the item column elides what does not fit
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(TOUCH_TARGET)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        return table

    # --- StationScreen -----------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Receiving")

    def activate(self) -> None:
        """A new login: roles and language may differ; nothing of the last operator is pending."""
        self.drop_jobs()  # an answer still to come for the last operator's job is not shown
        if self.receipt_strip.waiting:
            self.receipt_strip.cancel()  # the last operator's question is not the next one's
        self.receive_button.setEnabled(True)
        self._apply_roles()
        self.retranslate()
        self.reload()

    def reload(self) -> None:
        """F5: the suppliers and items again (master data may have changed), then the lists."""
        self.runner.read(receiving_choices, self._show_choices)
        self.refresh()

    def refresh(self) -> None:
        self.runner.read(todays_receipts, self._show_receipts)
        if self._can_inspect():
            self.runner.read(quarantined_lots, self._show_waiting)

    def scanned(self, text: str) -> None:
        self.enqueue(lambda: self._scan(text))

    # --- scans (each a job of StationScreen's queue, ended by `done()`) -------------------------------

    def _scan(self, text: str) -> None:
        order = command(text)
        question = self._question()
        if question is not None:
            if not question.answer(order):
                self.runner.refuse(
                    self.tr("Answer the question first. Yes: Enter or #CONFIRM. No: Esc or #CANCEL.")
                )
            self.done()
            return
        if order is Command.CONFIRM:
            self._receive()
            return
        if order is Command.CANCEL:
            self._cancel()
            return
        if order is not None:
            self.runner.refuse(self.tr("{0} does nothing on the receiving screen.").format(order.value))
            self.done()
            return
        supplier = self._supplier_code() or self._pending_supplier
        item, inspecting = self._item_code() or self._pending_item, self._can_inspect()
        self.read(
            lambda db: read_scan(db, text, supplier_code=supplier, item_code=item, inspecting=inspecting),
            self._scan_read,
            self._scan_failed,
        )

    def _scan_read(self, scan: ReceivingScan) -> None:
        if scan.kind is ScanKind.SUPPLIER:
            self._choose_supplier(scan.code)
            self.runner.ok(self.tr("Supplier {0}.").format(self._supplier_text(scan.code)))
            (self.lot if self._item_code() else self.item).setFocus()
        elif scan.kind is ScanKind.ITEM:
            self._choose_item(scan.code)
            self.runner.ok(
                self.tr("Item {0}: scan or type the supplier lot.").format(self._item_text(scan.code))
            )
            self.lot.setFocus()
        elif scan.kind is ScanKind.LABEL:
            self._fill_from_label(scan)
        elif scan.kind is ScanKind.SUPPLIER_LOT:
            self._fill_supplier_lot(scan)
        elif scan.kind is ScanKind.UNKNOWN_GTIN:
            self.runner.refuse(
                self.tr("No item has the GTIN {0}: choose the item, then scan the lot barcode.").format(
                    scan.code
                )
            )
        elif scan.kind is ScanKind.NOT_PURCHASED:
            self.runner.refuse(
                self.tr("{0} is not a purchased material: it is not received here.").format(
                    self._item_text(scan.code)
                )
            )
        elif scan.kind is ScanKind.OWN_LOT:
            self._own_lot(scan)
        self._show_state()
        self.done()

    def job_broken(self) -> None:
        """A fault in a job (never a refusal): the receive button is back for the next try."""
        self.receive_button.setEnabled(True)

    def _scan_failed(self, _error: Exception) -> None:
        """The runner has said why; the form is as it was."""
        self.done()

    def _fill_from_label(self, scan: ReceivingScan) -> None:
        """A new package: nothing of the label before stays where this one says nothing."""
        assert scan.item_code is not None
        for edit in (self.lot, self.quantity, self.made, self.expiry):
            edit.clear()
        self._choose_item(scan.item_code)
        if scan.supplier_lot is not None:
            self.lot.setText(scan.supplier_lot)
        if scan.quantity is not None:
            self.quantity.setText(str(plain(scan.quantity)))
        if scan.expires_on is not None:
            self.expiry.setText(scan.expires_on.isoformat())
        if scan.manufactured_on is not None:
            self.made.setText(scan.manufactured_on.isoformat())
        if not (self._supplier_code() or self._pending_supplier) and scan.supplier_code:
            self._choose_supplier(scan.supplier_code)
        filled = [self._item_text(scan.item_code)]
        if scan.supplier_lot is not None:
            filled.append(self.tr("lot {0}").format(scan.supplier_lot))
        if scan.expires_on is not None:
            filled.append(self.tr("expires {0}").format(scan.expires_on.isoformat()))
        if scan.quantity is not None:
            filled.append(self.tr("quantity {0}").format(plain(scan.quantity)))
        if scan.earlier_count:
            self.runner.pending(self._earlier_note(scan))
        else:
            self.runner.ok(self.tr("From the label: {0}.").format(self._joined(filled)))
        self._focus_next_field()

    def _fill_supplier_lot(self, scan: ReceivingScan) -> None:
        assert scan.supplier_lot is not None
        if not self._item_code() and scan.item_code is None:
            self.runner.refuse(
                self.tr("Choose the item first (or scan its code), then scan the lot {0} again.").format(
                    scan.supplier_lot
                )
            )
            self.item.setFocus()
            return
        if not self._item_code() and scan.item_code is not None:
            self._choose_item(scan.item_code)  # the item this supplier lot came as before
        if not (self._supplier_code() or self._pending_supplier) and scan.supplier_code:
            self._choose_supplier(scan.supplier_code)
        self.lot.setText(scan.supplier_lot)
        if scan.earlier_count:
            self.runner.pending(self._earlier_note(scan))
        else:
            self.runner.ok(self.tr("Supplier lot {0}.").format(scan.supplier_lot))
        self._focus_next_field()

    def _earlier_note(self, scan: ReceivingScan) -> str:
        """Not a refusal: one supplier lot often arrives in several deliveries."""
        lots = ", ".join(scan.earlier_lots) + ("…" if scan.earlier_count > len(scan.earlier_lots) else "")
        return self.tr(
            "Supplier lot {0} was received before ({1} lots: {2}). Filled in: receive it only if this is "
            "another delivery."
        ).format(scan.supplier_lot, scan.earlier_count, lots)

    def _own_lot(self, scan: ReceivingScan) -> None:
        if self._can_inspect():  # read_scan has refused a lot that is not waiting for inspection
            self._select_waiting(scan.code)
            self.runner.ok(
                self.tr("Lot {0} selected for inspection: release it (F7) or reject it (F8).").format(
                    scan.code
                )
            )
            return
        self.runner.refuse(
            self.tr("{0} is one of our lots, received already: scan the supplier's label or lot.").format(
                scan.code
            )
        )

    # --- receiving -----------------------------------------------------------------------------------

    def receive(self) -> None:
        """Enter or the button: record the receipt as the form has it."""
        if self._question() is not None:
            return
        if self.busy:  # a scan queued #CONFIRM waits its turn; a key pressed now is said no to
            self.runner.refuse(
                self.tr("Still busy with the last scan or action: wait for its answer, then try again.")
            )
            return
        self.enqueue(self._receive)

    def _receive(self) -> None:
        """The job of Enter, the button or #CONFIRM."""
        supplier, item = self._supplier_code(), self._item_code()
        lot = self.lot.text().strip()
        typed = self.quantity.text().strip()
        quantity = parse_quantity(typed)
        if supplier is None:
            self._refuse_at(
                self.supplier, self.tr("Choose the supplier first, or scan its code on the delivery note.")
            )
        elif item is None:
            self._refuse_at(self.item, self.tr("Choose the item first, or scan the supplier's label."))
        elif not lot:
            self._refuse_at(self.lot, self.tr("Scan or type the supplier lot first."))
        elif not typed:
            self._refuse_at(self.quantity, self.tr("Type the quantity received first."))
        elif quantity is None:
            self._refuse_at(self.quantity, self.tr("{0} is not a quantity: type a number.").format(typed))
        else:
            made = self._typed_date(self.made)
            expiry = self._typed_date(self.expiry) if made is not False else False
            if made is not False and expiry is not False:
                fields: dict[str, object] = {
                    "item_code": item,
                    "supplier_code": supplier,
                    "supplier_lot": lot,
                    "quantity": quantity,
                    "packages": self.packages.value(),
                    "manufactured_on": made,
                    "expires_on": expiry,
                }
                second_package = fields == self._second_package_of  # said yes to, and unchanged
                fields["second_package"] = second_package
                if self._receipt_id is None or fields != self._receipt_fields:
                    self._receipt_id, self._receipt_fields = str(uuid.uuid4()), fields
                self._receiving_item = item
                self.receive_button.setEnabled(False)
                self.act(receive, self._received, self._receive_failed, action_id=self._receipt_id, **fields)
                return
        self.done()  # refused: the runner has said why

    def _typed_date(self, edit: QLineEdit) -> dt.date | bool | None:
        """The date typed (None when blank), or False once the operator has been told it is no date."""
        typed = edit.text().strip()
        if not typed:
            return None
        try:
            return dt.date.fromisoformat(typed)
        except ValueError:
            self._refuse_at(
                edit, self.tr("{0} is not a date: type it as year-month-day, 2025-03-31.").format(typed)
            )
            return False

    def _received(self, result: ReceiveResult) -> None:
        self._receipt_id = self._receipt_fields = None  # the next package is a new receipt
        self._second_package_of = None
        self.receive_button.setEnabled(True)
        choice = self._item_choice(self._receiving_item)
        item, uom = self._item_text(self._receiving_item), choice.uom if choice is not None else ""
        total = plain(sum(result.quantities, Decimal(0)))
        if result.status == "QUARANTINE":
            status = self.tr("in quarantine until quality releases it")
        else:
            status = self.tr("released for use")
        if len(result.lot_codes) == 1:
            text = self.tr("Received {0}: {1} {2} of {3}, {4}.").format(
                result.lot_codes[0], total, uom, item, status
            )
        else:
            text = self.tr("Received {0} lots, {1} {2} of {3} in all, {4}: {5}.").format(
                len(result.lot_codes), total, uom, item, status, ", ".join(result.lot_codes)
            )
        self.runner.ok(text)
        for code in result.lot_codes:
            self.runner.print_label(code)
        self.clear_form()
        self.setFocus()
        self.refresh()
        self.done()

    def _receive_failed(self, error: Exception) -> None:
        """The runner has said why; the form stays as typed, to be corrected. Its action id stays
        too: when the outcome was unknown, Enter again on the same form is answered with what was
        recorded, if it was. The same label received today: the screen asks whether this is
        another package (the refusal recorded nothing, so the question costs nothing)."""
        self.receive_button.setEnabled(True)
        if (
            isinstance(error, DomainError)
            and error.code is ErrorCode.SAME_LABEL_RECEIVED
            and self._receipt_fields is not None
        ):
            asked = {key: value for key, value in self._receipt_fields.items() if key != "second_package"}
            self._same_label = (asked, error)
            self.receipt_strip.ask(
                self._same_label_question(), self._same_label_confirmed, self._same_label_dropped
            )
            self._show_state()
        self.done()

    def _same_label_question(self) -> str:
        assert self._same_label is not None
        params = self._same_label[1].params
        return self.tr(
            "Is this another package with the same label (supplier lot {0}, {1} {2})? Yes receives it "
            "too; no if the label was scanned twice."
        ).format(params.get("supplier_lot", "?"), params.get("quantity", "?"), params.get("uom", ""))

    def _same_label_confirmed(self) -> None:
        """Yes: another package. Received in its own turn, as a new action; the form is read again
        then, and only the form the question was about goes as another package."""
        assert self._same_label is not None
        self._second_package_of, self._same_label = self._same_label[0], None
        self.enqueue(self._receive)
        self._show_state()

    def _same_label_dropped(self) -> None:
        """No: the label was scanned twice; the form stays, to be cleared (Esc) or corrected."""
        self._same_label = None
        self.quantity.setFocus()
        self._show_state()

    def cancel(self) -> None:
        """Esc or the button: no to the question open, else (in its turn) what #CANCEL does."""
        question = self._question()
        if question is not None:
            question.cancel()
            return
        self.enqueue(self._cancel)

    def _cancel(self) -> None:
        """Drop the receipt typed so far; again, drop the supplier too."""
        question = self._question()
        if question is not None:  # asked since the key: it answers no
            question.cancel()
            self.done()
            return
        if not any(edit.text() for edit in (self.lot, self.quantity, self.made, self.expiry)) and (
            self.item.currentIndex() < 0
        ):
            self.supplier.setCurrentIndex(-1)
            self._pending_supplier = None
        self.clear_form()
        self.setFocus()
        self.done()

    def clear_form(self) -> None:
        """Ready for the next package or delivery: the supplier stays."""
        self.item.setCurrentIndex(-1)
        self._pending_item = None
        for edit in (self.lot, self.quantity, self.made, self.expiry):
            edit.clear()
        self.packages.setValue(1)
        self._second_package_of = None
        self._show_state()

    # --- incoming inspection -------------------------------------------------------------------------

    def release(self) -> None:
        """F7: the selected lot passed incoming inspection (with the note, if one was typed)."""
        if not (self.busy or self._question() is not None):
            self.enqueue(self._release)

    def _release(self) -> None:
        lot = self._inspectable()
        if lot is None:
            self.done()
            return
        self.act(
            release_received_lot,
            self._released,
            self._inspection_failed,
            lot_code=lot,
            note=self.note.text().strip() or None,
        )

    def reject(self) -> None:
        """F8: the selected lot failed; the reason is required, and the screen asks before."""
        if not (self.busy or self._question() is not None):
            self.enqueue(self._reject)

    def _reject(self) -> None:
        lot = self._inspectable()
        if lot is None:
            self.done()
            return
        reason = self.note.text().strip()
        if not reason:
            self._refuse_at(self.note, self.tr("Type why lot {0} is rejected first.").format(lot))
            self.done()
            return
        self._rejecting = (lot, reason)
        self.strip.ask(self._reject_question(), self._reject_confirmed, self._reject_dropped)
        self._show_state()
        self.done()

    def _reject_question(self) -> str:
        assert self._rejecting is not None
        lot, reason = self._rejecting
        return self.tr("Reject lot {0} ({1})? It can never be used.").format(lot, reason)

    def _reject_confirmed(self) -> None:
        """Yes to the question (whoever answered it): the rejection is recorded in its turn."""
        assert self._rejecting is not None
        lot, reason = self._rejecting
        self._rejecting = None
        self.enqueue(
            lambda: self.act(
                reject_received_lot, self._rejected, self._inspection_failed, lot_code=lot, reason=reason
            )
        )
        self._show_state()

    def _reject_dropped(self) -> None:
        self._rejecting = None
        self.note.setFocus()
        self._show_state()

    def _inspectable(self) -> str | None:
        """The lot to release or reject now, or None once the operator has been told why not."""
        if not self._can_inspect():
            self.runner.refuse(self.tr("Releasing and rejecting lots is for quality inspectors."))
            return None
        if self._selected is None:
            self.tabs.setCurrentIndex(INSPECTION_TAB)
            self._refuse_at(self.waiting, self.tr("Scan the lot's label or choose it in the list first."))
            return None
        return self._selected

    def _released(self, outcome: InspectionOutcome) -> None:
        self._inspected()
        self.runner.ok(self.tr("Lot {0} released: it can be used now.").format(outcome.lot_code))
        self.done()

    def _rejected(self, outcome: InspectionOutcome) -> None:
        self._inspected()
        self.runner.ok(self.tr("Lot {0} rejected: it can never be used.").format(outcome.lot_code))
        self.done()

    def _inspected(self) -> None:
        self._selected = None
        self.note.clear()
        self.waiting.clearSelection()
        self._show_selected()
        self.refresh()
        self._show_state()

    def _inspection_failed(self, _error: Exception) -> None:
        """The runner has said why; the lot stays selected, the note as typed."""
        self.done()

    def _select_waiting(self, code: str) -> None:
        self._selected = code
        self.tabs.setCurrentIndex(INSPECTION_TAB)
        row = self._waiting_row(code)
        if row is None:
            self.runner.read(quarantined_lots, self._show_waiting)  # received since the list was read
        else:
            self.waiting.selectRow(row)
        self.note.setFocus()
        self._show_selected()

    def _waiting_row(self, code: str) -> int | None:
        for row in range(self.waiting.rowCount()):
            cell = self.waiting.item(row, 0)
            if cell is not None and cell.data(CodeRole) == code:
                return row
        return None

    def _waiting_selection_changed(self) -> None:
        rows = self.waiting.selectionModel().selectedRows()
        if rows:
            cell = self.waiting.item(rows[0].row(), 0)
            self._selected = cell.data(CodeRole) if cell is not None else None
            self._show_selected()

    # --- what the database answered ----------------------------------------------------------------

    def _show_choices(self, choices: ReceivingChoices) -> None:
        self._choices = choices
        supplier = self._supplier_code() or self._pending_supplier
        item = self._item_code() or self._pending_item
        for combo in (self.supplier, self.item):
            combo.blockSignals(True)
            combo.clear()
        for choice in choices.suppliers:
            self.supplier.addItem("", choice.code)
        for entry in choices.items:
            self.item.addItem("", entry.code)
        for combo, code in ((self.supplier, supplier), (self.item, item)):
            combo.setCurrentIndex(combo.findData(code) if code else -1)
            combo.blockSignals(False)
        self._pending_item = self._pending_supplier = None
        self._name_choices()
        self._show_state()

    def _show_receipts(self, receipts: TodaysReceipts) -> None:
        self._receipts = receipts
        chinese = self._chinese()
        rows = [
            (
                row.received_at.strftime("%H:%M"),
                row.lot_code,
                f"{row.item_code} {row.item_name_zh if chinese else row.item_name_en}",
                f"{row.supplier_code} / {row.supplier_lot}",
                f"{plain(row.quantity)} {row.uom}",
                self._status_text(row.status),
                row.expires_on.isoformat() if row.expires_on else "—",
            )
            for row in receipts.rows
        ]
        self._fill(self.receipts, rows, [row.lot_code for row in receipts.rows])
        self._name_tabs()

    def _show_waiting(self, lots: tuple[QuarantinedLot, ...]) -> None:
        self._waiting = lots
        chinese = self._chinese()
        rows = [
            (
                lot.lot_code,
                f"{lot.item_code} {lot.item_name_zh if chinese else lot.item_name_en}",
                " / ".join(part for part in (lot.supplier_code, lot.supplier_lot) if part),
                f"{plain(lot.quantity)} {lot.uom}",
                lot.received_at.strftime("%Y-%m-%d %H:%M"),
                lot.expires_on.isoformat() if lot.expires_on else "—",
            )
            for lot in lots
        ]
        selected = self._selected
        self.waiting.blockSignals(True)
        self._fill(self.waiting, rows, [lot.lot_code for lot in lots])
        row = self._waiting_row(selected) if selected else None
        if row is not None:
            self.waiting.selectRow(row)
        self.waiting.blockSignals(False)
        self._name_tabs()
        self._show_selected()

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, ...]], codes: list[str]) -> None:
        table.clearSelection()
        table.setRowCount(len(rows))
        for number, (values, code) in enumerate(zip(rows, codes, strict=True)):
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if column == 0:
                    cell.setData(CodeRole, code)
                table.setItem(number, column, cell)

    # --- texts ---------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.supplier_label.setText(self.tr("&Supplier"))
        self.item_label.setText(self.tr("&Item"))
        self.lot_label.setText(self.tr("Supplier &lot"))
        self.quantity_label.setText(self.tr("&Quantity"))
        self.packages_label.setText(self.tr("&Packages"))
        self.made_label.setText(self.tr("&Made on"))
        self.expiry_label.setText(self.tr("&Expires on"))
        self.note_label.setText(self.tr("&Note / reason"))
        self.supplier.setPlaceholderText(self.tr("Scan or choose the supplier"))
        self.item.setPlaceholderText(self.tr("Scan a label or choose the item"))
        self.lot.setPlaceholderText(self.tr("Scan or type the supplier's lot"))
        self.quantity.setPlaceholderText(self.tr("Quantity received"))
        for edit in (self.made, self.expiry):
            edit.setPlaceholderText(self.tr("YYYY-MM-DD, optional"))
        self.note.setPlaceholderText(self.tr("Optional to release, required to reject"))
        self.receive_button.setText(self.tr("Receive (Enter)"))
        self.clear_button.setText(self.tr("Clear (Esc)"))
        self.release_button.setText(self.tr("Release (F7)"))
        self.reject_button.setText(self.tr("Reject (F8)"))
        self.receipts.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Lot"),
                self.tr("Item"),
                self.tr("Supplier / lot"),
                self.tr("Quantity"),
                self.tr("Status"),
                self.tr("Expires"),
            ]
        )
        self.waiting.setHorizontalHeaderLabels(
            [
                self.tr("Lot"),
                self.tr("Item"),
                self.tr("Supplier / lot"),
                self.tr("Quantity"),
                self.tr("Received"),
                self.tr("Expires"),
            ]
        )
        self._name_choices()
        if self._receipts is not None:
            self._show_receipts(self._receipts)
        self._show_waiting(self._waiting)
        if self.strip.waiting and self._rejecting is not None:
            self.strip.question.setText(self._reject_question())
        if self.receipt_strip.waiting and self._same_label is not None:
            self.receipt_strip.question.setText(self._same_label_question())
        self.strip.retranslate()
        self.receipt_strip.retranslate()
        self._name_tabs()
        self._show_state()

    def _name_choices(self) -> None:
        """Combo entries in the operator's language (the codes stay as the entries' data)."""
        for number in range(self.supplier.count()):
            self.supplier.setItemText(number, self._supplier_text(self.supplier.itemData(number)))
        for number in range(self.item.count()):
            self.item.setItemText(number, self._item_text(self.item.itemData(number)))

    def _name_tabs(self) -> None:
        count = len(self._receipts.rows) if self._receipts is not None else 0
        self.tabs.setTabText(0, self.tr("Today's receipts ({0})").format(count))
        self.tabs.setTabText(
            INSPECTION_TAB, self.tr("Waiting for inspection ({0})").format(len(self._waiting))
        )

    def _show_state(self) -> None:
        """The context card and the prompt, from what the form holds now."""
        supplier, item = self._supplier_code(), self._item_code()
        if supplier:
            self.card_title.setText(self.tr("Delivery from {0}").format(self._supplier_text(supplier)))
        else:
            self.card_title.setText(self.tr("New delivery"))
        self.card_detail.setText(self._item_detail(item) if item else "")
        self.uom.setText(self._uom())
        if self._question() is not None:
            prompt = self.tr("Yes: Enter or #CONFIRM. No: Esc or #CANCEL.")
        elif not supplier:
            prompt = self.tr("Scan the supplier's code on the delivery note, or choose the supplier.")
        elif not item:
            prompt = self.tr("Scan the supplier's label, or choose the item.")
        elif not self.lot.text().strip():
            prompt = self.tr("Scan or type the supplier lot.")
        elif not self.quantity.text().strip():
            prompt = self.tr("Type the quantity received and press Enter.")
        else:
            prompt = self.tr("Press Enter or scan #CONFIRM to receive.")
        self.prompt.setText(prompt)
        self.selected_label.setVisible(not self.strip.waiting)  # the question names the lot

    def _show_selected(self) -> None:
        code = self._selected
        lot = next((lot for lot in self._waiting if lot.lot_code == code), None)
        if code is None:
            text = self.tr("Scan a lot's label or choose it in the list to inspect it.")
        elif lot is None:
            text = self.tr("Selected: lot {0}").format(code)
        else:
            name = lot.item_name_zh if self._chinese() else lot.item_name_en
            text = self.tr("Selected: lot {0}, {1} {2} of {3} {4}").format(
                code, plain(lot.quantity), lot.uom, lot.item_code, name
            )
        self.selected_label.setText(text)

    def _item_detail(self, code: str) -> str:
        choice = self._item_choice(code)
        if choice is None:
            return ""
        parts = [self._item_text(code), choice.uom]
        if choice.shelf_life_days:
            parts.append(self.tr("shelf life {0} days").format(choice.shelf_life_days))
        if choice.requires_inspection:
            parts.append(self.tr("incoming inspection"))
        else:
            parts.append(self.tr("no incoming inspection"))
        return " · ".join(parts)

    def _status_text(self, status: str) -> str:
        return status_name(status)

    def _joined(self, parts: list[str]) -> str:
        return self.tr(", ").join(parts)

    # --- small helpers -------------------------------------------------------------------------------

    def _chinese(self) -> bool:
        return self.runner.language.startswith("zh")

    def _can_inspect(self) -> bool:
        return bool(self.runner.roles & QUALITY)

    def _apply_roles(self) -> None:
        inspector = self._can_inspect()
        self.tabs.setTabVisible(INSPECTION_TAB, inspector)
        if not inspector:
            self._selected = None
            self._waiting = ()

    def _supplier_code(self) -> str | None:
        return self.supplier.currentData() if self.supplier.currentIndex() >= 0 else None

    def _item_code(self) -> str | None:
        return self.item.currentData() if self.item.currentIndex() >= 0 else None

    def _item_choice(self, code: str) -> ItemChoice | None:
        return next((choice for choice in self._choices.items if choice.code == code), None)

    def _uom(self) -> str:
        choice = self._item_choice(self._item_code() or "")
        return choice.uom if choice is not None else ""

    def _supplier_text(self, code: str) -> str:
        choice = next((choice for choice in self._choices.suppliers if choice.code == code), None)
        if choice is None:
            return code
        return f"{code} {choice.name_zh if self._chinese() else choice.name_en}"

    def _item_text(self, code: str) -> str:
        choice = self._item_choice(code)
        if choice is None:
            return code
        return f"{code} {choice.name_zh if self._chinese() else choice.name_en}"

    def _choose_supplier(self, code: str) -> None:
        index = self.supplier.findData(code)
        self._pending_supplier = code if index < 0 else None  # not loaded yet: chosen when it is
        self.supplier.setCurrentIndex(index)

    def _choose_item(self, code: str) -> None:
        index = self.item.findData(code)
        self._pending_item = code if index < 0 else None  # not loaded yet: chosen when it is
        self.item.setCurrentIndex(index)

    def _focus_next_field(self) -> None:
        """After a fill: the first field still empty, or the quantity to check and confirm."""
        if not self._item_code():
            self.item.setFocus()
        elif not self.lot.text().strip():
            self.lot.setFocus()
        else:
            self.quantity.setFocus()
            self.quantity.selectAll()

    def _question(self) -> ConfirmStrip | None:
        """The question open (one at a time: while it waits every other scan is refused)."""
        for strip in (self.strip, self.receipt_strip):
            if strip.waiting:
                return strip
        return None

    def _refuse_at(self, widget: QWidget, text: str) -> None:
        self.runner.refuse(text)
        widget.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter receives and Esc clears, from any field of the form (line edits pass them on); in the
        inspection panel Esc clears the note, and Enter does nothing (F7 and F8 say which)."""
        focus = QApplication.focusWidget()
        in_inspection = focus is not None and self.inspection.isAncestorOf(focus)
        question = self._question()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and question is not None:
            question.confirm()  # the question is open, whatever field has the focus
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not in_inspection:
            self.receive()
        elif event.key() == Qt.Key.Key_Escape:
            if in_inspection:
                self.note.clear()
            else:
                self.cancel()
        else:
            super().keyPressEvent(event)
