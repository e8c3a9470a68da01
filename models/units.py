"""Creating units, splitting lots, and walking what a unit holds: the pieces several stations share."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import literal, select, union
from sqlalchemy.orm import Session, aliased, selectinload

from models.errors import DomainError, ErrorCode
from models.schema import (
    EventRole,
    EventType,
    Item,
    Link,
    LinkLevel,
    Unit,
    UnitKind,
    UnitStatus,
)

if TYPE_CHECKING:
    from models.actions import Ctx


def make_unit(
    ctx: Ctx,
    *,
    code: str,
    kind: UnitKind,
    item: Item | None,
    status: UnitStatus,
    quantity: Decimal,
    **fields: Any,
) -> Unit:
    unit = Unit(
        code=code,
        kind=kind,
        item_id=item.id if item else None,
        status=status,
        quantity=quantity,
        initial_quantity=quantity,
        uom=item.uom if item else "EA",
        site_id=ctx.site.id,
        created_at=ctx.now,
        split_count=0,
        **fields,
    )
    ctx.session.add(unit)
    return unit


def split_lot(ctx: Ctx, lot: Unit, quantity: Decimal, reason: str) -> Unit:
    """Take `quantity` off a (locked) lot as a child lot of its own, linked unit-to-unit.

    Packing or shipping part of a lot needs a unit that can sit in one carton or leave on one
    shipment; the child keeps the parent's dates, supplier and status, and the link keeps the
    genealogy exact (the child contains exactly what the parent held).
    """
    if quantity > lot.quantity:
        raise DomainError(
            ErrorCode.LOT_INSUFFICIENT_QUANTITY,
            code=lot.code,
            available=str(lot.quantity),
            requested=str(quantity),
        )
    lot.split_count += 1
    child = make_unit(
        ctx,
        code=f"{lot.code}-{lot.split_count:02d}",
        kind=UnitKind.LOT,
        item=ctx.session.get(Item, lot.item_id) if lot.item_id else None,
        status=lot.status,
        quantity=quantity,
        external_code=lot.external_code,
        supplier_id=lot.supplier_id,
        manufactured_on=lot.manufactured_on,
        expires_on=lot.expires_on,
        work_order_id=lot.work_order_id,
    )
    lot.quantity -= quantity
    if lot.quantity == 0:
        lot.status = UnitStatus.CONSUMED
    ctx.session.flush()
    event = ctx.event(
        EventType.SPLIT,
        [(lot, EventRole.INPUT, quantity), (child, EventRole.OUTPUT, quantity)],
        reason_text=reason,
        biz_step="repackaging",
    )
    ctx.link(lot, child, LinkLevel.UNIT, event, quantity)
    return child


def contents(session: Session, unit_id: int, *, lock: bool = False, with_items: bool = False) -> list[Unit]:
    """Everything inside a container, at every depth (one recursive query; cycles cannot hang it).

    With `lock`, the rows are locked and re-read (PostgreSQL): a hold committed by another station
    while this transaction decides on their statuses waits for it, or is seen by it, never lost.
    With `with_items`, their items come too (one more query; Unit.item never loads lazily).
    """
    tree = select(Unit.id).where(Unit.container_id == unit_id).cte("tree", recursive=True)
    inner = aliased(Unit)
    tree = tree.union(select(inner.id).where(inner.container_id == tree.c.id))
    statement = select(Unit).where(Unit.id.in_(select(tree.c.id))).order_by(Unit.id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    if with_items:  # selectin, not joined: FOR UPDATE may not reach the nullable side of a join
        statement = statement.options(selectinload(Unit.item))
    return list(session.scalars(statement))


def descendants(session: Session, unit_id: int, *, lock: bool = False) -> list[Unit]:
    """What was made from a unit or sits inside it, at every depth: where a hold must reach.

    With `lock`, the rows are locked and re-read in the same statement, so the statuses the
    caller decides on are the committed ones and stay so until it commits.
    """
    edges = union(
        select(Link.input_unit_id.label("source"), Link.output_unit_id.label("target")),
        select(Unit.container_id.label("source"), Unit.id.label("target")).where(
            Unit.container_id.is_not(None)
        ),
    ).subquery("edges")
    reached = select(literal(unit_id).label("id")).cte("reached", recursive=True)
    reached = reached.union(select(edges.c.target).join(reached, edges.c.source == reached.c.id))
    statement = select(Unit).where(Unit.id.in_(select(reached.c.id)), Unit.id != unit_id).order_by(Unit.id)
    if lock:
        statement = statement.with_for_update(of=Unit).execution_options(populate_existing=True)
    return list(session.scalars(statement))
