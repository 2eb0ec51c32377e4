"""Chart widgets for the stats panel (pyqtgraph): each has a title, a hover read-out, and
exports its picture to PNG and its numbers to CSV (the same table the reports use).

* Colours follow the palette (``desk.ui.theme``): plot background, axes, text and series.
* The mouse wheel over a chart scrolls the page as anywhere else; Ctrl+wheel zooms the chart,
  and "Reset" (or a double-click) puts it back.
* A period with nothing to draw says so ("No tickets in this period") instead of empty axes.
* PNG export draws the chart at a size that reads in a report (1600×900 unless asked) with its
  title, the period, the filters and the desk's name above it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
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
from desk.core.stats import export as ex
from desk.core.stats.distributions import HIST_EDGES, HIST_LABELS, Distribution
from desk.ui import theme
from desk.ui.errors import report_errors
from desk.ui.stats.saving import ask_save_path, file_stem, say_saved
from desk.ui.widgets import button

WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EXPORT_SIZE = QSize(1600, 900)
NO_TICKETS = "No tickets in this period"
HEADROOM = 1.3  # the top of a series chart: room above the highest point for the legend
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
        self.plot.setToolTip(description + " — Ctrl+wheel zooms, double-click resets")
        self.plot.setMinimumHeight(220)
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().hideButtons()
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        self.empty = QLabel(NO_TICKETS, self)
        self.empty.setAccessibleName(f"{title}: nothing to show")
        self.empty.setToolTip("Nothing to draw for this period and these filters")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMinimumHeight(220)
        self.stack = QStackedLayout()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.empty)
        self.hover = QLabel(" ", self)
        self.hover.setAccessibleName(f"{title} value under the pointer")
        self.hover.setToolTip("Point at the chart to read its values")
        heading = QLabel(title, self)
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        self.reset_button = button("Reset", f"Show the whole {title} chart again (or double-click it)", self,
                                   name=f"Reset {title} zoom", slot=self.plot.reset)
        self.reset_button.setEnabled(False)
        self.plot.zoomed.connect(self.reset_button.setEnabled)
        header = QHBoxLayout()
        header.addWidget(heading, 1)
        header.addWidget(self.reset_button)
        header.addWidget(button("PNG…", f"Save the {title} chart as a PNG image", self, name=f"Save {title} as PNG", slot=self._ask_png))
        header.addWidget(button("CSV…", f"Save the numbers of {title} as CSV", self, name=f"Save {title} as CSV", slot=self._ask_csv))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addLayout(self.stack, 1)
        layout.addWidget(self.hover)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.follow_palette()
        self.show_empty(True, "Computing…")  # until the first numbers arrive: no empty axes

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
        self.empty.setText(message)
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
        second = [part for part in (c.period, f"Filters: {c.filters}" if c.filters else "No filters", c.desk)
                  if part]
        return [self.title, " · ".join(second)]

    def png(self, size: QSize = EXPORT_SIZE) -> bytes:
        """The chart as PNG bytes at ``size``, titled; FileError when Qt cannot encode it
        (``QPixmap.save`` only answers False, so the False is turned into an error here)."""
        return png_bytes(self.picture(size), what=f"The {self.title} chart")

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
        path = ask_save_path(self, caption=f"Save {self.title}", stem=file_stem(self.title, self.caption.period),
                             suffix="png", kind="PNG")
        if path is not None:
            with report_errors(self):
                self.saved.emit(say_saved(self, self.export_png(path), what=f"the {self.title} chart"))

    def _ask_csv(self) -> None:
        if self.table is None:
            return
        path = ask_save_path(self, caption=f"Save {self.title}", stem=file_stem(self.title, self.caption.period),
                             suffix="csv", kind="CSV")
        if path is not None:
            with report_errors(self):
                self.saved.emit(say_saved(self, self.export_csv(path), what=f"the {self.title} numbers"))


def png_bytes(picture: QPixmap | QWidget, *, what: str) -> bytes:
    """A picture (or a widget's) as PNG (FileError if it cannot be made or encoded)."""
    if isinstance(picture, QWidget):
        picture = picture.grab()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if picture.isNull() or not picture.save(buffer, "PNG"):
        raise errors.FileError(f"{what} could not be turned into a PNG image (Qt refused to encode it). "
                               "Try again with the window larger, or export the CSV instead.",
                               reason="PNG encoding failed")
    return bytes(buffer.data())


class SeriesChart(Chart):
    """Lines (or bars) per day. ``series``: name → values aligned with ``days``."""

    MARKERS_UP_TO = 14  # days: with few points each is marked (one point alone is no line)

    def show_data(self, days: Sequence[date], series: dict[str, np.ndarray], table: ex.Table,
                  bars: str | None = None, unit: str = "") -> None:
        self.table, self.days, self.series, self.unit = table, list(days), series, unit
        item = self.plot.getPlotItem()
        item.clear()
        values = [np.asarray(v, dtype=float) for v in series.values()]
        finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
        self.show_empty(not days or not finite.size or not finite.any())
        if item.legend is None:
            # One row across the top, in the headroom above the data (never over a line).
            item.addLegend(offset=(10, 2), colCount=max(1, len(series)), brush=pg.mkBrush(self.legend_fill()),
                           labelTextColor=theme.text(self.palette()))
        item.legend.clear()
        item.legend.setColumnCount(max(1, len(series)))
        x = np.arange(len(days))
        marked = len(days) <= self.MARKERS_UP_TO
        for index, (name, values_of) in enumerate(series.items()):
            colour = self.colour(index)
            if name == bars:
                fill = QColor(colour)
                fill.setAlpha(128)
                bar = pg.BarGraphItem(x=x, height=np.nan_to_num(values_of), width=0.8, brush=fill, pen=None)
                item.addItem(bar)
                item.legend.addItem(bar, name)
            else:
                item.plot(x, values_of, pen=pg.mkPen(colour, width=2), name=name, connect="finite",
                          symbol="o" if marked else None, symbolSize=8, symbolBrush=colour, symbolPen=None)
        step = max(1, len(days) // 8)
        item.getAxis("bottom").setTicks([[(i, days[i].strftime("%b %d")) for i in range(0, len(days), step)]])
        top = float(finite.max()) if finite.size else 1.0
        self.top = max(top, 1.0) * HEADROOM

        def home() -> None:
            item.setXRange(-0.6, max(len(days), 1) - 0.4, padding=0)
            item.setYRange(-0.04 * self.top, self.top, padding=0)  # the 0 tick and its label stay inside

        self.plot.home = home
        self.plot.reset()

    def hover_text(self, x: float, y: float) -> str:
        index = int(round(x))
        if not getattr(self, "days", None) or not 0 <= index < len(self.days):
            return ""
        values = []
        for name, series in self.series.items():
            value = float(series[index])
            values.append(f"{name} {'–' if value != value else f'{value:g}'}{self.unit}")
        return f"{self.days[index]:%a %Y-%m-%d}: " + ", ".join(values)


class BarChart(Chart):
    """Horizontal bars, one per label (largest on top)."""

    def show_data(self, labels: Sequence[str], values: Sequence[float], table: ex.Table, unit: str = "") -> None:
        self.table, self.labels, self.values, self.unit = table, list(labels), list(values), unit
        item = self.plot.getPlotItem()
        item.clear()
        self.show_empty(not labels or not any(values))
        y = np.arange(len(labels))[::-1]
        item.addItem(pg.BarGraphItem(x0=0, y=y, width=np.array(values, dtype=float), height=0.7,
                                     brush=self.colour(0), pen=None))
        axis = item.getAxis("left")
        axis.setTicks([[(int(y[i]), labels[i]) for i in range(len(labels))], []])
        metrics = self.plot.fontMetrics()
        axis.setWidth(min(260, max([metrics.horizontalAdvance(label) for label in labels] + [30]) + 14))
        top = max([float(v) for v in values] + [1.0])

        def home() -> None:
            item.setYRange(-0.6, max(len(labels), 1) - 0.4, padding=0)
            item.setXRange(0, top * 1.08, padding=0)

        self.plot.home = home
        self.plot.reset()

    def hover_text(self, x: float, y: float) -> str:
        index = len(getattr(self, "labels", [])) - 1 - int(round(y))
        if not getattr(self, "labels", None) or not 0 <= index < len(self.labels):
            return ""
        return f"{self.labels[index]}: {self.values[index]:g}{self.unit}"


class HistogramChart(Chart):
    """Durations in buckets, with the median and p90 marked."""

    def show_data(self, distribution: Distribution, table: ex.Table) -> None:
        self.table, self.distribution = table, distribution
        item = self.plot.getPlotItem()
        item.clear()
        counts = np.array(distribution.histogram, dtype=float)
        self.show_empty(not counts.any())
        item.addItem(pg.BarGraphItem(x=np.arange(len(counts)), height=counts, width=0.85, brush=self.colour(0),
                                     pen=None))
        item.getAxis("bottom").setTicks([[(i, HIST_LABELS[i]) for i in range(0, len(HIST_LABELS), 2)]])
        # The labels sit in the headroom above the tallest bar, never over the bars.
        marks = (("median", distribution.median, self.colour(1), 0.95), ("p90", distribution.p90, self.colour(3), 0.86))
        for label, value, colour, height in marks:
            if value is None:
                continue
            line = pg.InfiniteLine(pos=bucket_position(value), angle=90, pen=pg.mkPen(colour, width=2,
                                   style=Qt.PenStyle.DashLine), label=f"{label} {duration_text(value)}",
                                   labelOpts={"position": height, "color": colour,
                                              "fill": pg.mkBrush(self.legend_fill())})
            item.addItem(line)
        top = max(float(counts.max()) if counts.size else 0.0, 1.0) * HEADROOM

        def home() -> None:
            item.setXRange(-0.6, len(counts) - 0.4, padding=0)
            item.setYRange(-0.04 * top, top, padding=0)

        self.plot.home = home
        self.plot.reset()

    def hover_text(self, x: float, y: float) -> str:
        index = int(round(x))
        if not hasattr(self, "distribution") or not 0 <= index < len(HIST_LABELS):
            return ""
        d = self.distribution
        return (f"{HIST_LABELS[index]}: {d.histogram[index]} tickets  ·  n {d.n}, mean {duration_text(d.mean)},"
                f" median {duration_text(d.median)}, p90 {duration_text(d.p90)}")


def bucket_position(seconds: float) -> float:
    """Where a duration falls on the bucketed x axis (bar i is centred on i)."""
    edges = list(HIST_EDGES)
    index = max(0, np.searchsorted(edges, seconds, side="right") - 1)
    if index >= len(edges) - 1:
        return len(edges) - 1.0
    low, high = edges[index], edges[index + 1]
    return index - 0.5 + (seconds - low) / (high - low)


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} d"


class HeatmapChart(Chart):
    """Weekday × hour grid; ``describe(day, hour)`` gives the hover text."""

    def __init__(self, title: str, description: str, parent: QWidget | None = None, *,
                 empty_message: str = NO_TICKETS):
        super().__init__(title, description, parent)
        self.empty_message = empty_message
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        item = self.plot.getPlotItem()
        item.invertY(True)
        item.getAxis("left").setTicks([[(i + 0.5, WEEKDAY_SHORT[i]) for i in range(7)]])
        item.getAxis("bottom").setTicks([[(h + 0.5, f"{h:02d}") for h in range(0, 24, 2)]])
        item.showGrid(x=False, y=False)
        self.grid = np.zeros((7, 24))
        self.labels: list[pg.TextItem] = []
        self.describe: Callable[[int, int], str] = lambda day, hour: f"{self.grid[day, hour]:g}"

    def show_data(self, grid: np.ndarray, table: ex.Table, describe: Callable[[int, int], str] | None = None,
                  numbers: bool = False) -> None:
        self.table, self.grid = table, np.asarray(grid, dtype=float)
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        if numbers:
            top = max(float(self.grid.max()), 1.0)
            for day in range(7):
                for hour in range(24):
                    value = self.grid[day, hour]
                    if value:
                        label = pg.TextItem(f"{value:g}", color="k" if value > 0.6 * top else "w", anchor=(0.5, 0.5))
                        label.setPos(hour + 0.5, day + 0.5)
                        self.plot.addItem(label)
                        self.labels.append(label)
        if describe is not None:
            self.describe = describe
        top = float(self.grid.max()) if self.grid.size else 0.0
        self.show_empty(not top, self.empty_message)
        self.image.setImage(self.grid.T, autoLevels=False, levels=(0, max(top, 1.0)))
        self.plot.home = lambda: self.plot.getPlotItem().setRange(xRange=(0, 24), yRange=(0, 7), padding=0)
        self.plot.reset()

    def hover_text(self, x: float, y: float) -> str:
        day, hour = int(np.floor(y)), int(np.floor(x))
        if not (0 <= day < 7 and 0 <= hour < 24):
            return ""
        return f"{WEEKDAY_SHORT[day]} {hour:02d}:00–{hour:02d}:59: {self.describe(day, hour)}"
