"""The station's runner: actions recorded under the operator and this station, refusals said the
same way on every screen, labels recorded before they are sent."""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from models import receiving
from models.errors import DomainError, ErrorCode
from models.schema import Action, PrintJob
from tests.models.flows import unique
from tests.station_harness import StationHarness
from tests.support import OPERATOR, QUALITY
from ui.widgets.feedback import Tone


def _receive(harness: StationHarness, quantity: str = "10") -> list[receiving.ReceiveResult]:
    answers: list[receiving.ReceiveResult] = []
    harness.runner.act(
        receiving.receive,
        answers.append,
        item_code="HSG-01",
        supplier_code="SUP-PL",
        supplier_lot=unique("S"),
        quantity=quantity,
    )
    harness.idle()
    return answers


def test_an_action_is_recorded_under_the_operator_at_this_station(station, qtbot: QtBot) -> None:
    harness: StationHarness = station("RCV-01", OPERATOR)
    answers = _receive(harness)
    assert len(answers) == 1 and answers[0].quantities == [Decimal("10")]
    with harness.plant.db.session() as session:
        action = session.scalars(select(Action).order_by(Action.recorded_at.desc())).first()
        assert action is not None
        assert action.user_id == harness.plant.ids.users[OPERATOR]
        assert action.station_id == harness.plant.ids.stations["RCV-01"]


def test_a_refusal_is_said_in_words_and_handed_to_the_screen(station, qtbot: QtBot) -> None:
    harness: StationHarness = station("RCV-01", OPERATOR)
    failures: list[Exception] = []
    harness.runner.act(
        receiving.receive,
        lambda result: None,
        failures.append,
        item_code="HSG-01",
        supplier_code="SUP-PL",
        supplier_lot="X",
        quantity="0",
    )
    text = harness.wait_banner(Tone.ERROR)
    assert isinstance(failures[0], DomainError) and failures[0].code is ErrorCode.BAD_QUANTITY
    assert "BAD_QUANTITY" not in text and text


def test_a_role_the_operator_lacks_is_refused(station, qtbot: QtBot) -> None:
    harness: StationHarness = station("RCV-01", OPERATOR)
    lot = _receive(harness)[0].lot_codes[0]
    harness.runner.act(receiving.reject_received_lot, lambda result: None, lot_code=lot, reason="bent")
    harness.wait_banner(Tone.ERROR)
    assert harness.runner.roles == frozenset({*harness.operator.roles})  # type: ignore[union-attr]
    quality = station("RCV-01", QUALITY)
    assert "quality" in {role.value for role in quality.runner.roles}


def test_a_label_is_recorded_then_drawn(station, qtbot: QtBot) -> None:
    harness: StationHarness = station("RCV-01", OPERATOR)
    lot = _receive(harness)[0].lot_codes[0]
    answers = []
    harness.runner.print_label(lot, answers.append)
    harness.idle()
    assert answers[0].sent and answers[0].unit_code == lot
    assert list(harness.labels.glob("*.png"))
    with harness.plant.db.session() as session:
        assert session.scalars(select(PrintJob.status).where(PrintJob.id == answers[0].job_id)).one()


def test_a_document_is_rendered_and_saved_whole(station, qtbot: QtBot) -> None:
    harness: StationHarness = station("SHP-01", OPERATOR)
    saved = []
    harness.runner.save_document("list.pdf", lambda: b"%PDF-1.4 demo", saved.append)
    harness.wait_banner(Tone.OK)
    assert saved == [harness.documents / "list.pdf"]
    assert saved[0].read_bytes() == b"%PDF-1.4 demo"
    assert not list(harness.documents.glob("*.part"))


def test_an_action_after_a_logout_fails_through_the_screen_callback(station, qtbot: QtBot) -> None:
    """A screen waiting on its callback is never left busy: a logout before the action is a
    failure it hears about, on the next turn of the event loop."""
    from desktop.runner import NotLoggedIn

    harness: StationHarness = station("RCV-01", OPERATOR)
    harness.operator = None
    failures: list[Exception] = []
    harness.runner.act(receiving.receive, lambda result: None, failures.append, item_code="HSG-01")
    assert failures == []  # not from inside the call: the screen may still be setting up
    qtbot.waitUntil(lambda: bool(failures), timeout=2_000)
    assert isinstance(failures[0], NotLoggedIn)
    assert "log in" in harness.errors()[-1]


def test_a_retry_with_the_same_action_id_is_answered_not_recorded_again(station, qtbot: QtBot) -> None:
    import uuid

    harness: StationHarness = station("RCV-01", OPERATOR)
    action_id = str(uuid.uuid4())
    answers: list[receiving.ReceiveResult] = []
    fields = dict(item_code="HSG-01", supplier_code="SUP-PL", supplier_lot=unique("S"), quantity="5")
    harness.runner.act(receiving.receive, answers.append, action_id=action_id, **fields)
    harness.idle()
    harness.runner.act(receiving.receive, answers.append, action_id=action_id, **fields)
    harness.idle()
    assert answers[0] == answers[1]
    with harness.plant.db.session() as session:
        assert session.get(Action, action_id) is not None


def test_a_refused_label_still_answers_the_screen(station, qtbot: QtBot) -> None:
    harness: StationHarness = station("RCV-01", OPERATOR)
    answers = []
    harness.runner.print_label("NO-SUCH-UNIT", answers.append)
    harness.idle()
    assert len(answers) == 1 and not answers[0].sent and answers[0].job_id is None
    assert answers[0].detail == harness.errors()[-1]


def test_an_unexpected_failure_is_said_in_words_not_in_sql(station, qtbot: QtBot) -> None:
    harness: StationHarness = station("RCV-01", OPERATOR)
    message = harness.runner.message(RuntimeError("SELECT secret FROM somewhere"))
    assert "RuntimeError" in message and "SELECT" not in message
