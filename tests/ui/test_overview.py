"""The plant overview (a station whose kind is not known yet): it loads through the runner on the
worker and shows the plant; a scan is looked up and named on the banner, nothing recorded."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from demo.history import seed
from models.schema import Event, Unit
from models.trace import timestamp
from tests.station_harness import StationHarness
from tests.support import Plant
from ui.overview import OverviewView
from ui.widgets.feedback import Tone


def test_the_overview_shows_the_plant_and_names_a_scanned_code(
    plant: Plant, station: Callable[..., StationHarness]
) -> None:
    serial = seed(plant.db).example_serial
    harness = station("NEW-01", "EMP2001")
    view = OverviewView(harness.runner)
    harness.show(view)  # activate: the overview is read on the worker
    harness.idle()
    with plant.db.session() as session:
        units = session.scalar(select(func.count(Unit.id)))
        events = session.scalar(select(func.count(Event.id)))
    shown = sum(int(view.units.item(row, 2).text()) for row in range(view.units.rowCount()))
    assert shown == units
    assert view.recent.rowCount() == min(50, events or 0)
    assert view.status.text().startswith("Database: ")

    # Kinds, statuses and events in words; the times on the plant's wall clock (Asia/Shanghai),
    # as every table and the last actions show them, whatever this PC's zone.
    with plant.db.session() as session:
        newest = session.scalars(select(Event.occurred_at).order_by(Event.id.desc())).first()
    assert newest is not None
    plant_clock = timestamp(newest).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert view.recent.item(0, 0).text() == plant_clock
    shown_words = {
        view.units.item(row, column).text() for row in range(view.units.rowCount()) for column in (0, 1)
    }
    assert {"serial", "lot", "shipped"} <= shown_words and not {"SERIAL", "LOT", "SHIPPED"} & shown_words
    assert "RECEIVE" not in {view.recent.item(row, 1).text() for row in range(view.recent.rowCount())}

    events_before = events
    text = harness.scan(serial, Tone.OK)
    assert text.startswith(f"Unit · {serial}")
    harness.scan("NOT-A-CODE-42", Tone.ERROR)
    with plant.db.session() as session:
        assert session.scalar(select(func.count(Event.id))) == events_before
