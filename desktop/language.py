"""The language of the station, switched at runtime without a restart.

`Language.switch("zh_CN")` replaces the installed translators with the station's own catalogue
(resources/translations/tracestation_<code>.qm, built from the .ts sources by
scripts/build-translations) and Qt's base catalogue from the PySide6 wheel (qtbase_zh_CN.qm: the
standard buttons and dialogs), sets the default QLocale, and says so through `changed(code)`.
Installing and removing translators makes Qt send QEvent.LanguageChange to every widget; a widget
takes part by setting its texts in a `retranslate()` that its `changeEvent` calls on that event:

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

The event is posted, not sent: the texts change when the event loop next runs. A missing catalogue
is an error, never a quiet fall back to English.
"""

from __future__ import annotations

from contextlib import ExitStack
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

# The languages a station can run in: code -> the language's name in that language (for a menu).
LANGUAGES = {"zh_CN": "简体中文", "en_US": "English"}

# Qt's own catalogue for each language, as the PySide6 wheels ship it (English has no en_US one).
_QT_BASE = {"zh_CN": "qtbase_zh_CN.qm", "en_US": "qtbase_en.qm"}


class TranslationsMissing(FileNotFoundError):
    """A catalogue the language needs is not there (the translations were never built)."""


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


class Language(QObject):
    """Installs the translators of one language at a time; `current` is None until the first switch."""

    changed = Signal(str)  # the new language code

    def __init__(self, parent: QObject | None = None, catalogues: Traversable | None = None) -> None:
        """`catalogues`: where the station's .qm files are; by default resources/translations of the
        installed package (an editable install reads the source tree)."""
        super().__init__(parent)
        self._catalogues = catalogues if catalogues is not None else files("resources") / "translations"
        self._current: str | None = None
        self._translators: list[QTranslator] = []
        self._files = ExitStack()  # keeps a catalogue extracted from a zipped install alive while in use

    @staticmethod
    def available() -> dict[str, str]:
        """The language codes a station can switch to, each with its own name for itself."""
        return dict(LANGUAGES)

    @property
    def current(self) -> str | None:
        return self._current

    def switch(self, code: str) -> None:
        """Run the whole application in `code` from now on (GUI thread; the current language again:
        nothing happens). Raises TranslationsMissing, changing nothing, when a catalogue is missing;
        ValueError for a language the station does not have."""
        if code not in LANGUAGES:
            raise ValueError(f"No language {code!r}: the station has {', '.join(LANGUAGES)}")
        if QCoreApplication.instance() is None:
            raise RuntimeError("Create the QApplication before switching the language")
        if code == self._current:
            return
        # Load everything first: a missing catalogue must leave the current language as it is.
        files_now = ExitStack()
        try:
            translators = [
                _load(
                    files_now,
                    self._catalogues / f"tracestation_{code}.qm",
                    f"The {LANGUAGES[code]} ({code}) translations are not built",
                    "Build them with scripts/build-translations (scripts/run-tests and scripts/run-demo do).",
                ),
                _load(
                    files_now,
                    qt_translations_dir() / _QT_BASE[code],
                    f"Qt's own {code} translations are missing",
                    "The PySide6-Essentials wheel ships them: reinstall it.",
                ),
            ]
        except BaseException:
            files_now.close()
            raise
        self._remove()
        self._files, self._translators = files_now, translators
        for translator in translators:
            QCoreApplication.installTranslator(translator)
        QLocale.setDefault(QLocale(code))
        self._current = code
        self.changed.emit(code)

    def uninstall(self) -> None:
        """Remove this language's translators: the application shows its source texts (English)
        again, Qt's standard texts too. `current` is None until the next switch."""
        if self._current is None:
            return
        self._remove()
        self._current = None
        QLocale.setDefault(QLocale.system())

    def _remove(self) -> None:
        for translator in self._translators:
            QCoreApplication.removeTranslator(translator)
        self._translators = []  # deleted here, after their removal
        self._files.close()
        self._files = ExitStack()


def _load(stack: ExitStack, catalogue: Traversable, missing: str, remedy: str) -> QTranslator:
    if not catalogue.is_file():
        raise TranslationsMissing(f"{missing}: {catalogue} does not exist. {remedy}")
    path = stack.enter_context(as_file(catalogue))
    translator = QTranslator()  # no parent: owned by the Language, deleted when replaced
    if not translator.load(str(path)):
        raise TranslationsMissing(f"{missing}: {path} is not a Qt translation catalogue. {remedy}")
    return translator
