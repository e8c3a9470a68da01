"""Traces as JSON documents and recall lists as CSV and XLSX files, for people outside the plant.

A recall list goes to customers, authorities and the supplier. The workbook is for people: every
code is a text cell (Excel would turn an 18-digit SSCC into 6.9E+16 and drop leading zeros). The
CSV is for systems: exact text, UTF-8 with a byte-order mark (without it Excel on a Chinese Windows
shows the names as mojibake; opened in Excel, long numeric codes still lose digits). Headers are in
Chinese and English, and both writers stream batch by batch, so a list of a hundred thousand units
never sits in memory whole.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from models.impact import ImpactRow, ImpactScope, ImpactSummary
from models.trace import Trace, TraceNode

# (attribute of ImpactRow, header) in the order the file shows them.
RECALL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "编码 Code"),
    ("kind", "类型 Kind"),
    ("item_code", "物料 Item"),
    ("item_name_zh", "物料名称"),
    ("item_name_en", "Item name"),
    ("status", "状态 Status"),
    ("place", "位置 Place"),
    ("quantity", "数量 Quantity"),
    ("uom", "单位 UoM"),
    ("precision", "关联 Precision"),
    ("work_order_code", "工单 Work order"),
    ("container_code", "箱号 Carton"),
    ("pallet_code", "托盘 Pallet"),
    ("shipment_code", "出货单 Shipment"),
    ("shipped_at", "出货时间 Shipped at (UTC)"),
    ("customer_code", "客户 Customer"),
    ("customer_name_zh", "客户名称"),
    ("customer_name_en", "Customer name"),
)


def _cell(sheet: Any, value: Any) -> Any:
    """A value as a spreadsheet holds it: plain text, numbers, and naive UTC times (Excel has no zones)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "value"):  # enums
        value = value.value
    if isinstance(value, str) and (value.startswith("=") or ILLEGAL_CHARACTERS_RE.search(value)):
        # Text stays text: a name starting with "=" must not become a formula, and control
        # characters (which openpyxl refuses halfway through a file) are dropped.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def write_recall_csv(path: Path, batches: Iterable[list[ImpactRow]]) -> int:
    """The recall list as CSV; the number of rows written."""
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for _, header in RECALL_COLUMNS])
        for batch in batches:
            writer.writerows([[_text(getattr(row, name)) for name, _ in RECALL_COLUMNS] for row in batch])
            written += len(batch)
    return written


def write_recall_xlsx(
    path: Path, scope: ImpactScope, summary: ImpactSummary, batches: Iterable[list[ImpactRow]]
) -> int:
    """The recall list and its summary as an XLSX workbook (openpyxl's streaming write-only mode)."""
    workbook = Workbook(write_only=True)
    overview = workbook.create_sheet("汇总 Summary")
    listing = workbook.create_sheet("召回清单 Recall list")
    bold = Font(bold=True)

    def heading(sheet: Any, *titles: str) -> None:
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    heading(overview, "范围 Scope", "")
    for name, value in vars(scope).items():
        if value not in (None, ()):
            shown = ", ".join(value) if isinstance(value, tuple) else _text(value)
            overview.append([name, _cell(overview, shown)])
    overview.append([])
    heading(
        overview,
        "起点 Starting units",
        "单元 Units",
        "箱/托 Containers",
        "出货单 Shipments",
        "客户 Customers",
    )
    overview.append([summary.seeds, summary.units, summary.containers, summary.shipments, summary.customers])
    overview.append([])
    heading(overview, "位置 Place", "单元 Units")
    for place, count in sorted(summary.by_place.items()):
        overview.append([place.value, count])
    overview.append([])
    heading(overview, "状态 Status", "单元 Units")
    for status, count in sorted(summary.by_status.items()):
        overview.append([status, count])
    overview.append([])
    heading(overview, "客户 Customer", "客户名称", "Customer name", "单元 Units", "出货单 Shipments")
    for customer in summary.by_customer:
        overview.append(
            [customer.code, customer.name_zh, customer.name_en, customer.units, customer.shipments]
        )

    heading(listing, *(header for _, header in RECALL_COLUMNS))
    written = 0
    for batch in batches:
        for row in batch:
            listing.append([_cell(listing, getattr(row, name)) for name, _ in RECALL_COLUMNS])
        written += len(batch)
    workbook.save(path)
    return written


def trace_document(trace: Trace) -> dict[str, Any]:
    """A trace as plain JSON types: units by code, edges between codes (the README documents it)."""
    codes = {node.id: node.code for node in trace.nodes.values()}
    return {
        "direction": trace.direction.value,
        "roots": [node.code for node in trace.roots],
        "units": [_node_document(node) for node in trace.nodes.values()],
        "edges": [
            {
                "input": codes[edge.input_id],
                "output": codes[edge.output_id],
                "level": edge.level.value,
                "quantity": _number(edge.quantity),
                "event": None
                if edge.event is None
                else {
                    "type": edge.event.event_type,
                    "time": edge.event.occurred_at.isoformat(),
                    "work_order": edge.event.work_order_code,
                    "operation": edge.event.step_code,
                    "station": edge.event.station_code,
                    "operator": edge.event.operator_badge,
                    "operator_name": edge.event.operator_name,
                    "equipment": edge.event.equipment_code,
                },
            }
            for edge in trace.edges
        ],
        "inspections": [
            {
                "unit": codes[inspection.unit_id],
                "name": inspection.name,
                "value": _number(inspection.value),
                "lower_limit": _number(inspection.lower_limit),
                "upper_limit": _number(inspection.upper_limit),
                "passed": inspection.passed,
                "time": inspection.occurred_at.isoformat(),
                "operation": inspection.step_code,
                "station": inspection.station_code,
                "operator": inspection.operator_badge,
            }
            for inspection in trace.inspections
        ],
    }


def _node_document(node: TraceNode) -> dict[str, Any]:
    return {
        "code": node.code,
        "kind": node.kind,
        "status": node.status,
        "item": None
        if node.item_code is None
        else {"code": node.item_code, "name_zh": node.item_name_zh, "name_en": node.item_name_en},
        "quantity": _number(node.quantity),
        "uom": node.uom,
        "precision": node.precision.value if node.precision else None,
        "supplier": None
        if node.supplier_code is None
        else {"code": node.supplier_code, "name_zh": node.supplier_name_zh, "name_en": node.supplier_name_en},
        "supplier_lot": node.supplier_lot,
        "work_order": node.work_order_code,
        "container": node.container_code,
        "manufactured_on": node.manufactured_on.isoformat() if node.manufactured_on else None,
        "expires_on": node.expires_on.isoformat() if node.expires_on else None,
        "shipments": [
            {
                "code": shipment.code,
                "customer": shipment.customer_code,
                "customer_name_zh": shipment.customer_name_zh,
                "customer_name_en": shipment.customer_name_en,
                "shipped_at": shipment.shipped_at.isoformat() if shipment.shipped_at else None,
            }
            for shipment in node.shipments
        ],
    }


def _number(value: Decimal | None) -> str | None:
    """Quantities as decimal strings: JSON numbers would turn 0.1 into a float."""
    return None if value is None else str(value)
