"""What the production flows (lots.py, serials.py) need of their screen, and nothing more.

The flows are the screen's halves for lots and for serials: they read the widgets the screen owns,
run their jobs in its queue and end each one. Naming only this, not the screen's class, keeps the
arrows one way (view -> flows -> host), so the flows can be read and tested without the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from PySide6.QtWidgets import QWidget

from models.db import Database
from models.work_orders import StepState, WorkOrderState
from ui.production.parts import FeedPanel, LotStepPanel, SerialStepPanel, WorkOrderCard
from ui.station_screen import Runner
from ui.widgets.confirm import ConfirmStrip

T = TypeVar("T")


class ProductionHost(Protocol):
    runner: Runner
    card: WorkOrderCard
    feed: FeedPanel
    lot_step: LotStepPanel
    serial_step: SerialStepPanel
    strip: ConfirmStrip

    @property
    def state(self) -> WorkOrderState | None:
        """The work order shown (as last read), or None."""
        ...

    def chinese(self) -> bool: ...

    def step_name(self, step: StepState) -> str: ...

    def enqueue(self, job: Callable[[], None]) -> None: ...

    def read(
        self,
        work: Callable[[Database], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None] | None = None,
    ) -> None: ...

    def act(
        self,
        operation: Callable[..., T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None] | None = None,
        /,
        **kwargs: Any,
    ) -> None: ...

    def done(self, *_answer: object) -> None: ...

    def refuse(self, text: str, focus: QWidget | None = None) -> None:
        """Say no before anything is sent and end the job."""
        ...

    def reload(self) -> None:
        """Read the work order again, show it, and end the job."""
        ...

    def question_dropped(self) -> None: ...
