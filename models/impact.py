"""Recall impact: every unit that holds, or may hold, what went wrong, where it is now, and who has it.

The scope is what the quality engineer knows: some codes, a supplier, one supplier lot, a machine or
an operator over a time window, a work order. Its starting units are selected inside the same
statement that walks forward from them (the `closure_sql` of the trace), so the answer is one
statement for the counts and one, streamed in batches, for the full list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, select, text
from sqlalchemy.orm import Session

from models.db import Database
from models.errors import DomainError, ErrorCode
from models.lookup import supplier_by_code, work_order_by_code
from models.schema import Equipment, EventType, Supplier, Unit, UnitStatus, User
from models.trace import (
    Cancel,
    Direction,
    Precision,
    TraceCancelled,
    closure_sql,
    decimal_or_none,
    iter_batches,
    quantity_sql,
    seed_for,
    timestamp,
)

# The events by which a machine or an operator makes or changes product: what they "touched" in
# an equipment or operator recall. Holds, releases, shipping and printing change no product.
MAKING_EVENTS = (
    EventType.RECEIVE,
    EventType.INSPECT,
    EventType.COMMISSION,
    EventType.CONSUME,
    EventType.PRODUCE,
    EventType.REPORT,
    EventType.SPLIT,
    EventType.PACK,
)


class Place(StrEnum):
    """Where an affected unit is, for the recall's counts: what to stop, pull back or call in."""

    IN_PRODUCTION = "IN_PRODUCTION"
    IN_STOCK = "IN_STOCK"
    ON_HOLD = "ON_HOLD"
    SHIPPED = "SHIPPED"
    CONSUMED = "CONSUMED"  # built into another unit, which is on the list too
    OUT = "OUT"  # scrapped, or rejected at receiving


PLACE_OF_STATUS: dict[UnitStatus, Place] = {
    UnitStatus.WIP: Place.IN_PRODUCTION,
    UnitStatus.FAILED: Place.IN_PRODUCTION,
    UnitStatus.QUARANTINE: Place.IN_STOCK,
    UnitStatus.RELEASED: Place.IN_STOCK,
    UnitStatus.OPEN: Place.IN_STOCK,
    UnitStatus.CLOSED: Place.IN_STOCK,
    UnitStatus.PACKED: Place.IN_STOCK,
    UnitStatus.ON_HOLD: Place.ON_HOLD,
    UnitStatus.SHIPPED: Place.SHIPPED,
    UnitStatus.CONSUMED: Place.CONSUMED,
    UnitStatus.SCRAPPED: Place.OUT,
    UnitStatus.REJECTED: Place.OUT,
}


@dataclass(frozen=True)
class ImpactScope:
    """What the recall starts from; several criteria add up (a union of their starting units).

    `since`/`until` (aware datetimes, until exclusive) narrow the equipment and operator criteria:
    the units their events (MAKING_EVENTS) made, changed or packed, never the material those
    events consumed.
    """

    codes: tuple[str, ...] = ()
    supplier_code: str | None = None
    supplier_lot: str | None = None
    equipment_code: str | None = None
    operator_badge: str | None = None
    work_order_code: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(slots=True)
class ImpactRow:
    """One unit of the recall list (slotted, not frozen: a list can be a hundred thousand of them)."""

    code: str
    kind: str
    item_code: str | None
    item_name_zh: str | None
    item_name_en: str | None
    status: str
    place: Place
    quantity: Decimal
    uom: str
    precision: Precision | None  # None: a starting unit itself
    work_order_code: str | None
    container_code: str | None
    pallet_code: str | None
    # The last shipment the unit left on (a returned unit keeps it, but is no longer SHIPPED).
    shipment_code: str | None
    shipped_at: dt.datetime | None
    customer_code: str | None
    customer_name_zh: str | None
    customer_name_en: str | None


@dataclass(frozen=True)
class CustomerCount:
    code: str
    name_zh: str
    name_en: str
    units: int
    shipments: int


@dataclass(frozen=True)
class ImpactSummary:
    seeds: int
    units: int  # every affected unit but containers
    containers: int
    by_status: dict[str, int]
    by_place: dict[Place, int]
    by_customer: tuple[CustomerCount, ...]
    shipments: int

    @property
    def customers(self) -> int:
        return len(self.by_customer)


@dataclass(frozen=True)
class _Seeds:
    sql: str
    params: dict[str, Any]


class Recall:
    """One recall read from one snapshot: its counts and its list agree even while stations work.

    Made by `recall(db, scope)`; `rows()` may be read more than once (a CSV and a workbook of the
    same recall), each time from the same snapshot.
    """

    def __init__(self, connection: Connection, scope: ImpactScope) -> None:
        self._connection = connection
        self._seeds = _seeds(connection, scope)
        self.scope = scope
        self._summary: ImpactSummary | None = None

    @property
    def summary(self) -> ImpactSummary:
        """The counts (one statement, run when first asked for)."""
        if self._summary is None:
            self._summary = _summary(self._connection, self._seeds)
        return self._summary

    def rows(self, cancel: Cancel | None = None) -> Iterator[list[ImpactRow]]:
        """The full list, by item and code, in batches; `cancel` is asked before each batch."""
        if cancel is not None and cancel():
            raise TraceCancelled
        statement = _statement(self._connection, self._seeds, _ROWS)
        for batch in iter_batches(self._connection, statement, self._seeds.params, cancel):
            yield [_row(row) for row in batch]


@contextmanager
def recall(db: Database, scope: ImpactScope) -> Iterator[Recall]:
    with db.reading() as connection:
        yield Recall(connection, scope)


def impact_summary(db: Database, scope: ImpactScope) -> ImpactSummary:
    """How many units, where they are, which customers have them: one statement."""
    with db.reading() as connection:
        return _summary(connection, _seeds(connection, scope))


def impact_rows(
    db: Database, scope: ImpactScope, *, cancel: Cancel | None = None
) -> Iterator[list[ImpactRow]]:
    """The full recall list, by item and code, in batches; `cancel` is asked before each batch."""
    with recall(db, scope) as found:
        yield from found.rows(cancel)


def _summary(connection: Connection, seeds: _Seeds) -> ImpactSummary:
    statement = _statement(connection, seeds, _SUMMARY)
    by_status: dict[str, int] = {}
    by_place: dict[Place, int] = {}
    customers: dict[str, list[Any]] = {}
    units = containers = seed_count = 0
    shipments: set[int] = set()
    for row in connection.execute(statement, seeds.params):
        seed_count += row.seeds
        if row.kind == "CONTAINER":
            containers += row.units
            continue
        units += row.units
        by_status[row.status] = by_status.get(row.status, 0) + row.units
        place = PLACE_OF_STATUS[UnitStatus(row.status)]
        by_place[place] = by_place.get(place, 0) + row.units
        if row.status == UnitStatus.SHIPPED and row.customer_code is not None:
            entry = customers.setdefault(row.customer_code, [row.name_zh, row.name_en, 0, set()])
            entry[2] += row.units
            entry[3].add(row.shipment_id)
            shipments.add(row.shipment_id)
    counts = (CustomerCount(code, zh, en, n, len(ids)) for code, (zh, en, n, ids) in customers.items())
    by_customer = tuple(sorted(counts, key=lambda item: (-item.units, item.code)))
    return ImpactSummary(seed_count, units, containers, by_status, by_place, by_customer, len(shipments))


def _statement(connection: Connection, seeds: _Seeds, body: str) -> Any:
    closure = closure_sql(connection.dialect.name, Direction.FORWARD, seeds.sql)
    body = body.replace("{quantity}", quantity_sql(connection.dialect.name, "u.quantity"))
    # Byte order on both databases: the same list everywhere, and PostgreSQL sorts it faster.
    body = body.replace("{collate}", ' COLLATE "C"' if connection.dialect.name == "postgresql" else "")
    statement = text(f"WITH RECURSIVE {closure}, {body}")
    # Typed, so SQLite compares them in the text form it stores times in.
    times = [
        bindparam(name, type_=DateTime(timezone=True)) for name in ("since", "until") if name in seeds.params
    ]
    return statement.bindparams(*times) if times else statement


# Each affected unit once, with the last shipped_unit row it has (rows are written as units leave,
# so the highest id is the latest departure; a returned unit shipped again has two).
_LISTED = """
nodes AS (SELECT id, MAX(exact) AS exact FROM reached GROUP BY id),
listed AS MATERIALIZED (
    SELECT n.id, n.exact, (SELECT MAX(su.id) FROM shipped_unit su WHERE su.unit_id = n.id) AS last_shipped
    FROM nodes n
)"""

_SUMMARY = f"""{_LISTED}
SELECT u.kind, u.status, su.shipment_id, cu.code AS customer_code, cu.name_zh, cu.name_en,
       COUNT(*) AS units, SUM(CASE WHEN s.id IS NULL THEN 0 ELSE 1 END) AS seeds
FROM listed l
JOIN unit u ON u.id = l.id
LEFT JOIN seeds s ON s.id = l.id
LEFT JOIN shipped_unit su ON su.id = l.last_shipped AND u.status = 'SHIPPED'
LEFT JOIN shipment sh ON sh.id = su.shipment_id
LEFT JOIN customer cu ON cu.id = sh.customer_id
GROUP BY u.kind, u.status, su.shipment_id, cu.code, cu.name_zh, cu.name_en
"""

_ROWS = f"""{_LISTED}
SELECT u.code, u.kind, u.status, {{quantity}} AS quantity, u.uom, l.exact,
       CASE WHEN s.id IS NULL THEN 0 ELSE 1 END AS is_seed,
       i.code AS item_code, i.name_zh AS item_name_zh, i.name_en AS item_name_en, wo.code AS work_order_code,
       c.code AS container_code, p.code AS pallet_code, sh.code AS shipment_code, sh.shipped_at,
       cu.code AS customer_code, cu.name_zh AS customer_name_zh, cu.name_en AS customer_name_en
FROM listed l
JOIN unit u ON u.id = l.id
LEFT JOIN seeds s ON s.id = l.id
LEFT JOIN item i ON i.id = u.item_id
LEFT JOIN work_order wo ON wo.id = u.work_order_id
LEFT JOIN unit c ON c.id = u.container_id
LEFT JOIN unit p ON p.id = c.container_id
LEFT JOIN shipped_unit su ON su.id = l.last_shipped
LEFT JOIN shipment sh ON sh.id = su.shipment_id
LEFT JOIN customer cu ON cu.id = sh.customer_id
ORDER BY CASE WHEN u.kind = 'CONTAINER' THEN 1 ELSE 0 END, CASE WHEN i.code IS NULL THEN 1 ELSE 0 END,
         i.code{{collate}}, u.code{{collate}}
"""


_PLACES = {status.value: place for status, place in PLACE_OF_STATUS.items()}
_ROW_PRECISION = {0: Precision.MAY_CONTAIN, 1: Precision.CONTAINS}


def _row(row: Any) -> ImpactRow:
    # By position, in the order of _ROWS: the list can be a hundred thousand rows.
    (code, kind, status, quantity, uom, exact, is_seed, item_code, item_zh, item_en, work_order, container,
     pallet, shipment, shipped_at, customer, customer_zh, customer_en) = row  # fmt: skip
    return ImpactRow(
        code,
        kind,
        item_code,
        item_zh,
        item_en,
        status,
        _PLACES[status],
        quantity if type(quantity) is Decimal else decimal_or_none(quantity) or Decimal(0),
        uom,
        None if is_seed else _ROW_PRECISION[exact],
        work_order,
        container,
        pallet,
        shipment,
        None if shipped_at is None else timestamp(shipped_at),
        customer,
        customer_zh,
        customer_en,
    )


def _seeds(connection: Connection, scope: ImpactScope) -> _Seeds:
    """The starting units as one SELECT of ids, checked against the master data first.

    Every name in the scope must exist: a mistyped supplier or machine is refused, not answered with
    an empty recall that would look like good news.
    """
    parts: list[str] = []
    params: dict[str, Any] = {}
    window = scope.since is not None or scope.until is not None
    if window and scope.equipment_code is None and scope.operator_badge is None:
        raise DomainError(ErrorCode.BAD_INPUT, field="since/until", reason="only with equipment or operator")
    for moment in (scope.since, scope.until):
        if moment is not None and moment.tzinfo is None:  # whose wall clock? refuse to guess
            raise DomainError(ErrorCode.BAD_DATE, value=moment.isoformat(), reason="no time zone")
    if scope.since is not None and scope.until is not None and scope.since >= scope.until:
        raise DomainError(ErrorCode.BAD_DATE, since=scope.since.isoformat(), until=scope.until.isoformat())
    session = Session(bind=connection)
    try:
        for index, code in enumerate(scope.codes):
            seed = seed_for(connection, code, suffix=f"_{index}")
            parts.append(seed.sql)
            # A carton or pallet named in a recall stands for what is in it now, at every depth:
            # the walk forward from a container only reaches where the container went.
            parts.append(
                "SELECT id FROM (WITH RECURSIVE inside(id) AS ("
                f"SELECT u.id FROM unit u WHERE u.container_id IN ({seed.sql}) "
                "UNION SELECT u.id FROM unit u JOIN inside ON u.container_id = inside.id"
                f") SELECT id FROM inside) AS contents_{index}"
            )
            params.update(seed.params)
        if scope.work_order_code is not None:
            work_order = work_order_by_code(session, scope.work_order_code)
            if work_order.production_lot_id is None:
                raise DomainError(ErrorCode.NOTHING_TO_TRACE, code=work_order.code)
            parts.append("SELECT id FROM unit WHERE id = :work_order_lot")
            params["work_order_lot"] = work_order.production_lot_id
        supplier_id = supplier_by_code(session, scope.supplier_code).id if scope.supplier_code else None
        if scope.supplier_lot is not None:
            condition = "external_code = :supplier_lot" + (
                " AND supplier_id = :supplier_id" if supplier_id is not None else ""
            )
            params["supplier_lot"] = scope.supplier_lot
            lots = select(Unit.id).where(Unit.external_code == scope.supplier_lot).limit(1)
            if supplier_id is not None:
                lots = lots.where(Unit.supplier_id == supplier_id)
            if session.scalar(lots) is None:
                raise DomainError(ErrorCode.UNKNOWN_CODE, code=scope.supplier_lot)
            parts.append(f"SELECT id FROM unit WHERE {condition}")
        elif supplier_id is not None:
            parts.append("SELECT id FROM unit WHERE supplier_id = :supplier_id")
        if supplier_id is not None:
            params["supplier_id"] = supplier_id
        times = ""
        if scope.since is not None:
            times += " AND e.occurred_at >= :since"
            params["since"] = scope.since.astimezone(dt.UTC)
        if scope.until is not None:
            times += " AND e.occurred_at < :until"
            params["until"] = scope.until.astimezone(dt.UTC)
        touched = (
            "SELECT DISTINCT eu.unit_id AS id FROM event e JOIN event_unit eu ON eu.event_id = e.id "
            "WHERE e.{column} = :{name} AND eu.role NOT IN ('INPUT', 'PARENT') AND e.event_type IN ("
            + ", ".join(f"'{kind.value}'" for kind in MAKING_EVENTS)
            + ")"
            + times
        )
        if scope.equipment_code is not None:
            # Retired machines and operators who have left are recalled from as well: no `active` check.
            equipment_id = session.scalar(select(Equipment.id).where(Equipment.code == scope.equipment_code))
            if equipment_id is None:
                raise DomainError(ErrorCode.UNKNOWN_EQUIPMENT, equipment=scope.equipment_code)
            params["equipment_id"] = equipment_id
            parts.append(touched.format(column="equipment_id", name="equipment_id"))
        if scope.operator_badge is not None:
            operator_id = session.scalar(select(User.id).where(User.badge_code == scope.operator_badge))
            if operator_id is None:
                raise DomainError(ErrorCode.UNKNOWN_USER, badge=scope.operator_badge)
            params["operator_id"] = operator_id
            parts.append(touched.format(column="user_id", name="operator_id"))
    finally:
        session.close()
    if not parts:
        raise DomainError(ErrorCode.BAD_INPUT, field="scope", reason="empty")
    return _Seeds(" UNION ".join(parts), params)


@dataclass(frozen=True)
class ScopeChoices:
    """The codes a recall can start from, for the form's completions: every supplier, machine
    and operator badge, retired ones included (a recall looks back)."""

    suppliers: list[str]
    equipment: list[str]
    operators: list[str]


def recall_choices(db: Database) -> ScopeChoices:
    with db.reading() as connection:
        suppliers = connection.execute(select(Supplier.code).order_by(Supplier.code)).scalars().all()
        equipment = connection.execute(select(Equipment.code).order_by(Equipment.code)).scalars().all()
        operators = connection.execute(select(User.badge_code).order_by(User.badge_code)).scalars().all()
    return ScopeChoices(list(suppliers), list(equipment), list(operators))
