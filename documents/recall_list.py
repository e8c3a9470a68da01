"""The recall list as CSV and XLSX files, for people outside the plant.

A recall list goes to customers, authorities and the supplier. The workbook is for people: every
code is a text cell (Excel would turn an 18-digit SSCC into 6.9E+16 and drop leading zeros). The
CSV is for systems: exact text, UTF-8 with a byte-order mark (without it Excel on a Chinese Windows
shows the names as mojibake; opened in Excel, long numeric codes still lose digits). Headers are in
Chinese and English, and both writers stream batch by batch, so a list of a hundred thousand units
never sits in memory whole.

A status, a place, a kind and a precision are written in words of the language the list was
exported in (documents/words.py, the PDF report's table too); codes (units, items, units of
measure, shipments) stay as they are. A system reading the file keeps a stable column: the stored
status (ON_HOLD, SHIPPED...) in "状态代码 Status code", whatever the language.
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

from documents.words import KIND_WORDS, PLACE_WORDS, PRECISION_WORDS, SCOPE_WORDS, STATUS_WORDS, word
from models.impact import ImpactRow, ImpactScope, ImpactSummary

# (attribute of ImpactRow, header) in the order the file shows them; "status_code" is the stored
# status, the machine column (see the module's docstring).
RECALL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "编码 Code"),
    ("kind", "类型 Kind"),
    ("item_code", "物料 Item"),
    ("item_name_zh", "物料名称"),
    ("item_name_en", "Item name"),
    ("status", "状态 Status"),
    ("status_code", "状态代码 Status code"),
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


# The columns said in words, and the table of their words.
WORDED: dict[str, dict[str, tuple[str, str]]] = {
    "kind": KIND_WORDS,
    "status": STATUS_WORDS,
    "place": PLACE_WORDS,
    "precision": PRECISION_WORDS,
}


def _value(row: ImpactRow, name: str, language: str) -> Any:
    """A row's value for a column: in words for a worded column, as stored for the others."""
    if name == "status_code":
        return row.status
    value = getattr(row, name)
    if name in WORDED:
        return word(WORDED[name], value, language)
    return value


def write_recall_csv(path: Path, batches: Iterable[list[ImpactRow]], language: str = "zh_CN") -> int:
    """The recall list as CSV, its words in `language`; the number of rows written."""
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for _, header in RECALL_COLUMNS])
        for batch in batches:
            writer.writerows(
                [[_text(_value(row, name, language)) for name, _ in RECALL_COLUMNS] for row in batch]
            )
            written += len(batch)
    return written


def write_recall_xlsx(
    path: Path,
    scope: ImpactScope,
    summary: ImpactSummary,
    batches: Iterable[list[ImpactRow]],
    language: str = "zh_CN",
) -> int:
    """The recall list and its summary as an XLSX workbook (openpyxl's streaming write-only mode),
    its words in `language`."""
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
            overview.append([word(SCOPE_WORDS, name, language), _cell(overview, shown)])
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
        overview.append([word(PLACE_WORDS, place, language), count])
    overview.append([])
    heading(overview, "状态 Status", "单元 Units")
    for status, count in sorted(summary.by_status.items()):
        overview.append([word(STATUS_WORDS, status, language), count])
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
            listing.append([_cell(listing, _value(row, name, language)) for name, _ in RECALL_COLUMNS])
        written += len(batch)
    workbook.save(path)
    return written
