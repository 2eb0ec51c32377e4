"""What every stats chart shares (pyqtgraph): a title, a hover read-out, PNG and CSV export.

* Colours follow the palette (``desk.ui.theme``): plot background, axes, text and series.
* The mouse wheel over a chart scrolls the page as anywhere else; Ctrl+wheel zooms the chart,
  and "Reset" (or a double-click) puts it back.
* A period with nothing to draw says so ("No tickets in this period") instead of empty axes.
* PNG export draws the chart at a size that reads in a report (1600×900 unless asked) with its
  title, the period, the filters and the desk's name above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QHBoxLayout,
    QLabel,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from desk.core import errors, files
from desk.core.i18n import N_, _
from desk.core.stats import export as ex
from desk.ui import theme
from desk.ui.errors import report_errors
from desk.ui.stats.saving import ask_save_path, file_stem, say_saved
from desk.ui.widgets import button

EXPORT_SIZE = QSize(1600, 900)
NO_TICKETS = N_("No tickets in this period")
ZOOM_STEP = 0.85  # one Ctrl+wheel notch


@dataclass(frozen=True)
class ExportCaption:
    """What a chart picture says about itself: the period, the filters, the desk."""

    period: str = ""  # "2026-11-02 to 2026-12-01"
    filters: str = ""  # "Channel: walk-in" or "" for none
    desk: str = ""  # the desk_name setting, "" when there is none


class ChartView(pg.PlotWidget):
    """A plot that lets the page scroll: a plain wheel is passed on to the scroll area, only
    Ctrl+wheel zooms (about the pointer); a double-click resets."""

    zoomed = Signal(bool)  # whether the view is zoomed away from its own range

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseEnabled(x=False, y=False)  # no drag, no wheel zoom of its own
        self.home: Callable[[], None] = self.autoRange

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._scroll_page(event)
            return
        steps = event.angleDelta().y() / 120
        if steps:
            box = self.getPlotItem().vb
            factor = ZOOM_STEP ** steps
            box.scaleBy((factor, factor), center=box.mapSceneToView(self.mapToScene(event.position().toPoint())))
            self.zoomed.emit(True)
        event.accept()

    def _scroll_page(self, event: QWheelEvent) -> None:
        """Hand the wheel to the page's scroll bar, as QScrollArea does with its own wheel (an
        ignored event would not reach it: Qt does not pass synthesized wheel events on)."""
        page = self.parentWidget()
        while page is not None and not isinstance(page, QAbstractScrollArea):
            page = page.parentWidget()
        if page is None:
            event.ignore()
            return
        vertical = abs(event.angleDelta().y()) >= abs(event.angleDelta().x())
        QApplication.sendEvent(page.verticalScrollBar() if vertical else page.horizontalScrollBar(), event)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.reset()
        event.accept()

    def reset(self) -> None:
        self.home()
        self.zoomed.emit(False)


class Chart(QWidget):
    """A titled plot. Subclasses draw in ``show_data`` and answer ``hover_text(x, y)``."""

    saved = Signal(str)  # "Saved … to …", after an export

    def __init__(self, title: str, description: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.table: ex.Table | None = None
        self.caption = ExportCaption()
        self.setAccessibleName(f"{title} chart")
        self.setToolTip(description)
        self.plot = ChartView(self)
        self.plot.setAccessibleName(f"{title} plot")
        self.plot.setToolTip(description + _(" — Ctrl+wheel zooms, double-click resets"))
        self.plot.setMinimumHeight(220)
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().hideButtons()
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        self.empty = QLabel(_(NO_TICKETS), self)
        self.empty.setAccessibleName(f"{title}: nothing to show")
        self.empty.setToolTip(_("Nothing to draw for this period and these filters"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMinimumHeight(220)
        self.stack = QStackedLayout()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.empty)
        self.hover = QLabel(" ", self)
        self.hover.setAccessibleName(f"{title} value under the pointer")
        self.hover.setToolTip(_("Point at the chart to read its values"))
        heading = QLabel(title, self)
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        self.reset_button = button(_("Reset"), _('Show the whole {title} chart again (or double-click it)').format(title=title), self,
                                   name=f"Reset {title} zoom", slot=self.plot.reset)
        self.reset_button.setEnabled(False)
        self.plot.zoomed.connect(self.reset_button.setEnabled)
        header = QHBoxLayout()
        header.addWidget(heading, 1)
        header.addWidget(self.reset_button)
        header.addWidget(button(_("PNG…"), _('Save the {title} chart as a PNG image').format(title=title), self, name=f"Save {title} as PNG", slot=self._ask_png))
        header.addWidget(button(_("CSV…"), _('Save the numbers of {title} as CSV').format(title=title), self, name=f"Save {title} as CSV", slot=self._ask_csv))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addLayout(self.stack, 1)
        layout.addWidget(self.hover)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.follow_palette()
        self.show_empty(True, _("Computing…"))  # until the first numbers arrive: no empty axes

    # -- theme ----------------------------------------------------------------------------------
    def follow_palette(self) -> None:
        """Background, axes and grid from the palette (called again when it changes)."""
        pal = self.palette()
        self.plot.setBackground(pal.color(pal.ColorRole.Base))
        ink = theme.text(pal)
        item = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(ink))
            axis.setTextPen(pg.mkPen(ink))
        if item.legend is not None:
            item.legend.setLabelTextColor(ink)
            item.legend.setBrush(pg.mkBrush(self.legend_fill()))

    def legend_fill(self) -> QColor:
        fill = QColor(self.palette().color(self.palette().ColorRole.Base))
        fill.setAlpha(215)
        return fill

    def changeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self.follow_palette()

    def colour(self, index: int) -> QColor:
        return theme.series_colour(index, self.palette())

    def show_empty(self, empty: bool, message: str = NO_TICKETS) -> None:
        """Say there is nothing to draw, instead of axes with nothing on them."""
        self.empty.setText(_(message))
        self.stack.setCurrentWidget(self.empty if empty else self.plot)
        if empty:
            self.hover.setText(" ")

    @property
    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty

    def _mouse_moved(self, position: QPointF) -> None:
        view = self.plot.getPlotItem().vb
        if not self.plot.sceneBoundingRect().contains(position):
            return
        point = view.mapSceneToView(position)
        self.hover.setText(self.hover_text(point.x(), point.y()) or " ")

    def hover_text(self, x: float, y: float) -> str:
        return ""

    # -- exports --------------------------------------------------------------------------------
    def caption_lines(self) -> list[str]:
        c = self.caption
        second = [part for part in (c.period, _('Filters: {filters}').format(filters=c.filters) if c.filters else _("No filters"), c.desk)
                  if part]
        return [self.title, " · ".join(second)]

    def png(self, size: QSize = EXPORT_SIZE) -> bytes:
        """The chart as PNG bytes at ``size``, titled; FileError when Qt cannot encode it
        (``QPixmap.save`` only answers False, so the False is turned into an error here)."""
        return png_bytes(self.picture(size), what=_('The {title} chart').format(title=self.title))

    def picture(self, size: QSize = EXPORT_SIZE) -> QPixmap:
        """The title lines, then the plot drawn at the size left (not a stretched screenshot)."""
        pal = self.palette()
        picture = QPixmap(size)
        picture.fill(pal.color(pal.ColorRole.Base))
        painter = QPainter(picture)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(theme.text(pal))
            title_font = QFont(self.font())
            title_font.setPointSizeF(max(14.0, size.height() / 36))
            title_font.setBold(True)
            line_font = QFont(self.font())
            line_font.setPointSizeF(max(10.0, size.height() / 60))
            margin = size.width() // 50
            top = margin
            for font, text in zip((title_font, line_font), self.caption_lines(), strict=True):
                painter.setFont(font)
                height = painter.fontMetrics().height()
                painter.drawText(QRectF(margin, top, size.width() - 2 * margin, height),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
                top += height + margin // 3
            area = QRectF(margin, top + margin / 2, size.width() - 2 * margin, size.height() - top - 1.5 * margin)
            if self.is_empty:
                painter.setFont(line_font)
                painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.empty.text())
            else:
                self._render_plot(painter, area)
        finally:
            painter.end()
        return picture

    def _render_plot(self, painter: QPainter, area: QRectF) -> None:
        """Lay the plot out at the export size, draw it, and give it back its own size and
        fonts (axis labels grow with the picture, so they read in a report; the axes get the
        room the larger labels need, or pyqtgraph would leave them out)."""
        view = self.plot
        was = view.size()
        left, bottom = (view.getPlotItem().getAxis(name) for name in ("left", "bottom"))
        fonts = [axis.style.get("tickFont") for axis in (left, bottom)]
        fixed_width, fixed_height = left.fixedWidth, bottom.fixedHeight
        text_room = (left.textWidth, bottom.textHeight)  # what the labels took on screen
        scale = min(1.5, max(1.0, area.height() / 500))
        grown = QFont(self.font())
        grown.setPointSizeF(self.font().pointSizeF() * scale)
        try:
            for axis in (left, bottom):
                axis.setStyle(tickFont=grown)
            bottom.setHeight(QFontMetrics(grown).height() + 14)
            if fixed_width is not None:  # the bar chart's category names
                left.setWidth(int(fixed_width * scale))
            view.resize(int(area.width()), int(area.height()))
            view.scene().render(painter, area, QRectF(view.mapToScene(view.viewport().rect()).boundingRect()))
        finally:
            for axis, font in zip((left, bottom), fonts, strict=True):
                axis.setStyle(tickFont=font)
            # The larger labels widened the axes' text room; the screen gets its own back.
            left.textWidth, bottom.textHeight = text_room
            bottom.setHeight(fixed_height)
            left.setWidth(fixed_width)
            view.resize(was)

    def export_png(self, path: Path, size: QSize = EXPORT_SIZE) -> Path:
        return files.write_bytes(path, self.png(size), what="chart")

    def export_csv(self, path: Path) -> Path:
        assert self.table is not None
        return files.write_text(path, ex.table_csv(self.table), what="chart data")

    def _ask_png(self) -> None:
        path = ask_save_path(self, caption=_('Save {title}').format(title=self.title), stem=file_stem(self.title, self.caption.period),
                             suffix="png", kind="PNG")
        if path is not None:
            with report_errors(self):
                self.saved.emit(say_saved(self, self.export_png(path), what=_('the {title} chart').format(title=self.title)))

    def _ask_csv(self) -> None:
        if self.table is None:
            return
        path = ask_save_path(self, caption=_('Save {title}').format(title=self.title), stem=file_stem(self.title, self.caption.period),
                             suffix="csv", kind="CSV")
        if path is not None:
            with report_errors(self):
                self.saved.emit(say_saved(self, self.export_csv(path), what=_('the {title} numbers').format(title=self.title)))


def png_bytes(picture: QPixmap | QWidget, *, what: str) -> bytes:
    """A picture (or a widget's) as PNG (FileError if it cannot be made or encoded)."""
    if isinstance(picture, QWidget):
        picture = picture.grab()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if picture.isNull() or not picture.save(buffer, _("PNG")):
        raise errors.FileError(_('{what} could not be turned into a PNG image (Qt refused to encode it). Try again with the window larger, or export the CSV instead.').format(what=what),
                               reason=_("PNG encoding failed"))
    return bytes(buffer.data())


