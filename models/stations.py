"""Stations as the setup dialog sees them: which ones a plant has, and registering a new one.

A station PC is set up once, by an installer, before anybody logs in: it either takes the code of a
station the plant already has (`list_stations`), or registers a new one (`register_station`).

Registering a station is a master-data change, and the events that record master-data changes
(`Event`, MASTER_DATA) need an operator: `event.user_id` is NOT NULL, and at first run nobody can
have logged in at a station that does not exist yet. So the registration is recorded by its
`Action` row instead, the one audit record the schema allows without an operator: the append-only
row says what was done (operation "register_station", the new station as its result), where (the
new station) and when (the database clock), and its client action id settles a registration whose
commit outcome was lost (retry with the same id: the recorded station is answered, not
STATION_EXISTS).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.actions import from_jsonable, to_jsonable
from models.db import Database
from models.errors import DomainError, ErrorCode
from models.schema import Action, Code, Line, Name, Site, Station, StationKind

OPERATION: Final = "register_station"
CODE_LENGTH: Final = Code.length or 64
NAME_LENGTH: Final = Name.length or 200


@dataclass(frozen=True)
class StationInfo:
    """A station as a screen shows it: plain values, both languages, never an ORM row."""

    code: str
    name_zh: str
    name_en: str
    kind: StationKind
    site_code: str
    site_name_zh: str
    site_name_en: str
    line_code: str | None = None
    line_name_zh: str | None = None
    line_name_en: str | None = None

    def name(self, language: str) -> str:
        """The name in the operator's language ("zh_CN", "en_US"): Chinese unless English is asked."""
        return self.name_en if language.startswith("en") else self.name_zh


@dataclass(frozen=True)
class LineInfo:
    """A production line a new station can be put on."""

    code: str
    name_zh: str
    name_en: str
    site_code: str

    def name(self, language: str) -> str:
        return self.name_en if language.startswith("en") else self.name_zh


def list_stations(db: Database) -> list[StationInfo]:
    """The active stations, by code: what a station PC can be set up as.

    Inactive stations are left out: every operation refuses them (UNKNOWN_STATION), so a PC set up
    as one could not record anything. Sorted here, not by the database, so both backends give the
    same order (PostgreSQL's collation would otherwise ignore the hyphens in "PRD-01").
    """
    query = (
        select(
            Station.code,
            Station.name_zh,
            Station.name_en,
            Station.kind,
            Site.code,
            Site.name_zh,
            Site.name_en,
            Line.code,
            Line.name_zh,
            Line.name_en,
        )
        .join(Site, Site.id == Station.site_id)
        .outerjoin(Line, Line.id == Station.line_id)
        .where(Station.active.is_(True))
    )
    with db.reading() as connection:
        rows = connection.execute(query).all()
    # The first ten columns by position: SQLAlchemy types a ten-column row as "ten, then any more".
    return sorted((StationInfo(*row[:10]) for row in rows), key=lambda info: info.code)


def station_id(db: Database, code: str) -> int:
    """The id an operator's actions at station `code` are recorded with; an unknown or inactive
    station is refused (UNKNOWN_STATION), as every operation there would be."""
    query = select(Station.id).where(Station.code == code, Station.active.is_(True))
    with db.reading() as connection:
        found = connection.execute(query).scalar()
    if found is None:
        raise DomainError(ErrorCode.UNKNOWN_STATION, station=code)
    return int(found)


def list_lines(db: Database) -> list[LineInfo]:
    """Every line, by code: where a new production or packing station can be put."""
    query = select(Line.code, Line.name_zh, Line.name_en, Site.code).join(Site, Site.id == Line.site_id)
    with db.reading() as connection:
        rows = connection.execute(query).all()
    return sorted((LineInfo(*row) for row in rows), key=lambda info: info.code)


def register_station(
    db: Database,
    *,
    code: str,
    name: str,
    kind: StationKind | str,
    line_code: str | None = None,
    name_en: str | None = None,
    site_code: str | None = None,
    action_id: str | None = None,
) -> StationInfo:
    """Register a new station: the installer's first-run action, one transaction, all or nothing.

    `name` is the station's name as the installer typed it; it names the station in both languages
    unless `name_en` gives the English one. The station is on `line_code`'s site, else on
    `site_code`, else on the plant's only site. `action_id` (a UUID) is the client's id for this
    registration: give the same one again after a lost acknowledgement to learn what was recorded.

    Refused with a DomainError, the database unchanged: BAD_INPUT (field "code", "name", "name_en",
    "kind", "line" or "site", with why), STATION_EXISTS (the code is taken), BAD_ACTION_ID, and
    ACTION_ID_REUSED (the id recorded another operation).
    """
    code = _code(code)
    name_zh = _name("name", name)
    english = name_zh if name_en is None or not name_en.strip() else _name("name_en", name_en)
    station_kind = _kind(kind)
    line_code = (line_code or "").strip() or None
    site_code = (site_code or "").strip() or None
    action_id = _action_id(action_id)
    try:
        with db.session() as session, session.begin():
            recorded = _recorded(session, action_id)
            if recorded is not None:
                return recorded
            return _register(session, action_id, code, name_zh, english, station_kind, line_code, site_code)
    except IntegrityError as error:
        # PostgreSQL, READ COMMITTED: another PC registered this code (or this very action, retried
        # concurrently) between the check and the insert. Say what is true now.
        with db.session() as session:
            recorded = _recorded(session, action_id)
            if recorded is not None:
                return recorded
            if session.scalar(select(Station.id).where(Station.code == code)) is not None:
                raise DomainError(ErrorCode.STATION_EXISTS, station=code) from error
        raise


def _register(
    session: Session,
    action_id: str,
    code: str,
    name_zh: str,
    name_en: str,
    kind: StationKind,
    line_code: str | None,
    site_code: str | None,
) -> StationInfo:
    """Check everything against the database, then write the station and its action row."""
    if session.scalar(select(Station.id).where(Station.code == code)) is not None:
        raise DomainError(ErrorCode.STATION_EXISTS, station=code)
    line = None
    if line_code is not None:
        line = session.scalars(select(Line).where(Line.code == line_code)).first()
        if line is None:
            raise DomainError(ErrorCode.BAD_INPUT, field="line", why="unknown", line=line_code)
    site = _site(session, site_code, line)
    station = Station(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        kind=kind,
        site_id=site.id,
        line_id=line.id if line else None,
        active=True,
    )
    session.add(station)
    session.flush()
    info = StationInfo(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        kind=kind,
        site_code=site.code,
        site_name_zh=site.name_zh,
        site_name_en=site.name_en,
        line_code=line.code if line else None,
        line_name_zh=line.name_zh if line else None,
        line_name_en=line.name_en if line else None,
    )
    session.add(
        Action(
            id=action_id,
            operation=OPERATION,
            user_id=None,  # nobody can be logged in at a station that did not exist (module docstring)
            station_id=station.id,
            recorded_at=_database_clock(session),
            result=to_jsonable(info),
        )
    )
    session.flush()
    return info


def _site(session: Session, site_code: str | None, line: Line | None) -> Site:
    """The new station's site: the one named, the line's, or the plant's only one."""
    if site_code is not None:
        site = session.scalars(select(Site).where(Site.code == site_code)).first()
        if site is None:
            raise DomainError(ErrorCode.BAD_INPUT, field="site", why="unknown", site=site_code)
        if line is not None and line.site_id != site.id:
            raise DomainError(
                ErrorCode.BAD_INPUT, field="line", why="on another site", line=line.code, site=site_code
            )
        return site
    if line is not None:
        return session.get_one(Site, line.site_id)
    sites = session.scalars(select(Site).order_by(Site.id).limit(2)).all()
    if not sites:
        # An empty database: the plant (site, lines, users) is set up with tracestation-admin first.
        raise DomainError(ErrorCode.BAD_INPUT, field="site", why="the database has no site yet")
    if len(sites) > 1:
        raise DomainError(ErrorCode.BAD_INPUT, field="site", why="several sites: name the site or a line")
    return sites[0]


def _recorded(session: Session, action_id: str) -> StationInfo | None:
    """The station this action id registered before, if it did; another operation's id is refused."""
    action = session.get(Action, action_id)
    if action is None:
        return None
    if action.operation != OPERATION:
        raise DomainError(ErrorCode.ACTION_ID_REUSED, action_id=action_id, operation=action.operation)
    recorded: StationInfo = from_jsonable(StationInfo, action.result)
    return recorded


def _database_clock(session: Session) -> Any:
    """The database's now, as models.actions stamps actions: stations' clocks drift, the server's is one."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M:%f", "now")
    return func.now()


# --- Input checks: before the transaction, so a typo costs no database work -------------------


def _code(value: object) -> str:
    """A station code as the station config accepts it: 1-64 printable characters, no spaces."""
    code = value.strip() if isinstance(value, str) else ""
    if not code:
        raise DomainError(ErrorCode.BAD_INPUT, field="code", why="empty")
    if len(code) > CODE_LENGTH:
        raise DomainError(ErrorCode.BAD_INPUT, field="code", why="too long", maximum=CODE_LENGTH)
    if any(ch.isspace() or not ch.isprintable() for ch in code):
        raise DomainError(ErrorCode.BAD_INPUT, field="code", why="spaces or control characters", code=code)
    return code


def _name(field: str, value: object) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise DomainError(ErrorCode.BAD_INPUT, field=field, why="empty")
    if len(name) > NAME_LENGTH:
        raise DomainError(ErrorCode.BAD_INPUT, field=field, why="too long", maximum=NAME_LENGTH)
    if not name.isprintable():
        raise DomainError(ErrorCode.BAD_INPUT, field=field, why="control characters")
    return name


def _kind(value: StationKind | str) -> StationKind:
    try:
        return StationKind(value)
    except ValueError:
        raise DomainError(
            ErrorCode.BAD_INPUT,
            field="kind",
            why="unknown",
            kind=str(value),
            kinds=[kind.value for kind in StationKind],
        ) from None


def _action_id(value: str | None) -> str:
    if value is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise DomainError(ErrorCode.BAD_ACTION_ID, action_id=value) from None
