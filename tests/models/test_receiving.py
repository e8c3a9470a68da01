"""Receiving: supplier lots in as internal lots, incoming inspection releases or rejects them.

Every operation: what the database holds after it, every refusal (the database unchanged after
it), and an exact replay by action id. Each test runs on SQLite and on PostgreSQL (`plant`).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from demo.plant import (
    BATTERY,
    COMPOUND,
    HOUSING,
    HOUSING_SUPPLIER_GTIN,
    METER,
    PCB,
    PCB_SUPPLIER_GTIN,
    RESIN,
    SCREW,
)
from models import packing
from models.actions import Actor, simulated_clock
from models.errors import DomainError, ErrorCode
from models.labels import label_for
from models.numbering import period_key
from models.receiving import (
    MAX_PACKAGES,
    InspectionOutcome,
    Measurement,
    ReceiveResult,
    ScanKind,
    quarantined_lots,
    read_scan,
    receive,
    receiving_choices,
    reject_received_lot,
    release_received_lot,
    todays_receipts,
)
from models.scan import GS, element_string, normalize_gtin
from models.schema import (
    Action,
    Event,
    EventRole,
    EventType,
    EventUnit,
    InspectionResult,
    Item,
    NumberingCounter,
    NumberingRule,
    ResetPeriod,
    Station,
    Supplier,
    Unit,
    UnitKind,
    UnitStatus,
    User,
)
from tests.models.flows import replayed
from tests.support import OPERATOR, QUALITY, SUPERVISOR, Plant, snapshot

# --- helpers ---------------------------------------------------------------------------------------


def receiver(plant: Plant) -> Actor:
    return plant.actor(OPERATOR, "RCV-01")


def inspector(plant: Plant) -> Actor:
    return plant.actor(QUALITY, "QA-01")


def receive_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "item_code": HOUSING,
        "supplier_code": "SUP-PL",
        "supplier_lot": "PL-2024-001",
        "quantity": 100,
    }
    args.update(overrides)
    return args


def received(plant: Plant, **overrides: Any) -> ReceiveResult:
    return receive(plant.db, receiver(plant), **receive_args(**overrides))


def quarantined_pcb(plant: Plant, quantity: int | str = 50) -> str:
    """A PCB lot waiting for incoming inspection (PCB-MAIN requires it)."""
    # Tests take several of these: each is another package of one label (never refused as a rescan).
    result = received(
        plant,
        item_code=PCB,
        supplier_code="SUP-HQ",
        supplier_lot="HQ-77",
        quantity=quantity,
        second_package=True,
    )
    assert result.status == UnitStatus.QUARANTINE.value
    return result.lot_codes[0]


def refused(
    plant: Plant, code: ErrorCode, operation: Callable[..., Any], actor: Actor, /, **kwargs: Any
) -> DomainError:
    """Run an operation the rules must refuse: the error's code, and not one row changed."""
    before = snapshot(plant.db)
    with pytest.raises(DomainError) as error:
        operation(plant.db, actor, **kwargs)
    assert error.value.code is code, error.value
    assert snapshot(plant.db) == before
    return error.value


def unit_row(plant: Plant, code: str) -> Unit:
    return plant.unit(code)


def events_of(plant: Plant, action_id: str) -> list[tuple[Event, list[EventUnit]]]:
    with plant.db.session() as s:
        events = list(s.scalars(select(Event).where(Event.action_id == action_id).order_by(Event.id)))
        out = [(event, list(event.units)) for event in events]
        s.expunge_all()
        return out


def inspection_rows(plant: Plant, lot_code: str) -> list[InspectionResult]:
    with plant.db.session() as s:
        rows = list(
            s.scalars(
                select(InspectionResult)
                .join(Unit, Unit.id == InspectionResult.unit_id)
                .where(Unit.code == lot_code)
                .order_by(InspectionResult.id)
            )
        )
        s.expunge_all()
        return rows


def set_column(plant: Plant, model: type, where: Any, **values: Any) -> None:
    """Change master data the way an administrator would (not an operation under test)."""
    with plant.db.session() as s, s.begin():
        s.execute(update(model).where(where).values(**values))


def lot_code_pattern(plant: Plant) -> re.Pattern[str]:
    """The LOT-RM rule R{YY}{MM}{DD}-{SEQ:4} on the plant's local date."""
    return re.compile(rf"R{plant.today():%y%m%d}-\d{{4}}")


# --- receive -------------------------------------------------------------------------------------


def test_receive_splits_100_into_3_packages_that_add_up_exactly(plant: Plant) -> None:
    actor = receiver(plant)
    result = receive(plant.db, actor, **receive_args(quantity=100, packages=3))

    day = f"{plant.today():%y%m%d}"
    assert result.lot_codes == [f"R{day}-0001", f"R{day}-0002", f"R{day}-0003"]
    assert all(lot_code_pattern(plant).fullmatch(code) for code in result.lot_codes)
    assert result.quantities == [Decimal("33.333333"), Decimal("33.333333"), Decimal("33.333334")]
    assert sum(result.quantities) == Decimal(100)
    assert result.status == "RELEASED"
    assert result.expires_on is None  # HSG-01 has no shelf life

    with plant.db.session() as s:
        supplier_id = s.scalar(select(Supplier.id).where(Supplier.code == "SUP-PL"))
        item_id = s.scalar(select(Item.id).where(Item.code == HOUSING))
        lots = list(s.scalars(select(Unit).where(Unit.code.in_(result.lot_codes)).order_by(Unit.code)))
        assert [lot.quantity for lot in lots] == result.quantities
        assert sum(lot.quantity for lot in lots) == Decimal(100)
        for lot in lots:
            assert lot.kind is UnitKind.LOT
            assert lot.status is UnitStatus.RELEASED
            assert lot.item_id == item_id
            assert lot.initial_quantity == lot.quantity
            assert lot.uom == "EA"
            assert lot.external_code == "PL-2024-001"
            assert lot.supplier_id == supplier_id
            assert lot.container_id is None
            assert lot.work_order_id is None
        rule_id = s.scalar(select(NumberingRule.id).where(NumberingRule.code == "LOT-RM"))
        counter = s.get(
            NumberingCounter, {"rule_id": rule_id, "period": period_key(ResetPeriod.DAILY, plant.today())}
        )
        assert counter is not None and counter.next_value == 4
        action = s.get(Action, actor.action_id)
        assert action is not None and action.operation == "receive"
        assert action.user_id == plant.ids.users[OPERATOR]
        assert action.station_id == plant.ids.stations["RCV-01"]

    ((event, units),) = events_of(plant, actor.action_id)
    assert event.event_type is EventType.RECEIVE
    assert event.station_id == plant.ids.stations["RCV-01"]
    assert event.user_id == plant.ids.users[OPERATOR]
    assert event.work_order_id is None
    assert event.biz_step == "receiving"
    assert event.disposition == "active"
    assert event.detail == {"supplier": "SUP-PL", "supplier_lot": "PL-2024-001"}
    assert event.tz_offset == "+08:00"
    assert [(u.role, u.quantity) for u in units] == [(EventRole.OBJECT, q) for q in result.quantities]
    assert [u.unit_id for u in units] == [lot.id for lot in lots]


def test_receive_continues_the_days_lot_counter(plant: Plant) -> None:
    first = received(plant, packages=2)
    second = received(plant, item_code=BATTERY, supplier_code="SUP-LI", supplier_lot="LI-1", quantity=5)
    day = f"{plant.today():%y%m%d}"
    assert first.lot_codes == [f"R{day}-0001", f"R{day}-0002"]
    assert second.lot_codes == [f"R{day}-0003"]


def test_receive_many_packages_of_a_decimal_quantity_keep_the_total(plant: Plant) -> None:
    result = received(plant, item_code=RESIN, supplier_code="SUP-CH", quantity="10.000001", packages=7)
    assert len(result.lot_codes) == 7
    assert sum(result.quantities) == Decimal("10.000001")
    assert result.quantities[:-1] == [Decimal("1.428571")] * 6
    assert result.quantities[-1] == Decimal("1.428575")
    with plant.db.session() as s:
        stored = list(s.scalars(select(Unit.quantity).where(Unit.code.in_(result.lot_codes))))
        uoms = set(s.scalars(select(Unit.uom).where(Unit.code.in_(result.lot_codes))))
    assert sum(stored) == Decimal("10.000001")
    assert uoms == {"KG"}


def test_receive_item_requiring_inspection_goes_to_quarantine(plant: Plant) -> None:
    actor = receiver(plant)
    result = receive(plant.db, actor, **receive_args(item_code=PCB, supplier_code="SUP-HQ", packages=2))
    assert result.status == "QUARANTINE"
    assert result.expires_on == plant.today() + dt.timedelta(days=365)  # PCB-MAIN shelf life
    for code in result.lot_codes:
        lot = unit_row(plant, code)
        assert lot.status is UnitStatus.QUARANTINE
        assert lot.expires_on == result.expires_on
        assert lot.manufactured_on is None
    ((event, _),) = events_of(plant, actor.action_id)
    assert event.disposition == "in_progress"


def test_receive_expiry_comes_from_manufacture_date_and_shelf_life(plant: Plant) -> None:
    made = plant.today() - dt.timedelta(days=30)
    result = received(plant, item_code=BATTERY, supplier_code="SUP-LI", manufactured_on=made)
    assert result.expires_on == made + dt.timedelta(days=730)
    lot = unit_row(plant, result.lot_codes[0])
    assert (lot.manufactured_on, lot.expires_on) == (made, made + dt.timedelta(days=730))


def test_receive_keeps_an_explicit_expiry_and_accepts_one_expiring_today(plant: Plant) -> None:
    result = received(plant, item_code=BATTERY, supplier_code="SUP-LI", expires_on=plant.today())
    assert result.expires_on == plant.today()
    assert unit_row(plant, result.lot_codes[0]).expires_on == plant.today()


# Each case: the arguments that differ from a good receipt, and the code it must be refused with.
RECEIVE_REFUSALS: dict[str, tuple[ErrorCode, dict[str, Any]]] = {
    "unknown item": (ErrorCode.UNKNOWN_ITEM, {"item_code": "NO-SUCH-ITEM"}),
    "serialized item": (ErrorCode.ITEM_NOT_LOT_TRACKED, {"item_code": METER}),
    "untracked item": (ErrorCode.ITEM_NOT_LOT_TRACKED, {"item_code": SCREW}),
    "unknown supplier": (ErrorCode.UNKNOWN_SUPPLIER, {"supplier_code": "SUP-NOPE"}),
    "blank supplier lot": (ErrorCode.BAD_INPUT, {"supplier_lot": "   "}),
    "supplier lot longer than a code": (ErrorCode.BAD_INPUT, {"supplier_lot": "L" * 65}),
    "zero quantity": (ErrorCode.BAD_QUANTITY, {"quantity": 0}),
    "negative quantity": (ErrorCode.BAD_QUANTITY, {"quantity": -5}),
    "text quantity": (ErrorCode.BAD_QUANTITY, {"quantity": "abc"}),
    "NaN quantity": (ErrorCode.BAD_QUANTITY, {"quantity": "NaN"}),
    "infinite quantity": (ErrorCode.BAD_QUANTITY, {"quantity": "Infinity"}),
    "seven decimals": (ErrorCode.BAD_QUANTITY, {"quantity": "1.0000001"}),
    "quantity too large": (ErrorCode.BAD_QUANTITY, {"quantity": 10**12}),
    "quantity not exact on SQLite": (ErrorCode.BAD_QUANTITY, {"quantity": 10**9}),
    "zero packages": (ErrorCode.BAD_QUANTITY, {"packages": 0}),
    "too many packages": (ErrorCode.BAD_QUANTITY, {"packages": MAX_PACKAGES + 1}),
    "fractional packages": (ErrorCode.BAD_QUANTITY, {"packages": 1.5}),
    "boolean packages": (ErrorCode.BAD_QUANTITY, {"packages": True}),
    "packages smaller than 0.000001": (ErrorCode.BAD_QUANTITY, {"quantity": "0.000001", "packages": 2}),
    "manufactured tomorrow": (ErrorCode.BAD_DATE, {"manufactured_on": "tomorrow"}),
    "expires before manufactured": (
        ErrorCode.BAD_DATE,
        {"manufactured_on": "-10 days", "expires_on": "-20 days"},
    ),
    "date as text": (ErrorCode.BAD_DATE, {"manufactured_on": "2024-01-01"}),
    "date and time instead of a date": (ErrorCode.BAD_DATE, {"expires_on": "now"}),
    "expired yesterday": (ErrorCode.LOT_EXPIRED, {"expires_on": "-1 days"}),
    "expired by its shelf life": (
        ErrorCode.LOT_EXPIRED,
        {"item_code": BATTERY, "supplier_code": "SUP-LI", "manufactured_on": "-731 days"},
    ),
}


def _dated(plant: Plant, args: dict[str, Any]) -> dict[str, Any]:
    """Relative dates in the table ('tomorrow', '-10 days', 'now') resolved on the plant's day."""
    out = dict(args)
    for key in ("manufactured_on", "expires_on"):
        value = out.get(key)
        if value == "tomorrow":
            out[key] = plant.today() + dt.timedelta(days=1)
        elif value == "now":
            out[key] = dt.datetime.now(dt.UTC)
        elif isinstance(value, str) and value.endswith(" days"):
            out[key] = plant.today() + dt.timedelta(days=int(value.split()[0]))
    return out


@pytest.mark.parametrize("case", RECEIVE_REFUSALS)
def test_receive_refuses(plant: Plant, case: str) -> None:
    code, overrides = RECEIVE_REFUSALS[case]
    refused(plant, code, receive, receiver(plant), **receive_args(**_dated(plant, overrides)))


def test_receive_refuses_an_inactive_item(plant: Plant) -> None:
    set_column(plant, Item, Item.code == HOUSING, active=False)
    refused(plant, ErrorCode.UNKNOWN_ITEM, receive, receiver(plant), **receive_args())


def test_receive_refuses_an_item_without_a_lot_numbering_rule(plant: Plant) -> None:
    set_column(plant, Item, Item.code == HOUSING, lot_rule_id=None)
    refused(plant, ErrorCode.NO_NUMBERING_RULE, receive, receiver(plant), **receive_args())


# --- incoming inspection: release ---------------------------------------------------------------


def test_release_without_measurements_releases_the_lot(plant: Plant) -> None:
    lot_code = quarantined_pcb(plant)
    actor = inspector(plant)
    outcome = release_received_lot(plant.db, actor, lot_code=lot_code, note="CoC checked")

    assert outcome == InspectionOutcome(lot_code=lot_code, status="RELEASED", failed=[])
    lot = unit_row(plant, lot_code)
    assert lot.status is UnitStatus.RELEASED
    assert lot.quantity == Decimal(50)
    assert inspection_rows(plant, lot_code) == []
    ((event, units),) = events_of(plant, actor.action_id)
    assert event.event_type is EventType.RELEASE
    assert (event.station_id, event.user_id) == (plant.ids.stations["QA-01"], plant.ids.users[QUALITY])
    assert (event.biz_step, event.disposition, event.reason_text) == ("inspecting", "active", "CoC checked")
    assert [(u.unit_id, u.role, u.quantity) for u in units] == [(lot.id, EventRole.OBJECT, Decimal(50))]


def test_release_records_each_measurement_with_its_limits(plant: Plant) -> None:
    lot_code = quarantined_pcb(plant)
    actor = plant.actor(SUPERVISOR, "QA-01")  # quality work is open to supervisors too
    measurements = [
        Measurement("thickness_mm", Decimal("1.60"), Decimal("1.50"), Decimal("1.70")),
        Measurement("visual", passed=True),
        Measurement("warp_pct", Decimal("0.5"), upper_limit=Decimal("0.75")),
    ]
    outcome = release_received_lot(plant.db, actor, lot_code=lot_code, measurements=measurements)

    assert outcome.status == "RELEASED" and outcome.failed == []
    assert unit_row(plant, lot_code).status is UnitStatus.RELEASED
    rows = inspection_rows(plant, lot_code)
    assert [(r.name, r.value, r.lower_limit, r.upper_limit, r.passed) for r in rows] == [
        ("thickness_mm", Decimal("1.6"), Decimal("1.5"), Decimal("1.7"), True),
        ("visual", None, None, None, True),
        ("warp_pct", Decimal("0.5"), None, Decimal("0.75"), True),
    ]
    (inspect, _), (release, _) = events_of(plant, actor.action_id)
    assert (inspect.event_type, release.event_type) == (EventType.INSPECT, EventType.RELEASE)
    assert {r.event_id for r in rows} == {inspect.id}
    assert all(r.step_result_id is None and r.characteristic_id is None for r in rows)


MEASUREMENT_FAILURES: dict[str, Measurement] = {
    "above the upper limit": Measurement("thickness_mm", Decimal("1.71"), Decimal("1.5"), Decimal("1.7")),
    "below the lower limit": Measurement("thickness_mm", Decimal("1.49"), Decimal("1.5"), Decimal("1.7")),
    "judged failed by the inspector": Measurement("visual", passed=False),
    "no value and no verdict": Measurement("thickness_mm", None, Decimal("1.5")),
}


@pytest.mark.parametrize("case", MEASUREMENT_FAILURES)
def test_release_refuses_a_failed_inspection_and_keeps_nothing(plant: Plant, case: str) -> None:
    lot_code = quarantined_pcb(plant)
    failing = MEASUREMENT_FAILURES[case]
    good = Measurement("solder", passed=True)
    error = refused(
        plant,
        ErrorCode.INSPECTION_FAILED,
        release_received_lot,
        inspector(plant),
        lot_code=lot_code,
        measurements=[good, failing],
    )
    assert error.params == {"code": lot_code, "failed": [failing.name]}
    assert unit_row(plant, lot_code).status is UnitStatus.QUARANTINE


def test_measurement_judgement() -> None:
    assert Measurement("x", Decimal("1.5"), Decimal("1.5"), Decimal("1.5")).judged()  # limits inclusive
    assert Measurement("x", Decimal(-3)).judged()  # no limits: any value passes
    assert not Measurement("x").judged()  # nothing measured: not passed
    assert not Measurement("x", Decimal(1), Decimal(0), Decimal(2), passed=False).judged()  # verdict wins
    assert Measurement("x", Decimal(9), Decimal(0), Decimal(2), passed=True).judged()


def test_release_refuses_an_operator(plant: Plant) -> None:
    lot_code = quarantined_pcb(plant)
    error = refused(plant, ErrorCode.ROLE_REQUIRED, release_received_lot, receiver(plant), lot_code=lot_code)
    assert set(error.params["roles"]) == {"quality", "supervisor", "admin"}


def test_release_refuses_an_unknown_code(plant: Plant) -> None:
    refused(plant, ErrorCode.UNKNOWN_CODE, release_received_lot, inspector(plant), lot_code="R000000-9999")


def test_release_refuses_a_container(plant: Plant) -> None:
    carton = packing.open_container(plant.db, plant.actor(OPERATOR, "PCK-01")).code
    refused(plant, ErrorCode.NOT_A_LOT, release_received_lot, inspector(plant), lot_code=carton)


def test_release_refuses_a_lot_not_in_quarantine(plant: Plant) -> None:
    in_stock = received(plant).lot_codes[0]  # HSG-01 needs no inspection: released at receipt
    released = quarantined_pcb(plant)
    release_received_lot(plant.db, inspector(plant), lot_code=released)
    rejected = quarantined_pcb(plant)
    reject_received_lot(plant.db, inspector(plant), lot_code=rejected, reason="wrong revision")
    for lot_code, status in ((in_stock, "RELEASED"), (released, "RELEASED"), (rejected, "REJECTED")):
        error = refused(
            plant, ErrorCode.LOT_NOT_IN_QUARANTINE, release_received_lot, inspector(plant), lot_code=lot_code
        )
        assert error.params["status"] == status


def test_release_refuses_a_measurement_the_database_cannot_hold(plant: Plant) -> None:
    lot_code = quarantined_pcb(plant)
    for bad in (
        Measurement("x", Decimal("1e15"), passed=True),
        Measurement("x", Decimal("NaN"), passed=True),
        Measurement("x", Decimal(1), lower_limit=Decimal("-1e13")),
        Measurement("x" * 201, passed=True),
    ):
        refused(
            plant,
            ErrorCode.BAD_INPUT,
            release_received_lot,
            inspector(plant),
            lot_code=lot_code,
            measurements=[bad],
        )


# --- incoming inspection: reject ----------------------------------------------------------------


def test_reject_keeps_the_lot_traceable_with_its_results(plant: Plant) -> None:
    lot_code = quarantined_pcb(plant)
    actor = inspector(plant)
    outcome = reject_received_lot(
        plant.db,
        actor,
        lot_code=lot_code,
        reason="  solder mask defects  ",
        measurements=[
            Measurement("visual", passed=False),
            Measurement("thickness_mm", Decimal("1.6"), Decimal("1.5"), Decimal("1.7")),
        ],
    )
    assert outcome == InspectionOutcome(lot_code=lot_code, status="REJECTED", failed=["visual"])
    lot = unit_row(plant, lot_code)
    assert lot.status is UnitStatus.REJECTED
    assert lot.quantity == Decimal(50)  # rejected, not destroyed: it stays on record as it came in
    rows = inspection_rows(plant, lot_code)
    assert [(r.name, r.passed) for r in rows] == [("visual", False), ("thickness_mm", True)]
    (inspect, _), (reject, units) = events_of(plant, actor.action_id)
    assert inspect.event_type is EventType.INSPECT
    assert reject.event_type is EventType.REJECT
    assert (reject.disposition, reject.reason_text) == ("non_conformant", "solder mask defects")
    assert [(u.unit_id, u.role) for u in units] == [(lot.id, EventRole.OBJECT)]


def test_reject_without_measurements(plant: Plant) -> None:
    lot_code = quarantined_pcb(plant)
    outcome = reject_received_lot(plant.db, inspector(plant), lot_code=lot_code, reason="no CoC")
    assert outcome.failed == [] and outcome.status == "REJECTED"
    assert inspection_rows(plant, lot_code) == []


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reject_refuses_without_a_reason(plant: Plant, reason: str | None) -> None:
    lot_code = quarantined_pcb(plant)
    refused(
        plant,
        ErrorCode.REASON_REQUIRED,
        reject_received_lot,
        inspector(plant),
        lot_code=lot_code,
        reason=reason,
    )


def test_reject_refuses_an_operator_unknown_codes_containers_and_lots_not_in_quarantine(plant: Plant) -> None:
    lot_code = quarantined_pcb(plant)
    in_stock = received(plant).lot_codes[0]
    carton = packing.open_container(plant.db, plant.actor(OPERATOR, "PCK-01")).code
    refused(
        plant, ErrorCode.ROLE_REQUIRED, reject_received_lot, receiver(plant), lot_code=lot_code, reason="x"
    )
    refused(plant, ErrorCode.UNKNOWN_CODE, reject_received_lot, inspector(plant), lot_code="NOPE", reason="x")
    refused(plant, ErrorCode.NOT_A_LOT, reject_received_lot, inspector(plant), lot_code=carton, reason="x")
    refused(
        plant,
        ErrorCode.LOT_NOT_IN_QUARANTINE,
        reject_received_lot,
        inspector(plant),
        lot_code=in_stock,
        reason="x",
    )


# --- who and where: the refusals of the action wrapper, for every receiving operation ------------

# operation -> (the badge allowed to run it, the station, a function giving arguments that succeed)
RECEIVING_OPERATIONS: dict[str, tuple[Callable[..., Any], str, str, Callable[[Plant], dict[str, Any]]]] = {
    "receive": (receive, OPERATOR, "RCV-01", lambda plant: receive_args()),
    "release_received_lot": (
        release_received_lot,
        QUALITY,
        "QA-01",
        lambda plant: {"lot_code": quarantined_pcb(plant)},
    ),
    "reject_received_lot": (
        reject_received_lot,
        QUALITY,
        "QA-01",
        lambda plant: {"lot_code": quarantined_pcb(plant), "reason": "bent pins"},
    ),
}


@pytest.mark.parametrize("name", RECEIVING_OPERATIONS)
def test_who_and_where_refusals(plant: Plant, name: str) -> None:
    operation, badge, station, good_args = RECEIVING_OPERATIONS[name]
    args = good_args(plant)
    user_id, station_id = plant.ids.users[badge], plant.ids.stations[station]
    new_id = lambda: str(uuid.uuid4())  # noqa: E731

    refused(plant, ErrorCode.BAD_ACTION_ID, operation, Actor(user_id, station_id, "not-a-uuid"), **args)
    # Checked before the action row (whose user and station are foreign keys) is written.
    refused(plant, ErrorCode.UNKNOWN_USER, operation, Actor(999_999, station_id, new_id()), **args)
    refused(plant, ErrorCode.UNKNOWN_STATION, operation, Actor(user_id, 999_999, new_id()), **args)
    used = plant.actor(OPERATOR, "RCV-01")
    packing.open_container(plant.db, used)  # that action id now belongs to another operation
    refused(plant, ErrorCode.ACTION_ID_REUSED, operation, used, **args)

    set_column(plant, Station, Station.id == station_id, active=False)
    refused(plant, ErrorCode.UNKNOWN_STATION, operation, Actor(user_id, station_id, new_id()), **args)
    set_column(plant, Station, Station.id == station_id, active=True)
    set_column(plant, User, User.id == user_id, locked=True)
    refused(plant, ErrorCode.USER_LOCKED, operation, Actor(user_id, station_id, new_id()), **args)
    set_column(plant, User, User.id == user_id, locked=False, active=False)
    refused(plant, ErrorCode.USER_INACTIVE, operation, Actor(user_id, station_id, new_id()), **args)
    set_column(plant, User, User.id == user_id, active=True)

    # The same arguments go through for the right person at an active station: the refusals above
    # were about who and where, not about the arguments.
    assert operation(plant.db, Actor(user_id, station_id, new_id()), **args)


# --- replay ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RECEIVING_OPERATIONS)
def test_replay_returns_the_recorded_result_and_changes_nothing(plant: Plant, name: str) -> None:
    operation, badge, station, good_args = RECEIVING_OPERATIONS[name]
    replayed(plant, operation, plant.actor(badge, station), **good_args(plant))


def test_replay_of_receive_rebuilds_decimals_and_dates(plant: Plant) -> None:
    actor = receiver(plant)
    args = receive_args(item_code=PCB, supplier_code="SUP-HQ", quantity="10", packages=3)
    first = receive(plant.db, actor, **args)
    again = receive(plant.db, actor, **args)
    assert again.quantities == first.quantities
    assert all(isinstance(q, Decimal) for q in again.quantities)
    assert isinstance(again.expires_on, dt.date) and again.expires_on == first.expires_on


def test_replay_with_different_arguments_returns_the_first_result_the_action_id_wins(plant: Plant) -> None:
    actor = receiver(plant)
    first = receive(plant.db, actor, **receive_args(quantity=100, packages=2))
    after_first = snapshot(plant.db)

    again = receive(plant.db, actor, **receive_args(item_code=BATTERY, supplier_code="SUP-LI", quantity=7))

    assert again == first
    assert snapshot(plant.db) == after_first


def test_replay_of_a_release_with_different_measurements_returns_the_first_outcome(plant: Plant) -> None:
    lot_code = quarantined_pcb(plant)
    actor = inspector(plant)
    first = release_received_lot(plant.db, actor, lot_code=lot_code)
    after_first = snapshot(plant.db)
    again = release_received_lot(
        plant.db, actor, lot_code=lot_code, measurements=[Measurement("visual", passed=False)]
    )
    assert again == first
    assert snapshot(plant.db) == after_first


def test_a_refused_action_id_is_not_spent(plant: Plant) -> None:
    """Nothing is recorded for a refusal: the same action id can be sent again once it is right."""
    actor = receiver(plant)
    refused(plant, ErrorCode.UNKNOWN_SUPPLIER, receive, actor, **receive_args(supplier_code="SUP-NOPE"))
    result = receive(plant.db, actor, **receive_args())
    assert result.status == "RELEASED"
    with plant.db.session() as s:
        assert s.get(Action, actor.action_id) is not None


def test_the_largest_quantity_accepted_is_stored_exactly_on_both_databases(plant: Plant) -> None:
    largest = Decimal("999999999.999999")
    (code,) = received(plant, quantity=largest, packages=1).lot_codes
    assert plant.unit(code).quantity == largest


# --- what the receiving station reads -------------------------------------------------------------


def test_choices_are_the_suppliers_and_the_purchased_lot_tracked_items(plant: Plant) -> None:
    choices = receiving_choices(plant.db)
    assert [s.code for s in choices.suppliers] == ["SUP-CH", "SUP-HQ", "SUP-LI", "SUP-PL", "SUP-XT"]
    assert (
        choices.suppliers[1].name_en == "Huaqiang Electronics" and choices.suppliers[1].name_zh == "华强电子"
    )
    # Screws are not tracked; meters, modules and potting compound are made here, not bought.
    assert [i.code for i in choices.items] == [
        "BAT-CR",
        "BAT-CR-ALT",
        "CHIP-4G",
        "HRD-B",
        HOUSING,
        PCB,
        RESIN,
    ]
    pcb = next(i for i in choices.items if i.code == PCB)
    assert (pcb.uom, pcb.shelf_life_days, pcb.requires_inspection, pcb.gtin) == (
        "EA",
        365,
        True,
        PCB_SUPPLIER_GTIN,
    )
    set_column(plant, Item, Item.code == RESIN, active=False)
    assert RESIN not in [i.code for i in receiving_choices(plant.db).items]


def test_the_demo_suppliers_gtins_are_valid_and_not_the_plants() -> None:
    for gtin in (PCB_SUPPLIER_GTIN, HOUSING_SUPPLIER_GTIN):
        assert normalize_gtin(gtin) == gtin and gtin[1:8] == "6937654"


def test_a_plain_scan_is_a_supplier_an_item_or_else_a_supplier_lot(plant: Plant) -> None:
    before = snapshot(plant.db)
    assert read_scan(plant.db, "SUP-HQ").kind is ScanKind.SUPPLIER
    assert read_scan(plant.db, "SUP-HQ").supplier_code == "SUP-HQ"
    item = read_scan(plant.db, PCB)
    assert (item.kind, item.item_code) == (ScanKind.ITEM, PCB)
    assert read_scan(plant.db, COMPOUND).kind is ScanKind.NOT_PURCHASED  # made here, lot-tracked
    lot = read_scan(plant.db, "HQ-2024-77\r\n", supplier_code="SUP-HQ", item_code=PCB)
    assert lot == read_scan(plant.db, "HQ-2024-77")
    assert (lot.kind, lot.supplier_lot, lot.earlier_count, lot.earlier_lots) == (
        ScanKind.SUPPLIER_LOT,
        "HQ-2024-77",
        0,
        (),
    )
    assert lot.item_code is None
    assert snapshot(plant.db) == before  # reading changes nothing


def test_a_supplier_lot_received_before_is_named_with_its_lots_item_and_supplier(plant: Plant) -> None:
    first = received(plant, item_code=PCB, supplier_code="SUP-HQ", supplier_lot="HQ-9", packages=2)
    again = read_scan(plant.db, "HQ-9")
    assert (again.kind, again.earlier_count, again.earlier_lots) == (
        ScanKind.SUPPLIER_LOT,
        2,
        tuple(first.lot_codes),
    )
    assert (again.item_code, again.supplier_code) == (PCB, "SUP-HQ")  # for a form with none chosen
    assert read_scan(plant.db, "HQ-9", item_code=HOUSING).earlier_count == 0  # another item's lot
    assert read_scan(plant.db, "HQ-9", supplier_code="SUP-PL").earlier_count == 0
    received(plant, item_code=HOUSING, supplier_code="SUP-PL", supplier_lot="HQ-9")
    both = read_scan(plant.db, "HQ-9")
    assert (both.earlier_count, both.item_code, both.supplier_code) == (3, None, None)  # not one item


def test_a_suppliers_gs1_label_fills_item_lot_dates_and_quantity(plant: Plant) -> None:
    expiry = plant.today() + dt.timedelta(days=200)
    text = element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-55", expiry=expiry, quantity=250)
    label = read_scan(plant.db, text)
    assert (label.kind, label.item_code, label.supplier_lot, label.expires_on, label.quantity) == (
        ScanKind.LABEL,
        PCB,
        "HQ-55",
        expiry,
        Decimal(250),
    )
    assert label.earlier_count == 0
    # As a scanner sends it: symbology identifier, GS separators, a production date (11).
    made = plant.today() - dt.timedelta(days=3)
    scanned = f"]C101{PCB_SUPPLIER_GTIN}11{made:%y%m%d}10HQ-55{GS}30250"
    label = read_scan(plant.db, scanned)
    assert (label.manufactured_on, label.expires_on, label.quantity) == (made, None, Decimal(250))
    received(plant, item_code=PCB, supplier_code="SUP-HQ", supplier_lot="HQ-55")
    assert read_scan(plant.db, text, supplier_code="SUP-HQ").earlier_count == 1


def test_a_label_the_station_cannot_use_is_named_or_refused(plant: Plant) -> None:
    unknown = read_scan(plant.db, element_string(gtin="4006381333931", lot="X-1"))
    assert (unknown.kind, unknown.code, unknown.supplier_lot) == (
        ScanKind.UNKNOWN_GTIN,
        "04006381333931",
        "X-1",
    )
    compound = read_scan(plant.db, element_string(gtin="06901234000023", lot="NOT-OURS"))
    assert (compound.kind, compound.item_code) == (ScanKind.NOT_PURCHASED, COMPOUND)
    before = snapshot(plant.db)
    yesterday = plant.today() - dt.timedelta(days=1)
    for text, code in (
        (element_string(gtin=PCB_SUPPLIER_GTIN, lot="OLD", expiry=yesterday), ErrorCode.LOT_EXPIRED),
        (element_string(gtin="06901234000016", serial="SM1"), ErrorCode.ITEM_NOT_LOT_TRACKED),
        ("(01)06937654000016(10)X", ErrorCode.BAD_CHECK_DIGIT),
        (METER, ErrorCode.ITEM_NOT_LOT_TRACKED),
        ("L" * 65, ErrorCode.BAD_INPUT),
    ):
        with pytest.raises(DomainError) as error:
            read_scan(plant.db, text)
        assert error.value.code is code, (text, error.value)
    for form, code in (
        ({"item_code": "NOPE"}, ErrorCode.UNKNOWN_ITEM),
        ({"supplier_code": "NOPE"}, ErrorCode.UNKNOWN_SUPPLIER),
    ):
        with pytest.raises(DomainError) as error:
            read_scan(plant.db, "SUP-HQ", **form)
        assert error.value.code is code
    with pytest.raises(DomainError) as expired:
        read_scan(plant.db, element_string(gtin=PCB_SUPPLIER_GTIN, lot="OLD", expiry=yesterday))
    assert expired.value.params == {"code": "OLD", "expires_on": yesterday.isoformat()}
    assert snapshot(plant.db) == before


def test_our_own_lot_label_is_our_lot_and_an_inspector_needs_it_in_quarantine(plant: Plant) -> None:
    waiting = quarantined_pcb(plant)
    in_stock = received(plant).lot_codes[0]
    with plant.db.session() as s:
        _, fields = label_for(s, s.scalars(select(Unit).where(Unit.code == waiting)).one())
    # PCB-MAIN has the supplier's GTIN: its internal lot label is GS1, and reads back to the lot.
    assert fields["barcode"].startswith(f"(01){PCB_SUPPLIER_GTIN}(17)") and fields["barcode_gs1"] is True
    for text in (waiting, fields["barcode"], fields["link"]):
        own = read_scan(plant.db, text, inspecting=True)
        assert (own.kind, own.code, own.item_code, own.status) == (
            ScanKind.OWN_LOT,
            waiting,
            PCB,
            "QUARANTINE",
        )
        assert own.supplier_lot == "HQ-77"
    assert read_scan(plant.db, in_stock).status == "RELEASED"  # a receiver is told it is ours
    with pytest.raises(DomainError) as error:
        read_scan(plant.db, in_stock, inspecting=True)
    assert (error.value.code, error.value.params) == (
        ErrorCode.LOT_NOT_IN_QUARANTINE,
        {"code": in_stock, "status": "RELEASED"},
    )
    carton = packing.open_container(plant.db, plant.actor(OPERATOR, "PCK-01")).code
    with pytest.raises(DomainError) as error:
        read_scan(plant.db, carton)
    assert error.value.code is ErrorCode.NOT_A_LOT


def test_todays_receipts_are_todays_newest_first_with_status_now(plant: Plant) -> None:
    day_before = dt.datetime.combine(plant.today() - dt.timedelta(days=1), dt.time(12), dt.UTC)
    with simulated_clock(day_before):
        received(plant, supplier_lot="YESTERDAY")
    housing = received(plant, packages=2)
    pcb = quarantined_pcb(plant)
    release_received_lot(plant.db, inspector(plant), lot_code=pcb)

    today = todays_receipts(plant.db)
    assert today.day == plant.today()
    assert [row.lot_code for row in today.rows] == [pcb, *housing.lot_codes]
    first = today.rows[0]
    assert (first.item_code, first.item_name_en, first.supplier_code, first.supplier_lot) == (
        PCB,
        "Meter main PCB",
        "SUP-HQ",
        "HQ-77",
    )
    assert (first.quantity, first.uom, first.status) == (Decimal(50), "EA", "RELEASED")
    assert first.expires_on == plant.today() + dt.timedelta(days=365)
    assert first.received_at.date() == plant.today() and first.received_at.utcoffset() == dt.timedelta(
        hours=8
    )
    assert [row.quantity for row in today.rows[1:]] == [Decimal(50), Decimal(50)]
    assert {row.supplier_name_zh for row in today.rows[1:]} == {"东莞塑胶制品"}


def test_quarantined_lots_are_the_lots_waiting_for_inspection_oldest_first(plant: Plant) -> None:
    assert quarantined_lots(plant.db) == ()
    first, second, third = (quarantined_pcb(plant, quantity) for quantity in (10, 20, 30))
    received(plant)  # housings need no inspection
    release_received_lot(plant.db, inspector(plant), lot_code=second)
    reject_received_lot(plant.db, inspector(plant), lot_code=third, reason="no CoC")
    fourth = quarantined_pcb(plant, 40)
    waiting = quarantined_lots(plant.db)
    assert [lot.lot_code for lot in waiting] == [first, fourth]
    assert (waiting[0].item_code, waiting[0].item_name_zh, waiting[0].supplier_code) == (
        PCB,
        "电表主控板",
        "SUP-HQ",
    )
    assert (waiting[0].supplier_lot, waiting[0].quantity, waiting[0].uom) == ("HQ-77", Decimal(10), "EA")
    assert waiting[0].received_at.date() == plant.today()


# --- the same supplier label twice ----------------------------------------------------------------


def test_the_same_label_received_twice_today_is_refused_unless_it_is_another_package(plant: Plant) -> None:
    """A rescan of one label looks like a second package with the same label: the second receipt
    of the same supplier, item, supplier lot and per-package quantity today is refused, naming the
    first, until the receiver says it is another package."""
    actor = receiver(plant)
    first = receive(plant.db, actor, **receive_args(supplier_lot="PL-TWICE", quantity=40))
    error = refused(
        plant,
        ErrorCode.SAME_LABEL_RECEIVED,
        receive,
        receiver(plant),
        **receive_args(supplier_lot="PL-TWICE", quantity=40),
    )
    (lot,) = first.lot_codes
    assert {key: value for key, value in error.params.items() if key != "when"} == {
        "supplier_lot": "PL-TWICE",
        "item": HOUSING,
        "quantity": "40",
        "uom": "EA",
        "lot": lot,
    }
    assert re.fullmatch(r"\d\d:\d\d", error.params["when"])
    # A package of two in a receipt of 80 is the same per-package quantity: refused too.
    refused(
        plant,
        ErrorCode.SAME_LABEL_RECEIVED,
        receive,
        receiver(plant),
        **receive_args(supplier_lot="PL-TWICE", quantity=80, packages=2),
    )
    # Said to be another package: received, as its own lot.
    second = receive(
        plant.db, receiver(plant), **receive_args(supplier_lot="PL-TWICE", quantity=40), second_package=True
    )
    assert second.lot_codes != first.lot_codes and second.quantities == [Decimal(40)]
    with plant.db.session() as s:
        lots = s.scalars(select(Unit.quantity).where(Unit.external_code == "PL-TWICE")).all()
    assert lots == [Decimal(40), Decimal(40)]


def test_another_quantity_supplier_item_or_day_is_no_second_label(plant: Plant) -> None:
    day_before = dt.datetime.combine(plant.today() - dt.timedelta(days=1), dt.time(12), dt.UTC)
    with simulated_clock(day_before):
        received(plant, supplier_lot="PL-OLD", quantity=40)
    received(plant, supplier_lot="PL-OLD", quantity=40)  # another day: another delivery
    received(plant, supplier_lot="PL-Q", quantity=40)
    received(plant, supplier_lot="PL-Q", quantity=41)  # another quantity
    received(plant, supplier_lot="PL-Q", quantity=40, item_code=BATTERY, supplier_code="SUP-LI")
    received(plant, supplier_lot="PL-Q", quantity=40, supplier_code="SUP-HQ")
    with plant.db.session() as s:
        counted = s.scalar(
            select(func.count()).select_from(Unit).where(Unit.external_code.in_(["PL-OLD", "PL-Q"]))
        )
    assert counted == 6


def test_a_replay_of_a_recorded_receipt_is_answered_not_refused_as_the_same_label(plant: Plant) -> None:
    actor = receiver(plant)
    first = receive(plant.db, actor, **receive_args(supplier_lot="PL-RETRY"))
    assert receive(plant.db, actor.retry(), **receive_args(supplier_lot="PL-RETRY")) == first
