"""The chime the counter display plays when someone is called.

``resources/sounds/chime.wav`` (a soft two-note chime generated for Desk) through QSoundEffect
when Qt Multimedia is installed (PySide6-Addons); otherwise through the desktop's own sound player
(PipeWire's ``pw-play``, PulseAudio's ``paplay`` or ALSA's ``aplay``, started detached so the
display never waits); with none of them, the system beep. Either way ``rung`` is emitted, so a
test can tell that the display called someone.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QUrl, Signal
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

CHIME = Path(__file__).resolve().parents[3] / "resources" / "sounds" / "chime.wav"
SOUND_PLAYERS = ("pw-play", "paplay", "aplay")  # the first one found on PATH plays the chime


def sound_player() -> str | None:
    """The path of a command-line player for the chime, or None."""
    for name in SOUND_PLAYERS:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chime(QObject):
    rung = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._effect = None
        self._player: str | None = None
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:  # PySide6-Essentials only: the desktop's player, or the beep
            self._player = sound_player() if CHIME.exists() else None
            if self._player is None:
                log.info("No sound player found; the counter display beeps instead of its chime")
            return
        if CHIME.exists():
            self._effect = QSoundEffect(self)
            self._effect.setSource(QUrl.fromLocalFile(str(CHIME)))
            self._effect.setVolume(0.8)

    @property
    def plays_sound_file(self) -> bool:
        return self._effect is not None or self._player is not None

    def ring(self) -> None:
        if self._effect is not None:
            self._effect.play()
        elif self._player is not None and QProcess.startDetached(self._player, [str(CHIME)])[0]:
            pass
        else:
            QApplication.beep()
        self.rung.emit()
