"""A work order as a production station shows it, where a serial stands, and
fitting a component at the assembly step (fit_component): on SQLite and PostgreSQL (`plant`)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from demo.plant import (
    BATTERY,
    BATTERY_ALT,
    COMPOUND,
    HARDENER,
    HOUSING,
    METER,
    MODULE,
    PCB,
    RESIN,
)
from models import production
from models.errors import DomainError, ErrorCode
from models.production import FitResult, fit_component, report_serial, report_step
from models.schema import Link, LinkLevel, StepResult, Unit, UnitStatus
from models.work_orders import (
    SCRAP_REASONS,
    BomLineState,
    Characteristic,
    ComponentNeed,
    SerialState,
    serial_state,
    work_order_state,
)
from tests.models.flows import (
    build_meters,
    extra_meter,
    hold,
    receive_lot,
    refused,
    replayed,
    rows,
    unique,
)
from tests.support import OPERATOR, SUPERVISOR, Plant

ZERO = Decimal(0)


def meter_order(plant: Plant, quantity: int = 10, *, release: bool = True) -> str:
    code = unique("WO-MTR")
    production.create_work_order(
        plant.db, plant.actor(SUPERVISOR), code=code, item_code=METER, quantity=quantity, release=release
    )
    return code


def compound_order(plant: Plant, quantity: int = 10) -> str:
    code = unique("WO-PTG")
    production.create_work_order(
        plant.db, plant.actor(SUPERVISOR, "PRD-02"), code=code, item_code=COMPOUND, quantity=quantity
    )
    return code


def fed(plant: Plant, work_order: str, lot: str, quantity: int | str) -> None:
    production.feed(plant.db, plant.actor(), work_order_code=work_order, lot_code=lot, quantity=quantity)


def meters(plant: Plant, work_order: str, count: int) -> list[str]:
    return production.create_serials(plant.db, plant.actor(), work_order_code=work_order, count=count).codes


def good_modules(plant: Plant, count: int) -> list[str]:
    """Module serials that passed RF, ready to be fitted into meters."""
    return build_meters(plant, 0, spare_modules=count).spare_modules


# --- work_order_state ---------------------------------------------------------------------------


def test_a_new_meter_order_shows_its_bom_and_routing_with_nothing_done(plant: Plant) -> None:
    code = meter_order(plant, 10)
    state = work_order_state(plant.db, code)

    assert (state.code, state.item_code, state.item_name_en, state.item_name_zh) == (
        code,
        METER,
        "Single-phase smart meter",
        "单相智能电表",
    )
    assert (state.quantity, state.uom, state.status, state.production_lot_code) == (
        10,
        "EA",
        "RELEASED",
        f"{code}-P",
    )
    assert state.serialized
    assert (state.serials_created, state.serials_finished, state.serials_failed) == (0, 0, 0)
    assert [(line.component_code, line.required, line.fed, line.remaining) for line in state.bom] == [
        (PCB, 10, 0, 10),
        (HOUSING, 10, 0, 10),
        (BATTERY, 10, 0, 10),
        ("SCR-M3", 40, 0, 40),
        (MODULE, 10, 0, 10),
    ]
    battery = state.bom[2]
    assert battery.substitutes == (BATTERY_ALT,)
    screws, module = state.bom[3], state.bom[4]
    assert (screws.must_scan, screws.scanned, screws.unit_level) == (False, False, False)
    assert (module.must_scan, module.scanned, module.unit_level) == (True, True, True)
    assert [(s.seq, s.code, s.mandatory, s.assembly) for s in state.steps] == [
        (10, "ASSY", True, True),
        (20, "CAL", True, False),
        (30, "TEST", True, False),
        (40, "VIS", False, False),
    ]
    calibration = state.step("CAL")
    assert calibration is not None
    assert calibration.characteristics == (
        Characteristic("ERR", "基本误差", "Basic error", "%", Decimal("-0.5"), Decimal("0.5")),
    )
    test = state.step("TEST")
    assert test is not None
    assert [(c.code, c.lower, c.upper) for c in test.characteristics] == [
        ("VOLT", Decimal(198), Decimal(242)),
        ("IDLE", None, Decimal("1.5")),
    ]
    assert state.step("NOPE") is None


def test_fed_counts_substitutes_fitted_serials_and_never_goes_below_zero_remaining(plant: Plant) -> None:
    batch = build_meters(plant, 2, headroom=1)  # a work order for 3 meters, 2 finished
    battery_alt = receive_lot(plant, BATTERY_ALT, "SUP-LI", 10)
    fed(plant, batch.work_order, battery_alt, 5)  # 2 batteries + 5 alternates for 3 meters
    failed = extra_meter(plant, batch, state="FAILED")

    state = work_order_state(plant.db, batch.work_order)

    lines = {line.component_code: line for line in state.bom}
    assert (lines[PCB].fed, lines[PCB].remaining) == (2, 1)
    assert (lines[BATTERY].fed, lines[BATTERY].remaining) == (7, 0)
    assert (lines[MODULE].fed, lines[MODULE].remaining) == (2, 1)
    assert lines["SCR-M3"].fed == 0
    assert (state.serials_created, state.serials_finished, state.serials_failed) == (3, 2, 1)
    steps = {step.code: step for step in state.steps}
    assert (steps["ASSY"].passed, steps["ASSY"].failed) == (3, 0)
    assert (steps["CAL"].passed, steps["CAL"].failed) == (2, 1)
    assert (steps["TEST"].passed, steps["VIS"].passed) == (2, 0)
    assert plant.unit(failed).status is UnitStatus.FAILED


def test_a_compound_order_totals_good_and_scrap_per_step_and_what_can_be_completed(plant: Plant) -> None:
    code = compound_order(plant, 10)
    resin = receive_lot(plant, RESIN, "SUP-CH", 20)
    hardener = receive_lot(plant, HARDENER, "SUP-CH", 20)
    production.feed(
        plant.db, plant.actor(OPERATOR, "PRD-02"), work_order_code=code, lot_code=resin, quantity=8
    )
    production.feed(
        plant.db, plant.actor(OPERATOR, "PRD-02"), work_order_code=code, lot_code=hardener, quantity="1.5"
    )
    for step, good, scrap in (("MIX", "6", "0.5"), ("MIX", "3", "0"), ("QC", "4", "0")):
        report_step(
            plant.db,
            plant.actor(OPERATOR, "PRD-02"),
            work_order_code=code,
            step_code=step,
            good_quantity=good,
            scrap_quantity=scrap,
            scrap_reason="MIX_RATIO" if scrap != "0" else None,
        )

    state = work_order_state(plant.db, code)

    assert not state.serialized and state.uom == "KG"
    assert [(line.component_code, line.required, line.fed, line.remaining) for line in state.bom] == [
        (RESIN, 8, 8, 0),
        (HARDENER, 2, Decimal("1.5"), Decimal("0.5")),
    ]
    assert all(line.scanned and not line.unit_level for line in state.bom)
    assert [(s.code, s.good, s.scrap, s.assembly) for s in state.steps] == [
        ("MIX", 9, Decimal("0.5"), False),
        ("QC", 4, 0, False),
    ]
    assert state.quantity_scrapped == Decimal("0.5")
    assert state.completable == 4  # QC has reported 4 good
    production.complete_lot(plant.db, plant.actor(OPERATOR, "PRD-02"), work_order_code=code, quantity=3)
    after = work_order_state(plant.db, code)
    assert (after.quantity_completed, after.completable) == (3, 1)


def test_an_unknown_work_order_is_refused(plant: Plant) -> None:
    with pytest.raises(DomainError) as caught:
        work_order_state(plant.db, "WO-NOPE")
    assert caught.value.code is ErrorCode.UNKNOWN_WORK_ORDER


# --- serial_state -------------------------------------------------------------------------------


def test_a_serial_shows_its_passed_steps_next_step_and_fitted_components(plant: Plant) -> None:
    batch = build_meters(plant, 1, spare_modules=1)
    (finished,) = batch.meters
    fresh = extra_meter(plant, batch)

    assert serial_state(plant.db, finished) == SerialState(
        code=finished,
        item_code=METER,
        status="RELEASED",
        work_order_code=batch.work_order,
        passed_steps=("ASSY", "CAL", "TEST"),
        failed_steps=(),
        next_step=None,
        components=(ComponentNeed(MODULE, "4G通信模块", "4G communication module", 1, (batch.modules[0],)),),
    )
    state = serial_state(plant.db, fresh)
    assert (state.status, state.next_step, state.passed_steps) == ("WIP", "ASSY", ())
    assert state.components_missing == 1 and state.components[0].missing == 1
    report_serial(plant.db, plant.actor(), serial_code=fresh, step_code="ASSY")
    assert serial_state(plant.db, fresh).next_step == "CAL"


def test_a_lot_or_an_unknown_code_is_not_a_serial(plant: Plant) -> None:
    lot = receive_lot(plant, HOUSING, "SUP-PL", 5)
    for code, error in ((lot, ErrorCode.NOT_A_SERIAL), ("NOPE-1", ErrorCode.UNKNOWN_CODE)):
        with pytest.raises(DomainError) as caught:
            serial_state(plant.db, code)
        assert caught.value.code is error


def test_serial_state_at_a_step_refuses_as_report_serial_does(plant: Plant) -> None:
    """The station asks before the operator types measurements; the answers must be report_serial's."""
    batch = build_meters(plant, 1, headroom=4)
    fresh, held, failed = (
        extra_meter(plant, batch),
        extra_meter(plant, batch),
        extra_meter(plant, batch, state="FAILED"),
    )
    hold(plant, held, reason="audit")
    done_order = meter_order(plant, 1)
    (of_closed_order,) = meters(plant, done_order, 1)
    production.close_work_order(plant.db, plant.actor(SUPERVISOR), work_order_code=done_order)
    lot = receive_lot(plant, HOUSING, "SUP-PL", 5)

    cases = [
        (batch.meters[0], "ASSY", ErrorCode.STEP_ALREADY_PASSED),
        (fresh, "CAL", ErrorCode.STEP_SKIPPED),
        (fresh, "TEST", ErrorCode.STEP_SKIPPED),
        (fresh, "RF", ErrorCode.UNKNOWN_STEP),
        (held, "ASSY", ErrorCode.UNIT_ON_HOLD),
        (failed, "TEST", ErrorCode.SERIAL_FAILED),
        (of_closed_order, "ASSY", ErrorCode.WORK_ORDER_COMPLETE),
        (lot, "ASSY", ErrorCode.NOT_A_SERIAL),
    ]
    for code, step, expected in cases:
        with pytest.raises(DomainError) as asked:
            serial_state(plant.db, code, step)
        reported = refused(
            plant,
            expected,
            lambda code=code, step=step: report_serial(
                plant.db, plant.actor(), serial_code=code, step_code=step
            ),
        )
        assert asked.value == reported, (code, step)
    assert serial_state(plant.db, fresh, "ASSY").next_step == "ASSY"  # reportable: no refusal
    assert serial_state(plant.db, batch.meters[0], "VIS").next_step is None


# --- fit_component ------------------------------------------------------------------------------


def test_fitting_the_last_component_reports_the_assembly_step_in_the_same_action(plant: Plant) -> None:
    code = meter_order(plant, 2)
    (meter,) = meters(plant, code, 1)
    (module,) = good_modules(plant, 1)

    result = replayed(
        plant, fit_component, plant.actor(), product_code=meter, component_code=module, step_code="ASSY"
    )

    assert result.assembled.product_code == meter and result.assembled.component_code == module
    assert result.report is not None and (result.report.step_code, result.report.passed) == ("ASSY", True)
    assert plant.unit(module).status is UnitStatus.CONSUMED
    with plant.db.session() as session:
        link = session.execute(
            select(Link.level)
            .join(Unit, Unit.id == Link.input_unit_id)
            .where(Unit.code == module, Link.output_unit_id == plant.unit(meter).id)
        ).scalar_one()
    assert link is LinkLevel.UNIT
    assert [
        (r.passed, r.unit_id) for r in rows(plant, StepResult, StepResult.unit_id == plant.unit(meter).id)
    ] == [(True, plant.unit(meter).id)]
    assert serial_state(plant.db, meter).next_step == "CAL"


def test_fitting_without_a_step_only_fits(plant: Plant) -> None:
    code = meter_order(plant, 2)
    (meter,) = meters(plant, code, 1)
    (module,) = good_modules(plant, 1)
    result = fit_component(plant.db, plant.actor(), product_code=meter, component_code=module)
    assert result == FitResult(result.assembled, None)
    assert serial_state(plant.db, meter).next_step == "ASSY"


def test_a_refused_report_leaves_the_component_unfitted(plant: Plant) -> None:
    """Both or neither: the meter passed ASSY already, so this scan records nothing at all."""
    code = meter_order(plant, 2)
    (meter,) = meters(plant, code, 1)
    report_serial(plant.db, plant.actor(), serial_code=meter, step_code="ASSY")
    (module,) = good_modules(plant, 1)
    refused(
        plant,
        ErrorCode.STEP_ALREADY_PASSED,
        lambda: fit_component(
            plant.db, plant.actor(), product_code=meter, component_code=module, step_code="ASSY"
        ),
    )
    assert plant.unit(module).status is UnitStatus.RELEASED


def test_fit_component_refuses_what_assemble_refuses(plant: Plant) -> None:
    code = meter_order(plant, 2)
    (meter,) = meters(plant, code, 1)
    housing = receive_lot(plant, HOUSING, "SUP-PL", 5)
    other_meter = meters(plant, code, 1)[0]
    for component, error in (
        (housing, ErrorCode.NOT_A_SERIAL),
        (other_meter, ErrorCode.ITEM_NOT_IN_BOM),
        ("NOPE-1", ErrorCode.UNKNOWN_CODE),
    ):
        refused(
            plant,
            error,
            lambda component=component: fit_component(
                plant.db, plant.actor(), product_code=meter, component_code=component, step_code="ASSY"
            ),
        )


# --- reasons ------------------------------------------------------------------------------------


def test_scrap_reason_codes_are_distinct_and_fit_the_reason_columns(plant: Plant) -> None:
    codes = [reason.code for reason in SCRAP_REASONS]
    assert len(set(codes)) == len(codes) and "OTHER" in codes
    assert all(len(code) <= production.MAX_REASON_LENGTH for code in codes)
    assert all(reason.name_zh and reason.name_en for reason in SCRAP_REASONS)
    code = compound_order(plant, 10)
    report_step(
        plant.db,
        plant.actor(OPERATOR, "PRD-02"),
        work_order_code=code,
        step_code="MIX",
        good_quantity=1,
        scrap_quantity=1,
        scrap_reason=SCRAP_REASONS[-1].code,
    )
    (row,) = rows(plant, StepResult)
    assert row.scrap_reason == "OTHER"


def test_bom_line_state_is_a_plain_value(plant: Plant) -> None:
    """What crosses to the GUI thread holds no ORM row: every field a plain value."""
    state = work_order_state(plant.db, meter_order(plant, 1))
    line = state.bom[0]
    assert isinstance(line, BomLineState)
    assert all(isinstance(value, str | Decimal | bool | tuple) for value in vars(line).values())
