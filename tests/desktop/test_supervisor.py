"""The supervisor window end to end: a signed hold placed on the trace card blocks shipping of the
unit on the shipping screen and is in the audit record; a wrong PIN refuses the signature; a recall
counted from a supplier lot is held in one signed action and exported to files that read back."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from demo.plant import METER
from desktop.config import StationConfig
from desktop.shell import StationPlace, StationShell
from models import quality
from models.schema import UnitStatus
from tests.desktop.keys import scanner_burst
from tests.models import flows
from tests.station_harness import StationHarness
from tests.support import OPERATOR, QUALITY, Plant
from ui.supervisor.signature import SignatureDialog
from ui.supervisor.view import SupervisorView
from ui.widgets.feedback import Tone

PIN = flows.PINS[QUALITY]


@pytest.fixture
def supervisor(
    plant: Plant, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StationShell]:
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path))  # platformdirs' documents folder
    shell = StationShell(
        QApplication.instance(),
        plant.db,
        StationConfig(station_code="QA-01", language="en_US"),
        StationPlace("QA-01", "", "SUPERVISOR"),
    )
    qtbot.addWidget(shell.window)
    shell.window.resize(1280, 800)
    shell.window.show()
    qtbot.waitExposed(shell.window)
    scanner_burst(shell.window.windowHandle(), QUALITY)
    qtbot.keyClicks(shell.login.pin, PIN)
    with qtbot.waitSignal(shell.session.changed, timeout=10_000):
        qtbot.keyClick(shell.login.pin, Qt.Key.Key_Return)
    assert isinstance(shell.home, SupervisorView)
    yield shell
    shell.close()


def sign_when_asked(reason: str, pin: str, answered: list[str]) -> None:
    """Answer the next signature dialog as its signer would: reason, PIN, Sign."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignatureDialog):
            QTimer.singleShot(20, answer)
            return
        answered.append(dialog.meaning.text())
        dialog.reason.setText(reason)
        dialog.pin.setText(pin)
        dialog.sign_button.click()

    QTimer.singleShot(0, answer)


def banner_after(qtbot: QtBot, shell: StationShell, start: Callable[[], None], tone: Tone) -> str:
    seen: list[tuple[str, str]] = []
    shell.window.banner.shown.connect(lambda shown, text: seen.append((shown, text)))
    start()
    qtbot.waitUntil(lambda: any(shown in ("ok", "error") for shown, _ in seen), timeout=10_000)
    shown, text = next((shown, text) for shown, text in seen if shown in ("ok", "error"))
    assert shown == tone.value, text
    return text


def trace(qtbot: QtBot, shell: StationShell, code: str) -> None:
    view = shell.home.trace_view  # type: ignore[union-attr]
    banner_after(qtbot, shell, lambda: scanner_burst(shell.window.windowHandle(), code), Tone.OK)
    qtbot.waitUntil(lambda: view.unit is not None and view.unit.code == code, timeout=10_000)


def test_a_signed_hold_blocks_shipping_and_is_in_the_audit_record(
    plant: Plant, supervisor: StationShell, station, qtbot: QtBot
) -> None:
    from ui.shipping.view import ShippingView

    meter = flows.released_meters(plant, 1)[0]
    trace(qtbot, supervisor, meter)
    view = supervisor.home.trace_view  # type: ignore[union-attr]
    assert view.hold_button.isEnabled() and not view.release_button.isEnabled()

    # A wrong PIN: refused in words, nothing held; the dialog opens again with the reason kept,
    # and only the PIN is typed again.
    asked: list[str] = []
    kept: list[str] = []

    def again() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignatureDialog) or not dialog.message.text():
            QTimer.singleShot(20, again)
            return
        kept.append(dialog.reason.text())
        dialog.pin.setText(PIN)
        dialog.sign_button.click()

    def wrong_then_again() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignatureDialog):
            QTimer.singleShot(20, wrong_then_again)
            return
        asked.append(dialog.meaning.text())
        assert plant.unit(meter).status is UnitStatus.RELEASED
        dialog.reason.setText("customer complaint 4711")
        dialog.pin.setText("0000")
        QTimer.singleShot(20, again)
        dialog.sign_button.click()

    QTimer.singleShot(0, wrong_then_again)
    text = banner_after(qtbot, supervisor, view.hold_button.click, Tone.ERROR)
    assert "PIN" in text and meter in asked[0]
    qtbot.waitUntil(lambda: plant.unit(meter).status is UnitStatus.ON_HOLD, timeout=10_000)
    assert kept == ["customer complaint 4711"]
    qtbot.waitUntil(lambda: view.release_button.isEnabled(), timeout=10_000)  # traced again

    # The audit record: who signed, what it meant, why.
    [signature] = [s for s in quality.signatures(plant.db, meter) if s.meaning == "hold"]
    assert signature.signer_badge == QUALITY and "Liu Yang" in signature.signer_name
    assert "4711" in (signature.reason or "")
    details = [view.timeline.item(row, 9).text() for row in range(view.timeline.rowCount())]
    assert any("signed by" in text and QUALITY in text and "meaning: hold" in text for text in details)

    # The shipping screen refuses the held unit and records nothing.
    shipment = flows.shipment(plant, {METER: 1})
    shipping: StationHarness = station("SHP-01", OPERATOR)
    screen = shipping.show(ShippingView(shipping.runner))
    shipping.scan(shipment, Tone.OK)
    refusal = shipping.scan(meter, Tone.ERROR)
    assert "hold" in refusal.lower()
    assert plant.unit(meter).status is UnitStatus.ON_HOLD
    assert screen is shipping.screen


def test_a_recall_is_held_in_one_signed_action_and_exported(
    plant: Plant, supervisor: StationShell, qtbot: QtBot, tmp_path: Path
) -> None:
    batch = flows.build_meters(plant, 3)
    flows.ship(plant, batch.meters[:1], {METER: 1})
    home = supervisor.home
    assert isinstance(home, SupervisorView)
    home.show_recall()
    form = home.scope_form
    form.supplier_lot.setText(plant.unit(batch.battery_lot).external_code or "")
    form.submit()
    qtbot.waitUntil(lambda: home.hold_affected_button.isEnabled(), timeout=10_000)
    summary = home.impact_view.summary
    assert summary is not None and summary.units >= 3

    asked: list[str] = []
    sign_when_asked("supplier notice: low voltage", PIN, asked)
    text = banner_after(qtbot, supervisor, home.hold_affected_button.click, Tone.OK)
    assert "Held" in text
    statuses = {code: plant.unit(code).status for code in batch.meters}
    assert statuses[batch.meters[0]] is UnitStatus.SHIPPED
    assert {statuses[code] for code in batch.meters[1:]} == {UnitStatus.ON_HOLD}

    # The recall list, exported off the GUI thread, reads back with every affected meter.
    qtbot.waitUntil(lambda: home.hold_affected_button.isEnabled(), timeout=10_000)  # counted again
    home.impact_view.export_requested.emit("csv")
    exports = supervisor.home.exports  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: exports.last is not None, timeout=20_000)
    with open(exports.last.path, encoding="utf-8-sig", newline="") as file:
        codes = {row[0] for row in csv.reader(file)}
    assert set(batch.meters) <= codes
    assert exports.last.path.parent == tmp_path / "TraceStation"


def test_every_kind_of_code_is_traced_as_the_engine_answers(
    plant: Plant, supervisor: StationShell, qtbot: QtBot
) -> None:
    """Serial, lot, supplier lot, SSCC, GS1 element string, Digital Link, work order, shipment:
    each scanned into the trace page shows the starting units the trace engine finds for it."""
    from demo.history import seed
    from models.scan import digital_link, element_string
    from models.trace import backward, forward

    summary = seed(plant.db)
    serial = summary.example_serial
    meter = plant.unit(serial)
    carton = code_of(plant, meter.container_id)
    gtin = "06901234000016"  # the meter's GTIN (demo/plant.py)
    codes = {
        "serial": serial,
        "lot": summary.held_lot,
        "supplier lot": plant.unit(summary.held_lot).external_code or "",
        "SSCC": carton,
        "GS1 element string": element_string(gtin=gtin, serial=serial),
        "Digital Link": digital_link(gtin, serial=serial),
        "work order": "WO-MTR-0001",
        "shipment": "SH-0001",
    }
    view = supervisor.home.trace_view  # type: ignore[union-attr]
    for kind, code in codes.items():
        banner_after(
            qtbot,
            supervisor,
            lambda code=code: scanner_burst(supervisor.window.windowHandle(), code),
            Tone.OK,
        )
        qtbot.waitUntil(lambda: not view.busy, timeout=10_000)
        expected_back, expected_ahead = backward(plant.db, code), forward(plant.db, code)
        shown_back = {
            view.backward_model.index(row, 0).data() for row in range(view.backward_model.rowCount())
        }
        shown_ahead = {
            view.forward_model.index(row, 0).data() for row in range(view.forward_model.rowCount())
        }
        assert shown_back == {root.code for root in expected_back.roots}, kind
        assert shown_ahead == {root.code for root in expected_ahead.roots}, kind
        assert view.genealogy.box_items, kind


def code_of(plant: Plant, unit_id: int | None) -> str:
    from sqlalchemy import select

    from models.schema import Unit

    assert unit_id is not None
    with plant.db.session() as session:
        return session.scalars(select(Unit.code).where(Unit.id == unit_id)).one()


def test_a_machine_within_a_time_window_is_counted_as_the_engine_counts(
    plant: Plant, supervisor: StationShell, qtbot: QtBot
) -> None:
    import datetime as dt

    from models.impact import ImpactScope, impact_summary

    batch = flows.build_meters(plant, 2)
    assert batch.meters
    home = supervisor.home
    assert isinstance(home, SupervisorView)
    home.show_recall()
    form = home.scope_form
    qtbot.waitUntil(lambda: form.zone is not None, timeout=10_000)  # the plant's, after the login
    assert str(form.zone) == "Asia/Shanghai" and home.trace_view.zone == form.zone
    form.equipment.setText("SMT-01")
    form.windowed.setChecked(True)
    now = dt.datetime.now(form.zone)
    form.since.setDateTime(form._qt(now - dt.timedelta(hours=1)))
    form.until.setDateTime(form._qt(now + dt.timedelta(hours=1)))
    scope = form.scope()
    assert scope is not None and scope.since is not None
    form.submit()
    qtbot.waitUntil(lambda: home.shown_scope == scope, timeout=10_000)
    expected = impact_summary(plant.db, scope)
    assert home.impact_view.summary == expected
    assert expected.units > 0 or expected.seeds == 0
    empty = ImpactScope(
        equipment_code="SMT-01", since=now - dt.timedelta(days=30), until=now - dt.timedelta(days=29)
    )
    assert impact_summary(plant.db, empty).units == 0
