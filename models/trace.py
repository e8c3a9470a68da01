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

Results are plain dataclasses, slotted and not frozen: a frozen dataclass costs ten times as
much to build, and a forward trace of a big lot builds tens of thousands. Treat them as read-only:
one shipment or event object is shared by every unit and edge it belongs to. The rows are read in
batches and a `cancel` callable is asked before the statement and between batches, so a screen
can stop a trace that has become pointless.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from models.db import Database
from models.errors import DomainError, ErrorCode
from models.lookup import plain
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


@dataclass(slots=True)
class ShipmentRef:
    code: str
    customer_code: str
    customer_name_zh: str
    customer_name_en: str
    shipped_at: dt.datetime | None


@dataclass(slots=True)
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


@dataclass(slots=True)
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


@dataclass(slots=True)
class TraceEdge:
    """Input went into output (material into a lot, component into a serial, unit into a carton)."""

    input_id: int
    output_id: int
    level: EdgeLevel
    quantity: Decimal | None
    event: EventRef | None


@dataclass(slots=True)
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
    """The unit and everything it came from, at every depth, each edge with its event, and the
    inspection results of every unit on the way."""
    return _trace(db, code, Direction.BACKWARD, cancel)


def forward(db: Database, code: str, *, cancel: Cancel | None = None) -> Trace:
    """Everything made from the unit, at every depth, where it sits now and who received it.

    Its edges carry no event: the question is where the material went, and a lot that fed eighteen
    thousand serials would otherwise fetch eighteen thousand events nobody reads.
    """
    return _trace(db, code, Direction.FORWARD, cancel)


def _trace(db: Database, code: str, direction: Direction, cancel: Cancel | None) -> Trace:
    try:
        return _trace_once(db, code, direction, cancel)
    except DBAPIError as error:
        if not _stale_statement(error):
            raise
        return _trace_once(db, code, direction, cancel)  # prepared afresh: see `prepared`


def _trace_once(db: Database, code: str, direction: Direction, cancel: Cancel | None) -> Trace:
    if cancel is not None and cancel():
        raise TraceCancelled
    with db.reading() as connection:
        try:
            # The common case, a unit's own code, costs no lookup of its own: it is the seed.
            collected = _run_trace(connection, direction, seed_by_code(code.strip()), cancel)
            if not collected.node_rows:
                collected = _run_trace(connection, direction, seed_for(connection, code), cancel)
        except DBAPIError as error:
            if _stale_statement(error):
                connection.info.pop(PREPARED_INFO, None)
            raise
        return collected.trace(direction)


def seed_for(connection: Connection, code: str, suffix: str = "") -> Seed:
    """The units a scanned or typed code stands for: a unit, a work order's lot, a shipment's units.

    Anything `resolve` understands is accepted (GS1 element strings, Digital Link, SSCC, supplier
    lots); an item code alone names no unit and is refused, as is a supplier lot that matches
    several packages (the refusal lists them). A shipment's units are selected in the statement,
    never passed as a list: a shipment can hold more units than SQLite takes parameters.
    `suffix` keeps the parameter names of several seeds in one statement apart.
    """
    session = Session(bind=connection)
    try:
        resolved = resolve_in(session, code)
        if resolved.target is Target.UNIT:
            unit_id = session.scalars(select(Unit.id).where(Unit.code == resolved.code)).one()
            return Seed(
                "unit", f"SELECT id FROM unit WHERE id = :seed_unit{suffix}", {f"seed_unit{suffix}": unit_id}
            )
        if resolved.target is Target.WORK_ORDER:
            lot_id = session.scalar(
                select(WorkOrder.production_lot_id).where(WorkOrder.code == resolved.code)
            )
            if lot_id is None:  # released but nothing fed or made yet
                raise DomainError(ErrorCode.NOTHING_TO_TRACE, code=resolved.code)
            return Seed(
                "unit", f"SELECT id FROM unit WHERE id = :seed_unit{suffix}", {f"seed_unit{suffix}": lot_id}
            )
        if resolved.target is Target.SHIPMENT:
            shipment_id = session.scalars(select(Shipment.id).where(Shipment.code == resolved.code)).one()
            left = session.scalar(
                select(ShippedUnit.id).where(ShippedUnit.shipment_id == shipment_id).limit(1)
            )
            if left is None:  # still open: nothing has left on it
                raise DomainError(ErrorCode.NOTHING_TO_TRACE, code=resolved.code)
            return Seed(
                "shipment",
                f"SELECT unit_id AS id FROM shipped_unit WHERE shipment_id = :seed_shipment{suffix}",
                {f"seed_shipment{suffix}": shipment_id},
            )
        raise DomainError(ErrorCode.NOTHING_TO_TRACE, code=resolved.code)
    finally:
        session.close()


# --- The statement ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """The starting units as `SELECT id FROM ...`, its parameters, and a name for its shape."""

    name: str
    sql: str
    params: dict[str, Any]


def seed_by_code(code: str) -> Seed:
    return Seed("code", "SELECT id FROM unit WHERE code = :seed_code", {"seed_code": code})


def closure_sql(dialect: str, direction: Direction, seed_sql: str) -> str:
    """`seeds(id)` and `reached(id, exact)`: every unit reachable from the seeds, and whether some
    path to it is unit-level all the way.

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
    seeds = f"seeds(id) AS ({seed_sql})"
    start = "SELECT id, 1 FROM seeds"
    if dialect == "postgresql":
        return (
            f"{seeds}, reached(id, exact) AS ({start} UNION "
            f"SELECT step.id, {flag} FROM reached r CROSS JOIN LATERAL "
            f"({link_step} UNION ALL {container_step}) step)"
        )
    sqlite_flag = flag.replace("step.level", "l.level")
    return (
        f"{seeds}, reached(id, exact) AS ({start} UNION {sqlite_link.format(flag=sqlite_flag)} "
        f"UNION {sqlite_container})"
    )


def quantity_sql(dialect: str, column: str) -> str:
    """A quantity column without its scale's trailing zeros, so Python gets 8 and not 8.000000."""
    return f"trim_scale({column})" if dialect == "postgresql" else column


EVENT_NAMES = (
    "event_type", "occurred_at", "event_work_order", "step_code", "station_code", "badge_code",
    "operator_name", "equipment_code",
)  # fmt: skip


@functools.lru_cache(maxsize=64)
def _text(sql: str) -> Any:
    """The statement object, built once: parsing four kilobytes of SQL for its parameters costs
    more than a backward trace's Python work."""
    return text(sql)


@functools.lru_cache(maxsize=64)
def _trace_sql(dialect: str, direction: Direction, seed_sql: str) -> str:
    """One statement, two kinds of row: N (a unit, with one link that reaches it from another
    reached unit, once per such link and per shipment it left on) and I (a measurement of a
    reached unit, backward only).

    The details are joined after the recursion. Most units are reached by one link, so carrying
    it on the unit's row saves a row per unit. Backward links carry their event; forward ones do
    not (see `forward`). Containment edges are not rows at all: a unit row names its container,
    and the edge is there when both ends were reached.
    """
    q = functools.partial(quantity_sql, dialect)

    def null(pg_type: str) -> str:
        # PostgreSQL types a UNION column from its first branch: an untyped NULL there becomes text.
        return f"CAST(NULL AS {pg_type})" if dialect == "postgresql" else "NULL"

    if direction is Direction.FORWARD:
        link_join = "l.output_unit_id = n.id AND l.input_unit_id IN (SELECT id FROM nodes)"
        event_columns = ", ".join(
            f"{null('timestamptz' if name == 'occurred_at' else 'text')} AS {name}" for name in EVENT_NAMES
        )
        event_joins = ""
    else:
        link_join = "l.input_unit_id = n.id AND l.output_unit_id IN (SELECT id FROM nodes)"
        sources = (
            "e.event_type",
            "e.occurred_at",
            "ew.code",
            "rs.code",
            "st.code",
            "us.badge_code",
            "us.name",
            "eq.code",
        )
        event_columns = ", ".join(
            f"{source} AS {name}" for source, name in zip(sources, EVENT_NAMES, strict=True)
        )
        event_joins = """
LEFT JOIN event e ON e.id = l.event_id
LEFT JOIN work_order ew ON ew.id = e.work_order_id
LEFT JOIN routing_step rs ON rs.id = e.routing_step_id
LEFT JOIN station st ON st.id = e.station_id
LEFT JOIN app_user us ON us.id = e.user_id
LEFT JOIN equipment eq ON eq.id = e.equipment_id"""
    nodes = f"""
SELECT 'N' AS row_kind, n.id, u.container_id, n.exact, CASE WHEN s.id IS NULL THEN 0 ELSE 1 END AS is_root,
       u.code, u.kind, u.status, {q("u.quantity")} AS quantity, u.uom, u.external_code, u.manufactured_on,
       u.expires_on, i.code AS item_code, i.name_zh AS item_name_zh, i.name_en AS item_name_en,
       sp.code AS supplier_code, sp.name_zh AS supplier_name_zh, sp.name_en AS supplier_name_en,
       wo.code AS work_order_code, c.code AS container_code, sh.code AS shipment_code, sh.shipped_at,
       cu.code AS customer_code, cu.name_zh AS customer_name_zh, cu.name_en AS customer_name_en,
       l.input_unit_id AS link_input, l.output_unit_id AS link_output, l.level,
       {q("l.quantity")} AS edge_quantity, l.id AS link_id, l.event_id, {event_columns},
       {null("text")} AS name, {null("numeric")} AS value, {null("numeric")} AS lower_limit,
       {null("numeric")} AS upper_limit, {null("boolean")} AS passed
FROM nodes n
JOIN unit u ON u.id = n.id
LEFT JOIN seeds s ON s.id = n.id
LEFT JOIN item i ON i.id = u.item_id
LEFT JOIN supplier sp ON sp.id = u.supplier_id
LEFT JOIN work_order wo ON wo.id = u.work_order_id
LEFT JOIN unit c ON c.id = u.container_id
LEFT JOIN shipped_unit su ON su.unit_id = n.id
LEFT JOIN shipment sh ON sh.id = su.shipment_id
LEFT JOIN customer cu ON cu.id = sh.customer_id
LEFT JOIN link l ON {link_join}{event_joins}"""
    parts = [nodes]
    if direction is Direction.BACKWARD:
        padding = ", ".join(["NULL"] * 25)  # the unit's details and its link's ends, on measurement rows
        parts.append(f"""
SELECT 'I', ir.unit_id, NULL, NULL, NULL, {padding}, ir.id, NULL,
       NULL, e.occurred_at, NULL, rs.code, st.code, us.badge_code, NULL, NULL,
       ir.name, {q("ir.value")}, {q("ir.lower_limit")}, {q("ir.upper_limit")}, ir.passed
FROM nodes n JOIN inspection_result ir ON ir.unit_id = n.id
JOIN event e ON e.id = ir.event_id
JOIN station st ON st.id = e.station_id
JOIN app_user us ON us.id = e.user_id
LEFT JOIN routing_step rs ON rs.id = e.routing_step_id""")
    closure = closure_sql(dialect, direction, seed_sql)
    return (
        f"WITH RECURSIVE {closure},\nnodes AS (SELECT id, MAX(exact) AS exact FROM reached GROUP BY id)"
        + "\nUNION ALL".join(parts)
    )


_LEVELS = {level.value: level for level in EdgeLevel}
_PRECISIONS = {1: Precision.CONTAINS, 0: Precision.MAY_CONTAIN}

# The statement's columns, read by position: a trace reads tens of thousands of rows.
COLUMNS = (
    "row_kind", "id", "container_id", "exact", "is_root", "code", "kind", "status", "quantity", "uom",
    "external_code", "manufactured_on", "expires_on", "item_code", "item_name_zh", "item_name_en",
    "supplier_code", "supplier_name_zh", "supplier_name_en", "work_order_code", "container_code",
    "shipment_code", "shipped_at", "customer_code", "customer_name_zh", "customer_name_en",
    "link_input", "link_output", "level", "edge_quantity", "link_id", "event_id", "event_type",
    "occurred_at", "event_work_order", "step_code", "station_code", "badge_code", "operator_name",
    "equipment_code", "name", "value", "lower_limit", "upper_limit", "passed",
)  # fmt: skip
(
    ROW_KIND, ID, CONTAINER_ID, EXACT, IS_ROOT, CODE, KIND, STATUS, QUANTITY, UOM,
    EXTERNAL_CODE, MANUFACTURED_ON, EXPIRES_ON, ITEM_CODE, ITEM_NAME_ZH, ITEM_NAME_EN,
    SUPPLIER_CODE, SUPPLIER_NAME_ZH, SUPPLIER_NAME_EN, WORK_ORDER_CODE, CONTAINER_CODE,
    SHIPMENT_CODE, SHIPPED_AT, CUSTOMER_CODE, CUSTOMER_NAME_ZH, CUSTOMER_NAME_EN,
    LINK_INPUT, LINK_OUTPUT, LEVEL, EDGE_QUANTITY, LINK_ID, EVENT_ID, EVENT_TYPE,
    OCCURRED_AT, EVENT_WORK_ORDER, STEP_CODE, STATION_CODE, BADGE_CODE, OPERATOR_NAME,
    EQUIPMENT_CODE, NAME, VALUE, LOWER_LIMIT, UPPER_LIMIT, PASSED,
) = range(len(COLUMNS))  # fmt: skip


@dataclass
class _Collected:
    """Rows as they arrive, turned into the trace once all are in."""

    node_rows: dict[int, Any] = field(default_factory=dict)
    shipments: dict[int, list[ShipmentRef]] = field(default_factory=dict)
    edges: list[TraceEdge] = field(default_factory=list)
    inspection_rows: list[Any] = field(default_factory=list)

    def trace(self, direction: Direction) -> Trace:
        rows = self.node_rows
        shipments = self.shipments
        nodes = {node_id: _node(row, shipments.get(node_id)) for node_id, row in rows.items()}
        roots = tuple(sorted(node_id for node_id, row in rows.items() if row[IS_ROOT]))
        # A unit sits in its container: the edge is in the trace when the container was reached too.
        edges = list(self.edges)
        for node_id, row in rows.items():
            container_id = row[CONTAINER_ID]
            if container_id is not None and container_id in rows:
                edges.append(TraceEdge(node_id, container_id, EdgeLevel.CONTAINER, None, None))
        inspections = sorted(
            self.inspection_rows, key=lambda row: (timestamp(row[OCCURRED_AT]), row[LINK_ID])
        )
        return Trace(direction, roots, nodes, tuple(edges), tuple(_inspection(row) for row in inspections))


def _run_trace(connection: Connection, direction: Direction, seed: Seed, cancel: Cancel | None) -> _Collected:
    sql = _trace_sql(connection.dialect.name, direction, seed.sql)
    stream = direction is Direction.FORWARD
    if connection.dialect.name == "postgresql" and not stream and seed.name == "code":
        statement = prepared(connection, sql, ("seed_code",))
    else:
        statement = _text(sql)
    collected = _Collected()
    node_rows, shipments, edges = collected.node_rows, collected.shipments, collected.edges
    events: dict[int, EventRef] = {}
    seen_links: set[int] = set()
    seen_shipments: set[tuple[int, str]] = set()
    shipment_refs: dict[str, ShipmentRef] = {}
    for batch in iter_batches(connection, statement, seed.params, cancel, stream=stream, columns=COLUMNS):
        for row in batch:
            node_id = row[ID]
            if row[ROW_KIND] != "N":
                collected.inspection_rows.append(row)
                continue
            if node_id not in node_rows:
                node_rows[node_id] = row
            shipment_code = row[SHIPMENT_CODE]
            if shipment_code is not None and (node_id, shipment_code) not in seen_shipments:
                seen_shipments.add((node_id, shipment_code))
                # One object per shipment: a lot's trace meets the same few hundred thousands of times.
                ref = shipment_refs.get(shipment_code)
                if ref is None:
                    ref = shipment_refs[shipment_code] = _shipment(row)
                shipments.setdefault(node_id, []).append(ref)
            link_id = row[LINK_ID]
            if link_id is None or link_id in seen_links:
                continue
            seen_links.add(link_id)
            event = None
            if row[EVENT_TYPE] is not None:
                event_id = row[EVENT_ID]
                event = events.get(event_id)
                if event is None:
                    event = events[event_id] = _event(row)
            quantity = row[EDGE_QUANTITY]
            edges.append(
                TraceEdge(
                    row[LINK_INPUT],
                    row[LINK_OUTPUT],
                    _LEVELS[row[LEVEL]],
                    quantity if quantity is None or type(quantity) is Decimal else decimal_or_none(quantity),
                    event,
                )
            )
    return collected


def prepared(connection: Connection, sql: str, parameters: tuple[str, ...]) -> Any:
    """The statement PREPAREd once per PostgreSQL connection, as an EXECUTE of it.

    Planning the trace statement (a dozen joins over a recursive CTE) takes 3-5 ms, more than its
    execution for one unit's backward trace; prepared, it is planned once per connection
    (`Database.reading` asks for the generic plan). PREPARE outlives transactions and the pool
    keeps connections, so the connection's `info` remembers what is prepared on it; the name is
    the text's hash, so a changed statement is never confused with an old one.
    """
    name = "tracestation_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:16]
    done: set[str] = connection.info.setdefault(PREPARED_INFO, set())
    if name not in done:
        numbered = sql
        for number, parameter in enumerate(parameters, start=1):
            numbered = numbered.replace(f":{parameter}", f"${number}")
        # A statement left from before its bookkeeping was forgotten (see `_stale_statement`).
        if connection.exec_driver_sql(
            "SELECT 1 FROM pg_prepared_statements WHERE name = %(name)s", {"name": name}
        ).first():
            connection.exec_driver_sql(f"DEALLOCATE {name}")
        connection.exec_driver_sql(f"PREPARE {name} AS {numbered}")
        done.add(name)
    arguments = ", ".join(f":{parameter}" for parameter in parameters)
    return _text(f"EXECUTE {name}({arguments})")


PREPARED_INFO = "tracestation_prepared"


def _stale_statement(error: DBAPIError) -> bool:
    """A prepared statement gone (DEALLOCATE/DISCARD ALL, a pooler) or outdated by a migration."""
    return getattr(error.orig, "pgcode", None) in ("26000", "0A000")


def iter_batches(
    connection: Connection,
    statement: Any,
    params: dict[str, Any],
    cancel: Cancel | None,
    *,
    stream: bool = True,
    columns: tuple[str, ...] | None = None,
) -> Iterator[Sequence[Any]]:
    """Rows in batches; `cancel` is asked before each batch is handed over.

    The statement's own work (the recursion, a sort) is done before the first batch arrives: a
    cancel stops the reading and the building of results, not a statement already running.

    With `stream`, PostgreSQL hands the rows over from a server-side cursor batch by batch (a
    forward trace or a recall can be a hundred thousand rows); without it, the few rows of a
    backward trace come in one round trip instead of a cursor's three.
    """
    options: dict[str, Any] = {"yield_per": BATCH_ROWS} if stream else {}
    result = connection.execute(statement, params, execution_options=options)
    if columns is not None and tuple(result.keys()) != columns:  # the positions the reader relies on
        result.close()
        raise RuntimeError(f"trace statement columns {tuple(result.keys())} are not {columns}")
    try:
        for batch in result.partitions(BATCH_ROWS):
            if cancel is not None and cancel():
                raise TraceCancelled
            yield batch
    finally:
        result.close()


def decimal_or_none(value: Any) -> Decimal | None:
    """A quantity without its scale's trailing zeros (8, not 8.000000): PostgreSQL trims them in the
    query (`quantity_sql`); SQLite hands back floats and integers."""
    if value is None or type(value) is Decimal:
        return value
    return plain(Decimal(str(value)))


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def timestamp(value: Any) -> dt.datetime:
    """A database timestamp as an aware UTC datetime, whatever the backend and session time zone.

    PostgreSQL answers in the session's zone (a plant server is often set to Asia/Shanghai);
    SQLite stores UTC and hands back text through raw SQL.
    """
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _node(row: Any, shipments: list[ShipmentRef] | None) -> TraceNode:
    if shipments and len(shipments) > 1:
        shipments.sort(key=lambda ref: (ref.shipped_at is None, ref.shipped_at or _EPOCH, ref.code))
    quantity = row[QUANTITY]
    made, expires = row[MANUFACTURED_ON], row[EXPIRES_ON]
    return TraceNode(
        row[ID],
        row[CODE],
        row[KIND],
        row[STATUS],
        row[ITEM_CODE],
        row[ITEM_NAME_ZH],
        row[ITEM_NAME_EN],
        quantity if type(quantity) is Decimal else decimal_or_none(quantity) or Decimal(0),
        row[UOM],
        row[SUPPLIER_CODE],
        row[SUPPLIER_NAME_ZH],
        row[SUPPLIER_NAME_EN],
        row[EXTERNAL_CODE],
        row[WORK_ORDER_CODE],
        row[CONTAINER_CODE],
        made if made is None or type(made) is dt.date else _date(made),
        expires if expires is None or type(expires) is dt.date else _date(expires),
        None if row[IS_ROOT] else _PRECISIONS[row[EXACT]],
        tuple(shipments) if shipments else (),
    )


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _shipment(row: Any) -> ShipmentRef:
    shipped_at = row[SHIPPED_AT]
    return ShipmentRef(
        row[SHIPMENT_CODE],
        row[CUSTOMER_CODE],
        row[CUSTOMER_NAME_ZH],
        row[CUSTOMER_NAME_EN],
        None if shipped_at is None else timestamp(shipped_at),
    )


def _event(row: Any) -> EventRef:
    return EventRef(
        id=row[EVENT_ID],
        event_type=row[EVENT_TYPE],
        occurred_at=timestamp(row[OCCURRED_AT]),
        work_order_code=row[EVENT_WORK_ORDER],
        step_code=row[STEP_CODE],
        station_code=row[STATION_CODE],
        operator_badge=row[BADGE_CODE],
        operator_name=row[OPERATOR_NAME],
        equipment_code=row[EQUIPMENT_CODE],
    )


def _inspection(row: Any) -> InspectionRef:
    return InspectionRef(
        unit_id=row[ID],
        name=row[NAME],
        value=decimal_or_none(row[VALUE]),
        lower_limit=decimal_or_none(row[LOWER_LIMIT]),
        upper_limit=decimal_or_none(row[UPPER_LIMIT]),
        passed=bool(row[PASSED]),
        occurred_at=timestamp(row[OCCURRED_AT]),
        step_code=row[STEP_CODE],
        station_code=row[STATION_CODE],
        operator_badge=row[BADGE_CODE],
    )
