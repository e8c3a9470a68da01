"""Recall exports on the database worker: CSV, XLSX and the PDF report, with progress and cancel.

`export_recall` runs on the worker (through `DatabaseWorker.submit_long`): it opens one snapshot of
the recall, so the file's summary and its list agree while stations go on working, streams the
list batch by batch into the writer, reports how far it got after each batch and stops at the next
batch boundary once the operator cancels. A file is written under a ".part" name and renamed only
when it is complete: a cancelled or failed export leaves nothing behind that could be sent by
mistake as the recall list.

This module is also where the recall's domain types become the PDF's plain rows (printing/ knows
nothing of models/), and `RecallExports` wires an `ImpactView` to the worker for the composition root.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop.worker import Cancelled, DatabaseWorker, Offline, Progress, Task
from models.db import Database
from models.errors import DomainError
from models.exports import write_recall_csv, write_recall_xlsx
from models.impact import ImpactRow, ImpactScope, ImpactSummary, Place, Recall, impact_summary, recall
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
from ui.messages import domain_message, offline_message
from ui.supervisor.impact_view import PLACES, ImpactView


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

# The words of the PDF's cells, (Chinese, English): the report is read outside the plant, in the
# language the quality engineer exports it in.
PLACE_WORDS: dict[Place, tuple[str, str]] = {
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

    Progress is (rows written, rows in the list); `Cancelled` once the operator cancels, with no
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
                        written = write_recall_csv(part, batches)
                    elif kind is ExportKind.XLSX:
                        written = write_recall_xlsx(part, scope, summary, batches)
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
            progress.check()  # cancelled after the last batch: still no file
        except (TraceCancelled, ReportCancelled) as stopped:
            raise Cancelled() from stopped
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return Exported(written, path, kind)


def _reported(found: Recall, progress: Progress, total: int) -> Iterator[list[ImpactRow]]:
    done = 0
    for batch in found.rows(cancel=lambda: progress.cancelled):
        yield batch
        done += len(batch)
        progress.report(done, total)
        progress.check()


# --- the recall as the PDF's plain rows -----------------------------------------------------------


def report_summary(summary: ImpactSummary, chinese: bool) -> ReportSummary:
    """Every place in the chart's order, none left out: a zero is an answer too."""
    return ReportSummary(
        seeds=summary.seeds,
        units=summary.units,
        containers=summary.containers,
        shipments=summary.shipments,
        by_place=tuple(
            PlaceCount(_word(PLACE_WORDS[place], chinese), summary.by_place.get(place, 0)) for place in PLACES
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


# --- the view and the worker ------------------------------------------------------------------


class RecallExports(QObject):
    """Shows a recall's summary in an ImpactView and runs the exports it asks for, one at a time.

    The composition root makes one per view and calls `show(scope)`; files go to the station's
    documents folder, named after the moment they were asked for.
    """

    shown = Signal(object)  # the ImpactScope whose summary the view now shows; None when none is

    def __init__(
        self,
        db: Database,
        worker: DatabaseWorker,
        view: ImpactView,
        *,
        folder: Callable[[], Path],
        language: Callable[[], str],
        describe: Callable[[ImpactScope], str] | None = None,
        message: Callable[[Exception], str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.view = view
        self._folder = folder
        self._language = language
        # The scope in the operator's words (the form's own sentence) and a failure in words (the
        # runner's: translated, the details logged); plain fallbacks for a view used alone.
        self._describe = describe or scope_text
        self._message = message
        self.scope: ImpactScope | None = None
        self.task: Task | None = None
        self.last: Exported | None = None
        view.export_requested.connect(self.export)
        view.cancel_requested.connect(self.cancel)

    def show(self, scope: ImpactScope) -> None:
        """Count the recall of `scope` on the worker and show it."""
        self.scope = scope
        self.shown.emit(None)  # until it is counted, what is on screen is not this scope's
        self.view.set_busy(True)
        db = self.db
        self.worker.submit(
            lambda: impact_summary(db, scope),
            functools.partial(self._counted, scope),
            functools.partial(self._count_failed, scope),
        )

    def export(self, kind: str) -> None:
        if self.scope is None or self.task is not None:
            return
        scope, db, language = self.scope, self.db, self._language()
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = self._folder() / f"recall-{stamp}.{ExportKind(kind).value}"

        def work(progress: Progress) -> Exported:
            return export_recall(db, scope, path, kind, progress, language=language)

        self.view.set_busy(True)
        self.task = self.worker.submit_long(
            work, self._exported, self._failed, on_progress=self.view.set_progress
        )

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _counted(self, scope: ImpactScope, summary: ImpactSummary) -> None:
        if scope is not self.scope:
            return  # a newer scope was asked for meanwhile: its own answer is on the way
        self.view.set_busy(self.task is not None)
        self.view.show_summary(summary, self._describe(scope))
        self.shown.emit(scope)

    def _count_failed(self, scope: ImpactScope, error: Exception) -> None:
        if scope is not self.scope:
            return
        self.view.set_busy(self.task is not None)
        self.view.show_error(self._words(error))

    def _exported(self, exported: Exported) -> None:
        self.task, self.last = None, exported
        self.view.set_busy(False)
        self.view.show_exported(str(exported.path), exported.rows)

    def _failed(self, error: Exception) -> None:
        self.task = None
        self.view.set_busy(False)
        if isinstance(error, Cancelled):
            self.view.show_cancelled()
        else:
            self.view.show_error(self._words(error))

    def _words(self, error: Exception) -> str:
        if self._message is not None:
            return self._message(error)
        if isinstance(error, DomainError):
            return domain_message(error)
        if isinstance(error, Offline):
            return offline_message()
        return f"{error.__class__.__name__}: {error}"
