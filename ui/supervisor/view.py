"""The supervisor's and quality engineer's window: trace one code, or count a recall and act on it.

Two pages. "Trace" is ui/supervisor/trace_view.py: any code, its card with hold / release / scrap, the trees,
the genealogy picture, the timeline and the inspections. "Recall" starts from what the engineer
knows (ui/supervisor/recall_scope.py: codes, a supplier or one of its lots, a work order, a machine or an
operator within a time window), shows the impact (ui/supervisor/impact_view.py: counts by place, the chart,
the customers, the exports) and offers to hold everything affected that has not shipped, in one
signed action. A view only: the composition root (desktop/supervisor.py) answers its signals.

A scan goes to the page shown: on "Trace" it is traced, on "Recall" it is one more starting code.
F3 and F4 switch pages, so the keyboard alone reaches both.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from models.impact import ImpactScope
from ui.station_screen import TOUCH_TARGET
from ui.supervisor.impact_view import ImpactView
from ui.supervisor.recall_scope import ScopeForm
from ui.supervisor.trace_view import TraceView


class SupervisorView(QTabWidget):
    """Trace and recall; asks for a signed hold of a recall through `hold_affected_requested`."""

    hold_affected_requested = Signal(object)  # the ImpactScope whose summary is shown

    def __init__(self, language: str = "zh_CN", zone: dt.tzinfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("supervisor")
        self.trace_view = TraceView(language=language, zone=zone)
        self.scope_form = ScopeForm(zone=zone)
        self.impact_view = ImpactView(language=language)
        self.hold_affected_button = QPushButton()
        self.hold_affected_button.setObjectName("holdAffected")
        self.hold_affected_button.setMinimumHeight(TOUCH_TARGET)
        self.hold_affected_button.setEnabled(False)
        self.shown_scope: ImpactScope | None = None

        recall = QWidget()
        layout = QVBoxLayout(recall)
        layout.addWidget(self.scope_form)
        layout.addWidget(self.impact_view, 1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.hold_affected_button)
        layout.addLayout(actions)
        # The form, the counts, the chart and the customers are taller than a station's screen:
        # the page scrolls instead of forcing the window past the screen's height.
        scroller = QScrollArea()
        scroller.setObjectName("recallPage")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(recall)
        self.addTab(self.trace_view, "")
        self.addTab(scroller, "")

        self.hold_affected_button.clicked.connect(self._hold_affected)
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, self.show_trace)
        QShortcut(QKeySequence(Qt.Key.Key_F4), self, self.show_recall)
        self.setFocusProxy(self.trace_view)
        self.retranslate()

    # --- what the composition root tells it ----------------------------------------------------

    def scanned(self, text: str) -> None:
        if self.currentIndex() == 1:
            self.scope_form.add_code(text)
        else:
            self.trace_view.scanned(text)

    def set_language(self, language: str) -> None:
        self.trace_view.set_language(language)
        self.impact_view.set_language(language)

    def set_zone(self, zone: dt.tzinfo) -> None:
        """The plant's time zone: times are shown and typed on its wall clock, whatever this PC's."""
        self.trace_view.zone = zone
        self.scope_form.zone = zone
        self.scope_form.reset_window()

    def recall_shown(self, scope: ImpactScope | None) -> None:
        """The impact on screen is the one of `scope` (None: none, or no longer valid)."""
        self.shown_scope = scope
        self.hold_affected_button.setEnabled(scope is not None)

    def show_trace(self) -> None:
        self.setCurrentIndex(0)
        self.trace_view.setFocus()

    def show_recall(self) -> None:
        self.setCurrentIndex(1)
        self.scope_form.codes.setFocus()

    # --- texts -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setTabText(0, self.tr("Trace (F3)"))
        self.setTabText(1, self.tr("Recall (F4)"))
        self.hold_affected_button.setText(self.tr("Hold everything affected that has not shipped…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _hold_affected(self) -> None:
        if self.shown_scope is not None:
            self.hold_affected_requested.emit(self.shown_scope)
