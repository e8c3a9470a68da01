"""`tracestation`: the station application.

Start: read the station config (a mistake in it stops the start with the file, key and value),
switch to its language, run the first-run setup if this PC is no station yet, check on the worker
that the database has the schema this code was built for and knows the station, then open the
station window on the login.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Sequence
from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel

from desktop.shell import StationCheck
from models.db import Database
from models.errors import DomainError

WINDOW_SIZE = (1280, 800)  # [station] window = "window": a developer's or a trial's desktop


def schema_problem(db: Database) -> str | None:
    """Why this station must not start on this database, in words an installer can act on."""
    from models import migrate  # alembic takes half a second to import: on the worker, not at start

    try:
        migrate.require_head(db)
    except DomainError as error:
        return _schema_words(db, error)
    return None


def _schema_words(db: Database, error: DomainError) -> str:
    current = error.params["current"] or "empty"
    return (
        f"The database {db.engine.url.render_as_string(hide_password=True)} has schema {current}; "
        f"this TraceStation needs {error.params['head']}. Upgrade it with: {error.params['command']}"
    )


def _check(db: Database, station_code: str) -> StationCheck:
    """The schema, then the station: both must be right before anyone logs in here."""
    from models import migrate
    from models.overview import plant_timezone
    from models.stations import list_stations

    try:
        migrate.require_head(db)
    except DomainError as error:
        current = error.params["current"] or "empty"
        return StationCheck(
            problem="schema", params=(current, error.params["head"]), detail=_schema_words(db, error)
        )
    for station in list_stations(db):
        if station.code == station_code:
            # Both names: the header follows the operator's language, not the one it started in.
            line = station.line_code or ""
            return StationCheck(
                station.line_name_zh or line,
                str(station.kind.value),
                line_en=station.line_name_en or line,
                zone=plant_timezone(db).key,
            )
    return StationCheck(
        problem="station",
        params=(station_code,),
        detail=(
            f"The database has no active station {station_code!r}. Set TRACESTATION_STATION or [station] "
            "code in the station config to one of its stations, or remove the code to run the setup again."
        ),
    )


# Python's default thresholds (700, 10, 10) run a full collection every few ten thousand new
# objects; a forward trace of a large lot makes a million of them (37k units with their edges and
# the picture's layout), and each full collection walks every object the station holds, with the
# GIL held: the window froze for 100-300 ms at a time on the 1M-unit benchmark plant
# (tests/benchmarks/bench_trace_view.py). A larger first threshold makes collections rare and
# freezing what the start created keeps them from walking it again; reference counting still frees
# everything that is not a cycle at once.
GC_THRESHOLDS = (50_000, 20, 100)


def calm_garbage_collector() -> None:
    """After the start: the long-lived objects out of the collector's way, collections rarer."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def main(argv: Sequence[str] | None = None) -> int:
    from desktop.config import ConfigError, load
    from desktop.first_run import FirstRun, database_url
    from desktop.language import Language, TranslationsMissing
    from desktop.shell import StationPlace, StationShell

    # One application per process: a benchmark or a test that made it first gets this station in it.
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication(list(sys.argv if argv is None else argv))
    )
    app.setApplicationName("TraceStation")
    app.setStyleSheet(resources.files("resources").joinpath("station.qss").read_text(encoding="utf-8"))

    def stop(message: str) -> int:
        """A station that cannot start (its config file is wrong, its translations unbuilt): said to
        IT on the screen and on stderr, in a plain window, never a modal box that a scanner's
        Enter would answer and dismiss. Closing the window (or Ctrl+Q) ends the process."""
        print(message, file=sys.stderr)
        window = QLabel(message)
        window.setObjectName("cannotStart")
        window.setWindowTitle("TraceStation")
        window.setWordWrap(True)
        window.setMargin(32)
        window.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        window.resize(*WINDOW_SIZE)
        QShortcut(QKeySequence("Ctrl+Q"), window, window.close)
        window.show()
        app.exec()
        return 2

    language = Language(app)
    try:
        config = load()
        language.switch(config.language)
    except (ConfigError, TranslationsMissing) as error:
        return stop(str(error))
    if not config.is_set_up:
        chosen = FirstRun(language, config).run()
        if chosen is None:
            return 1
        config = load()  # the saved file again, with the environment's overrides on top
    assert config.station_code is not None

    db = Database.for_station(database_url(config.database_url))
    station_code = config.station_code
    # The window first, on the login: the check runs on its worker, ahead of anything the operator
    # does there; a database that is down, too old or does not know this station is said on the
    # station itself (the details in the log), and the station goes on once the database answers.
    shell = StationShell(app, db, config, StationPlace(station_code, ""), switch_language=language.switch)
    if config.window == "fullscreen":
        # A station PC: the screen is the station, nothing around it. The geometry first: without a
        # window manager (a kiosk X session) the full-screen state alone keeps the size hint.
        shell.window.setGeometry(app.primaryScreen().geometry())
        shell.window.showFullScreen()
    else:
        shell.window.resize(*WINDOW_SIZE)
        shell.window.show()
    calm_garbage_collector()
    shell.check_station(functools.partial(_check, db, station_code))
    status = app.exec()
    shell.close()
    shell.window.close()
    shell.window.deleteLater()
    language.uninstall()
    db.dispose()
    return status


if __name__ == "__main__":
    sys.exit(main())
