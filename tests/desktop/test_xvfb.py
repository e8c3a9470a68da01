"""The real window on a real X server (Xvfb), typed into by xdotool through XTEST, as a keyboard-
wedge scanner types: the burst reaches the station through the platform's own key events, not
through events a test builds. The station runs as its own process (this suite's Qt is offscreen)."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.plant import METER
from models import production
from tests.support import OPERATOR, SUPERVISOR, Plant

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def display() -> Iterator[str]:
    """A private X display: Xvfb picks a free number itself and writes it to a pipe."""
    assert shutil.which("Xvfb") and shutil.which("xdotool"), "scripts/setup-system --postgres installs them"
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as answer:
        number = answer.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(10)


class Station:
    """The station process and the lines it prints, read on a thread."""

    def __init__(self, url: str, display: str) -> None:
        environment = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "desktop" / "xvfb_station.py"), url],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} from the station; it said: {self.seen}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True, timeout=30)


def test_xdotool_types_a_scan_into_the_real_window(plant: Plant, display: str) -> None:
    production.create_work_order(
        plant.db, plant.actor(SUPERVISOR), code="WO-XVFB", item_code=METER, quantity=1
    )
    url = plant.db.engine.url.render_as_string(hide_password=False)
    plant.db.dispose()
    station = Station(url, display)
    try:
        window = station.wait_for("READY").split()[1]
        # No window manager on Xvfb: give the window the keyboard focus directly. Keys are then
        # typed through XTEST (no --window: that would send synthetic events instead).
        xdotool(display, "windowfocus", "--sync", window)
        # A wedge scanner: the badge as a burst of keys 2 ms apart, then Enter.
        xdotool(display, "type", "--delay", "2", OPERATOR)
        xdotool(display, "key", "Return")
        # A person types the PIN: 150 ms between keys, which must not count as a scan.
        xdotool(display, "type", "--delay", "150", "1234")
        xdotool(display, "key", "Return")
        assert station.wait_for("LOGIN") == "LOGIN 张伟 Zhang Wei"
        xdotool(display, "type", "--delay", "2", "WO-XVFB")
        xdotool(display, "key", "Return")
        answer = station.wait_for("BANNER ok Work order")
        assert "WO-XVFB" in answer
    finally:
        station.stop()
