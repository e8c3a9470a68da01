"""A trace (models.trace.Trace) as a tree for a QTreeView, its children added when a row is expanded.

A trace is a graph: its nodes and its edges, and `Trace.next_edges()` gives the edges leading away
from each unit in the trace's direction. A row is one unit reached along one edge, so a unit reached
along two paths is a row under each of its parents (the same parent/child structure as the trace).
The children of a row are made only when the view expands it (`canFetchMore` / `fetchMore`): a lot
that fed eighteen thousand serials costs its top rows, not every path. A unit already on the path
from the root is shown but not expanded again, so a cycle that bad data put in the tables cannot
make the tree endless.

The model holds no translated text of its own: the view that shows it hands it the words for
headers, kinds, statuses, precisions and link levels (`words`), and calls `retranslated()` when
they change, so the rows read the new language without being rebuilt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt

from models.trace import Direction, Trace, TraceEdge, TraceNode

TOUCH_TARGET = 48  # pixels: the smallest a gloved finger hits reliably

NodeRole = Qt.ItemDataRole.UserRole + 1  # the row's TraceNode
EdgeRole = Qt.ItemDataRole.UserRole + 2  # the TraceEdge that reached it (None for a starting unit)
PrecisionRole = Qt.ItemDataRole.UserRole + 3  # its Precision (None for a starting unit)

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    CODE = 0
    ITEM = 1
    KIND = 2
    STATUS = 3
    QUANTITY = 4
    PRECISION = 5
    LINK = 6
    EVENT = 7
    TIME = 8
    WORK_ORDER = 9
    STATION = 10
    OPERATOR = 11
    EQUIPMENT = 12
    SHIPPED_TO = 13


# Columns only a backward trace fills: forward edges carry no event (see models.trace.forward).
EVENT_COLUMNS = (
    Column.EVENT,
    Column.TIME,
    Column.WORK_ORDER,
    Column.STATION,
    Column.OPERATOR,
    Column.EQUIPMENT,
)


@dataclass
class Words:
    """The translated words the rows are written with, given by the view."""

    headers: dict[Column, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    precisions: dict[str, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)  # models.schema.EventType -> its name
    roles: dict[str, str] = field(default_factory=dict)  # models.schema.EventRole -> its name
    shipped: str = "{0} → {1} {2}"  # shipment, customer code, customer name
    chinese: bool = True  # item, supplier and customer names in Chinese or in English


def local_time(moment: dt.datetime | None, zone: dt.tzinfo | None) -> str:
    """An event time on the wall clock of `zone` (the computer's own when None)."""
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


class _Row:
    __slots__ = ("children", "edge", "expandable", "node", "number", "parent")

    def __init__(self, parent: _Row | None, number: int, node: TraceNode, edge: TraceEdge | None) -> None:
        self.parent = parent
        self.number = number
        self.node = node
        self.edge = edge
        self.children: list[_Row] | None = None  # None until the row is expanded
        self.expandable = False

    def path_ids(self) -> set[int]:
        ids: set[int] = set()
        row: _Row | None = self
        while row is not None:
            ids.add(row.node.id)
            row = row.parent
        return ids


class TraceModel(QAbstractItemModel):
    """The rows of one trace; empty until `set_trace`."""

    def __init__(self, words: Words, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.words = words
        self.zone: dt.tzinfo | None = None
        self.trace: Trace | None = None
        self._away: dict[int, list[TraceEdge]] = {}
        self._roots: list[_Row] = []

    # --- what the view tells it ------------------------------------------------------------------

    def set_trace(self, trace: Trace | None) -> None:
        self.beginResetModel()
        self.trace = trace
        self._away = trace.next_edges() if trace is not None else {}
        self._roots = []
        if trace is not None:
            for number, node in enumerate(trace.roots):
                self._roots.append(self._make(None, number, node, None))
        self.endResetModel()

    def retranslated(self) -> None:
        """The words changed: headers and every shown row read them again."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        self.layoutChanged.emit()

    def row_of(self, index: Index) -> _Row | None:
        return index.internalPointer() if index.isValid() else None

    # --- QAbstractItemModel ----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        rows = self._children(parent)
        if rows is None or not (0 <= row < len(rows)) or not (0 <= column < len(Column)):
            return QModelIndex()
        return self.createIndex(row, column, rows[row])

    def parent(self, index: Index | None = None) -> Any:  # type: ignore[override]
        if index is None:  # QObject.parent(): the model's owner
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        row: _Row = index.internalPointer()
        if row.parent is None:
            return QModelIndex()
        return self.createIndex(row.parent.number, 0, row.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        rows = self._children(parent)
        return 0 if rows is None else len(rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(Column)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if not parent.isValid():
            return bool(self._roots)
        if parent.column() != 0:
            return False
        row: _Row = parent.internalPointer()
        return row.expandable

    def canFetchMore(self, parent: Index) -> bool:
        if not parent.isValid():
            return False
        row: _Row = parent.internalPointer()
        return row.expandable and row.children is None

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        row: _Row = parent.internalPointer()
        assert self.trace is not None
        backward = self.trace.direction is Direction.BACKWARD
        edges = self._away.get(row.node.id, [])
        pairs = [(self.trace.nodes[edge.input_id if backward else edge.output_id], edge) for edge in edges]
        pairs.sort(key=lambda pair: (pair[0].code, pair[1].level.value))
        on_path = row.path_ids()
        children = []
        for number, (node, edge) in enumerate(pairs):
            child = self._make(row, number, node, edge)
            child.expandable = child.expandable and node.id not in on_path
            children.append(child)
        if not children:
            row.children = []
            return
        self.beginInsertRows(parent, 0, len(children) - 1)
        row.children = children
        self.endInsertRows()

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.words.headers.get(Column(section), "")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row: _Row = index.internalPointer()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, Column(index.column()))
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == Column.CODE:
            return row.node.code
        if role == Qt.ItemDataRole.SizeHintRole and index.column() == Column.CODE:
            return QSize(0, TOUCH_TARGET)
        if role == NodeRole:
            return row.node
        if role == EdgeRole:
            return row.edge
        if role == PrecisionRole:
            return row.node.precision
        return None

    # --- plumbing --------------------------------------------------------------------------------

    def _make(self, parent: _Row | None, number: int, node: TraceNode, edge: TraceEdge | None) -> _Row:
        row = _Row(parent, number, node, edge)
        row.expandable = bool(self._away.get(node.id))
        return row

    def _children(self, parent: Index) -> list[_Row] | None:
        if not parent.isValid():
            return self._roots
        row: _Row = parent.internalPointer()
        return row.children

    def _text(self, row: _Row, column: Column) -> str:
        node, edge, words = row.node, row.edge, self.words
        event = edge.event if edge is not None else None
        if column is Column.CODE:
            return node.code
        if column is Column.ITEM:
            if node.item_code is None:
                return ""
            name = node.item_name_zh if words.chinese else node.item_name_en
            return f"{node.item_code} {name or ''}".strip()
        if column is Column.KIND:
            return words.kinds.get(node.kind, node.kind)
        if column is Column.STATUS:
            return words.statuses.get(node.status, node.status)
        if column is Column.QUANTITY:
            return f"{node.quantity} {node.uom}"
        if column is Column.PRECISION:
            return "" if node.precision is None else words.precisions.get(node.precision, node.precision)
        if column is Column.LINK:
            return "" if edge is None else words.levels.get(edge.level, edge.level)
        if column is Column.SHIPPED_TO:
            return "; ".join(
                words.shipped.format(
                    ref.code,
                    ref.customer_code,
                    (ref.customer_name_zh if words.chinese else ref.customer_name_en) or "",
                ).strip()
                for ref in node.shipments
            )
        if event is None:
            return ""
        if column is Column.EVENT:
            return self.words.events.get(event.event_type, event.event_type)
        if column is Column.TIME:
            return local_time(event.occurred_at, self.zone)
        if column is Column.WORK_ORDER:
            return " / ".join(value for value in (event.work_order_code, event.step_code) if value)
        if column is Column.STATION:
            return event.station_code
        if column is Column.OPERATOR:
            return f"{event.operator_badge} {event.operator_name}".strip()
        if column is Column.EQUIPMENT:
            return event.equipment_code or ""
        return ""
