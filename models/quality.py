"""Hold, release and scrap: quality's brakes on anything traceable.

A hold keeps the status it interrupted (held_from_status) so that a release puts the unit back
exactly where it was: packed stays packed, in stock stays in stock. A hold can reach everything
made from the unit or packed inside it, which is what a suspect supplier lot calls for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from models.actions import QUALITY, Ctx, operation
from models.errors import DomainError, ErrorCode
from models.lookup import positive_quantity, require_reason, unit_by_code
from models.schema import EventRole, EventType, Unit, UnitKind, UnitStatus
from models.units import descendants

# Units past the point where a hold means anything: they are gone or used up.
BEYOND_HOLD = frozenset({UnitStatus.SHIPPED, UnitStatus.SCRAPPED, UnitStatus.CONSUMED, UnitStatus.REJECTED})


@dataclass(frozen=True)
class HoldResult:
    code: str
    changed: list[str]
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScrapResult:
    code: str
    quantity: Decimal
    status: str


@operation("hold", QUALITY)
def hold(ctx: Ctx, *, unit_code: str, reason: str, include_descendants: bool = False) -> HoldResult:
    """Block a unit (and, if asked, everything made from it or inside it) from any further use.

    Descendants that already left or were used up are listed as skipped, not refused: the hold is
    about what can still be stopped; the trace tells where the rest went. So is the unit itself
    when it is used up or gone and its descendants are asked for (a consumed supplier lot).
    """
    reason = require_reason(reason)
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    if unit.status is UnitStatus.ON_HOLD:
        raise DomainError(ErrorCode.UNIT_ON_HOLD, code=unit.code)
    # A suspect lot used up in production (or a component built in) is the usual start of a hold
    # on what was made from it: the unit itself is past holding, what it went into may not be.
    beyond = unit.status in BEYOND_HOLD
    if beyond and not include_descendants:
        raise DomainError(_beyond_code(unit.status), code=unit.code, status=unit.status.value)
    targets = [] if beyond else [unit]
    skipped: list[str] = [unit.code] if beyond else []
    if include_descendants:
        for other in descendants(ctx.session, unit.id, lock=True):
            if other.status is UnitStatus.ON_HOLD or other.status in BEYOND_HOLD:
                skipped.append(other.code)
            else:
                targets.append(other)
    if not targets:
        raise DomainError(_beyond_code(unit.status), code=unit.code, status=unit.status.value)
    for target in targets:
        target.held_from_status = target.status
        target.status = UnitStatus.ON_HOLD
    ctx.event(
        EventType.HOLD,
        [(target, EventRole.OBJECT, None) for target in targets],
        biz_step="holding",
        disposition="non_sellable_other",
        reason_text=reason,
        detail={"include_descendants": include_descendants, "skipped": skipped},
    )
    return HoldResult(code=unit.code, changed=[target.code for target in targets], skipped=skipped)


@operation("release_hold", QUALITY)
def release_hold(ctx: Ctx, *, unit_code: str, reason: str, include_descendants: bool = False) -> HoldResult:
    reason = require_reason(reason)
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    # The counterpart of a hold placed through a used-up unit: release what was held through it.
    through = include_descendants and unit.status in BEYOND_HOLD
    if unit.status is not UnitStatus.ON_HOLD and not through:
        raise DomainError(ErrorCode.UNIT_NOT_ON_HOLD, code=unit.code, status=unit.status.value)
    targets = [] if through else [unit]
    if include_descendants:
        targets += [
            other
            for other in descendants(ctx.session, unit.id, lock=True)
            if other.status is UnitStatus.ON_HOLD
        ]
    if not targets:
        raise DomainError(ErrorCode.UNIT_NOT_ON_HOLD, code=unit.code, status=unit.status.value)
    for target in targets:
        target.status = target.held_from_status or UnitStatus.RELEASED
        target.held_from_status = None
    ctx.event(
        EventType.RELEASE,
        [(target, EventRole.OBJECT, None) for target in targets],
        biz_step="holding",
        disposition="active",
        reason_text=reason,
    )
    return HoldResult(code=unit.code, changed=[target.code for target in targets])


@operation("scrap", QUALITY)
def scrap(
    ctx: Ctx, *, unit_code: str, reason: str, quantity: Decimal | int | str | None = None
) -> ScrapResult:
    """Destroy a serial, or a lot or part of one; a scrapped unit leaves its carton."""
    reason = require_reason(reason)
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    if unit.kind is UnitKind.CONTAINER:
        raise DomainError(ErrorCode.CANNOT_SCRAP_CONTAINER, code=unit.code)
    if unit.status in (UnitStatus.SHIPPED, UnitStatus.SCRAPPED, UnitStatus.CONSUMED):
        raise DomainError(_beyond_code(unit.status), code=unit.code, status=unit.status.value)
    amount = unit.quantity if quantity is None else positive_quantity(quantity)
    # Nothing to destroy (a work order's production lot holds no quantity of its own): refuse.
    if amount == 0 or amount > unit.quantity or (unit.kind is UnitKind.SERIAL and amount != unit.quantity):
        raise DomainError(
            ErrorCode.LOT_INSUFFICIENT_QUANTITY,
            code=unit.code,
            available=str(unit.quantity),
            requested=str(amount),
        )
    container = ctx.session.get(Unit, unit.container_id) if unit.container_id else None
    unit.quantity -= amount
    if unit.quantity == 0:
        unit.status = UnitStatus.SCRAPPED
        unit.held_from_status = None
        unit.container_id = None
    if container is not None:
        ctx.session.refresh(container, with_for_update=True)
        container.quantity -= amount
    ctx.event(
        EventType.SCRAP,
        [(unit, EventRole.OBJECT, amount), *([(container, EventRole.PARENT, None)] if container else [])],
        biz_step="destroying",
        disposition="destroyed",
        reason_text=reason,
    )
    return ScrapResult(code=unit.code, quantity=amount, status=unit.status.value)


def _beyond_code(status: UnitStatus) -> ErrorCode:
    return {
        UnitStatus.SHIPPED: ErrorCode.ALREADY_SHIPPED,
        UnitStatus.SCRAPPED: ErrorCode.UNIT_SCRAPPED,
        UnitStatus.CONSUMED: ErrorCode.UNIT_CONSUMED,
        UnitStatus.REJECTED: ErrorCode.UNIT_NOT_RELEASED,
    }[status]
