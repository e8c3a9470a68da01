"""The plant at a glance: how many units stand in each status, and what happened last."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db import Database
from models.errors import DomainError, ErrorCode
from models.schema import Event, Site, Station, Unit, User


@dataclass(frozen=True)
class StatusCount:
    kind: str
    status: str
    count: int


@dataclass(frozen=True)
class RecentEvent:
    occurred_at: dt.datetime
    event_type: str
    station: str
    operator: str
    reason: str | None


@dataclass(frozen=True)
class Overview:
    database: str
    units: list[StatusCount]
    recent: list[RecentEvent]


def plant_overview(db: Database, recent: int = 50) -> Overview:
    with db.session() as session:
        counts = session.execute(
            select(Unit.kind, Unit.status, func.count(Unit.id))
            .group_by(Unit.kind, Unit.status)
            .order_by(Unit.kind, Unit.status)
        ).all()
        events = session.execute(
            select(Event.occurred_at, Event.event_type, Station.code, User.name, Event.reason_text)
            .join(Station, Station.id == Event.station_id)
            .join(User, User.id == Event.user_id)
            .order_by(Event.id.desc())
            .limit(recent)
        ).all()
    return Overview(
        database=db.engine.url.render_as_string(hide_password=True),
        units=[StatusCount(kind.value, status.value, count) for kind, status, count in counts],
        recent=[
            RecentEvent(occurred_at, event_type.value, station, operator, reason)
            for occurred_at, event_type, station, operator, reason in events
        ],
    )


def plant_timezone(db: Database) -> ZoneInfo:
    """The plant's time zone (its first site's): times typed or shown without a zone are its wall
    clock, and a site configured with a zone this machine does not know is an error, not UTC."""
    with db.session() as session:
        return plant_zone(session)


def plant_zone(session: Session) -> ZoneInfo:
    """`plant_timezone` inside a session already open: an operation judges "today" by the clock
    the screens show, in its own transaction."""
    name = session.scalars(select(Site.timezone).order_by(Site.id)).first()
    if name is None:
        raise DomainError(ErrorCode.NOTHING_TO_TRACE, code="site")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(ErrorCode.BAD_INPUT, field="site.timezone", value=name) from None
