"""The recall's documents: its list as CSV or XLSX (recall_list.py) or the PDF report, with progress.

`export_recall` runs on the worker (a screen's `runner.long`): it opens one snapshot of
the recall, so the file's summary and its list agree while stations go on working, streams the
list batch by batch into the writer, reports how far it got after each batch and stops at the next
batch boundary once the operator cancels. A file is written under a ".part" name and renamed only
when it is complete: a cancelled or failed export leaves nothing behind that could be sent by
mistake as the recall list.

This module is also where the recall's domain types become the PDF's plain rows (printing/ knows
nothing of models/); ui/supervisor/recall_exports.py runs it for the recall page.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from documents.recall_list import write_recall_csv, write_recall_xlsx
from documents.words import KIND_WORDS, PLACE_WORDS, STATUS_WORDS
from models.db import Database
from models.impact import ImpactRow, ImpactScope, ImpactSummary, Place, Recall, recall
from models.overview import plant_timezone
from models.trace import TraceCancelled
from printing.recall_report import (
    CustomerLine,
    PlaceCount,
    ReportCancelled,
    ReportHeader,
    ReportRow,
    ReportSummary,
    recall_report_pdf,
)


class ExportCancelled(Exception):
    """The operator cancelled the export: no file was left behind."""


class Progress(Protocol):
    """What the worker hands long work (ui/station_screen.Progress has the same shape)."""

    def report(self, done: int, total: int | None = None) -> None: ...

    @property
    def cancelled(self) -> bool: ...


class ExportKind(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


@dataclass(frozen=True)
class Exported:
    rows: int  # list rows written: affected units and their cartons and pallets
    path: Path
    kind: ExportKind


REPORT_TITLE = "召回报告 Recall report"


def export_recall(
    db: Database,
    scope: ImpactScope,
    path: Path,
    kind: ExportKind | str,
    progress: Progress,
    *,
    language: str = "zh_CN",
    zone: dt.tzinfo | None = None,
) -> Exported:
    """Write the recall list (`kind`: csv, xlsx or pdf) to `path`; on the worker thread.

    Progress is (rows written, rows in the list); `ExportCancelled` once the operator cancels, with no
    file left at `path` nor beside it. `language` chooses the names and words in the PDF's cells;
    `zone` the wall clock of its "generated at" (the plant's when None).
    """
    kind = ExportKind(kind)
    chinese = language.startswith("zh")
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        try:
            with recall(db, scope) as found:
                summary = found.summary
                total = summary.units + summary.containers
                progress.report(0, total)
                with closing(_reported(found, progress, total)) as batches:
                    if kind is ExportKind.CSV:
                        written = write_recall_csv(part, batches, language)
                    elif kind is ExportKind.XLSX:
                        written = write_recall_xlsx(part, scope, summary, batches, language)
                    else:
                        header = ReportHeader(
                            REPORT_TITLE,
                            scope_text(scope, zone),
                            dt.datetime.now(zone or plant_timezone(db)).replace(microsecond=0),
                        )
                        written = recall_report_pdf(
                            part,
                            header,
                            report_summary(summary, chinese),
                            ([report_row(row, chinese) for row in batch] for batch in batches),
                            lambda: progress.cancelled,
                        )
            if progress.cancelled:  # cancelled after the last batch: still no file
                raise ExportCancelled()
        except (TraceCancelled, ReportCancelled) as stopped:
            raise ExportCancelled() from stopped
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return Exported(written, path, kind)


def _reported(found: Recall, progress: Progress, total: int) -> Generator[list[ImpactRow], None, None]:
    done = 0
    for batch in found.rows(cancel=lambda: progress.cancelled):
        yield batch
        done += len(batch)
        progress.report(done, total)
        if progress.cancelled:
            raise ExportCancelled()


# --- the recall as the PDF's plain rows -----------------------------------------------------------


def report_summary(summary: ImpactSummary, chinese: bool) -> ReportSummary:
    """Every place in the chart's order (Place's), none left out: a zero is an answer too."""
    return ReportSummary(
        seeds=summary.seeds,
        units=summary.units,
        containers=summary.containers,
        shipments=summary.shipments,
        by_place=tuple(
            PlaceCount(_word(PLACE_WORDS[place], chinese), summary.by_place.get(place, 0)) for place in Place
        ),
        by_customer=tuple(
            CustomerLine(
                customer.code,
                customer.name_zh if chinese else customer.name_en,
                customer.units,
                customer.shipments,
            )
            for customer in summary.by_customer
        ),
    )


def report_row(row: ImpactRow, chinese: bool) -> ReportRow:
    item_name = row.item_name_zh if chinese else row.item_name_en
    customer_name = row.customer_name_zh if chinese else row.customer_name_en
    return ReportRow(
        code=row.code,
        kind=_word(KIND_WORDS.get(row.kind), chinese, row.kind),
        item=" ".join(value for value in (row.item_code, item_name) if value),
        status=_word(STATUS_WORDS.get(row.status), chinese, row.status),
        place=_word(PLACE_WORDS[row.place], chinese),
        quantity=f"{_quantity(row.quantity)} {row.uom}",
        container="\n".join(value for value in (row.container_code, row.pallet_code) if value),
        shipment=row.shipment_code or "",
        customer=" ".join(value for value in (row.customer_code, customer_name) if value),
    )


def scope_text(scope: ImpactScope, zone: dt.tzinfo | None = None) -> str:
    """What the recall started from, in both languages: the report's and the view's first line."""
    parts: list[str] = []
    if scope.codes:
        parts.append("编码 Codes " + ", ".join(scope.codes))
    if scope.supplier_code:
        parts.append(f"供应商 Supplier {scope.supplier_code}")
    if scope.supplier_lot:
        parts.append(f"供应商批次 Supplier lot {scope.supplier_lot}")
    if scope.work_order_code:
        parts.append(f"工单 Work order {scope.work_order_code}")
    if scope.equipment_code:
        parts.append(f"设备 Equipment {scope.equipment_code}")
    if scope.operator_badge:
        parts.append(f"操作员 Operator {scope.operator_badge}")
    if scope.since is not None:
        parts.append(f"自 from {_moment(scope.since, zone)}")
    if scope.until is not None:
        parts.append(f"至 until {_moment(scope.until, zone)}")
    return " · ".join(parts)


def _word(words: tuple[str, str] | None, chinese: bool, fallback: str = "") -> str:
    if words is None:
        return fallback
    return words[0] if chinese else words[1]


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _moment(moment: dt.datetime, zone: dt.tzinfo | None) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %z")
