"""One operator action = one function = one transaction, recorded once under its client action id.

`@operation` wraps a domain function `fn(ctx, ...)` into `fn(db, actor, ...)`: it opens the
transaction, replays the stored result when the action id was seen before (a retry after a lost
acknowledgement must never record the action twice), checks the operator and the station, runs
the function, stores its result with the action row and commits. Conflicts the database resolves
by aborting one side (deadlock, serialization failure, SQLite busy, a dropped connection) are retried
here with the same action id, so no caller ever sees one.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
import logging
import random
import time
import types
import typing
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, joinedload

from models.db import Database
from models.errors import DomainError, ErrorCode
from models.schema import (
    Action,
    Event,
    EventRole,
    EventType,
    EventUnit,
    Link,
    LinkLevel,
    Role,
    Site,
    Station,
    Unit,
    User,
)

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

MAX_ATTEMPTS = 8
UNIQUE_CONFLICT_ATTEMPTS = 2
ALL_ROLES = frozenset(Role)
SUPERVISION = frozenset({Role.SUPERVISOR, Role.QUALITY, Role.ADMIN})
QUALITY = frozenset({Role.QUALITY, Role.SUPERVISOR, Role.ADMIN})
PLANNING = frozenset({Role.SUPERVISOR, Role.ADMIN})


# Only the demo seed and the benchmarks set this: they build days of history in seconds. A station
# never does, so its events carry the database clock.
_simulated_now: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "simulated_now", default=None
)


@contextlib.contextmanager
def simulated_clock(moment: dt.datetime) -> Iterator[None]:
    """Run operations as of `moment` (aware) instead of the database's now."""
    if moment.tzinfo is None:
        raise ValueError("simulated_clock needs an aware datetime")
    token = _simulated_now.set(moment.astimezone(dt.UTC))
    try:
        yield
    finally:
        _simulated_now.reset(token)


@dataclass(frozen=True)
class Actor:
    """Who acts, where, and the client's id for this one action (a UUID, new per operator action)."""

    user_id: int
    station_id: int
    action_id: str

    @classmethod
    def new(cls, user_id: int, station_id: int) -> Actor:
        return cls(user_id, station_id, str(uuid.uuid4()))

    def retry(self) -> Actor:
        """The same action again (what a client does after a timeout): same id."""
        return self


@dataclass
class Ctx:
    """What a domain function sees: its session and who, where and when it acts."""

    session: Session
    action_id: str
    user: User
    station: Station
    site: Site
    now: dt.datetime
    local_date: dt.date
    tz_offset: str

    def event(
        self,
        event_type: EventType,
        units: Iterable[tuple[Unit, EventRole, Decimal | None]] = (),
        **fields: Any,
    ) -> Event:
        """Append an event stamped with the action, station, operator and database time."""
        fields.setdefault("line_id", self.station.line_id)
        event = Event(
            action_id=self.action_id,
            event_type=event_type,
            occurred_at=self.now,
            tz_offset=self.tz_offset,
            site_id=self.site.id,
            station_id=self.station.id,
            user_id=self.user.id,
            **fields,
        )
        self.session.add(event)
        self.session.flush()
        self.session.add_all(
            EventUnit(event_id=event.id, unit_id=unit.id, role=role, quantity=quantity)
            for unit, role, quantity in units
        )
        return event

    def link(
        self, source: Unit, target: Unit, level: LinkLevel, event: Event, quantity: Decimal | None = None
    ) -> None:
        """A genealogy edge, source went into target, recorded with the event that made it."""
        self.session.add(
            Link(
                input_unit_id=source.id,
                output_unit_id=target.id,
                level=level,
                quantity=quantity,
                event_id=event.id,
            )
        )


def operation(
    name: str, roles: frozenset[Role] = ALL_ROLES
) -> Callable[[Callable[Concatenate[Ctx, P], R]], Callable[Concatenate[Database, Actor, P], R]]:
    """Turn `fn(ctx, ...)` into the action `fn(db, actor, ...)`; see the module docstring."""

    def wrap(fn: Callable[Concatenate[Ctx, P], R]) -> Callable[Concatenate[Database, Actor, P], R]:
        @functools.wraps(fn)
        def run(db: Database, actor: Actor, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return _execute(db, actor, name, roles, lambda ctx: fn(ctx, *args, **kwargs), _result_type(fn))

        run.operation_name = name  # type: ignore[attr-defined]
        return run

    return wrap


def _result_type(fn: Callable[..., Any]) -> Any:
    return typing.get_type_hints(fn).get("return")


def _execute(
    db: Database,
    actor: Actor,
    name: str,
    roles: frozenset[Role],
    body: Callable[[Ctx], Any],
    result_type: Any,
) -> Any:
    action_id = _check_action_id(actor.action_id)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with db.session() as session, session.begin():
                who = _who_and_where(session, actor)
                refusal = _refusal(session, who, actor, roles)
                # A recorded action is answered with its result even if its operator has been
                # locked since: it happened, and the station must learn that it did.
                now = None if refusal else _claim(session, action_id, name, actor)
                if now is None:
                    recorded = session.get(Action, action_id)
                    if recorded is None:
                        assert refusal is not None  # the claim only fails on a recorded action id
                        raise refusal
                    return _replay(recorded, name, result_type)
                assert who is not None
                ctx = _context(session, who, action_id, now)
                result = body(ctx)
                session.flush()
                session.execute(
                    update(Action)
                    .where(Action.id == action_id)
                    .values(result=to_jsonable(result))
                    .execution_options(synchronize_session=False)
                )
            return result
        except DomainError:
            raise
        except DBAPIError as error:
            if attempt == MAX_ATTEMPTS or not _retryable(error):
                raise
            if isinstance(error, IntegrityError) and attempt >= UNIQUE_CONFLICT_ATTEMPTS:
                raise  # a key still taken after a rerun is not a race: it will stay taken
            delay = min(0.5, 0.005 * 2**attempt) * (0.5 + random.random())
            log.info(
                "retrying %s (%s) after %s: attempt %d", name, action_id, type(error.orig).__name__, attempt
            )
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _check_action_id(action_id: str) -> str:
    try:
        return str(uuid.UUID(str(action_id)))
    except ValueError:
        raise DomainError(ErrorCode.BAD_ACTION_ID, action_id=action_id) from None


def _retryable(error: DBAPIError) -> bool:
    """Conflicts that succeed when simply run again (the action id keeps the rerun exactly-once)."""
    if error.connection_invalidated:
        return True
    code = getattr(error.orig, "pgcode", None)
    if code in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return True
    message = str(error.orig).lower()
    if isinstance(error, IntegrityError):
        # A unique key taken by a concurrent transaction (a counter row both tried to create, a
        # random serial both drew): the next attempt sees the committed row. A foreign key or
        # check violation is a bug and would fail the same way again.
        return code == "23505" or "unique constraint failed" in message
    return "database is locked" in message or "database is busy" in message


def _claim(session: Session, action_id: str, name: str, actor: Actor) -> dt.datetime | None:
    """Record the action id first, stamped with the database clock; None if it was recorded before.

    One statement: INSERT ... ON CONFLICT DO NOTHING RETURNING. A concurrent retry of the same
    action waits here for the first attempt's transaction and then finds its row.
    """
    simulated = _simulated_now.get()
    sqlite = session.get_bind().dialect.name == "sqlite"
    if simulated is not None:
        clock: Any = simulated
    elif sqlite:
        # The database's clock, not the station's: stations' clocks drift, the server's is one.
        clock = func.strftime("%Y-%m-%d %H:%M:%f", "now")
    else:
        clock = func.now()
    statement = (sqlite_insert if sqlite else postgresql_insert)(Action).values(
        id=action_id, operation=name, user_id=actor.user_id, station_id=actor.station_id, recorded_at=clock
    )
    now = session.execute(
        statement.on_conflict_do_nothing(index_elements=["id"]).returning(Action.recorded_at)
    ).scalar()
    if now is None:
        return None
    return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)


def _who_and_where(session: Session, actor: Actor) -> tuple[User, Station, Site] | None:
    found = (
        session.execute(
            select(User, Station, Site)
            .select_from(User)
            .join(Station, Station.id == actor.station_id)
            .join(Site, Site.id == Station.site_id)
            .where(User.id == actor.user_id)
            .options(joinedload(User.role_rows), joinedload(Station.line))
        )
        .unique()
        .first()
    )
    if found is None:
        return None
    user, station, site = found
    return user, station, site


def _refusal(
    session: Session, who: tuple[User, Station, Site] | None, actor: Actor, roles: frozenset[Role]
) -> DomainError | None:
    """Why this operator may not act at this station now, checked before the action is recorded."""
    if who is None:
        if session.get(User, actor.user_id) is None:
            return DomainError(ErrorCode.UNKNOWN_USER, user_id=actor.user_id)
        return DomainError(ErrorCode.UNKNOWN_STATION, station_id=actor.station_id)
    user, station, _ = who
    if not user.active:
        return DomainError(ErrorCode.USER_INACTIVE, user=user.name)
    if user.locked:
        return DomainError(ErrorCode.USER_LOCKED, user=user.name)
    if not (user.roles & roles):
        return DomainError(
            ErrorCode.ROLE_REQUIRED, user=user.name, roles=sorted(role.value for role in roles)
        )
    if not station.active:
        return DomainError(ErrorCode.UNKNOWN_STATION, station_id=actor.station_id)
    return None


def _context(session: Session, who: tuple[User, Station, Site], action_id: str, now: dt.datetime) -> Ctx:
    user, station, site = who
    local = now.astimezone(ZoneInfo(site.timezone))
    return Ctx(
        session=session,
        action_id=action_id,
        user=user,
        station=station,
        site=site,
        now=now,
        local_date=local.date(),
        tz_offset=_format_offset(local.utcoffset()),
    )


def _format_offset(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- Results: plain dataclasses, stored as JSON with the action and rebuilt on replay --------------


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    return value


def from_jsonable(kind: Any, value: Any) -> Any:
    """Rebuild a stored result as the type the function declared."""
    if value is None or kind is Any or kind is None:
        return value
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return from_jsonable(options[0], value) if len(options) == 1 else value
    if origin in (list, tuple):
        (item_kind, *_) = typing.get_args(kind) or (Any,)
        return [from_jsonable(item_kind, item) for item in value]
    if origin is dict:
        _, item_kind = typing.get_args(kind)
        return {key: from_jsonable(item_kind, item) for key, item in value.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):  # a dataclass, not an instance
        hints = typing.get_type_hints(kind)
        return kind(**{name: from_jsonable(hints[name], item) for name, item in value.items()})
    if kind is Decimal:
        return Decimal(value)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, str | int) and not isinstance(value, kind):
        return kind(value)
    if isinstance(kind, type) and issubclass(kind, str) and kind is not str:
        return kind(value)
    return value


def _replay(recorded: Action, name: str, result_type: Any) -> Any:
    if recorded.operation != name:
        raise DomainError(ErrorCode.ACTION_ID_REUSED, action_id=recorded.id, operation=recorded.operation)
    return from_jsonable(result_type, recorded.result)


def lookup_action(db: Database, action_id: str) -> Action | None:
    """Settle an action whose commit outcome is unknown: recorded (with its result) or not at all."""
    with db.session() as session:
        return session.scalars(select(Action).where(Action.id == _check_action_id(action_id))).first()
