"""The recall page's counts and exports: an ImpactView answered through the station's runner.

A scope is counted on the worker and shown; an export (CSV, XLSX or the PDF report) runs as long
work there (documents/recall.py), one at a time, with progress and cancel, into the station's
documents folder, named after the moment it was asked for.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from documents.recall import ExportCancelled, Exported, ExportKind, export_recall
from models.db import Database
from models.impact import ImpactScope, ImpactSummary, impact_summary
from ui.station_screen import Cancelled, Job, Progress, Runner
from ui.supervisor.impact_view import ImpactView


class RecallExports(QObject):
    """Shows a recall's summary in an ImpactView and runs the exports it asks for, one at a time."""

    shown = Signal(object)  # the ImpactScope whose summary the view now shows; None when none is

    def __init__(
        self,
        runner: Runner,
        view: ImpactView,
        *,
        describe: Callable[[ImpactScope], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.view = view
        self._describe = describe  # the scope in the operator's words (the form's own sentence)
        self.scope: ImpactScope | None = None
        self.task: Job | None = None
        self.last: Exported | None = None
        # The plant's time zone (SupervisorView.set_zone): a file's name carries the time it was
        # made, said on the banner, so it is the plant's wall clock like every time on the screen.
        self.zone: dt.tzinfo | None = None
        view.export_requested.connect(self.export)
        view.cancel_requested.connect(self.cancel)

    def show(self, scope: ImpactScope) -> None:
        """Count the recall of `scope` on the worker and show it."""
        self.scope = scope
        self.shown.emit(None)  # until it is counted, what is on screen is not this scope's
        self.view.set_busy(True)
        self.runner.read(
            lambda db: impact_summary(db, scope),
            functools.partial(self._counted, scope),
            functools.partial(self._count_failed, scope),
        )

    def export(self, kind: str) -> None:
        if self.scope is None or self.task is not None:
            return
        scope, language = self.scope, self.runner.language
        stamp = dt.datetime.now(dt.UTC).astimezone(self.zone).strftime("%Y%m%d-%H%M%S")
        path = self.runner.documents / f"recall-{stamp}.{ExportKind(kind).value}"

        def work(db: Database, progress: Progress) -> Exported:
            try:
                return export_recall(db, scope, path, kind, progress, language=language)
            except ExportCancelled as stopped:
                raise Cancelled() from stopped

        self.view.set_busy(True)
        self.task = self.runner.long(work, self._exported, self._failed, on_progress=self.view.set_progress)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _counted(self, scope: ImpactScope, summary: ImpactSummary) -> None:
        if scope is not self.scope:
            return  # a newer scope was asked for meanwhile: its own answer is on the way
        self.view.set_busy(self.task is not None)
        self.view.show_summary(summary, functools.partial(self._describe, scope))
        self.shown.emit(scope)

    def _count_failed(self, scope: ImpactScope, error: Exception) -> None:
        if scope is not self.scope:
            return
        self.view.set_busy(self.task is not None)
        self.view.show_error(self.runner.message(error))

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
            self.view.show_error(self.runner.message(error))
