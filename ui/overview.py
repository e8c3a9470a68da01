"""The plant overview: units by status and the latest events, refreshed with F5.

What a station shows until its kind is known (a station registered without one, or the database
not answered yet): a scan is looked up and said on the banner, nothing is recorded. Kinds, statuses
and events are said in words of the station's language, times on the plant's wall clock.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.overview import Overview, plant_overview, plant_timezone
from models.resolve import Resolved, Target, resolve
from models.trace import timestamp
from ui.messages import event_names, kind_names, status_name, status_names
from ui.station_screen import Runner, StationScreen


class OverviewView(StationScreen):
    """Units by status and the latest events; a scan is looked up and named on the banner."""

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.status = QLabel()
        self.units = self._table(3)
        self.recent = self._table(4)
        self.units_title = QLabel()
        self.recent_title = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.units_title)
        layout.addWidget(self.units, 1)
        layout.addWidget(self.recent_title)
        layout.addWidget(self.recent, 2)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)
        self._database: str | None = None
        self._failure: str | None = None
        self._shown: tuple[Overview, dt.tzinfo | None] | None = None  # refilled in words of a new language
        self.retranslate()

    def title(self) -> str:
        return self.tr("Plant overview")

    def refresh(self) -> None:
        self.runner.read(
            lambda db: (plant_overview(db), plant_timezone(db)),
            lambda found: self.show_overview(*found),
            self._failed,
        )

    def scanned(self, text: str) -> None:
        self.runner.pending(self.tr("Looking up {0}…").format(text))
        self.runner.read(lambda db: resolve(db, text), self._resolved)

    def _resolved(self, found: Resolved) -> None:
        kinds = {
            Target.UNIT: self.tr("Unit"),
            Target.WORK_ORDER: self.tr("Work order"),
            Target.SHIPMENT: self.tr("Shipment"),
            Target.ITEM: self.tr("Item"),
        }
        parts = [kinds[found.target], found.code]
        parts += [value for value in (found.item_code, found.status and status_name(found.status)) if value]
        self.runner.ok(" · ".join(parts))

    def _failed(self, error: Exception) -> None:
        self.show_error(self.runner.message(error))

    def retranslate(self) -> None:
        self.units.setHorizontalHeaderLabels([self.tr("Kind"), self.tr("Status"), self.tr("Count")])
        self.recent.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Event"), self.tr("Station"), self.tr("Operator")]
        )
        self.units_title.setText(self.tr("Units by status"))
        self.recent_title.setText(self.tr("Latest events"))
        if self._failure is not None:
            self.status.setText(self.tr("Not loaded: {0}").format(self._failure))
        elif self._database is not None:
            self.status.setText(self.tr("Database: {0}").format(self._database))
        else:
            self.status.setText(self.tr("Loading…"))
        if self._shown is not None:
            self.show_overview(*self._shown)

    @staticmethod
    def _table(columns: int) -> QTableWidget:
        table = QTableWidget(0, columns)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        return table

    def show_overview(self, overview: Overview, zone: dt.tzinfo | None = None) -> None:
        """The counts and the events in words; times on `zone`'s wall clock (the plant's)."""
        self._shown = (overview, zone)
        self._database, self._failure = overview.database, None
        self.status.setText(self.tr("Database: {0}").format(overview.database))
        kinds, statuses, events = kind_names(), status_names(), event_names()
        self._fill(
            self.units,
            [
                (kinds.get(row.kind, row.kind), statuses.get(row.status, row.status), str(row.count))
                for row in overview.units
            ],
        )
        self._fill(
            self.recent,
            [
                (
                    timestamp(event.occurred_at).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    events.get(event.event_type, event.event_type),
                    event.station,
                    event.operator,
                )
                for event in overview.recent
            ],
        )

    def show_error(self, message: str) -> None:
        self._failure = message
        self.status.setText(self.tr("Not loaded: {0}").format(message))

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
                table.setItem(row, column, item)
