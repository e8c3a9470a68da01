"""The widgets of the packing screen: its context card with the fill bars, and its two tables.

Display only: ui/packing/view.py decides what they say (every text comes from it, translated
there), so these parts hold no state beyond what they were last handed.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.lookup import plain
from ui.messages import shown_code
from ui.station_screen import TOUCH_TARGET


def amount(value: Decimal, uom: str = "EA") -> str:
    """A quantity as the operator reads it: 8, 12.5 KG (pieces need no unit)."""
    text = str(plain(value))
    return text if uom == "EA" else f"{text} {uom}"


def short_code(code: str) -> str:
    """A container as the operator knows it: never an open one's provisional code (OPEN-...)."""
    return shown_code(code)


class FillRow(QWidget):
    """One container on the card: what it is, and how full, as a bar."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel()
        self.caption.setObjectName(f"{name}Caption")
        self.caption.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{name}Fill")
        self.bar.setTextVisible(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.caption, 3)
        row.addWidget(self.bar, 2)

    def show_fill(self, caption: str, count: Decimal, capacity: int | None, uom: str) -> None:
        self.caption.setText(caption)
        if capacity:
            self.bar.setRange(0, capacity)
            self.bar.setValue(min(int(count), capacity))
            self.bar.setFormat(f"{amount(count)} / {amount(Decimal(capacity), uom)}")
        else:  # nothing open, or open and empty (no item yet, so no capacity)
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
            self.bar.setFormat(amount(count, uom) if count else "")


class PackingCard(QFrame):
    """What the station works on: the work order being labelled, the carton and the pallet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contextCard")
        self.title = QLabel()
        self.title.setObjectName("contextTitle")
        self.title.setWordWrap(True)
        self.order = QLabel()
        self.order.setObjectName("orderProgress")
        self.order.setWordWrap(True)
        self.carton = FillRow("carton")
        self.pallet = FillRow("pallet")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.order)
        layout.addWidget(self.carton)
        layout.addWidget(self.pallet)


def make_table(name: str, columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scanner and the F keys drive the screen
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(TOUCH_TARGET - 8)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
            table.setItem(row, column, item)
