"""Station speed: cold start to the login screen, and scan to banner.

    python tests/benchmarks/bench_station.py [--starts 5] [--scans 100]

Cold start: a new Python process, from before it is spawned until the station window is on screen
on its login (interpreter, imports, config, translations, the schema and station checks, the
window), on the demo plant in an embedded SQLite database. Goal: <= 2 s.
Scan to banner: a wedge scanner's burst sent to the window as key events, until the green banner
with the answer is shown (the worker's database round trip included). Offscreen Qt.
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CHILD = """
import sys, time
started = float(sys.argv[1])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(["tracestation"])
from desktop.app import main
from ui.station_window import StationWindow

def look():
    for window in app.topLevelWidgets():
        if isinstance(window, StationWindow) and window.isVisible() and window.windowHandle().isExposed():
            print(time.time() - started, flush=True)
            app.quit()
            return
    QTimer.singleShot(1, look)

QTimer.singleShot(0, look)
main(["tracestation"])
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def prepare(folder: Path) -> dict[str, str]:
    from demo.history import seed
    from models.db import Database
    from models.migrate import upgrade

    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    db = Database.connect(url)
    upgrade(db)
    seed(db)
    db.dispose()
    config = folder / "station.toml"
    config.write_text('version = 1\n[station]\ncode = "PRD-01"\nlanguage = "zh_CN"\n', encoding="utf-8")
    return {**os.environ, "TRACESTATION_CONFIG": str(config), "TRACESTATION_DATABASE_URL": url}


def cold_starts(environment: dict[str, str], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.time()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(started)],
            env=environment,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        seconds.append(float(done.stdout.strip().splitlines()[-1]))
    return seconds


def scans(environment: dict[str, str], count: int) -> list[float]:
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.config import StationConfig
    from desktop.shell import StationPlace, StationShell
    from models.db import Database
    from tests.desktop.keys import scanner_burst

    app = QApplication.instance() or QApplication(["bench"])
    db = Database.connect(environment["TRACESTATION_DATABASE_URL"])
    shell = StationShell(
        app, db, StationConfig(station_code="PRD-01", language="en_US"), StationPlace("PRD-01", "L1")
    )
    shell.window.show()
    loop = QEventLoop()
    shell.session.changed.connect(lambda *_: loop.quit())
    shell.session.login("EMP1001", "1234")
    loop.exec()
    codes = _some_codes(db)
    latencies: list[float] = []
    for index in range(count):
        wait = QEventLoop()

        def answered(tone: str, text: str, wait: QEventLoop = wait) -> None:
            if tone in ("ok", "error"):
                wait.quit()

        shell.window.banner.shown.connect(answered)
        QTimer.singleShot(10_000, wait.quit)
        started = time.perf_counter()
        scanner_burst(shell.window.windowHandle(), codes[index % len(codes)])
        wait.exec()
        latencies.append((time.perf_counter() - started) * 1000)
        shell.window.banner.shown.disconnect(answered)
    shell.close()
    shell.window.close()
    shell.window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    db.dispose()
    return latencies


def _some_codes(db: object) -> list[str]:
    from sqlalchemy import select

    from models.schema import Unit

    with db.session() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(Unit.code).order_by(Unit.id).limit(50)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--scans", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracestation-bench-") as folder:
        environment = prepare(Path(folder))
        starts = cold_starts(environment, args.starts)
        print(
            f"cold start to login screen: median {statistics.median(starts):.2f} s, "
            f"best {min(starts):.2f} s, worst {max(starts):.2f} s over {len(starts)} starts (goal <= 2 s)"
        )
        latencies = scans(environment, args.scans)
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        print(
            f"scan to banner: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(latencies):.1f} ms "
            f"over {len(latencies)} scans (resolve on the worker, SQLite)"
        )


if __name__ == "__main__":
    main()
