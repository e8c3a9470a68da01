"""`Database.reading()` and what the trace statements rely on: snapshots, settings, prepared plans."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import text

from models import trace
from models.db import Database
from models.trace import PREPARED_INFO
from tests.models.genealogy import Genealogy
from tests.support import Plant


def small_genealogy(plant: Plant) -> Genealogy:
    g = Genealogy(plant)
    g.lot("M", supplier="SUP-HQ")
    g.lot("P", "DDZY-102")
    g.link("M", "P")
    g.serial("S")
    g.link("P", "S")
    g.commit()
    g.close()
    return g


def test_a_long_read_does_not_hold_up_a_station_writing(plant: Plant) -> None:
    """On SQLite every write transaction takes the lock at BEGIN; a read must not."""
    g = small_genealogy(plant)
    wrote = threading.Event()

    def write() -> None:
        with plant.db.session() as session, session.begin():
            session.execute(
                text("UPDATE unit SET status = 'ON_HOLD' WHERE code = :code"), {"code": g.code("M")}
            )
        wrote.set()

    with plant.db.reading() as connection:
        before = connection.execute(
            text("SELECT status FROM unit WHERE code = :c"), {"c": g.code("M")}
        ).scalar()
        writer = threading.Thread(target=write)
        writer.start()
        assert wrote.wait(5), "the write waited for the reader"
        again = connection.execute(
            text("SELECT status FROM unit WHERE code = :c"), {"c": g.code("M")}
        ).scalar()
        assert again == before == "RELEASED"  # the reader keeps its snapshot
    writer.join()


def test_postgresql_reads_are_read_only_snapshots_without_jit(pg_plant: Plant) -> None:
    with pg_plant.db.reading() as connection:
        settings = {
            name: connection.exec_driver_sql(f"SHOW {name}").scalar()
            for name in ("jit", "transaction_isolation", "transaction_read_only", "plan_cache_mode")
        }
    assert settings == {
        "jit": "off",
        "transaction_isolation": "repeatable read",
        "transaction_read_only": "on",
        "plan_cache_mode": "force_generic_plan",
    }


def test_a_lost_prepared_statement_is_prepared_again(pg_plant: Plant) -> None:
    g = small_genealogy(pg_plant)
    db = Database.connect(pg_plant.db.engine.url, pool_size=1, max_overflow=0)
    try:
        first = trace.backward(db, g.code("S"))
        with db.engine.connect() as connection:  # the pool's only connection: the one prepared on
            assert connection.info[PREPARED_INFO]
            connection.exec_driver_sql("DEALLOCATE ALL")  # as DISCARD ALL or a pooler would
            connection.commit()
        again = trace.backward(db, g.code("S"))
        assert again.codes() == first.codes() == {g.code("P"), g.code("M")}
    finally:
        db.dispose()


def test_times_are_utc_whatever_the_session_time_zone(pg_plant: Plant) -> None:
    g = small_genealogy(pg_plant)
    db = Database.connect(pg_plant.db.engine.url, connect_args={"options": "-c timezone=Asia/Shanghai"})
    try:
        shanghai = trace.backward(db, g.code("S"))
        utc = trace.backward(pg_plant.db, g.code("S"))

        def times(found: trace.Trace) -> list[dt.datetime]:
            return sorted(edge.event.occurred_at for edge in found.edges if edge.event is not None)

        assert times(shanghai) == times(utc) and len(times(utc)) == 2
        assert all(moment.tzinfo is dt.UTC for moment in times(shanghai))
    finally:
        db.dispose()
