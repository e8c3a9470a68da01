"""The station shell end to end on real widgets: a badge scanned at the window logs in, scans are
answered on the banner with a sound, and a database that stops and starts again is survived
without restarting the application."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from demo.plant import METER
from desktop.app import _check
from desktop.config import StationConfig
from desktop.language import Language
from desktop.shell import StationPlace, StationShell
from models import production
from models.db import Database
from tests.desktop.keys import press, scanner_burst
from tests.desktop.pgproxy import PostgresProxy
from tests.support import OPERATOR, SUPERVISOR, Plant
from ui.messages import offline_message
from ui.packing.view import PackingView
from ui.widgets.feedback import Tone


@pytest.fixture
def shell_for(qtbot: QtBot) -> Iterator:  # type: ignore[type-arg]
    shells: list[StationShell] = []

    def make(
        db: Database, language: Language | None = None, place: StationPlace | None = None
    ) -> StationShell:
        place = place or StationPlace("PRD-01", "L1")
        shell = StationShell(
            QApplication.instance(),
            db,
            StationConfig(station_code=place.code, language="en_US"),
            place,
            switch_language=language.switch if language is not None else None,
        )
        qtbot.addWidget(shell.window)
        shell.window.show()
        shell.window.activateWindow()  # shortcuts (F2, Ctrl+L) work in the active window only
        qtbot.waitExposed(shell.window)
        qtbot.waitUntil(shell.window.isActiveWindow, timeout=5_000)
        shells.append(shell)
        return shell

    yield make
    for shell in shells:
        shell.close()


def log_in(qtbot: QtBot, shell: StationShell) -> None:
    scanner_burst(shell.window.windowHandle(), OPERATOR)
    assert shell.login.badge.text() == OPERATOR  # the badge scan landed wherever the focus was
    qtbot.keyClicks(shell.login.pin, "1234")
    with qtbot.waitSignal(shell.session.changed, timeout=10_000):
        qtbot.keyClick(shell.login.pin, Qt.Key.Key_Return)
    assert shell.window.screens.currentWidget() is shell.home


def scan(qtbot: QtBot, shell: StationShell, code: str) -> tuple[Tone, str]:
    """A scanner burst at the window; the banner's answer once it is no longer pending."""
    scanner_burst(shell.window.windowHandle(), code)
    qtbot.waitUntil(lambda: shell.window.banner.tone is not Tone.PENDING, timeout=10_000)
    return shell.window.banner.tone, shell.window.banner.text()


def test_a_scan_is_answered_green_or_red_with_its_sound(plant: Plant, qtbot: QtBot, shell_for) -> None:  # type: ignore[no-untyped-def]
    production.create_work_order(
        plant.db, plant.actor(SUPERVISOR), code="WO-SHELL", item_code=METER, quantity=3
    )
    shell = shell_for(plant.db)
    sounds: list[str] = []
    shell.sounds.played.connect(sounds.append)
    log_in(qtbot, shell)
    assert "张伟" in shell.window.operator_label.text()
    assert sounds == ["ok"]

    tone, text = scan(qtbot, shell, "WO-SHELL")
    assert tone is Tone.OK and "WO-SHELL" in text
    tone, text = scan(qtbot, shell, "NO-SUCH-CODE-1")
    assert tone is Tone.ERROR and "NO-SUCH-CODE-1" in text and "UNKNOWN_CODE" not in text
    assert sounds == ["ok", "ok", "error"]
    lines = [shell.window.recent.item(row).text() for row in range(shell.window.recent.count())]
    assert "✖" in lines[0] and "NO-SUCH-CODE-1" in lines[0] and "WO-SHELL" in lines[1]


def test_logout_returns_to_the_login_and_scans_go_to_the_badge_field(
    plant: Plant, qtbot: QtBot, shell_for
) -> None:  # type: ignore[no-untyped-def]
    shell = shell_for(plant.db)
    log_in(qtbot, shell)
    with qtbot.waitSignal(shell.session.changed, timeout=5_000):
        qtbot.keyClick(shell.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert shell.session.operator is None and shell.window.screens.currentWidget() is shell.login
    scanner_burst(shell.window.windowHandle(), "EMP1002")
    assert shell.login.badge.text() == "EMP1002"


def test_esc_and_a_logout_leave_no_answer_behind(plant: Plant, qtbot: QtBot, shell_for) -> None:  # type: ignore[no-untyped-def]
    """The banner's rules: one answer per scan; Esc empties it (the screen then says afresh what it
    does); a logout empties the banner and the last actions, so the next person sees nothing of
    the last one's work."""
    shell = shell_for(plant.db)
    log_in(qtbot, shell)
    tone, text = scan(qtbot, shell, "NO-SUCH-CODE-2")
    assert tone is Tone.ERROR and "NO-SUCH-CODE-2" in text
    press(shell.window.windowHandle(), int(Qt.Key.Key_Escape))
    assert shell.window.banner.tone is not Tone.ERROR and "NO-SUCH-CODE-2" not in shell.window.banner.text()
    assert shell.window.recent.count() >= 2  # the log keeps what was answered

    tone, _ = scan(qtbot, shell, "NO-SUCH-CODE-3")
    assert tone is Tone.ERROR
    with qtbot.waitSignal(shell.session.changed, timeout=5_000):
        qtbot.keyClick(shell.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert shell.window.banner.text() == "" and shell.window.banner.tone is Tone.NEUTRAL
    assert shell.window.recent.count() == 0


def test_a_database_that_stops_and_starts_again_without_restarting(
    pg_plant: Plant, proxied: tuple[Database, PostgresProxy], qtbot: QtBot, shell_for
) -> None:  # type: ignore[no-untyped-def]
    db, proxy = proxied
    production.create_work_order(
        pg_plant.db, pg_plant.actor(SUPERVISOR), code="WO-DOWN", item_code=METER, quantity=3
    )
    shell = shell_for(db)
    log_in(qtbot, shell)
    assert scan(qtbot, shell, "WO-DOWN")[0] is Tone.OK

    with qtbot.waitSignal(shell.worker.online_changed, timeout=10_000):
        proxy.stop()
    assert "offline" in shell.window.db_status.text()
    scanner_burst(shell.window.windowHandle(), "WO-DOWN")
    # Refused at once, in the same turn of the event loop: no waiting on a dead connection.
    assert shell.window.banner.tone is Tone.ERROR
    assert shell.window.banner.text() == offline_message()

    with qtbot.waitSignal(shell.worker.online_changed, timeout=10_000):
        proxy.start()
    assert "online" in shell.window.db_status.text()
    assert scan(qtbot, shell, "WO-DOWN")[0] is Tone.OK


def test_a_station_started_with_the_database_down_goes_on_by_itself_once_it_answers(
    pg_plant: Plant, proxied: tuple[Database, PostgresProxy], qtbot: QtBot, shell_for
) -> None:  # type: ignore[no-untyped-def]
    """The start as desktop.app runs it, with the server away: no dialog, no exit, scans refused in
    red; then the server comes back, and the station finds its screen and takes a login."""
    db, proxy = proxied
    proxy.stop()
    shell = shell_for(db, place=StationPlace("PCK-01", ""))
    with qtbot.waitSignal(shell.worker.online_changed, timeout=10_000) as went:
        shell.check_station(functools.partial(_check, db, "PCK-01"))
    assert went.args == [False] and "offline" in shell.window.db_status.text()
    assert QApplication.activeModalWidget() is None
    assert shell.window.screens.currentWidget() is shell.login
    scanner_burst(shell.window.windowHandle(), OPERATOR)
    assert shell.window.banner.tone is Tone.ERROR and shell.window.banner.text() == offline_message()
    assert shell.login.badge.text() == ""  # refused, not half taken
    assert (
        "psycopg2" not in shell.window.banner.text() and "OperationalError" not in shell.login.message.text()
    )

    proxy.start()
    qtbot.waitUntil(lambda: isinstance(shell.home, PackingView), timeout=20_000)  # checked again
    assert shell.worker.online and "online" in shell.window.db_status.text()
    assert shell.window.line == "Meter assembly line"
    log_in(qtbot, shell)
    assert shell.window.screens.currentWidget() is shell.home


def test_a_station_the_database_does_not_know_says_so_on_the_station(
    plant: Plant, qtbot: QtBot, shell_for
) -> None:  # type: ignore[no-untyped-def]
    shell = shell_for(plant.db, place=StationPlace("NOPE-9", ""))
    shell.check_station(functools.partial(_check, plant.db, "NOPE-9"))
    qtbot.waitUntil(lambda: shell.unavailable is not None, timeout=10_000)
    assert "NOPE-9" in shell.login.message.text() and QApplication.activeModalWidget() is None
    scanner_burst(shell.window.windowHandle(), OPERATOR)  # no login here: the station cannot work
    assert shell.window.banner.tone is Tone.ERROR and "NOPE-9" in shell.window.banner.text()
    assert shell.login.badge.text() == ""


def test_the_language_switch_retranslates_the_visible_window(plant: Plant, qtbot: QtBot, shell_for) -> None:  # type: ignore[no-untyped-def]
    language = Language()
    language.switch("en_US")
    try:
        shell = shell_for(plant.db, language)
        assert shell.login.button.text() == "Log in"
        qtbot.keyClick(shell.window, Qt.Key.Key_F2)  # no mouse: F2 switches
        qtbot.waitUntil(lambda: shell.login.button.text() == "登录", timeout=5_000)
        assert (
            shell.window.logout_button.text() == "退出登录 (Ctrl+L)"
            or "Ctrl+L" in shell.window.logout_button.text()
        )
        assert shell.window.language_button.text().startswith("English")
        assert "工位" in shell.window.station_label.text()
        assert shell.login.badge.placeholderText() == "请扫描工牌"

        log_in(qtbot, shell)  # 张伟's own language is zh_CN: the station speaks it after his login
        assert shell.window.language == "zh_CN"
        tone, text = scan(qtbot, shell, "NO-SUCH-CODE-2")
        assert tone is Tone.ERROR and "NO-SUCH-CODE-2" in text and "not known" not in text

        qtbot.keyClick(shell.window, Qt.Key.Key_F2)
        qtbot.waitUntil(lambda: "Station" in shell.window.station_label.text(), timeout=5_000)
        assert shell.window.recent_title.text() == "Last actions"
    finally:
        language.uninstall()


def test_a_supervisor_station_traces_a_scanned_serial(
    plant: Plant, qtbot: QtBot, shell_for, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import xml.etree.ElementTree as ET

    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path))  # platformdirs' documents folder
    from demo.history import seed
    from models.trace import backward, forward
    from ui.supervisor.view import SupervisorView

    serial = seed(plant.db).example_serial
    shell = shell_for(plant.db, None, StationPlace("QA-01", ""))
    assert not isinstance(shell.home, SupervisorView)
    shell.set_kind("SUPERVISOR")  # what the start's check on the worker says of QA-01
    assert isinstance(shell.home, SupervisorView)
    log_in(qtbot, shell)
    tone, text = scan(qtbot, shell, serial)
    assert tone is Tone.OK and serial in text
    view = shell.home.trace_view
    expected = backward(plant.db, serial)
    [root] = expected.root_ids
    model = view.backward_model
    assert model.rowCount() == 1 and model.index(0, 0).data() == serial
    top = model.index(0, 0)
    if model.canFetchMore(top):
        model.fetchMore(top)
    children = {model.index(row, 0, top).data() for row in range(model.rowCount(top))}
    assert children == {expected.nodes[edge.input_id].code for edge in expected.next_edges()[root]}
    assert view.forward_model.rowCount() == 1 and forward(plant.db, serial).codes()
    assert view.timeline.rowCount() > 0
    # The genealogy picture: one box per unit of both traces, saved as SVG off the GUI thread.
    drawn = {item.box.code for item in view.genealogy.box_items}
    assert drawn == {serial} | expected.codes() | forward(plant.db, serial).codes()
    view.svg_button.click()
    saved = tmp_path / "TraceStation" / f"genealogy-{serial}.svg"
    qtbot.waitUntil(lambda: "Saved" in shell.window.banner.text(), timeout=10_000)
    assert serial in "".join(ET.parse(saved).getroot().itertext())
    # A shipment traces everything that left on it; the timeline is a unit's, so it stays empty.
    tone, text = scan(qtbot, shell, "SH-0001")
    assert tone is Tone.OK and "SH-0001" in text
    assert view.backward_model.rowCount() == len(backward(plant.db, "SH-0001").root_ids) > 0
    assert view.timeline.rowCount() == 0 and view.status.text() == ""


def test_a_code_naming_several_units_offers_a_pick_list(plant: Plant, qtbot: QtBot, shell_for) -> None:  # type: ignore[no-untyped-def]
    from demo.plant import HOUSING
    from models import receiving
    from ui.supervisor.view import SupervisorView

    received = receiving.receive(
        plant.db,
        plant.actor(OPERATOR, "RCV-01"),
        item_code=HOUSING,
        supplier_code="SUP-PL",
        supplier_lot="PL-SHARED-7",
        quantity=200,
        packages=2,
    )
    shell = shell_for(plant.db, None, StationPlace("QA-01", "", "SUPERVISOR"))
    assert isinstance(shell.home, SupervisorView)
    log_in(qtbot, shell)
    view = shell.home.trace_view
    scanner_burst(shell.window.windowHandle(), "PL-SHARED-7")
    qtbot.waitUntil(view.choices.isVisible, timeout=10_000)
    listed = [view.choices.item(row).text() for row in range(view.choices.count())]
    assert listed == received.lot_codes
    assert "PL-SHARED-7" in shell.window.banner.text()
    view.choices.setCurrentRow(1)
    qtbot.keyClick(view.choices, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.backward_model.rowCount() == 1, timeout=10_000)
    assert view.backward_model.index(0, 0).data() == received.lot_codes[1]
    assert not view.choices.isVisible()
    # Translated event names on the timeline, never the stored enum value.
    assert view.timeline.item(0, 1).text() == "received"
