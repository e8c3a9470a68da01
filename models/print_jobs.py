"""Print jobs: every label is recorded before it is sent, so no label leaves a printer unrecorded.

A job is committed RESERVED with the fields it prints (the label as printed, not as the unit is
later), then the station sends it and records SENT or FAILED (a failed job can be sent again),
and the operator confirms the label came out (CONFIRMED). A label is printed once its job is SENT
or CONFIRMED: a job left RESERVED (the station lost the database between recording and sending
it) never reached a printer, and is sent again like a FAILED one. Printing is an operator action with its
PRINT event; a reprint is a supervisor's, with a reason, as a REPRINT event and a job of its own
that names the job it repeats.

At serialization the operator confirms a serial's label by scanning it back off the unit
(`confirm_label`): the scan must read the serial just printed, which catches a label stuck on the
wrong unit. `station_labels` is what a station still owes: serial labels sent and not scanned back,
and labels that did not print (FAILED, or RESERVED and never sent), so a restart or the next shift
carries on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import aliased, joinedload

from models.actions import SUPERVISION, Ctx, operation
from models.db import Database, rowcount
from models.errors import DomainError, ErrorCode
from models.labels import label_for
from models.lookup import require_reason, unit_by_code
from models.schema import (
    EventRole,
    EventType,
    PrintJob,
    PrintJobStatus,
    Station,
    Tracking,
    Unit,
    UnitKind,
    UnitStatus,
    WorkOrder,
)

MAX_COPIES = 100

# Which status a job may come from, for each status it is moved to. SENT is taken *before* the
# bytes go out (`claim`): the station that moves the job wins the right to send it, and a job
# whose station died mid-send stays SENT, unconfirmed, for a person to decide on.
MOVES: dict[PrintJobStatus, tuple[PrintJobStatus, ...]] = {
    PrintJobStatus.SENT: (PrintJobStatus.RESERVED, PrintJobStatus.FAILED),
    PrintJobStatus.FAILED: (PrintJobStatus.SENT,),
    PrintJobStatus.CONFIRMED: (PrintJobStatus.SENT,),
}
# A unit in these states gets no label: a label puts it back in circulation.
UNLABELLABLE = (UnitStatus.SCRAPPED, UnitStatus.REJECTED)
# A unique identifier (a serial, an SSCC) on more labels than this is a second unit in the making;
# a pallet gets one on two sides.
MAX_UNIQUE_COPIES = 2


@dataclass(frozen=True)
class PrintJobResult:
    job_id: int
    unit_code: str
    template: str
    fields: dict[str, Any]
    copies: int
    printer: str
    status: str
    reprint_of: int | None = None


def _copies(copies: int) -> int:
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
        raise DomainError(ErrorCode.BAD_QUANTITY, quantity=copies, maximum=MAX_COPIES)
    return copies


def _job(
    ctx: Ctx, unit: Unit, template: str, fields: dict[str, Any], printer: str, copies: int, **extra: Any
) -> PrintJob:
    job = PrintJob(
        action_id=ctx.action_id,
        unit_id=unit.id,
        station_id=ctx.station.id,
        user_id=ctx.user.id,
        template=template,
        printer=printer,
        copies=copies,
        status=PrintJobStatus.RESERVED,
        fields=fields,
        created_at=ctx.now,
        updated_at=ctx.now,
        **extra,
    )
    ctx.session.add(job)
    ctx.session.flush()
    return job


def _result(job: PrintJob, unit: Unit) -> PrintJobResult:
    return PrintJobResult(
        job_id=job.id,
        unit_code=unit.code,
        template=job.template,
        fields=dict(job.fields or {}),
        copies=job.copies,
        printer=job.printer or "",
        status=job.status.value,
        reprint_of=job.reprint_of_id,
    )


def _unique_copies(unit: Unit, copies: int) -> int:
    if unit.kind in (UnitKind.SERIAL, UnitKind.CONTAINER) and copies > MAX_UNIQUE_COPIES:
        raise DomainError(ErrorCode.BAD_QUANTITY, quantity=copies, maximum=MAX_UNIQUE_COPIES)
    return copies


@operation("print_label")
def print_label(ctx: Ctx, *, unit_code: str, printer: str, copies: int = 1) -> PrintJobResult:
    """Reserve the unit's label: the job and its PRINT event, committed before anything is sent.

    A unit gets its label once: a second one is a reprint, a supervisor's decision with a reason.
    Only a label that never printed (its jobs all FAILED) may be asked for again here.
    """
    # Locked: two stations asking for the same unit's first label at once must not both get one.
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    if unit.status in UNLABELLABLE:
        raise DomainError(ErrorCode.UNIT_SCRAPPED, code=unit.code, status=unit.status.value)
    earlier = ctx.session.scalar(
        select(PrintJob.id)
        .where(PrintJob.unit_id == unit.id, PrintJob.status != PrintJobStatus.FAILED)
        .order_by(PrintJob.id)
        .limit(1)
    )
    if earlier is not None:
        raise DomainError(ErrorCode.LABEL_ALREADY_PRINTED, code=unit.code, job=earlier)
    template, fields = label_for(ctx.session, unit)
    job = _job(ctx, unit, template, fields, printer, _unique_copies(unit, _copies(copies)))
    ctx.event(
        EventType.PRINT,
        [(unit, EventRole.OBJECT, None)],
        detail={"print_job": job.id, "template": template, "printer": printer, "copies": copies},
    )
    return _result(job, unit)


@operation("reprint_label", SUPERVISION)
def reprint_label(
    ctx: Ctx, *, job_id: int, reason: str, printer: str | None = None, copies: int = 1
) -> PrintJobResult:
    """The same label again (the fields as first printed), for a reason a supervisor gives."""
    why = require_reason(reason)
    original = ctx.session.get(PrintJob, job_id)
    if original is None or original.unit_id is None:
        raise DomainError(ErrorCode.UNKNOWN_PRINT_JOB, job=job_id)
    unit = ctx.session.get(Unit, original.unit_id)
    assert unit is not None  # a foreign key
    target = printer or original.printer or ""
    copies = _unique_copies(unit, _copies(copies))
    fields = dict(original.fields or {})
    job = _job(ctx, unit, original.template, fields, target, copies, reprint_of_id=original.id, reason=why)
    ctx.event(
        EventType.REPRINT,
        [(unit, EventRole.OBJECT, None)],
        reason_text=why,
        detail={"print_job": job.id, "reprint_of": original.id, "printer": target, "copies": copies},
    )
    return _result(job, unit)


@operation("confirm_label")
def confirm_label(ctx: Ctx, *, unit_code: str) -> PrintJobResult:
    """The operator scanned the unit's new label back: its last job, sent, becomes CONFIRMED.

    Only the unit's last job counts (a reprint replaces the label before it); a label that never
    went out, or one confirmed already, is refused, so a scan-back can never confirm twice.
    """
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    job = ctx.session.scalars(
        select(PrintJob)
        .where(PrintJob.unit_id == unit.id)
        .order_by(PrintJob.id.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if job is None:
        raise DomainError(ErrorCode.UNKNOWN_PRINT_JOB, code=unit.code)
    if job.status not in MOVES[PrintJobStatus.CONFIRMED]:
        raise DomainError(
            ErrorCode.PRINT_JOB_STATE,
            job=job.id,
            code=unit.code,
            status=job.status.value,
            wanted=PrintJobStatus.CONFIRMED.value,
        )
    job.status = PrintJobStatus.CONFIRMED
    job.updated_at = ctx.now
    ctx.session.flush()
    return _result(job, unit)


# --- what a station still owes ------------------------------------------------------------------

MAX_OWED = 500  # a station owing more labels than this has a problem a list will not solve


@dataclass(frozen=True)
class LabelJob:
    """A unit's last label job, as a screen shows it."""

    job_id: int
    unit_code: str
    unit_kind: str
    status: str
    work_order_code: str | None

    @property
    def printed(self) -> bool:
        """Whether this label reached a printer: RESERVED (never sent) and FAILED did not."""
        return self.status in (PrintJobStatus.SENT.value, PrintJobStatus.CONFIRMED.value)


@dataclass(frozen=True)
class StationLabels:
    """Serial labels sent and not yet scanned back, and labels that did not print (FAILED, or
    RESERVED and never sent: both are sent again by their job), oldest first."""

    awaiting: list[LabelJob]
    unprinted: list[LabelJob]


@dataclass(frozen=True)
class WorkOrderLabels:
    """A work order's serialization: serials created, labels out, labels scanned back."""

    code: str
    status: str
    item_code: str
    item_name_zh: str
    item_name_en: str
    serialized: bool
    planned: int
    created: int
    labelled: int
    confirmed: int
    remaining: int


def station_labels(db: Database, station_code: str) -> StationLabels:
    """The labels this station printed whose unit's last job is SENT (serials: to be scanned back),
    or FAILED or RESERVED (any unit: it never reached a printer, to be sent again)."""
    later = aliased(PrintJob)
    statement = (
        select(PrintJob.id, PrintJob.status, Unit.code, Unit.kind, WorkOrder.code)
        .join(Unit, Unit.id == PrintJob.unit_id)
        .join(Station, Station.id == PrintJob.station_id)
        .outerjoin(WorkOrder, WorkOrder.id == Unit.work_order_id)
        .where(
            Station.code == station_code,
            PrintJob.status.in_((PrintJobStatus.FAILED, PrintJobStatus.RESERVED))
            | and_(PrintJob.status == PrintJobStatus.SENT, Unit.kind == UnitKind.SERIAL),
            ~exists().where(later.unit_id == PrintJob.unit_id, later.id > PrintJob.id),
        )
        .order_by(PrintJob.id)
        .limit(MAX_OWED)
    )
    with db.session() as session:
        jobs = [
            LabelJob(job_id, unit_code, kind.value, status.value, work_order)
            for job_id, status, unit_code, kind, work_order in session.execute(statement)
        ]
    return StationLabels(
        awaiting=[job for job in jobs if job.status == PrintJobStatus.SENT.value],
        unprinted=[job for job in jobs if job.status != PrintJobStatus.SENT.value],
    )


def last_label(db: Database, unit_code: str) -> LabelJob | None:
    """The unit's last label job (the one a reprint repeats), or None when it never had one."""
    with db.session() as session:
        unit = unit_by_code(session, unit_code)
        job = session.scalars(
            select(PrintJob).where(PrintJob.unit_id == unit.id).order_by(PrintJob.id.desc()).limit(1)
        ).first()
        if job is None:
            return None
        work_order = session.get(WorkOrder, unit.work_order_id) if unit.work_order_id else None
        return LabelJob(
            job.id, unit.code, unit.kind.value, job.status.value, work_order.code if work_order else None
        )


def unlabelled(db: Database, unit_codes: Iterable[str]) -> list[str]:
    """The units of `unit_codes` still owed their first label: no job recorded for them yet (a
    print refused before its job was recorded) and not scrapped or rejected, which never get one."""
    codes = list(dict.fromkeys(unit_codes))
    if not codes:
        return []
    with db.session() as session:
        owed = set(
            session.scalars(
                select(Unit.code).where(
                    Unit.code.in_(codes),
                    Unit.status.not_in(UNLABELLABLE),
                    ~exists().where(PrintJob.unit_id == Unit.id),
                )
            )
        )
    return [code for code in codes if code in owed]


def work_order_labels(db: Database, work_order_code: str) -> WorkOrderLabels:
    """How far a work order's serial labels are: what the serialization card shows."""
    with db.session() as session:
        work_order = session.scalars(
            select(WorkOrder)
            .where(WorkOrder.code == work_order_code.strip())
            .options(joinedload(WorkOrder.item))
        ).first()
        if work_order is None:
            raise DomainError(ErrorCode.UNKNOWN_WORK_ORDER, work_order=work_order_code)
        item = work_order.item

        def units_with(*statuses: PrintJobStatus) -> int:
            return (
                session.scalar(
                    select(func.count(func.distinct(PrintJob.unit_id)))
                    .join(Unit, Unit.id == PrintJob.unit_id)
                    .where(
                        Unit.work_order_id == work_order.id,
                        Unit.kind == UnitKind.SERIAL,
                        PrintJob.status.in_(statuses),
                    )
                )
                or 0
            )

        planned = int(work_order.quantity_planned)
        return WorkOrderLabels(
            code=work_order.code,
            status=work_order.status.value,
            item_code=item.code,
            item_name_zh=item.name_zh,
            item_name_en=item.name_en,
            serialized=item.tracking is Tracking.SERIAL,
            planned=planned,
            created=work_order.serials_created,
            labelled=units_with(PrintJobStatus.SENT, PrintJobStatus.CONFIRMED),
            confirmed=units_with(PrintJobStatus.CONFIRMED),
            remaining=max(planned - work_order.serials_created, 0),
        )


@dataclass(frozen=True)
class ClaimedJob:
    """A job this station may send now, with what was recorded: nothing else may be printed."""

    job_id: int
    template: str
    fields: dict[str, Any]
    copies: int


def claim(db: Database, job_id: int, printer: str) -> ClaimedJob | None:
    """Take a RESERVED or FAILED job for sending (moving it to SENT first), or None if another
    station or an earlier try has it: only the station that moved it sends it."""
    with db.session() as session, session.begin():
        moved = session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.status.in_(MOVES[PrintJobStatus.SENT]))
            .values(
                status=PrintJobStatus.SENT, printer=printer, error=None, updated_at=func.current_timestamp()
            )
            .execution_options(synchronize_session=False)
        )
        job = session.get(PrintJob, job_id)
        if job is None:
            raise DomainError(ErrorCode.UNKNOWN_PRINT_JOB, job=job_id)
        if rowcount(moved) != 1:
            return None
        return ClaimedJob(job.id, job.template, dict(job.fields or {}), job.copies)


def mark_failed(db: Database, job_id: int, error: str) -> PrintJobStatus:
    """The claimed job did not print (or not whole: the error says which); it may be claimed again."""
    return _move(db, job_id, PrintJobStatus.FAILED, error)


def _move(db: Database, job_id: int, status: PrintJobStatus, error: str | None) -> PrintJobStatus:
    """One conditional UPDATE: a job moves only from where it may (a second SENT changes nothing)."""
    with db.session() as session, session.begin():
        moved = session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.status.in_(MOVES[status]))
            .values(status=status, error=error, updated_at=func.current_timestamp())
            .execution_options(synchronize_session=False)
        )
        if rowcount(moved) == 1:
            return status
        current = session.scalar(select(PrintJob.status).where(PrintJob.id == job_id))
        if current is None:
            raise DomainError(ErrorCode.UNKNOWN_PRINT_JOB, job=job_id)
        if current is status:
            return status
        raise DomainError(ErrorCode.PRINT_JOB_STATE, job=job_id, status=current.value, wanted=status.value)


def job_status(db: Database, job_id: int) -> PrintJobStatus:
    """Where a job stands now: a replayed print action returns the job as first recorded, and a
    job already sent must not be sent twice."""
    with db.session() as session:
        status = session.scalar(select(PrintJob.status).where(PrintJob.id == job_id))
    if status is None:
        raise DomainError(ErrorCode.UNKNOWN_PRINT_JOB, job=job_id)
    return status
