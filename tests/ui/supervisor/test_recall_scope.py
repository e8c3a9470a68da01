"""The recall's scope form: what it builds, what it refuses before asking the database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from models.impact import ImpactScope, impact_summary, recall_choices
from tests.models.flows import receive_lot
from tests.support import Plant
from ui.supervisor.recall_scope import ScopeForm

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def form(qtbot: QtBot) -> ScopeForm:
    widget = ScopeForm(zone=SHANGHAI)
    qtbot.addWidget(widget)
    return widget


def asked(form: ScopeForm, qtbot: QtBot) -> ImpactScope:
    with qtbot.waitSignal(form.scope_requested, timeout=2_000) as signal:
        form.submit()
    return signal.args[0]


def test_codes_scanned_or_typed_become_the_starting_codes(form: ScopeForm, qtbot: QtBot) -> None:
    form.codes.setText("SN-1, SN-2；SN-3")
    form.add_code("SN-4")
    form.add_code("SN-2")  # twice is once
    assert asked(form, qtbot) == ImpactScope(codes=("SN-1", "SN-2", "SN-3", "SN-4"))


def test_a_machine_in_a_time_window_of_the_plant_clock(form: ScopeForm, qtbot: QtBot) -> None:
    form.equipment.setText("SMT-01")
    form.windowed.setChecked(True)
    form.since.setDateTime(form._qt(dt.datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI)))
    form.until.setDateTime(form._qt(dt.datetime(2026, 11, 20, 20, 0, tzinfo=SHANGHAI)))
    scope = asked(form, qtbot)
    assert scope.equipment_code == "SMT-01"
    assert scope.since == dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.UTC)
    assert scope.until == dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    assert "SMT-01" in form.describe(scope) and "2026-11-20 08:00" in form.describe(scope)


def test_what_the_form_can_tell_alone_is_refused_at_once(form: ScopeForm, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(form.scope_requested):
        form.submit()
        assert "at least one" in form.problem.text()
        form.windowed.setChecked(True)
        form.supplier.setText("SUP-HQ")
        form.submit()
        assert "machine or an operator" in form.problem.text()
        form.operator.setText("EMP1001")
        form.until.setDateTime(form.since.dateTime())
        form.submit()
        assert "ends before it starts" in form.problem.text()


def test_choices_come_from_the_master_data_and_a_scope_reaches_the_impact(
    plant: Plant, form: ScopeForm, qtbot: QtBot
) -> None:
    choices = recall_choices(plant.db)
    assert "SUP-HQ" in choices.suppliers and "SMT-01" in choices.equipment and "EMP1001" in choices.operators
    form.set_choices(choices.suppliers, choices.equipment, choices.operators)
    assert form.supplier.completer().model().rowCount() == len(choices.suppliers)
    receive_lot(plant, "HSG-01", "SUP-PL", 40)
    form.supplier.setText("SUP-PL")
    summary = impact_summary(plant.db, asked(form, qtbot))
    assert summary.seeds == 1 and summary.units == 1
