"""Hold, release and scrap: quality's brakes, down the genealogy and into containers."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from demo.history import seed
from demo.plant import METER, PCB
from models import auth, history, impact, quality, receiving
from models.errors import DomainError, ErrorCode
from models.impact import ImpactScope
from models.schema import Action, Event, EventRole, EventType, EventUnit, UnitStatus, User
from tests.models import flows
from tests.models.flows import PINS, refused, replayed
from tests.support import OPERATOR, QUALITY, SUPERVISOR, Plant, snapshot

PIN = PINS[QUALITY]


def inspector(plant: Plant):  # type: ignore[no-untyped-def]
    return plant.actor(QUALITY, "QA-01")


def release(plant: Plant, code: str, *, include_descendants: bool = False) -> quality.HoldResult:
    return quality.release_hold(
        plant.db,
        inspector(plant),
        unit_code=code,
        reason="cleared",
        pin=PIN,
        include_descendants=include_descendants,
    )


def unsigned(detail: dict[str, Any] | None) -> dict[str, Any]:
    """An event's detail without its signature (tested on its own)."""
    return {key: value for key, value in (detail or {}).items() if key != "signature"}


def status(plant: Plant, code: str) -> tuple[UnitStatus, UnitStatus | None]:
    unit = plant.unit(code)
    return unit.status, unit.held_from_status


# --- hold and release ---------------------------------------------------------------------------


def test_hold_and_release_a_loose_serial(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    result = quality.hold(
        plant.db, inspector(plant), unit_code=meters[0], reason=" customer complaint ", pin=PIN
    )
    assert result == quality.HoldResult(code=meters[0], changed=[meters[0]], skipped=[])
    assert status(plant, meters[0]) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)
    (held,) = flows.events(plant, meters[0], EventType.HOLD)
    assert (held.role, held.reason, held.biz_step) == (EventRole.OBJECT, "customer complaint", "holding")
    assert unsigned(held.detail) == {"include_descendants": False, "skipped": []}

    released = release(plant, meters[0])
    assert released == quality.HoldResult(code=meters[0], changed=[meters[0]])
    assert status(plant, meters[0]) == (UnitStatus.RELEASED, None)
    (freed,) = flows.events(plant, meters[0], EventType.RELEASE)
    assert (freed.role, freed.reason) == (EventRole.OBJECT, "cleared")


def test_a_supervisor_may_hold_too(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    quality.hold(
        plant.db,
        plant.actor(SUPERVISOR, "QA-01"),
        unit_code=meters[0],
        reason="seen on the line",
        pin=PINS[SUPERVISOR],
    )
    assert plant.unit(meters[0]).status is UnitStatus.ON_HOLD


def test_a_held_packed_serial_is_released_back_into_its_carton(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    flows.hold(plant, meters[0])
    assert status(plant, meters[0]) == (UnitStatus.ON_HOLD, UnitStatus.PACKED)
    assert plant.unit(meters[0]).container_id == plant.unit(carton).id
    assert plant.unit(carton).status is UnitStatus.CLOSED  # only what was asked for
    release(plant, meters[0])
    assert status(plant, meters[0]) == (UnitStatus.PACKED, None)
    assert plant.unit(meters[0]).container_id == plant.unit(carton).id


def test_a_hold_on_a_pallet_reaches_every_carton_and_serial_in_it(plant: Plant) -> None:
    meters = flows.released_meters(plant, 3)
    cartons = [flows.carton(plant, meters[:2]), flows.carton(plant, meters[2:])]
    pallet = flows.pallet(plant, cartons)

    result = flows.hold(plant, pallet, include_descendants=True)
    assert result.changed[0] == pallet and sorted(result.changed[1:]) == sorted([*cartons, *meters])
    assert result.skipped == []
    assert status(plant, pallet) == (UnitStatus.ON_HOLD, UnitStatus.CLOSED)
    assert [status(plant, c) for c in cartons] == [(UnitStatus.ON_HOLD, UnitStatus.PACKED)] * 2
    assert [status(plant, m) for m in meters] == [(UnitStatus.ON_HOLD, UnitStatus.PACKED)] * 3
    (held,) = flows.events(plant, meters[2], EventType.HOLD)
    assert unsigned(held.detail) == {"include_descendants": True, "skipped": []}

    released = release(plant, pallet, include_descendants=True)
    assert sorted(released.changed) == sorted([pallet, *cartons, *meters])
    assert status(plant, pallet) == (UnitStatus.CLOSED, None)
    assert [status(plant, c)[0] for c in [*cartons, *meters]] == [UnitStatus.PACKED] * 5


def test_a_hold_without_descendants_leaves_the_contents_alone(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    assert flows.hold(plant, carton).changed == [carton]
    assert plant.unit(meters[0]).status is UnitStatus.PACKED


def test_a_suspect_pcb_lot_holds_every_meter_made_from_it(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3)
    shipped, packed, loose = batch.meters
    flows.ship(plant, [shipped], {METER: 1})
    carton = flows.carton(plant, [packed])
    production_lot = f"{batch.work_order}-P"

    result = flows.hold(plant, batch.pcb_lot, include_descendants=True, reason="supplier notice 8D-114")
    assert result.code == batch.pcb_lot
    assert set(result.changed) == {batch.pcb_lot, production_lot, packed, loose}
    assert result.skipped == [shipped]
    assert status(plant, batch.pcb_lot) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)
    assert status(plant, packed) == (UnitStatus.ON_HOLD, UnitStatus.PACKED)
    assert status(plant, loose) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)
    assert plant.unit(shipped).status is UnitStatus.SHIPPED
    # Made from the lot, not inside anything made from it: neither the carton nor other material.
    assert plant.unit(carton).status is UnitStatus.CLOSED
    assert plant.unit(batch.housing_lot).status is UnitStatus.RELEASED
    assert [e.reason for e in flows.events(plant, loose, EventType.HOLD)] == ["supplier notice 8D-114"]
    (event,) = flows.events(plant, batch.pcb_lot, EventType.HOLD)
    assert unsigned(event.detail) == {"include_descendants": True, "skipped": [shipped]}

    # The carton with a held meter cannot leave until the lot is cleared.
    code = flows.shipment(plant, {METER: 1})
    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.add(plant, code, carton))
    released = release(plant, batch.pcb_lot, include_descendants=True)
    assert set(released.changed) == {batch.pcb_lot, production_lot, packed, loose}
    assert status(plant, packed) == (UnitStatus.PACKED, None)
    assert status(plant, loose) == (UnitStatus.RELEASED, None)
    assert flows.add(plant, code, carton).complete


def test_a_chip_lot_hold_reaches_meters_through_their_built_in_modules(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2, spare_modules=1)
    result = flows.hold(plant, batch.chip_lot, include_descendants=True)
    assert set(result.changed) == {
        batch.chip_lot,
        f"{batch.module_work_order}-P",
        batch.spare_modules[0],
        *batch.meters,
    }
    assert sorted(result.skipped) == sorted(batch.modules)  # built in: consumed, past holding
    assert [plant.unit(m).status for m in batch.meters] == [UnitStatus.ON_HOLD] * 2


def test_a_used_up_unit_still_holds_what_was_made_from_it(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2)
    module = batch.modules[0]
    assert plant.unit(module).status is UnitStatus.CONSUMED
    refused(plant, ErrorCode.UNIT_CONSUMED, lambda: flows.hold(plant, module))

    result = flows.hold(plant, module, include_descendants=True)
    assert result == quality.HoldResult(code=module, changed=[batch.meters[0]], skipped=[module])
    assert plant.unit(module).status is UnitStatus.CONSUMED
    assert plant.unit(batch.meters[1]).status is UnitStatus.RELEASED

    refused(plant, ErrorCode.UNIT_NOT_ON_HOLD, lambda: release(plant, module))
    assert release(plant, module, include_descendants=True).changed == [batch.meters[0]]
    assert status(plant, batch.meters[0]) == (UnitStatus.RELEASED, None)
    assert plant.unit(module).status is UnitStatus.CONSUMED
    # Nothing held through it any more: nothing to release.
    refused(plant, ErrorCode.UNIT_NOT_ON_HOLD, lambda: release(plant, module, include_descendants=True))


def test_a_hold_through_a_unit_with_nothing_left_to_hold_is_refused(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    flows.ship(plant, meters, {METER: 1})
    error = refused(
        plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.hold(plant, meters[0], include_descendants=True)
    )
    assert error.params == {"code": meters[0], "status": "SHIPPED"}


def test_a_held_wip_serial_goes_back_on_its_route(plant: Plant) -> None:
    batch = flows.build_meters(plant, 0)
    wip = flows.extra_meter(plant, batch)
    flows.hold(plant, wip)
    assert status(plant, wip) == (UnitStatus.ON_HOLD, UnitStatus.WIP)
    release(plant, wip)
    assert status(plant, wip) == (UnitStatus.WIP, None)


# --- scrap --------------------------------------------------------------------------------------


def test_scrap_a_loose_serial(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    result = quality.scrap(plant.db, inspector(plant), unit_code=meters[0], reason=" dropped ", pin=PIN)
    assert result == quality.ScrapResult(code=meters[0], quantity=Decimal(1), status="SCRAPPED")
    unit = plant.unit(meters[0])
    assert (unit.status, unit.quantity) == (UnitStatus.SCRAPPED, 0)
    (event,) = flows.events(plant, meters[0], EventType.SCRAP)
    assert (event.role, event.quantity, event.reason, event.biz_step) == (
        EventRole.OBJECT,
        1,
        "dropped",
        "destroying",
    )


def test_a_scrapped_serial_leaves_its_carton(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters)
    flows.scrap(plant, meters[0])
    unit = plant.unit(meters[0])
    assert (unit.status, unit.container_id) == (UnitStatus.SCRAPPED, None)
    assert plant.unit(carton).quantity == 1
    (parent,) = flows.events(plant, carton, EventType.SCRAP)
    assert parent.role is EventRole.PARENT
    code = flows.shipment(plant, {METER: 1})
    assert flows.add(plant, code, carton).lines[0].picked == 1


def test_scrap_part_of_a_lot_then_the_rest(plant: Plant) -> None:
    lot = flows.compound_lot(plant, 50)
    result = flows.scrap(plant, lot, "12.5")
    assert result == quality.ScrapResult(code=lot, quantity=Decimal("12.5"), status="RELEASED")
    assert (plant.unit(lot).quantity, plant.unit(lot).status) == (Decimal("37.5"), UnitStatus.RELEASED)
    assert flows.scrap(plant, lot).quantity == Decimal("37.5")
    assert (plant.unit(lot).quantity, plant.unit(lot).status) == (0, UnitStatus.SCRAPPED)
    assert [e.quantity for e in flows.events(plant, lot, EventType.SCRAP)] == [
        Decimal("12.5"),
        Decimal("37.5"),
    ]


def test_scrap_part_of_a_packed_lot_lowers_its_carton(plant: Plant) -> None:
    lot = flows.compound_lot(plant, 20)
    carton = flows.open_container(plant)
    flows.pack(plant, carton, lot)
    flows.scrap(plant, lot, 5)
    assert plant.unit(carton).quantity == 15
    assert (plant.unit(lot).status, plant.unit(lot).quantity) == (UnitStatus.PACKED, 15)


def test_a_held_unit_may_be_scrapped(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    flows.hold(plant, meters[0])
    assert flows.scrap(plant, meters[0]).status == "SCRAPPED"
    assert status(plant, meters[0]) == (UnitStatus.SCRAPPED, None)


# --- refusals -----------------------------------------------------------------------------------


def test_only_quality_holds_releases_and_scraps(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    flows.hold(plant, meters[1])
    operator = plant.actor(OPERATOR, "QA-01")
    error = refused(
        plant,
        ErrorCode.ROLE_REQUIRED,
        lambda: quality.hold(
            plant.db, operator, unit_code=meters[0], reason="looks wrong", pin=PINS[OPERATOR]
        ),
    )
    assert set(error.params["roles"]) == {"quality", "supervisor", "admin"}
    refused(
        plant,
        ErrorCode.ROLE_REQUIRED,
        lambda: quality.release_hold(
            plant.db, plant.actor(OPERATOR, "QA-01"), unit_code=meters[1], reason="ok", pin=PINS[OPERATOR]
        ),
    )
    refused(
        plant,
        ErrorCode.ROLE_REQUIRED,
        lambda: quality.scrap(
            plant.db, plant.actor(OPERATOR, "QA-01"), unit_code=meters[0], reason="broken", pin=PINS[OPERATOR]
        ),
    )


def test_hold_release_and_scrap_need_a_reason(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    flows.hold(plant, meters[1])
    for reason in ("", "  ", None):
        refused(
            plant,
            ErrorCode.REASON_REQUIRED,
            lambda reason=reason: quality.hold(
                plant.db, inspector(plant), unit_code=meters[0], reason=reason, pin=PIN
            ),
        )
        refused(
            plant,
            ErrorCode.REASON_REQUIRED,
            lambda reason=reason: quality.release_hold(
                plant.db, inspector(plant), unit_code=meters[1], reason=reason, pin=PIN
            ),
        )
        refused(
            plant,
            ErrorCode.REASON_REQUIRED,
            lambda reason=reason: quality.scrap(
                plant.db, inspector(plant), unit_code=meters[0], reason=reason, pin=PIN
            ),
        )


def test_hold_and_release_refuse_units_in_the_wrong_state(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3)
    held, shipped, scrapped = batch.meters
    flows.hold(plant, held)
    flows.ship(plant, [shipped], {METER: 1})
    flows.scrap(plant, scrapped)
    rejected = flows.receive_lot(plant, PCB, "SUP-HQ", 10)
    receiving.reject_received_lot(plant.db, inspector(plant), lot_code=rejected, reason="solder voids")

    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.hold(plant, held))
    refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.hold(plant, shipped))
    refused(plant, ErrorCode.UNIT_SCRAPPED, lambda: flows.hold(plant, scrapped))
    refused(plant, ErrorCode.UNIT_CONSUMED, lambda: flows.hold(plant, batch.modules[0]))
    refused(plant, ErrorCode.UNIT_NOT_RELEASED, lambda: flows.hold(plant, rejected))
    refused(plant, ErrorCode.UNIT_NOT_RELEASED, lambda: flows.hold(plant, rejected, include_descendants=True))
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: flows.hold(plant, "NO-SUCH-UNIT"))
    error = refused(plant, ErrorCode.UNIT_NOT_ON_HOLD, lambda: release(plant, batch.housing_lot))
    assert error.params == {"code": batch.housing_lot, "status": "RELEASED"}
    refused(plant, ErrorCode.UNIT_NOT_ON_HOLD, lambda: release(plant, shipped))
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: release(plant, "NO-SUCH-UNIT"))


def test_scrap_refuses_containers_and_what_is_gone(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3)
    carton = flows.carton(plant, batch.meters[:1])
    flows.ship(plant, batch.meters[1:2], {METER: 1})
    flows.scrap(plant, batch.meters[2])
    refused(plant, ErrorCode.CANNOT_SCRAP_CONTAINER, lambda: flows.scrap(plant, carton))
    empty = flows.open_container(plant)
    refused(plant, ErrorCode.CANNOT_SCRAP_CONTAINER, lambda: flows.scrap(plant, empty))
    refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.scrap(plant, batch.meters[1]))
    refused(plant, ErrorCode.UNIT_SCRAPPED, lambda: flows.scrap(plant, batch.meters[2]))
    refused(plant, ErrorCode.UNIT_CONSUMED, lambda: flows.scrap(plant, batch.modules[0]))
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: flows.scrap(plant, "NO-SUCH-UNIT"))
    # A work order's production lot holds nothing of its own to destroy.
    error = refused(
        plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.scrap(plant, f"{batch.work_order}-P")
    )
    assert Decimal(error.params["available"]) == 0


def test_scrap_refuses_bad_quantities(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    lot = flows.compound_lot(plant, 10)
    for bad in ("0", "-2", "lots", "Infinity"):
        refused(plant, ErrorCode.BAD_QUANTITY, lambda bad=bad: flows.scrap(plant, lot, bad))
    error = refused(plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.scrap(plant, lot, 11))
    assert (Decimal(error.params["available"]), Decimal(error.params["requested"])) == (10, 11)
    refused(plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.scrap(plant, meters[0], 2))
    refused(plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.scrap(plant, meters[0], "0.5"))
    assert flows.scrap(plant, meters[0], 1).status == "SCRAPPED"


# --- replay -------------------------------------------------------------------------------------


def test_every_quality_operation_replays_its_first_result(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2)
    lot = flows.compound_lot(plant, 10)

    held = replayed(
        plant,
        quality.hold,
        inspector(plant),
        unit_code=batch.pcb_lot,
        reason="notice",
        pin=PIN,
        include_descendants=True,
    )
    assert set(batch.meters) <= set(held.changed)
    released = replayed(
        plant,
        quality.release_hold,
        inspector(plant),
        unit_code=batch.pcb_lot,
        reason="ok",
        pin=PIN,
        include_descendants=True,
    )
    assert set(released.changed) == set(held.changed)
    assert replayed(
        plant, quality.scrap, inspector(plant), unit_code=lot, reason="spilt", pin=PIN, quantity="2.5"
    ).quantity == Decimal("2.5")
    assert plant.unit(lot).quantity == Decimal("7.5")
    scrapped = replayed(
        plant, quality.scrap, inspector(plant), unit_code=batch.meters[0], reason="cracked", pin=PIN
    )
    assert scrapped.status == "SCRAPPED"


# --- the electronic signature (21 CFR 11.50, 11.200) ---------------------------------------------


def without_users(db_snapshot: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """A snapshot but the users' rows: a refused signature changes nothing else."""
    return {table: rows for table, rows in db_snapshot.items() if table != "app_user"}


def wrong_pins(plant: Plant, badge: str = QUALITY) -> tuple[int, bool]:
    with plant.db.session() as session:
        user = session.scalars(select(User).where(User.badge_code == badge)).one()
        return user.failed_pin_count, user.locked


def refused_signature(plant: Plant, code: ErrorCode, call: Callable[[], object]) -> DomainError:
    """`call` is refused with `code`; nothing but the count of wrong PINs changed."""
    before = snapshot(plant.db)
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code is code, caught.value
    assert without_users(snapshot(plant.db)) == without_users(before)
    return caught.value


def signature(plant: Plant, code: str, event_type: EventType) -> dict[str, str]:
    (event,) = flows.events(plant, code, event_type)
    assert event.detail is not None
    return event.detail["signature"]


def test_a_signed_hold_records_who_signed_when_and_what_it_meant_and_stops_shipping(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    flows.hold(plant, meters[0], reason="customer complaint")

    signed = signature(plant, meters[0], EventType.HOLD)
    assert {key: signed[key] for key in ("meaning", "signer_name", "signer_badge")} == {
        "meaning": "hold",
        "signer_name": "刘洋 Liu Yang",
        "signer_badge": QUALITY,
    }
    with plant.db.session() as session:
        event = session.scalars(select(Event).where(Event.event_type == EventType.HOLD)).one()
        signed_at = dt.datetime.fromisoformat(signed["signed_at"])
        # The plant's wall clock with its offset, the very moment the event was recorded.
        assert signed_at.utcoffset() == dt.timedelta(hours=8) and event.tz_offset == "+08:00"
        assert signed_at == event.occurred_at.replace(tzinfo=event.occurred_at.tzinfo or dt.UTC)

    # The audit record: the unit's timeline and its signatures.
    (entry,) = [e for e in history.history(plant.db, meters[0]).entries if e.event_type == "HOLD"]
    assert (entry.operator_badge, entry.reason_text) == (QUALITY, "customer complaint")
    (record,) = quality.signatures(plant.db, meters[0])
    assert (record.event_id, record.meaning, record.signer_badge, record.reason) == (
        entry.event_id,
        "hold",
        QUALITY,
        "customer complaint",
    )
    assert record.signed_at == signed_at

    # The bar: what was held under this signature cannot leave.
    code = flows.shipment(plant, {METER: 1})
    error = refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.add(plant, code, meters[0]))
    assert error.params["code"] == meters[0]


def test_release_and_scrap_are_signed_with_their_meaning(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    flows.hold(plant, meters[0])
    release(plant, meters[0])
    flows.scrap(plant, meters[1])
    assert signature(plant, meters[0], EventType.RELEASE)["meaning"] == "release"
    assert signature(plant, meters[1], EventType.SCRAP)["meaning"] == "scrap"
    assert [(r.event_type, r.meaning) for r in quality.signatures(plant.db, meters[0])] == [
        ("HOLD", "hold"),
        ("RELEASE", "release"),
    ]
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: quality.signatures(plant.db, "NO-SUCH-UNIT"))


def test_a_wrong_pin_refuses_every_signed_action_changes_nothing_and_counts(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2)
    held, loose = batch.meters
    flows.hold(plant, held)
    scope = ImpactScope(codes=(batch.pcb_lot,))
    actions: list[Callable[[], object]] = [
        lambda: quality.hold(plant.db, inspector(plant), unit_code=loose, reason="suspect", pin="0000"),
        lambda: quality.release_hold(plant.db, inspector(plant), unit_code=held, reason="ok", pin="0000"),
        lambda: quality.scrap(plant.db, inspector(plant), unit_code=loose, reason="broken", pin="9999"),
        lambda: quality.hold_affected(plant.db, inspector(plant), scope=scope, reason="notice", pin=""),
    ]
    for attempt, action in enumerate(actions, start=1):
        error = refused_signature(plant, ErrorCode.WRONG_PIN, action)
        assert error.params == {"user": "刘洋 Liu Yang", "remaining": 5 - attempt}
        assert wrong_pins(plant) == (attempt, False)
    assert plant.unit(loose).status is UnitStatus.RELEASED and plant.unit(held).status is UnitStatus.ON_HOLD

    # A wrong PIN counts even when the action would have been refused for another reason.
    refused_signature(
        plant,
        ErrorCode.USER_LOCKED,
        lambda: quality.hold(plant.db, inspector(plant), unit_code=held, reason="", pin="1111"),
    )
    assert wrong_pins(plant) == (5, True)
    # Locked, the right PIN no longer signs, nor logs in, until a supervisor unlocks the badge.
    refused(plant, ErrorCode.USER_LOCKED, lambda: flows.hold(plant, loose))
    refused(plant, ErrorCode.USER_LOCKED, lambda: auth.authenticate(plant.db, QUALITY, PIN))
    auth.unlock(plant.db, auth.authenticate(plant.db, SUPERVISOR, PINS[SUPERVISOR]), QUALITY)
    assert flows.hold(plant, loose).changed == [loose]
    assert wrong_pins(plant) == (0, False)


def test_the_right_pin_clears_earlier_wrong_ones(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    refused_signature(
        plant,
        ErrorCode.WRONG_PIN,
        lambda: quality.hold(plant.db, inspector(plant), unit_code=meters[0], reason="x", pin="2468"),
    )
    assert wrong_pins(plant) == (1, False)
    flows.hold(plant, meters[0])
    assert wrong_pins(plant) == (0, False)


def test_a_replayed_signed_action_is_not_signed_again(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    actor = inspector(plant)
    first = quality.hold(plant.db, actor, unit_code=meters[0], reason="suspect", pin=PIN)
    # The action happened: its retry answers with its result and records nothing, PIN or not.
    before = snapshot(plant.db)
    assert quality.hold(plant.db, actor.retry(), unit_code=meters[0], reason="suspect", pin="0000") == first
    assert snapshot(plant.db) == before


# --- holding everything a recall finds -------------------------------------------------------------


def supplier_lot(plant: Plant, lot: str) -> str:
    external = plant.unit(lot).external_code
    assert external is not None
    return external


def test_hold_affected_holds_what_a_supplier_lot_recall_finds_that_has_not_left(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3)
    shipped, packed, loose = batch.meters
    flows.ship(plant, [shipped], {METER: 1})
    carton = flows.carton(plant, [packed])
    production_lot = f"{batch.work_order}-P"
    scope = ImpactScope(supplier_code="SUP-HQ", supplier_lot=supplier_lot(plant, batch.pcb_lot))

    result = quality.hold_affected(
        plant.db, inspector(plant), scope=scope, reason="supplier notice 8D-114", pin=PIN
    )
    assert result == quality.AffectedHoldResult(held=4, skipped={"SHIPPED": 1})
    assert status(plant, batch.pcb_lot) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)
    assert status(plant, production_lot) == (UnitStatus.ON_HOLD, UnitStatus.WIP)
    assert status(plant, packed) == (UnitStatus.ON_HOLD, UnitStatus.PACKED)
    assert status(plant, loose) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)
    assert plant.unit(shipped).status is UnitStatus.SHIPPED
    # The carton is where a held meter sits, not what was made from the lot: it stays as it was.
    assert status(plant, carton) == (UnitStatus.CLOSED, None)
    assert plant.unit(batch.housing_lot).status is UnitStatus.RELEASED

    # One action, one HOLD event naming every unit it held, signed.
    (action,) = flows.rows(plant, Action, Action.operation == "hold_affected")
    (event,) = flows.rows(plant, Event, Event.action_id == action.id)
    assert (event.event_type, event.reason_text, event.biz_step) == (
        EventType.HOLD,
        "supplier notice 8D-114",
        "holding",
    )
    assert event.detail is not None
    assert event.detail["scope"] == {"supplier_code": "SUP-HQ", "supplier_lot": scope.supplier_lot}
    assert event.detail["skipped"] == {"SHIPPED": 1}
    assert event.detail["signature"]["meaning"] == "hold_affected"
    members = flows.rows(plant, EventUnit, EventUnit.event_id == event.id)
    assert {row.role for row in members} == {EventRole.OBJECT}
    assert {row.unit_id for row in members} == {
        plant.unit(code).id for code in (batch.pcb_lot, production_lot, packed, loose)
    }
    assert [r.meaning for r in quality.signatures(plant.db, loose)] == ["hold_affected"]

    # The bar: nothing held leaves, packed or loose.
    code = flows.shipment(plant, {METER: 2})
    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.add(plant, code, carton))
    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.add(plant, code, loose))

    # The same recall again has nothing left to hold; the release of the lot frees it all.
    refused(
        plant,
        ErrorCode.UNIT_ON_HOLD,
        lambda: quality.hold_affected(plant.db, inspector(plant), scope=scope, reason="again", pin=PIN),
    )
    assert set(release(plant, batch.pcb_lot, include_descendants=True).changed) == {
        batch.pcb_lot,
        production_lot,
        packed,
        loose,
    }
    assert status(plant, packed) == (UnitStatus.PACKED, None)
    assert flows.add(plant, code, carton).lines[0].picked == 1


def test_hold_affected_counts_what_it_leaves_by_status(plant: Plant) -> None:
    batch = flows.build_meters(plant, 4)
    held, shipped, scrapped, free = batch.meters
    flows.hold(plant, held)
    flows.ship(plant, [shipped], {METER: 1})
    flows.scrap(plant, scrapped)
    # The chips went into the modules (used up), the modules into the meters.
    result = quality.hold_affected(
        plant.db, inspector(plant), scope=ImpactScope(codes=(batch.chip_lot,)), reason="chip notice", pin=PIN
    )
    assert result.skipped == {"CONSUMED": 4, "ON_HOLD": 1, "SCRAPPED": 1, "SHIPPED": 1}
    # The chip lot, the module work order's lot and the one meter still free.
    assert result.held == 3
    assert plant.unit(free).status is UnitStatus.ON_HOLD
    assert status(plant, held) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)  # held once, not twice


def test_hold_affected_refusals_change_nothing(plant: Plant) -> None:
    batch = flows.build_meters(plant, 1)
    flows.ship(plant, batch.meters, {METER: 1})

    def hold_affected(scope: ImpactScope, reason: str = "notice", badge: str = QUALITY) -> object:
        return quality.hold_affected(
            plant.db, plant.actor(badge, "QA-01"), scope=scope, reason=reason, pin=PINS[badge]
        )

    error = refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: hold_affected(ImpactScope(codes=batch.meters)))
    assert error.params == {"code": batch.meters[0], "status": "SHIPPED"}
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: hold_affected(ImpactScope(supplier_lot="NO-SUCH-LOT")))
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: hold_affected(ImpactScope(codes=("NO-SUCH-UNIT",))))
    refused(plant, ErrorCode.UNKNOWN_SUPPLIER, lambda: hold_affected(ImpactScope(supplier_code="SUP-NONE")))
    refused(plant, ErrorCode.BAD_INPUT, lambda: hold_affected(ImpactScope()))
    scope = ImpactScope(codes=(batch.pcb_lot,))
    refused(plant, ErrorCode.REASON_REQUIRED, lambda: hold_affected(scope, reason=" "))
    refused(plant, ErrorCode.ROLE_REQUIRED, lambda: hold_affected(scope, badge=OPERATOR))


def test_hold_affected_replays_its_first_result(plant: Plant) -> None:
    batch = flows.build_meters(plant, 1)
    result = replayed(
        plant,
        quality.hold_affected,
        inspector(plant),
        scope=ImpactScope(codes=(batch.housing_lot,)),
        reason="notice",
        pin=PIN,
    )
    assert result.held == 3 and result.skipped == {}


def test_hold_affected_on_the_demo_plant_agrees_with_the_recall_counts(
    plant: Plant, record_property: Callable[[str, object], None]
) -> None:
    """The measurement the brief asks for (no timing assertion): a supplier-lot recall of the demo
    history, held in one action, against what models.impact counts for the same scope."""
    seed(plant.db)
    scope = ImpactScope(supplier_lot="XT-4G-55120")  # the 4G chips: modules, then the meters
    summary = impact.impact_summary(plant.db, scope)
    expected_held = sum(
        n for status, n in summary.by_status.items() if UnitStatus(status) not in quality.NOT_HELD_AGAIN
    )
    expected_skipped = {
        status: n for status, n in summary.by_status.items() if UnitStatus(status) in quality.NOT_HELD_AGAIN
    }
    assert expected_held and expected_skipped.get("SHIPPED")

    started = time.perf_counter()
    result = quality.hold_affected(plant.db, inspector(plant), scope=scope, reason="chip notice", pin=PIN)
    elapsed = time.perf_counter() - started
    record_property("hold_affected_seconds", round(elapsed, 3))
    print(f"hold_affected on the demo plant ({plant.backend}): {result.held} held in {elapsed:.3f} s")

    assert result.held == expected_held
    assert result.skipped == dict(sorted(expected_skipped.items()))
    after = impact.impact_summary(plant.db, scope)
    assert after.by_status.get("ON_HOLD", 0) == expected_held + expected_skipped.get("ON_HOLD", 0)
    assert after.by_status.get("SHIPPED") == summary.by_status["SHIPPED"]


def test_hold_affected_by_an_operator_over_a_time_window(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2)
    now = dt.datetime.now(dt.UTC)
    past = ImpactScope(operator_badge=OPERATOR, until=now - dt.timedelta(days=1))
    refused(
        plant,
        ErrorCode.NOTHING_TO_TRACE,
        lambda: quality.hold_affected(plant.db, inspector(plant), scope=past, reason="audit", pin=PIN),
    )
    window = ImpactScope(
        operator_badge=OPERATOR, since=now - dt.timedelta(hours=1), until=now + dt.timedelta(hours=1)
    )
    result = quality.hold_affected(plant.db, inspector(plant), scope=window, reason="audit", pin=PIN)
    assert {plant.unit(code).status for code in batch.meters} == {UnitStatus.ON_HOLD}
    # Each unit once (the recall's list names a unit once per event of the operator's it took part in).
    listed = {row.code: row.status for rows in impact.impact_rows(plant.db, window) for row in rows}
    assert result.held == sum(1 for status in listed.values() if status == "ON_HOLD")
    assert result.skipped == {"CONSUMED": sum(1 for status in listed.values() if status == "CONSUMED")}
    (event,) = flows.rows(plant, Event, Event.event_type == EventType.HOLD)
    assert event.detail is not None and set(event.detail["scope"]) == {"operator_badge", "since", "until"}
