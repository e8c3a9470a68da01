"""A station prints a unit's label: record the job, draw it, send it, record what happened.

The job is committed before anything goes to the printer (models.print_jobs), so a label never
leaves a printer unrecorded; a printer that fails leaves the job FAILED and re-sendable with the
fields it was recorded with; a retried print action (same action id) finds its job already sent
and does not print it twice. Call these off the GUI thread: they wait on the database and on the
printer.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import print_jobs
from models.actions import Actor
from models.db import Database
from models.schema import PrintJobStatus
from printing.render import Label, LabelError
from printing.settings import PrinterSettings
from printing.template import TemplateError, built_in
from printing.transports import PrinterError


@dataclass(frozen=True)
class Printed:
    job_id: int
    status: PrintJobStatus
    detail: str  # what was sent where, or why it failed, in English: for the log and the job's record
    printer: str = ""  # the printer's description (the banner names it; a preview is "a preview file")


def print_unit_label(db: Database, actor: Actor, unit_code: str, settings: PrinterSettings) -> Printed:
    printer = settings.printer()
    job = print_jobs.print_label(
        db, actor, unit_code=unit_code, printer=printer.description, copies=settings.copies
    )
    return send_job(db, job.job_id, settings)


def send_job(db: Database, job_id: int, settings: PrinterSettings) -> Printed:
    """Claim a RESERVED or FAILED job and send what it recorded; a job another station (or an
    earlier try of this action) has claimed is reported, not sent again."""
    printer = settings.printer()
    claimed = print_jobs.claim(db, job_id, printer.description)
    if claimed is None:
        return Printed(
            job_id, print_jobs.job_status(db, job_id), "already sent or being sent", printer.description
        )
    try:
        label = Label(built_in(claimed.template), claimed.fields, dpi=settings.dpi, font=settings.font)
        name = f"{claimed.template} {claimed.fields.get('code') or job_id}"
        detail = printer.print_label(label, copies=claimed.copies, name=name)
    except (PrinterError, LabelError, TemplateError, ValueError) as error:
        print_jobs.mark_failed(db, job_id, str(error))
        return Printed(job_id, PrintJobStatus.FAILED, str(error), printer.description)
    return Printed(job_id, PrintJobStatus.SENT, detail, printer.description)
