"""Colours, all from the palette: Desk never paints a fixed colour that ignores the theme.

Each colour is either a palette role (text, window, base) or a tint mixed into the palette's
own background, or a light/dark pair chosen by the window colour's lightness. Text that sits
on a tint (conversation bubbles, banners, warnings) keeps at least 4.5:1 contrast (WCAG AA)
in both the light and the dark palette; ``contrast`` computes that ratio and the tests check it
on the colours the widgets actually use.

``DESK_THEME=dark`` (or ``light``) at start sets a dark (or light) Fusion palette whatever the
desktop's; without it Desk follows the system palette.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from desk.core.i18n import _

THEME_ENV = "DESK_THEME"


@dataclass(frozen=True)
class Pair:
    """One colour for a light palette and one for a dark one."""

    light: str
    dark: str


# Hues mixed into the background (tints) and used for borders, markers and chart lines.
BLUE = Pair("#3b73b9", "#6ea2e6")
AMBER = Pair("#c79a00", "#e0b440")
GREY = Pair("#8c8c8c", "#8c8c8c")
RED = Pair("#c0392b", "#e57368")
# Coloured text on the window or base colour (warnings, errors): dark enough on light, light on dark.
WARNING_TEXT = Pair("#8a5300", "#f2c46d")
ERROR_TEXT = Pair("#b00020", "#ff8a80")
# Chart series, one pair per line (the dark ones brighter, so they read on a dark plot).
SERIES = (Pair("#1f77b4", "#5fa8e8"), Pair("#d62728", "#ff7b72"), Pair("#2ca02c", "#6fd66f"),
          Pair("#9467bd", "#c3a1e8"), Pair("#c76500", "#ffab5c"), Pair("#0e8a96", "#5fe0ec"))


def palette(widget: QWidget | None = None) -> QPalette:
    if widget is not None:
        return widget.palette()
    app = QApplication.instance()
    return app.palette() if isinstance(app, QApplication) else QPalette()


def is_dark(pal: QPalette | None = None) -> bool:
    """Dark theme: the window colour is darker than mid-grey."""
    return (pal or palette()).color(QPalette.ColorRole.Window).lightnessF() < 0.5


def pick(pair: Pair, pal: QPalette | None = None) -> QColor:
    return QColor(pair.dark if is_dark(pal) else pair.light)


def mix(base: QColor, hue: QColor, amount: float) -> QColor:
    """``amount`` of ``hue`` over ``base`` (0: base, 1: hue)."""
    return QColor.fromRgbF(*(b + (h - b) * amount for b, h in
                             zip(base.getRgbF()[:3], hue.getRgbF()[:3], strict=True)))


def text(pal: QPalette | None = None) -> QColor:
    return (pal or palette()).color(QPalette.ColorRole.Text)


def window_text(pal: QPalette | None = None) -> QColor:
    return (pal or palette()).color(QPalette.ColorRole.WindowText)


def tint(pair: Pair, amount: float, pal: QPalette | None = None, *,
         role: QPalette.ColorRole = QPalette.ColorRole.Base) -> QColor:
    """A background: ``amount`` of the hue mixed into the palette's own ``role`` colour."""
    pal = pal or palette()
    return mix(pal.color(role), pick(pair, pal), amount)


@dataclass(frozen=True)
class Bubble:
    """One kind of message in the conversation."""

    background: QColor
    border: QColor
    text: QColor


def bubbles(pal: QPalette | None = None) -> dict[str, Bubble]:
    """Request and the requester's replies (grey), public replies (blue), internal notes (amber)."""
    pal = pal or palette()
    dark = is_dark(pal)
    return {
        "request": Bubble(tint(GREY, 0.16 if dark else 0.10, pal), pick(GREY, pal), text(pal)),
        "public": Bubble(tint(BLUE, 0.22 if dark else 0.10, pal), pick(BLUE, pal), text(pal)),
        "note": Bubble(tint(AMBER, 0.20 if dark else 0.22, pal), pick(AMBER, pal), text(pal)),
    }


def set_colours(widget: QWidget, *, background: QColor | None = None, foreground: QColor | None = None,
                base: QColor | None = None) -> None:
    """Paint ``widget`` with these colours through its palette (so what is painted is what the
    palette says, and the contrast tests read the real thing)."""
    pal = QPalette(widget.palette())
    if background is not None:
        pal.setColor(QPalette.ColorRole.Window, background)
        widget.setAutoFillBackground(True)
    if foreground is not None:
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
            pal.setColor(role, foreground)
    if base is not None:
        pal.setColor(QPalette.ColorRole.Base, base)
    widget.setPalette(pal)


def banner(widget: QWidget, hue: Pair) -> None:
    """A banner: a tint of ``hue`` over the window colour, the window's own text colour."""
    pal = palette()
    set_colours(widget, background=tint(hue, 0.24 if is_dark(pal) else 0.20, pal, role=QPalette.ColorRole.Window),
                foreground=window_text(pal))


class _PaletteFollower(QObject):
    """Re-applies a widget's theme colours when the application's palette changes. A child
    widget hears of that only as its own PaletteChange (top-level windows also get an
    ApplicationPaletteChange), and our own setPalette causes one too: the application palette's
    cache key tells a new theme from our own repaint, so nothing loops."""

    def __init__(self, widget: QWidget, apply: Callable[[], None]) -> None:
        super().__init__(widget)
        self.apply = apply
        self.applied_for = palette().cacheKey()
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) \
                and palette().cacheKey() != self.applied_for:
            self.applied_for = palette().cacheKey()
            # After the widget has taken the new palette (filters run before its own handler).
            QTimer.singleShot(0, self, self.apply)
        return False


def follow(widget: QWidget, apply: Callable[[], None]) -> None:
    """Run ``apply`` now and again whenever the application's palette changes (colours set on
    a widget's own palette would otherwise stay those of the old theme)."""
    apply()
    _PaletteFollower(widget, apply)


def css(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexRgb)


def warning_css(pal: QPalette | None = None) -> str:
    return css(pick(WARNING_TEXT, pal))


def error_css(pal: QPalette | None = None) -> str:
    return css(pick(ERROR_TEXT, pal))


def series_colour(index: int, pal: QPalette | None = None) -> QColor:
    return pick(SERIES[index % len(SERIES)], pal)


# -- contrast (WCAG 2.x) ---------------------------------------------------------------------------
def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour.getRgbF()[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: QColor, second: QColor) -> float:
    """The WCAG contrast ratio, 1 to 21; AA asks ≥ 4.5 for normal text."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# -- light and dark palettes -----------------------------------------------------------------------
def dark_palette() -> QPalette:
    pal = QPalette()
    roles = QPalette.ColorRole
    for role, value in (
        (roles.Window, "#2b2b2b"), (roles.WindowText, "#e8e8e8"), (roles.Base, "#1f1f1f"),
        (roles.AlternateBase, "#2a2a2a"), (roles.Text, "#e8e8e8"), (roles.Button, "#353535"),
        (roles.ButtonText, "#e8e8e8"), (roles.ToolTipBase, "#3a3a3a"), (roles.ToolTipText, "#f0f0f0"),
        (roles.Highlight, "#3d7cc9"), (roles.HighlightedText, "#ffffff"), (roles.Link, "#8ab4f8"),
        (roles.LinkVisited, "#c58af9"), (roles.PlaceholderText, "#a0a0a0"), (roles.BrightText, "#ff8a80"),
        (roles.Light, "#505050"), (roles.Midlight, "#404040"), (roles.Mid, "#303030"), (roles.Dark, "#1a1a1a"),
        (roles.Shadow, "#000000"),
    ):
        pal.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(disabled, role, QColor("#7a7a7a"))
    return pal


def light_palette() -> QPalette:
    pal = QPalette()
    roles = QPalette.ColorRole
    for role, value in ((roles.Window, "#efefef"), (roles.WindowText, "#1a1a1a"), (roles.Base, "#ffffff"),
                        (roles.AlternateBase, "#f5f5f5"), (roles.Text, "#1a1a1a"), (roles.Button, "#e8e8e8"),
                        (roles.ButtonText, "#1a1a1a"), (roles.Highlight, "#3071c2"),
                        (roles.HighlightedText, "#ffffff"), (roles.Link, "#0b57d0"),
                        (roles.PlaceholderText, "#6b6b6b"), (roles.ToolTipBase, "#ffffdc"),
                        (roles.ToolTipText, "#1a1a1a")):
        pal.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled  # setColor set every group: greyed-out must look it
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(disabled, role, QColor("#8c8c8c"))
    return pal


def apply_from_environment(app: QApplication) -> None:
    """``DESK_THEME=dark|light``: that palette (on the Fusion style, which honours palettes)."""
    chosen = os.environ.get(THEME_ENV, "").strip().lower()
    if chosen in ("dark", "light"):
        app.setStyle(_("Fusion"))
        app.setPalette(dark_palette() if chosen == "dark" else light_palette())
