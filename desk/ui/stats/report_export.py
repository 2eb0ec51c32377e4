"""The Stats tab's report exports: every table in one XLSX file (a sheet each) and a printable
HTML page with the charts as images; each asks where to save and says where it went.

``ExportsMixin`` is part of ``StatsPanel`` (desk.ui.stats.panel): it writes what the panel
shows (``report``, ``expected``, ``ratings``, ``sla_tables``, ``charts``), so an export is the
report on screen. ``export_xlsx``/``export_html`` write to a given path (the tests call them);
the ``_ask_*`` methods are the buttons' slots.
"""

from __future__ import annotations

import base64
from pathlib import Path

from desk.core import files
from desk.core.i18n import _
from desk.core.stats import export as ex
from desk.ui.errors import report_errors
from desk.ui.stats.saving import ask_save_path, file_stem, say_saved


class ExportsMixin:
    """Writes the report ``StatsPanel`` shows (a QWidget: the save dialog's parent)."""

    def tables(self) -> list[ex.Table]:
        assert self.report is not None
        from desk.core.stats.ratings import ratings_tables

        extra = ratings_tables(self.ratings) if self.ratings is not None else []
        return [*ex.report_tables(self.report, self.expected), *extra, *self.sla_tables]

    def export_xlsx(self, path: Path) -> Path:
        return ex.write_xlsx(self.tables(), path)

    def export_html(self, path: Path) -> Path:
        images = {}
        for chart in self.charts:
            if chart.table is not None:
                encoded = base64.b64encode(chart.png()).decode("ascii")
                images.setdefault(chart.table.name, f"data:image/png;base64,{encoded}")
        return files.write_text(path, ex.report_html(
            self.report, self.tables(), images, desk=self.desk_name, filters=self.filters_text()), what="report")

    def _ask_report(self, suffix: str, kind: str, write) -> None:  # noqa: ANN001 - Path -> Path
        if self.report is None:
            return
        path = ask_save_path(self, caption=_("Export report"), stem=file_stem(_("Desk statistics"), self.period_text()),
                             suffix=suffix, kind=kind)
        if path is not None:
            with report_errors(self):
                self._say(say_saved(self, write(path), what=_("the report")))

    def _ask_xlsx(self) -> None:
        self._ask_report("xlsx", _("Excel"), self.export_xlsx)

    def _ask_html(self) -> None:
        self._ask_report("html", _("HTML"), self.export_html)
