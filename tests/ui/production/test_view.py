"""The production screen on a real station (window, worker, runner, preview printer), both backends.

Every test drives the screen the way the operator does, by scans and the keyboard, then reads what
the database holds; every refusal is checked to have changed nothing.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from demo.plant import BATTERY, CHIP, COMPOUND, HARDENER, HOUSING, METER, PCB, RESIN
from models import production
from models.resolve import resolve
from models.schema import InspectionResult, Link, LinkLevel, StepResult, Unit, UnitKind, UnitStatus, WorkOrder
from models.work_orders import work_order_state
from tests.models import flows
from tests.station_harness import StationHarness
from tests.support import OPERATOR, SUPERVISOR, Plant, snapshot
from ui.production.view import ProductionView
from ui.widgets.feedback import Tone


def open_screen(station, code: str = "PRD-01") -> tuple[StationHarness, ProductionView]:  # type: ignore[no-untyped-def]
    harness: StationHarness = station(code, OPERATOR)
    view = ProductionView(harness.runner)
    harness.show(view)
    return harness, view


def press(harness: StationHarness, widget: QWidget, key: Qt.Key, tone: Tone) -> str:
    """A key on a widget, and the banner it brings (a refusal may come before the call returns)."""
    count = len(harness.messages)
    harness.qtbot.keyClick(widget, key)
    return harness.wait_banner(tone, after=count)


def type_into(harness: StationHarness, widget: QWidget, text: str) -> None:
    widget.clear()  # type: ignore[attr-defined]
    harness.qtbot.keyClicks(widget, text)


def scanned(harness: StationHarness, text: str, tone: Tone = Tone.OK) -> str:
    """A scan, its answer, and the screen settled (the tables read again) after it."""
    answer = harness.scan(text, tone)
    harness.idle()
    return answer


def unchanged(harness: StationHarness, text: str, expected: str) -> None:
    """A scan refused with `expected`, and not one row of the database changed by it."""
    before = snapshot(harness.plant.db)
    assert scanned(harness, text, Tone.ERROR) == expected
    assert snapshot(harness.plant.db) == before


def work_order(plant: Plant, item: str = METER, quantity: int = 10, *, release: bool = True) -> str:
    code = flows.unique("WO")
    station = "PRD-02" if item == COMPOUND else "PRD-01"
    production.create_work_order(
        plant.db,
        plant.actor(SUPERVISOR, station),
        code=code,
        item_code=item,
        quantity=quantity,
        release=release,
    )
    return code


def decoded(plant: Plant, label: Path) -> set[str]:
    """What each barcode of a printed label resolves to, read back by an independent decoder."""
    return {
        resolve(plant.db, symbol.symbology_identifier + symbol.bytes.decode("ascii")).code
        for symbol in zxingcpp.read_barcodes(Image.open(label))
    }


def serials_of(plant: Plant, work_order_code: str) -> list[str]:
    with plant.db.session() as session:
        return list(
            session.scalars(
                select(Unit.code)
                .join(WorkOrder, WorkOrder.id == Unit.work_order_id)
                .where(WorkOrder.code == work_order_code, Unit.kind == UnitKind.SERIAL)
                .order_by(Unit.id)
            )
        )


def table_text(table, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(row, column).text() for row in range(table.rowCount())]


def links_into(plant: Plant, code: str) -> list[tuple[str, LinkLevel, Decimal | None]]:
    with plant.db.session() as session:
        target = session.scalars(select(Unit.id).where(Unit.code == code)).one()
        found = session.execute(
            select(Unit.code, Link.level, Link.quantity)
            .join(Unit, Unit.id == Link.input_unit_id)
            .where(Link.output_unit_id == target)
            .order_by(Link.id)
        ).all()
    return [
        (code, level, None if quantity is None else quantity.normalize()) for code, level, quantity in found
    ]


# --- the work order, its BOM and its routing -----------------------------------------------------


def test_a_scanned_work_order_shows_its_bom_and_routing_as_the_model_has_them(station, plant: Plant) -> None:
    harness, view = open_screen(station)
    assert view.prompt.text() == "Scan a work order"
    assert scanned(harness, "HSG-01", Tone.ERROR) == "Scan a work order first: HSG-01 is not one."
    code = work_order(plant, METER, 10)
    pcb = flows.receive_lot(plant, PCB, "SUP-HQ", 6)
    flows.release_lot(plant, pcb)
    production.feed(plant.db, plant.actor(), work_order_code=code, lot_code=pcb, quantity=6)

    answer = scanned(harness, code)

    assert answer == f"Work order {code}: 10 EA DDZY-102 Single-phase smart meter, released."
    state = work_order_state(plant.db, code)
    assert view.card.title.text() == f"{code} · DDZY-102 Single-phase smart meter"
    assert table_text(view.bom, 0) == [line.component_code for line in state.bom]
    assert table_text(view.bom, 2) == ["10 EA", "10 EA", "10 EA", "40 EA", "10 EA"]
    assert table_text(view.bom, 3) == ["6 / 10 EA", "0 / 10 EA", "0 / 10 EA", "—", "0 / 10 EA"]
    assert table_text(view.bom, 4) == ["4 EA", "10 EA", "10 EA", "—", "10 EA"]
    assert table_text(view.bom, 5) == ["scan lot", "scan lot", "scan lot", "not scanned", "into each unit"]
    assert view.bom.item(2, 1).text() == "Li-SOCl2 battery ER14250 (or BAT-CR-ALT)"
    assert view.bom.cellWidget(0, 3).text() == "6 / 10 EA"  # the progress bar
    assert table_text(view.steps, 0) == [f"{step.seq} {step.code}" for step in state.steps]
    assert table_text(view.steps, 1) == [
        "Assembly + components",
        "Calibration",
        "Functional test",
        "Visual check (optional)",
    ]
    assert table_text(view.steps, 2) == [
        "—",
        "Basic error (%) [-0.5, 0.5]",
        "Supply voltage (V) [198, 242]\nStandby power (W) ≤ 1.5",
        "—",
    ]
    assert [view.mode.itemText(n) for n in range(view.mode.count())] == [
        "Feed material (F1)",
        "10 ASSY · ASSY Assembly",
        "20 CAL · CAL Calibration",
        "30 TEST · TEST Functional test",
        "40 VIS · VIS Visual check (optional)",
    ]
    assert view.prompt.text() == "Scan a material lot to feed it"
    harness.qtbot.keyClick(view, Qt.Key.Key_F4)  # the next mode: the first step
    assert view.mode.currentData() == "ASSY" and view.prompt.text() == "ASSY Assembly: scan a unit"
    harness.qtbot.keyClick(view, Qt.Key.Key_F1)
    assert view.mode.currentIndex() == 0


# --- feeding ------------------------------------------------------------------------------------


def test_a_scanned_lot_feeds_what_its_line_needs_or_the_quantity_typed(station, plant: Plant) -> None:
    code = work_order(plant, METER, 10)
    small = flows.receive_lot(plant, HOUSING, "SUP-PL", 4)
    big = flows.receive_lot(plant, HOUSING, "SUP-PL", 50)
    harness, view = open_screen(station)
    scanned(harness, code)

    assert scanned(harness, small) == f"Fed 4 EA of lot {small} (HSG-01): 6 EA of HSG-01 still needed."
    type_into(harness, view.feed.quantity, "2")
    assert view.prompt.text() == "Scan the material lot to feed 2 of"
    assert scanned(harness, big) == f"Fed 2 EA of lot {big} (HSG-01): 4 EA of HSG-01 still needed."
    assert view.feed.quantity.text() == ""  # it was for that lot
    assert scanned(harness, big) == f"Fed 4 EA of lot {big} (HSG-01): HSG-01 is fed in full."

    assert links_into(plant, f"{code}-P") == [
        (small, LinkLevel.LOT, Decimal(4)),
        (big, LinkLevel.LOT, Decimal(2)),
        (big, LinkLevel.LOT, Decimal(4)),
    ]
    assert (plant.unit(small).quantity, plant.unit(small).status) == (0, UnitStatus.CONSUMED)
    assert plant.unit(big).quantity == 44
    assert view.bom.item(1, 3).text() == "10 / 10 EA" and view.bom.item(1, 4).text() == "0 EA"

    full = f"Work order {code} is for 10 EA HSG-01: 54 EA in all would be more than that."
    unchanged(harness, big, full)
    assert view.feed.quantity.hasFocus()  # where a quantity to feed more is typed
    type_into(harness, view.feed.quantity, "1")
    assert scanned(harness, big) == f"Fed 1 EA of lot {big} (HSG-01): HSG-01 is fed in full."
    assert plant.unit(big).quantity == 43
    assert view.feed.quantity.hasFocus()
    assert harness.errors() == [full]


def test_a_feed_takes_what_the_line_needs_when_it_runs_not_what_the_screen_showed(
    station, plant: Plant
) -> None:
    code = work_order(plant, METER, 10)
    lot = flows.receive_lot(plant, HOUSING, "SUP-PL", 50)
    harness, view = open_screen(station)
    scanned(harness, code)
    assert view.bom.item(1, 4).text() == "10 EA"
    # Another station feeds 7 meanwhile: this screen still shows 10 needed.
    production.feed(plant.db, plant.actor(), work_order_code=code, lot_code=lot, quantity=7)

    assert scanned(harness, lot) == f"Fed 3 EA of lot {lot} (HSG-01): HSG-01 is fed in full."
    assert plant.unit(lot).quantity == 40
    assert links_into(plant, f"{code}-P") == [
        (lot, LinkLevel.LOT, Decimal(7)),
        (lot, LinkLevel.LOT, Decimal(3)),
    ]
    unchanged(harness, lot, f"Work order {code} is for 10 EA HSG-01: 50 EA in all would be more than that.")


def test_each_feed_refusal_is_said_and_changes_nothing(station, plant: Plant) -> None:
    code = work_order(plant, METER, 10)
    chip = flows.receive_lot(plant, CHIP, "SUP-XT", 10)
    quarantined = flows.receive_lot(plant, PCB, "SUP-HQ", 10)
    held = flows.receive_lot(plant, BATTERY, "SUP-LI", 10)
    flows.hold(plant, held)
    expired = flows.receive_lot(plant, HOUSING, "SUP-PL", 10)
    flows.set_expiry(plant, expired, flows.yesterday(plant))
    small = flows.receive_lot(plant, HOUSING, "SUP-PL", 3)
    planned = work_order(plant, METER, 5, release=False)
    harness, view = open_screen(station)
    scanned(harness, code)

    unchanged(harness, chip, f"Item CHIP-4G is not in the bill of materials of {METER}.")
    unchanged(harness, quarantined, f"Lot {quarantined} is not released (in quarantine): it cannot be used.")
    unchanged(harness, held, f"Lot {held} is on hold: it cannot be used.")
    unchanged(harness, expired, f"Lot {expired} expired on {flows.yesterday(plant).isoformat()}.")
    type_into(harness, view.feed.quantity, "5")
    unchanged(harness, small, f"Lot {small} holds only 3.000000, not 5.")
    type_into(harness, view.feed.quantity, "abc")
    unchanged(harness, small, "abc is not a valid quantity.")
    unchanged(
        harness, "NO-SUCH-LOT", "NO-SUCH-LOT is not known: no unit, work order or shipment has this code."
    )

    assert scanned(harness, planned).startswith(f"Work order {planned}: 5 EA")
    assert view.card.details.text().startswith("5 EA · planned, not released")
    unchanged(harness, small, f"Work order {planned} is not released yet: ask a supervisor to release it.")
    assert len(harness.errors()) == 8


def test_a_work_order_of_millions_shows_its_bars_and_the_screen_goes_on(station, plant: Plant) -> None:
    """Bars count the share done (a quantity in thousandths overflows Qt's 32-bit ints)."""
    code = work_order(plant, METER, 3_000_000)
    housing = flows.receive_lot(plant, HOUSING, "SUP-PL", 1_500_000)
    production.feed(plant.db, plant.actor(), work_order_code=code, lot_code=housing, quantity=1_500_000)
    harness, view = open_screen(station)

    assert scanned(harness, code).startswith(f"Work order {code}: 3000000 EA")
    housing_bar, step_bar = view.bom.cellWidget(1, 3), view.steps.cellWidget(0, 3)
    assert (housing_bar.maximum(), housing_bar.value(), housing_bar.text()) == (
        1000,
        500,
        "1500000 / 3000000 EA",
    )
    assert (step_bar.maximum(), step_bar.value()) == (1000, 0)
    assert scanned(harness, "#CANCEL") == "Nothing to clear."  # still answering


# --- a lot-tracked item's steps -------------------------------------------------------------------


def test_a_lot_step_reports_good_and_scrap_with_its_reason_then_the_lot_goes_into_stock(
    station, plant: Plant
) -> None:
    code = work_order(plant, COMPOUND, 10)
    resin = flows.receive_lot(plant, RESIN, "SUP-CH", 20)
    hardener = flows.receive_lot(plant, HARDENER, "SUP-CH", 20)
    harness, view = open_screen(station, "PRD-02")
    scanned(harness, code)
    scanned(harness, resin)
    scanned(harness, hardener)
    assert (plant.unit(resin).quantity, plant.unit(hardener).quantity) == (12, 18)

    view.choose_step("MIX")
    assert view.prompt.text() == "MIX Mixing: type the good and scrap quantities, then Enter"
    assert view.lot_step.good.hasFocus()
    unchanged(
        harness,
        resin,
        "MIX Mixing is reported with quantities, not scans: type them and press Enter (F1 feeds).",
    )
    unchanged_before = snapshot(plant.db)
    type_into(harness, view.lot_step.good, "9")
    type_into(harness, view.lot_step.scrap, "0.5")
    assert press(harness, view.lot_step.scrap, Qt.Key.Key_Return, Tone.ERROR) == (
        "Choose the reason for the scrap first."
    )
    assert view.lot_step.reason.hasFocus()
    assert snapshot(plant.db) == unchanged_before
    view.lot_step.reason.setCurrentIndex(view.lot_step.reason.findData("MIX_RATIO"))
    answer = press(harness, view.lot_step.good, Qt.Key.Key_Return, Tone.OK)
    harness.idle()
    assert answer == "MIX Mixing: 9 good and 0.5 scrap reported; 9 good and 0.5 scrap KG in all."
    (mix,) = flows.rows(plant, StepResult)
    assert (mix.good_quantity, mix.scrap_quantity, mix.scrap_reason) == (9, Decimal("0.5"), "MIX_RATIO")
    assert view.lot_step.good.text() == "" and view.lot_step.reason.currentIndex() == 0
    assert view.steps.item(0, 3).text() == "9 good · 0.5 scrap KG"

    harness.qtbot.keyClick(view, Qt.Key.Key_F4)  # on to QC
    type_into(harness, view.lot_step.good, "8")
    press(harness, view.lot_step.good, Qt.Key.Key_Return, Tone.OK)
    harness.idle()
    assert view.card.details.text().endswith("ready to complete 8 KG")

    before = snapshot(plant.db)
    harness.qtbot.keyClick(view, Qt.Key.Key_F8)
    assert view.strip.waiting and view.strip.hasFocus()
    harness.qtbot.keyClick(view.strip, Qt.Key.Key_Escape)  # no: nothing recorded
    assert not view.strip.waiting and snapshot(plant.db) == before
    harness.qtbot.keyClick(view, Qt.Key.Key_F8)
    assert view.strip.question.text() == (
        "Put 8 KG of PTG-200 Meter potting compound into stock as a new lot? This cannot be undone."
    )
    unchanged(harness, resin, "Answer the question first: #CONFIRM or Enter for yes, #CANCEL or Esc for no.")
    count = len(harness.messages)
    harness.scan("#CONFIRM")
    made = harness.wait_banner(Tone.OK, after=count)
    harness.idle()
    lot = made.split()[1]
    assert made == f"Lot {lot} into stock: 8 KG. Its label is printing."
    assert (plant.unit(lot).quantity, plant.unit(lot).status) == (8, UnitStatus.RELEASED)
    assert links_into(plant, lot) == [(f"{code}-P", LinkLevel.LOT, Decimal(8))]
    (label,) = harness.labels.glob("*.png")
    assert decoded(plant, label) == {lot}
    assert view.card.details.text().endswith("In stock 8 of 10 KG · scrap 0.5 KG · ready to complete 0 KG")


# --- a serialized item's steps --------------------------------------------------------------------


def meter_floor(plant: Plant) -> tuple[str, list[str]]:
    """A meter work order fed with everything lot-tracked, and tested modules to build in."""
    code = work_order(plant, METER, 5)
    pcb = flows.receive_lot(plant, PCB, "SUP-HQ", 10)
    flows.release_lot(plant, pcb)
    for lot in (
        pcb,
        flows.receive_lot(plant, HOUSING, "SUP-PL", 10),
        flows.receive_lot(plant, BATTERY, "SUP-LI", 10),
    ):
        production.feed(plant.db, plant.actor(), work_order_code=code, lot_code=lot, quantity=5)
    modules = flows.build_meters(plant, 0, spare_modules=2).spare_modules
    return code, modules


def test_serials_are_made_built_measured_and_failed_out_of_limits(station, plant: Plant) -> None:
    code, (module, _) = meter_floor(plant)
    harness, view = open_screen(station)
    scanned(harness, code)

    type_into(harness, view.card.amount, "2")
    harness.qtbot.keyClick(view, Qt.Key.Key_F7)
    assert view.strip.question.text() == f"Make 2 serials of DDZY-102 for {code} and print their labels?"
    count = len(harness.messages)
    harness.qtbot.keyClick(view.strip, Qt.Key.Key_Return)
    made = harness.wait_banner(Tone.OK, after=count)
    harness.idle()
    meter, other = serials_of(plant, code)
    assert made == f"2 serials made, {meter} to {other}: their labels are printing."
    labels = sorted(harness.labels.glob("*.png"))
    assert len(labels) == 2
    assert decoded(plant, labels[0]) | decoded(plant, labels[1]) == {meter, other}

    # Assembly: the meter waits for its module; the module's scan fits it and records the step.
    view.choose_step("ASSY")
    assert scanned(harness, meter) == f"{meter}: now scan 4G communication module (0 of 1 in)."
    assert view.prompt.text() == f"Scan into {meter}: 4G communication module (0 of 1 in)"
    unchanged(harness, other, f"{meter} is still open: press Enter to record it, or scan #CANCEL to drop it.")
    assert scanned(harness, module) == (
        f"{module} fitted into {meter}. {meter} passed ASSY Assembly. Next: CAL."
    )
    assert links_into(plant, meter)[-1] == (module, LinkLevel.UNIT, Decimal(1))
    assert plant.unit(module).status is UnitStatus.CONSUMED
    assert view.serial is None and view.steps.item(0, 3).text() == "1 passed · 0 failed"

    # Calibration within its limits: the field, Enter, recorded.
    view.choose_step("CAL")
    assert scanned(harness, meter) == f"{meter} at CAL Calibration: type the measurements, then Enter."
    field = view.serial_step.fields["ERR"]
    assert field.hasFocus()
    type_into(harness, field, "-0.2")
    assert press(harness, field, Qt.Key.Key_Return, Tone.OK) == f"{meter} passed CAL Calibration. Next: TEST."
    harness.idle()

    # The functional test out of its limits: measured again first (amber, the meter not failed),
    # then, out of limits again after the step's one re-measure, recorded FAILED, shown red.
    view.choose_step("TEST")
    scanned(harness, meter)
    volt, idle = view.serial_step.fields["VOLT"], view.serial_step.fields["IDLE"]
    assert "Supply voltage (V) [198, 242]" in [label.text() for label in view.serial_step.labels]
    type_into(harness, volt, "250")
    harness.qtbot.keyClick(volt, Qt.Key.Key_Return)  # on to the next empty field, nothing sent
    assert idle.hasFocus() and view.serial is not None
    type_into(harness, idle, "0.8")
    count = len(harness.messages)
    harness.qtbot.keyClick(idle, Qt.Key.Key_Return)
    harness.qtbot.waitUntil(lambda: not view.busy and len(harness.messages) > count, timeout=10_000)
    harness.idle()
    assert harness.messages[-1] == (
        Tone.PENDING.value,
        f"Supply voltage 250 is above its upper limit 242. Measure {meter} again and press Enter: "
        "out of limits again fails it. F9 fails it now.",
    )
    assert plant.unit(meter).status is UnitStatus.WIP
    assert view.serial is not None and volt.text() == "" and volt.hasFocus() and idle.text() == "0.8"
    type_into(harness, volt, "251")
    failed = press(harness, volt, Qt.Key.Key_Return, Tone.ERROR)
    harness.idle()
    assert failed == f"Recorded: {meter} FAILED TEST Functional test (Supply voltage). Set it aside."
    assert plant.unit(meter).status is UnitStatus.FAILED
    with plant.db.session() as session:
        checks = session.execute(
            select(InspectionResult.name, InspectionResult.value, InspectionResult.passed)
            .join(Unit, Unit.id == InspectionResult.unit_id)
            .where(Unit.code == meter)
            .order_by(InspectionResult.id)
        ).all()
    assert [(name, value.normalize(), passed) for name, value, passed in checks] == [
        ("ERR", Decimal("-0.2"), True),
        ("VOLT", Decimal(250), False),  # the reading measured again: kept, not vanished
        ("IDLE", Decimal("0.8"), True),
        ("VOLT", Decimal(251), False),
        ("IDLE", Decimal("0.8"), True),
    ]
    results = flows.rows(plant, StepResult, StepResult.unit_id == plant.unit(meter).id)
    assert [(r.passed, r.scrap_reason) for r in results] == [
        (True, None),
        (True, None),
        (False, "OUT_OF_LIMITS"),
    ]
    assert view.card.details.text().endswith("Serials: 2 made, 0 finished, 1 failed")


def test_a_wrong_serial_is_refused_when_scanned_and_changes_nothing(station, plant: Plant) -> None:
    batch = flows.build_meters(plant, 1, headroom=2)
    (finished,) = batch.meters
    fresh = flows.extra_meter(plant, batch)
    other_order = work_order(plant, METER, 2)
    (stranger,) = production.create_serials(
        plant.db, plant.actor(), work_order_code=other_order, count=1
    ).codes
    harness, view = open_screen(station)
    scanned(harness, batch.work_order)

    view.choose_step("ASSY")
    unchanged(
        harness,
        stranger,
        f"Serial {stranger} belongs to work order {other_order}, not to {batch.work_order}.",
    )
    unchanged(harness, finished, f"{finished} has passed step ASSY already.")
    unchanged(harness, batch.pcb_lot, f"{batch.pcb_lot} is not a serial number.")
    view.choose_step("TEST")
    unchanged(harness, fresh, f"{fresh} must pass ASSY, CAL before step TEST.")
    assert view.serial is None and view.prompt.text() == "TEST Functional test: scan a unit"


def test_a_unit_failed_by_hand_needs_a_reason_and_cancel_drops_a_half_entered_unit(
    station, plant: Plant
) -> None:
    batch = flows.build_meters(plant, 1, headroom=2)
    (finished,) = batch.meters
    fresh = flows.extra_meter(plant, batch)
    harness, view = open_screen(station)
    scanned(harness, batch.work_order)

    # VIS measures nothing: a scan records it at once, unless F9 armed a failure.
    view.choose_step("VIS")
    harness.qtbot.keyClick(view, Qt.Key.Key_F9)
    assert (
        view.serial_step.fail.isChecked()
        and view.prompt.text() == "VIS Visual check: scan the unit that FAILS"
    )
    unchanged(harness, finished, "Choose why the unit fails first.")
    view.serial_step.reason.setCurrentIndex(view.serial_step.reason.findData("DAMAGED"))
    assert scanned(harness, finished, Tone.ERROR) == (
        f"Recorded: {finished} FAILED VIS Visual check (Damaged). Set it aside."
    )
    assert plant.unit(finished).status is UnitStatus.FAILED
    assert (
        flows.rows(plant, StepResult, StepResult.unit_id == plant.unit(finished).id)[-1].scrap_reason
        == "DAMAGED"
    )
    assert not view.serial_step.fail.isChecked()  # for that unit only

    # ASSY: the unit waits for its module; a lot scanned instead is refused by the model.
    view.choose_step("ASSY")
    scanned(harness, fresh)
    unchanged(harness, batch.pcb_lot, f"{batch.pcb_lot} is not a serial number.")
    assert view.serial is not None and view.serial.code == fresh
    before = snapshot(plant.db)
    assert scanned(harness, "#CANCEL") == "Cleared: nothing was recorded."
    assert view.serial is None and snapshot(plant.db) == before
    assert scanned(harness, "#CANCEL") == "Nothing to clear."
    # Enter with no unit: said, nothing sent.
    assert press(harness, view, Qt.Key.Key_Return, Tone.ERROR) == "Scan a unit first."
    unchanged(harness, "#CLOSE", "#CLOSE does nothing on the production screen.")
    assert snapshot(plant.db) == before


# --- one thing at a time -------------------------------------------------------------------------

FAULT = "Failed (RuntimeError): nothing more was done. Tell a supervisor if it happens again."


def broken(*_: object) -> None:
    raise RuntimeError("a fault in the screen")


def test_a_fault_in_a_job_or_its_answer_is_said_and_the_next_scan_is_answered(station, plant: Plant) -> None:
    code = work_order(plant, METER, 10)
    harness, view = open_screen(station)

    count = len(harness.messages)
    view.enqueue(broken)
    assert harness.wait_banner(Tone.ERROR, after=count) == FAULT
    assert scanned(harness, code).startswith(f"Work order {code}:")

    count = len(harness.messages)
    view.enqueue(lambda: view.read(lambda db: work_order_state(db, code), broken))
    assert harness.wait_banner(Tone.ERROR, after=count) == FAULT
    harness.idle()
    assert scanned(harness, "#CANCEL") == "Nothing to clear."


def test_a_login_drops_what_the_operator_before_left_waiting(station, plant: Plant) -> None:
    code = work_order(plant, METER, 10)
    harness, view = open_screen(station)

    view.enqueue(lambda: None)  # a job whose answer never comes: everything after it waits
    count = len(harness.messages)
    view.scanned(code)
    harness.idle()
    assert len(harness.messages) == count and view.state is None
    view.activate()  # the next login
    assert scanned(harness, code).startswith(f"Work order {code}:")

    # An answer to a job from before the login is dropped: the screen has moved on.
    other = work_order(plant, METER, 5)
    count = len(harness.messages)
    view.scanned(other)
    view.activate()
    harness.idle()
    assert len(harness.messages) == count and view.state is not None and view.state.code == code
    assert scanned(harness, other).startswith(f"Work order {other}:")


def test_keys_wait_for_the_scans_before_them(station, plant: Plant) -> None:
    batch = flows.build_meters(plant, 1, headroom=2)
    (finished,) = batch.meters
    harness, view = open_screen(station)
    scanned(harness, batch.work_order)

    # VIS records a unit on its scan: F9 pressed before the answer arms a failure for the NEXT unit.
    view.choose_step("VIS")
    count = len(harness.messages)
    view.scanned(finished)
    harness.qtbot.keyClick(view, Qt.Key.Key_F9)
    assert harness.wait_banner(Tone.OK, after=count).startswith(f"{finished} passed VIS Visual check")
    harness.idle()
    assert flows.rows(plant, StepResult, StepResult.unit_id == plant.unit(finished).id)[-1].passed
    assert view.serial_step.fail.isChecked()
    assert view.prompt.text() == "VIS Visual check: scan the unit that FAILS"

    # A lot scanned in feed mode, F4 pressed before the answer: fed, then on to the first step.
    code = work_order(plant, METER, 10)
    lot = flows.receive_lot(plant, HOUSING, "SUP-PL", 4)
    scanned(harness, code)
    assert view.mode.currentIndex() == 0
    count = len(harness.messages)
    view.scanned(lot)
    harness.qtbot.keyClick(view, Qt.Key.Key_F4)
    assert harness.wait_banner(Tone.OK, after=count) == (
        f"Fed 4 EA of lot {lot} (HSG-01): 6 EA of HSG-01 still needed."
    )
    harness.idle()
    assert view.mode.currentData() == "ASSY" and plant.unit(lot).quantity == 0


def test_a_question_answered_no_gives_the_prompt_back_and_a_key_answers_it_in_its_turn(
    station, plant: Plant
) -> None:
    code = work_order(plant, COMPOUND, 10)
    for item in (RESIN, HARDENER):
        lot = flows.receive_lot(plant, item, "SUP-CH", 20)
        production.feed(plant.db, plant.actor(OPERATOR, "PRD-02"), work_order_code=code, lot_code=lot)
    for step in ("MIX", "QC"):
        production.report_step(
            plant.db, plant.actor(OPERATOR, "PRD-02"), work_order_code=code, step_code=step, good_quantity=8
        )
    harness, view = open_screen(station, "PRD-02")
    scanned(harness, code)
    view.choose_step("QC")
    step_prompt = "QC Viscosity check: type the good and scrap quantities, then Enter"
    assert view.prompt.text() == step_prompt

    before = snapshot(plant.db)
    harness.qtbot.keyClick(view, Qt.Key.Key_F8)
    assert view.strip.waiting and view.prompt.text().startswith("Answer the question")
    harness.qtbot.keyClick(view.strip, Qt.Key.Key_Escape)
    assert not view.strip.waiting and view.prompt.text() == step_prompt
    assert view.lot_step.good.hasFocus()

    # F5 reads the order again; F8 and Esc pressed before it answers wait their turn, and Esc
    # answers the question F8 asked (no: nothing done).
    count = len(harness.messages)
    for key in (Qt.Key.Key_F5, Qt.Key.Key_F8, Qt.Key.Key_Escape):
        harness.qtbot.keyClick(view, key)
    harness.idle()
    assert not view.strip.waiting and view.prompt.text() == step_prompt
    assert harness.messages[count:] == [] and snapshot(plant.db) == before

    # The same with Enter: yes, the lot goes into stock.
    for key in (Qt.Key.Key_F5, Qt.Key.Key_F8, Qt.Key.Key_Return):
        harness.qtbot.keyClick(view, key)
    made = harness.wait_banner(Tone.OK, after=count)
    harness.idle()
    lot = made.split()[1]
    assert made == f"Lot {lot} into stock: 8 KG. Its label is printing."
    assert plant.unit(lot).quantity == 8 and not view.strip.waiting


def test_names_follow_the_operators_language(station, plant: Plant) -> None:
    """Item, step and measurement names come from the models in both languages: Chinese here."""
    code = work_order(plant, METER, 3)
    harness: StationHarness = station("PRD-01", OPERATOR, language="zh_CN")
    view = ProductionView(harness.runner)
    harness.show(view)
    scanned(harness, code)
    assert view.card.title.text() == f"{code} · DDZY-102 单相智能电表"
    assert view.bom.item(0, 1).text() == "电表主控板"
    view.choose_step("CAL")
    assert view.mode.currentText() == "20 CAL · CAL 校表"
    assert [label.text() for label in view.serial_step.labels] == ["基本误差 (%) [-0.5, 0.5]"]
    assert view.steps.item(1, 2).text() == "基本误差 (%) [-0.5, 0.5]"
