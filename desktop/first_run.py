"""A PC's first start: the setup dialog, answered off the GUI thread, then the config file saved.

The dialog only asks (signals) and shows (slots); here its questions are answered on a worker: does
this PostgreSQL URL connect and carry the current schema, which stations and lines does that
database have, and, on OK, register the new station if one was described. The config file gets the
file's own settings plus the choice (never the environment's overrides).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEventLoop, QObject
from PySide6.QtWidgets import QDialog
from sqlalchemy.engine import URL

from desktop.config import FrozenTable, StationConfig, load_file, preview_folder, save
from desktop.language import Language
from desktop.runner import WorkRunner
from desktop.worker import DatabaseWorker
from models.db import Database, embedded_url
from models.errors import DomainError
from models.stations import list_lines, list_stations, register_station
from ui.messages import domain_message
from ui.setup_dialog import SetupChoice, SetupDialog


def database_url(url: str | None) -> str | URL:
    """The URL a choice means: the embedded SQLite file when none was given."""
    return url or embedded_url()


def _probe(url: str) -> str:
    """Connect and check the schema; the answer in words (raises when it cannot work)."""
    from models import migrate  # alembic: imported on the worker, when a schema is checked

    db = Database.connect(url)
    try:
        migrate.require_head(db)
        return db.engine.url.render_as_string(hide_password=True)
    finally:
        db.dispose()


def _stations(url: str) -> tuple[list, list]:  # type: ignore[type-arg]
    from models import migrate

    db = Database.connect(database_url(url))
    try:
        if not url:
            migrate.upgrade(db)  # the embedded database of a new PC is created here, at head
        return list_stations(db), list_lines(db)
    finally:
        db.dispose()


def _register(choice: SetupChoice, action_id: str) -> None:
    assert choice.new_station is not None
    name, kind, line_code = choice.new_station
    db = Database.connect(database_url(choice.database_url))
    try:
        register_station(
            db, code=choice.station_code, name=name, kind=kind, line_code=line_code, action_id=action_id
        )
    finally:
        db.dispose()


def _message(error: Exception) -> str:
    return domain_message(error) if isinstance(error, DomainError) else str(error)


def to_save(own: StationConfig, choice: SetupChoice, overrides: frozenset[str]) -> StationConfig:
    """The station's own file with the dialog's answers: a database URL the environment set
    (TRACESTATION_DATABASE_URL) stays the environment's and is never written into the file."""
    url = own.database_url if "database_url" in overrides else choice.database_url
    return replace(
        own,
        station_code=choice.station_code,
        language=choice.language,
        database_url=url,
        printer=FrozenTable(choice.printer),
    )


class FirstRun(QObject):
    def __init__(self, language: Language, config: StationConfig) -> None:
        super().__init__()
        self.language = language
        self.overrides = config.overrides
        self.dialog = SetupDialog(
            language=config.language,
            database_url=config.database_url,
            printer=dict(config.printer),
            preview_folder=preview_folder(),
        )
        # No database yet: the same worker and runner as a station's, with nothing to probe.
        self.runner = WorkRunner(DatabaseWorker(None, self.dialog), self.dialog)
        self.dialog.test_connection_requested.connect(self._test)
        self.dialog.stations_requested.connect(self._list)
        self.dialog.language_chosen.connect(language.switch)

    def _test(self, url: str) -> None:
        self.runner.ask(
            lambda: _probe(url),
            lambda where: self.dialog.show_connection_result(
                True, self.tr("Connected: {0}").format(where), url=url
            ),
            lambda error: self.dialog.show_connection_result(False, _message(error), url=url),
        )

    def _list(self, url: str) -> None:
        self.runner.ask(
            lambda: _stations(url),
            lambda found: self.dialog.show_stations(found[0], found[1], url=url),
            lambda error: self.dialog.show_error(_message(error)),
        )

    def run(self) -> StationConfig | None:
        """Show the dialog until it is cancelled or its choice is registered and saved."""
        action_id = str(uuid.uuid4())  # one per registration: a retry after an error is the same action
        while self.dialog.exec() == QDialog.DialogCode.Accepted:
            choice = self.dialog.choice()
            if choice.new_station is not None:
                problem = self._wait(functools.partial(_register, choice, action_id))
                if problem is not None:
                    self.dialog.show_error(problem)
                    continue
            config = to_save(load_file(), choice, self.overrides)
            save(config)
            self.runner.worker.wait()
            return config
        self.runner.worker.wait()
        return None

    def _wait(self, work: Callable[[], object]) -> str | None:
        """Run `work` on the worker with the event loop turning (the dialog stays painted)."""
        loop = QEventLoop()
        outcome: list[str | None] = []
        self.runner.ask(
            work,
            lambda _: (outcome.append(None), loop.quit()),
            lambda error: (outcome.append(_message(error)), loop.quit()),
        )
        loop.exec()
        return outcome[0]
