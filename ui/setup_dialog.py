"""The first-run setup: which database, which station this PC is, its printer, its language.

Shown by the application when the station config names no station. A view only: it never touches
the database or the network itself (the GUI thread must not wait on a server that is down). What
it needs from the database it asks for through signals, and the composition root answers through
its slots from the database worker:

    test_connection_requested(url)   ->  show_connection_result(ok, message)
    stations_requested(url)          ->  show_stations(stations, lines)  (or show_error(message))

`url` is "" for the embedded database of a trial station. A PostgreSQL database must pass its
connection test before its stations are asked for and before OK is enabled: a station PC set up
on a database it cannot reach could not record anything. OK stays disabled until a station is
chosen, or a new one is described in full (code, name, kind). The printer settings are checked on
OK with printing.settings, and a refusal is shown here, the dialog staying open.

Everything works from the keyboard: each field has a mnemonic (Alt+letter), Tab follows the page
from top to bottom, Enter is OK and Esc is Cancel. Inputs and buttons are 48 px high at least.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QEvent, QRegularExpression, Signal, Slot
from PySide6.QtGui import QFont, QRegularExpressionValidator, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from models.schema import StationKind
from models.stations import CODE_LENGTH, NAME_LENGTH, LineInfo, StationInfo
from printing.render import DPIS
from printing.settings import DRIVERS, PrinterSettings, SettingsError

TOUCH_TARGET: Final = 48  # pixels: the smallest a gloved finger hits reliably
MINIMUM_POINT_SIZE: Final = 14
EMBEDDED: Final = ""  # the url the signals carry for the embedded database
LANGUAGES: Final = ("zh_CN", "en_US")
# Each language by its own name, never translated: whoever cannot read the current language must
# still find theirs.
LANGUAGE_NAMES: Final[Mapping[str, str]] = {"zh_CN": "中文", "en_US": "English"}
# The station list's entry for "register a new station": a space can never be in a station code.
_NEW_STATION: Final = " new"
# The preview printer's folder when none is given: the check on OK builds the printer but never
# writes to its folder, and an empty connection is left out of the config (the station's default).
_ANY_FOLDER: Final = Path("labels")

PrinterValue = str | int


@dataclass(frozen=True)
class SetupChoice:
    """What the installer chose, as plain values for the composition root to save and act on.

    station_code: the station this PC is. new_station: (name, kind, line code or None) when that
    station is to be registered first, None when it exists. database_url: None for the embedded
    database. printer: the [printer] table (driver, dpi, and connection when one was typed).
    language: "zh_CN" or "en_US".
    """

    station_code: str
    new_station: tuple[str, StationKind, str | None] | None
    database_url: str | None
    printer: dict[str, PrinterValue]
    language: str


class SetupDialog(QDialog):
    """Asks which database, station, printer and language this PC uses; see the module docstring."""

    test_connection_requested = Signal(str)  # the PostgreSQL URL as typed
    stations_requested = Signal(str)  # the database URL, "" for the embedded one
    language_chosen = Signal(str)  # "zh_CN" or "en_US": the root installs that translation

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        language: str = "zh_CN",
        database_url: str | None = None,
        printer: Mapping[str, object] | None = None,
        preview_folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("setupDialog")
        self.setMinimumWidth(720)
        font = QFont(self.font())
        if 0 < font.pointSizeF() < MINIMUM_POINT_SIZE:  # a stylesheet's pixel size (-1 here) wins anyway
            font.setPointSizeF(MINIMUM_POINT_SIZE)
            self.setFont(font)
        self._preview_folder = preview_folder
        self._stations: list[StationInfo] = []
        self._lines: list[LineInfo] = []
        self._tested_url: str | None = None  # the PostgreSQL URL whose connection test passed
        self._testing_url: str | None = None  # the one being tested now
        self._answer: tuple[bool, str] | None = None  # the composition root's answer to that test
        self._stations_url: str | None = None  # the database the station list was asked of
        self._stations_loaded = False  # ... and whether its answer came
        self._choice: SetupChoice | None = None
        self._shown = False

        # Database
        self.database_box = QGroupBox()
        self.embedded = QRadioButton()
        self.embedded.setObjectName("embeddedDatabase")
        self.postgresql = QRadioButton()
        self.postgresql.setObjectName("postgresqlDatabase")
        self.database_choice = QButtonGroup(self)
        self.database_choice.addButton(self.embedded)
        self.database_choice.addButton(self.postgresql)
        self.url = QLineEdit()
        self.url.setObjectName("databaseUrl")
        self.url_label = QLabel()
        self.url_label.setBuddy(self.url)
        self.test_button = QPushButton()
        self.test_button.setObjectName("testConnection")
        self.test_button.setAutoDefault(False)
        self.connection_result = QLabel()
        self.connection_result.setObjectName("connectionResult")
        self.connection_result.setWordWrap(True)
        url_row = QHBoxLayout()
        url_row.addWidget(self.url, 1)
        url_row.addWidget(self.test_button)
        database_form = QFormLayout(self.database_box)
        database_form.addRow(self.embedded)
        database_form.addRow(self.postgresql)
        database_form.addRow(self.url_label, url_row)
        database_form.addRow(self.connection_result)

        # Station
        self.station_box = QGroupBox()
        self.station = QComboBox()
        self.station.setObjectName("station")
        self.station_label = QLabel()
        self.station_label.setBuddy(self.station)
        self.new_code = QLineEdit()
        self.new_code.setObjectName("newStationCode")
        self.new_code.setMaxLength(CODE_LENGTH)
        self.new_code.setValidator(QRegularExpressionValidator(QRegularExpression(r"\S*"), self.new_code))
        self.new_name = QLineEdit()
        self.new_name.setObjectName("newStationName")
        self.new_name.setMaxLength(NAME_LENGTH)
        self.new_kind = QComboBox()
        self.new_kind.setObjectName("newStationKind")
        for kind in StationKind:
            self.new_kind.addItem("", kind.value)
        self.new_kind.setCurrentIndex(-1)
        self.new_line = QComboBox()
        self.new_line.setObjectName("newStationLine")
        self.code_label, self.name_label, self.kind_label, self.line_label = (QLabel() for _ in range(4))
        self.code_label.setBuddy(self.new_code)
        self.name_label.setBuddy(self.new_name)
        self.kind_label.setBuddy(self.new_kind)
        self.line_label.setBuddy(self.new_line)
        self.new_station_box = QWidget()
        self.new_station_box.setObjectName("newStation")
        new_form = QFormLayout(self.new_station_box)
        new_form.setContentsMargins(0, 0, 0, 0)
        new_form.addRow(self.code_label, self.new_code)
        new_form.addRow(self.name_label, self.new_name)
        new_form.addRow(self.kind_label, self.new_kind)
        new_form.addRow(self.line_label, self.new_line)
        self.station_hint = QLabel()
        self.station_hint.setObjectName("stationHint")
        self.station_hint.setWordWrap(True)
        station_form = QFormLayout(self.station_box)
        station_form.addRow(self.station_label, self.station)
        station_form.addRow(self.new_station_box)
        station_form.addRow(self.station_hint)

        # Printer
        self.printer_box = QGroupBox()
        self.driver = QComboBox()
        self.driver.setObjectName("printerDriver")
        for driver in DRIVERS:
            self.driver.addItem("", driver)
        self.connection = QLineEdit()
        self.connection.setObjectName("printerConnection")
        self.dpi = QComboBox()
        self.dpi.setObjectName("printerDpi")
        for dpi in DPIS:
            self.dpi.addItem(str(dpi), dpi)
        self.driver_label, self.connection_label, self.dpi_label = (QLabel() for _ in range(3))
        self.driver_label.setBuddy(self.driver)
        self.connection_label.setBuddy(self.connection)
        self.dpi_label.setBuddy(self.dpi)
        printer_form = QFormLayout(self.printer_box)
        printer_form.addRow(self.driver_label, self.driver)
        printer_form.addRow(self.connection_label, self.connection)
        printer_form.addRow(self.dpi_label, self.dpi)

        # Language
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language_label = QLabel()
        self.language_label.setBuddy(self.language)
        language_form = QFormLayout()
        language_form.addRow(self.language_label, self.language)

        self.message = QLabel()
        self.message.setObjectName("setupMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

        layout = QVBoxLayout(self)
        layout.addWidget(self.database_box)
        layout.addWidget(self.station_box)
        layout.addWidget(self.printer_box)
        layout.addLayout(language_form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        # Top to bottom, as the page reads: the tab order, and every input a finger can hit.
        chain = (
            self.embedded,
            self.postgresql,
            self.url,
            self.test_button,
            self.station,
            self.new_code,
            self.new_name,
            self.new_kind,
            self.new_line,
            self.driver,
            self.connection,
            self.dpi,
            self.language,
            self.ok_button,
            self.cancel_button,
        )
        for widget in chain:
            widget.setMinimumHeight(TOUCH_TARGET)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        self._fill_lines()
        self._set_initial(language, database_url, printer or {})

        self.embedded.toggled.connect(self._database_changed)
        self.url.textChanged.connect(self._url_edited)
        self.url.returnPressed.connect(self.test_connection)
        self.test_button.clicked.connect(self.test_connection)
        self.station.currentIndexChanged.connect(self._station_changed)
        self.new_code.textChanged.connect(self._update)
        self.new_name.textChanged.connect(self._update)
        self.new_kind.currentIndexChanged.connect(self._update)
        self.driver.currentIndexChanged.connect(self._show_connection_hint)
        self.language.currentIndexChanged.connect(self._language_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.retranslate()
        self._database_changed()

    def _set_initial(self, language: str, database_url: str | None, printer: Mapping[str, object]) -> None:
        """Start from what the config file already says (a plant's installer may deploy a URL)."""
        self.language.setCurrentIndex(max(0, self.language.findData(language)))
        # Only a PostgreSQL URL belongs in the PostgreSQL field: an SQLite file is the embedded choice.
        if database_url and database_url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres"):
            self.postgresql.setChecked(True)
            self.url.setText(database_url)
        else:
            self.embedded.setChecked(True)
        self.driver.setCurrentIndex(max(0, self.driver.findData(printer.get("driver", DRIVERS[0]))))
        self.connection.setText(str(printer.get("connection", "")))
        self.dpi.setCurrentIndex(max(0, self.dpi.findData(printer.get("dpi", DPIS[0]))))

    # --- Texts ------------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text from the current translation: called again when the language changes."""
        self.setWindowTitle(self.tr("Set up this station"))
        self.database_box.setTitle(self.tr("Database"))
        self.embedded.setText(self.tr("&Embedded database on this PC (a trial station)"))
        self.postgresql.setText(self.tr("&PostgreSQL database shared by the plant"))
        self.url_label.setText(self.tr("&URL"))
        self.url.setPlaceholderText(self.tr("postgresql+psycopg2://user:password@host/database"))
        self.test_button.setText(self.tr("&Test connection"))
        self.station_box.setTitle(self.tr("Station"))
        self.station_label.setText(self.tr("&Station"))
        self.station.setPlaceholderText(self.tr("Choose this PC's station"))
        self.code_label.setText(self.tr("C&ode"))
        self.new_code.setPlaceholderText(self.tr("For example PCK-02"))
        self.name_label.setText(self.tr("&Name"))
        self.kind_label.setText(self.tr("&Kind"))
        self.new_kind.setPlaceholderText(self.tr("Choose what the station does"))
        for index in range(self.new_kind.count()):
            self.new_kind.setItemText(index, self._kind_label(StationKind(self.new_kind.itemData(index))))
        self.line_label.setText(self.tr("L&ine"))
        self.printer_box.setTitle(self.tr("Label printer"))
        self.driver_label.setText(self.tr("P&rinter"))
        drivers = {
            "preview": self.tr("No printer yet: label images in a folder"),
            "escpos": self.tr("ESC/POS label printer"),
            "zpl": self.tr("ZPL label printer (Zebra and compatibles)"),
        }
        for index in range(self.driver.count()):
            self.driver.setItemText(index, drivers[self.driver.itemData(index)])
        self.connection_label.setText(self.tr("&Connection"))
        self.dpi_label.setText(self.tr("Resolution (&dpi)"))
        self.language_label.setText(self.tr("&Language"))
        self.ok_button.setText(self.tr("OK"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._fill_stations()
        self._fill_lines()
        self._show_connection_hint()
        self._update()

    def _kind_label(self, kind: StationKind) -> str:
        labels = {
            StationKind.RECEIVING: self.tr("Receiving"),
            StationKind.PRODUCTION: self.tr("Production"),
            StationKind.PACKING: self.tr("Packing"),
            StationKind.SHIPPING: self.tr("Shipping"),
            StationKind.SUPERVISOR: self.tr("Supervisor (quality and trace)"),
        }
        return labels[kind]

    def _show_connection_hint(self) -> None:
        if self.driver.currentData() == "preview":
            if self._preview_folder is None:
                hint = self.tr("Folder for the label images (empty: the usual folder)")
            else:
                hint = self.tr("Folder for the label images (empty: {0})").format(self._preview_folder)
        else:
            hint = self.tr("For example tcp://10.0.0.9:9100, usb://0fe6:811e or serial:///dev/ttyUSB0")
        self.connection.setPlaceholderText(hint)

    # --- Database ---------------------------------------------------------------------------------

    def database_url(self) -> str:
        """The database chosen now, as the signals carry it: "" for the embedded one."""
        return EMBEDDED if self.embedded.isChecked() else self.url.text().strip()

    def _database_changed(self) -> None:
        self.url.setEnabled(self.postgresql.isChecked())
        self._forget_connection()
        if self.embedded.isChecked() and self._shown:
            self.request_stations()

    def _url_edited(self) -> None:
        """Another URL is another database: its test and its stations are still to come."""
        self._forget_connection()

    def _forget_connection(self) -> None:
        self._tested_url = None
        self._testing_url = None
        self._answer = None
        self._forget_stations()

    @Slot()
    def test_connection(self) -> None:
        """Ask the composition root to try the URL typed; the answer comes to show_connection_result."""
        url = self.url.text().strip()
        if not self.postgresql.isChecked() or not url:
            return
        self._testing_url = url
        self._tested_url = None
        self._answer = None
        self._update()
        self.test_connection_requested.emit(url)

    @Slot(bool, str)
    def show_connection_result(self, ok: bool, message: str, url: str | None = None) -> None:
        """The connection test's answer; on success the database's stations are asked for.

        `url` is the URL that was tested when the caller has it: an answer for a URL edited since
        (or for a test no longer awaited) is dropped rather than shown under another URL.
        """
        tested = self._testing_url if url is None else url
        if tested is None or tested != self._testing_url or tested != self.database_url():
            return
        self._testing_url = None
        self._tested_url = tested if ok else None
        self._answer = (ok, message)
        self._update()
        if ok:
            self.request_stations()

    def _database_ready(self) -> bool:
        return self.embedded.isChecked() or (
            self._tested_url is not None and self._tested_url == self.database_url()
        )

    def _connection_status(self) -> tuple[bool | None, str]:
        """What the result line says: the last answer, a test under way, or what to do."""
        if self.embedded.isChecked():
            return None, ""
        if self._testing_url is not None:
            return None, self.tr("Connecting to the database…")
        if self._answer is not None:
            ok, message = self._answer
            if message:
                return ok, message
            return ok, self.tr("Connected.") if ok else self.tr("The database cannot be reached.")
        return None, self.tr("Test the connection to see the plant's stations.")

    # --- Stations ---------------------------------------------------------------------------------

    @Slot()
    def request_stations(self) -> None:
        """Ask for the chosen database's stations (and lines); the answer comes to show_stations."""
        if not self._database_ready():
            return
        self._stations_url = self.database_url()
        self._stations_loaded = False
        self._update()
        self.stations_requested.emit(self._stations_url)

    @Slot(list)
    def show_stations(
        self, stations: Sequence[StationInfo], lines: Sequence[LineInfo] = (), url: str | None = None
    ) -> None:
        """The chosen database's stations to choose from, and the lines a new station can be put on.

        An answer for a database no longer chosen (`url`, when given, or the last one asked) is
        dropped. The station chosen before stays chosen when it is still in the list.
        """
        asked = self._stations_url if url is None else url
        if asked is None or asked != self._stations_url or asked != self.database_url():
            return
        chosen = self.station.currentData()
        self._stations = sorted(stations, key=lambda info: info.code)
        self._lines = sorted(lines, key=lambda info: info.code)
        self._stations_loaded = True
        self._fill_stations()
        self._fill_lines()
        self.station.setCurrentIndex(self.station.findData(chosen) if chosen is not None else -1)
        self._station_changed()

    @Slot(str)
    def show_error(self, message: str) -> None:
        """A refusal to show in the dialog: a station list that could not be read, a registration
        refused after OK (the composition root then opens the dialog again, as it was)."""
        if self._stations_url is not None and not self._stations_loaded:
            self._stations_url = None  # that request is over: the installer may try again
        self.message.setText(message)
        self._update()

    def _forget_stations(self) -> None:
        self._stations = []
        self._lines = []
        self._stations_url = None
        self._stations_loaded = False
        self._fill_stations()
        self._fill_lines()
        self.station.setCurrentIndex(-1)
        self._station_changed()

    def _fill_stations(self) -> None:
        """The station list in the current language, then the entry for a new station."""
        language = self._language()
        chosen = self.station.currentIndex()
        self.station.blockSignals(True)
        self.station.clear()
        for info in self._stations:
            self.station.addItem(f"{info.code} · {info.name(language)}", info.code)
        self.station.addItem(self.tr("New station…"), _NEW_STATION)
        self.station.setCurrentIndex(chosen if chosen < self.station.count() else -1)
        self.station.blockSignals(False)

    def _fill_lines(self) -> None:
        language = self._language()
        chosen = self.new_line.currentData()
        self.new_line.clear()
        self.new_line.addItem(self.tr("No line"), "")
        for info in self._lines:
            self.new_line.addItem(f"{info.code} · {info.name(language)}", info.code)
        self.new_line.setCurrentIndex(max(0, self.new_line.findData(chosen)))

    def _station_changed(self) -> None:
        self.new_station_box.setVisible(self._is_new_station())
        self._update()

    def _is_new_station(self) -> bool:
        return self.station.currentData() == _NEW_STATION

    def _new_station_problem(self) -> str | None:
        """What the new station still lacks, in words; None when it is fully described."""
        code = self.new_code.text().strip()
        if not code:
            return self.tr("Type the new station's code.")
        if code in {info.code for info in self._stations}:
            return self.tr("Station {0} exists already: choose it in the list.").format(code)
        if not self.new_name.text().strip():
            return self.tr("Type the new station's name.")
        if self.new_kind.currentIndex() < 0:
            return self.tr("Choose what the new station does.")
        return None

    def _station_status(self) -> str:
        """What the line under the station says: loading, what a new one lacks, what one chosen is."""
        if self._stations_url is not None and not self._stations_loaded:
            return self.tr("Loading the stations…")
        if self._is_new_station():
            return self._new_station_problem() or ""
        if self.station.currentIndex() >= 0:
            return self._describe(str(self.station.currentData()))
        if self._stations_loaded and not self._stations:
            return self.tr("This database has no station yet: describe a new one.")
        return ""

    def _describe(self, code: str) -> str:
        """What the chosen station is, so the installer sees that it is the right one."""
        info = next((info for info in self._stations if info.code == code), None)
        if info is None:
            return ""
        if info.line_code is None:
            return self.tr("{0} station, no line.").format(self._kind_label(info.kind))
        return self.tr("{0} station on line {1}.").format(self._kind_label(info.kind), info.line_code)

    def _update(self) -> None:
        """Every status line and button from the dialog's state (so a new language redraws them too).

        OK only when the database is reachable and a station is chosen or fully described.
        """
        ok, text = self._connection_status()
        self.connection_result.setText(text)
        self.connection_result.setProperty("state", "" if ok is None else ("ok" if ok else "failed"))
        self.connection_result.style().unpolish(self.connection_result)
        self.connection_result.style().polish(self.connection_result)
        self.test_button.setEnabled(
            self.postgresql.isChecked() and bool(self.url.text().strip()) and self._testing_url is None
        )
        self.station_hint.setText(self._station_status())
        complete = self._database_ready() and self.station.currentIndex() >= 0
        if complete and self._is_new_station():
            complete = self._new_station_problem() is None
        self.ok_button.setEnabled(complete)

    # --- Language ---------------------------------------------------------------------------------

    def _language(self) -> str:
        return str(self.language.currentData() or LANGUAGES[0])

    def _language_changed(self) -> None:
        self._fill_stations()
        self._fill_lines()
        self.language_chosen.emit(self._language())

    # --- The answer -------------------------------------------------------------------------------

    def _printer(self) -> dict[str, PrinterValue]:
        """The [printer] table: an empty connection is left out (the driver's default folder)."""
        values: dict[str, PrinterValue] = {
            "driver": str(self.driver.currentData()),
            "dpi": int(self.dpi.currentData()),
        }
        connection = self.connection.text().strip()
        if connection:
            values["connection"] = connection
        return values

    def _current_choice(self) -> SetupChoice:
        new_station = None
        if self._is_new_station():
            code = self.new_code.text().strip()
            new_station = (
                self.new_name.text().strip(),
                StationKind(self.new_kind.currentData()),
                str(self.new_line.currentData()) or None,
            )
        else:
            code = str(self.station.currentData())
        url = self.database_url()
        return SetupChoice(
            station_code=code,
            new_station=new_station,
            database_url=url or None,
            printer=self._printer(),
            language=self._language(),
        )

    def accept(self) -> None:
        """Close with the choice, unless it is incomplete or its printer settings cannot work."""
        if not self.ok_button.isEnabled():
            return
        printer = self._printer()
        try:
            PrinterSettings.from_mapping(dict(printer), preview_folder=self._preview_folder or _ANY_FOLDER)
        except SettingsError as error:
            self.message.setText(self.tr("This printer setting cannot work: {0}").format(error))
            self.connection.setFocus()
            return
        self.message.setText("")
        self._choice = self._current_choice()
        super().accept()

    def reject(self) -> None:
        self._choice = None
        super().reject()

    def choice(self) -> SetupChoice:
        """What was chosen, once the dialog was accepted."""
        if self._choice is None:
            raise RuntimeError("SetupDialog.choice() is only known once the dialog is accepted")
        return self._choice

    def showEvent(self, event: QShowEvent) -> None:
        """The first time it shows, ask for what it can: the embedded database's stations, or the
        test of a URL the config file already had."""
        super().showEvent(event)
        self._choice = None
        if self._shown:
            return
        self._shown = True
        if self.embedded.isChecked():
            self.request_stations()
        elif self.url.text().strip():
            self.test_connection()
