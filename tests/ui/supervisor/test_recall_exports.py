"""Recall exports (documents/recall.py) through the real database worker: each file read back holds
exactly the affected units; a long export stops when cancelled and leaves no file; the recall page
(ui/supervisor/recall_exports.py) drives it all through a real station runner.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select

from demo.plant import METER, RESIN
from desktop.worker import DatabaseWorker
from documents.recall import ExportCancelled, Exported, ExportKind, export_recall, scope_text
from models.impact import ImpactScope, Place, impact_rows
from models.schema import Customer, Item, Site, Supplier, Unit, UnitKind, UnitStatus
from tests.models import flows
from tests.station_harness import StationHarness
from tests.support import Plant
from ui.supervisor.impact_view import ImpactView
from ui.supervisor.recall_exports import RecallExports

WAIT_MS = 60_000  # a generous wait for the worker: never a timing assertion
CHIPS = ImpactScope(supplier_code="SUP-XT")  # the 4G chips: modules, then the meters they went into


def genealogy(plant: Plant) -> flows.Batch:
    """Four meters with a chip module each: two shipped in a carton to CUS-GD, one on hold, one in
    stock; one more meter of the work order, still in production, has no module (not affected)."""
    batch = flows.build_meters(plant, 4)
    flows.extra_meter(plant, batch)
    m0, m1, m2, _ = batch.meters
    box = flows.carton(plant, [m0, m1])
    flows.ship(plant, [box], {METER: 2}, customer="CUS-GD")
    flows.hold(plant, m2)
    return batch


def many_lots(plant: Plant, count: int) -> ImpactScope:
    """`count` resin lots of one supplier, written straight to the unit table (through receiving,
    one action each, they would take minutes): a recall list long enough to cancel halfway."""
    with plant.db.session() as session, session.begin():
        supplier = session.scalars(select(Supplier.id).where(Supplier.code == "SUP-CH")).one()
        item = session.scalars(select(Item.id).where(Item.code == RESIN)).one()
        site = session.scalars(select(Site.id).order_by(Site.id)).first()
        now = dt.datetime.now(dt.UTC)
        session.execute(
            insert(Unit),
            [
                {
                    "code": f"RS-{number:05d}",
                    "kind": UnitKind.LOT,
                    "item_id": item,
                    "status": UnitStatus.RELEASED,
                    "quantity": Decimal(25),
                    "initial_quantity": Decimal(25),
                    "uom": "KG",
                    "supplier_id": supplier,
                    "external_code": f"CH-{number}",
                    "site_id": site,
                    "split_count": 0,
                    "created_at": now,
                }
                for number in range(count)
            ],
        )
    return ImpactScope(supplier_code="SUP-CH")


def run(
    qtbot: QtBot, plant: Plant, scope: ImpactScope, path: Path, kind: str, *, cancel_at_first: bool = False
) -> tuple[Exported | Exception, list[tuple[int, int | None]]]:
    """One export on a real DatabaseWorker (submit_long): its outcome and its progress reports."""
    worker = DatabaseWorker(plant.db)
    outcome: list[Exported | Exception] = []
    reported: list[tuple[int, int | None]] = []

    def progressed(done: int, total: int | None) -> None:
        reported.append((done, total))
        if cancel_at_first:
            task.cancel()

    task = worker.submit_long(
        lambda progress: export_recall(plant.db, scope, path, kind, progress),
        outcome.append,
        outcome.append,
        on_progress=progressed,
    )
    qtbot.waitUntil(lambda: bool(outcome), timeout=WAIT_MS)
    worker.wait()
    return outcome[0], reported


def names(plant: Plant, model: type[Item] | type[Customer], code: str) -> tuple[str, str]:
    with plant.db.session() as session:
        found = session.scalars(select(model).where(model.code == code)).one()
        return found.name_zh, found.name_en


def listed(text: str, code: str) -> bool:
    """`code` in the text as a whole code, not as the start of a longer one."""
    return re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text) is not None


def test_each_export_reads_back_with_exactly_the_affected_units(
    plant: Plant, qtbot: QtBot, tmp_path: Path
) -> None:
    out = tmp_path / "exports"  # the SQLite database is in tmp_path
    batch = genealogy(plant)
    expected = [row.code for rows in impact_rows(plant.db, CHIPS) for row in rows]
    assert {*batch.meters, batch.chip_lot, *batch.modules} <= set(expected)
    with plant.db.session() as session:
        others = set(session.scalars(select(Unit.code))) - set(expected)
    # Not affected: the meters' other material, their work order's lot, the meter without a module.
    assert {batch.pcb_lot, batch.housing_lot, batch.battery_lot, f"{batch.work_order}-P"} < others

    exported, reported = run(qtbot, plant, CHIPS, out / "recall.csv", "csv")
    assert exported == Exported(len(expected), out / "recall.csv", ExportKind.CSV)
    assert reported[0] == (0, len(expected)) and reported[-1] == (len(expected), len(expected))
    with (out / "recall.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *lines = list(csv.reader(handle))
    assert header[0] == "编码 Code"
    assert [line[0] for line in lines] == expected
    places = {line[0]: line[header.index("位置 Place")] for line in lines}
    # In words of the language it was exported in (Chinese, the default); the codes as they are.
    assert places[batch.meters[0]] == "已出货" and places[batch.meters[2]] == "冻结"

    exported, _ = run(qtbot, plant, CHIPS, out / "recall.xlsx", "xlsx")
    assert isinstance(exported, Exported) and exported.rows == len(expected)
    workbook = load_workbook(out / "recall.xlsx", read_only=True)
    codes = [row[0] for row in workbook["召回清单 Recall list"].iter_rows(min_row=2, values_only=True)]
    assert codes == expected
    workbook.close()

    exported, _ = run(qtbot, plant, CHIPS, out / "recall.pdf", "pdf")
    assert isinstance(exported, Exported) and exported.rows == len(expected)
    pages = [page.extract_text() for page in PdfReader(out / "recall.pdf").pages]
    summary_page, listing = pages[0], "\n".join(pages[1:])
    assert "供应商 Supplier SUP-XT" in summary_page
    assert "广东电网" in summary_page or names(plant, Customer, "CUS-GD")[0] in summary_page
    assert [code for code in expected if not listed(listing, code)] == []
    assert [code for code in others if listed(listing, code)] == []
    meter_zh, meter_en = names(plant, Item, METER)
    assert f"{METER} {meter_zh}" in listing.replace("\n", " ")  # the Chinese name, as text
    assert meter_en not in listing

    assert sorted(path.name for path in out.iterdir()) == ["recall.csv", "recall.pdf", "recall.xlsx"]


def test_a_cancelled_export_stops_at_the_next_batch_and_leaves_no_file(
    plant: Plant, qtbot: QtBot, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    scope = many_lots(plant, 6_000)  # three batches of 2,000

    exported, reported = run(qtbot, plant, scope, out / "recall.csv", "csv")
    assert isinstance(exported, Exported) and exported.rows == 6_000
    assert reported == [(0, 6_000), (2_000, 6_000), (4_000, 6_000), (6_000, 6_000)]

    stopped, reported = run(qtbot, plant, scope, out / "recall.pdf", "pdf", cancel_at_first=True)
    assert isinstance(stopped, ExportCancelled), stopped
    assert reported[0] == (0, 6_000) and all(done < 6_000 for done, _ in reported)
    assert [path.name for path in out.iterdir()] == ["recall.csv"]  # no PDF, no .part


def test_the_view_counts_a_recall_exports_it_and_cancels_an_export(
    plant: Plant, qtbot: QtBot, station: Callable[..., StationHarness]
) -> None:
    genealogy(plant)
    harness = station("QA-01", "EMP3001")
    view = ImpactView("en_US")
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()  # Esc is a window shortcut
    qtbot.waitUntil(view.isActiveWindow, timeout=5_000)
    exports = RecallExports(harness.runner, view, describe=scope_text)

    exports.show(ImpactScope(supplier_code="SUP-NONE"))  # a mistyped supplier is refused, not "none"
    qtbot.waitUntil(lambda: not view.busy, timeout=WAIT_MS)
    assert "SUP-NONE" in view.status.text() and view.summary is None
    assert not view.export_buttons["csv"].isEnabled()

    exports.show(CHIPS)
    qtbot.waitUntil(lambda: view.summary is not None, timeout=WAIT_MS)
    assert (view.tile_counts[Place.SHIPPED].text(), view.tile_counts[Place.ON_HOLD].text()) == ("2", "1")
    assert view.customers.item(0, 0).text().startswith("CUS-GD")

    qtbot.mouseClick(view.export_buttons["xlsx"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: exports.last is not None, timeout=WAIT_MS)
    assert exports.last is not None and exports.last.path.parent == harness.documents
    assert exports.last.path.suffix == ".xlsx" and exports.last.path.is_file()
    assert view.status.text() == f"Saved {exports.last.rows} rows to {exports.last.path}"

    exports.show(many_lots(plant, 6_000))
    qtbot.waitUntil(lambda: view.summary is not None and view.summary.units == 6_000, timeout=WAIT_MS)
    qtbot.mouseClick(view.export_buttons["pdf"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.progress.maximum() == 6_000, timeout=WAIT_MS)  # the first report
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.busy, timeout=WAIT_MS)
    assert view.status.text() == "Export cancelled: no file was saved."
    assert [path.suffix for path in (harness.documents).iterdir()] == [".xlsx"]
