"""`tracestation-admin trace` and `impact` on the demo plant: the tree, the JSON document, CSV and XLSX."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from demo.history import SeedSummary, seed
from desktop.admin import main
from documents.recall_list import RECALL_COLUMNS
from tests.support import Plant


@pytest.fixture
def demo(plant: Plant) -> tuple[str, SeedSummary]:
    summary = seed(plant.db)
    return plant.db.engine.url.render_as_string(hide_password=False), summary


def test_trace_prints_the_tree_both_ways(
    demo: tuple[str, SeedSummary], capsys: pytest.CaptureFixture[str]
) -> None:
    url, summary = demo
    assert main(["--url", url, "trace", summary.example_serial, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    backward, forward = out.split("== forward")
    assert backward.startswith("== backward") and summary.example_serial in backward
    assert summary.held_lot in backward and "ON_HOLD" in backward
    assert "(unit, contains)" in backward and "(lot, may contain)" in backward
    assert "深圳锂能科技" in backward  # the battery supplier, in Chinese
    assert "inspections:" in backward
    assert "(box, contains)" in forward and "CUS-EC" in forward


def test_trace_json_document(demo: tuple[str, SeedSummary], capsys: pytest.CaptureFixture[str]) -> None:
    url, summary = demo
    assert main(["--url", url, "trace", summary.example_serial, "--direction", "back", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"code", "backward"}
    back = document["backward"]
    assert back["roots"] == [summary.example_serial] and back["direction"] == "backward"
    units = {unit["code"]: unit for unit in back["units"]}
    held = units[summary.held_lot]
    assert (held["precision"], held["status"], held["supplier"]["code"]) == (
        "MAY_CONTAIN",
        "ON_HOLD",
        "SUP-LI",
    )
    assert {edge["level"] for edge in back["edges"]} == {"LOT", "UNIT"}
    assert all(edge["event"]["station"] and edge["event"]["time"] for edge in back["edges"])
    assert {item["name"] for item in back["inspections"]} >= {"ERR", "VOLT"}


def test_impact_writes_csv_and_xlsx(
    demo: tuple[str, SeedSummary], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, summary = demo
    csv_path, xlsx_path = tmp_path / "recall.csv", tmp_path / "recall.xlsx"
    arguments = [
        "--url",
        url,
        "impact",
        "--supplier",
        "SUP-LI",
        "--csv",
        str(csv_path),
        "--xlsx",
        str(xlsx_path),
    ]
    assert main(arguments) == 0
    out = capsys.readouterr().out
    assert "starting units: 2" in out and "CUS-EC" in out

    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the byte-order mark
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == [header for _, header in RECALL_COLUMNS]
    codes = [line[0] for line in table[1:]]
    assert summary.held_lot in codes and summary.example_serial in codes
    assert f"wrote {len(codes)} rows to {csv_path}" in out

    workbook = load_workbook(xlsx_path, read_only=True)
    assert workbook.sheetnames == ["汇总 Summary", "召回清单 Recall list"]
    listed = list(workbook["召回清单 Recall list"].iter_rows(values_only=True))
    assert [row[0] for row in listed[1:]] == codes
    serial_row = next(row for row in listed if row[0] == summary.example_serial)
    column = {header: number for number, (_, header) in enumerate(RECALL_COLUMNS)}
    assert serial_row[column["客户 Customer"]] == "CUS-EC" and serial_row[column["出货时间 Shipped at (UTC)"]]
    # --lang en (the default): statuses in English words, the stored status in its own column.
    assert (serial_row[column["状态 Status"]], serial_row[column["状态代码 Status code"]]) == (
        "shipped",
        "SHIPPED",
    )
    overview = [row for row in workbook["汇总 Summary"].iter_rows(values_only=True) if row]
    assert ("Supplier", "SUP-LI") in [tuple(row[:2]) for row in overview]  # the criterion in words


def test_impact_prints_the_list_and_refuses_bad_scopes(
    demo: tuple[str, SeedSummary], capsys: pytest.CaptureFixture[str]
) -> None:
    url, summary = demo
    assert main(["--url", url, "impact", summary.held_lot]) == 0
    out = capsys.readouterr().out
    assert f"{summary.example_serial}\tSERIAL" in out
    assert main(["--url", url, "impact", "--supplier", "SUP-NOBODY"]) == 2
    assert "UNKNOWN_SUPPLIER" in capsys.readouterr().err
    assert main(["--url", url, "impact", "--supplier", "SUP-LI", "--since", "2026-01-01"]) == 2
    assert "BAD_INPUT" in capsys.readouterr().err
    assert main(["--url", url, "impact", "--equipment", "SMT-01", "--since", "yesterday"]) == 2
    assert "BAD_DATE" in capsys.readouterr().err
    assert main(["--url", url, "impact", "--equipment", "SMT-01", "--since", "2000-01-01"]) == 0
    assert "affected units: " in capsys.readouterr().out
