"""`tracestation`: the station application.

Until the station shell (login, scanner, screens) lands, the station opens on the plant overview.
Before anything else it checks that the database schema is the one this code was built for.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from models import migrate
from models.db import Database
from models.errors import DomainError


def schema_problem(db: Database) -> str | None:
    """Why this station must not start on this database, in words an installer can act on."""
    try:
        migrate.require_head(db)
    except DomainError as error:
        current = error.params["current"] or "empty"
        return (
            f"The database {db.engine.url.render_as_string(hide_password=True)} has schema {current}; "
            f"this TraceStation needs {error.params['head']}. Upgrade it with: {error.params['command']}"
        )
    return None


def main(argv: Sequence[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

    from desktop.worker import DatabaseWorker
    from models.overview import plant_overview
    from ui.overview import OverviewView

    app = QApplication(list(sys.argv if argv is None else argv))
    app.setApplicationName("TraceStation")
    db = Database.connect()
    problem = schema_problem(db)
    if problem is not None:
        print(problem, file=sys.stderr)
        QMessageBox.critical(None, "TraceStation", problem)
        return 2

    window = QMainWindow()
    window.setWindowTitle("TraceStation")
    view = OverviewView()
    window.setCentralWidget(view)
    worker = DatabaseWorker(db, window)

    def load() -> None:
        worker.submit(
            lambda: plant_overview(db), view.show_overview, lambda error: view.show_error(str(error))
        )

    view.refresh_requested.connect(load)
    load()
    window.resize(1024, 720)
    window.show()
    status = app.exec()
    worker.wait()
    db.dispose()
    return status


if __name__ == "__main__":
    sys.exit(main())
