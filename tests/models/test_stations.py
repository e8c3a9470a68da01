"""Stations for the setup dialog: the list a PC chooses from, and registering a new station.

Every test runs on SQLite and on PostgreSQL (`plant`, `db`); every refusal leaves the database as
it was (`snapshot`), and a registration retried under its action id is answered, not repeated.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import joinedload

from demo.plant import METER, STATIONS
from models.errors import DomainError, ErrorCode
from models.production import create_work_order
from models.schema import Action, Line, Site, Station, StationKind
from models.stations import (
    CODE_LENGTH,
    NAME_LENGTH,
    OPERATION,
    LineInfo,
    StationInfo,
    list_lines,
    list_stations,
    register_station,
)
from tests.support import SUPERVISOR, Plant, snapshot

NEW = {"code": "PRD-03", "name": "返修工位", "kind": StationKind.PRODUCTION, "line_code": "L1"}


def refused(db: Any, error_code: ErrorCode, /, **kwargs: Any) -> DomainError:
    """Register what the rules must refuse: the error, and not one row changed."""
    before = snapshot(db)
    with pytest.raises(DomainError) as error:
        register_station(db, **kwargs)
    assert error.value.code is error_code, error.value
    assert snapshot(db) == before
    return error.value


def add_site(plant: Plant, code: str = "HZ02") -> None:
    """A second site with a line of its own, as a plant with two factories has."""
    with plant.db.session() as session, session.begin():
        site = Site(code=code, name_zh="杭州工厂", name_en="Hangzhou Plant", timezone="Asia/Shanghai")
        session.add(site)
        session.flush()
        session.add(Line(site_id=site.id, code=f"{code}-L1", name_zh="杭州一线", name_en="Hangzhou line 1"))


# --- Listing ----------------------------------------------------------------------------------


def test_list_stations_gives_every_active_station_by_code_in_both_languages(plant: Plant) -> None:
    stations = list_stations(plant.db)

    assert [station.code for station in stations] == sorted(code for code, *_ in STATIONS)
    by_code = {station.code: station for station in stations}
    assert by_code["PRD-01"] == StationInfo(
        code="PRD-01",
        name_zh="总装线工位",
        name_en="Assembly line station",
        kind=StationKind.PRODUCTION,
        site_code="SZ01",
        site_name_zh="深圳工厂",
        site_name_en="Shenzhen Plant",
        line_code="L1",
        line_name_zh="电表总装线",
        line_name_en="Meter assembly line",
    )
    receiving = by_code["RCV-01"]
    assert receiving.kind is StationKind.RECEIVING
    assert (receiving.line_code, receiving.line_name_zh, receiving.line_name_en) == (None, None, None)
    assert (receiving.name("zh_CN"), receiving.name("en_US")) == ("收货站", "Receiving")


def test_an_inactive_station_is_not_offered(plant: Plant) -> None:
    with plant.db.session() as session, session.begin():
        session.execute(update(Station).where(Station.code == "PRD-02").values(active=False))

    assert "PRD-02" not in [station.code for station in list_stations(plant.db)]


def test_list_lines_gives_every_line_with_its_site(plant: Plant) -> None:
    assert list_lines(plant.db) == [
        LineInfo("L1", "电表总装线", "Meter assembly line", "SZ01"),
        LineInfo("L2", "模块与灌封线", "Module and potting line", "SZ01"),
    ]


def test_an_empty_database_has_no_stations_and_no_lines(db: Any) -> None:
    assert list_stations(db) == []
    assert list_lines(db) == []


# --- Registering ------------------------------------------------------------------------------


def test_register_a_station_on_a_line(plant: Plant) -> None:
    events_before = snapshot(plant.db)["event"]
    action_id = str(uuid.uuid4())

    info = register_station(plant.db, **NEW, action_id=action_id)

    assert info == StationInfo(
        code="PRD-03",
        name_zh="返修工位",
        name_en="返修工位",
        kind=StationKind.PRODUCTION,
        site_code="SZ01",
        site_name_zh="深圳工厂",
        site_name_en="Shenzhen Plant",
        line_code="L1",
        line_name_zh="电表总装线",
        line_name_en="Meter assembly line",
    )
    assert info in list_stations(plant.db)
    with plant.db.session() as session:
        statement = select(Station).where(Station.code == "PRD-03")
        station = session.scalars(statement.options(joinedload(Station.line), joinedload(Station.site))).one()
        assert station.active and station.line is not None and station.line.code == "L1"
        assert station.site.code == "SZ01"
        # Recorded by its action row (no operator exists yet to sign a MASTER_DATA event).
        action = session.get_one(Action, action_id)
        assert (action.operation, action.user_id, action.station_id) == (OPERATION, None, station.id)
        assert action.result is not None and action.result["code"] == "PRD-03"
        assert action.recorded_at is not None
    assert snapshot(plant.db)["event"] == events_before


@pytest.mark.parametrize("kind", list(StationKind))
def test_register_each_kind_without_a_line_on_the_plants_only_site(plant: Plant, kind: StationKind) -> None:
    info = register_station(
        plant.db, code=f" NEW-{kind.value} ", name=" 新工位 ", name_en="New station", kind=kind.value
    )

    assert (info.code, info.kind, info.name_zh, info.name_en) == (
        f"NEW-{kind.value}",
        kind,
        "新工位",
        "New station",
    )
    assert (info.site_code, info.line_code) == ("SZ01", None)
    assert [station.code for station in list_stations(plant.db)].count(info.code) == 1


def test_a_code_of_the_longest_length_is_accepted(plant: Plant) -> None:
    code = "S" * CODE_LENGTH
    assert register_station(plant.db, code=code, name="x" * NAME_LENGTH, kind="PACKING").code == code


def test_a_registration_retried_under_its_action_id_is_answered_not_repeated(plant: Plant) -> None:
    action_id = str(uuid.uuid4())
    first = register_station(plant.db, **NEW, action_id=action_id)
    after = snapshot(plant.db)

    again = register_station(plant.db, **NEW, action_id=action_id.upper())

    assert again == first and type(again.kind) is StationKind
    assert snapshot(plant.db) == after
    # Without its action id the same registration is a second one: the code is taken.
    refused(plant.db, ErrorCode.STATION_EXISTS, **NEW)


def test_an_action_id_of_another_operation_is_refused(plant: Plant) -> None:
    actor = plant.actor(SUPERVISOR, "PRD-01")
    create_work_order(plant.db, actor, code="WO-STATION", item_code=METER, quantity=1)

    error = refused(plant.db, ErrorCode.ACTION_ID_REUSED, **NEW, action_id=actor.action_id)
    assert error.params["operation"] == "create_work_order"


def test_a_station_on_the_line_of_a_second_site_belongs_to_that_site(plant: Plant) -> None:
    add_site(plant)

    info = register_station(
        plant.db, code="HZ-PRD-01", name="杭州工位", kind="PRODUCTION", line_code="HZ02-L1"
    )
    named = register_station(plant.db, code="HZ-RCV-01", name="杭州收货", kind="RECEIVING", site_code="HZ02")

    assert (info.site_code, info.line_code, named.site_code, named.line_code) == (
        "HZ02",
        "HZ02-L1",
        "HZ02",
        None,
    )


@pytest.mark.parametrize(
    ("changes", "code", "params"),
    [
        ({"code": "PRD-01"}, ErrorCode.STATION_EXISTS, {"station": "PRD-01"}),
        ({"code": ""}, ErrorCode.BAD_INPUT, {"field": "code", "why": "empty"}),
        ({"code": "   "}, ErrorCode.BAD_INPUT, {"field": "code", "why": "empty"}),
        (
            {"code": "S" * (CODE_LENGTH + 1)},
            ErrorCode.BAD_INPUT,
            {"field": "code", "why": "too long", "maximum": CODE_LENGTH},
        ),
        (
            {"code": "PRD 03"},
            ErrorCode.BAD_INPUT,
            {"field": "code", "why": "spaces or control characters", "code": "PRD 03"},
        ),
        (
            {"code": "PRD\x1d03"},
            ErrorCode.BAD_INPUT,
            {"field": "code", "why": "spaces or control characters", "code": "PRD\x1d03"},
        ),
        ({"name": ""}, ErrorCode.BAD_INPUT, {"field": "name", "why": "empty"}),
        (
            {"name": "x" * (NAME_LENGTH + 1)},
            ErrorCode.BAD_INPUT,
            {"field": "name", "why": "too long", "maximum": NAME_LENGTH},
        ),
        ({"name_en": "a\nb"}, ErrorCode.BAD_INPUT, {"field": "name_en", "why": "control characters"}),
        (
            {"kind": "WAREHOUSE"},
            ErrorCode.BAD_INPUT,
            {"field": "kind", "why": "unknown", "kind": "WAREHOUSE", "kinds": [k.value for k in StationKind]},
        ),
        ({"line_code": "L9"}, ErrorCode.BAD_INPUT, {"field": "line", "why": "unknown", "line": "L9"}),
        ({"site_code": "XX"}, ErrorCode.BAD_INPUT, {"field": "site", "why": "unknown", "site": "XX"}),
        ({"action_id": "not-a-uuid"}, ErrorCode.BAD_ACTION_ID, {"action_id": "not-a-uuid"}),
    ],
    ids=lambda value: repr(value)[:40] if isinstance(value, dict) else None,
)
def test_each_refusal_changes_nothing(
    plant: Plant, changes: dict[str, Any], code: ErrorCode, params: dict[str, Any]
) -> None:
    error = refused(plant.db, code, **(NEW | changes))
    assert error.params == params


def test_the_code_of_an_inactive_station_is_taken_too(plant: Plant) -> None:
    with plant.db.session() as session, session.begin():
        session.execute(update(Station).where(Station.code == "PRD-02").values(active=False))

    refused(plant.db, ErrorCode.STATION_EXISTS, **(NEW | {"code": "PRD-02"}))


def test_a_line_of_another_site_than_the_one_named_is_refused(plant: Plant) -> None:
    add_site(plant)

    error = refused(plant.db, ErrorCode.BAD_INPUT, **(NEW | {"site_code": "HZ02"}))
    assert error.params == {"field": "line", "why": "on another site", "line": "L1", "site": "HZ02"}


def test_without_line_or_site_a_plant_of_several_sites_must_say_which(plant: Plant) -> None:
    add_site(plant)

    error = refused(plant.db, ErrorCode.BAD_INPUT, **(NEW | {"line_code": None}))
    assert (error.params["field"], error.params["why"]) == ("site", "several sites: name the site or a line")


def test_an_empty_database_has_no_site_to_put_a_station_on(db: Any) -> None:
    error = refused(db, ErrorCode.BAD_INPUT, code="RCV-01", name="收货站", kind="RECEIVING")
    assert error.params == {"field": "site", "why": "the database has no site yet"}


# --- Two PCs at once (PostgreSQL: READ COMMITTED lets both pass the check) ----------------------


@pytest.mark.postgres_only
def test_a_code_taken_by_another_pc_between_check_and_insert_is_station_exists(pg_plant: Plant) -> None:
    """Another PC commits the same code just before this registration inserts its own row."""
    engine = pg_plant.db.engine
    with pg_plant.db.session() as session:
        site_id = session.scalars(select(Site.id)).one()
    done: list[bool] = []

    def other_pc_first(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        if done or not statement.lstrip().upper().startswith("INSERT INTO STATION"):
            return
        done.append(True)
        with engine.begin() as other:
            other.execute(
                insert(Station).values(
                    code="PRD-03",
                    name_zh="别的",
                    name_en="Other",
                    kind="PACKING",
                    site_id=site_id,
                    active=True,
                )
            )

    event.listen(engine, "before_cursor_execute", other_pc_first)
    try:
        before_actions = _count(pg_plant, Action)
        error = refused_with_race(pg_plant)
    finally:
        event.remove(engine, "before_cursor_execute", other_pc_first)

    assert done and error.params == {"station": "PRD-03"}
    assert _count(pg_plant, Action) == before_actions
    with pg_plant.db.session() as session:
        assert session.scalars(select(Station.name_en).where(Station.code == "PRD-03")).one() == "Other"


def refused_with_race(plant: Plant) -> DomainError:
    with pytest.raises(DomainError) as error:
        register_station(plant.db, **NEW)
    assert error.value.code is ErrorCode.STATION_EXISTS
    return error.value


def _count(plant: Plant, model: type) -> int:
    with plant.db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0
