"""Dosing frequency (docs/methods/hcg.md §3.1): an interval in days or a set of weekdays.

* :class:`Frequency` — the pattern, with its constructors :meth:`Frequency.every_days`,
  :meth:`Frequency.on_weekdays`, :meth:`Frequency.per_week` and :meth:`Frequency.named`;
* :data:`FREQUENCY_PRESETS` — docs/methods/hcg.md §3.1's presets by name (read-only);
* :func:`resolve_frequency` — at most one of the four ways of giving a frequency (per week, every
  N days, weekdays, a preset name) into a :class:`Frequency`, as the command line and the web forms
  take it.

Frequency presets (docs/methods/hcg.md §3.1): daily (every 1 day), EOD (every 2 days, 3.5/week), every 3 days,
2×/week = Mon+Thu, 3×/week = Mon+Wed+Fri, weekly (every 7 days).

>>> resolve_frequency(per_week="2").name
'Mon+Thu'
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Final

from endolab.errors import ParseError
from endolab.hcg._numbers import parse_number
from endolab.hcg.notices import HcgParseError, schedule_invalid
from endolab.numbers import Number

__all__ = [
    "FIELD_LABELS",
    "FREQUENCY_LABELS",
    "FREQUENCY_PRESETS",
    "MAX_DAYS",
    "MAX_PLAN_WEEKS",
    "MIX_LABELS",
    "WEEKDAY_NAMES",
    "Frequency",
    "check_plan_inputs",
    "resolve_frequency",
]

#: Longest plan simulated [week] [A] (10 years; bounds the calendar walk).
MAX_PLAN_WEEKS: Final = 520
#: Longest dosing interval and longest beyond-use period accepted [day] [A]: the same 10-year horizon
#: (7 × :data:`MAX_PLAN_WEEKS`). Larger values are input mistakes; they would otherwise run the
#: calendar past 9999-12-31.
MAX_DAYS: Final = 7 * MAX_PLAN_WEEKS

WEEKDAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_ALIASES: Final = {
    **{name: i for i, name in enumerate(WEEKDAY_NAMES)},
    **{
        full: i
        for i, full in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}


@dataclass(frozen=True)
class Frequency:
    """A dosing pattern: every ``interval_days`` days, or on a set of weekdays (0 = Monday).

    >>> Frequency.per_week(2).weekdays, Frequency.named("eod").doses_per_week
    ((0, 3), Fraction(7, 2))
    """

    interval_days: int | None = None
    weekdays: tuple[int, ...] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if (self.interval_days is None) == (self.weekdays is None):
            raise schedule_invalid(
                "frequency",
                "Give either an interval in days or a set of weekdays.",
                self.name,
            )
        if self.interval_days is not None and not 1 <= self.interval_days <= MAX_DAYS:
            raise schedule_invalid(
                "every_days",
                f"`every_days` must be a whole number of days from 1 to {MAX_DAYS} "
                f"(got {self.interval_days}).",
                self.interval_days,
            )
        if self.weekdays is not None and not self.weekdays:
            raise schedule_invalid(
                "weekdays", "`weekdays` is empty; name at least one day, e.g. mon,thu.", ""
            )

    # constructors --------------------------------------------------------------------------------
    @classmethod
    def every_days(cls, days: Number) -> Frequency:
        """Every ``days`` days (a whole number ≥ 1); E_SCHEDULE_INVALID otherwise."""
        value = parse_number(days, "every_days")
        if value.denominator != 1 or value < 1:
            raise schedule_invalid(
                "every_days",
                f"`every_days` must be a whole number of days ≥ 1 (got {days}).",
                days,
            )
        if value > MAX_DAYS:
            raise schedule_invalid(
                "every_days",
                f"`every_days` must be a whole number of days from 1 to {MAX_DAYS} (got {days}).",
                days,
            )
        n = int(value)
        label = {1: "daily", 2: "every other day", 7: "weekly"}.get(n, f"every {n} days")
        return cls(interval_days=n, name=label)

    @classmethod
    def on_weekdays(cls, days: str | Iterable[str | int]) -> Frequency:
        """On named weekdays, e.g. ``"mon,thu"``; an empty or unknown name is E_SCHEDULE_INVALID."""
        items: list[str | int] = (
            [p for p in days.replace(";", ",").replace("+", ",").split(",") if p.strip()]
            if isinstance(days, str)
            else list(days)
        )
        found: set[int] = set()
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
                found.add(item)
                continue
            key = str(item).strip().lower()
            if key not in _WEEKDAY_ALIASES:
                raise schedule_invalid(
                    "weekdays",
                    f"unknown weekday {str(item)!r} in `weekdays`; use mon, tue, wed, thu, fri, "
                    "sat, sun separated by commas.",
                    days,
                )
            found.add(_WEEKDAY_ALIASES[key])
        if not found:
            raise schedule_invalid(
                "weekdays", "`weekdays` is empty; name at least one day, e.g. mon,thu.", days
            )
        ordered = tuple(sorted(found))
        label = "+".join(WEEKDAY_NAMES[d].capitalize() for d in ordered)
        return cls(weekdays=ordered, name=label)

    @classmethod
    def per_week(cls, count: Number) -> Frequency:
        """Doses per week mapped to the presets of docs/methods/hcg.md §3.1: 1, 2, 3, 3.5 or 7 [A]."""
        value = parse_number(count, "per_week")
        if value == 1:
            return cls.every_days(7)
        if value == 2:
            return cls.on_weekdays("mon,thu")
        if value == 3:
            return cls.on_weekdays("mon,wed,fri")
        if value == Fraction(7, 2):
            return cls.every_days(2)
        if value == 7:
            return cls.every_days(1)
        raise schedule_invalid(
            "per_week",
            f"`per_week` must be 1, 2 (Mon+Thu), 3 (Mon+Wed+Fri), 3.5 (every other day) or 7 "
            f"(daily) (got {count}); for other patterns give the weekdays, e.g. mon,tue,thu,fri.",
            count,
        )

    @classmethod
    def named(cls, name: str) -> Frequency:
        """A frequency preset of docs/methods/hcg.md §3.1 by name (see :data:`FREQUENCY_PRESETS`)."""
        key = str(name).strip().lower()
        if key not in FREQUENCY_PRESETS:
            raise schedule_invalid(
                "freq",
                f"unknown frequency {name!r}; accepted: {', '.join(FREQUENCY_PRESETS)}.",
                name,
            )
        return FREQUENCY_PRESETS[key]

    # derived ---------------------------------------------------------------------------------------
    @property
    def doses_per_week(self) -> Fraction:
        """``7 / interval_days`` or ``len(weekday_set)`` [doses/week]."""
        if self.interval_days is not None:
            return Fraction(7, self.interval_days)
        assert self.weekdays is not None
        return Fraction(len(self.weekdays))

    def first_day_on_or_after(self, day: date) -> date:
        """The first dose day of the pattern on or after ``day`` (any day for an interval)."""
        if self.weekdays is None:
            return day
        while day.weekday() not in self.weekdays:
            day += timedelta(days=1)
        return day

    def day_indices(self, mix_date: date, first_dose_offset: int = 0) -> Iterator[int]:
        """Endless dose-day indices relative to ``mix_date`` (day 0)."""
        d = first_dose_offset
        if self.interval_days is not None:
            while True:
                yield d
                d += self.interval_days
        assert self.weekdays is not None
        while True:
            if (mix_date + timedelta(days=d)).weekday() in self.weekdays:
                yield d
            d += 1

    def count_days_before(self, mix_date: date, first_dose_offset: int, limit: int) -> int:
        """Number of dose-day indices ``d`` with ``first_dose_offset ≤ d < limit`` (arithmetic).

        >>> Frequency.on_weekdays("mon,thu").count_days_before(date(2025, 1, 6), 0, 30)
        9
        """
        if limit <= first_dose_offset:
            return 0
        if self.interval_days is not None:
            return -(-(limit - first_dose_offset) // self.interval_days)
        assert self.weekdays is not None
        total = 0
        for k in range(7):
            d0 = first_dose_offset + k
            if (mix_date + timedelta(days=d0)).weekday() in self.weekdays and d0 < limit:
                total += -(-(limit - d0) // 7)
        return total

    def dates_between(self, start: date, end: date) -> list[date]:
        """Dose dates in ``[start, end)`` (an interval pattern starts on ``start``).

        Only dates before ``end`` are ever computed (no step past the end of the calendar).
        """
        step = self.interval_days or 1
        count = max(0, -(-(end - start).days // step))
        days = (start + timedelta(days=i * step) for i in range(count))
        return [d for d in days if self.weekdays is None or d.weekday() in self.weekdays]


#: Frequency presets of docs/methods/hcg.md §3.1.
FREQUENCY_PRESETS: Final[Mapping[str, Frequency]] = types.MappingProxyType(
    {
        "daily": Frequency(interval_days=1, name="daily"),
        "eod": Frequency(interval_days=2, name="every other day"),
        "every-3-days": Frequency(interval_days=3, name="every 3 days"),
        "2x-week": Frequency(weekdays=(0, 3), name="Mon+Thu"),
        "3x-week": Frequency(weekdays=(0, 2, 4), name="Mon+Wed+Fri"),
        "weekly": Frequency(interval_days=7, name="weekly"),
    }
)


#: How :func:`resolve_frequency` and :func:`check_plan_inputs` name their inputs in messages by
#: default: the command-line options. The web API and pages pass their field names instead.
FREQUENCY_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "per_week": "--per-week",
        "every_days": "--every-days",
        "weekdays": "--weekdays",
        "freq": "--freq",
        "start": "--start",
        "weeks": "--weeks",
    }
)

#: How :meth:`endolab.hcg.MixRequest.check_required` names the inputs in its message by default: the
#: command-line options. The JSON API and the web page pass their field names
#: (:data:`endolab.hcg.FIELD_LABELS`).
MIX_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "vial_iu": "--vial-iu",
        "diluent_ml": "--diluent-ml",
        "dose_iu": "--dose-iu",
        "units": "--units",
        "preset": "--preset",
    }
)

#: The same inputs, and those of :meth:`~endolab.hcg.MixRequest.check_required`, named as the JSON
#: API's and the web form's fields.
FIELD_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {k: k for k in (*FREQUENCY_LABELS, *MIX_LABELS)}
)


def resolve_frequency(
    per_week: Number | None = None,
    every_days: Number | None = None,
    weekdays: str | Iterable[str | int] | None = None,
    freq: str | None = None,
    *,
    labels: Mapping[str, str] = FREQUENCY_LABELS,
) -> Frequency | None:
    """The dosing frequency from at most one of its four forms; ``None`` when none is given.

    Parameters
    ----------
    per_week
        Doses per week [dose/week]: 1, 2 (Mon+Thu), 3 (Mon+Wed+Fri), 3.5 or 7
        (:meth:`Frequency.per_week`).
    every_days
        A dose every N days [day] (:meth:`Frequency.every_days`).
    weekdays
        Dose weekdays, e.g. ``"mon,thu"`` (:meth:`Frequency.on_weekdays`).
    freq
        A preset name of :data:`FREQUENCY_PRESETS` (:meth:`Frequency.named`).
    labels
        How the four inputs are named in the message when more than one is given.

    Raises
    ------
    ParseError
        More than one form given (exit status 2), naming them.
    HcgInputError
        E_SCHEDULE_INVALID for a value its constructor rejects.

    >>> resolve_frequency(every_days="3").interval_days
    3
    >>> resolve_frequency() is None
    True
    >>> resolve_frequency(per_week="2", freq="eod")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: give only one of --per-week, --every-days, --weekdays, --freq (got --per-week, --freq)
    """
    given = [
        key
        for key, value in (
            ("per_week", per_week),
            ("every_days", every_days),
            ("weekdays", weekdays),
            ("freq", freq),
        )
        if value is not None
    ]
    if len(given) > 1:
        names = ", ".join(labels[k] for k in ("per_week", "every_days", "weekdays", "freq"))
        raise ParseError(
            f"give only one of {names} (got {', '.join(labels[k] for k in given)})",
            field="frequency",
        )
    if per_week is not None:
        return Frequency.per_week(per_week)
    if every_days is not None:
        return Frequency.every_days(every_days)
    if weekdays is not None:
        return Frequency.on_weekdays(weekdays)
    if freq is not None:
        return Frequency.named(freq)
    return None


def check_plan_inputs(
    per_week: Number | None,
    every_days: Number | None,
    weekdays: str | Iterable[str | int] | None,
    freq: str | None,
    start: object,
    weeks: object,
    *,
    labels: Mapping[str, str] = FREQUENCY_LABELS,
) -> Frequency:
    """The frequency of a plan, after checking that a plan has everything it needs.

    A plan needs a frequency (one of its four forms, :func:`resolve_frequency`), a start (first
    mixing) date and a length in weeks. The command line, the JSON API and the web page all call
    this, so that an incomplete plan gets the same message everywhere; the values themselves are
    checked by :func:`~endolab.hcg.plan`.

    Raises
    ------
    HcgParseError
        ``E_MISSING_INPUT`` (exit status 2) naming the first missing input, in the order
        frequency, start, weeks; a frequency given in two forms as :func:`resolve_frequency`.

    >>> check_plan_inputs(None, None, None, "2x-week", "2026-01-05", "8").name
    'Mon+Thu'
    >>> check_plan_inputs(None, None, None, "2x-week", None, "8")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    endolab.hcg.notices.HcgParseError: E_MISSING_INPUT: missing --start: give the first mixing ...
    """

    def blank(v: object) -> bool:
        return v is None or (isinstance(v, str) and v.strip() == "")

    frequency = resolve_frequency(
        None if blank(per_week) else per_week,
        None if blank(every_days) else every_days,
        None if blank(weekdays) else weekdays,
        None if blank(freq) else freq,
        labels=labels,
    )
    if frequency is None:
        names = [labels[k] for k in ("per_week", "every_days", "weekdays", "freq")]
        raise HcgParseError(
            "E_MISSING_INPUT",
            "freq",
            f"missing dosing frequency: give {', '.join(names[:-1])} or {names[-1]}",
        )
    if blank(start):
        raise HcgParseError(
            "E_MISSING_INPUT",
            "start",
            f"missing {labels['start']}: give the first mixing date, YYYY-MM-DD",
        )
    if blank(weeks):
        raise HcgParseError(
            "E_MISSING_INPUT", "weeks", f"missing {labels['weeks']}: give the plan length in weeks"
        )
    return frequency
