"""The packing screen on a real station: serial labels printed and scanned back, units packed into
the station's carton until it closes itself with its SSCC label, cartons onto the pallet, unpack and
reprint, and every refusal the screen meets, each checked against what the database holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import PIL.Image
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from demo.plant import COMPOUND, METER
from models import print_jobs, production
from models.schema import EventType, PrintJob, PrintJobStatus, Unit, UnitStatus, WorkOrder
from tests.models import flows
from tests.station_harness import StationHarness
from tests.support import OPERATOR, OPERATOR_2, SUPERVISOR, snapshot
from ui.packing.view import PackingView
from ui.widgets.feedback import Tone

Station = Callable[..., StationHarness]


def open_screen(station: Station, qtbot: QtBot, badge: str = OPERATOR) -> tuple[StationHarness, PackingView]:
    harness = station("PCK-01", badge)
    view = PackingView(harness.runner)
    harness.show(view)
    harness.window.activateWindow()  # the F keys are window shortcuts: the window must be active
    qtbot.waitUntil(harness.window.isActiveWindow, timeout=5_000)
    return harness, view


def press(harness: StationHarness, qtbot: QtBot, button: QPushButton, key: Qt.Key) -> None:
    """Press the button's F key on the window, as the operator does; a shortcut clicks it a moment
    later (QAbstractButton.animateClick), then the database's answers are awaited."""
    assert button.shortcut().toString() == Qt.Key(key).name.removeprefix("Key_")
    qtbot.keyClick(harness.window, key)
    qtbot.waitUntil(lambda: not button.isDown(), timeout=5_000)
    harness.idle()


def type_in(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def work_order(harness: StationHarness, quantity: int = 5) -> str:
    code = flows.unique("WO-MTR")
    production.create_work_order(
        harness.plant.db, harness.plant.actor(SUPERVISOR), code=code, item_code=METER, quantity=quantity
    )
    return code


def labels_of(harness: StationHarness, pattern: str) -> list[Path]:
    return sorted(harness.labels.glob(pattern))


def scanned_back(path: Path) -> list[str]:
    """Each barcode on a printed label, as a scanner sends it (AIM prefix, GS kept)."""
    return [
        symbol.symbology_identifier + symbol.bytes.decode("ascii")
        for symbol in zxingcpp.read_barcodes(PIL.Image.open(path))
    ]


def job_statuses(harness: StationHarness, code: str) -> list[PrintJobStatus]:
    with harness.plant.db.session() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == code)).one()
        return list(
            session.scalars(select(PrintJob.status).where(PrintJob.unit_id == unit_id).order_by(PrintJob.id))
        )


def refused_scan(harness: StationHarness, text: str) -> str:
    """A scan the screen refuses in red, leaving every row of every table as it was."""
    before = snapshot(harness.plant.db)
    answer = harness.scan(text, Tone.ERROR)
    harness.idle()
    assert snapshot(harness.plant.db) == before
    return answer


# --- serialization ------------------------------------------------------------------------------


def test_a_serial_label_is_printed_then_confirmed_by_scanning_it_back(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    order = work_order(harness)
    assert (
        harness.scan(order, Tone.OK)
        == f"Work order {order}: 5 serials still to create. F5 prints the next label."
    )
    assert view.card.title.text() == f"Work order {order} · Single-phase smart meter"

    press(harness, qtbot, view.next_button, Qt.Key.Key_F5)
    [serial] = [unit.code for unit in flows.rows(harness.plant, Unit, Unit.kind == "SERIAL")]
    assert harness.messages[-1] == (
        "ok",
        f"Serial {serial} created and labelled: stick the label on the unit and scan it back.",
    )
    assert job_statuses(harness, serial) == [PrintJobStatus.SENT]
    assert view.prompt.text() == f"Stick the label on its unit and scan it back: {serial}."
    assert (
        view.card.order.text() == "Serials: 1 of 5 created · 1 labelled · 0 scanned back · 4 still to create"
    )

    [label] = labels_of(harness, "*serial*.png")
    [symbol] = scanned_back(label)
    assert symbol.startswith("]d2") and f"21{serial}" in symbol  # GS1 DataMatrix (01)...(21)<serial>
    assert harness.scan(symbol, Tone.OK) == f"Label {serial} confirmed."
    harness.idle()
    assert job_statuses(harness, serial) == [PrintJobStatus.CONFIRMED]
    assert (
        view.card.order.text() == "Serials: 1 of 5 created · 1 labelled · 1 scanned back · 4 still to create"
    )
    assert view.prompt.text() == f"Scan a unit to pack, or F5 for the next label of {order}."


def test_a_wrong_label_scanned_back_is_refused_and_nothing_is_recorded(
    station: Station, qtbot: QtBot
) -> None:
    harness, view = open_screen(station, qtbot)
    [other] = flows.released_meters(harness.plant, 1)
    order = work_order(harness)
    harness.scan(order, Tone.OK)
    press(harness, qtbot, view.next_button, Qt.Key.Key_F5)
    [awaited] = [job.unit_code for job in print_jobs.station_labels(harness.plant.db, "PCK-01").awaiting]

    answer = refused_scan(harness, other)
    assert answer == f"This is not the label just printed (expected {awaited}): check the label on the unit."
    assert job_statuses(harness, awaited) == [PrintJobStatus.SENT]
    assert plant_status(harness, other) is UnitStatus.RELEASED  # not packed either
    # The next label waits until this one is scanned back.
    before = len(harness.messages)
    press(harness, qtbot, view.next_button, Qt.Key.Key_F5)
    assert harness.messages[before:] == [
        ("error", f"Scan the label of {awaited} back from its unit first (or #CANCEL).")
    ]

    # #CANCEL leaves the label unconfirmed; the screen packs again, and a new login asks for it again.
    assert harness.scan("#CANCEL", Tone.OK) == (
        "1 labels left without their scan-back: they are asked for again at the next login."
    )
    harness.scan(other, Tone.OK)
    harness.idle()
    assert plant_status(harness, other) is UnitStatus.PACKED
    view.activate()
    harness.idle()
    assert view.prompt.text() == f"Stick the label on its unit and scan it back: {awaited}."


def plant_status(harness: StationHarness, code: str) -> UnitStatus:
    return harness.plant.unit(code).status


def test_a_batch_of_labels_is_printed_and_scanned_back_in_order(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    order = work_order(harness, quantity=4)
    harness.scan(order, Tone.OK)
    press(harness, qtbot, view.batch_button, Qt.Key.Key_F6)
    assert view.amount.isVisible() and view.amount.hasFocus()
    assert view.prompt.text() == "Type how many serials to create, then Enter."
    refused = len(harness.messages)
    type_in(qtbot, view.amount, "0")
    assert harness.messages[refused:] == [("error", "Type how many serials: a whole number, 1 or more.")]
    type_in(qtbot, view.amount, "3")
    harness.idle()
    assert harness.messages[-1] == (
        "ok",
        "3 serials created and labelled: stick each label on its unit, then scan them back.",
    )
    awaited = [job.unit_code for job in print_jobs.station_labels(harness.plant.db, "PCK-01").awaiting]
    assert len(awaited) == 3 and len(labels_of(harness, "*serial*.png")) == 3
    assert [view.labels.item(row, 0).text() for row in range(view.labels.rowCount())] == awaited

    assert harness.scan(awaited[0], Tone.OK) == f"Label {awaited[0]} confirmed: 2 more to scan back."
    harness.idle()
    refused_scan(harness, awaited[2])  # out of order: the second label comes first
    harness.scan(awaited[1], Tone.OK)
    harness.idle()
    assert harness.scan(awaited[2], Tone.OK) == f"Label {awaited[2]} confirmed."
    harness.idle()
    assert [job_statuses(harness, code) for code in awaited] == [[PrintJobStatus.CONFIRMED]] * 3
    # One more than the order has left is refused by the work order, its quantity as typed.
    press(harness, qtbot, view.batch_button, Qt.Key.Key_F6)
    type_in(qtbot, view.amount, "2")
    too_many = harness.wait_banner(Tone.ERROR)
    assert too_many == f"Work order {order} is for 4: 3 serials exist, 2 more would be too many."
    harness.idle()
    assert (
        view.card.order.text() == "Serials: 3 of 4 created · 3 labelled · 3 scanned back · 1 still to create"
    )


def test_a_label_that_did_not_print_is_sent_again_with_f7(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    order = work_order(harness)
    harness.scan(order, Tone.OK)
    harness.labels.rmdir()
    harness.labels.write_text("not a folder")  # the preview printer cannot write: the job fails
    press(harness, qtbot, view.next_button, Qt.Key.Key_F5)
    [serial] = [unit.code for unit in flows.rows(harness.plant, Unit, Unit.kind == "SERIAL")]
    assert harness.messages[-1] == ("error", "1 of 1 labels did not print: check the printer, then F7.")
    assert job_statuses(harness, serial) == [PrintJobStatus.FAILED]
    assert view.prompt.text() == "A label did not print: check the printer, then F7 sends it again."

    harness.labels.unlink()
    harness.labels.mkdir()
    press(harness, qtbot, view.resend_button, Qt.Key.Key_F7)
    assert harness.messages[-1] == ("ok", f"Sent again: {serial}.")
    assert job_statuses(harness, serial) == [PrintJobStatus.SENT]
    assert len(labels_of(harness, "*serial*.png")) == 1
    assert view.prompt.text() == f"Stick the label on its unit and scan it back: {serial}."


def test_a_label_recorded_but_never_sent_is_owed_and_f7_sends_it(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    order = work_order(harness)
    plant = harness.plant
    made = production.create_serials(plant.db, plant.actor(OPERATOR, "PCK-01"), work_order_code=order)
    [serial] = made.codes
    # The connection dropped after the job was recorded and before it was sent: RESERVED.
    print_jobs.print_label(plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=serial, printer="preview")
    view.activate()
    harness.idle()
    assert [(view.labels.item(0, 0).text(), view.labels.item(0, 1).text())] == [(serial, "not printed: F7")]
    assert view.prompt.text() == "A label did not print: check the printer, then F7 sends it again."

    press(harness, qtbot, view.resend_button, Qt.Key.Key_F7)
    assert harness.messages[-1] == ("ok", f"Sent again: {serial}.")
    assert job_statuses(harness, serial) == [PrintJobStatus.SENT]  # the same job, not a second label
    [label] = labels_of(harness, "*serial*.png")
    [symbol] = scanned_back(label)
    assert view.prompt.text() == f"Stick the label on its unit and scan it back: {serial}."
    assert harness.scan(symbol, Tone.OK) == f"Label {serial} confirmed."
    harness.idle()
    assert job_statuses(harness, serial) == [PrintJobStatus.CONFIRMED]


def test_labels_refused_before_their_job_is_recorded_stay_owed_unless_the_unit_is_scrapped(
    station: Station, qtbot: QtBot
) -> None:
    harness, view = open_screen(station, qtbot)
    order = work_order(harness)
    harness.scan(order, Tone.OK)
    operator = harness.operator
    press(harness, qtbot, view.batch_button, Qt.Key.Key_F6)
    type_in(qtbot, view.amount, "2")  # the serials are being created...
    harness.operator = None  # ...when the operator is logged out, before their labels print
    refused = "2 of 2 labels did not print: Nobody is logged in: log in first."
    qtbot.waitUntil(lambda: harness.messages[-1] == ("error", refused), timeout=10_000)
    harness.idle()
    serials = [unit.code for unit in flows.rows(harness.plant, Unit, Unit.kind == "SERIAL")]
    assert len(serials) == 2 and [job_statuses(harness, code) for code in serials] == [[], []]
    owed = [(view.labels.item(row, 0).text(), view.labels.item(row, 1).text()) for row in range(2)]
    assert owed == [(code, "not printed: F7") for code in serials]

    # Quality scraps one meanwhile: its label is refused (a label would put it back in circulation)
    # and it is owed no more; the other one prints, and the screen is free for the next scan.
    flows.scrap(harness.plant, serials[1])
    harness.operator = operator
    shown = len(harness.messages)
    press(harness, qtbot, view.resend_button, Qt.Key.Key_F7)
    (printed, _), *said = harness.messages[shown:]
    assert printed == "ok" and said == [
        ("error", f"{serials[1]} has been scrapped."),  # the runner's refusal...
        ("error", f"Still not printed: {serials[1]} has been scrapped."),  # ...not hidden by a printer one
    ]
    assert [job_statuses(harness, code) for code in serials] == [[PrintJobStatus.SENT], []]
    rows = [
        (view.labels.item(row, 0).text(), view.labels.item(row, 1).text())
        for row in range(view.labels.rowCount())
    ]
    assert rows == [(serials[0], "to scan back")]
    assert harness.scan(serials[0], Tone.OK) == f"Label {serials[0]} confirmed."
    harness.idle()
    assert view.labels.rowCount() == 0
    assert view.prompt.text() == f"Scan a unit to pack, or F5 for the next label of {order}."


# --- packing ------------------------------------------------------------------------------------


def test_ten_meters_fill_a_carton_that_closes_with_its_sscc_label_and_the_next_opens(
    station: Station, qtbot: QtBot
) -> None:
    harness, view = open_screen(station, qtbot)
    meters = flows.released_meters(harness.plant, 11)
    first = harness.scan(meters[0], Tone.OK)
    harness.idle()
    assert first.startswith(f"{meters[0]} packed: carton (open) holds") and first.endswith(" holds 1 of 10.")
    for meter in meters[1:9]:
        harness.scan(meter)
    harness.idle()
    assert (view.card.carton.bar.value(), view.card.carton.bar.maximum()) == (9, 10)
    assert view.card.carton.bar.text() == "9 / 10"
    assert view.contents.rowCount() == 9 and view.contents.item(0, 0).text() == meters[0]

    harness.scan(meters[9])
    harness.wait_banner(Tone.OK)
    harness.idle()
    closed = [unit for unit in flows.rows(harness.plant, Unit, Unit.kind == "CONTAINER")]
    assert [(unit.status, unit.quantity) for unit in closed] == [(UnitStatus.CLOSED, 10)]
    sscc = closed[0].code
    assert harness.messages[-1] == ("ok", f"Carton {sscc} closed and labelled.")
    assert all(harness.plant.unit(meter).container_id == closed[0].id for meter in meters[:10])
    [label] = labels_of(harness, f"*{sscc}*.png")
    decoded = [symbol.text for symbol in zxingcpp.read_barcodes(PIL.Image.open(label))]
    assert f"(00){sscc}" in decoded
    assert job_statuses(harness, sscc) == [PrintJobStatus.SENT]

    nxt = harness.scan(meters[10], Tone.OK)
    harness.idle()
    assert nxt.endswith(" holds 1 of 10.")
    assert (view.card.carton.bar.value(), view.contents.rowCount()) == (1, 1)


def test_closed_cartons_go_onto_the_pallet_which_closes_on_command(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    meters = flows.released_meters(harness.plant, 3)
    cartons = [flows.carton(harness.plant, meters[:2]), flows.carton(harness.plant, meters[2:])]
    assert harness.scan(cartons[0], Tone.OK).endswith(": 1 of 4.")
    harness.idle()
    harness.scan(cartons[1], Tone.OK)
    harness.idle()
    assert view.card.pallet.caption.text().startswith("▶ Pallet (open)")
    assert view.card.pallet.bar.text() == "2 / 4"
    assert view.contents_title.text().startswith("On pallet (open)")

    harness.scan("#CLOSE")
    assert view.strip.waiting and view.strip.question.text().endswith("with 2 of 4?")
    refused = len(harness.messages)
    harness.scan(meters[0])  # anything but an answer is refused while the question waits
    assert harness.messages[refused:] == [("error", "Answer the question first: #CONFIRM or #CANCEL.")]
    harness.scan("#CONFIRM")
    harness.wait_banner(Tone.OK)
    harness.idle()
    [pallet] = flows.rows(harness.plant, Unit, Unit.container_level == "PALLET")
    assert (pallet.status, pallet.quantity) == (UnitStatus.CLOSED, 2)
    assert harness.messages[-1] == ("ok", f"Pallet {pallet.code} closed and labelled.")
    assert [plant_unit.container_id for plant_unit in map(harness.plant.unit, cartons)] == [pallet.id] * 2
    assert labels_of(harness, f"*pallet*{pallet.code}*.png")
    assert view.card.pallet.caption.text() == "▶ Pallet: none open, the next closed carton opens one"
    # Nothing open at the target level: #CLOSE says so.
    assert refused_scan(harness, "#CLOSE") == "There is no open pallet to close."


def test_a_partly_filled_carton_closes_after_the_question_and_a_no_keeps_it_open(
    station: Station, qtbot: QtBot
) -> None:
    harness, view = open_screen(station, qtbot)
    meters = flows.released_meters(harness.plant, 2)
    for meter in meters:
        harness.scan(meter, Tone.OK)
        harness.idle()
    press(harness, qtbot, view.close_button, Qt.Key.Key_F8)
    assert view.strip.waiting and view.strip.question.text().endswith("with 2 of 10?")
    qtbot.keyClick(view.strip, Qt.Key.Key_Escape)  # No: nothing changes
    harness.idle()
    assert not view.strip.waiting
    [carton] = flows.rows(harness.plant, Unit, Unit.kind == "CONTAINER")
    assert carton.status is UnitStatus.OPEN
    press(harness, qtbot, view.close_button, Qt.Key.Key_F8)
    qtbot.keyClick(view.strip, Qt.Key.Key_Return)
    harness.wait_banner(Tone.OK)
    harness.idle()
    [carton] = flows.rows(harness.plant, Unit, Unit.kind == "CONTAINER")
    assert (carton.status, carton.quantity) == (UnitStatus.CLOSED, 2)
    assert harness.messages[-1] == ("ok", f"Carton {carton.code} closed and labelled.")


def test_an_open_carton_survives_a_restart_and_a_shift_change(station: Station, qtbot: QtBot) -> None:
    harness, _ = open_screen(station, qtbot)
    meters = flows.released_meters(harness.plant, 4)
    for meter in meters[:3]:
        harness.scan(meter, Tone.OK)
        harness.idle()
    next_shift, screen = open_screen(station, qtbot, OPERATOR_2)
    assert (screen.card.carton.bar.value(), screen.card.carton.bar.maximum()) == (3, 10)
    assert [screen.contents.item(row, 0).text() for row in range(3)] == meters[:3]
    assert screen.card.carton.caption.text().endswith("· Single-phase smart meter")
    next_shift.scan(meters[3], Tone.OK)
    next_shift.idle()
    [carton] = flows.rows(harness.plant, Unit, Unit.kind == "CONTAINER")
    assert (carton.quantity, carton.status) == (4, UnitStatus.OPEN)  # the same carton, not a new one


def test_a_lot_is_packed_with_a_typed_quantity(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    lot = flows.compound_lot(harness.plant, 50)
    assert harness.scan(lot, Tone.OK) == (
        f"Lot {lot}: 50 KG available. Type how much goes into the carton, then Enter."
    )
    assert view.amount.hasFocus() and view.amount.text() == "20"  # what one carton takes
    refused = len(harness.messages)
    harness.scan(lot)  # a scan while the quantity is asked for
    assert harness.messages[refused:] == [("error", "Type the quantity first (Enter), or scan #CANCEL.")]
    type_in(qtbot, view.amount, "15")
    harness.wait_banner(Tone.OK)
    harness.idle()
    child = harness.plant.unit(f"{lot}-01")
    assert (child.quantity, child.status) == (15, UnitStatus.PACKED)
    assert harness.plant.unit(lot).quantity == 35
    assert view.card.carton.bar.text() == "15 / 20 KG"
    harness.scan(lot, Tone.OK)
    assert view.amount.text() == "5"  # the room left


# --- unpack, reprint ------------------------------------------------------------------------------


def test_unpack_takes_a_unit_out_with_a_typed_reason(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    meters = flows.released_meters(harness.plant, 2)
    for meter in meters:
        harness.scan(meter, Tone.OK)
        harness.idle()
    harness.scan("#REMOVE")
    assert view.prompt.text() == "Unpack: scan the unit to take out of its container (#CANCEL: back)."
    assert harness.scan(meters[0], Tone.OK) == f"{meters[0]}: type why it comes out, then Enter."
    assert view.reason.hasFocus()
    refused = len(harness.messages)
    qtbot.keyClick(view.reason, Qt.Key.Key_Return)
    assert harness.messages[refused:] == [("error", "Type the reason first.")]
    type_in(qtbot, view.reason, "label smudged")
    assert view.strip.waiting
    assert view.strip.question.text() == f"Take {meters[0]} out of its container? Reason: label smudged"
    harness.scan("#CONFIRM")
    answer = harness.wait_banner(Tone.OK)
    harness.idle()
    assert answer.startswith(f"{meters[0]} taken out of (open)") and answer.endswith(": 1 left in it.")
    unit = harness.plant.unit(meters[0])
    assert (unit.status, unit.container_id) == (UnitStatus.RELEASED, None)
    [out] = flows.events(harness.plant, meters[0], EventType.UNPACK)
    assert out.reason == "label smudged"
    assert view.contents.rowCount() == 1
    # Packed again: the same carton takes it back.
    harness.scan(meters[0], Tone.OK)
    harness.idle()
    assert harness.plant.unit(meters[0]).status is UnitStatus.PACKED

    # Unpacking what is not packed: the model refuses, nothing is recorded.
    [loose] = flows.released_meters(harness.plant, 1)
    press(harness, qtbot, view.unpack_button, Qt.Key.Key_F9)
    harness.scan(loose, Tone.OK)
    type_in(qtbot, view.reason, "check")
    before = snapshot(harness.plant.db)
    harness.scan("#CONFIRM")
    assert harness.wait_banner(Tone.ERROR) == f"{loose} is not packed in anything."
    harness.idle()
    assert snapshot(harness.plant.db) == before


def test_reprint_is_refused_to_an_operator_and_done_for_a_supervisor(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    order = work_order(harness)
    harness.scan(order, Tone.OK)
    press(harness, qtbot, view.next_button, Qt.Key.Key_F5)
    [serial] = [unit.code for unit in flows.rows(harness.plant, Unit, Unit.kind == "SERIAL")]
    harness.scan(serial, Tone.OK)
    harness.idle()
    before = len(harness.messages)
    press(harness, qtbot, view.reprint_button, Qt.Key.Key_F10)
    assert harness.messages[before:] == [
        ("error", "This needs one of these roles: administrator, quality inspector, supervisor.")
    ]

    supervisor, screen = open_screen(station, qtbot, SUPERVISOR)
    press(supervisor, qtbot, screen.reprint_button, Qt.Key.Key_F10)
    assert screen.prompt.text() == "Reprint: scan the label to print again (#CANCEL: back)."
    [loose] = flows.released_meters(harness.plant, 1)
    assert refused_scan(supervisor, loose) == f"{loose} has no label yet: there is nothing to reprint."
    assert supervisor.scan(serial, Tone.OK) == f"{serial}: type why its label is printed again, then Enter."
    type_in(qtbot, screen.reason, "label torn")
    assert supervisor.wait_banner(Tone.OK).startswith(f"Label {serial} printed")
    supervisor.idle()
    assert supervisor.messages[-1] == ("ok", f"Label {serial} printed again: stick it on and scan it back.")
    [reprint] = flows.events(harness.plant, serial, EventType.REPRINT)
    assert reprint.reason == "label torn"
    assert job_statuses(harness, serial) == [PrintJobStatus.CONFIRMED, PrintJobStatus.SENT]
    assert len(labels_of(supervisor, "*serial*.png")) == 2  # both stations print to one folder here
    # The new label is scanned back like the first.
    assert supervisor.scan(serial, Tone.OK) == f"Label {serial} confirmed."
    supervisor.idle()
    assert job_statuses(harness, serial) == [PrintJobStatus.CONFIRMED, PrintJobStatus.CONFIRMED]


def test_repack_moves_a_unit_from_a_closed_carton_into_the_open_one(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    meters = flows.released_meters(harness.plant, 3)
    full = flows.carton(harness.plant, meters[:2])
    harness.scan(meters[2], Tone.OK)
    harness.idle()
    press(harness, qtbot, view.repack_button, Qt.Key.Key_F11)
    answer = harness.scan(meters[0], Tone.OK)
    assert answer.startswith(f"{meters[0]}: type why it moves into (open)")
    type_in(qtbot, view.reason, "carton crushed")
    assert view.strip.question.text().startswith(f"Move {meters[0]} into (open)")
    qtbot.keyClick(view.strip, Qt.Key.Key_Return)
    moved = harness.wait_banner(Tone.OK)
    harness.idle()
    assert moved.startswith(f"{meters[0]} moved into (open)") and moved.endswith(": 2 of 10.")
    bench = harness.plant.unit(meters[2]).container_id
    assert harness.plant.unit(meters[0]).container_id == bench
    assert harness.plant.unit(full).quantity == 1
    assert [seen.reason for seen in flows.events(harness.plant, meters[0], EventType.UNPACK)] == [
        "carton crushed"
    ]
    assert view.card.carton.bar.value() == 2


# --- refusals -----------------------------------------------------------------------------------


def test_what_cannot_be_packed_is_refused_and_changes_nothing(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    batch = flows.build_meters(harness.plant, 4)
    wip = flows.extra_meter(harness.plant, batch)
    failed = flows.extra_meter(harness.plant, batch, state="FAILED")
    flows.hold(harness.plant, batch.meters[1])
    lot = flows.compound_lot(harness.plant, 20)
    packed = flows.carton(harness.plant, [batch.meters[2]], closed=False)
    pallet = flows.pallet(harness.plant, [flows.carton(harness.plant, [batch.meters[3]])])
    flows.close(harness.plant, packed)
    harness.scan(batch.meters[0], Tone.OK)  # the bench's carton now holds meters
    harness.idle()

    assert refused_scan(harness, wip) == f"Serial {wip} has not finished its routing yet."
    assert refused_scan(harness, failed) == f"Serial {failed} failed a test: it cannot be used."
    assert refused_scan(harness, batch.meters[1]) == f"{batch.meters[1]} is on hold: it cannot be used."
    assert refused_scan(harness, batch.meters[2]) == f"{batch.meters[2]} is packed already."
    mixed = refused_scan(harness, lot)
    assert mixed.startswith("(open)") and mixed.endswith(
        f" holds another item: {COMPOUND} cannot go into it."
    )
    assert refused_scan(harness, pallet).endswith(": cartons take products, pallets take cartons.")
    assert refused_scan(harness, "NO-SUCH-CODE") == (
        "NO-SUCH-CODE is not known: no unit, work order or shipment has this code."
    )
    assert refused_scan(harness, METER) == (
        f"{METER} is neither a unit nor a work order: scan a product, a carton or a work order."
    )
    [carton] = flows.rows(harness.plant, Unit, Unit.status == UnitStatus.OPEN)
    assert carton.quantity == 1 and view.card.carton.bar.value() == 1


def test_esc_while_the_database_answers_is_refused_and_cancels_nothing(
    station: Station, qtbot: QtBot
) -> None:
    harness, view = open_screen(station, qtbot)
    [meter] = flows.released_meters(harness.plant, 1)
    shown = len(harness.messages)
    harness.scan(meter)  # being packed...
    qtbot.keyClick(harness.window, Qt.Key.Key_Escape)  # ...when Esc is pressed
    assert harness.messages[shown:] == [("error", "Wait: the last scan is still being recorded.")]
    answer = harness.wait_banner(Tone.OK)
    harness.idle()
    assert answer.startswith(f"{meter} packed: carton (open) holds")
    assert plant_status(harness, meter) is UnitStatus.PACKED

    # A label awaiting its scan-back is not skipped by an Esc pressed while the scan-back is recorded.
    order = work_order(harness)
    harness.scan(order, Tone.OK)
    press(harness, qtbot, view.next_button, Qt.Key.Key_F5)
    [serial] = [job.unit_code for job in print_jobs.station_labels(harness.plant.db, "PCK-01").awaiting]
    shown = len(harness.messages)
    harness.scan(serial)
    qtbot.keyClick(harness.window, Qt.Key.Key_Escape)
    assert harness.wait_banner(Tone.OK) == f"Label {serial} confirmed."
    harness.idle()
    assert harness.messages[shown:] == [
        ("error", "Wait: the last scan is still being recorded."),
        ("ok", f"Label {serial} confirmed."),
    ]
    assert job_statuses(harness, serial) == [PrintJobStatus.CONFIRMED]
    # Idle again, Esc cancels as before.
    qtbot.keyClick(harness.window, Qt.Key.Key_Escape)
    assert harness.messages[-1] == ("ok", "Cancelled: nothing was recorded.")


def test_keys_and_commands_that_make_no_sense_now_are_refused(station: Station, qtbot: QtBot) -> None:
    harness, view = open_screen(station, qtbot)
    before = snapshot(harness.plant.db)
    shown = len(harness.messages)
    press(harness, qtbot, view.next_button, Qt.Key.Key_F5)
    press(harness, qtbot, view.resend_button, Qt.Key.Key_F7)
    press(harness, qtbot, view.close_button, Qt.Key.Key_F8)
    harness.scan("#CONFIRM")
    assert harness.messages[shown:] == [
        ("error", "Scan a work order first: its serials are labelled here."),
        ("error", "There is no label to send again."),
        ("error", "There is no open carton to close."),
        ("error", "There is nothing to confirm."),
    ]
    assert snapshot(harness.plant.db) == before
    lot = flows.compound_lot(harness.plant, 10)
    [unit] = flows.rows(harness.plant, Unit, Unit.code == lot)
    [order] = flows.rows(harness.plant, WorkOrder, WorkOrder.id == unit.work_order_id)
    assert refused_scan(harness, order.code) == (
        f"Work order {order.code} makes {COMPOUND}, which has no serial numbers: there is nothing to label."
    )
    press(harness, qtbot, view.repack_button, Qt.Key.Key_F11)
    assert refused_scan(harness, order.code) == f"{order.code} is not a unit: scan the unit itself."
    assert refused_scan(harness, lot) == (
        f"There is no open carton here to move {lot} into: pack a unit to open one."
    )
    assert harness.scan("#CANCEL", Tone.OK) == "Cancelled: nothing was recorded."
    assert (
        view.prompt.text() == "Scan a unit to pack, a closed carton for the pallet, or a work order to label."
    )
