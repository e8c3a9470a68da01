"""Search to tree shown, in the supervisor's trace window, on the demo plant and on a generated plant.

    python tests/benchmarks/bench_trace_view.py [--scale M] [--url URL] [--runs 20] [--keep]

The real station shell of a supervisor station (offscreen Qt): `SupervisorView.trace(code)` is what
the search field's Enter calls; the clock stops when the backward and forward trees and the
timeline are shown (the trees' first level expanded), i.e. when the supervisor can read them. The
queries run on the database worker, so the figure includes the worker's round trip and the models'
work on the GUI thread. While each trace runs, a 10 ms timer on the GUI thread records the longest
gap between its ticks: the window's responsiveness (a gap over ~100 ms is felt).

First the demo plant (embedded SQLite, `tracestation-admin demo seed`): its example serial, the
held battery lot and a shipment. Then the generated plant (tests/benchmarks/plantgen.py; M is one
plant-year, 1M finished units): a finished serial (backward), the median and the largest supplier
lot (forward). Without --url it builds a fresh PostgreSQL database (~2 min at M) and drops it
unless --keep. It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.app import calm_garbage_collector  # noqa: E402
from desktop.config import StationConfig  # noqa: E402
from desktop.shell import StationPlace, StationShell  # noqa: E402
from models.db import Database  # noqa: E402
from tests.benchmarks import plantgen  # noqa: E402
from tests.benchmarks.bench_trace import generated_plant  # noqa: E402
from ui.supervisor.trace_view import TraceView  # noqa: E402
from ui.supervisor.view import SupervisorView  # noqa: E402

ADMIN_URL = os.environ.get(
    "TRACESTATION_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Window:
    """A supervisor station on `db`, and a stopwatch on its trace."""

    def __init__(self, app: QApplication, db: Database) -> None:
        self.app = app
        self.shell = StationShell(
            app,
            db,
            StationConfig(station_code="QA-01", language="en_US"),
            StationPlace("QA-01", "", "SUPERVISOR"),
        )
        self.shell.window.resize(1280, 800)
        self.shell.window.show()
        calm_garbage_collector()  # as desktop.app.main does once the window is up
        assert isinstance(self.shell.home, SupervisorView)
        self.screen = self.shell.home
        self.view: TraceView = self.shell.home.trace_view

    def trace(self, code: str) -> tuple[float, float, int]:
        """Seconds from the search to the trees shown, the longest event-loop gap, units shown."""
        gaps: list[float] = []
        ticks = QElapsedTimer()
        ticks.start()

        def tick() -> None:
            gaps.append(ticks.restart() / 1000)

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        timer.start()
        started = time.perf_counter()
        self.screen.trace(code)
        loop = QEventLoop()
        while self.view.busy:
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        elapsed = time.perf_counter() - started
        gaps.append(ticks.elapsed() / 1000)  # since the last tick (or the start) until shown
        timer.stop()
        if self.view.status.text():
            raise SystemExit(f"{code}: {self.view.status.text()}")
        root = self.view.backward_model.index(0, 0)
        shown = self.view.backward_model.rowCount(root) + self.view.forward_model.rowCount(
            self.view.forward_model.index(0, 0)
        )
        return elapsed, max(gaps, default=0.0), shown

    def close(self) -> None:
        self.shell.close()
        self.shell.window.close()


def measure(window: Window, label: str, code: str, runs: int) -> None:
    window.trace(code)  # the first run warms the caches; reported apart
    times, gaps = [], []
    shown = 0
    for _ in range(runs):
        elapsed, gap, shown = window.trace(code)
        times.append(elapsed * 1000)
        gaps.append(gap * 1000)
    print(
        f"  {label:<44} p50 {statistics.median(times):8.1f} ms  p95 {percentile(times, 0.95):8.1f} ms"
        f"  longest GUI gap {max(gaps):6.1f} ms  ({shown} rows at the first level)"
    )


def demo(app: QApplication, runs: int) -> None:
    from demo.history import seed
    from models.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="tracestation-bench-") as folder:
        db = Database.connect(f"sqlite:///{Path(folder) / 'demo.sqlite3'}")
        upgrade(db)
        summary = seed(db)
        window = Window(app, db)
        print("demo plant, embedded SQLite:")
        measure(window, f"serial {summary.example_serial} (both ways)", summary.example_serial, runs)
        measure(window, f"held battery lot {summary.held_lot}", summary.held_lot, runs)
        measure(window, "shipment SH-0001", "SH-0001", runs)
        window.close()
        db.dispose()


def generated(app: QApplication, scale_name: str, url: str | None, runs: int, keep: bool) -> None:
    with generated_plant(scale_name, url, keep) as (db, _, manifest):
        window = Window(app, db)
        print(f"generated plant, scale {scale_name}, PostgreSQL:")
        serial = next(iter(manifest.finished_codes.values())).code
        measure(window, f"finished serial {serial}", serial, runs)
        reach = manifest.lot_reach
        measure(
            window,
            f"median lot {manifest.median_lot_code} ({reach[manifest.median_lot_code]} finished)",
            manifest.median_lot_code,
            max(3, runs // 4),
        )
        measure(
            window,
            f"largest lot {manifest.largest_lot_code} ({reach[manifest.largest_lot_code]} finished)",
            manifest.largest_lot_code,
            max(3, runs // 4),
        )
        window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(plantgen.SCALES), default="M")
    parser.add_argument("--url", help="reuse a database plantgen built (same scale and seed)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database built for this run")
    parser.add_argument("--demo-only", action="store_true", help="skip the generated plant")
    args = parser.parse_args()
    app = QApplication(["tracestation-bench"])
    demo(app, args.runs)
    if not args.demo_only:
        generated(app, args.scale, args.url, args.runs, args.keep)


if __name__ == "__main__":
    main()
