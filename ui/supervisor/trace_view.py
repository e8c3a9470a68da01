"""The supervisor's trace window: type or scan any code, see where it came from and where everything
made with it went, and what happened to it.

A view only: the search asks through `trace_requested(code)` (and `cancel_requested` while it waits),
and the composition root hands back what the trace queries answered with `show_backward`,
`show_forward` and `show_history`, or says why there is no answer with `show_error`. The two trees
add the children of a row when it is expanded (ui/supervisor/trace_model.py), so a lot that fed thousands of
serials opens at once. Keyboard alone: Ctrl+F goes to the search field, Enter traces, Esc cancels a
trace that is still running, Tab moves through the trees and the timeline.
"""

from __future__ import annotations

import datetime as dt
import functools

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from models.history import History, HistoryEntry
from models.trace import Trace, TraceNode
from ui.messages import event_names, kind_names, status_names
from ui.supervisor.genealogy_layout import Picture
from ui.supervisor.genealogy_view import GenealogyView
from ui.supervisor.trace_model import EVENT_COLUMNS, TOUCH_TARGET, Column, TraceModel, Words, local_time

# The header card: one caption and one value per line, in this order.
CARD_FIELDS = ("code", "item", "kind", "status", "quantity", "supplier", "work_order", "container", "dates")

TIMELINE_COLUMNS = 10
INSPECTION_COLUMNS = 9
BACKWARD_PAGE, FORWARD_PAGE, PICTURE_PAGE, TIMELINE_PAGE, INSPECTIONS_PAGE = range(5)
EventIdRole = Qt.ItemDataRole.UserRole + 1  # on the timeline's first column: the entry's event id


class TraceView(QWidget):
    """Asks for a trace through `trace_requested`; shows the traces and the timeline it is handed."""

    trace_requested = Signal(str)
    cancel_requested = Signal()
    # A file name and what makes its content (run on the worker): the picture, exported.
    save_requested = Signal(str, object)
    action_requested = Signal(str, object)  # "hold", "release" or "scrap", and the TraceNode

    def __init__(
        self, language: str = "zh_CN", zone: dt.tzinfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.zone = zone
        self.busy = False
        self._words = Words(chinese=language.startswith("zh"))
        self._root: TraceNode | None = None
        self._roots: list[TraceNode] = []
        self._history: History | None = None
        self._error: str | None = None
        self._hint = False
        self._backward: Trace | None = None

        self.search_label = QLabel()
        self.search = QLineEdit()
        self.search.setObjectName("traceSearch")
        self.search.setClearButtonEnabled(True)
        self.search_label.setBuddy(self.search)
        self.trace_button = QPushButton()
        self.trace_button.setObjectName("traceButton")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("traceCancel")
        self.cancel_button.setVisible(False)
        for widget in (self.search, self.trace_button, self.cancel_button):
            widget.setMinimumHeight(TOUCH_TARGET)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_label)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.trace_button)
        search_row.addWidget(self.cancel_button)

        self.status = QLabel()
        self.status.setObjectName("traceStatus")
        self.status.setWordWrap(True)

        # Several units answer to one code (a supplier lot two suppliers used): pick one.
        self.choices_title = QLabel()
        self.choices = QListWidget()
        self.choices.setObjectName("traceChoices")
        self.choices.setMaximumHeight(TOUCH_TARGET * 4)
        self.choices.itemActivated.connect(self._chosen)
        self.choices_title.setVisible(False)
        self.choices.setVisible(False)

        self.card = QFrame()
        self.card.setObjectName("traceCard")
        self.card.setFrameShape(QFrame.Shape.StyledPanel)
        card_grid = QGridLayout(self.card)
        self.card_captions: dict[str, QLabel] = {}
        self.card_values: dict[str, QLabel] = {}
        for number, name in enumerate(CARD_FIELDS):
            caption, value = QLabel(), QLabel()
            value.setObjectName(f"card_{name}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            # Two pairs of columns: the card stays short on a wide supervisor screen.
            line, pair = divmod(number, 2)
            card_grid.addWidget(caption, line, pair * 2)
            card_grid.addWidget(value, line, pair * 2 + 1)
            self.card_captions[name], self.card_values[name] = caption, value
        card_grid.setColumnStretch(1, 1)
        card_grid.setColumnStretch(3, 1)
        # What a supervisor or quality engineer does about the unit: each asks for a signature.
        self.hold_button = QPushButton()
        self.hold_button.setObjectName("holdButton")
        self.release_button = QPushButton()
        self.release_button.setObjectName("releaseButton")
        self.scrap_button = QPushButton()
        self.scrap_button.setObjectName("scrapButton")
        # Beside the fields, not under them: on a 1280x800 screen every row of height goes to the trees.
        actions = QVBoxLayout()
        for button in (self.hold_button, self.release_button, self.scrap_button):
            button.setMinimumHeight(TOUCH_TARGET)
            button.setEnabled(False)
            actions.addWidget(button)
        actions.addStretch(1)
        card_grid.addLayout(actions, 0, 4, (len(CARD_FIELDS) + 1) // 2, 1)

        self.backward_model = TraceModel(self._words, self)
        self.forward_model = TraceModel(self._words, self)
        self.backward_tree = self._tree(self.backward_model, "backwardTree")
        self.forward_tree = self._tree(self.forward_model, "forwardTree")
        for column in EVENT_COLUMNS:  # forward edges carry no event
            self.forward_tree.setColumnHidden(column, True)

        self.timeline = QTableWidget(0, TIMELINE_COLUMNS)
        self.timeline.setObjectName("timeline")
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.verticalHeader().setDefaultSectionSize(TOUCH_TARGET)
        self.timeline.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.horizontalHeader().setStretchLastSection(True)

        self.inspections = QTableWidget(0, INSPECTION_COLUMNS)
        self.inspections.setObjectName("inspections")
        self.inspections.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.inspections.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.inspections.verticalHeader().setVisible(False)
        self.inspections.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.inspections.horizontalHeader().setStretchLastSection(True)

        # The genealogy as a picture: laid out on the worker with the trace, drawn here, exported
        # as PNG or SVG into the station's documents folder (the shell saves it off this thread).
        self.genealogy = GenealogyView()
        self.genealogy.setObjectName("genealogy")
        self.png_button = QPushButton()
        self.png_button.setObjectName("exportPng")
        self.svg_button = QPushButton()
        self.svg_button.setObjectName("exportSvg")
        picture_box = QWidget()
        picture_layout = QVBoxLayout(picture_box)
        picture_layout.setContentsMargins(0, 0, 0, 0)
        picture_buttons = QHBoxLayout()
        picture_buttons.addStretch(1)
        picture_buttons.addWidget(self.png_button)
        picture_buttons.addWidget(self.svg_button)
        picture_layout.addWidget(self.genealogy, 1)
        picture_layout.addLayout(picture_buttons)

        # One page at a time, each with the whole height below the card: the trees, the picture, the
        # timeline and the inspections are each usable on a 1280x800 station, chosen by Ctrl+1..5.
        self.tabs = QTabWidget()
        self.tabs.setObjectName("traceTabs")
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.addTab(self.backward_tree, "")
        self.tabs.addTab(self.forward_tree, "")
        self.tabs.addTab(picture_box, "")
        self.tabs.addTab(self.timeline, "")
        self.tabs.addTab(self.inspections, "")
        for number in range(self.tabs.count()):
            QShortcut(QKeySequence(f"Ctrl+{number + 1}"), self, functools.partial(self.show_page, number))

        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addWidget(self.status)
        layout.addWidget(self.choices_title)
        layout.addWidget(self.choices)
        layout.addWidget(self.card)
        layout.addWidget(self.tabs, 1)

        self.hold_button.clicked.connect(self._hold)
        self.release_button.clicked.connect(self._release)
        self.scrap_button.clicked.connect(self._scrap)
        self.png_button.clicked.connect(self._save_png)
        self.svg_button.clicked.connect(self._save_svg)
        self.search.returnPressed.connect(self.ask)
        self.trace_button.clicked.connect(self.ask)
        self.cancel_button.clicked.connect(self._cancel)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self._focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._cancel)
        self.setFocusProxy(self.search)
        self.retranslate()

    # --- texts -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        words = self._words
        words.headers = {
            Column.CODE: self.tr("Code"),
            Column.ITEM: self.tr("Item"),
            Column.KIND: self.tr("Kind"),
            Column.STATUS: self.tr("Status"),
            Column.QUANTITY: self.tr("Quantity"),
            Column.PRECISION: self.tr("Precision"),
            Column.LINK: self.tr("Link"),
            Column.EVENT: self.tr("Event"),
            Column.TIME: self.tr("Time"),
            Column.WORK_ORDER: self.tr("Work order"),
            Column.STATION: self.tr("Station"),
            Column.OPERATOR: self.tr("Operator"),
            Column.EQUIPMENT: self.tr("Equipment"),
            Column.SHIPPED_TO: self.tr("Shipped to"),
        }
        words.kinds = kind_names()
        words.statuses = status_names()
        words.precisions = {"CONTAINS": self.tr("contains"), "MAY_CONTAIN": self.tr("may contain")}
        words.levels = {
            "UNIT": self.tr("unit", "link level"),
            "LOT": self.tr("lot", "link level"),
            "CONTAINER": self.tr("in container", "link level"),
        }
        words.events = event_names()
        # What the unit was in an event: the timeline's Role column, never the raw EventRole.
        words.roles = {
            "OBJECT": self.tr("the unit itself", "event role"),
            "INPUT": self.tr("consumed", "event role"),
            "OUTPUT": self.tr("made", "event role"),
            "PARENT": self.tr("container", "event role"),
            "CHILD": self.tr("content", "event role"),
        }
        words.shipped = self.tr("{0} to {1} {2}")
        self._meanings = {
            "hold": self.tr("hold"),
            "release": self.tr("release"),
            "scrap": self.tr("scrap"),
            "hold_affected": self.tr("hold of a recall"),
        }
        self.backward_model.retranslated()
        self.forward_model.retranslated()

        self.search_label.setText(self.tr("Code"))
        self.search.setPlaceholderText(self.tr("Type or scan any code (Ctrl+F)"))
        self.trace_button.setText(self.tr("Trace"))
        self.cancel_button.setText(self.tr("Cancel (Esc)"))
        captions = {
            "code": self.tr("Code"),
            "item": self.tr("Item"),
            "kind": self.tr("Kind"),
            "status": self.tr("Status"),
            "quantity": self.tr("Quantity"),
            "supplier": self.tr("Supplier"),
            "work_order": self.tr("Work order"),
            "container": self.tr("In container"),
            "dates": self.tr("Made / expires"),
        }
        for name, caption in captions.items():
            self.card_captions[name].setText(caption)
        self.tabs.setTabText(BACKWARD_PAGE, self.tr("Where it came from (Ctrl+1)"))
        self.tabs.setTabText(FORWARD_PAGE, self.tr("Where it went (Ctrl+2)"))
        self.tabs.setTabText(PICTURE_PAGE, self.tr("Genealogy picture (Ctrl+3)"))
        self.tabs.setTabText(TIMELINE_PAGE, self.tr("Timeline (Ctrl+4)"))
        self.tabs.setTabText(INSPECTIONS_PAGE, self.tr("Inspections (Ctrl+5)"))
        self.hold_button.setText(self.tr("Hold…"))
        self.release_button.setText(self.tr("Release hold…"))
        self.scrap_button.setText(self.tr("Scrap…"))
        self.png_button.setText(self.tr("Save as PNG"))
        self.svg_button.setText(self.tr("Save as SVG"))
        self.inspections.setHorizontalHeaderLabels(
            [
                self.tr("Unit"),
                self.tr("Characteristic"),
                self.tr("Value"),
                self.tr("Limits"),
                self.tr("Result"),
                self.tr("Time"),
                self.tr("Step"),
                self.tr("Station"),
                self.tr("Operator"),
            ]
        )
        self.choices_title.setText(self.tr("Several units answer to this code: pick one (arrows, Enter)"))
        self.timeline.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Event"),
                self.tr("Role"),
                self.tr("Quantity"),
                self.tr("Station"),
                self.tr("Operator"),
                self.tr("Work order"),
                self.tr("Equipment"),
                self.tr("Shipment"),
                self.tr("Details"),
            ]
        )
        self._show_card()
        if self._history is not None:
            self.show_history(self._history)
        if self._backward is not None:
            self._show_inspections(self._backward)
        self._show_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_page(self, page: int) -> None:
        """Ctrl+1..5: the backward tree, the forward tree, the picture, the timeline, the inspections."""
        self.tabs.setCurrentIndex(page)
        self.tabs.currentWidget().setFocus()

    def set_language(self, language: str) -> None:
        """Item, supplier and customer names in the station's language ("zh_CN" or "en_US")."""
        self._words.chinese = language.startswith("zh")
        self.genealogy.set_language(language)
        self.retranslate()

    # --- asking ----------------------------------------------------------------------------------

    def scanned(self, text: str) -> None:
        """A code scanned anywhere on this screen: trace it."""
        self.search.setText(text.strip())
        self.ask()

    def ask(self) -> None:
        """Enter, the Trace button or a scan: ask for the trace of the code in the search field."""
        code = self.search.text().strip()
        if not code:
            self._hint, self._error = True, None
            self._show_status()
            self.search.setFocus()
            return
        self.clear()
        self.trace_requested.emit(code)

    # --- what the composition root tells it ------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        """Waiting for an answer: say so, and offer to cancel."""
        self.busy = busy
        self.trace_button.setEnabled(not busy)
        self.cancel_button.setVisible(busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        self._show_status()

    def show_backward(self, trace: Trace) -> None:
        self._error = None
        self._backward = trace
        self.backward_model.zone = self.zone
        self.backward_model.set_trace(trace)
        self._expand_top(self.backward_tree)
        self._take_roots(trace)
        self._show_inspections(trace)

    def show_forward(self, trace: Trace) -> None:
        self._error = None
        self.forward_model.zone = self.zone
        self.forward_model.set_trace(trace)
        self._expand_top(self.forward_tree)
        self._take_roots(trace)

    def show_history(self, history: History) -> None:
        self._history = history
        entries = history.entries
        self.timeline.setRowCount(len(entries))
        for number, entry in enumerate(entries):
            for column, value in enumerate(self._timeline_row(entry)):
                item = QTableWidgetItem(value)
                if column == 0:
                    item.setData(EventIdRole, entry.event_id)
                self.timeline.setItem(number, column, item)

    def show_picture(self, picture: Picture) -> None:
        """The genealogy picture, laid out (ui.supervisor.genealogy_layout.lay_out) on the worker."""
        self.genealogy.show_picture(picture, "zh_CN" if self._words.chinese else "en_US")

    def show_choices(self, candidates: list[str]) -> None:
        """The code named several units: list them; Enter on one traces it."""
        self.set_busy(False)
        self.choices.clear()
        self.choices.addItems(candidates)
        self.choices_title.setVisible(True)
        self.choices.setVisible(True)
        self.choices.setCurrentRow(0)
        self.choices.setFocus()

    def show_error(self, message: str) -> None:
        """No answer, and why (already in words): the wait is over."""
        self._error = message
        self.set_busy(False)

    def clear(self) -> None:
        self._root, self._roots, self._history, self._error, self._hint = None, [], None, None, False
        self._backward = None
        self.backward_model.set_trace(None)
        self.forward_model.set_trace(None)
        self.timeline.setRowCount(0)
        self.inspections.setRowCount(0)
        self.genealogy.clear()
        self.choices.clear()
        self.choices_title.setVisible(False)
        self.choices.setVisible(False)
        self._show_card()
        self._show_status()

    # --- plumbing --------------------------------------------------------------------------------

    def _tree(self, model: TraceModel, name: str) -> QTreeView:
        tree = QTreeView()
        tree.setObjectName(name)
        tree.setModel(model)
        # The view fetches on its next layout, which a tree in a hidden tab never does: at once instead.
        tree.expanded.connect(model.fetchMore)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        tree.header().setStretchLastSection(True)
        tree.header().resizeSection(Column.CODE, 240)
        return tree

    @staticmethod
    def _expand_top(tree: QTreeView) -> None:
        """The starting units open: their first level shows at once, deeper ones on demand."""
        model = tree.model()
        for number in range(model.rowCount()):
            tree.expand(model.index(number, 0))

    def _take_roots(self, trace: Trace) -> None:
        self._roots = trace.roots
        self._root = self._roots[0] if len(self._roots) == 1 else None
        self._show_card()
        self._show_status()

    def _show_card(self) -> None:
        values = dict.fromkeys(CARD_FIELDS, "")
        node, words = self._root, self._words
        if node is not None:
            name = node.item_name_zh if words.chinese else node.item_name_en
            supplier = node.supplier_name_zh if words.chinese else node.supplier_name_en
            dates = " / ".join(str(day) if day else "—" for day in (node.manufactured_on, node.expires_on))
            values.update(
                code=node.code,
                item=f"{node.item_code} {name or ''}".strip() if node.item_code else "—",
                kind=words.kinds.get(node.kind, node.kind),
                status=words.statuses.get(node.status, node.status),
                quantity=f"{node.quantity} {node.uom}",
                supplier=" ".join(v for v in (node.supplier_code, supplier, node.supplier_lot) if v) or "—",
                work_order=node.work_order_code or "—",
                container=node.container_code or "—",
                dates="" if dates == "— / —" else dates,
            )
        elif self._roots:  # a shipment or a work order's units: several starting units
            values["code"] = self.tr("{0} units: {1}").format(
                len(self._roots), ", ".join(root.code for root in self._roots[:5])
            ) + ("…" if len(self._roots) > 5 else "")
        for field_name, value in values.items():
            self.card_values[field_name].setText(value)
        # The model decides what may be held, released or scrapped; the buttons only offer what
        # makes sense for the status shown, so a refusal is the exception, not the way to learn.
        status = node.status if node is not None else None
        self.hold_button.setEnabled(status not in (None, "ON_HOLD", "SHIPPED", "CONSUMED", "SCRAPPED"))
        self.release_button.setEnabled(status == "ON_HOLD")
        self.scrap_button.setEnabled(status not in (None, "SHIPPED", "CONSUMED", "SCRAPPED"))

    def _show_status(self) -> None:
        if self._error is not None:
            text = self.tr("Not traced: {0}").format(self._error)
        elif self.busy:
            text = self.tr("Tracing…")
        elif self._hint:
            text = self.tr("Type or scan a code first.")
        else:
            text = ""
        self.status.setText(text)
        self.status.setVisible(bool(text))  # no empty row: the height goes to the trees
        self.status.setProperty("error", "true" if self._error is not None else "false")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _timeline_row(self, entry: HistoryEntry) -> list[str]:
        shipment = " ".join(value for value in (entry.shipment_code, entry.customer_code) if value)
        details = []
        if entry.counterparts:
            others = ", ".join(part.code for part in entry.counterparts)
            if entry.more_counterparts:
                others += " " + self.tr("and {0} more").format(entry.more_counterparts)
            details.append(others)
        for measurement in entry.measurements:
            verdict = self.tr("pass") if measurement.passed else self.tr("fail")
            value = "" if measurement.value is None else str(measurement.value)
            details.append(" ".join(part for part in (measurement.name, value, verdict) if part))
        if entry.reason_code or entry.reason_text:
            details.append(" ".join(value for value in (entry.reason_code, entry.reason_text) if value))
        if entry.signature is not None:
            details.append(
                self.tr("signed by {0} ({1}), meaning: {2}").format(
                    entry.signature.signer_name,
                    entry.signature.signer_badge,
                    self._meanings.get(entry.signature.meaning, entry.signature.meaning),
                )
            )
        return [
            local_time(entry.occurred_at, self.zone),
            self._words.events.get(entry.event_type, entry.event_type),
            self._words.roles.get(entry.role, entry.role) if entry.role else "",
            "" if entry.quantity is None else str(entry.quantity),
            entry.station_code,
            f"{entry.operator_badge} {entry.operator_name}".strip(),
            " / ".join(value for value in (entry.work_order_code, entry.step_code) if value),
            entry.equipment_code or "",
            shipment,
            "; ".join(details),
        ]

    def _show_inspections(self, trace: Trace) -> None:
        """The inspection results of every unit on the way back, newest first."""
        results = sorted(trace.inspections, key=lambda found: found.occurred_at, reverse=True)
        self.inspections.setRowCount(len(results))
        for number, found in enumerate(results):
            node = trace.nodes.get(found.unit_id)
            limits = " … ".join(
                "" if limit is None else str(limit) for limit in (found.lower_limit, found.upper_limit)
            )
            row = [
                node.code if node is not None else "",
                found.name,
                "" if found.value is None else str(found.value),
                "" if limits == " … " else limits,
                self.tr("pass") if found.passed else self.tr("fail"),
                local_time(found.occurred_at, self.zone),
                found.step_code or "",
                found.station_code,
                found.operator_badge,
            ]
            for column, value in enumerate(row):
                self.inspections.setItem(number, column, QTableWidgetItem(value))

    @property
    def unit(self) -> TraceNode | None:
        """The one unit the card shows (None for a shipment's or a work order's several)."""
        return self._root

    def _hold(self) -> None:
        if self._root is not None:
            self.action_requested.emit("hold", self._root)

    def _release(self) -> None:
        if self._root is not None:
            self.action_requested.emit("release", self._root)

    def _scrap(self) -> None:
        if self._root is not None:
            self.action_requested.emit("scrap", self._root)

    def _picture_name(self, suffix: str) -> str | None:
        codes = [root.code for root in self._roots]
        if not codes:
            self._error = self.tr("Trace a code first: there is no picture to save.")
            self._show_status()
            return None
        safe = "".join(char if char.isalnum() or char in "-_" else "_" for char in codes[0])
        return f"genealogy-{safe}.{suffix}"

    def _save_png(self) -> None:
        name = self._picture_name("png")
        if name is not None:
            # Drawn here (the scene belongs to this thread), encoded on the worker: a large PNG
            # takes a third of a second to compress.
            self.save_requested.emit(name, self.genealogy.png_encoder())

    def _save_svg(self) -> None:
        name = self._picture_name("svg")
        if name is not None:
            self.save_requested.emit(name, functools.partial(bytes, self.genealogy.svg_bytes()))

    def _chosen(self, item: QListWidgetItem) -> None:
        self.search.setText(item.text())
        self.ask()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _cancel(self) -> None:
        if self.busy:
            self.cancel_requested.emit()
