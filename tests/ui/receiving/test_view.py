"""The receiving screen on a real station (window, worker, runner, preview printer), both backends.

Every test drives the screen the way the receiver does, by scans and the keyboard, and then reads
what the database holds; every refusal is checked to have changed nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from demo.plant import COMPOUND, HOUSING, HOUSING_SUPPLIER_GTIN, PCB, PCB_SUPPLIER_GTIN
from desktop.worker import OutcomeUnknown
from models.receiving import ReceiveResult, ReceivingChoices, receive
from models.resolve import resolve
from models.scan import element_string
from models.schema import Event, EventType, EventUnit, Supplier, Unit, UnitStatus
from tests.models import flows
from tests.station_harness import StationHarness
from tests.support import OPERATOR, QUALITY, Plant, snapshot
from ui.receiving.view import INSPECTION_TAB, ReceivingView
from ui.widgets.feedback import Tone


def open_screen(station, badge: str = OPERATOR) -> tuple[StationHarness, ReceivingView]:  # type: ignore[no-untyped-def]
    harness: StationHarness = station("RCV-01", badge)
    view = ReceivingView(harness.runner)
    harness.show(view)
    return harness, view


def press(harness: StationHarness, widget: QWidget, key: Qt.Key, tone: Tone) -> str:
    """A key on a widget, and the banner it brings (a refusal may come before the call returns)."""
    count = len(harness.messages)
    harness.qtbot.keyClick(widget, key)
    return harness.wait_banner(tone, after=count)


def type_into(harness: StationHarness, widget: QWidget, text: str) -> None:
    widget.clear()  # type: ignore[attr-defined]
    harness.qtbot.keyClicks(widget, text)


def lots_of(plant: Plant, supplier_lot: str) -> list[Unit]:
    with plant.db.session() as session:
        found = list(
            session.scalars(select(Unit).where(Unit.external_code == supplier_lot).order_by(Unit.id))
        )
        session.expunge_all()
        return found


def supplier_id(plant: Plant, code: str) -> int:
    with plant.db.session() as session:
        return session.scalars(select(Supplier.id).where(Supplier.code == code)).one()


def decoded(plant: Plant, label: Path) -> set[str]:
    """What each barcode of a printed label resolves to, read back by an independent decoder."""
    return {
        resolve(plant.db, symbol.symbology_identifier + symbol.bytes.decode("ascii")).code
        for symbol in zxingcpp.read_barcodes(Image.open(label))
    }


def test_a_gs1_label_then_the_quantity_and_enter_receives_and_prints_the_labels(
    station, plant: Plant, qtbot: QtBot
) -> None:
    harness, view = open_screen(station)
    assert "SUP-HQ" in harness.scan("SUP-HQ", Tone.OK)
    expiry = plant.today() + dt.timedelta(days=300)
    label = element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-2401", expiry=expiry)
    filled = harness.scan(label, Tone.OK)
    assert "PCB-MAIN" in filled and "HQ-2401" in filled
    assert (view.item.currentData(), view.lot.text(), view.expiry.text()) == (
        PCB,
        "HQ-2401",
        expiry.isoformat(),
    )
    assert view.focusWidget() is view.quantity  # what the label did not say
    assert (
        view.card_detail.text() == "PCB-MAIN Meter main PCB · EA · shelf life 365 days · incoming inspection"
    )
    type_into(harness, view.quantity, "120")
    view.packages.setValue(2)
    text = press(harness, view.quantity, Qt.Key.Key_Return, Tone.OK)
    harness.idle()  # both labels printed

    lots = lots_of(plant, "HQ-2401")
    codes = [lot.code for lot in lots]
    assert text == (
        f"Received 2 lots, 120 EA of PCB-MAIN Meter main PCB in all, in quarantine until quality "
        f"releases it: {codes[0]}, {codes[1]}."
    )
    assert [(lot.quantity, lot.expires_on, lot.status) for lot in lots] == [
        (Decimal(60), expiry, UnitStatus.QUARANTINE)
    ] * 2
    assert {lot.supplier_id for lot in lots} == {supplier_id(plant, "SUP-HQ")}
    printed = sorted(harness.labels.glob("*.png"))
    assert [any(code in path.name for path in printed) for code in codes] == [True, True]
    first = next(path for path in printed if codes[0] in path.name)
    assert decoded(plant, first) == {codes[0]}  # the GS1-128 and the Digital Link QR
    assert not harness.errors()
    # Ready for the next package of the same delivery; today's list shows the receipt.
    assert (view.supplier.currentData(), view.item.currentIndex(), view.lot.text(), view.quantity.text()) == (
        "SUP-HQ",
        -1,
        "",
        "",
    )
    listed = [view.receipts.item(row, 1).text() for row in range(view.receipts.rowCount())]
    assert sorted(listed) == sorted(codes)
    assert view.receipts.item(0, 4).text() == "60 EA"
    assert view.receipts.item(0, 5).text() == "in quarantine"
    assert view.tabs.tabText(0) == "Today's receipts (2)"


def test_a_supplier_code_an_item_chosen_and_a_plain_lot_scan_then_confirm(
    station, plant: Plant, qtbot: QtBot
) -> None:
    earlier = flows.receive_lot(plant, PCB, "SUP-HQ", 5)  # received before the screen opened
    harness, view = open_screen(station)
    assert view.receipts.rowCount() == 1 and view.receipts.item(0, 1).text() == earlier
    harness.scan("SUP-PL", Tone.OK)
    view.item.setCurrentIndex(view.item.findData(HOUSING))  # chosen with the keyboard
    assert harness.scan("PL-778", Tone.OK) == "Supplier lot PL-778."
    assert view.focusWidget() is view.quantity
    type_into(harness, view.quantity, "40")
    view.made.setText((plant.today() - dt.timedelta(days=2)).isoformat())
    text = harness.scan("#CONFIRM", Tone.OK)
    harness.idle()
    (lot,) = lots_of(plant, "PL-778")
    assert text == f"Received {lot.code}: 40 EA of HSG-01 Meter housing, released for use."
    assert (lot.quantity, lot.status, lot.supplier_id) == (
        Decimal(40),
        UnitStatus.RELEASED,
        supplier_id(plant, "SUP-PL"),
    )
    assert lot.manufactured_on == plant.today() - dt.timedelta(days=2) and lot.expires_on is None
    (label,) = [path for path in harness.labels.glob("*.png") if lot.code in path.name]
    assert decoded(plant, label) == {lot.code}
    assert view.receipts.rowCount() == 2 and view.receipts.item(0, 1).text() == lot.code

    # The same supplier lot again (a second delivery): said, not refused; the item comes with it.
    note = harness.scan("PL-778", Tone.PENDING)
    assert note.startswith("Supplier lot PL-778 was received before (1 lots: ")
    assert (view.item.currentData(), view.lot.text()) == (HOUSING, "PL-778")
    # A GS1 label of the housing's supplier, with its quantity: everything filled.
    harness.scan("#CANCEL")
    assert (view.item.currentIndex(), view.lot.text(), view.supplier.currentData()) == (-1, "", "SUP-PL")
    harness.scan(element_string(gtin=HOUSING_SUPPLIER_GTIN, lot="PL-900", quantity=25), Tone.OK)
    assert (view.item.currentData(), view.lot.text(), view.quantity.text()) == (HOUSING, "PL-900", "25")
    harness.scan("#CONFIRM", Tone.OK)
    harness.idle()
    assert [lot.quantity for lot in lots_of(plant, "PL-900")] == [Decimal(25)]


def test_each_refusal_of_the_form_says_why_and_records_nothing(station, plant: Plant, qtbot: QtBot) -> None:
    harness, view = open_screen(station)
    before = snapshot(plant.db)
    assert press(harness, view, Qt.Key.Key_Return, Tone.ERROR).startswith("Choose the supplier first")
    harness.scan("SUP-HQ", Tone.OK)
    assert press(harness, view.supplier, Qt.Key.Key_Return, Tone.ERROR).startswith("Choose the item first")
    refused = harness.scan("HQ-1", Tone.ERROR)  # a lot before the item
    assert refused == "Choose the item first (or scan its code), then scan the lot HQ-1 again."
    assert view.lot.text() == ""
    assert "PCB-MAIN" in harness.scan(PCB, Tone.OK)  # the item's code, scanned
    assert press(harness, view.item, Qt.Key.Key_Return, Tone.ERROR) == "Scan or type the supplier lot first."
    harness.scan("HQ-1", Tone.OK)
    assert press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR) == "Type the quantity received first."
    type_into(harness, view.quantity, "abc")
    assert (
        press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR)
        == "abc is not a quantity: type a number."
    )
    type_into(harness, view.quantity, "0")
    assert press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR) == "0 is not a valid quantity."
    type_into(harness, view.quantity, "10")
    type_into(harness, view.made, "31.03.2025")
    refused = press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR)
    assert refused == "31.03.2025 is not a date: type it as year-month-day, 2025-03-31."
    assert view.focusWidget() is view.made
    made, expiry = plant.today() - dt.timedelta(days=10), plant.today() - dt.timedelta(days=20)
    view.made.setText(made.isoformat())
    view.expiry.setText(expiry.isoformat())
    refused = press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR)
    assert refused == f"The expiry date {expiry.isoformat()} cannot be before {made.isoformat()}."
    view.made.clear()
    assert harness.scan("#CONFIRM", Tone.ERROR) == f"Lot HQ-1 expired on {expiry.isoformat()}."
    assert harness.scan("#CLOSE", Tone.ERROR) == "#CLOSE does nothing on the receiving screen."
    # The form is as the receiver left it, to be corrected; nothing was recorded.
    assert (view.item.currentData(), view.lot.text(), view.quantity.text()) == (PCB, "HQ-1", "10")
    assert snapshot(plant.db) == before


def test_labels_the_screen_cannot_use_are_refused_and_change_nothing(
    station, plant: Plant, qtbot: QtBot
) -> None:
    harness, view = open_screen(station)
    harness.scan("SUP-HQ", Tone.OK)
    before = snapshot(plant.db)
    refused = harness.scan(element_string(gtin="4006381333931", lot="X-1"), Tone.ERROR)
    assert refused == "No item has the GTIN 04006381333931: choose the item, then scan the lot barcode."
    yesterday = plant.today() - dt.timedelta(days=1)
    refused = harness.scan(element_string(gtin=PCB_SUPPLIER_GTIN, lot="OLD-1", expiry=yesterday), Tone.ERROR)
    assert refused == f"Lot OLD-1 expired on {yesterday.isoformat()}."
    refused = harness.scan(COMPOUND, Tone.ERROR)
    assert refused == "PTG-200 is not a purchased material: it is not received here."
    refused = harness.scan("(01)06937654000016(10)X", Tone.ERROR)  # a misread GTIN
    assert refused == "The check digit of (01) 06937654000016 is wrong (6 instead of 5): check the label."
    assert (view.item.currentIndex(), view.lot.text(), view.expiry.text()) == (-1, "", "")
    assert snapshot(plant.db) == before


def test_quality_selects_a_quarantined_lot_by_its_label_and_releases_it(
    station, plant: Plant, qtbot: QtBot
) -> None:
    waiting = flows.receive_lot(plant, PCB, "SUP-HQ", 30)
    in_stock = flows.receive_lot(plant, HOUSING, "SUP-PL", 30)
    harness, view = open_screen(station, QUALITY)
    assert view.tabs.isTabVisible(INSPECTION_TAB)
    assert view.tabs.tabText(INSPECTION_TAB) == "Waiting for inspection (1)"
    assert view.waiting.item(0, 0).text() == waiting and view.waiting.item(0, 3).text() == "30 EA"
    refused = harness.scan(in_stock, Tone.ERROR)
    assert refused == f"Lot {in_stock} is not waiting for inspection: it is released."
    view.release()
    assert harness.messages[-1] == ("error", "Scan the lot's label or choose it in the list first.")
    expires = plant.unit(waiting).expires_on
    label = element_string(gtin=PCB_SUPPLIER_GTIN, lot=waiting, expiry=expires)  # our own GS1 lot label
    selected = harness.scan(label, Tone.OK)
    assert selected == f"Lot {waiting} selected for inspection: release it (F7) or reject it (F8)."
    assert view.waiting.selectionModel().selectedRows()[0].row() == 0
    assert view.selected_label.text().startswith(f"Selected: lot {waiting}, 30 EA of PCB-MAIN")
    view.note.setText("CoC checked")
    count = len(harness.messages)
    qtbot.mouseClick(view.release_button, Qt.MouseButton.LeftButton)
    assert harness.wait_banner(Tone.OK, after=count) == f"Lot {waiting} released: it can be used now."
    harness.idle()
    assert plant.unit(waiting).status is UnitStatus.RELEASED
    assert [seen.reason for seen in flows.events(plant, waiting, EventType.RELEASE)] == ["CoC checked"]
    assert view.waiting.rowCount() == 0 and view.note.text() == ""
    assert view.tabs.tabText(INSPECTION_TAB) == "Waiting for inspection (0)"


def test_quality_rejects_only_with_a_reason_and_after_the_question(
    station, plant: Plant, qtbot: QtBot
) -> None:
    lot = flows.receive_lot(plant, PCB, "SUP-HQ", 30)
    harness, view = open_screen(station, QUALITY)
    view.tabs.setCurrentIndex(INSPECTION_TAB)
    view.waiting.setFocus()
    qtbot.keyClick(view.waiting, Qt.Key.Key_Space)  # chosen in the list with the keyboard
    assert view.selected_label.text().startswith(f"Selected: lot {lot}")
    before = snapshot(plant.db)
    assert press(harness, view, Qt.Key.Key_F8, Tone.ERROR) == f"Type why lot {lot} is rejected first."
    assert view.focusWidget() is view.note and not view.strip.waiting
    view.note.setText("solder mask defects")
    qtbot.keyClick(view.note, Qt.Key.Key_F8)
    assert view.strip.waiting and view.strip.isVisible()
    assert view.strip.question.text() == f"Reject lot {lot} (solder mask defects)? It can never be used."
    assert view.prompt.text() == "Yes: Enter or #CONFIRM. No: Esc or #CANCEL."
    refused = harness.scan("SUP-HQ", Tone.ERROR)
    assert refused == "Answer the question first. Yes: Enter or #CONFIRM. No: Esc or #CANCEL."
    harness.scan("#CANCEL")  # not now: nothing happens
    assert not view.strip.waiting and plant.unit(lot).status is UnitStatus.QUARANTINE
    assert snapshot(plant.db) == before
    view.reject()
    assert harness.scan("#CONFIRM", Tone.OK) == f"Lot {lot} rejected: it can never be used."
    harness.idle()
    assert plant.unit(lot).status is UnitStatus.REJECTED
    assert [seen.reason for seen in flows.events(plant, lot, EventType.REJECT)] == ["solder mask defects"]
    assert view.waiting.rowCount() == 0


def test_an_operator_without_quality_sees_no_inspection_and_cannot_release(
    station, plant: Plant, qtbot: QtBot
) -> None:
    lot = flows.receive_lot(plant, PCB, "SUP-HQ", 30)
    harness, view = open_screen(station, OPERATOR)
    assert not view.tabs.isTabVisible(INSPECTION_TAB) and view.waiting.rowCount() == 0
    before = snapshot(plant.db)
    refused = harness.scan(lot, Tone.ERROR)
    assert refused == f"{lot} is one of our lots, received already: scan the supplier's label or lot."
    view.release()
    assert harness.messages[-1] == ("error", "Releasing and rejecting lots is for quality inspectors.")
    view.reject()
    assert harness.messages[-1] == ("error", "Releasing and rejecting lots is for quality inspectors.")
    harness.idle()
    assert plant.unit(lot).status is UnitStatus.QUARANTINE
    assert snapshot(plant.db) == before


def test_retranslating_to_chinese_keeps_what_the_form_holds(station, plant: Plant, qtbot: QtBot) -> None:
    flows.receive_lot(plant, HOUSING, "SUP-PL", 5)
    harness, view = open_screen(station, QUALITY)
    harness.scan("SUP-HQ", Tone.OK)
    harness.scan(element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-3", quantity=12), Tone.OK)
    view.packages.setValue(3)
    harness.language = "zh_CN"
    view.retranslate()
    assert (view.supplier.currentData(), view.item.currentData()) == ("SUP-HQ", PCB)
    assert (view.lot.text(), view.quantity.text(), view.packages.value()) == ("HQ-3", "12", 3)
    assert view.item.currentText() == "PCB-MAIN 电表主控板"
    assert view.supplier.currentText() == "SUP-HQ 华强电子"
    assert view.receipts.item(0, 2).text() == "HSG-01 电表外壳"
    assert view.tabs.isTabVisible(INSPECTION_TAB)
    text = harness.scan("#CONFIRM", Tone.OK)
    harness.idle()
    assert "PCB-MAIN 电表主控板" in text
    assert [lot.quantity for lot in lots_of(plant, "HQ-3")] == [Decimal(4)] * 3
    with plant.db.session() as session:
        receipts = session.scalars(select(Event.id).where(Event.event_type == EventType.RECEIVE)).all()
    assert len(receipts) == 2


def test_a_receipt_whose_outcome_was_unknown_is_retried_under_its_own_action_id(
    station, plant: Plant, qtbot: QtBot
) -> None:
    harness, view = open_screen(station)
    harness.scan("SUP-HQ", Tone.OK)
    harness.scan(element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-77", quantity=10), Tone.OK)
    # The first try: the screen makes the form's action id; here it never reaches the database.
    operator, harness.operator = harness.operator, None
    assert (
        press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR) == "Nobody is logged in: log in first."
    )
    harness.operator = operator
    action_id = view._receipt_id
    assert action_id is not None
    # Say it did reach it, and only the answer was lost: recorded under that id, and the worker
    # reports the outcome as unknown.
    recorded: list[ReceiveResult] = []
    fields = dict(
        item_code=PCB,
        supplier_code="SUP-HQ",
        supplier_lot="HQ-77",
        quantity=Decimal(10),
        packages=1,
        manufactured_on=None,
        expires_on=None,
    )
    harness.runner.act(receive, recorded.append, action_id=action_id, **fields)
    harness.idle()
    view._receive_failed(OutcomeUnknown(action_id, ConnectionError("answer lost")))
    # Enter again on the same, unchanged form: answered with what was recorded, not a second receipt.
    text = press(harness, view.quantity, Qt.Key.Key_Return, Tone.OK)
    harness.idle()
    (lot,) = lots_of(plant, "HQ-77")
    assert lot.code == recorded[0].lot_codes[0]
    assert text.startswith(f"Received {lot.code}: 10 EA of PCB-MAIN")
    assert view._receipt_id is None  # received: the next package is a new receipt

    # A form changed after a failed try is another receipt: a new id.
    harness.scan(element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-78", quantity=10), Tone.OK)
    harness.operator = None
    press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR)
    first = view._receipt_id
    press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR)
    assert view._receipt_id == first  # unchanged: the same id
    type_into(harness, view.quantity, "11")
    press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR)
    assert view._receipt_id not in (None, first)
    harness.operator = operator
    harness.scan("#CONFIRM", Tone.OK)
    harness.idle()
    assert [lot.quantity for lot in lots_of(plant, "HQ-78")] == [Decimal(11)]
    assert [lot.quantity for lot in lots_of(plant, "HQ-77")] == [Decimal(10)]


def test_a_supplier_and_item_scanned_before_the_lists_load_are_chosen_when_they_do(
    station, plant: Plant, qtbot: QtBot
) -> None:
    harness: StationHarness = station("RCV-01", OPERATOR)
    view = ReceivingView(harness.runner)
    harness.window.add_screen(view)
    harness.window.show_screen(view)
    harness.screen = view  # shown, but the suppliers and items not read yet (a login, F5)
    assert view.supplier.count() == 0
    assert harness.scan("SUP-PL", Tone.OK) == "Supplier SUP-PL."
    assert harness.scan(HOUSING, Tone.OK).startswith("Item HSG-01")
    view.reload()
    harness.idle()
    assert (view.supplier.currentData(), view.item.currentData()) == ("SUP-PL", HOUSING)
    assert view.card_title.text().startswith("Delivery from SUP-PL ")
    # The same with a label: its item and lot wait for the lists too.
    view._show_choices(ReceivingChoices((), ()))  # the lists emptied, as before they are read again
    harness.scan("SUP-HQ", Tone.OK)
    harness.scan(element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-9", quantity=3), Tone.OK)
    view.reload()
    harness.idle()
    assert (view.supplier.currentData(), view.item.currentData(), view.lot.text()) == ("SUP-HQ", PCB, "HQ-9")


def test_enter_while_a_receipt_is_being_recorded_is_refused_and_records_once(
    station, plant: Plant, qtbot: QtBot
) -> None:
    harness, view = open_screen(station)
    harness.scan("SUP-HQ", Tone.OK)
    harness.scan(element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-55", quantity=8), Tone.OK)
    count = len(harness.messages)
    qtbot.keyClick(view.quantity, Qt.Key.Key_Return)  # recording...
    refused = press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR)  # ...and Enter again
    assert refused == "Still busy with the last scan or action: wait for its answer, then try again."
    harness.idle()
    received = [text for tone, text in harness.messages[count:] if text.startswith("Received ")]
    assert len(received) == 1 and harness.errors()[-1] == refused
    assert [lot.quantity for lot in lots_of(plant, "HQ-55")] == [Decimal(8)]


def test_a_second_label_keeps_nothing_of_the_first(station, plant: Plant, qtbot: QtBot) -> None:
    harness, view = open_screen(station)
    harness.scan("SUP-HQ", Tone.OK)
    expiry = plant.today() + dt.timedelta(days=200)
    made = plant.today() - dt.timedelta(days=5)
    label = element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-1", quantity=50, expiry=expiry)
    harness.scan(f"{label}(11){made:%y%m%d}", Tone.OK)  # with its production date
    assert (view.quantity.text(), view.made.text(), view.expiry.text()) == (
        "50",
        made.isoformat(),
        expiry.isoformat(),
    )
    harness.scan(element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-2"), Tone.OK)
    assert (view.lot.text(), view.quantity.text(), view.made.text(), view.expiry.text()) == (
        "HQ-2",
        "",
        "",
        "",
    )
    assert view.focusWidget() is view.quantity


def receive_actions(plant: Plant, supplier_lot: str) -> list[str]:
    """The action ids of the receipts of a supplier lot, in order."""
    with plant.db.session() as session:
        return list(
            session.scalars(
                select(Event.action_id)
                .join(EventUnit, EventUnit.event_id == Event.id)
                .join(Unit, Unit.id == EventUnit.unit_id)
                .where(Event.event_type == EventType.RECEIVE, Unit.external_code == supplier_lot)
                .order_by(Event.id)
            )
        )


def test_the_same_label_twice_asks_whether_it_is_another_package(station, plant: Plant, qtbot: QtBot) -> None:
    harness, view = open_screen(station)
    harness.scan("SUP-HQ", Tone.OK)
    label = element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-TWICE", quantity=10)
    harness.scan(label, Tone.OK)
    harness.scan("#CONFIRM", Tone.OK)
    harness.idle()
    (first,) = lots_of(plant, "HQ-TWICE")

    # The label again (scanned twice by mistake, or a second package with the same label): refused
    # as the same label, and the screen asks; nothing is recorded until the receiver answers.
    harness.scan(label, Tone.PENDING)
    before = snapshot(plant.db)
    refused = press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR)
    assert refused.startswith("This label was received today at ")
    assert refused.endswith(
        f": supplier lot HQ-TWICE, PCB-MAIN, 10 EA (lot {first.code}). Nothing was recorded."
    )
    assert view.receipt_strip.waiting and view.receipt_strip.isVisible()
    assert view.receipt_strip.question.text() == (
        "Is this another package with the same label (supplier lot HQ-TWICE, 10 EA)? Yes receives it too; "
        "no if the label was scanned twice."
    )
    assert view.prompt.text() == "Yes: Enter or #CONFIRM. No: Esc or #CANCEL."
    answer = harness.scan("SUP-HQ", Tone.ERROR)
    assert answer == "Answer the question first. Yes: Enter or #CONFIRM. No: Esc or #CANCEL."
    harness.scan("#CANCEL")  # no: it was scanned twice; the form stays, to be cleared
    assert not view.receipt_strip.waiting and not view.receipt_strip.isVisible()
    assert (view.lot.text(), view.quantity.text()) == ("HQ-TWICE", "10")
    harness.idle()
    assert snapshot(plant.db) == before and len(lots_of(plant, "HQ-TWICE")) == 1

    # Enter again, and yes (Enter): another package, received as its own lot under a new action.
    press(harness, view.quantity, Qt.Key.Key_Return, Tone.ERROR)
    assert view.receipt_strip.waiting
    text = press(harness, view.quantity, Qt.Key.Key_Return, Tone.OK)
    harness.idle()
    lots = lots_of(plant, "HQ-TWICE")
    assert [lot.quantity for lot in lots] == [Decimal(10), Decimal(10)]
    assert (
        text == f"Received {lots[1].code}: 10 EA of PCB-MAIN Meter main PCB, in quarantine until quality "
        "releases it."
    )
    actions = receive_actions(plant, "HQ-TWICE")
    assert len(set(actions)) == 2
    assert not view.receipt_strip.waiting and view.lot.text() == ""  # ready for the next package


def test_another_package_whose_outcome_was_unknown_is_retried_under_its_own_id(
    station, plant: Plant, qtbot: QtBot
) -> None:
    harness, view = open_screen(station)
    harness.scan("SUP-HQ", Tone.OK)
    label = element_string(gtin=PCB_SUPPLIER_GTIN, lot="HQ-RETRY", quantity=6)
    harness.scan(label, Tone.OK)
    harness.scan("#CONFIRM", Tone.OK)
    harness.idle()  # its label printed
    harness.scan(label, Tone.PENDING)
    harness.scan("#CONFIRM", Tone.ERROR)  # the same label: the question
    refused_id = view._receipt_id
    # Yes, but the answer never comes back (here: it never reaches the database at all).
    operator, harness.operator = harness.operator, None
    assert harness.scan("#CONFIRM", Tone.ERROR) == "Nobody is logged in: log in first."
    second_id = view._receipt_id
    assert second_id not in (None, refused_id)  # another package: a new action
    assert view._receipt_fields is not None and view._receipt_fields["second_package"] is True
    harness.operator = operator
    # Enter again on the unchanged form: the same action (another package), recorded once.
    harness.scan("#CONFIRM", Tone.OK)
    harness.idle()
    assert [lot.quantity for lot in lots_of(plant, "HQ-RETRY")] == [Decimal(6), Decimal(6)]
    assert receive_actions(plant, "HQ-RETRY")[1] == second_id
    harness.idle()
    # The next scan of that label is a new question again: a yes is for one package only.
    harness.scan(label, Tone.PENDING)
    harness.scan("#CONFIRM", Tone.ERROR)
    assert view.receipt_strip.waiting
    harness.scan("#CANCEL")
    harness.idle()
    assert len(lots_of(plant, "HQ-RETRY")) == 2
