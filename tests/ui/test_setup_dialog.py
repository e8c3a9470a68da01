"""The first-run setup dialog: real widgets, offscreen, filled from the keyboard.

The dialog never touches a database: these tests play the composition root, answering its
requests (connection test, station list) through its slots as the database worker would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTranslator
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from models.schema import StationKind
from models.stations import LineInfo, StationInfo
from ui.setup_dialog import TOUCH_TARGET, SetupChoice, SetupDialog

URL = "postgresql+psycopg2://trace@db.plant/trace"
STATIONS = [
    StationInfo("PRD-01", "总装线工位", "Assembly line station", StationKind.PRODUCTION, "SZ01", "深圳工厂",
                "Shenzhen Plant", "L1", "电表总装线", "Meter assembly line"),
    StationInfo("PCK-01", "包装站", "Packing", StationKind.PACKING, "SZ01", "深圳工厂", "Shenzhen Plant",
                "L1", "电表总装线", "Meter assembly line"),
    StationInfo("RCV-01", "收货站", "Receiving", StationKind.RECEIVING, "SZ01", "深圳工厂", "Shenzhen Plant"),
]  # fmt: skip
LINES = [
    LineInfo("L1", "电表总装线", "Meter assembly line", "SZ01"),
    LineInfo("L2", "模块与灌封线", "Module and potting line", "SZ01"),
]


@pytest.fixture
def dialog(qtbot: QtBot) -> Iterator[SetupDialog]:
    """A dialog on the embedded database, shown: it asks for that database's stations at once."""
    view = SetupDialog()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.stations_requested, timeout=1000) as asked:
        view.show()
    qtbot.waitExposed(view)
    assert asked.args == [""]
    yield view


def choose_station(view: SetupDialog, code: str) -> None:
    view.station.setCurrentIndex(view.station.findData(code))


def type_with_input_method(widget: QWidget, text: str) -> None:
    """Chinese as a pinyin IME types it, one committed string (QTest.keyClicks aborts on non-Latin-1)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QCoreApplication.sendEvent(widget, event)


def press_enter(qtbot: QtBot, view: SetupDialog) -> None:
    """Enter in a line edit is the dialog's default button, OK."""
    qtbot.keyClick(view.connection, Qt.Key.Key_Return)


# --- An existing station --------------------------------------------------------------------


def test_an_existing_station_of_the_embedded_database_with_a_zpl_printer(
    dialog: SetupDialog, qtbot: QtBot
) -> None:
    assert not dialog.ok_button.isEnabled()
    dialog.show_stations(STATIONS, LINES)

    # Sorted by code, in the dialog's language, then the entry for a new station.
    assert [dialog.station.itemText(i) for i in range(dialog.station.count())] == [
        "PCK-01 · 包装站",
        "PRD-01 · 总装线工位",
        "RCV-01 · 收货站",
        "New station…",
    ]
    assert dialog.station.currentIndex() == -1 and not dialog.ok_button.isEnabled()
    choose_station(dialog, "PCK-01")
    assert dialog.ok_button.isEnabled()
    assert dialog.station_hint.text() == "Packing station on line L1."
    assert not dialog.new_station_box.isVisibleTo(dialog)

    dialog.driver.setCurrentIndex(dialog.driver.findData("zpl"))
    qtbot.keyClicks(dialog.connection, "tcp://10.0.0.9:9100")
    dialog.dpi.setCurrentIndex(dialog.dpi.findData(300))
    with qtbot.waitSignal(dialog.language_chosen, timeout=1000) as chosen:
        dialog.language.setCurrentIndex(dialog.language.findData("en_US"))
    assert chosen.args == ["en_US"]
    assert dialog.station.itemText(dialog.station.currentIndex()) == "PCK-01 · Packing"

    press_enter(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert dialog.choice() == SetupChoice(
        station_code="PCK-01",
        new_station=None,
        database_url=None,
        printer={"driver": "zpl", "dpi": 300, "connection": "tcp://10.0.0.9:9100"},
        language="en_US",
    )


def test_a_preview_printer_without_a_folder_leaves_the_connection_out(
    dialog: SetupDialog, qtbot: QtBot
) -> None:
    dialog.show_stations(STATIONS, LINES)
    choose_station(dialog, "RCV-01")
    assert dialog.station_hint.text() == "Receiving station, no line."

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.choice() == SetupChoice("RCV-01", None, None, {"driver": "preview", "dpi": 203}, "zh_CN")


def test_escape_cancels_and_nothing_is_chosen(dialog: SetupDialog, qtbot: QtBot) -> None:
    dialog.show_stations(STATIONS, LINES)
    choose_station(dialog, "PRD-01")

    qtbot.keyClick(dialog.station, Qt.Key.Key_Escape)

    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()
    with pytest.raises(RuntimeError):
        dialog.choice()


def test_a_station_list_that_cannot_be_read_is_said_in_the_dialog(dialog: SetupDialog) -> None:
    assert dialog.station_hint.text() == "Loading the stations…"

    dialog.show_error("The database schema is 0002; this TraceStation needs 0003.")

    assert dialog.message.text() == "The database schema is 0002; this TraceStation needs 0003."
    assert dialog.station_hint.text() == "" and not dialog.ok_button.isEnabled()


# --- PostgreSQL: the connection test -------------------------------------------------------


def test_the_url_typed_is_tested_and_on_success_its_stations_are_asked_for(
    dialog: SetupDialog, qtbot: QtBot
) -> None:
    dialog.show_stations(STATIONS, LINES)
    dialog.postgresql.click()
    # Another database: the embedded one's stations are gone, and nothing can be chosen yet.
    assert dialog.station.count() == 1 and dialog.station.currentIndex() == -1
    assert dialog.url.isEnabled() and not dialog.test_button.isEnabled()
    qtbot.keyClicks(dialog.url, URL)
    assert dialog.test_button.isEnabled() and not dialog.ok_button.isEnabled()

    with qtbot.waitSignal(dialog.test_connection_requested, timeout=1000) as tested:
        qtbot.keyClick(dialog.url, Qt.Key.Key_Return)  # Enter in the URL tests it
    assert tested.args == [URL]
    assert dialog.connection_result.text() == "Connecting to the database…"

    with qtbot.waitSignal(dialog.stations_requested, timeout=1000) as asked:
        dialog.show_connection_result(True, "Connected: PostgreSQL 15.8")
    assert asked.args == [URL]
    assert dialog.connection_result.text() == "Connected: PostgreSQL 15.8"
    assert dialog.connection_result.property("state") == "ok"

    dialog.show_stations(STATIONS, LINES)
    choose_station(dialog, "PRD-01")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.choice().database_url == URL
    assert dialog.choice().station_code == "PRD-01"


def test_what_the_config_file_already_says_is_shown_and_its_url_tested_on_opening(qtbot: QtBot) -> None:
    view = SetupDialog(
        language="en_US",
        database_url=URL,
        printer={"driver": "escpos", "connection": "usb://0fe6:811e", "dpi": 300},
    )
    qtbot.addWidget(view)

    with qtbot.waitSignal(view.test_connection_requested, timeout=1000) as tested:
        view.show()

    assert tested.args == [URL]
    assert view.postgresql.isChecked() and view.url.text() == URL
    assert (view.driver.currentData(), view.connection.text(), view.dpi.currentData()) == (
        "escpos",
        "usb://0fe6:811e",
        300,
    )
    assert view.language.currentData() == "en_US"


def test_a_failed_connection_test_is_shown_and_ok_stays_disabled(dialog: SetupDialog, qtbot: QtBot) -> None:
    dialog.postgresql.click()
    qtbot.keyClicks(dialog.url, URL)
    with qtbot.waitSignal(dialog.test_connection_requested, timeout=1000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)

    with qtbot.assertNotEmitted(dialog.stations_requested):
        dialog.show_connection_result(False, "connection refused: db.plant:5432")

    assert dialog.connection_result.text() == "connection refused: db.plant:5432"
    assert dialog.connection_result.property("state") == "failed"
    assert not dialog.ok_button.isEnabled()


def test_answers_for_a_url_edited_since_are_dropped(dialog: SetupDialog, qtbot: QtBot) -> None:
    dialog.postgresql.click()
    qtbot.keyClicks(dialog.url, URL)
    with qtbot.waitSignal(dialog.test_connection_requested, timeout=1000):
        dialog.test_button.click()
    qtbot.keyClicks(dialog.url, "2")  # another database now

    with qtbot.assertNotEmitted(dialog.stations_requested):
        dialog.show_connection_result(True, "Connected")
    assert dialog.connection_result.text() == "Test the connection to see the plant's stations."

    # A station list for another database than the one chosen is not offered either.
    dialog.show_stations(STATIONS, LINES, url=URL)
    assert dialog.station.count() == 1
    assert not dialog.ok_button.isEnabled()


# --- The printer is checked on OK -----------------------------------------------------------


@pytest.mark.parametrize(
    ("driver", "connection", "said"),
    [
        ("zpl", "bogus://printer", "[printer] connection = 'bogus://printer'"),
        ("escpos", "tcp://10.0.0.9:99999", "the port must be 1-65535"),
        ("zpl", "", "[printer] driver = 'zpl' needs a connection"),
    ],
)
def test_a_printer_setting_that_cannot_work_is_refused_in_the_dialog(
    dialog: SetupDialog, qtbot: QtBot, driver: str, connection: str, said: str
) -> None:
    dialog.show_stations(STATIONS, LINES)
    choose_station(dialog, "PRD-01")
    dialog.driver.setCurrentIndex(dialog.driver.findData(driver))
    qtbot.keyClicks(dialog.connection, connection)

    press_enter(qtbot, dialog)

    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.text().startswith("This printer setting cannot work: ")
    assert said in dialog.message.text()
    with pytest.raises(RuntimeError):
        dialog.choice()

    dialog.connection.clear()
    qtbot.keyClicks(dialog.connection, "tcp://10.0.0.9:9100")
    press_enter(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.message.text() == ""
    assert dialog.choice().printer == {"driver": driver, "dpi": 203, "connection": "tcp://10.0.0.9:9100"}


# --- A new station --------------------------------------------------------------------------


def test_a_new_station_enables_ok_only_once_fully_described(dialog: SetupDialog, qtbot: QtBot) -> None:
    dialog.show_stations([], LINES)  # an empty plant: nothing to choose but a new station
    assert dialog.station_hint.text() == "This database has no station yet: describe a new one."
    assert not dialog.new_station_box.isVisibleTo(dialog)

    dialog.station.setCurrentIndex(dialog.station.findText("New station…"))
    assert dialog.new_station_box.isVisibleTo(dialog)
    assert not dialog.ok_button.isEnabled()
    assert dialog.station_hint.text() == "Type the new station's code."

    qtbot.keyClicks(dialog.new_code, "PCK 02")  # a code has no spaces: the space is not taken
    assert dialog.new_code.text() == "PCK02"
    assert not dialog.ok_button.isEnabled()
    assert dialog.station_hint.text() == "Type the new station's name."

    type_with_input_method(dialog.new_name, "二号包装站")
    assert not dialog.ok_button.isEnabled()
    assert dialog.station_hint.text() == "Choose what the new station does."

    dialog.new_kind.setCurrentIndex(dialog.new_kind.findData("PACKING"))
    assert dialog.ok_button.isEnabled() and dialog.station_hint.text() == ""
    assert [dialog.new_line.itemData(i) for i in range(dialog.new_line.count())] == ["", "L1", "L2"]
    dialog.new_line.setCurrentIndex(dialog.new_line.findData("L2"))

    press_enter(qtbot, dialog)

    assert dialog.choice() == SetupChoice(
        station_code="PCK02",
        new_station=("二号包装站", StationKind.PACKING, "L2"),
        database_url=None,
        printer={"driver": "preview", "dpi": 203},
        language="zh_CN",
    )


def test_a_new_station_needs_a_code_of_its_own_and_may_have_no_line(
    dialog: SetupDialog, qtbot: QtBot
) -> None:
    dialog.show_stations(STATIONS, LINES)
    dialog.station.setCurrentIndex(dialog.station.findText("New station…"))
    qtbot.keyClicks(dialog.new_code, "PCK-01")
    qtbot.keyClicks(dialog.new_name, "Second packing")
    dialog.new_kind.setCurrentIndex(dialog.new_kind.findData("SHIPPING"))

    assert not dialog.ok_button.isEnabled()
    assert dialog.station_hint.text() == "Station PCK-01 exists already: choose it in the list."

    qtbot.keyClick(dialog.new_code, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.new_code, "2")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.choice().new_station == ("Second packing", StationKind.SHIPPING, None)
    assert dialog.choice().station_code == "PCK-02"


def test_a_registration_refused_after_ok_is_shown_when_the_dialog_opens_again(
    dialog: SetupDialog, qtbot: QtBot
) -> None:
    dialog.show_stations(STATIONS, LINES)
    choose_station(dialog, "PRD-01")
    press_enter(qtbot, dialog)
    assert dialog.choice().station_code == "PRD-01"

    dialog.show_error("Station PRD-01 cannot be used: the database is offline.")
    dialog.open()
    qtbot.waitExposed(dialog)

    assert dialog.message.text() == "Station PRD-01 cannot be used: the database is offline."
    assert dialog.station.currentData() == "PRD-01" and dialog.ok_button.isEnabled()
    with pytest.raises(RuntimeError):
        dialog.choice()  # nothing is chosen until OK again


# --- Keyboard, touch, translation -------------------------------------------------------------


def test_inputs_are_touch_sized_and_every_field_has_a_mnemonic(dialog: SetupDialog) -> None:
    dialog.station.setCurrentIndex(dialog.station.findText("New station…"))
    for widget in (
        dialog.url,
        dialog.test_button,
        dialog.station,
        dialog.new_code,
        dialog.driver,
        dialog.ok_button,
    ):
        assert widget.minimumHeight() >= TOUCH_TARGET
    labels = [label for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    assert len(labels) == 10
    assert all("&" in label.text() for label in labels)
    assert (
        "&" in dialog.embedded.text() and "&" in dialog.postgresql.text() and "&" in dialog.test_button.text()
    )
    assert dialog.ok_button.isDefault()


def test_tab_follows_the_page_from_top_to_bottom(dialog: SetupDialog, qtbot: QtBot) -> None:
    dialog.show_stations(STATIONS, LINES)
    dialog.station.setCurrentIndex(dialog.station.findText("New station…"))
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    dialog.new_code.setFocus()

    seen = []
    for _ in range(7):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())

    assert seen == [
        dialog.new_name,
        dialog.new_kind,
        dialog.new_line,
        dialog.driver,
        dialog.connection,
        dialog.dpi,
        dialog.language,
    ]


class Shouting(QTranslator):
    """A translation that shouts the dialog's texts: enough to see each one go through tr()."""

    def isEmpty(self) -> bool:
        return False  # an empty translator is installed without a LanguageChange

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        return source.upper() if context == "SetupDialog" else ""


def test_a_language_change_retranslates_the_dialog(dialog: SetupDialog, qtbot: QtBot) -> None:
    dialog.show_stations(STATIONS, LINES)
    choose_station(dialog, "RCV-01")
    translator = Shouting()
    QCoreApplication.installTranslator(translator)
    try:
        qtbot.waitUntil(lambda: dialog.windowTitle() == "SET UP THIS STATION", timeout=1000)
        assert dialog.test_button.text() == "&TEST CONNECTION"
        assert dialog.station.itemText(dialog.station.count() - 1) == "NEW STATION…"
        assert dialog.new_kind.itemText(dialog.new_kind.findData("PACKING")) == "PACKING"
        assert dialog.station_hint.text() == "RECEIVING STATION, NO LINE."
    finally:
        QCoreApplication.removeTranslator(translator)
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Set up this station", timeout=1000)

    # retranslate() also runs on the event alone, whoever sends it.
    dialog.setWindowTitle("stale")
    QCoreApplication.sendEvent(dialog, QEvent(QEvent.Type.LanguageChange))
    assert dialog.windowTitle() == "Set up this station"


def test_an_sqlite_url_is_the_embedded_choice_never_a_postgresql_url(qtbot: QtBot) -> None:
    view = SetupDialog(language="en_US", database_url="sqlite:////tmp/trial.sqlite3", printer={})
    qtbot.addWidget(view)
    assert view.embedded.isChecked() and not view.postgresql.isChecked()
    assert view.url.text() == ""
