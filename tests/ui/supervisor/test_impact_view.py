"""The impact view: the counts of a real recall as tiles, bars and customers; the exports it asks for,
their progress, cancel and outcome, by mouse and by keyboard alone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from demo.plant import METER
from models.impact import CustomerCount, ImpactScope, ImpactSummary, Place, impact_summary
from models.schema import Customer
from tests.models import flows
from tests.support import Plant
from ui.supervisor.impact_view import PLACES, ImpactView


def view(qtbot: QtBot, language: str = "en_US") -> ImpactView:
    shown = ImpactView(language)
    qtbot.addWidget(shown)
    shown.resize(860, 680)
    shown.show()
    shown.activateWindow()  # Ctrl+1..3 and Esc are window shortcuts: the window must be active
    qtbot.waitUntil(shown.isActiveWindow, timeout=5_000)
    return shown


def test_the_counts_of_a_real_recall_as_tiles_bars_and_customers(plant: Plant, qtbot: QtBot) -> None:
    batch = flows.build_meters(plant, 4)
    flows.extra_meter(plant, batch)  # in production, but without a chip module: not affected
    m0, m1, m2, m3 = batch.meters
    flows.ship(plant, [flows.carton(plant, [m0, m1])], {METER: 2}, customer="CUS-GD")
    flows.hold(plant, m2)
    flows.scrap(plant, m3)
    summary = impact_summary(plant.db, ImpactScope(supplier_code="SUP-XT"))
    with plant.db.session() as session:
        customer = session.scalars(select(Customer).where(Customer.code == "CUS-GD")).one()
        name_zh, name_en = customer.name_zh, customer.name_en

    shown = view(qtbot)
    assert [tile.text() for tile in shown.tile_counts.values()] == ["–"] * len(PLACES)
    assert not any(button.isEnabled() for button in shown.export_buttons.values())

    shown.show_summary(summary, "供应商 Supplier SUP-XT")
    counts = {place: summary.by_place.get(place, 0) for place in PLACES}
    assert counts == {
        Place.IN_PRODUCTION: 1,  # the module work order's lot
        Place.IN_STOCK: 1,  # the rest of the chip lot
        Place.ON_HOLD: 1,
        Place.SHIPPED: 2,
        Place.CONSUMED: len(batch.modules),  # assembled into the meters
        Place.OUT: 1,
    }
    assert {place: int(tile.text()) for place, tile in shown.tile_counts.items()} == counts
    assert shown.bar_counts() == counts
    assert shown.tile_captions[Place.ON_HOLD].text() == "On hold"
    assert shown.tile_frames[Place.IN_STOCK].toolTip() == "released 1"
    assert shown.tile_frames[Place.OUT].toolTip() == "scrapped 1"
    assert shown.scope_label.text() == "Recall of: 供应商 Supplier SUP-XT"
    assert shown.totals_label.text().startswith(f"Affected units: {summary.units} · cartons and pallets: 1")
    assert shown.customers_title.text() == "Shipped to customers"
    assert shown.customers.rowCount() == 1
    assert [shown.customers.item(0, column).text() for column in range(3)] == [f"CUS-GD {name_en}", "2", "1"]
    assert shown.status.text() == "Export the recall list: CSV, Excel or the PDF report."

    shown.set_language("zh_CN")  # names in the operator's language
    assert shown.customers.item(0, 0).text() == f"CUS-GD {name_zh}"

    with qtbot.waitSignal(shown.export_requested) as asked:
        qtbot.mouseClick(shown.export_buttons["csv"], Qt.MouseButton.LeftButton)
    assert asked.args == ["csv"]
    with qtbot.waitSignal(shown.export_requested) as asked:
        qtbot.keyClick(shown, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert asked.args == ["pdf"]
    with qtbot.waitSignal(shown.export_requested) as asked:
        qtbot.keyClick(shown, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert asked.args == ["xlsx"]


def test_an_export_in_progress_its_cancel_and_how_it_ended(qtbot: QtBot) -> None:
    shown = view(qtbot)
    summary = ImpactSummary(
        seeds=1,
        units=6000,
        containers=0,
        by_status={"SHIPPED": 5000, "PACKED": 1000},
        by_place={Place.SHIPPED: 5000, Place.IN_STOCK: 1000},
        by_customer=(CustomerCount("CUS-EC", "国网华东电力", "State Grid East China", 5000, 3),),
        shipments=3,
    )
    shown.show_summary(summary, "Supplier SUP-CH")
    assert shown.tile_frames[Place.IN_STOCK].toolTip() == "packed 1000"

    shown.set_busy(True)
    assert not any(button.isEnabled() for button in shown.export_buttons.values())
    assert shown.cancel_button.isVisible() and shown.progress.isVisible()
    assert shown.status.text() == "Working… (Esc cancels)"
    with qtbot.assertNotEmitted(shown.export_requested):  # a second export waits for the first
        qtbot.keyClick(shown, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    shown.set_progress(2000, 6000)
    assert (shown.progress.value(), shown.progress.maximum()) == (2000, 6000)
    assert shown.status.text() == "Exporting: 2000 of 6000 rows… (Esc cancels)"
    with qtbot.waitSignal(shown.cancel_requested):
        qtbot.keyClick(shown, Qt.Key.Key_Escape)
    with qtbot.waitSignal(shown.cancel_requested):
        qtbot.mouseClick(shown.cancel_button, Qt.MouseButton.LeftButton)

    shown.set_busy(False)
    shown.show_cancelled()
    assert shown.status.text() == "Export cancelled: no file was saved."
    assert not shown.cancel_button.isVisible() and not shown.progress.isVisible()
    assert all(button.isEnabled() for button in shown.export_buttons.values())
    with qtbot.assertNotEmitted(shown.cancel_requested):  # nothing running: Esc cancels nothing
        qtbot.keyClick(shown, Qt.Key.Key_Escape)

    shown.show_exported("/documents/recall-20261125-140300.pdf", 6000)
    assert shown.status.text() == "Saved 6000 rows to /documents/recall-20261125-140300.pdf"
    shown.show_error("The database cannot be reached. Nothing was recorded.")
    assert shown.status.text() == "Not done: The database cannot be reached. Nothing was recorded."

    shown.show_summary(ImpactSummary(1, 3, 0, {"WIP": 3}, {Place.IN_PRODUCTION: 3}, (), 0), "Work order WO-1")
    assert shown.customers_title.text() == "No affected unit has been shipped."
    assert shown.customers.rowCount() == 0
    assert shown.bar_counts()[Place.SHIPPED] == 0 and shown.bar_counts()[Place.IN_PRODUCTION] == 3
