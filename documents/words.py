"""The words of the recall's documents for the domain's stored values, (Chinese, English).

One table for every document: the PDF report's cells and the CSV/XLSX list's cells say a place,
a status, a kind or a precision in the same words, in the language of the screen they were
exported from (the files are read outside the plant, where ON_HOLD or MAY_CONTAIN mean nothing).
No Qt here: the documents are written on the worker and by the command line.
"""

from __future__ import annotations

from models.impact import Place

PLACE_WORDS: dict[str, tuple[str, str]] = {
    Place.IN_PRODUCTION: ("生产中", "In production"),
    Place.IN_STOCK: ("在库", "In stock"),
    Place.ON_HOLD: ("冻结", "On hold"),
    Place.SHIPPED: ("已出货", "Shipped"),
    Place.CONSUMED: ("已耗用", "Consumed"),
    Place.OUT: ("报废/判退", "Scrapped"),
}
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "QUARANTINE": ("待检", "quarantine"),
    "REJECTED": ("判退", "rejected"),
    "WIP": ("在制", "in production"),
    "RELEASED": ("已放行", "released"),
    "FAILED": ("不合格", "failed"),
    "ON_HOLD": ("已冻结", "on hold"),
    "OPEN": ("未封箱", "open"),
    "CLOSED": ("已封箱", "closed"),
    "PACKED": ("已装箱", "packed"),
    "CONSUMED": ("已耗用", "consumed"),
    "SHIPPED": ("已出货", "shipped"),
    "SCRAPPED": ("已报废", "scrapped"),
}
KIND_WORDS: dict[str, tuple[str, str]] = {
    "LOT": ("批次", "lot"),
    "SERIAL": ("序列号", "serial"),
    "CONTAINER": ("箱/托盘", "carton/pallet"),
}
PRECISION_WORDS: dict[str, tuple[str, str]] = {
    "CONTAINS": ("含有", "contains"),
    "MAY_CONTAIN": ("可能含有", "may contain"),
}
# The recall's criteria (models.impact.ImpactScope's fields), for the workbook's summary sheet.
SCOPE_WORDS: dict[str, tuple[str, str]] = {
    "codes": ("编码", "Codes"),
    "supplier_code": ("供应商", "Supplier"),
    "supplier_lot": ("供应商批次", "Supplier lot"),
    "equipment_code": ("设备", "Machine"),
    "operator_badge": ("操作员", "Operator"),
    "work_order_code": ("工单", "Work order"),
    "since": ("起始时间", "From"),
    "until": ("截止时间", "Until"),
}


def chinese(language: str) -> bool:
    """Whether a station language ("zh_CN", "en_US") or the command line's ("zh", "en") is Chinese."""
    return language.startswith("zh")


def word(table: dict[str, tuple[str, str]], value: object, language: str) -> str:
    """`value` in words of `language`; a value the table does not know as it is stored (never a blank)."""
    if value is None:
        return ""
    key = str(getattr(value, "value", value))
    words = table.get(key)
    if words is None:
        return key
    return words[0] if chinese(language) else words[1]
