"""The chime the counter display plays when someone is called.

``resources/sounds/chime.wav`` (a soft two-note chime generated for Desk) through QSoundEffect
when Qt Multimedia is installed (PySide6-Addons); otherwise the system beep, which every desktop
has. Either way ``rung`` is emitted, so a test can tell that the display called someone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

CHIME = Path(__file__).resolve().parents[3] / "resources" / "sounds" / "chime.wav"


class Chime(QObject):
    rung = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._effect = None
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:  # PySide6-Essentials only: the beep will do
            log.info("Qt Multimedia is not installed; the counter display beeps instead of its chime")
            return
        if CHIME.exists():
            self._effect = QSoundEffect(self)
            self._effect.setSource(QUrl.fromLocalFile(str(CHIME)))
            self._effect.setVolume(0.8)

    @property
    def plays_sound_file(self) -> bool:
        return self._effect is not None

    def ring(self) -> None:
        if self._effect is not None:
            self._effect.play()
        else:
            QApplication.beep()
        self.rung.emit()
