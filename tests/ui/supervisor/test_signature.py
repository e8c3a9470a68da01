"""The electronic signature dialog, offscreen and driven from the keyboard, and the signed quality
actions it feeds, run through a real station runner on both databases."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from demo.plant import METER
from models import quality
from models.errors import DomainError, ErrorCode
from models.impact import ImpactScope
from models.schema import EventType, Unit, UnitStatus, User
from tests.models import flows
from tests.station_harness import PINS, StationHarness
from tests.support import QUALITY, snapshot
from ui.station_screen import TOUCH_TARGET
from ui.supervisor.signature import (
    SignatureDialog,
    Signed,
    hold_affected_meaning,
    hold_meaning,
    release_meaning,
    scrap_meaning,
)
from ui.widgets.feedback import Tone

SIGNER = "刘洋 Liu Yang"
MEANING = "Hold M-1: I confirm that it may not be used, packed or shipped until it is released."


def shown(qtbot: QtBot, dialog: SignatureDialog) -> SignatureDialog:
    """The dialog open (not blocking) and active, as the supervisor sees it."""
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def sign(qtbot: QtBot, dialog: SignatureDialog, reason: str, pin: str, quantity: str = "") -> Signed:
    """What a signer does: type the reason (and quantity), the PIN, click Sign."""
    shown(qtbot, dialog)
    qtbot.keyClicks(dialog.reason, reason)
    if quantity:
        qtbot.keyClicks(dialog.quantity, quantity)
    qtbot.keyClicks(dialog.pin, pin)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert dialog.signed is not None
    return dialog.signed


# --- the dialog -----------------------------------------------------------------------------------


def test_the_dialog_says_what_is_signed_by_whom_and_keeps_the_pin_hidden(qtbot: QtBot) -> None:
    dialog = shown(qtbot, SignatureDialog(MEANING, SIGNER))
    assert dialog.windowTitle() == "Electronic signature"
    assert (dialog.card.objectName(), dialog.meaning.objectName()) == ("contextCard", "contextTitle")
    assert dialog.meaning.text() == MEANING
    assert dialog.signer.text() == f"Signed by: {SIGNER}"
    assert "electronic signature" in dialog.statement.text()
    assert dialog.pin.echoMode() is QLineEdit.EchoMode.Password
    assert dialog.pin.inputMethodQuery(Qt.InputMethodQuery.ImEnabled) is False
    qtbot.keyClicks(dialog.pin, "13a5-7")
    assert dialog.pin.text() == "1357"  # digits only
    assert dialog.reason.isVisible() and not dialog.quantity.isVisible()
    assert dialog.reason.hasFocus()
    for widget in (dialog.reason, dialog.pin, dialog.sign_button, dialog.cancel_button):
        assert widget.height() >= TOUCH_TARGET
    assert (dialog.sign_button.text(), dialog.cancel_button.text()) == ("&Sign", "Cancel")
    dialog.changeEvent(QEvent(QEvent.Type.LanguageChange))  # what a language switch calls
    assert dialog.signer.text() == f"Signed by: {SIGNER}" and dialog.meaning.text() == MEANING


def test_keyboard_alone_enter_moves_on_from_the_reason_and_signs_from_the_pin(qtbot: QtBot) -> None:
    dialog = shown(qtbot, SignatureDialog(MEANING, SIGNER))
    qtbot.keyClicks(dialog.reason, "supplier notice 8D-114")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    # Enter after the reason never signs: the PIN is still empty.
    assert dialog.isVisible() and dialog.signed is None
    qtbot.waitUntil(dialog.pin.hasFocus)
    qtbot.keyClicks(dialog.pin, "1357")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.signed == Signed(reason="supplier notice 8D-114", pin="1357", quantity=None)


def test_what_is_missing_is_said_and_nothing_is_signed(qtbot: QtBot) -> None:
    dialog = shown(qtbot, SignatureDialog(MEANING, SIGNER, quantity_uom="KG"))
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Enter the reason: it is recorded with your signature."
    assert dialog.isVisible() and dialog.signed is None and dialog.reason.hasFocus()

    qtbot.keyClicks(dialog.reason, "   ")  # blanks are no reason
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Enter the reason: it is recorded with your signature."

    dialog.reason.setText("spilt")
    qtbot.keyClicks(dialog.quantity, "two")
    qtbot.keyClicks(dialog.pin, "1357")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Type the quantity as a number, or leave it empty for all of it."
    assert dialog.isVisible() and dialog.quantity.hasFocus()

    dialog.quantity.clear()
    dialog.pin.clear()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Enter your PIN to sign."
    assert dialog.isVisible() and dialog.signed is None and dialog.pin.hasFocus()


def test_cancel_and_escape_sign_nothing_and_forget_the_pin(qtbot: QtBot) -> None:
    dialog = shown(qtbot, SignatureDialog(MEANING, SIGNER))
    dialog.reason.setText("suspect")
    qtbot.keyClicks(dialog.pin, "1357")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.signed is None
    assert dialog.pin.text() == ""

    again = shown(qtbot, SignatureDialog(MEANING, SIGNER))
    qtbot.keyClicks(again.pin, "1357")
    qtbot.keyClick(again.pin, Qt.Key.Key_Escape)
    assert not again.isVisible() and again.signed is None and again.pin.text() == ""


def test_a_lot_asks_for_the_quantity_empty_meaning_all_of_it(qtbot: QtBot) -> None:
    part = sign(qtbot, SignatureDialog(MEANING, SIGNER, quantity_uom="KG"), "spilt", "1357", "2,5")
    assert part == Signed(reason="spilt", pin="1357", quantity=Decimal("2.5"))
    whole = sign(qtbot, SignatureDialog(MEANING, SIGNER, quantity_uom="KG"), "spilt", "1357")
    assert whole.quantity is None


def test_without_a_reason_the_signer_starts_at_the_pin(qtbot: QtBot) -> None:
    dialog = shown(qtbot, SignatureDialog(MEANING, SIGNER, needs_reason=False))
    assert not dialog.reason.isVisible() and dialog.pin.hasFocus()
    qtbot.keyClicks(dialog.pin, "1357")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.signed == Signed(reason="", pin="1357")


def test_ask_shows_the_dialog_modally_and_answers(qtbot: QtBot) -> None:
    def answer(fill: Callable[[SignatureDialog], None]) -> None:
        def act() -> None:
            dialog = QApplication.activeModalWidget()
            assert isinstance(dialog, SignatureDialog)
            fill(dialog)

        QTimer.singleShot(0, act)

    def signs(dialog: SignatureDialog) -> None:
        dialog.reason.setText("customer complaint")
        dialog.pin.setText("1357")
        dialog.sign_button.click()

    answer(signs)
    assert SignatureDialog.ask(None, MEANING, SIGNER) == Signed("customer complaint", "1357")
    answer(lambda dialog: dialog.cancel_button.click())
    assert SignatureDialog.ask(None, MEANING, SIGNER) is None


def test_the_meanings_say_what_the_signature_does() -> None:
    assert hold_meaning("M-1") == MEANING
    assert hold_meaning("LOT-1", include_descendants=True).startswith(
        "Hold LOT-1 and everything made from it or packed in it"
    )
    assert release_meaning("M-1") == "Release M-1: I confirm that it may be used and shipped again."
    assert release_meaning("LOT-1", include_descendants=True).startswith("Release LOT-1 and everything")
    assert scrap_meaning("M-1").startswith("Scrap M-1: I confirm that it is destroyed")
    assert hold_affected_meaning("XT-4G-55120").startswith(
        "Hold everything affected by XT-4G-55120 that has not shipped"
    )


# --- signed actions through a station runner --------------------------------------------------------


def act(
    harness: StationHarness, operation: Callable[..., Any], **kwargs: Any
) -> tuple[list[Any], list[Exception]]:
    answers: list[Any] = []
    failures: list[Exception] = []
    harness.runner.act(operation, answers.append, failures.append, **kwargs)
    harness.idle()
    return answers, failures


def wrong_pins(harness: StationHarness) -> tuple[int, bool]:
    with harness.plant.db.session() as session:
        user = session.scalars(select(User).where(User.badge_code == QUALITY)).one()
        return user.failed_pin_count, user.locked


def without_users(db_snapshot: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {table: rows for table, rows in db_snapshot.items() if table != "app_user"}


def test_a_hold_signed_in_the_dialog_is_recorded_with_its_signature_and_stops_shipping(
    station: Callable[..., StationHarness], qtbot: QtBot
) -> None:
    harness = station("QA-01", QUALITY)
    assert harness.operator is not None
    plant = harness.plant
    (meter,) = flows.released_meters(plant, 1)

    signed = sign(
        qtbot, SignatureDialog(hold_meaning(meter), harness.operator.name), "complaint", PINS[QUALITY]
    )
    answers, failures = act(harness, quality.hold, unit_code=meter, reason=signed.reason, pin=signed.pin)
    assert failures == [] and answers[0].changed == [meter]
    assert plant.unit(meter).status is UnitStatus.ON_HOLD
    (event,) = flows.events(plant, meter, EventType.HOLD)
    assert event.reason == "complaint" and event.detail is not None
    stored = event.detail["signature"]
    assert (stored["meaning"], stored["signer_name"], stored["signer_badge"]) == ("hold", SIGNER, QUALITY)
    assert stored["signed_at"].endswith("+08:00")

    shipment = flows.shipment(plant, {METER: 1})
    flows.refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.add(plant, shipment, meter))


def test_a_wrong_pin_is_refused_in_words_changes_nothing_and_locks_at_the_fifth(
    station: Callable[..., StationHarness], qtbot: QtBot
) -> None:
    harness = station("QA-01", QUALITY)
    plant = harness.plant
    (meter,) = flows.released_meters(plant, 1)
    signed = sign(qtbot, SignatureDialog(hold_meaning(meter), SIGNER), "complaint", "0000")

    before = snapshot(plant.db)
    for attempt in range(1, 5):
        count = len(harness.messages)
        answers, failures = act(harness, quality.hold, unit_code=meter, reason=signed.reason, pin=signed.pin)
        text = harness.wait_banner(Tone.ERROR, after=count)
        assert text == f"Wrong PIN. {5 - attempt} tries left before the badge locks."
        assert answers == [] and isinstance(failures[0], DomainError)
        assert failures[0].code is ErrorCode.WRONG_PIN
        assert wrong_pins(harness) == (attempt, False)
    assert without_users(snapshot(plant.db)) == without_users(before)
    assert plant.unit(meter).status is UnitStatus.RELEASED

    count = len(harness.messages)
    act(harness, quality.hold, unit_code=meter, reason=signed.reason, pin=signed.pin)
    text = harness.wait_banner(Tone.ERROR, after=count)
    assert text == f"{SIGNER} is locked after too many wrong PINs. A supervisor must unlock the badge."
    assert wrong_pins(harness) == (5, True)
    assert plant.unit(meter).status is UnitStatus.RELEASED


def test_release_scrap_and_a_recall_hold_are_signed_through_the_dialog(
    station: Callable[..., StationHarness], qtbot: QtBot
) -> None:
    harness = station("QA-01", QUALITY)
    plant = harness.plant
    batch = flows.build_meters(plant, 2)
    first, second = batch.meters
    lot = flows.compound_lot(plant, 10)
    pin = PINS[QUALITY]

    # A recall's hold: everything made from the PCB lot that can still be stopped.
    scope = ImpactScope(codes=(batch.pcb_lot,))
    signed = sign(qtbot, SignatureDialog(hold_affected_meaning(batch.pcb_lot), SIGNER), "8D-114", pin)
    (held,), _ = act(harness, quality.hold_affected, scope=scope, reason=signed.reason, pin=signed.pin)
    assert held == quality.AffectedHoldResult(held=4, skipped={})
    assert {plant.unit(code).status for code in (batch.pcb_lot, first, second)} == {UnitStatus.ON_HOLD}

    # Released with the lot, signed again.
    meaning = release_meaning(batch.pcb_lot, include_descendants=True)
    signed = sign(qtbot, SignatureDialog(meaning, SIGNER), "cleared", pin)
    (released,), _ = act(
        harness,
        quality.release_hold,
        unit_code=batch.pcb_lot,
        reason=signed.reason,
        pin=signed.pin,
        include_descendants=True,
    )
    assert set(released.changed) == {batch.pcb_lot, f"{batch.work_order}-P", first, second}
    assert [r.meaning for r in quality.signatures(plant.db, first)] == ["hold_affected", "release"]

    # Part of a lot scrapped: the quantity comes from the dialog.
    dialog = SignatureDialog(scrap_meaning(lot), SIGNER, quantity_uom="KG")
    signed = sign(qtbot, dialog, "spilt", pin, "2.5")
    (scrapped,), _ = act(
        harness, quality.scrap, unit_code=lot, reason=signed.reason, pin=signed.pin, quantity=signed.quantity
    )
    assert scrapped.quantity == Decimal("2.5")
    with plant.db.session() as session:
        remaining = session.scalars(select(Unit.quantity).where(Unit.code == lot)).one()
    assert remaining == Decimal("7.5")
    (record,) = quality.signatures(plant.db, lot)
    assert (record.meaning, record.signer_badge, record.reason) == ("scrap", QUALITY, "spilt")


# --- a wrong PIN: the dialog again, with what was typed ------------------------------------------------


def test_a_refused_signature_opens_again_with_the_reason_and_quantity_and_an_empty_pin(qtbot: QtBot) -> None:
    earlier = Signed(reason="spilt", pin="0000", quantity=Decimal("2.5"))
    problem = "Wrong PIN. 4 tries left before the badge locks."
    dialog = shown(
        qtbot, SignatureDialog(MEANING, SIGNER, quantity_uom="KG", earlier=earlier, problem=problem)
    )
    assert (dialog.reason.text(), dialog.quantity.text(), dialog.pin.text()) == ("spilt", "2.5", "")
    assert dialog.message.text() == problem and dialog.pin.hasFocus()
    qtbot.keyClicks(dialog.pin, "1357")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.signed == Signed(reason="spilt", pin="1357", quantity=Decimal("2.5"))

    again = shown(qtbot, SignatureDialog(MEANING, SIGNER, earlier=earlier, problem=problem))
    qtbot.keyClick(again.pin, Qt.Key.Key_Escape)  # Esc still cancels
    assert not again.isVisible() and again.signed is None


def answer_dialogs(*answers: Callable[[SignatureDialog], None]) -> list[int]:
    """Each signature dialog that opens (modally) gets the next answer; the dialogs seen (their ids:
    a dialog is deleted once answered), in order."""
    pending = list(answers)
    seen: list[int] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SignatureDialog) and not dialog.property("answered"):
            dialog.setProperty("answered", True)  # an id could be reused once the last is deleted
            seen.append(id(dialog))
            pending.pop(0)(dialog)
        if pending:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen


def test_a_wrong_pin_asks_again_with_the_reason_kept_and_the_right_pin_records_it(
    station: Callable[..., StationHarness], qtbot: QtBot
) -> None:
    from ui.supervisor.view import SupervisorView

    harness = station("QA-01", QUALITY)
    plant = harness.plant
    lot = flows.compound_lot(plant, 10)
    view = SupervisorView(harness.runner)
    harness.show(view)
    harness.scan(lot, Tone.OK)
    qtbot.waitUntil(lambda: view.trace_view.unit is not None and view.trace_view.unit.code == lot)

    again: list[tuple[str, str, str, str, bool]] = []

    def first(dialog: SignatureDialog) -> None:
        dialog.reason.setText("spilt at the line")
        dialog.quantity.setText("2.5")
        dialog.pin.setText("0000")
        dialog.sign_button.click()

    def second(dialog: SignatureDialog) -> None:
        again.append(
            (
                dialog.reason.text(),
                dialog.quantity.text(),
                dialog.pin.text(),
                dialog.message.text(),
                dialog.focusWidget() is dialog.pin,
            )
        )
        dialog.pin.setText(PINS[QUALITY])
        dialog.sign_button.click()

    seen = answer_dialogs(first, second)
    count = len(harness.messages)
    view.trace_view.scrap_button.click()
    assert harness.wait_banner(Tone.ERROR, after=count) == "Wrong PIN. 4 tries left before the badge locks."
    refused = next(n for n, (tone, _) in enumerate(harness.messages) if n >= count and tone == "error")
    assert harness.wait_banner(Tone.OK, after=refused + 1) == f"Signed and recorded for {lot}."
    harness.idle()
    assert len(seen) == 2
    assert again == [
        ("spilt at the line", "2.5", "", "Wrong PIN. 4 tries left before the badge locks.", True)
    ]
    with plant.db.session() as session:
        remaining = session.scalars(select(Unit.quantity).where(Unit.code == lot)).one()
    assert remaining == Decimal("7.5")
    (record,) = quality.signatures(plant.db, lot)
    assert (record.meaning, record.reason) == ("scrap", "spilt at the line")
    assert wrong_pins(harness) == (0, False)  # the right PIN clears the mistake, as a login does


def test_a_wrong_pin_then_escape_records_nothing_and_does_not_ask_again(
    station: Callable[..., StationHarness], qtbot: QtBot
) -> None:
    from ui.supervisor.view import SupervisorView

    harness = station("QA-01", QUALITY)
    plant = harness.plant
    (meter,) = flows.released_meters(plant, 1)
    view = SupervisorView(harness.runner)
    harness.show(view)
    harness.scan(meter, Tone.OK)
    qtbot.waitUntil(lambda: view.trace_view.unit is not None and view.trace_view.unit.code == meter)
    before = snapshot(plant.db)

    def wrong(dialog: SignatureDialog) -> None:
        dialog.reason.setText("complaint")
        dialog.pin.setText("0000")
        dialog.sign_button.click()

    kept: list[str] = []

    def escape(dialog: SignatureDialog) -> None:
        kept.append(dialog.reason.text())
        QTest.keyClick(dialog.pin, Qt.Key.Key_Escape)

    seen = answer_dialogs(wrong, escape)
    count = len(harness.messages)
    view.trace_view.hold_button.click()
    harness.wait_banner(Tone.ERROR, after=count)
    qtbot.waitUntil(lambda: len(seen) == 2 and QApplication.activeModalWidget() is None)
    qtbot.wait(100)  # nothing more opens
    harness.idle()
    assert kept == ["complaint"] and QApplication.activeModalWidget() is None
    assert plant.unit(meter).status is UnitStatus.RELEASED
    assert wrong_pins(harness) == (1, False)
    assert without_users(snapshot(plant.db)) == without_users(before)
