"""Dates as people type them: one wording for a date that is written right but does not exist.

Every reader (the hCG start date, the CGM readers, the trial dataset reader) names an impossible
date the same way: ``'2026-02-30' is not a calendar date (that month has no such day)``. The form
is right, the day is not — which tells the user to look at the number, not at the format.

>>> calendar_problem(2026, 2, 30)
'that month has no such day'
>>> calendar_problem(2025, 13, 1)
'there is no month 13'
>>> calendar_problem(2024, 2, 29) is None
True
>>> iso_calendar_problem("2026-02-30 08:00")
'that month has no such day'
>>> iso_calendar_problem("2026-02-03T25:00") is None  # a valid date; the time is another matter
True
>>> iso_calendar_problem("03/02/2026") is None  # not written YYYY-MM-DD
True
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

__all__ = ["calendar_problem", "iso_calendar_problem", "not_a_calendar_date"]

#: Text that starts with a date written YYYY-MM-DD (a time may follow after a space or ``T``).
_ISO_DATE: Final = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:\s|T|$)")


def calendar_problem(year: int, month: int, day: int) -> str | None:
    """Why year-month-day is not a date of the calendar, or ``None`` if it is one.

    >>> calendar_problem(2025, 4, 31)
    'that month has no such day'
    >>> calendar_problem(0, 1, 1)
    'there is no year 0'
    """
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return f"there is no year {year}"
    try:
        dt.date(year, month, day)
    except ValueError:
        return "that month has no such day"
    return None


def iso_calendar_problem(text: str) -> str | None:
    """For text that starts ``YYYY-MM-DD``: why that date does not exist, else ``None``."""
    match = _ISO_DATE.match(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    return calendar_problem(year, month, day)


def not_a_calendar_date(shown: str, reason: str) -> str:
    """The one wording: ``<shown> is not a calendar date (<reason>)``.

    >>> not_a_calendar_date("'2026-02-30'", "that month has no such day")
    "'2026-02-30' is not a calendar date (that month has no such day)"
    """
    return f"{shown} is not a calendar date ({reason})"
