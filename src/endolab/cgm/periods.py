"""Periods for per-period metrics: calendar day, calendar week, or an explicit window of days.

* ``by="day"`` adds ``date`` (local calendar date of the reading, :class:`datetime.date`).
* ``by="week"`` adds ``week_start``: the Monday of the ISO 8601 week of the reading [A: calendar
  weeks, as ISO 8601; use a window for study weeks relative to a day 0].
* ``window=(first, last)`` keeps the readings of days ``first`` … ``last`` (both included) and
  adds ``window_start`` / ``window_end``. Days are either integers relative to a day-0 date
  (``day0``: one date for everyone, a mapping id → date, or a frame with columns ``id``, ``day0``;
  day 0 is the calendar day of ``day0``, day 1 the next) or two :class:`datetime.date` values.
  E.g. trial days 352–365: ``window=(352, 365), day0={"P01": date(2024, 1, 8), …}``.

Active % in a period uses R iglu's manual mode with the period's length (``period_minutes``):
1440 for a day, 10,080 for a week, (last − first + 1) × 1440 for a window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from endolab.errors import InputError

__all__ = ["PeriodPlan", "add_periods"]

By = Literal["day", "week"] | None


@dataclass(frozen=True)
class PeriodPlan:
    """Result of :func:`add_periods`: the frame with period columns and how to group it."""

    frame: pl.DataFrame
    keys: tuple[str, ...]
    period_minutes: float | None
    #: one row per (id, window) expected in the output, for subjects without readings in the window
    expected: pl.DataFrame | None = None


def _as_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise InputError(
        f"{field} must be a date (YYYY-MM-DD), got {value!r}", field=field, value=value
    )


def _day0_frame(day0: Any, ids: pl.Series) -> pl.DataFrame:
    if day0 is None:
        raise InputError(
            "a window of day numbers needs day0: a date, a mapping id → date, or a frame with "
            "columns id, day0",
            field="day0",
        )
    if isinstance(day0, pl.DataFrame):
        if not {"id", "day0"} <= set(day0.columns):
            raise InputError("the day0 frame needs columns id and day0", field="day0")
        table = day0.select(pl.col("id").cast(pl.String), pl.col("day0"))
        if table.schema["day0"] != pl.Date:
            table = table.with_columns(
                pl.Series("day0", [_as_date(v, "day0") for v in table["day0"]], dtype=pl.Date)
            )
        return table
    if isinstance(day0, Mapping):
        return pl.DataFrame(
            {
                "id": [str(k) for k in day0],
                "day0": [_as_date(v, f"day0[{k!r}]") for k, v in day0.items()],
            },
            schema={"id": pl.String, "day0": pl.Date},
        )
    d0 = _as_date(day0, "day0")
    return pl.DataFrame({"id": ids.unique().sort()}).with_columns(pl.lit(d0).alias("day0"))


def add_periods(
    frame: pl.DataFrame,
    *,
    by: str | None = None,
    window: tuple[Any, Any] | None = None,
    day0: Any = None,
) -> PeriodPlan:
    """Add period columns to a canonical frame and return the grouping plan.

    >>> import polars as pl, datetime as dt
    >>> f = pl.DataFrame({"id": ["a", "a"], "time": [dt.datetime(2024, 1, 1, 23, 55),
    ...                   dt.datetime(2024, 1, 2, 0, 0)], "gl": [100.0, 110.0]})
    >>> plan = add_periods(f, by="day")
    >>> plan.keys, plan.period_minutes, plan.frame["date"].to_list()
    (('id', 'date'), 1440.0, [datetime.date(2024, 1, 1), datetime.date(2024, 1, 2)])
    """
    keys: list[str] = ["id"]
    minutes: float | None = None
    expected: pl.DataFrame | None = None
    if window is not None:
        try:
            first, last = window
        except (TypeError, ValueError):
            raise InputError(
                f"window must be a pair (first, last), got {window!r}", field="window"
            ) from None
        if isinstance(first, (dt.date, str)) and isinstance(last, (dt.date, str)):
            d_first, d_last = _as_date(first, "window start"), _as_date(last, "window end")
            if d_first > d_last:
                raise InputError(
                    f"window start {d_first} is after window end {d_last}", field="window"
                )
            frame = frame.filter(pl.col("time").dt.date().is_between(d_first, d_last))
            frame = frame.with_columns(
                pl.lit(d_first).alias("window_start"), pl.lit(d_last).alias("window_end")
            )
            n_days = (d_last - d_first).days + 1
            ids = frame.get_column("id").unique().sort()
            expected = pl.DataFrame({"id": ids}).with_columns(
                pl.lit(d_first).alias("window_start"), pl.lit(d_last).alias("window_end")
            )
        else:
            try:
                i_first, i_last = int(first), int(last)
            except (TypeError, ValueError):
                raise InputError(
                    f"window must be two day numbers or two dates, got {window!r}", field="window"
                ) from None
            if i_first > i_last or i_first != first or i_last != last:
                raise InputError(
                    f"window ({first}, {last}): need whole day numbers with first ≤ last",
                    field="window",
                )
            table = _day0_frame(day0, frame.get_column("id"))
            unknown = frame.select(pl.col("id").unique()).join(table, on="id", how="anti")
            if unknown.height:
                raise InputError(
                    f"no day0 for subject(s) {', '.join(unknown['id'].head(5).to_list())}",
                    field="day0",
                )
            day = (pl.col("time").dt.date() - pl.col("day0")).dt.total_days()
            frame = (
                frame.join(table, on="id", how="left")
                .filter(day.is_between(i_first, i_last))
                .drop("day0")
                .with_columns(
                    pl.lit(i_first, dtype=pl.Int64).alias("window_start"),
                    pl.lit(i_last, dtype=pl.Int64).alias("window_end"),
                )
            )
            n_days = i_last - i_first + 1
            expected = table.select("id").with_columns(
                pl.lit(i_first, dtype=pl.Int64).alias("window_start"),
                pl.lit(i_last, dtype=pl.Int64).alias("window_end"),
            )
        keys += ["window_start", "window_end"]
        minutes = n_days * 1440.0
    if by is not None:
        if by == "day":
            frame = frame.with_columns(pl.col("time").dt.date().alias("date"))
            keys.append("date")
            minutes = 1440.0
        elif by == "week":
            frame = frame.with_columns(
                pl.col("time").dt.truncate("1w").dt.date().alias("week_start")
            )
            keys.append("week_start")
            minutes = 7 * 1440.0
        else:
            raise InputError(f"by must be 'day' or 'week', got {by!r}", field="by", value=by)
        expected = None
    return PeriodPlan(frame=frame, keys=tuple(keys), period_minutes=minutes, expected=expected)
