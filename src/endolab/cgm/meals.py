"""Meal-time segments of a CGM record and their metrics (issue 20; iglu issue #156 asks for them).

Two segmentations, both documented assumptions of endolab (no consensus defines meal windows for
CGM reporting):

* **Around recorded meals** (:func:`meal_segments` with a treatments table holding ``carbs``
  rows, :mod:`endolab.cgm.readers.treatments`): ``pre_meal`` = readings in the
  :data:`PRE_MEAL_MIN` minutes before a meal, [m − 60 min, m); ``post_meal`` = readings in the
  :data:`POST_MEAL_MIN` minutes from its start, [m, m + 120 min). [A: postprandial glucose is
  measured 1–2 h after the beginning of the meal (American Diabetes Association, Standards of
  Care in Diabetes—2024, section 6, *Diabetes Care* 2024;47(Suppl 1):S111–S125,
  doi:10.2337/dc24-S006); the 60-min pre-meal window is endolab's choice.] A reading between two
  close meals can belong to both windows.
* **Fixed clock windows** (no carbohydrates recorded): :data:`MEAL_WINDOWS`, breakfast
  06:00–10:00, lunch 11:00–15:00, dinner 17:00–21:00 of the wearer's clock [A: endolab's choice,
  overridable with ``windows=``], each window [start, end).

Metrics per segment are :func:`endolab.cgm.compute_metrics` (core set) of the segment's readings,
one row per subject and segment (:func:`meal_metrics`); a segment without readings has no row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import polars as pl

from endolab.cgm.frame import ensure_canonical
from endolab.errors import InputError

__all__ = [
    "MEAL_WINDOWS",
    "POST_MEAL_MIN",
    "PRE_MEAL_MIN",
    "meal_metrics",
    "meal_segments",
    "parse_meal_windows",
]

#: Fixed clock windows [start, end) of the wearer's clock [A: endolab's choice, overridable].
MEAL_WINDOWS: Final[Mapping[str, tuple[dt.time, dt.time]]] = {
    "breakfast": (dt.time(6, 0), dt.time(10, 0)),
    "lunch": (dt.time(11, 0), dt.time(15, 0)),
    "dinner": (dt.time(17, 0), dt.time(21, 0)),
}
#: Pre-meal window before a recorded meal [min] [A].
PRE_MEAL_MIN: Final = 60.0
#: Post-meal window from the start of a recorded meal [min] [A: ADA 2024 section 6: 1–2 h after].
POST_MEAL_MIN: Final = 120.0


def parse_meal_windows(
    text: str, *, field: str = "meal_windows"
) -> dict[str, tuple[dt.time, dt.time]]:
    """Meal windows from ``"breakfast=06:00-10:00,lunch=11:00-15:00"`` (each start before end);
    an error names the option as ``field`` (the library's keyword; the command line passes
    ``--meal-windows``).

    >>> parse_meal_windows("breakfast=07:00-09:30")
    {'breakfast': (datetime.time(7, 0), datetime.time(9, 30))}
    """
    out: dict[str, tuple[dt.time, dt.time]] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, span = part.partition("=")
        start, _, end = span.partition("-")
        a: dt.time | None
        b: dt.time | None
        try:
            a, b = dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())
        except ValueError:
            a = b = None
        if not name.strip() or a is None or b is None or not a < b:
            raise InputError(
                f"meal window {part!r}: give NAME=HH:MM-HH:MM with the start before the end "
                "(e.g. breakfast=06:00-10:00)",
                field=field,
                value=part,
            )
        out[name.strip()] = (a, b)
    if not out:
        raise InputError("no meal windows given", field=field, value=text)
    return out


def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def meal_segments(
    data: Any,
    treatments: pl.DataFrame | None = None,
    *,
    windows: Mapping[str, tuple[dt.time, dt.time]] = MEAL_WINDOWS,
) -> dict[str, pl.DataFrame]:
    """The readings of each meal-time segment (see the module docstring): ``pre_meal`` and
    ``post_meal`` when ``treatments`` has carbohydrate rows of these subjects, else one segment per
    clock window of ``windows``."""
    frame = ensure_canonical(data)
    meals = None
    if treatments is not None and treatments.height:
        meals = (
            treatments.filter((pl.col("kind") == "carbs") & (pl.col("carbs_g") > 0))
            .filter(pl.col("id").is_in(frame.get_column("id").unique().to_list()))
            .select("id", pl.col("time").cast(pl.Datetime("us")).alias("meal"))
            .unique()
            .sort("id", "meal")
        )
    if meals is not None and meals.height:
        readings = frame.with_columns(pl.col("time").cast(pl.Datetime("us"))).sort("id", "time")
        nxt = readings.join_asof(
            meals, left_on="time", right_on="meal", by="id", strategy="forward",
            allow_exact_matches=False,
        )  # fmt: skip
        prev = readings.join_asof(
            meals, left_on="time", right_on="meal", by="id", strategy="backward"
        )
        to_next = (pl.col("meal") - pl.col("time")).dt.total_seconds() / 60.0
        since = (pl.col("time") - pl.col("meal")).dt.total_seconds() / 60.0
        return {
            "pre_meal": nxt.filter(to_next <= PRE_MEAL_MIN).drop("meal").sort("id", "time"),
            "post_meal": prev.filter(since < POST_MEAL_MIN).drop("meal").sort("id", "time"),
        }
    clock = pl.col("time").dt.hour().cast(pl.Int32) * 60 + pl.col("time").dt.minute()
    return {
        name: frame.filter((clock >= _minute(a)) & (clock < _minute(b)))
        for name, (a, b) in windows.items()
    }


def meal_metrics(
    data: Any,
    treatments: pl.DataFrame | None = None,
    *,
    windows: Mapping[str, tuple[dt.time, dt.time]] = MEAL_WINDOWS,
) -> pl.DataFrame:
    """Core metrics (:func:`endolab.cgm.compute_metrics`, mg/dL) of each meal-time segment: one row
    per subject and segment, with the column ``segment`` first after ``id``.

    >>> import datetime as dt, polars as pl
    >>> t = [dt.datetime(2024, 1, 1, 7, 0) + dt.timedelta(minutes=5 * i) for i in range(4)]
    >>> f = pl.DataFrame({"id": ["a"] * 4, "time": t, "gl": [100.0, 120.0, 140.0, 160.0]})
    >>> meal_metrics(f).select("id", "segment", "mean").rows()
    [('a', 'breakfast', 130.0)]
    """
    from endolab.cgm.compute import compute_metrics
    from endolab.notices import collect

    rows = []
    for name, part in meal_segments(data, treatments, windows=windows).items():
        if part.height == 0:
            continue
        with collect():  # a segment's gaps are the split's, not the data's
            table = compute_metrics(part)
        rows.append(table.with_columns(pl.lit(name).alias("segment")))
    if not rows:
        return pl.DataFrame(schema={"id": pl.String, "segment": pl.String})
    out = pl.concat(rows, how="diagonal_relaxed")
    return out.select("id", "segment", pl.exclude("id", "segment"))
