"""The end-to-end flow's fixtures: the station harness (a real window, worker and runner).

Imported here rather than declared in the root conftest.py, so that tests/models and tests/printing
never import Qt, pytest-qt or the screens (they also run without PySide6; scripts/run-tests).
"""

from tests.station_harness import station  # noqa: F401  (a fixture: pytest finds it by name)
