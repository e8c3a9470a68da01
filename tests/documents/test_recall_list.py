"""Recall files: codes stay exact text, names stay names (never formulas), Chinese stays readable."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from documents.recall_list import RECALL_COLUMNS, write_recall_csv, write_recall_xlsx
from models.impact import ImpactRow, ImpactScope, ImpactSummary, Place
from models.trace import Precision

SSCC = "069012340000000016"


def row(code: str, item_name: str) -> ImpactRow:
    return ImpactRow(
        code, "SERIAL", "DDZY-102", item_name, "Smart meter", "SHIPPED", Place.SHIPPED, Decimal(1), "EA",
        Precision.MAY_CONTAIN, "WO-1", SSCC, "069012340000000030", "SH-1",
        dt.datetime(2026, 11, 24, 8, 47, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        "CUS-EC", "=HYPERLINK(\"x\")华东", "East\x07China",
    )  # fmt: skip


def summary() -> ImpactSummary:
    return ImpactSummary(1, 2, 0, {"SHIPPED": 2}, {Place.SHIPPED: 2}, (), 1)


def test_csv_keeps_codes_as_text_and_times_in_utc(tmp_path: Path) -> None:
    path = tmp_path / "recall.csv"
    assert write_recall_csv(path, [[row("0001234", "单相电表")], [row("SM-2", "单相电表")]]) == 2
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, first, second = list(csv.reader(handle))
    assert header == [title for _, title in RECALL_COLUMNS]
    values = dict(zip((name for name, _ in RECALL_COLUMNS), first, strict=True))
    assert (values["code"], values["container_code"], values["item_name_zh"]) == ("0001234", SSCC, "单相电表")
    assert values["shipped_at"] == "2026-11-24 00:47:00" and values["precision"] == "可能含有"
    assert second[0] == "SM-2"


def test_the_list_says_status_place_kind_and_precision_in_the_language_it_was_exported_in(
    tmp_path: Path,
) -> None:
    """Words for people, in the screen's language; the stored status stays in a column of its own
    for the systems that read the file; codes stay codes."""
    worded = ("kind", "status", "place", "precision", "status_code", "item_code", "uom")
    for language, expected in (
        ("zh_CN", ("序列号", "已出货", "已出货", "可能含有", "SHIPPED", "DDZY-102", "EA")),
        ("en_US", ("serial", "shipped", "Shipped", "may contain", "SHIPPED", "DDZY-102", "EA")),
    ):
        path = tmp_path / f"recall-{language}.csv"
        write_recall_csv(path, [[row("SM-1", "单相电表")]], language)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header, first = list(csv.reader(handle))
        values = dict(zip((name for name, _ in RECALL_COLUMNS), first, strict=True))
        assert tuple(values[name] for name in worded) == expected
        assert "状态代码 Status code" in header

        book = tmp_path / f"recall-{language}.xlsx"
        write_recall_xlsx(book, ImpactScope(codes=("R1",)), summary(), [[row("SM-1", "单相电表")]], language)
        workbook = load_workbook(book)
        cells = [cell.value for cell in workbook["召回清单 Recall list"][2]]
        values = dict(zip((name for name, _ in RECALL_COLUMNS), cells, strict=True))
        assert tuple(values[name] for name in worded) == expected
        firsts = [row[0].value for row in workbook["汇总 Summary"].iter_rows()]
        assert ("编码" if language == "zh_CN" else "Codes") in firsts  # the scope's criterion, in words
        assert "codes" not in firsts and "SHIPPED" not in firsts


def test_workbook_cells_are_text_never_formulas(tmp_path: Path) -> None:
    path = tmp_path / "recall.xlsx"
    write_recall_xlsx(path, ImpactScope(codes=("R1",)), summary(), [[row("0001234", "单相电表")]])
    sheet = load_workbook(path)["召回清单 Recall list"]
    cells = {title: cell for (_, title), cell in zip(RECALL_COLUMNS, sheet[2], strict=True)}
    assert cells["编码 Code"].value == "0001234" and cells["编码 Code"].data_type == "s"
    assert cells["箱号 Carton"].value == SSCC and cells["箱号 Carton"].data_type == "s"
    assert cells["客户名称"].value == '=HYPERLINK("x")华东' and cells["客户名称"].data_type == "s"
    assert cells["Customer name"].value == "EastChina"  # the control character cannot be stored
    assert cells["出货时间 Shipped at (UTC)"].value == dt.datetime(2026, 11, 24, 0, 47)
