"""The kinds of chart on the stats panel: lines or bars per day, horizontal bars, a duration
histogram with median and p90, a weekday × hour heatmap (``chart_base`` has what they share:
theme, wheel and zoom, the empty message, PNG/CSV export)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from desk.core.i18n import _
from desk.core.stats import export as ex
from desk.core.stats.distributions import HIST_EDGES, HIST_LABELS, Distribution
from desk.ui import theme
from desk.ui.language import MONTH_DAY, show_day, weekday_names
from desk.ui.stats.chart_base import NO_TICKETS, Chart, ExportCaption, png_bytes

__all__ = ["NO_TICKETS", "BarChart", "Chart", "ExportCaption", "HeatmapChart", "HistogramChart", "SeriesChart",
           "duration_text", "png_bytes"]


HEADROOM = 1.3  # the top of a chart: room above the highest point for the legend and labels


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
        item.getAxis("bottom").setTicks([[(i, show_day(days[i], MONTH_DAY)) for i in range(0, len(days), step)]])
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
        return f"{show_day(self.days[index])}: " + ", ".join(values)


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
        item.getAxis("bottom").setTicks([[(i, _(HIST_LABELS[i])) for i in range(0, len(HIST_LABELS), 2)]])
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
        return (_('{HIST_LABELS}: {value} tickets  ·  n {n}, mean {duration_text}, median {duration_text2}, p90 {duration_text3}').format(HIST_LABELS=_(HIST_LABELS[index]), value=d.histogram[index], n=d.n, duration_text=duration_text(d.mean), duration_text2=duration_text(d.median), duration_text3=duration_text(d.p90)))


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
        return _("{minutes:.1f} min").format(minutes=seconds / 60)
    if seconds < 2 * 86_400:
        return _("{hours:.1f} h").format(hours=seconds / 3600)
    return _("{days:.1f} d").format(days=seconds / 86_400)


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
        item.getAxis("left").setTicks([[(i + 0.5, name) for i, name in enumerate(weekday_names())]])
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
        return f"{weekday_names()[day]} {hour:02d}:00–{hour:02d}:59: {self.describe(day, hour)}"
