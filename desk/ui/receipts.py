"""Receipts on paper or as PDF: the slip for the person at the counter and the printable ticket.

The HTML comes from ``desk.core.receipts`` (in the desk's language); Qt lays it out with
QTextDocument, onto a printer chosen in Qt's print dialog or into a PDF (QPdfWriter). The PDF is
rendered in memory and written whole or not at all (``desk.core.files``). The slip is A6, a size
receipt and label printers take; the ticket A4.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QDialog, QWidget

from desk.core import files
from desk.core.i18n import _

SLIP = QPageSize.PageSizeId.A6
TICKET = QPageSize.PageSizeId.A4


def _document(html: str, layout: QPageLayout) -> QTextDocument:
    """The document paginated on the page's printable area, so Qt adds no margin of its own
    (2 cm, far too much on a slip) and no page numbers."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setHtml(html)
    document.setPageSize(layout.paintRectPoints().size().toSizeF())
    return document


def pdf_bytes(html: str, *, page: QPageSize.PageSizeId = SLIP, title: str = "") -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("Desk")
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(page), QPageLayout.Orientation.Portrait,
                                     QMarginsF(8, 8, 8, 8), QPageLayout.Unit.Millimeter))
    _document(html, writer.pageLayout()).print_(writer)
    del writer  # ends the PDF
    buffer.close()
    return bytes(data.data())


def write_pdf(html: str, path: Path, *, page: QPageSize.PageSizeId = SLIP, title: str = "") -> Path:
    """Write ``html`` as a PDF at ``path`` (FileError when that cannot be done)."""
    return files.write_bytes(Path(path), pdf_bytes(html, page=page, title=title), what="receipt")


def print_html(parent: QWidget | None, html: str, *, page: QPageSize.PageSizeId = SLIP,
               done: Callable[[bool], None] | None = None) -> QWidget:
    """Qt's print dialog (window-modal, opened, not exec'd); prints when the user accepts."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(page))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print receipt"))
    dialog.setAccessibleName("Print dialog")
    document = _document(html, printer.pageLayout())

    def finished(result: int) -> None:
        if result:
            document.print_(printer)
        if done is not None:
            done(bool(result))

    dialog.finished.connect(finished)
    QDialog.open(dialog)  # window-modal, not exec'd (QPrintDialog.open in PySide wants a slot)
    return dialog


def print_directly(html: str, *, page: QPageSize.PageSizeId = SLIP) -> str:
    """Print on the default printer without a dialog (``desk receipt ID`` with no ``-o``); returns
    the printer's name, or "" when there is none."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    default = QPrinterInfo.defaultPrinter()
    if default.isNull():
        return ""
    printer = QPrinter(default, QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(page))
    _document(html, printer.pageLayout()).print_(printer)
    return default.printerName()
