"""The recall impact: how many units are affected, where they are now, which customers have them,
and the exports that go to customers, authorities and the supplier.

A view only: it shows the `ImpactSummary` it is handed (`show_summary`) and asks for files through
`export_requested(kind)` ("csv", "xlsx" or "pdf") and `cancel_requested`; whoever runs the export
tells it how far it got (`set_progress`), and how it ended (`show_exported`, `show_cancelled`,
`show_error`). The counts are big tiles a supervisor reads from across the room, the same counts as
bars (pyqtgraph: QtCharts is deprecated), and the customers as a table, their names in the
operator's language. Keyboard alone: Ctrl+1, Ctrl+2, Ctrl+3 export, Esc cancels an export.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.impact import PLACE_OF_STATUS, ImpactSummary, Place
from ui.messages import status_name
from ui.station_screen import TOUCH_TARGET

# The tiles and the bars, in this order: from what can still be stopped to what is gone.
PLACES: tuple[Place, ...] = (
    Place.IN_PRODUCTION,
    Place.IN_STOCK,
    Place.ON_HOLD,
    Place.SHIPPED,
    Place.CONSUMED,
    Place.OUT,
)
# Shipped units, the ones to call back, stand out in red (the PDF's chart uses the same colours).
PLACE_COLOURS: dict[Place, str] = {
    Place.IN_PRODUCTION: "#0b69a3",
    Place.IN_STOCK: "#0e7c3a",
    Place.ON_HOLD: "#f0b429",
    Place.SHIPPED: "#b00020",
    Place.CONSUMED: "#9aa5b1",
    Place.OUT: "#616e7c",
}
EXPORT_KINDS = ("csv", "xlsx", "pdf")
CUSTOMER_COLUMNS = 3
INK = "#1f2933"


class ImpactView(QWidget):
    """Shows a recall's counts; asks for its exports through `export_requested(kind)`."""

    export_requested = Signal(str)
    cancel_requested = Signal()

    def __init__(self, language: str = "zh_CN", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chinese = language.startswith("zh")
        self.summary: ImpactSummary | None = None
        self.scope_text = ""
        self._describe: Callable[[], str] | None = None  # says the scope again after a language switch
        self.busy = False
        self._progress: tuple[int, int | None] | None = None
        self._outcome: tuple[str, str, int] | None = (
            None  # ("saved", path, rows) / ("cancelled"...) / ("error"...)
        )

        # The context card: what was recalled, and the totals.
        self.card = QFrame()
        self.card.setObjectName("contextCard")
        self.title_label = QLabel()
        self.title_label.setObjectName("contextTitle")
        self.scope_label = QLabel()
        self.scope_label.setWordWrap(True)
        self.scope_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        card_layout = QVBoxLayout(self.card)
        card_layout.addWidget(self.title_label)
        card_layout.addWidget(self.scope_label)
        card_layout.addWidget(self.totals_label)

        # One big tile per place.
        tiles = QGridLayout()
        tiles.setHorizontalSpacing(8)
        self.tile_frames: dict[Place, QFrame] = {}
        self.tile_counts: dict[Place, QLabel] = {}
        self.tile_captions: dict[Place, QLabel] = {}
        for column, place in enumerate(PLACES):
            frame = QFrame()
            frame.setObjectName("contextCard")
            count = QLabel("–")
            count.setObjectName("contextTitle")
            count.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel()
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setWordWrap(True)
            bar = QFrame()  # the place's colour, as on the chart
            bar.setFixedHeight(6)
            bar.setAutoFillBackground(True)
            palette = bar.palette()
            palette.setColor(bar.backgroundRole(), QColor(PLACE_COLOURS[place]))
            bar.setPalette(palette)
            tile_layout = QVBoxLayout(frame)
            tile_layout.setContentsMargins(6, 6, 6, 6)
            tile_layout.addWidget(bar)
            tile_layout.addWidget(count)
            tile_layout.addWidget(caption)
            tiles.addWidget(frame, 0, column)
            tiles.setColumnStretch(column, 1)
            self.tile_frames[place], self.tile_counts[place], self.tile_captions[place] = (
                frame,
                count,
                caption,
            )

        # The same counts as bars.
        self.chart = pg.PlotWidget(background="w")
        self.chart.setObjectName("impactChart")
        self.chart.setMinimumHeight(220)
        self.chart.setMenuEnabled(False)
        self.chart.setMouseEnabled(x=False, y=False)
        self.chart.hideButtons()
        self.chart.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        plot = self.chart.getPlotItem()
        plot.showGrid(x=True, y=False, alpha=0.25)
        tick_font = self._tick_font = QFont()
        tick_font.setPixelSize(14)
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setPen(INK)
            axis.setTextPen(INK)
            axis.setStyle(tickFont=tick_font, maxTickLevel=0)
        # Horizontal bars, the first place at the top: the places' names fit on the left axis.
        self.bars = pg.BarGraphItem(
            x0=[0] * len(PLACES),
            y=self._rows(),
            width=[0] * len(PLACES),
            height=0.6,
            brushes=[pg.mkBrush(PLACE_COLOURS[place]) for place in PLACES],
            pens=[pg.mkPen(None) for _ in PLACES],
        )
        plot.addItem(self.bars)
        self.bar_labels: list[pg.TextItem] = []
        for number in range(len(PLACES)):
            label = pg.TextItem("", color=INK, anchor=(0.0, 0.5))
            label.setPos(0, self._rows()[number])
            plot.addItem(label)
            self.bar_labels.append(label)
        plot.setYRange(-0.6, len(PLACES) - 0.4, padding=0)
        plot.setXRange(0, 1, padding=0)

        # The customers who have affected units.
        self.customers_title = QLabel()
        self.customers = QTableWidget(0, CUSTOMER_COLUMNS)
        self.customers.setObjectName("impactCustomers")
        self.customers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.customers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.customers.verticalHeader().setVisible(False)
        self.customers.verticalHeader().setDefaultSectionSize(36)
        header = self.customers.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        customer_box = QVBoxLayout()
        customer_box.addWidget(self.customers_title)
        customer_box.addWidget(self.customers, 1)
        middle = QHBoxLayout()
        middle.addWidget(self.chart, 5)
        middle.addLayout(customer_box, 4)

        # The exports.
        self.export_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        slots = (self._export_csv, self._export_xlsx, self._export_pdf)
        for number, (kind, slot) in enumerate(zip(EXPORT_KINDS, slots, strict=True), start=1):
            button = QPushButton()
            button.setObjectName(f"export_{kind}")
            button.setMinimumHeight(TOUCH_TARGET)
            button.setEnabled(False)
            button.clicked.connect(slot)
            # A QShortcut, not the button's own: setText() clears a button's shortcut on retranslate.
            QShortcut(QKeySequence(f"Ctrl+{number}"), self, slot)
            actions.addWidget(button)
            self.export_buttons[kind] = button
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("exportCancel")
        self.cancel_button.setMinimumHeight(TOUCH_TARGET)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self._cancel)
        actions.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setVisible(False)
        actions.addWidget(self.progress, 1)
        self.status = QLabel()
        self.status.setObjectName("prompt")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addWidget(self.card)
        layout.addLayout(tiles)
        layout.addLayout(middle, 1)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._cancel)
        self.retranslate()

    # --- texts -----------------------------------------------------------------------------------

    def place_name(self, place: Place) -> str:
        names = {
            Place.IN_PRODUCTION: self.tr("In production"),
            Place.IN_STOCK: self.tr("In stock"),
            Place.ON_HOLD: self.tr("On hold"),
            Place.SHIPPED: self.tr("Shipped"),
            Place.CONSUMED: self.tr("Consumed"),
            Place.OUT: self.tr("Scrapped"),
        }
        return names[place]

    def status_name(self, status: str) -> str:
        return status_name(status)

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Recall impact"))
        self.export_buttons["csv"].setText(self.tr("CSV (Ctrl+1)"))
        self.export_buttons["xlsx"].setText(self.tr("Excel (Ctrl+2)"))
        self.export_buttons["pdf"].setText(self.tr("PDF report (Ctrl+3)"))
        self.cancel_button.setText(self.tr("Cancel (Esc)"))
        self.customers.setHorizontalHeaderLabels(
            [self.tr("Customer"), self.tr("Units"), self.tr("Shipments")]
        )
        plot = self.chart.getPlotItem()
        plot.setLabel("bottom", self.tr("Affected units"), color=INK)
        plot.setLabel("left", self.tr("Where they are"), color=INK)
        names = [self.place_name(place) for place in PLACES]
        left = plot.getAxis("left")
        left.setTicks([list(zip(self._rows(), names, strict=True))])
        # Wide enough for the longest name: the axis does not grow by itself before it is drawn.
        metrics = QFontMetrics(self._tick_font)
        left.setWidth(max(metrics.horizontalAdvance(name) for name in names) + 12 + metrics.height())
        for place in PLACES:
            self.tile_captions[place].setText(self.place_name(place))
        self._show_summary()
        self._show_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_language(self, language: str) -> None:
        """Customer names in the operator's language ("zh_CN" or "en_US")."""
        self.chinese = language.startswith("zh")
        self.retranslate()

    # --- what it is told -------------------------------------------------------------------------

    def show_summary(self, summary: ImpactSummary, scope_text: str | Callable[[], str]) -> None:
        """`scope_text`: the scope in words, or what says it in the current language (a switch
        says it again: never a Chinese scope under English titles)."""
        self._describe = scope_text if callable(scope_text) else None
        scope_text = scope_text() if callable(scope_text) else scope_text
        self.summary, self.scope_text, self._outcome, self._progress = summary, scope_text, None, None
        self._show_summary()
        self._enable()
        self._show_status()

    def set_busy(self, busy: bool) -> None:
        """Counting or exporting: the exports wait, Esc or the cancel button stops an export."""
        self.busy = busy
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        if busy:
            self._outcome, self._progress = None, None
            self.progress.setRange(0, 0)  # moving until the first report
            self.cancel_button.setFocus()
        self._enable()
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        self._show_status()

    def set_progress(self, done: int, total: int | None) -> None:
        self._progress = (done, total)
        if total is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(min(done, max(total, 1)))
        self._show_status()

    def show_exported(self, path: str, rows: int) -> None:
        self._outcome = ("saved", path, rows)
        self._show_status()

    def show_cancelled(self) -> None:
        self._outcome = ("cancelled", "", 0)
        self._show_status()

    def show_error(self, message: str) -> None:
        self._outcome = ("error", message, 0)
        self._show_status()

    # --- plumbing --------------------------------------------------------------------------------

    def _show_summary(self) -> None:
        summary = self.summary
        counts = {place: 0 for place in PLACES}
        if summary is not None:
            counts.update(summary.by_place)
        for place in PLACES:
            self.tile_counts[place].setText(str(counts[place]) if summary is not None else "–")
            self.tile_frames[place].setToolTip(self._statuses_of(place))
        lengths = [counts[place] for place in PLACES]
        self.bars.setOpts(width=lengths)
        for number, label in enumerate(self.bar_labels):
            label.setText(str(lengths[number]) if summary is not None else "")
            label.setPos(lengths[number], self._rows()[number])
        # Room on the right for the longest bar's number.
        self.chart.getPlotItem().setXRange(0, max(1, max(lengths)) * 1.2, padding=0)

        if self._describe is not None:
            self.scope_text = self._describe()
        self.scope_label.setText(self.tr("Recall of: {0}").format(self.scope_text) if self.scope_text else "")
        if summary is None:
            self.totals_label.setText(self.tr("No recall counted yet."))
            self.customers_title.setText(self.tr("Shipped to customers"))
            self.customers.setRowCount(0)
            return
        self.totals_label.setText(
            self.tr(
                "Affected units: {0} · cartons and pallets: {1} · shipments: {2} · customers: {3}"
            ).format(summary.units, summary.containers, summary.shipments, summary.customers)
            + "  "
            + self.tr("(starting units: {0})").format(summary.seeds)
        )
        self.customers_title.setText(
            self.tr("Shipped to customers")
            if summary.by_customer
            else self.tr("No affected unit has been shipped.")
        )
        self.customers.setRowCount(len(summary.by_customer))
        for number, customer in enumerate(summary.by_customer):
            name = customer.name_zh if self.chinese else customer.name_en
            values = (f"{customer.code} {name}".strip(), str(customer.units), str(customer.shipments))
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
                self.customers.setItem(number, column, item)

    @staticmethod
    def _rows() -> list[int]:
        """The bars' rows from the top: the first place highest."""
        return list(range(len(PLACES) - 1, -1, -1))

    def bar_counts(self) -> dict[Place, int]:
        """What the chart draws, per place (the bars' lengths)."""
        return dict(zip(PLACES, (int(length) for length in self.bars.opts["width"]), strict=True))

    def _statuses_of(self, place: Place) -> str:
        """The statuses a tile counts, for its tooltip: "released 3, packed 2"."""
        if self.summary is None:
            return ""
        parts = [
            f"{self.status_name(status)} {count}"
            for status, count in sorted(self.summary.by_status.items())
            if _place_of(status) is place
        ]
        return ", ".join(parts)

    def _show_status(self) -> None:
        outcome = self._outcome
        if self.busy and self._progress is not None and self._progress[1] is not None:
            done, total = self._progress
            text = self.tr("Exporting: {0} of {1} rows… (Esc cancels)").format(done, total)
        elif self.busy and self.summary is not None:
            text = self.tr("Working… (Esc cancels)")
        elif self.busy:
            text = self.tr("Counting the affected units…")
        elif outcome is not None and outcome[0] == "saved":
            text = self.tr("Saved {0} rows to {1}").format(outcome[2], outcome[1])
        elif outcome is not None and outcome[0] == "cancelled":
            text = self.tr("Export cancelled: no file was saved.")
        elif outcome is not None:
            text = self.tr("Not done: {0}").format(outcome[1])
        elif self.summary is not None:
            text = self.tr("Export the recall list: CSV, Excel or the PDF report.")
        else:
            text = ""
        self.status.setText(text)

    def _enable(self) -> None:
        for button in self.export_buttons.values():
            button.setEnabled(self.summary is not None and not self.busy)

    def _export_csv(self) -> None:
        self._export("csv")

    def _export_xlsx(self) -> None:
        self._export("xlsx")

    def _export_pdf(self) -> None:
        self._export("pdf")

    def _export(self, kind: str) -> None:
        if self.export_buttons[kind].isEnabled():  # a summary shown, no export running
            self.export_requested.emit(kind)

    def _cancel(self) -> None:
        if self.busy:
            self.cancel_requested.emit()


def _place_of(status: str) -> Place | None:
    for known, place in PLACE_OF_STATUS.items():
        if known.value == status:
            return place
    return None
