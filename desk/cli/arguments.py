"""argparse ``type=`` functions for numbers and dates, so a value no store can hold (beyond
SQLite's INTEGER, a year after 9999) is a usage error (exit 2) with a message, not a traceback."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from desk.core import inputs
from desk.core.i18n import _


def whole_number(*, low: int = inputs.SQLITE_INT_MIN, high: int = inputs.SQLITE_INT_MAX) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip().lstrip("#"), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(_("{text!r} is not a whole number").format(text=text)) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(_("{text} is not between {low:,} and {high:,}").format(
                text=text if len(text) < 30 else text[:30] + "…", low=low, high=high))
        return value

    parse.__name__ = "whole number"  # argparse names the type in its "invalid ... value" message
    return parse


ID = whole_number(low=1)
COUNT = whole_number(low=1, high=1_000_000)


def real_number(*, low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_("{text!r} is not a number").format(text=text)) from None
        if not low <= value <= high:  # also refuses nan
            raise argparse.ArgumentTypeError(_("{text} is not between {low:g} and {high:g}").format(
                text=text[:30], low=low, high=high))
        return value

    parse.__name__ = "number"
    return parse


def iso_date(text: str) -> date:
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not a date (write it as YYYY-MM-DD, between 0001-01-02 and 9999-12-30)").format(
                text=text[:40])) from None
    if value <= date.min or value >= date.max:
        raise argparse.ArgumentTypeError(_("{text} is not between 0001-01-02 and 9999-12-30").format(text=text))
    return value
