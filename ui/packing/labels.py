"""The label flows of the packing screen: a work order's serials created and labelled (one, or a
typed batch), each label scanned back off its unit (the mislabelling catch), labels that did not
print sent again, and a supervisor's reprint with a reason.

A mixin of ui/packing/view.py PackingView, which owns the state, the panel and the database round
trips these flows end with (`_finish`, `_idle`); its texts are translated in this class's context.
Every flow is a job of StationScreen's queue (a key starts one through `_key`), ended by `done()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from models import print_jobs, production
from models.actions import SUPERVISION
from models.errors import DomainError, ErrorCode
from models.print_jobs import LabelJob, PrintJobResult, StationLabels, WorkOrderLabels
from models.production import SerialsResult
from models.resolve import Resolved, Target
from ui.messages import domain_message
from ui.packing.panel import Entry, Held, Mode
from ui.station_screen import PrintAnswer, Runner

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLineEdit

Checked = dict[str, LabelJob | None]


class LabelFlows:
    """Serialization, scan-back, resend and reprint (see the module docstring).

    PackingView provides the state annotated here and the round trips these flows use: `_key`,
    `_ready`, `_awaiting`, `_hold`, `_show`, `_idle`, `_reset_entry`, `_amount_job`, `_failed`,
    `_failed_reset` and `_finish`; StationScreen the queue (`enqueue`, `done`, `read`, `act`).
    (No stubs of them here: a mixin's stub would shadow the screen's method, and lupdate loses
    this class's context under an `if TYPE_CHECKING:` block.)
    """

    runner: Runner
    amount: QLineEdit
    _order: WorkOrderLabels | None
    _labels: StationLabels
    _unlabelled: list[str]
    _mode: Mode
    _entry: Entry

    def _check_label(self, found: Resolved, expected: LabelJob) -> None:
        """The mislabelling catch: the label scanned off the unit must be the one just printed."""
        if found.target is not Target.UNIT or found.code != expected.unit_code:
            self.runner.refuse(
                self.tr(
                    "This is not the label just printed (expected {0}): check the label on the unit."
                ).format(expected.unit_code)
            )
            self._idle()
            return
        left = len(self._awaiting()) - 1

        def confirmed(result: PrintJobResult) -> None:
            if left:
                self.runner.ok(
                    self.tr("Label {0} confirmed: {1} more to scan back.").format(result.unit_code, left)
                )
            else:
                self.runner.ok(self.tr("Label {0} confirmed.").format(result.unit_code))
            self._finish()

        self.act(print_jobs.confirm_label, confirmed, self._failed, unit_code=expected.unit_code)

    def _order_found(self, order: WorkOrderLabels) -> None:
        if not order.serialized:
            self.runner.refuse(
                self.tr(
                    "Work order {0} makes {1}, which has no serial numbers: there is nothing to label."
                ).format(order.code, order.item_code)
            )
        else:
            self._order = order
            self.runner.ok(
                self.tr("Work order {0}: {1} serials still to create. F5 prints the next label.").format(
                    order.code, order.remaining
                )
            )
        self._idle()

    def _next_label(self) -> None:
        self._key(self._label_one)

    def _label_one(self) -> None:
        if self._can_label():
            self._create(1)
        else:
            self.done()

    def _batch(self) -> None:
        self._key(self._batch_job)

    def _batch_job(self) -> None:
        if self._entry is Entry.BATCH:
            self._amount_job()
        elif self._can_label():
            self._entry = Entry.BATCH
            self.amount.clear()
            self._idle()
        else:
            self.done()

    def _can_label(self) -> bool:
        if not self._ready(free=True):
            return False
        if self._order is None:
            self.runner.refuse(self.tr("Scan a work order first: its serials are labelled here."))
            return False
        if self._awaiting():
            self.runner.refuse(self._scan_back_first())
            return False
        return True

    def _create(self, count: int) -> None:
        assert self._order is not None
        self.act(
            production.create_serials,
            self._created,
            self._failed,
            work_order_code=self._order.code,
            count=count,
        )

    def _created(self, result: SerialsResult) -> None:
        codes = list(result.codes)
        self._print_labels(
            [(code, None) for code in codes],
            lambda answers: self._finish(
                codes, lambda checked: self._serials_labelled(codes, checked, answers)
            ),
        )

    def _print_labels(
        self, labels: list[tuple[str, int | None]], after: Callable[[list[PrintAnswer]], None]
    ) -> None:
        """Print each (unit, None) and send each (unit, job) again, then `after` with every answer:
        the runner answers each label, sent or not, so the job runs until the last one. Labels
        answered after a login are the job dropped then: nothing more of it is done."""
        answers: list[PrintAnswer] = []

        def each(answer: PrintAnswer) -> None:
            answers.append(answer)
            if len(answers) == len(labels):
                after(answers)

        answered = self.bound(each)  # dropped after a login; a fault handling it ends the job
        if not labels:
            after(answers)
        for code, job_id in labels:
            if job_id is None:
                self.runner.print_label(code, answered)
            else:
                self.runner.resend(job_id, code, answered)

    @staticmethod
    def _refusal(answers: list[PrintAnswer]) -> str | None:
        """Why a label was refused before its job was recorded (the runner's sentence), if one was:
        the printer is not the reason then, and the screen's last word must not say it is."""
        for answer in answers:
            if not answer.sent and answer.job_id is None:
                return answer.detail
        return None

    def _serials_labelled(self, codes: list[str], checked: Checked, answers: list[PrintAnswer]) -> None:
        if not self._printed(codes, checked):
            missing = [code for code in codes if not self._printed([code], checked)]
            refusal = self._refusal(answers)
            if refusal is not None:
                self.runner.refuse(
                    self.tr("{0} of {1} labels did not print: {2}").format(len(missing), len(codes), refusal)
                )
                return
            self.runner.refuse(
                self.tr("{0} of {1} labels did not print: check the printer, then F7.").format(
                    len(missing), len(codes)
                )
            )
        elif len(codes) == 1:
            self.runner.ok(
                self.tr(
                    "Serial {0} created and labelled: stick the label on the unit and scan it back."
                ).format(codes[0])
            )
        else:
            self.runner.ok(
                self.tr(
                    "{0} serials created and labelled: stick each label on its unit, then scan them back."
                ).format(len(codes))
            )

    def _resend(self) -> None:
        self._key(self._resend_job)

    def _resend_job(self) -> None:
        unprinted = [job for job in self._labels.unprinted if job.unit_code not in self._unlabelled]
        labels: list[tuple[str, int | None]] = [(job.unit_code, job.job_id) for job in unprinted]
        labels += [(code, None) for code in self._unlabelled]
        if not labels:
            self.runner.refuse(self.tr("There is no label to send again."))
            self.done()
            return
        codes = [code for code, _ in labels]
        self._print_labels(
            labels,
            lambda answers: self._finish(codes, lambda checked: self._resent(codes, checked, answers)),
        )

    def _resent(self, codes: list[str], checked: Checked, answers: list[PrintAnswer]) -> None:
        refusal = self._refusal(answers)
        if self._printed(codes, checked):
            self.runner.ok(self.tr("Sent again: {0}.").format(", ".join(codes)))
        elif refusal is not None:
            self.runner.refuse(self.tr("Still not printed: {0}").format(refusal))
        else:
            self.runner.refuse(self.tr("Still not printed: check the printer, then F7 again."))

    def _printed(self, codes: Iterable[str], checked: Checked) -> bool:
        """Whether every unit's last label reached a printer (a label owed is found again: a job
        in the station's labels, a unit without one in `_unlabelled`, both sent again by F7)."""
        return all((job := checked.get(code)) is not None and job.printed for code in codes)

    def _reprint_mode(self) -> None:
        if not (self.runner.roles & SUPERVISION):
            # The operation refuses it too; said at once, before a label and a reason are asked for.
            roles = sorted(role.value for role in SUPERVISION)
            self.runner.refuse(domain_message(DomainError(ErrorCode.ROLE_REQUIRED, roles=roles)))
            return
        self._key(self._reprint_job)

    def _reprint_job(self) -> None:
        if not self._ready(free=True):
            self.done()
            return
        awaiting = self._awaiting()
        self._mode = Mode.REPRINT
        if awaiting:  # the label just printed tore or got lost: print it again without a scan
            self._hold(Held(awaiting[0].unit_code, awaiting[0].unit_kind, job_id=awaiting[0].job_id))
        else:
            self._idle()

    def _reprint_found(self, code: str, job: LabelJob | None) -> None:
        if job is None:
            self.runner.refuse(self.tr("{0} has no label yet: there is nothing to reprint.").format(code))
            self._idle()
            return
        self.runner.ok(self.tr("{0}: type why its label is printed again, then Enter.").format(code))
        self._hold(Held(code, job.unit_kind, job_id=job.job_id))

    def _reprinted(self, job: PrintJobResult) -> None:
        self._reset_entry()
        self._print_labels(
            [(job.unit_code, job.job_id)],
            lambda _answers: self._finish([job.unit_code], lambda checked: self._reprint_sent(job, checked)),
        )

    def _reprint_sent(self, job: PrintJobResult, checked: Checked) -> None:
        last = checked.get(job.unit_code)
        if last is None or last.job_id != job.job_id or not last.printed:
            self.runner.refuse(
                self.tr("The new label of {0} did not print: check the printer, then F7.").format(
                    job.unit_code
                )
            )
        elif last.unit_kind == "SERIAL":
            self.runner.ok(
                self.tr("Label {0} printed again: stick it on and scan it back.").format(job.unit_code)
            )
        else:
            self.runner.ok(self.tr("Label {0} printed again.").format(job.unit_code))

    def _scan_back_first(self) -> str:
        return self.tr("Scan the label of {0} back from its unit first (or #CANCEL).").format(
            self._awaiting()[0].unit_code
        )

    def _reprint(self, held: Held, reason: str) -> None:
        self.act(
            print_jobs.reprint_label, self._reprinted, self._failed_reset, job_id=held.job_id, reason=reason
        )
