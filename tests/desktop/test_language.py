"""Simplified Chinese and English, switched at runtime: the station's own catalogue and Qt's, real
widgets retranslated by QEvent.LanguageChange, and no string of the code left untranslated."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLocale
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

import desktop.language
from desktop.language import Language, TranslationsMissing
from models.errors import DomainError, ErrorCode
from ui.login import LoginView
from ui.messages import domain_message, offline_message

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "resources" / "translations"
BUILD = "scripts/build-translations"


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    """The tests use the catalogues scripts/build-translations made (run-tests builds them first)."""
    for language in Language.available():
        ts = SOURCES / f"tracestation_{language}.ts"
        qm = ts.with_suffix(".qm")
        if not qm.is_file() or qm.stat().st_mtime < ts.stat().st_mtime:
            pytest.fail(f"{qm.relative_to(ROOT)} is missing or older than its .ts: run {BUILD}")


@pytest.fixture
def language(qapp) -> Iterator[Language]:  # type: ignore[no-untyped-def]
    language = Language()
    yield language
    language.uninstall()


class RetranslatingLogin(LoginView):
    """LoginView taking part in language changes the way every widget must (see desktop/language.py)."""

    def __init__(self, station_name: str) -> None:
        self.language_changes = 0
        super().__init__(station_name)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.language_changes += 1
            self.retranslate()
        super().changeEvent(event)


def texts(view: LoginView) -> tuple[str, str, str, str, str]:
    return (
        view.title.text(),
        view.badge_label.text(),
        view.pin_label.text(),
        view.badge.placeholderText(),
        view.button.text(),
    )


def cancel_text() -> str:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    try:
        return box.button(QDialogButtonBox.StandardButton.Cancel).text()
    finally:
        box.deleteLater()


def test_the_station_speaks_simplified_chinese_and_english() -> None:
    assert Language.available() == {"zh_CN": "简体中文", "en_US": "English"}
    assert Language().current is None


def test_a_live_screen_switches_to_chinese_and_back_without_a_restart(
    language: Language, qtbot: QtBot
) -> None:
    view = RetranslatingLogin("PRD-01")
    qtbot.addWidget(view)
    view.show()
    english = ("TraceStation · PRD-01", "Badge", "PIN", "Scan your badge", "Log in")
    assert texts(view) == english

    with qtbot.waitSignal(language.changed) as changed:
        language.switch("zh_CN")
    assert changed.args == ["zh_CN"] and language.current == "zh_CN"
    # The LanguageChange event is posted: the texts change once the event loop has run.
    qtbot.waitUntil(lambda: view.button.text() == "登录")
    assert texts(view) == ("TraceStation · PRD-01", "工牌", "密码", "请扫描工牌", "登录")
    assert QLocale().name() == "zh_CN"
    # Removing one catalogue and installing two is one LanguageChange for the widget, not three.
    assert view.language_changes == 1

    language.switch("en_US")
    qtbot.waitUntil(lambda: view.button.text() == "Log in")
    assert texts(view) == english
    assert language.current == "en_US" and QLocale().name() == "en_US"


def test_qt_own_texts_follow_the_language(language: Language) -> None:
    assert (desktop.language.qt_translations_dir() / "qtbase_zh_CN.qm").is_file()
    language.switch("zh_CN")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert cancel_text() == "取消"
    language.switch("en_US")
    assert cancel_text() == "Cancel"


def test_operator_messages_come_out_in_chinese(language: Language) -> None:
    assert offline_message() == "The database cannot be reached. Nothing was recorded."
    language.switch("zh_CN")
    assert offline_message() == "无法连接数据库，本次操作未记录。"
    wrong_pin = domain_message(DomainError(ErrorCode.WRONG_PIN, user="Li Wei", remaining=2))
    assert wrong_pin.startswith("密码错误") and "2" in wrong_pin
    language.uninstall()
    assert offline_message() == "The database cannot be reached. Nothing was recorded."
    assert language.current is None


def test_a_switch_to_the_same_language_changes_nothing(language: Language, qtbot: QtBot) -> None:
    language.switch("zh_CN")
    with qtbot.assertNotEmitted(language.changed):
        language.switch("zh_CN")


def test_unbuilt_translations_are_an_error_that_says_how_to_build_them(
    language: Language, tmp_path: Path
) -> None:
    language.switch("en_US")
    unbuilt = Language(catalogues=tmp_path)
    with pytest.raises(
        TranslationsMissing, match=r"tracestation_zh_CN\.qm does not exist.*build-translations"
    ):
        unbuilt.switch("zh_CN")
    # Nothing changed: no fall back, no half-installed language.
    assert unbuilt.current is None
    assert offline_message() == "The database cannot be reached. Nothing was recorded."
    assert QLocale().name() == "en_US"


def test_a_missing_qt_catalogue_is_an_error_too(
    language: Language, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(desktop.language, "qt_translations_dir", lambda: tmp_path)
    with pytest.raises(TranslationsMissing, match=r"qtbase_zh_CN\.qm does not exist.*PySide6"):
        language.switch("zh_CN")
    assert language.current is None and offline_message().startswith("The database")


def test_an_unknown_language_is_refused(language: Language) -> None:
    with pytest.raises(ValueError, match="zh_CN, en_US"):
        language.switch("zh_TW")


def test_the_catalogues_are_package_data() -> None:
    catalogues = files("resources") / "translations"
    for language in Language.available():
        assert (catalogues / f"tracestation_{language}.qm").is_file()


def test_a_tr_call_in_a_subclass_finds_its_base_class_translation(language: Language, qtbot: QtBot) -> None:
    """lupdate files self.tr() under the class the call is written in; PySide6 looks along the MRO."""
    language.switch("zh_CN")
    view = RetranslatingLogin("PRD-01")
    qtbot.addWidget(view)
    assert view.button.text() == "登录"


# --- The sources: every string of the code is in the .ts, translated, its placeholders kept -----


def test_the_translation_sources_hold_every_string_of_the_code() -> None:
    # A string added to ui/ or desktop/ without running the build (and translating) fails here.
    result = subprocess.run(
        [sys.executable, BUILD, "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def chinese_messages() -> list[tuple[str, str, ET.Element | None]]:
    root = ET.parse(SOURCES / "tracestation_zh_CN.ts").getroot()
    return [
        (context.findtext("name", ""), message.findtext("source", ""), message.find("translation"))
        for context in root.iter("context")
        for message in context.iter("message")
    ]


def test_every_string_has_a_finished_chinese_translation() -> None:
    messages = chinese_messages()
    assert {context for context, _, _ in messages} >= {"LoginView", "messages"}
    untranslated = [
        f"{context}: {source!r}"
        for context, source, translation in messages
        if translation is None
        or translation.get("type") in ("unfinished", "vanished", "obsolete")
        or not "".join(translation.itertext()).strip()
    ]
    assert not untranslated, f"translate these in {SOURCES / 'tracestation_zh_CN.ts'}: {untranslated}"


def test_every_translation_keeps_the_placeholders_and_the_shortcut_of_its_source() -> None:
    # A lost {0} drops a value without a word; a lost &X takes a keyboard-only station its shortcut.
    placeholder = re.compile(r"\{\d*\}|%n|%\d")
    shortcut = re.compile(r"(?<!&)&(?=[^&\s])")
    broken = [
        f"{context}: {source!r} -> {text!r}"
        for context, source, translation in chinese_messages()
        if translation is not None and translation.get("type") is None
        for text in ["".join(translation.itertext())]
        if sorted(placeholder.findall(source)) != sorted(placeholder.findall(text))
        or len(shortcut.findall(source)) != len(shortcut.findall(text))
    ]
    assert not broken, broken


# Chinese sentences take full-width punctuation (：，；？（）). What keeps its ASCII form: a key or a
# shortcut in parentheses, as Qt's own catalogues write them ("投料 (F1)", "物料(&I)"), and an address
# whose colons are syntax ("tcp://10.0.0.9:9100", "postgresql+psycopg2://用户名:密码@主机").
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
KEY_IN_PARENTHESES = re.compile(r"\((?:&\w|F\d{1,2}|Esc|Enter|Del|Ctrl\+\w+)\)")
ADDRESS = re.compile(r"\S+://\S+")
# A GS1 application identifier is written in ASCII parentheses, whatever the language: (01), (37).
GS1_AI = re.compile(r"\((?:\d{2,4}|\{\d\})\)")
ASCII_PUNCTUATION = re.compile(r"[,:;?()]")


def test_chinese_sentences_use_full_width_punctuation() -> None:
    wrong = [
        f"{context}: {source!r} -> {text!r}"
        for context, source, translation in chinese_messages()
        if translation is not None
        for text in ["".join(translation.itertext())]
        if CJK.search(text)
        and ASCII_PUNCTUATION.search(GS1_AI.sub("", ADDRESS.sub("", KEY_IN_PARENTHESES.sub("", text))))
    ]
    assert not wrong, "\n".join(wrong)
