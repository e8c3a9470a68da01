"""The shipping screen on a real station (window, worker, runner) and the real databases.

Every test sets its plant up through the real operations (tests/models/flows.py), then drives the
screen the way an operator does: scans (including the command barcodes) and keys. It checks what
the database holds afterwards, that a refused scan changed nothing at all, and the banner's words.
"""

from __future__ import annotations

import io

import pypdf
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from demo.plant import COMPOUND, METER, PCB
from models import shipping
from models.schema import Shipment, ShipmentPick, ShipmentStatus, ShippedUnit, Unit, UnitStatus
from tests.models import flows
from tests.station_harness import StationHarness
from tests.support import OPERATOR, Plant, snapshot
from ui.shipping.view import CodeRole, ShippingView
from ui.widgets.feedback import Tone


def opened(station, plant: Plant) -> tuple[StationHarness, ShippingView]:  # type: ignore[no-untyped-def]
    harness: StationHarness = station("SHP-01", OPERATOR)
    screen = ShippingView(harness.runner)
    harness.show(screen)
    return harness, screen


def open_by_scan(harness: StationHarness, screen: ShippingView, code: str) -> None:
    text = harness.scan(code, Tone.OK)
    assert code in text
    harness.idle()
    assert screen._view is not None and screen._view.code == code


def table(widget) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [
        [
            widget.item(row, column).text()
            for column in range(widget.columnCount())
            if widget.item(row, column)
        ]
        for row in range(widget.rowCount())
    ]


def status(plant: Plant, code: str) -> ShipmentStatus:
    (row,) = flows.rows(plant, Shipment, Shipment.code == code)
    return row.status


def picks(plant: Plant, code: str) -> list[str]:
    with plant.db.session() as session:
        return list(
            session.scalars(
                select(Unit.code)
                .join(ShipmentPick, ShipmentPick.unit_id == Unit.id)
                .join(Shipment, Shipment.id == ShipmentPick.shipment_id)
                .where(Shipment.code == code)
                .order_by(ShipmentPick.id)
            )
        )


def refused(harness: StationHarness, text: str) -> str:
    """Scan `text`, expect a red banner, and that nothing in the database changed."""
    before = snapshot(harness.plant.db)
    answer = harness.scan(text, Tone.ERROR)
    harness.idle()
    assert snapshot(harness.plant.db) == before
    return answer


def wait_question(harness: StationHarness, screen: ShippingView) -> str:
    harness.qtbot.waitUntil(lambda: screen.strip.waiting, timeout=10_000)
    return screen.strip.question.text()


# --- picking a shipment ---------------------------------------------------------------------------


def test_a_shipment_is_picked_from_the_list_by_keyboard_or_scanned(
    station, plant: Plant, qtbot: QtBot
) -> None:
    first = flows.shipment(plant, {METER: 3})
    second = flows.shipment(plant, {METER: 2, COMPOUND: "12.5"}, customer="CUS-GD")
    harness, screen = opened(station, plant)

    assert screen.pages.currentIndex() == 0
    assert [row[0] for row in table(screen.shipment_table)] == [first, second]
    assert table(screen.shipment_table)[1][1] == "Guangdong Grid (CUS-GD)"
    assert table(screen.shipment_table)[1][3] == "DDZY-102 0 / 2 · PTG-200 0 KG / 12.5 KG"
    assert screen.prompt.text() == "Scan or pick a shipment (arrows, then Enter)."
    assert screen.shipment_table.hasFocus()

    qtbot.keyClick(screen.shipment_table, Qt.Key.Key_Down)
    count = len(harness.messages)
    qtbot.keyClick(screen.shipment_table, Qt.Key.Key_Return)
    assert second in harness.wait_banner(Tone.OK, after=count)
    harness.idle()
    assert screen.pages.currentIndex() == 1
    assert screen.card_title.text() == f"Shipment {second} · Guangdong Grid"
    assert table(screen.line_table) == [
        ["DDZY-102", "Single-phase smart meter", "2", "0"],
        ["PTG-200", "Meter potting compound", "12.5 KG", "0 KG"],
    ]
    assert screen.quantity.hasFocus()

    open_by_scan(harness, screen, first)  # another shipment's code switches to it
    assert screen.card_title.text() == f"Shipment {first} · East China Power"
    qtbot.keyClick(screen, Qt.Key.Key_F4)  # back to the list
    harness.idle()
    assert screen.pages.currentIndex() == 0 and screen.shipment_table.hasFocus()
    assert screen.card_detail.text() == "Open shipments: 2"
    open_by_scan(harness, screen, first)

    harness.language = "zh_CN"  # item and customer names follow the operator's language
    screen.retranslate()
    assert screen.card_title.text().endswith("华东电力公司")
    assert table(screen.line_table)[0][1] == "单相智能电表"


def test_a_unit_before_a_shipment_or_a_code_that_is_no_unit_is_refused(
    station, plant: Plant, qtbot: QtBot
) -> None:
    meters = flows.released_meters(plant, 1)
    code = flows.shipment(plant, {METER: 1})
    harness, screen = opened(station, plant)
    assert meters[0] in refused(harness, meters[0])
    assert "Scan or pick a shipment first" in harness.errors()[-1]
    assert "is not known" in refused(harness, "NO-SUCH-CODE")
    assert refused(harness, "#CONFIRM") == "Scan or pick a shipment first."

    open_by_scan(harness, screen, code)
    text = refused(harness, METER)  # an item code is not something that leaves
    assert text == f"{METER} is not a pallet, carton, serial or lot: scan what leaves."
    assert refused(harness, "#CLOSE").startswith("#CLOSE closes a carton")
    assert refused(harness, "#CONFIRM") == f"Shipment {code} is empty: scan what leaves first."
    assert picks(plant, code) == []


# --- what is scanned onto a shipment ----------------------------------------------------------------


def test_a_pallet_a_carton_a_serial_and_part_of_a_lot_are_added_then_shipped_as_ordered(
    station, plant: Plant, qtbot: QtBot
) -> None:
    meters = flows.released_meters(plant, 6)
    lot = flows.compound_lot(plant, 10)
    cartons = [flows.carton(plant, meters[:2]), flows.carton(plant, meters[2:4])]
    pallet = flows.pallet(plant, cartons)
    carton = flows.carton(plant, meters[4:5])
    code = flows.shipment(plant, {METER: 6, COMPOUND: 4})
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)

    # The pallet by its GS1 SSCC: every meter on it counts on the line.
    assert len(pallet) == 18 and pallet.isdigit()
    assert harness.scan(f"(00){pallet}", Tone.OK) == f"Added {pallet}. {METER}: 4 of 6 scanned."
    assert harness.scan(carton, Tone.OK) == f"Added {carton}. {METER}: 5 of 6 scanned."
    serial = f"(01)06901234000016(21){meters[5]}"  # the meter's own GS1 label
    assert harness.scan(serial, Tone.OK) == f"Added {meters[5]}. {METER}: 6 of 6 scanned."
    qtbot.keyClicks(screen.quantity, "4")
    qtbot.keyClick(screen.quantity, Qt.Key.Key_Return)
    assert "Now scan the lot." in screen.prompt.text()
    part = f"{lot}-01"
    assert harness.scan(lot, Tone.OK) == f"Added {part}. {COMPOUND}: 4 KG of 4 KG scanned."
    harness.idle()

    assert picks(plant, code) == [pallet, carton, meters[5], part]
    assert plant.unit(lot).quantity == 6  # the rest of the lot stays in stock
    assert screen.quantity.text() == "" and screen.quantity.hasFocus()
    assert table(screen.line_table) == [
        ["DDZY-102", "Single-phase smart meter", "6", "6"],
        ["PTG-200", "Meter potting compound", "4 KG", "4 KG"],
    ]
    assert [row[:2] + row[3:] for row in table(screen.unit_table)] == [
        [pallet, "pallet", "4", "4 units in 2 cartons"],
        [carton, "carton", "1", "1 unit"],
        [meters[5], "serial", "1", ""],
        [part, "lot", "4 KG", ""],
    ]
    assert screen.overall.value() == 100
    assert screen.prompt.text() == "Everything ordered is scanned: ship with F10 or #CONFIRM."

    # Exactly as ordered: one question, then it leaves.
    qtbot.keyClick(screen, Qt.Key.Key_F10)
    assert wait_question(harness, screen) == (
        "Ship everything ordered to East China Power: DDZY-102 6, PTG-200 4 KG?"
    )
    assert not screen.strip.typed.isVisible()  # as ordered: nothing to type, Enter answers
    count = len(harness.messages)
    qtbot.keyClick(screen.strip, Qt.Key.Key_Return)
    text = harness.wait_banner(Tone.OK, after=count)
    assert text == f"Shipment {code} shipped to East China Power: DDZY-102 6, PTG-200 4 KG."
    harness.idle()
    assert status(plant, code) is ShipmentStatus.SHIPPED
    everything = [pallet, *cartons, carton, *meters, part]
    assert {plant.unit(unit).status for unit in everything} == {UnitStatus.SHIPPED}
    assert len(flows.rows(plant, ShippedUnit)) == len(everything)
    assert harness.errors() == []
    assert "has left" in screen.prompt.text() and not screen.confirm_button.isEnabled()

    # Gone: nothing more goes onto it.
    extra = flows.released_meters(plant, 1)[0]
    assert refused(harness, extra) == f"Shipment {code} has left already: it cannot be changed."


def test_a_packing_list_names_every_serial_in_every_container(station, plant: Plant, qtbot: QtBot) -> None:
    meters = flows.released_meters(plant, 3)
    box = flows.carton(plant, meters[:2])
    pallet = flows.pallet(plant, [box])
    code = flows.shipment(plant, {METER: 3})
    flows.add(plant, code, pallet)
    flows.add(plant, code, meters[2])
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)

    count = len(harness.messages)
    qtbot.keyClick(screen, Qt.Key.Key_F9)
    path = harness.documents / f"{code}.pdf"
    assert harness.wait_banner(Tone.OK, after=count) == f"Saved {path}"
    harness.idle()
    assert str(path) in screen.prompt.text()
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (code, "East China Power", "华东电力公司", "单相智能电表", pallet, box, *meters):
        assert expected in text, expected


# --- scans in a burst: in order, each as it was meant ------------------------------------------------


def answers(harness: StationHarness, after: int) -> list[tuple[str, str]]:
    """The green and red banners shown since the `after`-th message."""
    final = {Tone.OK.value, Tone.ERROR.value}
    return [(tone, text) for tone, text in harness.messages[after:] if tone in final]


def test_a_typed_quantity_is_for_the_one_scan_after_it(station, plant: Plant, qtbot: QtBot) -> None:
    first, second = flows.compound_lot(plant, 10), flows.compound_lot(plant, 10)
    code = flows.shipment(plant, {COMPOUND: 14})
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)

    # Refused: the quantity comes back into the field, to be corrected.
    qtbot.keyClicks(screen.quantity, "20")
    assert refused(harness, first) == f"Lot {first} holds only 10, not 20."
    assert screen.quantity.text() == "20"

    # Two lots in a burst after "4": the first ships 4 KG of its lot, the second all of it.
    screen.quantity.setText("4")
    count = len(harness.messages)
    screen.scanned(first)
    assert screen.quantity.text() == ""  # the scan has taken it
    screen.scanned(second)
    harness.idle()
    assert answers(harness, count) == [
        (Tone.OK.value, f"Added {first}-01. {COMPOUND}: 4 KG of 14 KG scanned."),
        (Tone.OK.value, f"Added {second}. {COMPOUND}: 14 KG of 14 KG scanned."),
    ]
    assert picks(plant, code) == [f"{first}-01", second]
    assert plant.unit(first).quantity == 6 and plant.unit(second).quantity == 10
    assert screen.quantity.text() == ""


def test_a_burst_with_remove_takes_off_only_what_follows_remove(station, plant: Plant, qtbot: QtBot) -> None:
    added, wrong = flows.released_meters(plant, 2)
    code = flows.shipment(plant, {METER: 2})
    flows.add(plant, code, wrong)
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)

    count = len(harness.messages)
    for text in (added, "#REMOVE", wrong):
        screen.scanned(text)
    assert wait_question(harness, screen) == f"Take {wrong} off shipment {code}?"
    harness.idle()
    assert answers(harness, count) == [(Tone.OK.value, f"Added {added}. {METER}: 2 of 2 scanned.")]
    assert picks(plant, code) == [wrong, added]
    assert harness.scan("#CONFIRM", Tone.OK) == f"{wrong} taken off shipment {code}."
    harness.idle()
    assert picks(plant, code) == [added]
    assert [row[0] for row in table(screen.unit_table)] == [added]


def test_confirm_right_after_a_carton_asks_about_the_shipment_with_the_carton(
    station, plant: Plant, qtbot: QtBot
) -> None:
    meters = flows.released_meters(plant, 2)
    box = flows.carton(plant, meters)
    code = flows.shipment(plant, {METER: 2})
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)

    count = len(harness.messages)
    screen.scanned(box)
    qtbot.keyClick(screen, Qt.Key.Key_F10)  # a key while the scan is under way is said no to
    busy = "Still busy with the last scan or action: wait for its answer, then try again."
    assert answers(harness, count) == [(Tone.ERROR.value, busy)]
    # Both scanned before the question came up: the first asks it, the second cannot answer it.
    screen.scanned("#CONFIRM")
    screen.scanned("#CONFIRM")
    assert wait_question(harness, screen) == f"Ship everything ordered to East China Power: {METER} 2?"
    harness.idle()
    assert answers(harness, count) == [
        (Tone.ERROR.value, busy),
        (Tone.OK.value, f"Added {box}. {METER}: 2 of 2 scanned."),
        (Tone.ERROR.value, "Answer the question first: Enter or #CONFIRM for yes, Esc or #CANCEL for no."),
    ]
    assert screen.strip.waiting and status(plant, code) is ShipmentStatus.OPEN
    assert picks(plant, code) == [box]

    text = harness.scan("#CONFIRM", Tone.OK)
    assert text == f"Shipment {code} shipped to East China Power: {METER} 2."
    harness.idle()
    assert status(plant, code) is ShipmentStatus.SHIPPED


def test_what_is_on_the_shipment_is_the_models_answer_not_the_last_view(
    station, plant: Plant, qtbot: QtBot
) -> None:
    first, second = flows.released_meters(plant, 2)
    code = flows.shipment(plant, {METER: 2})
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)
    elsewhere = plant.actor(OPERATOR, "SHP-01")  # another shipping station, after the screen looked

    # The screen showed it empty; it is not: asked about what it holds now.
    flows.add(plant, code, first)
    harness.scan("#CONFIRM")
    assert wait_question(harness, screen).startswith(f"SHORT SHIPMENT. {METER}: ordered 2, scanned 1.")
    assert [row[0] for row in table(screen.unit_table)] == [first]
    harness.scan("#CANCEL")
    harness.idle()
    assert not screen.strip.waiting

    # Not shown on it, but on it: it comes off.
    flows.add(plant, code, second)
    harness.scan("#REMOVE")
    harness.scan(second)
    assert wait_question(harness, screen) == f"Take {second} off shipment {code}?"
    assert harness.scan("#CONFIRM", Tone.OK) == f"{second} taken off shipment {code}."
    harness.idle()
    assert picks(plant, code) == [first]

    # Shown on it, but taken off: the model refuses, without a question.
    shipping.remove_from_shipment(plant.db, elsewhere, shipment_code=code, unit_code=first)
    assert refused(harness, "#CONFIRM") == f"Shipment {code} is empty: scan what leaves first."
    assert not screen.strip.waiting and table(screen.unit_table) == []
    assert status(plant, code) is ShipmentStatus.OPEN


# --- refusals -----------------------------------------------------------------------------------------


def test_units_that_may_not_leave_are_refused_and_nothing_changes(
    station, plant: Plant, qtbot: QtBot
) -> None:
    batch = flows.build_meters(plant, 6, spare_modules=1)
    held, inside_a, inside_b, extra, gone, loose = batch.meters
    failed = flows.extra_meter(plant, batch, state="FAILED")
    quarantined = flows.receive_lot(plant, PCB, "SUP-HQ", 10)
    expired = flows.compound_lot(plant, 10)
    flows.set_expiry(plant, expired, flows.yesterday(plant))
    pallet = flows.pallet(plant, [flows.carton(plant, [inside_a, inside_b])])
    flows.hold(plant, held)
    gone_on = flows.ship(plant, [gone], {METER: 1})
    code = flows.shipment(plant, {METER: 3, COMPOUND: 5, PCB: 5})
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)
    assert harness.scan(pallet, Tone.OK) == f"Added {pallet}. {METER}: 2 of 3 scanned."
    harness.idle()

    module = batch.spare_modules[0]
    assert refused(harness, module) == f"{module} is item COMM-4G, which shipment {code} does not order."
    assert refused(harness, held) == f"{held} is on hold: it cannot be used."
    assert (
        refused(harness, quarantined) == f"{quarantined} is not released (in quarantine): it cannot be used."
    )
    assert refused(harness, failed) == f"Serial {failed} failed a test: it cannot be used."
    assert refused(harness, expired).startswith(f"{expired} expired on ")
    left_on = shipping.packing_list(plant.db, gone_on).shipped_on
    assert left_on is not None
    assert refused(harness, gone) == (
        f"{gone} has been shipped already: shipment {gone_on}, on {left_on.isoformat()}."
    )
    assert refused(harness, pallet) == f"{pallet} is on shipment {code} already."
    assert refused(harness, inside_a).startswith(f"{inside_a} is packed in ")
    assert flows.add(plant, code, loose).lines[0].picked == 3  # the line is full now
    assert refused(harness, extra) == (
        f"Too much of item {METER}: the shipment orders 3, 3 picked so far, 1 more would exceed it."
    )

    # A typed quantity that is no number is refused before anything is asked of the database.
    qtbot.keyClicks(screen.quantity, "4x")
    assert refused(harness, expired) == "4x is not a quantity: type a number, or clear it."
    assert screen.quantity.text() == "4x"
    qtbot.keyClick(screen, Qt.Key.Key_Escape)  # Esc drops what is half-typed
    assert screen.quantity.text() == ""
    assert picks(plant, code) == [pallet, loose]


# --- taking a wrong scan back ---------------------------------------------------------------------------


def test_a_wrong_scan_is_taken_off_after_a_question(station, plant: Plant, qtbot: QtBot) -> None:
    meters = flows.released_meters(plant, 3)
    box = flows.carton(plant, meters[:2])
    code = flows.shipment(plant, {METER: 3})
    flows.add(plant, code, box)
    flows.add(plant, code, meters[2])
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)

    # #REMOVE, then the unit: asked first; every other scan waits for the answer.
    harness.scan("#REMOVE")
    assert screen.prompt.text() == f"Scan the unit to take off {code} (Esc: keep it)."
    harness.scan(meters[2])
    assert wait_question(harness, screen) == f"Take {meters[2]} off shipment {code}?"
    assert refused(harness, box).startswith("Answer the question first")
    assert refused(harness, code).startswith("Answer the question first")  # no switching either
    assert harness.scan("#CONFIRM", Tone.OK) == f"{meters[2]} taken off shipment {code}."
    harness.idle()
    assert picks(plant, code) == [box]
    assert [row[0] for row in table(screen.unit_table)] == [box]
    assert table(screen.line_table)[0][3] == "2"

    # What is not on the shipment cannot come off it: the model says so, when the question is answered.
    harness.scan("#REMOVE")
    harness.scan(meters[2])
    assert wait_question(harness, screen) == f"Take {meters[2]} off shipment {code}?"
    assert refused(harness, "#CONFIRM") == f"{meters[2]} is not on shipment {code}."
    assert not screen.strip.waiting and picks(plant, code) == [box]

    # The selected row and Delete; Esc keeps it, Enter takes it off.
    screen.unit_table.setFocus()
    screen.unit_table.selectRow(0)
    qtbot.keyClick(screen.unit_table, Qt.Key.Key_Delete)
    assert screen.strip.question.text() == f"Take {box} off shipment {code}?"
    before = snapshot(plant.db)
    qtbot.keyClick(screen.strip, Qt.Key.Key_Escape)
    harness.idle()
    assert not screen.strip.waiting and snapshot(plant.db) == before
    assert screen.unit_table.item(0, 0).data(CodeRole) == box
    screen.unit_table.selectRow(0)
    qtbot.keyClick(screen.unit_table, Qt.Key.Key_Delete)
    count = len(harness.messages)
    qtbot.keyClick(screen.strip, Qt.Key.Key_Return)
    assert harness.wait_banner(Tone.OK, after=count) == f"{box} taken off shipment {code}."
    harness.idle()
    assert picks(plant, code) == []
    assert plant.unit(box).status is UnitStatus.CLOSED  # back in stock, free for another shipment
    assert refused(harness, "#REMOVE") == f"Nothing is scanned onto {code}: there is nothing to remove."


# --- confirming -------------------------------------------------------------------------------------------


SHORT = (
    "SHORT SHIPMENT. {0}. To ship only what is scanned, type {1} (the total shipped) and press Enter, "
    "or scan #CONFIRM-SHORT. Esc or #CANCEL: do not ship."
)


def test_a_short_shipment_ships_only_on_its_total_typed_never_on_enter_or_confirm(
    station, plant: Plant, qtbot: QtBot
) -> None:
    meters = flows.released_meters(plant, 6)
    cartons = [flows.carton(plant, meters[i : i + 2]) for i in (0, 2, 4)]
    pallet = flows.pallet(plant, cartons)
    code = flows.shipment(plant, {METER: 30})
    flows.add(plant, code, pallet)
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)
    before = snapshot(plant.db)

    # One question, built unlike the ordinary one, in units (6 meters), not packages (1 pallet).
    harness.scan("#CONFIRM")
    question = SHORT.format(f"{METER}: ordered 30, scanned 6", 6)
    assert wait_question(harness, screen) == question
    assert screen.strip.typed.isVisible() and screen.strip.typed.hasFocus()

    # Enter alone, #CONFIRM, or a count of packages: said no to, the question stays, nothing recorded.
    count = len(harness.messages)
    qtbot.keyClick(screen.strip.typed, Qt.Key.Key_Return)
    assert (
        harness.wait_banner(Tone.ERROR, after=count)
        == "Not shipped: type 6, the total shipped, then press Enter."
    )
    qtbot.keyClick(screen.strip, Qt.Key.Key_Return)
    assert harness.errors()[-1].startswith("Not shipped: type 6")
    count = len(harness.messages)
    harness.scan("#CONFIRM")
    assert harness.wait_banner(Tone.ERROR, after=count) == (
        "Short shipment: type 6 and press Enter, or scan #CONFIRM-SHORT, to ship it; Esc or #CANCEL not to."
    )
    harness.idle()
    for typed in ("1", "3"):  # the pallet, its cartons
        screen.strip.typed.setText(typed)
        count = len(harness.messages)
        qtbot.keyClick(screen.strip.typed, Qt.Key.Key_Return)
        assert harness.wait_banner(Tone.ERROR, after=count) == (
            f"Not shipped: {typed} is not the total shipped, 6."
        )
    assert screen.strip.waiting and screen.strip.question.text() == question
    harness.idle()
    assert snapshot(plant.db) == before and status(plant, code) is ShipmentStatus.OPEN

    # Esc: not shipped.
    qtbot.keyClick(screen.strip.typed, Qt.Key.Key_Escape)
    harness.idle()
    assert not screen.strip.waiting and not screen.strip.typed.isVisible()
    assert "Not shipped: nothing was recorded." in screen.prompt.text()
    assert snapshot(plant.db) == before

    # Again: the total typed, and Enter, ships it short, as decided.
    qtbot.keyClick(screen, Qt.Key.Key_F10)
    assert wait_question(harness, screen) == question
    assert screen.strip.typed.text() == ""  # nothing left from the last question
    qtbot.keyClicks(screen.strip.typed, "6")
    count = len(harness.messages)
    qtbot.keyClick(screen.strip.typed, Qt.Key.Key_Return)
    text = harness.wait_banner(Tone.OK, after=count)
    assert text == f"Shipment {code} shipped to East China Power: {METER} 6."
    harness.idle()
    assert status(plant, code) is ShipmentStatus.SHIPPED
    assert {plant.unit(unit).status for unit in [pallet, *cartons, *meters]} == {UnitStatus.SHIPPED}
    assert len(flows.rows(plant, ShippedUnit)) == 10  # 6 meters, 3 cartons, 1 pallet
    assert [line.picked for line in shipping.shipment_view(plant.db, code).lines] == [6]


def test_confirm_short_is_the_short_questions_barcode_only(station, plant: Plant, qtbot: QtBot) -> None:
    meters = flows.released_meters(plant, 1)
    lot = flows.compound_lot(plant, 10)
    code = flows.shipment(plant, {METER: 1, COMPOUND: 5})
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)
    assert refused(harness, "#CONFIRM-SHORT") == (
        "#CONFIRM-SHORT answers only the question about a short shipment: none is asked."
    )
    flows.add(plant, code, meters[0])
    flows.add(plant, code, lot, quantity="5")

    # As ordered: #CONFIRM-SHORT does not answer the ordinary question.
    harness.scan("#CONFIRM")
    assert wait_question(harness, screen) == (
        f"Ship everything ordered to East China Power: {METER} 1, {COMPOUND} 5 KG?"
    )
    before = snapshot(plant.db)
    assert refused(harness, "#CONFIRM-SHORT").startswith("Answer the question first")
    assert screen.strip.waiting and snapshot(plant.db) == before
    harness.scan("#CANCEL")
    harness.idle()

    # Short of the lot: the question names the line in KG, the total is 1 + 3.
    elsewhere = plant.actor(OPERATOR, "SHP-01")
    shipping.remove_from_shipment(plant.db, elsewhere, shipment_code=code, unit_code=f"{lot}-01")
    flows.add(plant, code, lot, quantity="3")
    harness.scan("#CONFIRM")
    assert wait_question(harness, screen) == SHORT.format(f"{COMPOUND}: ordered 5 KG, scanned 3 KG", 4)
    text = harness.scan("#CONFIRM-SHORT", Tone.OK)
    assert text == f"Shipment {code} shipped to East China Power: {METER} 1, {COMPOUND} 3 KG."
    harness.idle()
    assert status(plant, code) is ShipmentStatus.SHIPPED
    assert plant.unit(meters[0]).status is UnitStatus.SHIPPED
    assert plant.unit(f"{lot}-02").status is UnitStatus.SHIPPED
    assert plant.unit(lot).quantity == 2  # 5 and 3 split off; the 5 taken back stays in stock
    assert plant.unit(f"{lot}-01").status is UnitStatus.RELEASED


def test_a_change_behind_the_screen_is_caught_by_the_model_and_asked_about(
    station, plant: Plant, qtbot: QtBot
) -> None:
    meters = flows.released_meters(plant, 3)
    box = flows.carton(plant, meters[:2])
    code = flows.shipment(plant, {METER: 3})
    flows.add(plant, code, box)
    flows.add(plant, code, meters[2])
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)
    assert screen.prompt.text().startswith("Everything ordered is scanned")
    elsewhere = plant.actor(OPERATOR, "SHP-01")  # another shipping station

    harness.scan("#CONFIRM")
    assert wait_question(harness, screen) == f"Ship everything ordered to East China Power: {METER} 3?"
    flows.unpack(plant, meters[1])  # at the packing station, after the question
    count = len(harness.messages)
    harness.scan("#CONFIRM")
    refusal = harness.wait_banner(Tone.ERROR, after=count)
    assert refusal == f"Shipment {code} does not match its order: {METER}: 2 of 3."
    # Asked again, as the short question it now is: the yes of the first never ships it short.
    assert wait_question(harness, screen) == SHORT.format(f"{METER}: ordered 3, scanned 2", 2)
    assert status(plant, code) is ShipmentStatus.OPEN

    # Changed again before the answer: the model ships short only the total confirmed.
    shipping.remove_from_shipment(plant.db, elsewhere, shipment_code=code, unit_code=meters[2])
    count = len(harness.messages)
    harness.scan("#CONFIRM-SHORT")
    assert harness.wait_banner(Tone.ERROR, after=count).startswith(f"Shipment {code} does not match")
    assert wait_question(harness, screen) == SHORT.format(f"{METER}: ordered 3, scanned 1", 1)
    assert status(plant, code) is ShipmentStatus.OPEN
    assert (
        harness.scan("#CONFIRM-SHORT", Tone.OK) == f"Shipment {code} shipped to East China Power: {METER} 1."
    )
    harness.idle()
    assert status(plant, code) is ShipmentStatus.SHIPPED
    assert [plant.unit(meter).status for meter in meters] == [
        UnitStatus.SHIPPED,
        UnitStatus.RELEASED,
        UnitStatus.RELEASED,
    ]


def test_a_serial_shipped_in_its_carton_is_refused_as_shipped_not_as_packed(
    station, plant: Plant, qtbot: QtBot
) -> None:
    meters = flows.released_meters(plant, 2)
    box = flows.carton(plant, meters)
    left = flows.ship(plant, [box], {METER: 2})
    code = flows.shipment(plant, {METER: 2})
    harness, screen = opened(station, plant)
    open_by_scan(harness, screen, code)
    day = shipping.packing_list(plant.db, left).shipped_on
    assert day is not None

    assert refused(harness, meters[0]) == (
        f"{meters[0]} has been shipped already: shipment {left}, on {day.isoformat()}."
    )
    assert refused(harness, box) == f"{box} has been shipped already: shipment {left}, on {day.isoformat()}."
    assert picks(plant, code) == [] and plant.unit(meters[0]).status is UnitStatus.SHIPPED
