"""What the production screen does with quantities: feed a scanned lot, report a step of a
lot-tracked item, and put its good output into stock. ui/production/view.py routes the scans and
keys here; each method is one job of the screen and ends it (view.done) on every path.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject

from models.production import CompleteResult, FeedResult, StepReportResult, complete_lot, feed, report_step
from models.resolve import Resolved, Target
from models.work_orders import StepState, WorkOrderState
from ui.production.host import ProductionHost
from ui.production.parts import amount
from ui.station_screen import parse_quantity


class LotFlow(QObject):
    def __init__(self, view: ProductionHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view

    # --- feed -----------------------------------------------------------------------------------

    def feed(self, state: WorkOrderState, found: Resolved) -> None:
        """A scan in feed mode: the lot fed at once, by the typed quantity or, with none typed,
        what its line still needs at most the lot (feed works that out in its own transaction:
        the tables shown may be stale)."""
        view = self.view
        if found.target is not Target.UNIT:
            view.refuse(self.tr("{0} is not a material lot: scan the lot's label.").format(found.code))
            return
        typed = view.feed.quantity.text().strip()
        view.feed.quantity.clear()  # it was for this lot
        quantity: Decimal | str | None = None
        if typed:
            parsed = parse_quantity(typed)
            quantity = parsed if parsed is not None else typed  # feed says what is wrong
        view.act(
            feed, self._fed, view.done, work_order_code=state.code, lot_code=found.code, quantity=quantity
        )

    def _fed(self, result: FeedResult) -> None:
        fed = self.tr("Fed {0} {1} of lot {2} ({3})").format(
            amount(result.quantity), result.uom, result.lot_code, result.item_code
        )
        if result.line_remaining:
            self.view.runner.ok(
                self.tr("{0}: {1} {2} of {3} still needed.").format(
                    fed, amount(result.line_remaining), result.uom, result.component_code
                )
            )
        else:
            self.view.runner.ok(self.tr("{0}: {1} is fed in full.").format(fed, result.component_code))
        self.view.reload()

    # --- a step of a lot-tracked item ----------------------------------------------------------

    def report(self, state: WorkOrderState, step: StepState) -> None:
        """Enter at a lot step: good and scrap as typed, a reason with any scrap (asked for first)."""
        view, panel = self.view, self.view.lot_step
        good_text, scrap_text = panel.good.text().strip(), panel.scrap.text().strip()
        good = parse_quantity(good_text) if good_text else Decimal(0)
        scrap = parse_quantity(scrap_text) if scrap_text else Decimal(0)
        if good is None:
            view.refuse(self.not_a_quantity(good_text), panel.good)
            return
        if scrap is None:
            view.refuse(self.not_a_quantity(scrap_text), panel.scrap)
            return
        if not good and not scrap:
            view.refuse(self.tr("Type the good quantity, the scrap quantity or both first."), panel.good)
            return
        reason = panel.reason.currentData()
        if scrap and not reason:
            view.refuse(self.tr("Choose the reason for the scrap first."), panel.reason)
            return

        def reported(result: StepReportResult) -> None:
            view.runner.ok(
                self.tr("{0}: {1} good and {2} scrap reported; {3} good and {4} scrap {5} in all.").format(
                    view.step_name(step),
                    amount(good),
                    amount(scrap),
                    amount(result.good_total),
                    amount(result.scrap_total),
                    state.uom,
                )
            )
            panel.clear()
            view.reload()

        view.act(
            report_step,
            reported,
            view.done,
            work_order_code=state.code,
            step_code=step.code,
            good_quantity=good,
            scrap_quantity=scrap,
            scrap_reason=reason if scrap else None,
        )

    # --- into stock -----------------------------------------------------------------------------

    def ask_complete(self) -> None:
        """F8: what every mandatory step reported good (or the quantity typed on the card) into
        stock as a new lot, once the operator has confirmed: it cannot be undone."""
        view = self.view
        state = view.state
        if state is None or state.serialized:
            view.refuse(self.tr("Completing a lot is for a work order of lot-tracked items."))
            return
        typed = view.card.amount.text().strip()
        quantity = parse_quantity(typed) if typed else state.completable
        if quantity is None:
            view.refuse(self.not_a_quantity(typed), view.card.amount)
            return
        if not quantity:
            view.refuse(
                self.tr(
                    "Nothing is ready to go into stock: report good quantity at every mandatory step first."
                )
            )
            return
        name = state.item_name_zh if view.chinese() else state.item_name_en
        view.strip.ask(
            self.tr("Put {0} {1} of {2} {3} into stock as a new lot? This cannot be undone.").format(
                amount(quantity), state.uom, state.item_code, name
            ),
            lambda: view.enqueue(lambda: self._complete(state, quantity)),
            view.question_dropped,
        )
        view.done()

    def _complete(self, state: WorkOrderState, quantity: Decimal) -> None:
        view = self.view

        def completed(result: CompleteResult) -> None:
            view.runner.ok(
                self.tr("Lot {0} into stock: {1} {2}. Its label is printing.").format(
                    result.lot_code, amount(result.quantity), state.uom
                )
            )
            view.card.amount.clear()
            view.runner.print_label(result.lot_code)
            view.reload()

        view.act(complete_lot, completed, view.done, work_order_code=state.code, quantity=quantity)

    def not_a_quantity(self, text: str) -> str:
        return self.tr("{0} is not a quantity: type a number such as 12.5.").format(text)
