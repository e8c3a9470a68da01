"""A unit's timeline: every event it took part in, oldest first, with what else took part and why.

Four statements whatever the unit's age: find the unit, its events (as a participant, and as a unit
that left inside a shipped container), the other units of those events, and the step results and
measurements recorded for it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, text

from models.db import Database
from models.errors import DomainError, ErrorCode
from models.trace import Seed, decimal_or_none, seed_by_code, seed_for, timestamp

# A serial's commissioning event names a hundred siblings; the timeline shows this many of them.
MAX_COUNTERPARTS = 20


@dataclass(frozen=True)
class Counterpart:
    code: str
    kind: str
    role: str
    quantity: Decimal | None


@dataclass(frozen=True)
class StepOutcome:
    step_code: str | None
    good_quantity: Decimal
    scrap_quantity: Decimal
    scrap_reason: str | None
    passed: bool | None


@dataclass(frozen=True)
class Measurement:
    name: str
    value: Decimal | None
    lower_limit: Decimal | None
    upper_limit: Decimal | None
    passed: bool


@dataclass(frozen=True)
class HistoryEntry:
    event_id: int
    event_type: str
    occurred_at: dt.datetime
    tz_offset: str
    # The unit's part in the event (EventRole); None when it left inside a shipped container.
    role: str | None
    quantity: Decimal | None
    station_code: str
    operator_badge: str
    operator_name: str
    work_order_code: str | None
    step_code: str | None
    equipment_code: str | None
    shipment_code: str | None
    customer_code: str | None
    biz_step: str | None
    disposition: str | None
    reason_code: str | None
    reason_text: str | None
    counterparts: tuple[Counterpart, ...]
    more_counterparts: int
    outcomes: tuple[StepOutcome, ...]
    measurements: tuple[Measurement, ...]
    # The electronic signature of a signed quality event (models/quality.py): printed name,
    # badge, meaning ("hold", "release", "scrap", "hold_affected") and when it was signed.
    signature: Signature | None = None


@dataclass(frozen=True)
class Signature:
    signer_name: str
    signer_badge: str
    meaning: str
    signed_at: str


@dataclass(frozen=True)
class History:
    unit_id: int
    code: str
    kind: str
    status: str
    item_code: str | None
    entries: tuple[HistoryEntry, ...]


def history(db: Database, code: str) -> History:
    with db.reading() as connection:
        # A unit's own code is its seed at once; anything else (a scan, a work order) resolves first.
        unit = _unit(connection, seed_by_code(code.strip())).first()
        if unit is None:
            seed = seed_for(connection, code)
            if seed.name != "unit":  # a shipment: its units each have a timeline of their own
                raise DomainError(ErrorCode.NOTHING_TO_TRACE, code=code)
            unit = _unit(connection, seed).one()
        events = list(connection.execute(_EVENTS, {"unit_id": unit.id}))
        event_ids = [row.id for row in events]
        counterparts = _counterparts(connection, unit.id, event_ids)
        outcomes, measurements = _results(connection, unit.id, event_ids)
        entries = []
        for row in events:
            others = counterparts.get(row.id, [])
            entries.append(
                HistoryEntry(
                    event_id=row.id,
                    event_type=row.event_type,
                    occurred_at=timestamp(row.occurred_at),
                    tz_offset=row.tz_offset,
                    role=row.role,
                    quantity=decimal_or_none(row.quantity),
                    station_code=row.station_code,
                    operator_badge=row.badge_code,
                    operator_name=row.operator_name,
                    work_order_code=row.work_order_code,
                    step_code=row.step_code,
                    equipment_code=row.equipment_code,
                    shipment_code=row.shipment_code,
                    customer_code=row.customer_code,
                    biz_step=row.biz_step,
                    disposition=row.disposition,
                    reason_code=row.reason_code,
                    reason_text=row.reason_text,
                    counterparts=tuple(others[:MAX_COUNTERPARTS]),
                    more_counterparts=max(0, len(others) - MAX_COUNTERPARTS),
                    outcomes=tuple(outcomes.get(row.id, ())),
                    measurements=tuple(measurements.get(row.id, ())),
                    signature=_signature(row.detail),
                )
            )
        return History(unit.id, unit.code, unit.kind, unit.status, unit.item_code, tuple(entries))


def _signature(detail: Any) -> Signature | None:
    """The signature stored in an event's detail (JSON: a dict from psycopg2, text from SQLite)."""
    if isinstance(detail, str):
        detail = json.loads(detail)
    signed = detail.get("signature") if isinstance(detail, dict) else None
    if not isinstance(signed, dict):
        return None
    return Signature(
        str(signed.get("signer_name", "")),
        str(signed.get("signer_badge", "")),
        str(signed.get("meaning", "")),
        str(signed.get("signed_at", "")),
    )


def _unit(connection: Connection, seed: Seed) -> Any:
    return connection.execute(
        text(
            "SELECT u.id, u.code, u.kind, u.status, i.code AS item_code FROM unit u "
            f"LEFT JOIN item i ON i.id = u.item_id WHERE u.id IN ({seed.sql})"
        ),
        seed.params,
    )


_EVENT_COLUMNS = """
       e.id, e.event_type, e.occurred_at, e.tz_offset, e.biz_step, e.disposition, e.reason_code,
       e.reason_text, st.code AS station_code, us.badge_code, us.name AS operator_name,
       wo.code AS work_order_code, rs.code AS step_code, eq.code AS equipment_code,
       sh.code AS shipment_code, cu.code AS customer_code, e.detail"""

_EVENT_JOINS = """
JOIN station st ON st.id = e.station_id
JOIN app_user us ON us.id = e.user_id
LEFT JOIN work_order wo ON wo.id = e.work_order_id
LEFT JOIN routing_step rs ON rs.id = e.routing_step_id
LEFT JOIN equipment eq ON eq.id = e.equipment_id
LEFT JOIN shipment sh ON sh.id = e.shipment_id
LEFT JOIN customer cu ON cu.id = sh.customer_id"""

# A unit that left inside a carton is not a participant of the SHIP event (the carton is); its
# shipped_unit row says it left, and the timeline shows that event for it too.
_EVENTS = text(
    f"""
SELECT * FROM (
    SELECT {_EVENT_COLUMNS}, eu.role, eu.quantity, eu.id AS ordinal
    FROM event_unit eu JOIN event e ON e.id = eu.event_id {_EVENT_JOINS}
    WHERE eu.unit_id = :unit_id
    UNION ALL
    SELECT {_EVENT_COLUMNS}, NULL AS role, su.quantity, 0 AS ordinal
    FROM shipped_unit su JOIN event e ON e.id = su.event_id {_EVENT_JOINS}
    WHERE su.unit_id = :unit_id
      AND NOT EXISTS (SELECT 1 FROM event_unit x WHERE x.event_id = su.event_id AND x.unit_id = su.unit_id)
) timeline
ORDER BY occurred_at, id, ordinal
"""
)


def _counterparts(connection: Connection, unit_id: int, event_ids: list[int]) -> dict[int, list[Counterpart]]:
    """The other units of each event that played another part: the lot a serial came from, its carton."""
    if not event_ids:
        return {}
    statement = text(
        """
SELECT eu.event_id, u.code, u.kind, eu.role, eu.quantity
FROM event_unit eu JOIN unit u ON u.id = eu.unit_id
WHERE eu.event_id IN :event_ids AND eu.unit_id <> :unit_id
  AND eu.role NOT IN (SELECT mine.role FROM event_unit mine
                      WHERE mine.event_id = eu.event_id AND mine.unit_id = :unit_id)
ORDER BY eu.event_id, eu.id
"""
    ).bindparams(bindparam("event_ids", expanding=True))
    found: dict[int, list[Counterpart]] = {}
    for row in connection.execute(statement, {"event_ids": event_ids, "unit_id": unit_id}):
        found.setdefault(row.event_id, []).append(
            Counterpart(row.code, row.kind, row.role, decimal_or_none(row.quantity))
        )
    return found


def _results(
    connection: Connection, unit_id: int, event_ids: list[int]
) -> tuple[dict[int, list[StepOutcome]], dict[int, list[Measurement]]]:
    """Step results and measurements of the unit's events, in one statement (a union of both)."""
    if not event_ids:
        return {}, {}
    statement = text(
        """
SELECT 'S' AS what, sr.event_id, sr.id AS ordinal, rs.code AS step_code, sr.good_quantity, sr.scrap_quantity,
       sr.scrap_reason, sr.passed, NULL AS name, NULL AS value, NULL AS lower_limit, NULL AS upper_limit
FROM step_result sr JOIN routing_step rs ON rs.id = sr.routing_step_id
WHERE sr.event_id IN :event_ids
UNION ALL
SELECT 'M', ir.event_id, ir.id, NULL, NULL, NULL, NULL, ir.passed, ir.name, ir.value, ir.lower_limit,
       ir.upper_limit
FROM inspection_result ir
WHERE ir.event_id IN :event_ids AND ir.unit_id = :unit_id
ORDER BY 2, 1, 3
"""
    ).bindparams(bindparam("event_ids", expanding=True))
    outcomes: dict[int, list[StepOutcome]] = {}
    measurements: dict[int, list[Measurement]] = {}
    for row in connection.execute(statement, {"event_ids": event_ids, "unit_id": unit_id}):
        if row.what == "S":
            outcomes.setdefault(row.event_id, []).append(
                StepOutcome(
                    row.step_code,
                    decimal_or_none(row.good_quantity) or Decimal(0),
                    decimal_or_none(row.scrap_quantity) or Decimal(0),
                    row.scrap_reason,
                    _bool(row.passed),
                )
            )
        else:
            measurements.setdefault(row.event_id, []).append(
                Measurement(
                    row.name,
                    decimal_or_none(row.value),
                    decimal_or_none(row.lower_limit),
                    decimal_or_none(row.upper_limit),
                    bool(row.passed),
                )
            )
    return outcomes, measurements


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)
