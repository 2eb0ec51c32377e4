"""argparse's own words ("usage:", "options", "show this help message and exit", its errors) in
Desk's catalog. argparse looks them up through the module-level ``_``/``ngettext`` it imported
from gettext (the process-wide "messages" domain, which follows only the environment), so
:func:`install` points those two names at Desk's catalog: ``--lang ko --help`` is Korean through
and through. The N_ list below is only there so that extraction finds the strings."""

from __future__ import annotations

import argparse

from desk.core import i18n
from desk.core.i18n import N_

ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"), N_("expected one argument"), N_("argument %(argument_name)s: %(message)s"),
    N_("invalid %(type)s value: %(value)r"), N_("not allowed with argument %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("expected at least one argument"),
    N_("one of the arguments %s is required"), N_("ignored explicit argument %r"),
)


def install() -> None:
    argparse._ = i18n._  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]
