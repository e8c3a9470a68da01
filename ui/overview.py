"""The plant overview: units by status and the latest events, refreshed with F5."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.overview import Overview


class OverviewView(QWidget):
    """Shows an Overview it is handed; asks for a new one through `refresh_requested`."""

    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel(self.tr("Loading…"))
        self.units = self._table([self.tr("Kind"), self.tr("Status"), self.tr("Count")])
        self.recent = self._table(
            [self.tr("Time"), self.tr("Event"), self.tr("Station"), self.tr("Operator")]
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(QLabel(self.tr("Units by status")))
        layout.addWidget(self.units, 1)
        layout.addWidget(QLabel(self.tr("Latest events")))
        layout.addWidget(self.recent, 2)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh_requested.emit)

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        return table

    def show_overview(self, overview: Overview) -> None:
        self.status.setText(self.tr("Database: {0}").format(overview.database))
        self._fill(self.units, [(row.kind, row.status, str(row.count)) for row in overview.units])
        self._fill(
            self.recent,
            [
                (
                    event.occurred_at.strftime("%Y-%m-%d %H:%M"),
                    event.event_type,
                    event.station,
                    event.operator,
                )
                for event in overview.recent
            ],
        )

    def show_error(self, message: str) -> None:
        self.status.setText(self.tr("Not loaded: {0}").format(message))

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
                table.setItem(row, column, item)
