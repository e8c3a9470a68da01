"""What tests share: the demo plant with its people and stations, and a whole-database snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from demo.plant import DemoIds, demo_ids
from models.actions import Actor
from models.db import Database
from models.schema import Base, Unit

OPERATOR, OPERATOR_2, SUPERVISOR, QUALITY, ADMIN = "EMP1001", "EMP1002", "EMP2001", "EMP3001", "EMP9001"


@dataclass
class Plant:
    db: Database
    ids: DemoIds

    @classmethod
    def load(cls, db: Database) -> Plant:
        with db.session() as session:
            return cls(db, demo_ids(session))

    @property
    def backend(self) -> str:
        return self.db.engine.dialect.name

    def actor(self, badge: str = OPERATOR, station: str = "PRD-01") -> Actor:
        return Actor.new(self.ids.users[badge], self.ids.stations[station])

    def unit(self, code: str) -> Unit:
        with self.db.session() as session:
            unit = session.scalars(select(Unit).where(Unit.code == code)).one()
            session.expunge(unit)
            return unit

    def today(self) -> dt.date:
        """The plant's local date, as the operations see it (Asia/Shanghai)."""
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: equal before and after means nothing changed."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(table.select().order_by(*table.primary_key.columns)).all()
            result[table.name] = [tuple(_plain(value) for value in row) for row in rows]
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    return value
