"""A station prints a unit's label: record the job, draw it, send it, record what happened.

The job is committed before anything goes to the printer (models.print_jobs), so a label never
leaves a printer unrecorded; a printer that fails leaves the job FAILED and re-sendable with the
fields it was recorded with; a retried print action (same action id) finds its job already sent
and does not print it twice. Call these off the GUI thread: they wait on the database and on the
printer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models import print_jobs
from models.actions import Actor
from models.db import Database
from models.schema import PrintJobStatus
from printing.printers import PrinterError
from printing.render import render
from printing.settings import PrinterSettings
from printing.template import built_in


@dataclass(frozen=True)
class Printed:
    job_id: int
    status: PrintJobStatus
    detail: str  # what was sent where, or why it failed, for the banner and the job's record


def print_unit_label(db: Database, actor: Actor, unit_code: str, settings: PrinterSettings) -> Printed:
    printer = settings.printer()
    job = print_jobs.print_label(
        db, actor, unit_code=unit_code, printer=printer.description, copies=settings.copies
    )
    return send_job(db, job.job_id, job.template, job.fields, job.copies, settings)


def send_job(
    db: Database, job_id: int, template: str, fields: dict[str, Any], copies: int, settings: PrinterSettings
) -> Printed:
    """Send a RESERVED or FAILED job; a job already sent is reported, not sent again."""
    status = print_jobs.job_status(db, job_id)
    if status not in (PrintJobStatus.RESERVED, PrintJobStatus.FAILED):
        return Printed(job_id, status, "already sent")
    label = render(built_in(template), fields, dpi=settings.dpi, font=settings.font)
    printer = settings.printer()
    try:
        detail = printer.print_label(label, copies=copies, name=f"{template} {fields.get('code') or job_id}")
    except PrinterError as error:
        print_jobs.mark_failed(db, job_id, str(error))
        return Printed(job_id, PrintJobStatus.FAILED, str(error))
    print_jobs.mark_sent(db, job_id)
    return Printed(job_id, PrintJobStatus.SENT, detail)
