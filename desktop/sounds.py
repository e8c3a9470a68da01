"""The OK and the error sound: an operator looking at the part, not the screen, still hears whether
the scan counted.

QSoundEffect (QtMultimedia) plays the short WAV files in resources/sounds with low latency. A
station PC without a working audio device cannot play them; that is shown in the window's header
("No sound") instead of being hidden, so the missing speaker gets fixed.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QSoundEffect

SOUNDS = ("ok", "error")


class Sounds(QObject):
    played = Signal(str)  # "ok" or "error": asked of the audio device
    available_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._effects: dict[str, QSoundEffect] = {}
        self._available = True
        folder = resources.files("resources").joinpath("sounds")
        for name in SOUNDS:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(folder.joinpath(f"{name}.wav"))))
            effect.statusChanged.connect(self._status_changed)
            self._effects[name] = effect
        self._status_changed()

    @property
    def available(self) -> bool:
        return self._available

    def ok(self) -> None:
        self._play("ok")

    def error(self) -> None:
        self._play("error")

    def _play(self, name: str) -> None:
        self._effects[name].play()
        self.played.emit(name)

    def _status_changed(self) -> None:
        available = all(effect.status() != QSoundEffect.Status.Error for effect in self._effects.values())
        if available != self._available:
            self._available = available
            self.available_changed.emit(available)
