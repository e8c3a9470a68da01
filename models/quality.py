"""Hold, release and scrap: quality's brakes on anything traceable, each signed electronically.

A hold keeps the status it interrupted (held_from_status) so that a release puts the unit back
exactly where it was: packed stays packed, in stock stays in stock. A hold can reach everything
made from the unit or packed inside it, which is what a suspect supplier lot calls for; a recall's
hold (`hold_affected`) reaches everything the recall finds that can still be stopped, in one action.

Every one of them is signed (21 CFR 11.50, 11.200): the acting user re-enters the PIN, which is
checked in the action's own transaction, and the signer's printed name and badge, the time and the
meaning of the signature are stored in the detail of every event the action writes. A wrong PIN is
refused and counts toward the same lockout as a wrong PIN at login.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, bindparam, text

from models.actions import QUALITY, Actor, Ctx, operation, to_jsonable
from models.auth import count_wrong_pin, pin_matches
from models.db import Database, rowcount
from models.errors import DomainError, ErrorCode
from models.history import history
from models.impact import ImpactScope
from models.impact import _seeds as recall_seeds  # the very starting units of a recall's list
from models.lookup import positive_quantity, require_reason, unit_by_code
from models.schema import EventRole, EventType, Unit, UnitKind, UnitStatus
from models.trace import Direction, closure_sql
from models.units import descendants

P = ParamSpec("P")
R = TypeVar("R")

# Units past the point where a hold means anything: they are gone or used up.
BEYOND_HOLD = frozenset({UnitStatus.SHIPPED, UnitStatus.SCRAPPED, UnitStatus.CONSUMED, UnitStatus.REJECTED})
# What a recall's hold leaves alone: what is past holding, and what is held already.
NOT_HELD_AGAIN = BEYOND_HOLD | {UnitStatus.ON_HOLD}


class Meaning(StrEnum):
    """What a signature means (21 CFR 11.50(a)(3)): stored with it, shown wherever it is shown."""

    HOLD = "hold"
    RELEASE = "release"
    SCRAP = "scrap"
    HOLD_AFFECTED = "hold_affected"


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


@dataclass(frozen=True)
class AffectedHoldResult:
    """What a recall's hold did: how many units it held, and how many it left, by their status."""

    held: int
    skipped: dict[str, int]


# --- the signature --------------------------------------------------------------------------------


class _WrongSignature(DomainError):
    """A PIN that does not sign: refused inside the action, counted once its transaction is undone."""


def _signed(
    action: Callable[Concatenate[Database, Actor, P], R],
) -> Callable[Concatenate[Database, Actor, P], R]:
    """Count a wrong signature PIN toward the lockout, after the refused action has rolled back.

    The refusal the caller sees is the count's: WRONG_PIN with the tries left, or USER_LOCKED at
    the last one, the same as a login says.
    """

    @functools.wraps(action)
    def run(db: Database, actor: Actor, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return action(db, actor, *args, **kwargs)
        except _WrongSignature:
            raise count_wrong_pin(db, actor.user_id) from None

    return run


def _sign(ctx: Ctx, pin: str, meaning: Meaning) -> dict[str, str]:
    """The signature to store with the action's events, or the refusal of a PIN that is not the user's.

    Checked first, before anything else the action validates: every wrong PIN counts, whatever
    else would have been refused.
    """
    if not pin_matches(ctx.user, pin):
        raise _WrongSignature(ErrorCode.WRONG_PIN, user=ctx.user.name)
    if ctx.user.failed_pin_count:
        ctx.user.failed_pin_count = 0  # as a login does: the right PIN clears earlier mistakes
    return {
        "meaning": meaning.value,
        "signer_name": ctx.user.name,
        "signer_badge": ctx.user.badge_code,
        # The plant's wall clock with its offset: what a signed paper record would say.
        "signed_at": ctx.now.astimezone(ZoneInfo(ctx.site.timezone)).isoformat(),
    }


# --- hold, release, scrap -------------------------------------------------------------------------


@_signed
@operation("hold", QUALITY)
def hold(ctx: Ctx, *, unit_code: str, reason: str, pin: str, include_descendants: bool = False) -> HoldResult:
    """Block a unit (and, if asked, everything made from it or inside it) from any further use.

    Descendants that already left or were used up are listed as skipped, not refused: the hold is
    about what can still be stopped; the trace tells where the rest went. So is the unit itself
    when it is used up or gone and its descendants are asked for (a consumed supplier lot).
    """
    signature = _sign(ctx, pin, Meaning.HOLD)
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
        detail={"include_descendants": include_descendants, "skipped": skipped, "signature": signature},
    )
    return HoldResult(code=unit.code, changed=[target.code for target in targets], skipped=skipped)


@_signed
@operation("release_hold", QUALITY)
def release_hold(
    ctx: Ctx, *, unit_code: str, reason: str, pin: str, include_descendants: bool = False
) -> HoldResult:
    signature = _sign(ctx, pin, Meaning.RELEASE)
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
        detail={"signature": signature},
    )
    return HoldResult(code=unit.code, changed=[target.code for target in targets])


@_signed
@operation("scrap", QUALITY)
def scrap(
    ctx: Ctx, *, unit_code: str, reason: str, pin: str, quantity: Decimal | int | str | None = None
) -> ScrapResult:
    """Destroy a serial, or a lot or part of one; a scrapped unit leaves its carton."""
    signature = _sign(ctx, pin, Meaning.SCRAP)
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
        detail={"signature": signature},
    )
    return ScrapResult(code=unit.code, quantity=amount, status=unit.status.value)


# --- a recall's hold ------------------------------------------------------------------------------


@_signed
@operation("hold_affected", QUALITY)
def hold_affected(ctx: Ctx, *, scope: ImpactScope, reason: str, pin: str) -> AffectedHoldResult:
    """Hold every unit of a recall (models.impact, the same starting units and the same walk) that
    can still be stopped: whatever has not shipped, been used up or scrapped, and is not held yet.

    Containers the affected units sit in are not held themselves (a carton with a held unit in it
    cannot ship anyway, and its other units stay usable); a container the recall starts from is.
    Set-based, whatever the recall's size: one statement counts (and on PostgreSQL locks) the
    affected units, one writes the HOLD event's units, one updates them; never a query per unit.
    """
    signature = _sign(ctx, pin, Meaning.HOLD_AFFECTED)
    reason = require_reason(reason)
    connection = ctx.session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # The planner overestimates the recursion and would JIT-compile it (FIELD-NOTES).
        ctx.session.execute(text("SET LOCAL jit = off"))
    seeds = recall_seeds(connection, scope)
    closure = closure_sql(dialect, Direction.FORWARD, seeds.sql)
    # Locked as read, so the statuses counted are the committed ones and stay so (SQLite writes
    # one transaction at a time: its BEGIN IMMEDIATE is the lock).
    lock = " FOR UPDATE OF u" if dialect == "postgresql" else ""
    counted = ctx.session.execute(
        _typed(
            f"WITH RECURSIVE {closure} SELECT c.status, COUNT(*) AS units FROM "
            f"(SELECT u.status FROM unit u WHERE {_AFFECTED}{lock}) c GROUP BY c.status",
            seeds.params,
        ),
        seeds.params,
    )
    by_status = {UnitStatus(row.status): int(row.units) for row in counted}
    skipped = {status.value: n for status, n in sorted(by_status.items()) if status in NOT_HELD_AGAIN}
    if not any(status not in NOT_HELD_AGAIN for status in by_status):
        raise _nothing_to_hold(scope, by_status)
    event = ctx.event(
        EventType.HOLD,
        biz_step="holding",
        disposition="non_sellable_other",
        reason_text=reason,
        detail={"scope": _scope_detail(scope), "skipped": skipped, "signature": signature},
    )
    not_again = ", ".join(f"'{status.value}'" for status in sorted(NOT_HELD_AGAIN))
    params = {**seeds.params, "hold_event": event.id}
    held = rowcount(
        ctx.session.execute(
            _typed(
                "INSERT INTO event_unit (event_id, unit_id, role) "
                f"WITH RECURSIVE {closure} SELECT :hold_event, u.id, '{EventRole.OBJECT.value}' FROM unit u "
                f"WHERE {_AFFECTED} AND u.status NOT IN ({not_again}) ORDER BY u.id{lock}",
                params,
            ),
            params,
        )
    )
    if not held:  # what was holdable a moment ago has just shipped or been used up
        raise _nothing_to_hold(scope, by_status)
    ctx.session.execute(
        text(
            "UPDATE unit SET held_from_status = status, status = :on_hold "
            "WHERE id IN (SELECT unit_id FROM event_unit WHERE event_id = :hold_event)"
        ),
        {"on_hold": UnitStatus.ON_HOLD.value, "hold_event": event.id},
    )
    return AffectedHoldResult(held=held, skipped=skipped)


# Affected: reached by the recall's walk; a container only when the recall starts from it.
_AFFECTED = "u.id IN (SELECT id FROM reached) AND (u.kind <> 'CONTAINER' OR u.id IN (SELECT id FROM seeds))"


def _typed(sql: str, params: dict[str, Any]) -> Any:
    """The statement, its time parameters typed so SQLite compares them in the form it stores."""
    statement = text(sql)
    times = [bindparam(name, type_=DateTime(timezone=True)) for name in ("since", "until") if name in params]
    return statement.bindparams(*times) if times else statement


def _scope_detail(scope: ImpactScope) -> dict[str, Any]:
    """The scope as the audit record keeps it: only the criteria that were given."""
    return {key: value for key, value in to_jsonable(scope).items() if value not in (None, [])}


def _nothing_to_hold(scope: ImpactScope, by_status: dict[UnitStatus, int]) -> DomainError:
    """Why a recall's hold holds nothing: what is still here is held already (most likely by this
    very recall before), else everything is gone (the most common way)."""
    label = _scope_label(scope)
    if not by_status:
        return DomainError(ErrorCode.NOTHING_TO_TRACE, code=label)
    if UnitStatus.ON_HOLD in by_status:
        return DomainError(ErrorCode.UNIT_ON_HOLD, code=label)
    most = max(sorted(by_status), key=lambda status: by_status[status])
    return DomainError(_beyond_code(most), code=label, status=most.value)


def _scope_label(scope: ImpactScope) -> str:
    """What the operator asked to recall, in the words of the refusal."""
    for value in (
        scope.supplier_lot,
        ", ".join(scope.codes),
        scope.work_order_code,
        scope.supplier_code,
        scope.equipment_code,
        scope.operator_badge,
    ):
        if value:
            return value
    return "?"


# --- the audit record -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureRecord:
    """One signed event a unit took part in: who signed it, when, what it meant, and why."""

    event_id: int
    event_type: str
    meaning: str
    signer_name: str
    signer_badge: str
    signed_at: dt.datetime  # with the plant's offset, as signed
    reason: str | None


SIGNED_EVENTS = (EventType.HOLD, EventType.RELEASE, EventType.SCRAP)


def signatures(db: Database, code: str) -> tuple[SignatureRecord, ...]:
    """The signatures on a unit's quality events, oldest first: its part of the audit record.

    Read from the unit's timeline (models.history), the one place a stored signature is parsed.
    """
    timeline = history(db, code)
    return tuple(
        SignatureRecord(
            event_id=entry.event_id,
            event_type=entry.event_type,
            meaning=signed.meaning,
            signer_name=signed.signer_name,
            signer_badge=signed.signer_badge,
            signed_at=dt.datetime.fromisoformat(signed.signed_at),
            reason=entry.reason_text,
        )
        for entry in timeline.entries
        if (signed := entry.signature) is not None and entry.event_type in SIGNED_EVENTS
    )


def _beyond_code(status: UnitStatus) -> ErrorCode:
    return {
        UnitStatus.SHIPPED: ErrorCode.ALREADY_SHIPPED,
        UnitStatus.SCRAPPED: ErrorCode.UNIT_SCRAPPED,
        UnitStatus.CONSUMED: ErrorCode.UNIT_CONSUMED,
        UnitStatus.REJECTED: ErrorCode.UNIT_NOT_RELEASED,
    }[status]
