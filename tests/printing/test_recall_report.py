"""The recall report PDF, read back with pypdf (not the library that wrote it): the summary, the chart's
words, every unit once and in order under a header on every page, Chinese names as text; a cancel
between batches saves nothing, and the memory a report needs does not grow with its list.
"""

from __future__ import annotations

import datetime as dt
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from printing.recall_report import (
    CHUNK_ROWS,
    CustomerLine,
    PlaceCount,
    ReportCancelled,
    ReportHeader,
    ReportRow,
    ReportSummary,
    recall_report_pdf,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
HEADER = ReportHeader(
    "召回报告 Recall report", "供应商 Supplier SUP-XT", dt.datetime(2026, 11, 25, 14, 3, tzinfo=SHANGHAI)
)
CODE = re.compile(r"SM2611\d{6}")


def summary(units: int) -> ReportSummary:
    return ReportSummary(
        seeds=1,
        units=units,
        containers=0,
        shipments=2,
        by_place=(
            PlaceCount("生产中", 3),
            PlaceCount("在库", units - 63),
            PlaceCount("隔离", 10),
            PlaceCount("已出货", 50),
            PlaceCount("已耗用", 0),
            PlaceCount("报废/判退", 0),
        ),
        by_customer=(
            CustomerLine("CUS-EC", "国网华东电力", 30, 1),
            CustomerLine("CUS-GD", "广东电网", 20, 1),
        ),
    )


def row(number: int) -> ReportRow:
    return ReportRow(
        code=f"SM2611{number:06d}",
        kind="序列号",
        item="DDZY-102 单相智能电表",
        status="已出货",
        place="已出货",
        quantity="1 EA",
        container="069012340000000016\n069012340000000030",
        shipment="SH-2611-0001",
        customer="CUS-EC 国网华东电力",
    )


def batches(total: int, size: int = 500) -> Iterator[list[ReportRow]]:
    for start in range(0, total, size):
        yield [row(number) for number in range(start, min(total, start + size))]


def test_the_report_has_its_summary_chart_and_every_unit_under_a_header_on_every_page(tmp_path: Path) -> None:
    path = tmp_path / "recall.pdf"
    long_name = ReportRow("SM2611999999", "序列号", "DDZY-102 " + "Single-phase smart meter " * 4, *["x"] * 6)
    rows = [*batches(CHUNK_ROWS * 2 + 37, size=150), [long_name]]

    assert recall_report_pdf(path, HEADER, summary(CHUNK_ROWS * 2 + 38), rows) == CHUNK_ROWS * 2 + 38

    pages = [page.extract_text() for page in PdfReader(path).pages]
    first, listing = pages[0], pages[1:]
    for text in ("召回报告 Recall report", "供应商 Supplier SUP-XT", "2026-11-25 14:03 UTC+08:00"):
        assert text in first
    assert "受影响单元 Affected units" in first and str(CHUNK_ROWS * 2 + 38) in first
    assert "受影响单元的位置" in first and "已出货" in first and "隔离" in first  # the chart's title and bars
    assert "国网华东电力" in first and "广东电网" in first
    assert not CODE.search(first)  # the list starts on a page of its own
    assert len(listing) > 5
    for number, page in enumerate(listing, start=2):
        assert "编码" in page and "Carton / pallet" in page, f"page {number} has no list header"
        assert f"第 {number} 页 Page {number}" in page
    text = "\n".join(listing)
    assert CODE.findall(text) == [f"SM2611{number:06d}" for number in range(CHUNK_ROWS * 2 + 37)] + [
        "SM2611999999"
    ]
    assert text.count("DDZY-102 单相智能电表") == CHUNK_ROWS * 2 + 37  # Chinese names, as text
    assert "069012340000000030" in text
    # A long name takes a second line, then is cut to its column: it never runs over the next one.
    assert "DDZY-102 Single-phase smart meter\nSingle-phase smart meter" in text and "…" in text
    assert "Single-phase smart meter " * 4 not in text


def test_a_cancel_between_batches_saves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "recall.pdf"
    asked: list[int] = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 2  # the third batch is never read

    with pytest.raises(ReportCancelled):
        recall_report_pdf(path, HEADER, summary(2000), batches(2000), cancel)
    assert len(asked) == 3
    assert not path.exists()


def peak_mib(path: Path, rows: int) -> float:
    """The most memory (tracemalloc, MiB) a report of `rows` rows held while it was written."""
    recall_report_pdf(path, HEADER, summary(1), batches(10))  # the font, loaded once
    tracemalloc.start()
    try:
        recall_report_pdf(path, HEADER, summary(rows), batches(rows, size=2000))
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_a_long_list_is_laid_out_page_by_page_not_held_whole(tmp_path: Path) -> None:
    # tracemalloc slows reportlab's pure-Python drawing about tenfold, so one batch (2,000 rows)
    # and three (6,000) stand for a hundred thousand: what a report holds must not grow with its
    # list. (Held as one Table, or with every page's drawing kept as text until the file is saved,
    # the 4,000 more rows add nearly 4 MiB; as they are, under 1 MiB of finished pages.)
    small, large = peak_mib(tmp_path / "small.pdf", 2_000), peak_mib(tmp_path / "large.pdf", 6_000)
    print(f"\nrecall report peak memory: 2,000 rows {small:.1f} MiB, 6,000 rows {large:.1f} MiB")
    assert large < 64
    assert large - small < 2


def test_a_long_code_is_never_shortened_it_breaks_across_lines(tmp_path: Path) -> None:
    """A recall list must name every unit exactly: a 40-character code takes more lines, whole."""
    path = tmp_path / "recall.pdf"
    code = "0109501101530003211234567890ABCDEFGHIJKLMN"
    long_code = ReportRow(code, "序列号", "DDZY-102", "已出货", "已出货", "1 EA", "x", "SH-1", "CUS-EC")
    assert recall_report_pdf(path, HEADER, summary(1), [[long_code]]) == 1
    text = "".join(page.extract_text() for page in PdfReader(path).pages[1:])
    assert code in text.replace("\n", "") and "…" not in text
