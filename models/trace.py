"""Trace queries: where a unit came from, where it went, and what happened to it.

Each trace is one SQL statement: a recursive CTE walks the genealogy (`link`, both levels) and the
containment (`unit.container_id`) from the starting units, and the details of every unit and edge
it reached are joined after the recursion. The peers walk the graph in Python, one query per node,
and need minutes for one lot; this needs milliseconds, and the answer is exact:

- a path made only of unit-level links and containment says **contains** (this serial holds that
  component, this carton holds that serial); a path through a lot-level link says **may contain**
  (the work order consumed that lot while it made this serial). The recursion carries that flag,
  so a component of one serial is never widened to its siblings and a lot is never narrowed.
- the recursion keeps (unit, flag) pairs with UNION, so it visits each unit at most twice: bad data
  with a cycle in it cannot make it run forever.

Results are plain dataclasses; the rows are read in batches and a `cancel` callable is asked
between batches, so a screen can stop a trace that has become pointless.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.orm import Session

from models.db import Database
from models.errors import DomainError, ErrorCode
from models.resolve import Target, resolve_in
from models.schema import Shipment, ShippedUnit, Unit, WorkOrder

BATCH_ROWS = 2_000


class Direction(StrEnum):
    BACKWARD = "backward"  # what it came from: materials, components, suppliers
    FORWARD = "forward"  # what was made from it, where that sits now, who received it


class Precision(StrEnum):
    """How sure the trace is that the unit found and the starting unit share material."""

    CONTAINS = "CONTAINS"  # every step of the path is unit-level: certain
    MAY_CONTAIN = "MAY_CONTAIN"  # some step is lot-level: the work order used it, this unit may hold it


class EdgeLevel(StrEnum):
    UNIT = "UNIT"
    LOT = "LOT"
    CONTAINER = "CONTAINER"  # the input sits in the output now (carton, pallet)


class TraceCancelled(Exception):
    """The caller's cancel hook said stop; nothing partial is returned."""


@dataclass(frozen=True)
class ShipmentRef:
    code: str
    customer_code: str
    customer_name_zh: str
    customer_name_en: str
    shipped_at: dt.datetime | None


@dataclass(frozen=True)
class TraceNode:
    id: int
    code: str
    kind: str
    status: str
    item_code: str | None
    item_name_zh: str | None
    item_name_en: str | None
    quantity: Decimal
    uom: str
    supplier_code: str | None
    supplier_name_zh: str | None
    supplier_name_en: str | None
    supplier_lot: str | None
    work_order_code: str | None
    container_code: str | None
    manufactured_on: dt.date | None
    expires_on: dt.date | None
    # None for a starting unit; otherwise how sure the trace is (see Precision).
    precision: Precision | None
    shipments: tuple[ShipmentRef, ...] = ()


@dataclass(frozen=True)
class EventRef:
    """The event that made an edge: when, where, who, with what."""

    id: int
    event_type: str
    occurred_at: dt.datetime
    work_order_code: str | None
    step_code: str | None
    station_code: str
    operator_badge: str
    operator_name: str
    equipment_code: str | None


@dataclass(frozen=True)
class TraceEdge:
    """Input went into output (material into a lot, component into a serial, unit into a carton)."""

    input_id: int
    output_id: int
    level: EdgeLevel
    quantity: Decimal | None
    event: EventRef | None


@dataclass(frozen=True)
class InspectionRef:
    unit_id: int
    name: str
    value: Decimal | None
    lower_limit: Decimal | None
    upper_limit: Decimal | None
    passed: bool
    occurred_at: dt.datetime
    step_code: str | None
    station_code: str
    operator_badge: str


@dataclass(frozen=True)
class Trace:
    direction: Direction
    root_ids: tuple[int, ...]
    nodes: dict[int, TraceNode]
    edges: tuple[TraceEdge, ...]
    inspections: tuple[InspectionRef, ...] = ()

    @property
    def roots(self) -> list[TraceNode]:
        return [self.nodes[node_id] for node_id in self.root_ids]

    def node(self, code: str) -> TraceNode:
        for node in self.nodes.values():
            if node.code == code:
                return node
        raise KeyError(code)

    def codes(self) -> set[str]:
        """Every unit reached, the starting units excluded."""
        roots = set(self.root_ids)
        return {node.code for node in self.nodes.values() if node.id not in roots}

    def next_edges(self) -> dict[int, list[TraceEdge]]:
        """Edges by the unit they lead away from, in the trace's direction: the tree to draw."""
        away: dict[int, list[TraceEdge]] = {}
        for edge in self.edges:
            near = edge.output_id if self.direction is Direction.BACKWARD else edge.input_id
            away.setdefault(near, []).append(edge)
        return away


Cancel = Callable[[], bool]


def backward(db: Database, code: str, *, cancel: Cancel | None = None) -> Trace:
    """The unit and everything it came from, at every depth, with the inspection results on the way."""
    return _trace(db, code, Direction.BACKWARD, cancel)


def forward(db: Database, code: str, *, cancel: Cancel | None = None) -> Trace:
    """Everything made from the unit, at every depth, where it sits now and who received it."""
    return _trace(db, code, Direction.FORWARD, cancel)


def _trace(db: Database, code: str, direction: Direction, cancel: Cancel | None) -> Trace:
    with db.reading() as connection:
        # The common case, a unit's own code, costs no lookup of its own: it is the seed.
        rows = _run_trace(connection, direction, _seed_by_code(code.strip()), cancel)
        if not rows.nodes:
            rows = _run_trace(connection, direction, _seed_by_ids(seed_ids(connection, code)), cancel)
        inspections = _inspections(connection, list(rows.nodes)) if direction is Direction.BACKWARD else ()
        return Trace(direction, tuple(rows.roots), rows.nodes, tuple(rows.edges), tuple(inspections))


def seed_ids(connection: Connection, code: str) -> list[int]:
    """The units a scanned or typed code stands for: a unit, a work order's lot, a shipment's units.

    Anything `resolve` understands is accepted (GS1 element strings, Digital Link, SSCC, supplier
    lots); an item code alone names no unit and is refused, as is a supplier lot that matches
    several packages (the refusal lists them).
    """
    session = Session(bind=connection)
    try:
        resolved = resolve_in(session, code)
        if resolved.target is Target.UNIT:
            return [session.scalars(select(Unit.id).where(Unit.code == resolved.code)).one()]
        if resolved.target is Target.WORK_ORDER:
            lot_id = session.scalar(
                select(WorkOrder.production_lot_id).where(WorkOrder.code == resolved.code)
            )
            if lot_id is None:  # released but nothing fed or made yet
                raise DomainError(ErrorCode.NOTHING_TO_TRACE, code=resolved.code)
            return [lot_id]
        if resolved.target is Target.SHIPMENT:
            ids = list(
                session.scalars(
                    select(ShippedUnit.unit_id)
                    .join(Shipment, Shipment.id == ShippedUnit.shipment_id)
                    .where(Shipment.code == resolved.code)
                    .order_by(ShippedUnit.id)
                )
            )
            if not ids:  # still open: nothing has left on it
                raise DomainError(ErrorCode.NOTHING_TO_TRACE, code=resolved.code)
            return ids
        raise DomainError(ErrorCode.NOTHING_TO_TRACE, code=resolved.code)
    finally:
        session.close()


# --- The statement ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """The CTE's starting rows, `SELECT id, 1 AS exact ...`, and its parameters."""

    sql: str
    params: dict[str, Any]
    expanding: tuple[str, ...] = ()


def _seed_by_code(code: str) -> Seed:
    return Seed("SELECT id, 1 AS exact FROM unit WHERE code = :seed_code", {"seed_code": code})


def _seed_by_ids(ids: Sequence[int]) -> Seed:
    sql = "SELECT id, 1 AS exact FROM unit WHERE id IN :seed_ids"
    return Seed(sql, {"seed_ids": list(ids)}, ("seed_ids",))


def closure_sql(dialect: str, direction: Direction, seed_sql: str) -> str:
    """`reached(id, exact)`: every unit reachable from the seeds, with whether a path is all unit-level.

    PostgreSQL allows one reference to the recursive table, so both kinds of edge are read through
    one LATERAL subquery (two index lookups per unit); SQLite takes them as two recursive selects.
    Containment steps keep the flag: a carton certainly holds what is in it.
    """
    flag = "CASE WHEN r.exact = 1 AND step.level <> 'LOT' THEN 1 ELSE 0 END"
    if direction is Direction.FORWARD:
        link_step = "SELECT l.output_unit_id AS id, l.level FROM link l WHERE l.input_unit_id = r.id"
        container_step = (
            "SELECT u.container_id AS id, 'CONTAINER' AS level FROM unit u "
            "WHERE u.id = r.id AND u.container_id IS NOT NULL"
        )
        sqlite_link = "SELECT l.output_unit_id, {flag} FROM reached r JOIN link l ON l.input_unit_id = r.id"
        sqlite_container = (
            "SELECT u.container_id, r.exact FROM reached r JOIN unit u ON u.id = r.id "
            "WHERE u.container_id IS NOT NULL"
        )
    else:
        link_step = "SELECT l.input_unit_id AS id, l.level FROM link l WHERE l.output_unit_id = r.id"
        container_step = "SELECT u.id AS id, 'CONTAINER' AS level FROM unit u WHERE u.container_id = r.id"
        sqlite_link = "SELECT l.input_unit_id, {flag} FROM reached r JOIN link l ON l.output_unit_id = r.id"
        sqlite_container = "SELECT u.id, r.exact FROM reached r JOIN unit u ON u.container_id = r.id"
    if dialect == "postgresql":
        return (
            f"reached(id, exact) AS ({seed_sql} UNION "
            f"SELECT step.id, {flag} FROM reached r CROSS JOIN LATERAL "
            f"({link_step} UNION ALL {container_step}) step)"
        )
    return (
        f"reached(id, exact) AS ({seed_sql} UNION "
        f"{sqlite_link.format(flag=flag.replace('step.level', 'l.level'))} UNION {sqlite_container})"
    )


def _trace_sql(dialect: str, direction: Direction, seed_sql: str) -> str:
    """Nodes with the edges that reach them from other reached units, and every detail joined.

    One row per (unit, incoming edge, shipment): a unit reached by two edges comes twice, a unit
    that left twice (returned and shipped again) comes with each shipment.
    """
    if direction is Direction.FORWARD:
        link_join = "l.output_unit_id = n.id AND l.input_unit_id IN (SELECT id FROM nodes)"
        container_edges = (
            "SELECT n.id, n.exact, c.id AS input_id, n.id AS output_id, 'CONTAINER' AS level, "
            "NULL AS link_id, NULL AS quantity, NULL AS event_id "
            "FROM nodes n JOIN unit c ON c.container_id = n.id WHERE c.id IN (SELECT id FROM nodes)"
        )
    else:
        link_join = "l.input_unit_id = n.id AND l.output_unit_id IN (SELECT id FROM nodes)"
        container_edges = (
            "SELECT n.id, n.exact, n.id AS input_id, me.container_id AS output_id, 'CONTAINER' AS level, "
            "NULL AS link_id, NULL AS quantity, NULL AS event_id "
            "FROM nodes n JOIN unit me ON me.id = n.id WHERE me.container_id IN (SELECT id FROM nodes)"
        )
    return f"""
WITH RECURSIVE {closure_sql(dialect, direction, seed_sql)},
nodes AS (SELECT id, MAX(exact) AS exact FROM reached GROUP BY id),
steps AS (
    SELECT n.id, n.exact, l.input_unit_id AS input_id, l.output_unit_id AS output_id, l.level,
           l.id AS link_id, l.quantity, l.event_id
    FROM nodes n LEFT JOIN link l ON {link_join}
    UNION ALL
    {container_edges}
)
SELECT s.id, s.exact, s.input_id, s.output_id, s.level, s.link_id, s.quantity AS edge_quantity,
       u.code, u.kind, u.status, u.quantity, u.uom, u.external_code, u.manufactured_on, u.expires_on,
       i.code AS item_code, i.name_zh AS item_name_zh, i.name_en AS item_name_en,
       sp.code AS supplier_code, sp.name_zh AS supplier_name_zh, sp.name_en AS supplier_name_en,
       wo.code AS work_order_code, c.code AS container_code,
       e.id AS event_id, e.event_type, e.occurred_at, ew.code AS event_work_order, rs.code AS step_code,
       st.code AS station_code, us.badge_code, us.name AS operator_name, eq.code AS equipment_code,
       sh.code AS shipment_code, sh.shipped_at, cu.code AS customer_code,
       cu.name_zh AS customer_name_zh, cu.name_en AS customer_name_en,
       CASE WHEN r.id IS NULL THEN 0 ELSE 1 END AS is_root
FROM steps s
JOIN unit u ON u.id = s.id
LEFT JOIN ({{roots}}) r ON r.id = s.id
LEFT JOIN item i ON i.id = u.item_id
LEFT JOIN supplier sp ON sp.id = u.supplier_id
LEFT JOIN work_order wo ON wo.id = u.work_order_id
LEFT JOIN unit c ON c.id = u.container_id
LEFT JOIN event e ON e.id = s.event_id
LEFT JOIN work_order ew ON ew.id = e.work_order_id
LEFT JOIN routing_step rs ON rs.id = e.routing_step_id
LEFT JOIN station st ON st.id = e.station_id
LEFT JOIN app_user us ON us.id = e.user_id
LEFT JOIN equipment eq ON eq.id = e.equipment_id
LEFT JOIN shipped_unit su ON su.unit_id = s.id
LEFT JOIN shipment sh ON sh.id = su.shipment_id
LEFT JOIN customer cu ON cu.id = sh.customer_id
"""


@dataclass
class _Collected:
    roots: list[int] = field(default_factory=list)
    nodes: dict[int, TraceNode] = field(default_factory=dict)
    edges: list[TraceEdge] = field(default_factory=list)


def _run_trace(connection: Connection, direction: Direction, seed: Seed, cancel: Cancel | None) -> _Collected:
    sql = _trace_sql(connection.dialect.name, direction, seed.sql).replace("{roots}", seed.sql)
    statement = text(sql)
    if seed.expanding:
        statement = statement.bindparams(*(bindparam(name, expanding=True) for name in seed.expanding))
    collected = _Collected()
    shipments: dict[int, dict[str, ShipmentRef]] = {}
    seen_edges: set[tuple[Any, ...]] = set()
    stream = direction is Direction.FORWARD
    for batch in iter_batches(connection, statement, seed.params, cancel, stream=stream):
        for row in batch:
            node_id = row.id
            if node_id not in collected.nodes:
                root = bool(row.is_root)
                if root:
                    collected.roots.append(node_id)
                collected.nodes[node_id] = _node(row, None if root else _precision(row.exact))
            if row.shipment_code is not None:
                shipments.setdefault(node_id, {})[row.shipment_code] = ShipmentRef(
                    row.shipment_code,
                    row.customer_code,
                    row.customer_name_zh,
                    row.customer_name_en,
                    timestamp(row.shipped_at) if row.shipped_at is not None else None,
                )
            if row.level is None:
                continue
            key = (row.link_id, row.input_id, row.output_id, row.level)
            if key in seen_edges:
                continue
            seen_edges.add(key)
            collected.edges.append(
                TraceEdge(
                    row.input_id,
                    row.output_id,
                    EdgeLevel(row.level),
                    decimal_or_none(row.edge_quantity),
                    _event(row) if row.event_id is not None else None,
                )
            )
    for node_id, refs in shipments.items():
        node = collected.nodes[node_id]
        ordered = sorted(refs.values(), key=lambda ref: (ref.shipped_at is None, ref.shipped_at, ref.code))
        collected.nodes[node_id] = replace(node, shipments=tuple(ordered))
    collected.roots.sort()
    return collected


def iter_batches(
    connection: Connection,
    statement: Any,
    params: dict[str, Any],
    cancel: Cancel | None,
    *,
    stream: bool = True,
) -> Iterator[Sequence[Any]]:
    """Rows in batches; `cancel` is asked before each batch.

    With `stream`, PostgreSQL hands the rows over from a server-side cursor batch by batch (a
    forward trace or a recall can be a hundred thousand rows); without it, the few rows of a
    backward trace come in one round trip instead of a cursor's three.
    """
    options: dict[str, Any] = {"yield_per": BATCH_ROWS} if stream else {}
    result = connection.execute(statement, params, execution_options=options)
    try:
        for batch in result.partitions(BATCH_ROWS):
            if cancel is not None and cancel():
                raise TraceCancelled
            yield batch
    finally:
        result.close()


def _precision(exact: int) -> Precision:
    return Precision.CONTAINS if exact else Precision.MAY_CONTAIN


def decimal_or_none(value: Any) -> Decimal | None:
    """A quantity as the database has it, without the scale's trailing zeros (8, not 8.000000)."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _node(row: Any, precision: Precision | None) -> TraceNode:
    return TraceNode(
        id=row.id,
        code=row.code,
        kind=row.kind,
        status=row.status,
        item_code=row.item_code,
        item_name_zh=row.item_name_zh,
        item_name_en=row.item_name_en,
        quantity=decimal_or_none(row.quantity) or Decimal(0),
        uom=row.uom,
        supplier_code=row.supplier_code,
        supplier_name_zh=row.supplier_name_zh,
        supplier_name_en=row.supplier_name_en,
        supplier_lot=row.external_code,
        work_order_code=row.work_order_code,
        container_code=row.container_code,
        manufactured_on=_date(row.manufactured_on),
        expires_on=_date(row.expires_on),
        precision=precision,
    )


def timestamp(value: Any) -> dt.datetime:
    """A database timestamp as an aware datetime (SQLite hands back text through raw SQL)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _event(row: Any) -> EventRef:
    return EventRef(
        id=row.event_id,
        event_type=row.event_type,
        occurred_at=timestamp(row.occurred_at),
        work_order_code=row.event_work_order,
        step_code=row.step_code,
        station_code=row.station_code,
        operator_badge=row.badge_code,
        operator_name=row.operator_name,
        equipment_code=row.equipment_code,
    )


def _inspections(connection: Connection, unit_ids: list[int]) -> list[InspectionRef]:
    if not unit_ids:
        return []
    statement = text(
        """
SELECT ir.unit_id, ir.name, ir.value, ir.lower_limit, ir.upper_limit, ir.passed, e.occurred_at,
       rs.code AS step_code, st.code AS station_code, us.badge_code
FROM inspection_result ir
JOIN event e ON e.id = ir.event_id
JOIN station st ON st.id = e.station_id
JOIN app_user us ON us.id = e.user_id
LEFT JOIN routing_step rs ON rs.id = e.routing_step_id
WHERE ir.unit_id IN :ids
ORDER BY e.occurred_at, ir.id
"""
    ).bindparams(bindparam("ids", expanding=True))
    return [
        InspectionRef(
            unit_id=row.unit_id,
            name=row.name,
            value=decimal_or_none(row.value),
            lower_limit=decimal_or_none(row.lower_limit),
            upper_limit=decimal_or_none(row.upper_limit),
            passed=bool(row.passed),
            occurred_at=timestamp(row.occurred_at),
            step_code=row.step_code,
            station_code=row.station_code,
            operator_badge=row.badge_code,
        )
        for row in connection.execute(statement, {"ids": unit_ids})
    ]
