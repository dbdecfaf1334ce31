"""Dosing frequency, one vial on the calendar (:func:`schedule`) and the multi-vial :func:`plan`.

docs/methods/hcg.md §3.2 formulas::

    doses_per_week   = 7 / interval_days  |  len(weekday_set)
    weekly_iu        = dose_iu * doses_per_week
    dose_days        = day indices; day 0 = mixing day = first dose (first_dose_offset configurable)
    last_dose_day    = dose_days[doses_by_content - 1]
    coverage_days    = doses_by_content * 7 / doses_per_week
    discard_day      = mix_day + bud_days; a dose is usable iff dose_day < discard_day
    doses_before_bud = count(dose_days < bud_days)
    doses_used       = min(doses_by_content, doses_before_bud)
    wasted_iu        = vial_iu - doses_used * dose_iu
    breakeven_weekly_iu = vial_iu * 7 / bud_days

The multi-vial plan is a calendar simulation (docs/methods/hcg.md §3.2): dose dates over ``[start, start + 7·weeks)``;
a new vial is mixed on a dose date when there is no open vial, when
``remaining_ml − residual_ml < per_draw_ml``, or when ``dose_date ≥ mix_date + bud_days``.

Frequency presets (docs/methods/hcg.md §3.1): daily (every 1 day), EOD (every 2 days, 3.5/week), every 3 days,
2×/week = Mon+Thu, 3×/week = Mon+Wed+Fri, weekly (every 7 days).

Choices this module makes where the spec is silent [A]:

* BUD days, interval days and plan weeks are whole numbers (a fraction is rejected with the field's
  E_ code).
* ``per_week(n)``: 1 → every 7 days, 2 → Mon+Thu, 3 → Mon+Wed+Fri, 3.5 → every 2 days, 7 → daily;
  other counts are rejected (E_SCHEDULE_INVALID): give the weekdays explicitly.
* With a weekday pattern, a vial is mixed on a dose day: when ``start`` is not a pattern day the
  mixing day (day 0) is the first pattern day after it, so that :func:`schedule` is the first vial of
  :func:`plan`. Without ``start``, day 0 is the first weekday of the set (Monday for Mon+Thu).
* The BUD is the explicit ``bud_days``, else the preset's label BUD (never applied to a
  preservative-free diluent). A preset without a BUD (generic, custom, UK/EU) or a preservative-free
  diluent without an explicit BUD is E_BUD_REQUIRED (docs/methods/hcg.md §5, T41). Without a preset and without
  ``bud_days`` there is no discard limit: vials are limited by content only, and the BUD fields are
  ``None`` (the spec defines E_BUD_REQUIRED for presets only).
* In :func:`plan`, IU left in the last vial at the end of the plan is reported separately
  (``open_vial_remaining_iu``): that vial may serve doses after the plan.

>>> from endolab.hcg.mixing import mix
>>> s = schedule(mix("5000", "5", "250"), Frequency.on_weekdays("mon,thu"), bud_days=30)
>>> s.weekly_iu, s.last_dose_day, s.doses_used, s.wasted_iu
(Fraction(500, 1), 66, 9, Fraction(2750, 1))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Final

from endolab.dates import iso_calendar_problem, not_a_calendar_date
from endolab.errors import InputError, ParseError
from endolab.hcg._numbers import fmt_money, parse_number, rounded
from endolab.hcg.arithmetic import breakeven_weekly_iu
from endolab.hcg.frequency import MAX_DAYS, MAX_PLAN_WEEKS, Frequency
from endolab.hcg.messages import bud_notices, sort_notices
from endolab.hcg.notices import CATALOGUE, HcgInputError, Notice, schedule_invalid
from endolab.hcg.products import PRESERVATIVE_FREE_DILUENTS
from endolab.hcg.results import MixResult
from endolab.numbers import Number

__all__ = [
    "DOSE_ON_DISCARD_DATE_USABLE",
    "PlanResult",
    "ScheduleResult",
    "VialUse",
    "parse_date",
    "plan",
    "resolve_bud",
    "schedule",
]

#: BUD convention [A] (docs/methods/hcg.md §3.2, §7 item 6): "use within N days" → discard date = mix date + N days,
#: and a dose **on** the discard date is expired (usable iff dose_day < discard_day). Conservative by
#: at most one day.
DOSE_ON_DISCARD_DATE_USABLE: Final = False

#: Reference Monday used to lay out a weekday pattern when no start date is given.
_REFERENCE_MONDAY: Final = date(2024, 1, 1)


def _add_days(base: date, days: int, field: str = "start") -> date:
    """``base + days``; a date past 9999-12-31 is an :class:`InputError` naming ``field``."""
    try:
        return base + timedelta(days=days)
    except OverflowError:
        raise InputError(
            f"`{field}` {base.isoformat()} puts the calendar past {date.max.isoformat()} (the last "
            "date it can hold); use an earlier start, fewer weeks or fewer days.",
            field=field,
            value=base.isoformat(),
        ) from None


def parse_date(raw: str | date, field: str = "start") -> date:
    """An ISO date ``YYYY-MM-DD``; anything else is a parse error (exit 2).

    >>> parse_date("2025-01-06")
    datetime.date(2025, 1, 6)
    >>> parse_date("2026-02-30")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: `start` 2026-02-30 is not a calendar date (that month has no such day).
    """
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        reason = iso_calendar_problem(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
        if reason is not None:  # the form is right, the day is not
            raise ParseError(
                not_a_calendar_date(f"`{field}` {text}", reason) + ".",
                field=field,
                value=raw,
            ) from None
        raise ParseError(
            f"`{field}` must be a date written YYYY-MM-DD, e.g. 2025-01-06 (got `{raw}`).",
            field=field,
            value=raw,
        ) from None


def resolve_bud(m: MixResult, bud_days: Number | None) -> int | None:
    """The BUD to use [days]: explicit, else the preset's label BUD for a preserved diluent.

    ``None`` (no discard limit) only without a preset and with a preserved diluent. Raises
    E_BUD_NOT_POSITIVE (≤ 0 or not whole) or E_BUD_REQUIRED (a preset without a BUD, or a
    preservative-free diluent, and no explicit BUD).
    """
    if bud_days is not None:
        value = parse_number(bud_days, "bud_days")
        if value <= 0 or value.denominator != 1:
            raise HcgInputError(
                "E_BUD_NOT_POSITIVE",
                "bud_days",
                f"Beyond-use days (`bud_days`) must be a whole number of days ≥ 1 (got {bud_days}).",
                value=bud_days,
            )
        if value > MAX_DAYS:
            raise InputError(
                f"Beyond-use days (`bud_days`) must be at most {MAX_DAYS} (520 weeks) "
                f"(got {bud_days}).",
                field="bud_days",
                value=bud_days,
            )
        return int(value)
    p = m.preset
    preserved = m.diluent not in PRESERVATIVE_FREE_DILUENTS
    if p is not None and p.bud_days is not None and preserved:
        return p.bud_days
    if p is None and preserved:
        return None
    why = (
        f" ({m.diluent} is preservative-free: no label BUD is applied)"
        if not preserved
        else (f" (preset {p.key} has no default)" if p is not None else "")
    )
    raise HcgInputError(
        "E_BUD_REQUIRED",
        "bud_days",
        f"{CATALOGUE['E_BUD_REQUIRED'].template[:-1]}{why}.",
        value=None,
    )


@dataclass(frozen=True)
class ScheduleResult:
    """One vial on the calendar (docs/methods/hcg.md §3.2). Day indices count from the mixing day (day 0)."""

    mix: MixResult
    frequency: Frequency
    bud_days: int | None
    mix_date: date | None
    first_dose_offset: int
    doses_per_week: Fraction
    weekly_iu: Fraction
    dose_days: tuple[int, ...]
    last_dose_day: int
    coverage_days: Fraction
    discard_day: int | None
    doses_before_bud: int | None
    doses_used: int
    wasted_iu: Fraction
    breakeven_weekly_iu: Fraction | None
    notices: tuple[Notice, ...]

    @property
    def usable_dose_days(self) -> tuple[int, ...]:
        """Dose days served before the discard day."""
        return self.dose_days[: self.doses_used]

    @property
    def discard_date(self) -> date | None:
        """Mix date + BUD (doses on this date are expired)."""
        if self.mix_date is None or self.discard_day is None:
            return None
        return self.mix_date + timedelta(days=self.discard_day)

    @property
    def usable_dose_dates(self) -> tuple[date, ...]:
        """Calendar dates of the usable doses (empty without a mix date)."""
        if self.mix_date is None:
            return ()
        return tuple(self.mix_date + timedelta(days=d) for d in self.usable_dose_days)

    @property
    def last_usable_dose_day(self) -> int:
        """Day of the last dose served before the discard date."""
        return self.dose_days[self.doses_used - 1]

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON record (mix keys plus schedule keys)."""
        d = self.mix.to_dict()
        d["label_line"] = self.mix.label_line(self.mix_date, self.discard_date)
        d.update(
            {
                "frequency": self.frequency.name,
                "doses_per_week": rounded(self.doses_per_week, 2),
                "weekly_iu": rounded(self.weekly_iu, 1),
                "bud_days": self.bud_days,
                "mix_date": self.mix_date,
                "discard_date": self.discard_date,
                "discard_day": self.discard_day,
                "last_dose_day": self.last_dose_day,
                "coverage_days": rounded(self.coverage_days, 1),
                "doses_before_discard": self.doses_used,
                "scheduled_doses_before_discard": self.doses_before_bud,
                "doses_used": self.doses_used,
                "last_usable_dose_day": self.last_usable_dose_day,
                "usable_dose_days": list(self.usable_dose_days),
                "usable_dose_dates": list(self.usable_dose_dates),
                "wasted_iu": rounded(self.wasted_iu, 1),
                "wasted_pct": rounded(self.wasted_iu / self.mix.vial_iu * 100, 1),
                "breakeven_weekly_iu": (
                    None
                    if self.breakeven_weekly_iu is None
                    else rounded(self.breakeven_weekly_iu, 1)
                ),
                "weekly_iu_exact": str(self.weekly_iu),
                "wasted_iu_exact": str(self.wasted_iu),
                "breakeven_weekly_iu_exact": (
                    None if self.breakeven_weekly_iu is None else str(self.breakeven_weekly_iu)
                ),
            }
        )
        return d


def _mix_date_for(frequency: Frequency, start: date | None) -> tuple[date | None, date]:
    if start is None:
        return None, frequency.first_day_on_or_after(_REFERENCE_MONDAY)
    first = frequency.first_day_on_or_after(start)
    return first, first


def schedule(
    m: MixResult,
    frequency: Frequency,
    *,
    bud_days: Number | None = None,
    start: str | date | None = None,
    first_dose_offset: int = 0,
) -> ScheduleResult:
    """One vial on the calendar: weekly IU, last dose day, coverage, BUD use and waste (docs/methods/hcg.md §3.2).

    Parameters
    ----------
    m
        The :func:`~endolab.hcg.mixing.mix` result.
    frequency
        A :class:`Frequency`.
    bud_days
        Beyond-use days after mixing [day]; default the preset's label BUD (see :func:`resolve_bud`).
    start
        Mixing date (ISO text or date); optional. With a weekday pattern it moves to the first
        pattern day on or after it [A].
    first_dose_offset
        Day index of the first dose after mixing [day]; default 0 (first dose on the mixing day).

    Examples
    --------
    docs/methods/hcg.md §6.3 T23: 10,000 IU in 10 mL, 250 IU every other day, BUD 60:

    >>> from endolab.hcg.mixing import mix
    >>> s = schedule(mix("10000", "10", "250"), Frequency.every_days(2), bud_days=60)
    >>> s.weekly_iu, s.doses_used, s.last_dose_day, s.wasted_iu
    (Fraction(875, 1), 30, 78, Fraction(2500, 1))
    """
    bud = resolve_bud(m, bud_days)
    if isinstance(first_dose_offset, bool) or not isinstance(first_dose_offset, int):
        raise schedule_invalid(
            "first_dose_offset",
            f"`first_dose_offset` must be a whole number of days ≥ 0 (got {first_dose_offset!r}).",
            first_dose_offset,
        )
    if first_dose_offset < 0:
        raise schedule_invalid(
            "first_dose_offset",
            f"`first_dose_offset` must be a whole number of days ≥ 0 (got {first_dose_offset}).",
            first_dose_offset,
        )
    start_date = None if start is None else parse_date(start)
    if start_date is not None:
        _add_days(start_date, 6)  # the first pattern day on or after the start must exist
    mix_date, layout_date = _mix_date_for(frequency, start_date)
    n = m.doses_per_vial
    # every date this result computes lies before these bounds (weekday patterns: ≥ 1 dose a week)
    if frequency.weekdays is not None:
        _add_days(layout_date, first_dose_offset + 7 * n, "start" if start else "first_dose_offset")
    if mix_date is not None and bud is not None:
        _add_days(mix_date, bud)
    days: list[int] = []
    for d in frequency.day_indices(layout_date, first_dose_offset):
        if len(days) >= n:
            break
        days.append(d)
    before_bud: int | None = None
    if bud is not None:
        limit = bud + 1 if DOSE_ON_DISCARD_DATE_USABLE else bud
        before_bud = frequency.count_days_before(layout_date, first_dose_offset, limit)
    used = n if before_bud is None else min(n, before_bud)
    wasted = m.vial_iu - used * m.dose_iu
    dpw = frequency.doses_per_week
    weekly = m.dose_iu * dpw
    notes = list(m.notices)
    if bud is not None:
        notes += bud_notices(m, bud, used, wasted, weekly)
    return ScheduleResult(
        mix=m,
        frequency=frequency,
        bud_days=bud,
        mix_date=mix_date,
        first_dose_offset=first_dose_offset,
        doses_per_week=dpw,
        weekly_iu=weekly,
        dose_days=tuple(days),
        last_dose_day=days[n - 1],
        coverage_days=n * Fraction(7) / dpw,
        discard_day=bud,
        doses_before_bud=before_bud,
        doses_used=used,
        wasted_iu=wasted,
        breakeven_weekly_iu=None if bud is None else breakeven_weekly_iu(m.vial_iu, bud),
        notices=sort_notices(notes),
    )


@dataclass(frozen=True)
class VialUse:
    """One vial of a plan: mixed on ``mix_date``, discarded on ``discard_date``."""

    number: int
    mix_date: date
    discard_date: date | None
    dose_dates: tuple[date, ...]
    unused_iu: Fraction
    open_at_end: bool

    @property
    def doses(self) -> int:
        """Doses this vial served within the plan."""
        return len(self.dose_dates)

    def to_dict(self) -> dict[str, Any]:
        """JSON record of the vial."""
        return {
            "vial": self.number,
            "mix_date": self.mix_date,
            "discard_date": self.discard_date,
            "doses": self.doses,
            "dose_dates": list(self.dose_dates),
            "unused_iu": rounded(self.unused_iu, 1),
            "open_at_end": self.open_at_end,
        }


@dataclass(frozen=True)
class PlanResult:
    """A multi-vial plan over ``weeks`` weeks simulated on the calendar (docs/methods/hcg.md §3.2), with costs."""

    schedule: ScheduleResult
    start: date
    weeks: int
    end: date
    dose_dates: tuple[date, ...]
    vials: tuple[VialUse, ...]
    price_per_vial: Fraction | None
    plan_cost: Fraction | None
    cost_per_week: Fraction | None
    drug_only_cost_per_week: Fraction | None
    notices: tuple[Notice, ...]

    @property
    def mix(self) -> MixResult:
        """The mix result every vial uses."""
        return self.schedule.mix

    @property
    def vials_needed(self) -> int:
        """Number of vials mixed over the plan."""
        return len(self.vials)

    @property
    def total_doses(self) -> int:
        """Doses in the plan."""
        return len(self.dose_dates)

    @property
    def discarded_iu(self) -> Fraction:
        """IU thrown away from vials closed within the plan (BUD, dead space, residual, leftover)."""
        return sum((v.unused_iu for v in self.vials if not v.open_at_end), Fraction(0))

    @property
    def open_vial_remaining_iu(self) -> Fraction:
        """IU still in the vial open at the end of the plan (it may serve later doses)."""
        return sum((v.unused_iu for v in self.vials if v.open_at_end), Fraction(0))

    @property
    def diluent_ml_needed(self) -> Fraction:
        """Diluent used: vials × diluent_ml [mL] (docs/methods/hcg.md §3.2, information)."""
        return self.vials_needed * self.mix.diluent_ml

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON record: mix + schedule (first vial) + plan keys."""
        d = self.schedule.to_dict()

        def money(x: Fraction | None) -> float | None:
            return None if x is None else rounded(x, 2)

        d.update(
            {
                "start": self.start,
                "weeks": self.weeks,
                "plan_end_exclusive": self.end,
                "total_doses": self.total_doses,
                "vials_needed": self.vials_needed,
                "price_per_vial": money(self.price_per_vial),
                "plan_cost": money(self.plan_cost),
                "cost_per_week": money(self.cost_per_week),
                "drug_only_cost_per_week": money(self.drug_only_cost_per_week),
                "plan_discarded_iu": rounded(self.discarded_iu, 1),
                "open_vial_remaining_iu": rounded(self.open_vial_remaining_iu, 1),
                "diluent_ml_needed": rounded(self.diluent_ml_needed, 3),
                "vials": [v.to_dict() for v in self.vials],
                "dose_dates": list(self.dose_dates),
            }
        )
        return d

    def formatted_costs(self) -> dict[str, str]:
        """Cost strings (2 dp, currency of the price)."""
        if self.plan_cost is None or self.cost_per_week is None:
            return {}
        assert self.drug_only_cost_per_week is not None
        return {
            "plan_cost": f"{fmt_money(self.plan_cost)} for {self.weeks} weeks",
            "cost_per_week": f"{fmt_money(self.cost_per_week)} per week",
            "drug_only_cost_per_week": f"{fmt_money(self.drug_only_cost_per_week)} per week",
        }


def plan(
    m: MixResult,
    frequency: Frequency,
    *,
    start: str | date,
    weeks: Number,
    bud_days: Number | None = None,
    price_per_vial: Number | None = None,
) -> PlanResult:
    """Simulate vials on the calendar over ``weeks`` weeks from ``start`` (docs/methods/hcg.md §3.2).

    Parameters: the mix result; a :class:`Frequency`; ``start`` date; ``weeks`` [week] (whole ≥ 1);
    ``bud_days`` [day] (default: preset label BUD); ``price_per_vial`` [currency] (≥ 0, optional).

    Cost (docs/methods/hcg.md §3.2): ``plan_cost = vials × price``; ``cost_per_week = plan_cost / weeks``;
    ``drug_only_cost_per_week = price × weekly_iu / vial_iu``.

    docs/methods/hcg.md §6.3 T27: 5,000 IU + 5 mL, 250 IU Mon+Thu, BUD 30, 12 weeks, 60 per vial:

    >>> from endolab.hcg.mixing import mix
    >>> p = plan(mix("5000", "5", "250"), Frequency.per_week(2), start="2025-01-06", weeks=12,
    ...          bud_days=30, price_per_vial="60")
    >>> [v.doses for v in p.vials], p.plan_cost, p.cost_per_week, p.drug_only_cost_per_week
    ([9, 9, 6], Fraction(180, 1), Fraction(15, 1), Fraction(6, 1))
    """
    start_date = parse_date(start)
    w = parse_number(weeks, "weeks")
    if w <= 0 or w.denominator != 1:
        raise HcgInputError(
            "E_WEEKS_NOT_POSITIVE",
            "weeks",
            f"`weeks` must be a whole number of weeks ≥ 1 (got {weeks}).",
            value=weeks,
        )
    price: Fraction | None = None
    if price_per_vial is not None:
        price = parse_number(price_per_vial, "price_per_vial")
        if price < 0:
            raise HcgInputError(
                "E_PRICE_NEGATIVE",
                "price_per_vial",
                f"`price_per_vial` cannot be negative (got {price_per_vial}); enter 0 or more.",
                value=price_per_vial,
            )
    if w > MAX_PLAN_WEEKS:
        raise InputError(
            f"`weeks` must be at most {MAX_PLAN_WEEKS} (10 years) (got {weeks}).",
            field="weeks",
            value=weeks,
        )
    n_weeks = int(w)
    end = _add_days(start_date, 7 * n_weeks)
    first = schedule(m, frequency, bud_days=bud_days, start=start_date)
    bud = first.bud_days
    _add_days(end, (bud or 0) + 1)  # the last discard date (and its calendar end) must exist
    dates = frequency.dates_between(start_date, end)
    vials: list[tuple[date, list[date]]] = []
    remaining = Fraction(0)
    for d in dates:
        expired = (
            bud is not None
            and bool(vials)
            and (
                d >= vials[-1][0] + timedelta(days=bud)
                if not DOSE_ON_DISCARD_DATE_USABLE
                else d > vials[-1][0] + timedelta(days=bud)
            )
        )
        if not vials or remaining - m.residual_ml < m.per_draw_ml or expired:
            vials.append((d, []))
            remaining = m.solution_ml
        remaining -= m.per_draw_ml
        vials[-1][1].append(d)
    uses = tuple(
        VialUse(
            number=i + 1,
            mix_date=mixed,
            discard_date=None if bud is None else mixed + timedelta(days=bud),
            dose_dates=tuple(served),
            unused_iu=m.vial_iu - len(served) * m.dose_iu,
            open_at_end=i == len(vials) - 1,
        )
        for i, (mixed, served) in enumerate(vials)
    )
    cost = per_week = drug_only = None
    if price is not None:
        cost = len(uses) * price
        per_week = cost / n_weeks
        drug_only = price * first.weekly_iu / m.vial_iu
    return PlanResult(
        schedule=first,
        start=start_date,
        weeks=n_weeks,
        end=end,
        dose_dates=tuple(dates),
        vials=uses,
        price_per_vial=price,
        plan_cost=cost,
        cost_per_week=per_week,
        drug_only_cost_per_week=drug_only,
        notices=first.notices,
    )
