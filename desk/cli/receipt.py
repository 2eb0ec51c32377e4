"""`desk receipt ID [-o FILE.pdf] [--ticket [--internal]]`: the person's receipt, printed or as PDF.

The slip says the ticket number, what was asked, what to expect and how to follow up, in the
desk's language; ``--ticket`` gives the whole ticket with its conversation instead. Qt lays the
page out (offscreen: no window opens).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from desk.cli import arguments
from desk.cli.common import session_for
from desk.cli.main import add_db_option
from desk.core import errors
from desk.core.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "receipt", help=_("print a ticket's receipt, or save it as PDF"),
        description=_("The receipt slip for the person (ticket number, what was asked, what to expect, "
                      "how to follow up) in the desk's language; printed on the default printer, or "
                      "saved with -o FILE.pdf."),
    )
    add_db_option(parser)
    parser.add_argument("ticket_id", type=arguments.whole_number(low=1), metavar="ID", help=_("the ticket number"))
    parser.add_argument("-o", "--output", type=Path, metavar="FILE.pdf", help=_("save as PDF here instead of printing"))
    parser.add_argument("--ticket", action="store_true", help=_("the whole ticket with its conversation (A4)"))
    parser.add_argument("--internal", action="store_true", help=_("with --ticket: include internal notes"))
    parser.set_defaults(func=run_receipt)


def run_receipt(args: argparse.Namespace) -> int:
    from desk.core.receipts import receipt_html, ticket_html

    if args.internal and not args.ticket:
        raise errors.InvalidInput(_("--internal goes with --ticket."))
    with session_for(args) as session:
        html = (ticket_html(session, ticket_id=args.ticket_id, internal=args.internal) if args.ticket
                else receipt_html(session, ticket_id=args.ticket_id))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a page, not a window
    from PySide6.QtWidgets import QApplication

    from desk.ui import receipts

    _app = QApplication.instance() or QApplication(sys.argv[:1])
    page = receipts.TICKET if args.ticket else receipts.SLIP
    title = _("Ticket #{number}").format(number=args.ticket_id)
    if args.output is not None:
        print(receipts.write_pdf(html, args.output, page=page, title=title))
        return 0
    printer = receipts.print_directly(html, page=page)
    if not printer:
        raise errors.NotFound(_("There is no printer set up here; save the receipt with -o FILE.pdf."))
    print(_("Sent to {printer}.").format(printer=printer))
    return 0
