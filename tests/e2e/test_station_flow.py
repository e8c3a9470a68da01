"""The plant's day, end to end, by scanner bursts: receive material, feed a work order, label its
serials and report their steps, pack them into a carton and a pallet, ship them to a customer;
then the supervisor's trace of one shipped serial reaches its supplier lots and its customer.

Every station is the real application shell (desktop/shell.py) of its kind on the demo plant, one
after the other as in the plant (one station per process: each one's wedge hears every window of
its process). Codes reach the stations only as a wedge scanner types them (key events at the
window); a code the operator "scans" off a label is read from that label's printed image by an
independent decoder. The keyboard is used only where an operator types: a PIN, a quantity, a
measurement, and the stations' function keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from demo.history import seed
from demo.plant import (
    BATTERY,
    HOUSING_SUPPLIER_GTIN,
    METER,
    MODULE,
    PCB_SUPPLIER_GTIN,
    PEOPLE,
)
from desktop.config import StationConfig
from desktop.shell import StationPlace, StationShell
from models import production, shipping, trace
from models.scan import element_string
from models.schema import Item, Unit, UnitKind, UnitStatus
from tests.desktop.keys import press, scanner_burst
from tests.support import OPERATOR, QUALITY, SUPERVISOR, Plant
from ui.supervisor.trace_model import Column
from ui.widgets.confirm import ConfirmStrip
from ui.widgets.feedback import Tone

PINS = {person.badge: person.pin for person in PEOPLE}
ANSWER_MS = 15_000
WORK_ORDER, SHIPMENT, CUSTOMER = "WO-E2E-0001", "SH-E2E-0001", "CUS-EC"


class Station:
    """One station PC: its shell, the banners it showed, and the labels its printer made."""

    def __init__(self, qtbot: QtBot, plant: Plant, code: str, kind: str, folder: Path) -> None:
        self.qtbot = qtbot
        self.labels = folder / f"labels-{code}"
        self.labels.mkdir(parents=True, exist_ok=True)
        config = StationConfig(
            station_code=code,
            language="en_US",
            printer={"driver": "preview", "connection": str(self.labels)},
        )
        self.shell = StationShell(QApplication.instance(), plant.db, config, StationPlace(code, "", kind))
        self.window = self.shell.window
        qtbot.addWidget(self.window)
        self.messages: list[tuple[str, str]] = []
        self.window.banner.shown.connect(self._shown)
        self.window.resize(1280, 800)
        self.window.show()
        self.window.activateWindow()  # the function keys are the active window's shortcuts
        qtbot.waitExposed(self.window)
        qtbot.waitUntil(self.window.isActiveWindow, timeout=5_000)

    def _shown(self, tone: str, text: str) -> None:
        self.messages.append((tone, text))

    def log_in(self, badge: str) -> None:
        scanner_burst(self.window.windowHandle(), badge)
        self.qtbot.keyClicks(self.shell.login.pin, PINS[badge])
        with self.qtbot.waitSignal(self.shell.session.changed, timeout=ANSWER_MS):
            self.qtbot.keyClick(self.shell.login.pin, Qt.Key.Key_Return)
        self.settle()

    def scan(self, code: str, tone: Tone = Tone.OK) -> str:
        """A scanner burst at the window; the first answer in green or red, which must be `tone`."""
        start = len(self.messages)
        scanner_burst(self.window.windowHandle(), code)
        return self.answer(start, tone)

    def key(self, key: Qt.Key, tone: Tone | None = Tone.OK) -> str:
        """A function key pressed at the window (F5, F10...), and its answer when one is expected."""
        start = len(self.messages)
        press(self.window.windowHandle(), int(key), Qt.KeyboardModifier.NoModifier, "")
        return "" if tone is None else self.answer(start, tone)

    def type(self, text: str, tone: Tone | None = None) -> str:
        """What an operator types into the field that has the focus, then Enter."""
        field = QApplication.focusWidget()
        assert isinstance(field, QWidget), "no field has the focus"
        start = len(self.messages)
        self.qtbot.keyClicks(field, text)
        self.qtbot.keyClick(field, Qt.Key.Key_Return)
        return "" if tone is None else self.answer(start, tone)

    def answer(self, start: int, tone: Tone) -> str:
        final = (Tone.OK.value, Tone.ERROR.value)
        self.qtbot.waitUntil(
            lambda: any(shown in final for shown, _ in self.messages[start:]), timeout=ANSWER_MS
        )
        shown, text = next((shown, text) for shown, text in self.messages[start:] if shown in final)
        assert shown == tone.value, f"{self.shell.runner.station_code}: {text}"
        self.settle()
        return text

    def settle(self) -> None:
        """Until the worker has answered everything (labels printed, lists reloaded)."""
        self.qtbot.waitUntil(lambda: not self.shell.worker._pending, timeout=ANSWER_MS)

    def ask(self, code: str) -> None:
        """A scan that the station answers with a question on its confirmation strip."""
        scanner_burst(self.window.windowHandle(), code)
        self.qtbot.waitUntil(
            lambda: any(strip.waiting for strip in self.window.findChildren(ConfirmStrip)), timeout=ANSWER_MS
        )

    def newest_label(self, since: set[Path]) -> list[str]:
        """What a scanner (AIM prefix on) reads off the label printed since `since`: every barcode."""
        self.qtbot.waitUntil(lambda: bool(set(self.labels.glob("*.png")) - since), timeout=ANSWER_MS)
        [path] = set(self.labels.glob("*.png")) - since
        found = zxingcpp.read_barcodes(Image.open(path).convert("L"))
        return [symbol.symbology_identifier + symbol.bytes.decode("ascii") for symbol in found]

    def printed(self) -> set[Path]:
        return set(self.labels.glob("*.png"))

    def close(self) -> None:
        self.shell.session.logout()
        self.shell.close()
        self.window.close()


@pytest.fixture
def stations(plant: Plant, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:  # type: ignore[type-arg]
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "documents"))
    opened: list[Station] = []

    def open_station(code: str, kind: str, badge: str) -> Station:
        station = Station(qtbot, plant, code, kind, tmp_path)
        opened.append(station)
        station.log_in(badge)
        return station

    yield open_station
    for station in opened:
        if station.window.isVisible():
            station.close()


def lot_of(plant: Plant, supplier_lot: str) -> str:
    with plant.db.session() as session:
        return session.scalars(select(Unit.code).where(Unit.external_code == supplier_lot)).one()


def test_a_day_of_the_plant_by_scanner_bursts(plant: Plant, stations, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    documents = tmp_path / "documents"
    seed(plant.db)  # the demo plant with its history: orders, lots, cartons, shipments
    today = plant.today()
    # What the planning system sends down: a work order for two meters and a shipment of them.
    production.create_work_order(
        plant.db, plant.actor(SUPERVISOR), code=WORK_ORDER, item_code=METER, quantity=2, line_code="L1"
    )
    shipping.create_shipment(
        plant.db, plant.actor(SUPERVISOR, "SHP-01"), code=SHIPMENT, customer_code=CUSTOMER, lines={METER: 2}
    )

    # --- Receiving: two suppliers' GS1 labels and one plain lot barcode; the PCB lot is inspected.
    rcv = stations("RCV-01", "RECEIVING", OPERATOR)
    expiry = today + dt.timedelta(days=300)
    rcv.scan("SUP-HQ")
    filled = rcv.scan(element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-E2E-1", expiry=expiry, quantity=10))
    assert "HQ-E2E-1" in filled
    received = rcv.scan("#CONFIRM")
    pcb_lot = lot_of(plant, "HQ-E2E-1")
    assert pcb_lot in received and plant.unit(pcb_lot).status is UnitStatus.QUARANTINE
    rcv.scan("SUP-PL")
    rcv.scan(element_string(gtin=HOUSING_SUPPLIER_GTIN, lot="PL-E2E-1", quantity=10))
    rcv.scan("#CONFIRM")
    rcv.scan("SUP-LI")
    rcv.scan(BATTERY)  # the item, from the delivery note: this supplier's label is not GS1
    rcv.scan("LI-E2E-1")
    rcv.type("10", Tone.OK)  # the quantity, typed; Enter receives
    housing_lot, battery_lot = lot_of(plant, "PL-E2E-1"), lot_of(plant, "LI-E2E-1")
    assert plant.unit(battery_lot).quantity == Decimal(10)
    assert len(rcv.printed()) == 3  # one label per internal lot
    rcv.close()

    quality = stations("RCV-01", "RECEIVING", QUALITY)
    quality.scan(pcb_lot)  # its label: selected for inspection
    quality.key(Qt.Key.Key_F7)  # release
    assert plant.unit(pcb_lot).status is UnitStatus.RELEASED
    quality.close()

    # --- Serialization: two serial labels, each scanned back off its unit.
    pck = stations("PCK-01", "PACKING", OPERATOR)
    pck.scan(WORK_ORDER)
    meters = []
    for _ in range(2):
        before = pck.printed()
        pck.key(Qt.Key.Key_F5)
        read = pck.newest_label(before)  # the serial's GS1 DataMatrix: ]d2 (01) GTIN (21) serial
        assert read[0].startswith("]d201")
        pck.scan(read[0])  # the label, scanned back off the unit it was stuck on
        meters.append(serial_of(plant, read[0]))
    assert all(plant.unit(code).kind is UnitKind.SERIAL for code in meters)
    pck.close()

    # --- Production: feed the three lots (the screws are never scanned), then report every step.
    prd = stations("PRD-01", "PRODUCTION", OPERATOR)
    prd.scan(WORK_ORDER)
    for lot in (pcb_lot, housing_lot, battery_lot):
        fed = prd.scan(lot)
        assert lot in fed
    modules = released_units(plant, MODULE)[:2]
    prd.key(Qt.Key.Key_F4, None)  # the first step: assembly
    for meter, module in zip(meters, modules, strict=True):
        prd.scan(meter)
        prd.scan(module)  # fitted; the last component records the step
    prd.key(Qt.Key.Key_F4, None)  # calibration: one measurement
    for meter in meters:
        prd.scan(meter)
        prd.type("0.12", Tone.OK)
    prd.key(Qt.Key.Key_F4, None)  # functional test: two measurements
    for meter in meters:
        prd.scan(meter)
        prd.type("221.5")
        prd.type("0.9", Tone.OK)
    assert {plant.unit(code).status for code in meters} == {UnitStatus.RELEASED}
    prd.close()

    # --- Packing: both meters into a carton, closed on command; the carton onto a pallet.
    pck = stations("PCK-01", "PACKING", OPERATOR)
    for meter in meters:
        pck.scan(meter)
    before = pck.printed()
    pck.ask("#CLOSE")
    pck.scan("#CONFIRM")
    carton_barcodes = pck.newest_label(before)
    carton = code_of(plant, plant.unit(meters[0]).container_id)
    assert plant.unit(carton).status is UnitStatus.CLOSED
    pck.scan(next(text for text in carton_barcodes if carton in text))  # the carton's SSCC label
    before = pck.printed()
    pck.ask("#CLOSE")
    pck.scan("#CONFIRM")
    pallet_barcodes = pck.newest_label(before)
    pallet = code_of(plant, plant.unit(carton).container_id)
    assert plant.unit(pallet).status is UnitStatus.CLOSED
    pck.close()

    # --- Shipping: the shipment, the pallet's label, confirmed twice (it leaves), packing list.
    shp = stations("SHP-01", "SHIPPING", OPERATOR)
    shp.scan(SHIPMENT)
    shp.scan(next(text for text in pallet_barcodes if pallet in text))
    shp.ask("#CONFIRM")
    shp.scan("#CONFIRM")
    assert {plant.unit(code).status for code in meters} == {UnitStatus.SHIPPED}
    saved = shp.key(Qt.Key.Key_F9)  # the packing list, as a PDF in the station's documents folder
    packing_list = documents / "TraceStation" / f"{SHIPMENT}.pdf"
    assert str(packing_list) in saved
    text = "".join(page.extract_text() for page in PdfReader(packing_list).pages)
    assert all(code in text for code in (SHIPMENT, pallet, *meters))
    shp.close()

    # --- The trace of a shipped serial: back to its supplier lots, forward to its customer.
    qa = stations("QA-01", "SUPERVISOR", SUPERVISOR)
    qa.scan(meters[0])
    view = qa.shell.home.trace_view  # type: ignore[union-attr]
    back = trace.backward(plant.db, meters[0])
    assert {pcb_lot, housing_lot, battery_lot} <= back.codes()
    suppliers = {node.supplier_lot for node in back.nodes.values() if node.supplier_lot}
    assert {"HQ-E2E-1", "PL-E2E-1", "LI-E2E-1"} <= suppliers
    shown = shown_codes(view.backward_model)
    assert {pcb_lot, housing_lot, battery_lot} <= shown
    ahead = trace.forward(plant.db, meters[0])
    [root] = ahead.roots
    assert [(ref.code, ref.customer_code) for ref in root.shipments] == [(SHIPMENT, CUSTOMER)]
    shipped_to = view.forward_model.index(0, Column.SHIPPED_TO).data()
    assert SHIPMENT in shipped_to and CUSTOMER in shipped_to
    qa.close()


# --- reading the plant -------------------------------------------------------------------------


def serial_of(plant: Plant, scanned: str) -> str:
    from models.resolve import resolve

    return resolve(plant.db, scanned).code


def code_of(plant: Plant, unit_id: int | None) -> str:
    assert unit_id is not None
    with plant.db.session() as session:
        return session.scalars(select(Unit.code).where(Unit.id == unit_id)).one()


def released_units(plant: Plant, item_code: str) -> list[str]:
    with plant.db.session() as session:
        return list(
            session.scalars(
                select(Unit.code)
                .join(Item, Item.id == Unit.item_id)
                .where(
                    Item.code == item_code, Unit.status == UnitStatus.RELEASED, Unit.container_id.is_(None)
                )
                .order_by(Unit.code)
            )
        )


def shown_codes(model) -> set[str]:  # type: ignore[no-untyped-def]
    """Every code in a lazy trace tree, fetching each level as a supervisor expanding it would."""
    codes: set[str] = set()
    pending = [model.index(row, 0) for row in range(model.rowCount())]
    while pending:
        index = pending.pop()
        codes.add(index.data())
        if model.canFetchMore(index):
            model.fetchMore(index)
        pending.extend(model.index(row, 0, index) for row in range(model.rowCount(index)))
    return codes
