"""No word of the other language on any screen or in any export: a walk over every text a station
shows, in Simplified Chinese and in English.

Each station is the real shell of its kind (desktop/shell.py) on the demo plant with its history,
driven to a state with data (a receipt and its label, a work order fed, an open carton, a shipment,
a trace, a recall), first in 中文 and then, switched at runtime, in English. Every visible text is
collected: labels, buttons, line edits and their placeholders, combo items, tab texts, group
titles, the cells and headers of tables, trees and lists, the window title, the banner and the
last actions. The recall list (CSV, XLSX, PDF) and the packing list are read back in both languages.

What may stand in a Chinese text in Latin letters is what the operator reads as it is printed: the
codes and names of the plant's data (item, unit, supplier and customer codes, units of measure,
people's names), key names (F1-F12, Enter, Esc, Ctrl, #CONFIRM...) and a few acronyms. What may
stand in an English text in Chinese characters is data that has only Chinese (none in the demo
plant, which names everything in both: the English UI must show name_en) and the people's names.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import String, select

from demo.history import seed
from demo.plant import BATTERY, METER, PCB_SUPPLIER_GTIN, PEOPLE
from desktop.app import _check
from desktop.config import StationConfig
from desktop.language import Language
from desktop.shell import StationCheck, StationPlace, StationShell
from documents.packing_list import packing_list_pdf
from documents.recall import export_recall
from models import production, shipping
from models.impact import ImpactScope, Place
from models.scan import element_string
from models.schema import Base, ContainerLevel, Item, Shipment, Unit, UnitKind, UnitStatus
from models.shipping import packing_list
from models.trace import Precision
from tests.models.flows import released_meters
from tests.support import OPERATOR, SUPERVISOR, Plant
from ui.setup_dialog import SetupDialog
from ui.widgets.confirm import ConfirmStrip

PINS = {person.badge: person.pin for person in PEOPLE}
ANSWER_MS = 15_000
WORK_ORDER, SHIPMENT = "WO-WORDS-0001", "SH-WORDS-0001"

# Names of keys, scan commands and acronyms an operator reads as they are, in either language.
KEY_NAMES = {"Enter", "Esc", "Ctrl", "Shift", "Alt", "Tab", "Del", "CONFIRM", "CLOSE", "REMOVE", "CANCEL"}
ACRONYMS = {"TraceStation", "SSCC", "GTIN", "GS", "BOM", "PDF", "CSV", "XLSX", "PIN"}
# Products named by their makers' names: a database, printer languages, a resolution's unit.
PROPER_NAMES = {"PostgreSQL", "SQLite", "Excel", "ZPL", "ESC", "POS", "USB", "CUPS", "Windows", "dpi"}
ADDRESS = re.compile(r"\S+://\S*")
LATIN_WORD = re.compile(r"[A-Za-z_]{2,}")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# A language is named in its own words: the header's button offers the other one, the setup its list.
LANGUAGE_NAMES = {"中文 (F2)", "English (F2)", "中文", "简体中文", "English"}


# --- the plant's data: what is printed as it is -------------------------------------------------


def data_words(plant: Plant, language: str) -> list[str]:
    """Every code of the plant, every person's name (a proper name is the same in both languages)
    and the names of things in `language` (an item's Chinese name may hold a model number, ER14250),
    longest first so that a code is removed whole before its parts."""
    names = "name_zh" if language == "zh_CN" else "name_en"
    found: set[str] = set()
    with plant.db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [
                column
                for column in table.columns
                if isinstance(column.type, String)
                and (
                    column.name in ("code", "uom", "badge", "gtin", names)
                    or column.name.endswith(("_code", f"_{names}"))
                )
            ]
            for column in columns:
                for (value,) in connection.execute(select(column).distinct()):
                    # An open container's provisional code (OPEN-<action id>) is no operator's word.
                    if value and not str(value).startswith("OPEN-"):
                        found.add(str(value))
    found |= {person.name for person in PEOPLE}
    found.add(plant.db.engine.url.render_as_string(hide_password=True))  # the overview's database
    return sorted(found, key=len, reverse=True)


def leaks(texts: Iterable[tuple[str, str]], language: str, known: list[str]) -> list[str]:
    """The texts with a word of the other language, each as 'where: text'."""
    found: list[str] = []
    for where, text in texts:
        if text in LANGUAGE_NAMES:
            continue
        rest = ADDRESS.sub(" ", text)  # an address is written as it is typed (tcp://..., postgresql://...)
        for word in known:
            if word in rest:
                rest = rest.replace(word, " ")
        if language == "zh_CN":
            words = [
                word for word in LATIN_WORD.findall(rest) if word not in KEY_NAMES | ACRONYMS | PROPER_NAMES
            ]
            if words:
                found.append(f"{where}: {text!r} ({', '.join(words)})")
        elif CJK.search(rest):
            found.append(f"{where}: {text!r}")
    return found


# --- every visible text of a window -------------------------------------------------------------


def model_texts(model: QAbstractItemModel, where: str) -> Iterator[tuple[str, str]]:
    """The headers and every cell already there (a lazy tree's levels as far as they are fetched)."""
    listed = isinstance(model, QAbstractListModel)  # its columnCount is private: one column

    def columns(parent: QModelIndex) -> int:
        return 1 if listed else model.columnCount(parent)

    for section in range(columns(QModelIndex())):
        yield f"{where} header", str(model.headerData(section, Qt.Orientation.Horizontal) or "")
    pending = [QModelIndex()]
    while pending:
        parent = pending.pop()
        for row in range(model.rowCount(parent)):
            for column in range(columns(parent)):
                index = model.index(row, column, parent)
                value = index.data(Qt.ItemDataRole.DisplayRole)
                if value is not None:
                    yield f"{where} cell", str(value)
            pending.append(model.index(row, 0, parent))


def visible_texts(window: QWidget) -> Iterator[tuple[str, str]]:
    yield "window title", window.windowTitle()
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or isinstance(widget, QHeaderView):  # a header: its view's model
            continue
        name = f"{type(widget).__name__} {widget.objectName()}".strip()
        if isinstance(widget, (QLabel, QAbstractButton)):
            yield name, widget.text()
        elif isinstance(widget, QLineEdit):
            yield name, widget.text()
            yield f"{name} placeholder", widget.placeholderText()
        elif isinstance(widget, QComboBox):
            yield from ((name, widget.itemText(i)) for i in range(widget.count()))
        elif isinstance(widget, QTabBar):
            yield from ((name, widget.tabText(i)) for i in range(widget.count()))
        elif isinstance(widget, QGroupBox):
            yield name, widget.title()
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            yield name, widget.toPlainText()
            yield f"{name} placeholder", widget.placeholderText()
        elif isinstance(widget, QProgressBar):
            yield name, widget.text()
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            yield from model_texts(widget.model(), name)


# --- a station, driven --------------------------------------------------------------------------


def _kindless(check: Callable[[], StationCheck]) -> StationCheck:
    return replace(check(), kind="")


class Station:
    """One station PC of a kind in its language, the way desktop/app.py starts it."""

    def __init__(
        self, qtbot: QtBot, plant: Plant, code: str, kind: str, folder: Path, language: Language
    ) -> None:
        self.qtbot, self.plant, self.language = qtbot, plant, language
        self.labels = folder / f"labels-{code}"
        self.labels.mkdir(parents=True, exist_ok=True)
        config = StationConfig(
            station_code=code, language="zh_CN", printer={"driver": "preview", "connection": str(self.labels)}
        )
        language.switch("zh_CN")
        self.shell = StationShell(
            QApplication.instance(),
            plant.db,
            config,
            StationPlace(code, "", kind),
            switch_language=language.switch,
        )
        self.window = self.shell.window
        qtbot.addWidget(self.window)
        self.window.resize(1280, 800)
        self.window.show()
        qtbot.waitExposed(self.window)
        check = functools.partial(_check, plant.db, code)
        if not kind:  # a station of a kind without a screen of its own (an office PC): the overview
            check = functools.partial(_kindless, check)
        self.shell.check_station(check)
        self.settle()

    def log_in(self, badge: str) -> None:
        with self.qtbot.waitSignal(self.shell.session.changed, timeout=ANSWER_MS):
            self.shell.login.login_requested.emit(badge, PINS[badge])
        self.speak("zh_CN")  # whatever the operator's own language: this walk chooses

    def speak(self, language: str) -> None:
        self.window.language_requested.emit(language)
        QApplication.processEvents()  # LanguageChange is posted
        self.settle()

    def scan(self, code: str) -> None:
        self.shell.scan(code)
        self.settle()

    def type(self, text: str) -> None:
        field = QApplication.focusWidget()
        assert isinstance(field, QWidget), "no field has the focus"
        self.qtbot.keyClicks(field, text)
        self.qtbot.keyClick(field, Qt.Key.Key_Return)
        self.settle()

    def ask(self, code: str) -> None:
        self.shell.scan(code)
        self.qtbot.waitUntil(
            lambda: any(strip.waiting for strip in self.window.findChildren(ConfirmStrip)), timeout=ANSWER_MS
        )

    def settle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.shell.worker._pending, timeout=ANSWER_MS)
        QApplication.processEvents()

    def texts(self) -> list[tuple[str, str]]:
        return list(visible_texts(self.window))

    def close(self) -> None:
        self.shell.session.logout()
        self.shell.close()
        self.window.close()


@pytest.fixture
def language(qapp) -> Iterator[Language]:  # type: ignore[no-untyped-def]
    language = Language()
    yield language
    language.uninstall()


@pytest.fixture
def day(plant: Plant) -> Plant:
    """The demo plant with its history, a work order to feed and a shipment to load."""
    seed(plant.db)
    production.create_work_order(
        plant.db, plant.actor(SUPERVISOR), code=WORK_ORDER, item_code=METER, quantity=2, line_code="L1"
    )
    shipping.create_shipment(
        plant.db, plant.actor(SUPERVISOR, "SHP-01"), code=SHIPMENT, customer_code="CUS-EC", lines={METER: 2}
    )
    return plant


def units(plant: Plant, item_code: str, status: UnitStatus) -> list[str]:
    with plant.db.session() as session:
        query = (
            select(Unit.code)
            .join(Item, Item.id == Unit.item_id)
            .where(Item.code == item_code, Unit.status == status)
            .order_by(Unit.code)
        )
        return list(session.scalars(query))


def drive(station: Station, kind: str, plant: Plant) -> None:
    """Bring the screen of `kind` to a state with data on it (and a label printed where it prints)."""
    if kind == "RECEIVING":
        station.scan("SUP-HQ")
        today = dt.datetime.now(dt.UTC).date()
        station.scan(
            element_string(
                gtin=PCB_SUPPLIER_GTIN, lot="HQ-W-1", expiry=today + dt.timedelta(days=300), quantity=10
            )
        )
        station.scan("#CONFIRM")  # received, and its label printed
        station.scan("SUP-LI")
        station.scan(BATTERY)  # half a receipt: the form filled
    elif kind == "PRODUCTION":
        station.scan(WORK_ORDER)
        lot = units(plant, "PCB-A1", UnitStatus.RELEASED)
        if lot:
            station.scan(lot[0])
    elif kind == "PACKING":
        station.scan(WORK_ORDER)
        station.scan(released_meters(plant, 1)[0])  # into a new carton: an open carton on the card
    elif kind == "SHIPPING":
        station.scan(SHIPMENT)
    elif kind == "SUPERVISOR":
        shipped = units(plant, METER, UnitStatus.SHIPPED)
        assert shipped, "the demo plant has shipped meters"
        station.scan(shipped[0])  # the trace: back to its lots, forward to its customer
        view = station.shell.home
        view.count_recall(ImpactScope(codes=(shipped[0],)))  # type: ignore[attr-defined]
        station.settle()


def walk(station: Station, kind: str) -> list[tuple[str, str]]:
    """Every text of every page the screen has (a tab's page is visible only when it is chosen)."""
    texts = station.texts()
    pages = getattr(station.shell.home, "pages", None)
    if pages is not None:
        for index in range(pages.count()):
            pages.setCurrentIndex(index)
            QApplication.processEvents()
            texts += [(f"{kind} page {index}: {where}", text) for where, text in station.texts()]
        pages.setCurrentIndex(0)
    return texts


def assert_plant_clock(station: Station) -> None:
    """The last actions are stamped on the plant's wall clock (Asia/Shanghai), like the tables
    beside them, not on this PC's (the tests run in UTC: 01:03 beside 09:03 is the bug)."""
    plant = ZoneInfo("Asia/Shanghai")
    around = {
        (dt.datetime.now(plant) + dt.timedelta(minutes=delta)).strftime("%H:%M") for delta in (-1, 0, 1)
    }
    recent = station.window.recent
    stamps = {recent.item(row).text()[:5] for row in range(recent.count())}
    assert stamps and stamps <= around, (stamps, around)


KINDS = ["RECEIVING", "PRODUCTION", "PACKING", "SHIPPING", "SUPERVISOR", "OVERVIEW"]
CODES = {"RECEIVING": "RCV-01", "PRODUCTION": "PRD-01", "PACKING": "PCK-01", "SHIPPING": "SHP-01"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_station_speaks_one_language_at_a_time(
    day: Plant, kind: str, qtbot: QtBot, tmp_path: Path, language: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "documents"))
    code = CODES.get(kind, "QA-01")
    station = Station(qtbot, day, code, "" if kind == "OVERVIEW" else kind, tmp_path, language)
    try:
        login = station.texts()  # the login, before anyone is logged in
        station.log_in(SUPERVISOR if kind in ("SUPERVISOR", "OVERVIEW") else OPERATOR)
        drive(station, kind, day)
        assert_plant_clock(station)
        chinese = leaks(login + walk(station, kind), "zh_CN", data_words(day, "zh_CN"))
        station.speak("en_US")
        english = leaks(walk(station, kind), "en_US", data_words(day, "en_US"))
    finally:
        station.close()
    assert not chinese and not english, "\n".join(["中文:", *chinese, "English:", *english])


@pytest.mark.parametrize("code", ["zh_CN", "en_US"])
def test_the_setup_dialog_speaks_its_language(qtbot: QtBot, language: Language, code: str) -> None:
    language.switch(code)
    dialog = SetupDialog(language=code)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not leaks(visible_texts(dialog), code, []), leaks(visible_texts(dialog), code, [])


# --- the documents ------------------------------------------------------------------------------


class Unhurried:
    """Progress for an export nobody cancels."""

    cancelled = False

    def report(self, done: int, total: int | None = None) -> None:
        pass

    def check(self) -> None:
        pass


@pytest.mark.parametrize("code", ["zh_CN", "en_US"])
def test_the_recall_list_speaks_the_language_it_was_made_in(day: Plant, tmp_path: Path, code: str) -> None:
    shipped = units(day, METER, UnitStatus.SHIPPED)
    scope = ImpactScope(codes=(shipped[0],))
    known = data_words(day, code)
    found: list[str] = []
    for kind in ("csv", "xlsx", "pdf"):
        path = tmp_path / f"recall.{kind}"
        export_recall(day.db, scope, path, kind, Unhurried(), language=code)
        if kind == "pdf":
            text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
            found += [f"pdf: {word}" for word in RAW.findall(text) if word in RAW_VALUES]
        else:
            found += leaks(((kind, text) for text in worded_cells(path)), code, known)
    assert not found, "\n".join(found)


def test_the_packing_list_names_kinds_in_words(day: Plant) -> None:
    """The packing list is for both sides of the border (every heading and name in both
    languages): no stored value of the domain (CARTON, SERIAL, SHIPPED...) in its text."""
    with day.db.session() as session:
        shipped = session.scalars(select(Shipment.code).order_by(Shipment.id)).first()
    assert shipped is not None
    pdf = PdfReader(io.BytesIO(packing_list_pdf(packing_list(day.db, shipped))))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    raw = RAW_VALUES | {level.value for level in ContainerLevel}
    assert shipped in text and not [word for word in RAW.findall(text) if word in raw]


# The recall list's columns said in words; the names beside them are in both languages on purpose
# (物料名称 and Item name), as are the headers.
WORDED = ("类型 Kind", "状态 Status", "位置 Place", "关联 Precision")
RAW = re.compile(r"\b[A-Z]+(?:_[A-Z]+)*\b")
RAW_VALUES = (
    {place.value for place in Place}
    | {status.value for status in UnitStatus}
    | {kind.value for kind in UnitKind}
    | {precision.value for precision in Precision}
)


def worded_cells(path: Path) -> list[str]:
    """The cells of the list's worded columns."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    else:
        sheet = load_workbook(path, read_only=True)["召回清单 Recall list"]
        rows = [
            ["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)
        ]
    header, *body = rows
    wanted = [header.index(title) for title in WORDED]
    return [row[column] for row in body for column in wanted]
