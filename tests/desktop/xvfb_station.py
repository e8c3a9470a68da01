"""A station window on a real X server, for the xdotool test: run as its own process (the test
suite's QApplication is offscreen), it builds the station shell on the database URL it is given and
prints what the operator would see, one line per change, for the test to read:

    READY <window id>         the window is shown (its X id, for xdotool)
    LOGIN <operator name>     a login went through
    BANNER <tone> <text>      the feedback banner changed
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.config import StationConfig
from desktop.shell import StationPlace, StationShell
from models.db import Database


def main(url: str) -> int:
    app = QApplication([sys.argv[0], "-platform", "xcb"])
    shell = StationShell(
        app,
        Database.connect(url),
        StationConfig(station_code="PRD-01", language="en_US"),
        StationPlace("PRD-01", "L1"),
    )

    def say(line: str) -> None:
        print(line, flush=True)

    shell.session.changed.connect(
        lambda operator, why: say(f"LOGIN {operator.name}" if operator else f"LOGOUT {why}")
    )
    shell.window.banner.shown.connect(lambda tone, text: say(f"BANNER {tone} {text}"))
    shell.window.resize(1024, 700)
    shell.window.show()
    QTimer.singleShot(200, lambda: say(f"READY {int(shell.window.winId())}"))
    status = app.exec()
    shell.close()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
