"""Chart widgets for the stats panel (pyqtgraph): each has a title, a hover read-out, and
exports its picture to PNG and its numbers to CSV (the same table the reports use)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QPointF, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desk.core import errors, files
from desk.core.stats import export as ex
from desk.core.stats.distributions import HIST_EDGES, HIST_LABELS, Distribution
from desk.ui.errors import report_errors
from desk.ui.widgets import button

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf")
WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Chart(QWidget):
    """A titled plot. Subclasses draw in ``show_data`` and answer ``hover_text(x, y)``."""

    def __init__(self, title: str, description: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.table: ex.Table | None = None
        self.setAccessibleName(f"{title} chart")
        self.setToolTip(description)
        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setAccessibleName(f"{title} plot")
        self.plot.setToolTip(description)
        self.plot.setMinimumHeight(220)
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().hideButtons()
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        self.hover = QLabel(" ", self)
        self.hover.setAccessibleName(f"{title} value under the pointer")
        self.hover.setToolTip("Point at the chart to read its values")
        heading = QLabel(title, self)
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        header = QHBoxLayout()
        header.addWidget(heading, 1)
        header.addWidget(button("PNG…", f"Save the {title} chart as a PNG image", self, name=f"Save {title} as PNG", slot=self._ask_png))
        header.addWidget(button("CSV…", f"Save the numbers of {title} as CSV", self, name=f"Save {title} as CSV", slot=self._ask_csv))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.hover)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)

    def _mouse_moved(self, position: QPointF) -> None:
        view = self.plot.getPlotItem().vb
        if not self.plot.sceneBoundingRect().contains(position):
            return
        point = view.mapSceneToView(position)
        self.hover.setText(self.hover_text(point.x(), point.y()) or " ")

    def hover_text(self, x: float, y: float) -> str:
        return ""

    def png(self) -> bytes:
        """The chart as PNG bytes; FileError when Qt cannot encode it (``QPixmap.save`` only
        answers False, so the False is turned into an error here, never ignored)."""
        return png_bytes(self.plot, what=f"The {self.title} chart")

    def export_png(self, path: Path) -> Path:
        return files.write_bytes(path, self.png(), what="chart")

    def export_csv(self, path: Path) -> Path:
        assert self.table is not None
        return files.write_text(path, ex.table_csv(self.table), what="chart data")

    def _ask_png(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, f"Save {self.title}", f"{self.title}.png", "PNG (*.png)")
        if name:
            with report_errors(self):
                self.export_png(Path(name))

    def _ask_csv(self) -> None:
        if self.table is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, f"Save {self.title}", f"{self.title}.csv", "CSV (*.csv)")
        if name:
            with report_errors(self):
                self.export_csv(Path(name))


def png_bytes(widget: QWidget, *, what: str) -> bytes:
    """``widget`` as a PNG image (FileError if the picture cannot be made or encoded)."""
    picture = widget.grab()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if picture.isNull() or not picture.save(buffer, "PNG"):
        raise errors.FileError(f"{what} could not be turned into a PNG image (Qt refused to encode it). "
                               "Try again with the window larger, or export the CSV instead.",
                               reason="PNG encoding failed")
    return bytes(buffer.data())


class SeriesChart(Chart):
    """Lines (or bars) per day. ``series``: name → values aligned with ``days``."""

    def show_data(self, days: Sequence[date], series: dict[str, np.ndarray], table: ex.Table,
                  bars: str | None = None, unit: str = "") -> None:
        self.table, self.days, self.series, self.unit = table, list(days), series, unit
        item = self.plot.getPlotItem()
        item.clear()
        if item.legend is None:
            item.addLegend(offset=(10, 5), brush=pg.mkBrush(255, 255, 255, 210))
        item.legend.clear()
        x = np.arange(len(days))
        for index, (name, values) in enumerate(series.items()):
            color = COLORS[index % len(COLORS)]
            if name == bars:
                bar = pg.BarGraphItem(x=x, height=np.nan_to_num(values), width=0.8, brush=color + "80", pen=None)
                item.addItem(bar)
                item.legend.addItem(bar, name)
            else:
                item.plot(x, values, pen=pg.mkPen(color, width=2), name=name, connect="finite")
        step = max(1, len(days) // 8)
        item.getAxis("bottom").setTicks([[(i, days[i].strftime("%b %d")) for i in range(0, len(days), step)]])
        item.enableAutoRange()

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
        y = np.arange(len(labels))[::-1]
        item.addItem(pg.BarGraphItem(x0=0, y=y, width=np.array(values, dtype=float), height=0.7,
                                     brush=COLORS[0], pen=None))
        axis = item.getAxis("left")
        axis.setTicks([[(int(y[i]), labels[i]) for i in range(len(labels))], []])
        metrics = self.plot.fontMetrics()
        axis.setWidth(min(260, max([metrics.horizontalAdvance(label) for label in labels] + [30]) + 14))
        item.setYRange(-0.6, len(labels) - 0.4, padding=0)
        item.enableAutoRange(axis="x")

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
        item.addItem(pg.BarGraphItem(x=np.arange(len(counts)), height=counts, width=0.85, brush=COLORS[0], pen=None))
        item.getAxis("bottom").setTicks([[(i, HIST_LABELS[i]) for i in range(0, len(HIST_LABELS), 2)]])
        marks = (("median", distribution.median, COLORS[1], 0.92), ("p90", distribution.p90, COLORS[3], 0.72))
        for label, value, color, height in marks:
            if value is None:
                continue
            line = pg.InfiniteLine(pos=bucket_position(value), angle=90, pen=pg.mkPen(color, width=2,
                                   style=Qt.PenStyle.DashLine), label=f"{label} {duration_text(value)}",
                                   labelOpts={"position": height, "color": color, "fill": "#ffffffc0"})
            item.addItem(line)
        item.enableAutoRange()

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

    def __init__(self, title: str, description: str, parent: QWidget | None = None):
        super().__init__(title, description, parent)
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
        self.image.setImage(self.grid.T, autoLevels=False, levels=(0, max(top, 1.0)))
        self.plot.getPlotItem().setRange(xRange=(0, 24), yRange=(0, 7), padding=0)

    def hover_text(self, x: float, y: float) -> str:
        day, hour = int(np.floor(y)), int(np.floor(x))
        if not (0 <= day < 7 and 0 <= hour < 24):
            return ""
        return f"{WEEKDAY_SHORT[day]} {hour:02d}:00–{hour:02d}:59: {self.describe(day, hour)}"
