"""An action whose commit acknowledgement is lost is retried under its action id and recorded once.

The connection's commit really commits and then fails, as when the network drops between the
server's COMMIT and its answer. A naive retry would record the action twice; the action id makes
the retry find the first result instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import psycopg2
import psycopg2.extensions
import pytest
from sqlalchemy import func, select

from demo.plant import METER
from models import production
from models.actions import Actor, lookup_action
from models.db import Database
from models.schema import Action, Unit, UnitKind
from tests.support import SUPERVISOR, Plant


class _LostAcknowledgements:
    remaining = 0


class FlakyPostgres(psycopg2.extensions.connection):
    def commit(self) -> None:
        super().commit()
        if _LostAcknowledgements.remaining > 0:
            _LostAcknowledgements.remaining -= 1
            raise psycopg2.OperationalError("server closed the connection unexpectedly")


class FlakySqlite(sqlite3.Connection):
    def commit(self) -> None:
        super().commit()
        if _LostAcknowledgements.remaining > 0:
            _LostAcknowledgements.remaining -= 1
            raise sqlite3.OperationalError("database is locked")


@pytest.fixture
def flaky(plant: Plant) -> Iterator[Database]:
    """A second station on the same database whose commits can lose their acknowledgement."""
    url = plant.db.engine.url
    if plant.backend == "postgresql":
        db = Database.connect(url, connect_args={"connection_factory": FlakyPostgres})
    else:
        db = Database.connect(url, creator=lambda: sqlite3.connect(url.database, factory=FlakySqlite))
    yield db
    _LostAcknowledgements.remaining = 0
    db.dispose()


def _serials(plant: Plant) -> int:
    with plant.db.session() as session:
        return session.scalar(select(func.count(Unit.id)).where(Unit.kind == UnitKind.SERIAL)) or 0


def test_a_lost_commit_acknowledgement_is_retried_and_recorded_once(plant: Plant, flaky: Database) -> None:
    production.create_work_order(
        plant.db, plant.actor(SUPERVISOR), code="WO-ACK", item_code=METER, quantity=10
    )
    actor = plant.actor()
    _LostAcknowledgements.remaining = 1
    made = production.create_serials(flaky, actor, work_order_code="WO-ACK", count=2)
    assert _LostAcknowledgements.remaining == 0  # the first commit did lose its answer
    assert _serials(plant) == 2
    assert production.create_serials(flaky, actor, work_order_code="WO-ACK", count=2) == made
    assert _serials(plant) == 2
    recorded = lookup_action(plant.db, actor.action_id)
    assert recorded is not None and recorded.result["codes"] == made.codes


def test_an_unknown_outcome_is_settled_by_looking_the_action_up(plant: Plant) -> None:
    never_sent = Actor.new(plant.ids.users["EMP1001"], plant.ids.stations["PRD-01"])
    assert lookup_action(plant.db, never_sent.action_id) is None
    production.create_work_order(
        plant.db, plant.actor(SUPERVISOR), code="WO-LOOK", item_code=METER, quantity=1
    )
    sent = plant.actor()
    production.create_serials(plant.db, sent, work_order_code="WO-LOOK")
    recorded = lookup_action(plant.db, sent.action_id)
    assert recorded is not None and recorded.operation == "create_serials"
    with plant.db.session() as session:
        assert session.get(Action, sent.action_id) is not None
