"""The clinic AGP report: one page per subject in the layout of the AGP report v5 (PDF or HTML).

What a page shows (the International Diabetes Center AGP report, v5; Battelino T, Alexander CM,
Amiel SA, et al. Continuous glucose monitoring and metrics for clinical trials: an international
consensus statement. *Lancet Diabetes Endocrinol* 2023;11(1):42–57,
doi:10.1016/S2213-8587(22)00319-9; Battelino T, Danne T, Bergenstal RM, et al. Clinical targets
for continuous glucose monitoring data interpretation: recommendations from the international
consensus on time in range. *Diabetes Care* 2019;42(8):1593–1603, doi:10.2337/dci19-0028):

* **Glucose statistics and targets**: the reporting period, days of data and % time CGM active
  with the sufficiency verdict (≥ 14 days, ≥ 70 % active), mean glucose, GMI, CV, and the five
  ranges with the consensus targets for most adults with type 1 or type 2 diabetes
  (:data:`TARGETS`, Battelino 2019, Table 2 / Figure 2).
* **Time in ranges** as one stacked bar.
* **The AGP**: median, 25–75 % and 5–95 % by time of day (:func:`endolab.cgm.agp_percentiles`).
* **Daily glucose profiles**: the last 14 calendar days of the record, one small panel each [A: the
  AGP report shows the 14 days of its reporting period; a longer record shows its last 14].
* **Day and night**: mean and times in ranges at night, 00:00–06:00, and by day, 06:00–24:00
  (:data:`NIGHT_HOURS`; the nocturnal period of Danne T, Nimri R, Battelino T, et al.
  International consensus on use of continuous glucose monitoring. *Diabetes Care*
  2017;40(12):1631–1640, doi:10.2337/dc17-1600).
* **Meal times** (:mod:`endolab.cgm.meals`): mean and times in ranges before and after the
  recorded meals when a treatments table with carbohydrates is given, else in fixed clock windows
  (breakfast, lunch, dinner [A], overridable).
* Optionally a **comparison** with a previous period (two dates): its figures beside the current.

Every number is a value of :func:`endolab.cgm.compute_metrics` (core set) of the subject's
readings (the whole record — exactly the row of ``endolab cgm metrics`` — or the segment or
period named), formatted once by :func:`report_rows`; the PDF and the HTML are two views of the
same :class:`ClinicReport`. The PDF is drawn with matplotlib (extra ``[plot]``) and written with
its ``PdfPages``, with text kept as text (TrueType), so that the page's numbers can be read back.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import polars as pl

from endolab.cgm.agp import agp_percentiles, sufficiency_text
from endolab.cgm.frame import ensure_canonical
from endolab.cgm.meals import MEAL_WINDOWS, POST_MEAL_MIN, PRE_MEAL_MIN, meal_segments
from endolab.cgm.results import CLI_OPTION_NAMES as CLI_OPTION_NAMES
from endolab.cgm.schema import (
    TAR_LEVEL1_MG_DL,
    TAR_LEVEL2_MG_DL,
    TBR_LEVEL1_MG_DL,
    TBR_LEVEL2_MG_DL,
    TIR_HIGH_MG_DL,
    TIR_LOW_MG_DL,
)
from endolab.errors import InputError
from endolab.notices import Notice
from endolab.output import DISCLAIMER, to_jsonable
from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L, normalize_unit

__all__ = [
    "DAILY_PROFILES",
    "NIGHT_HOURS",
    "TARGETS",
    "ClinicReport",
    "SubjectReport",
    "clinic_report",
    "meal_label",
    "report_html",
    "report_of_sources",
    "report_pdf",
    "report_record",
    "report_rows",
]

#: Number of daily profiles on a page (AGP report v5: 14).
DAILY_PROFILES: Final = 14
#: Night: from 00:00 up to (not including) 06:00 [h] (Danne 2017, doi:10.2337/dc17-1600).
NIGHT_HOURS: Final = (0, 6)
#: Width of the AGP's time-of-day bins [min] (:func:`endolab.cgm.agp_percentiles`' default).
AGP_BIN_MIN: Final = 15
#: Gap between readings above which a daily profile's line is broken [min] [A].
PROFILE_GAP_MIN: Final = 30.0

#: Consensus targets for most adults with type 1 or type 2 diabetes (Battelino 2019,
#: doi:10.2337/dci19-0028, Table 2 and Figure 2): metrics column → (comparison, value [%]).
TARGETS: Final[Mapping[str, tuple[str, float]]] = {
    "tir_70_180": (">", 70.0),
    "tbr_70": ("<", 4.0),
    "tbr_54": ("<", 1.0),
    "tar_180": ("<", 25.0),
    "tar_250": ("<", 5.0),
    "cv": ("≤", 36.0),
}

_RANGE_COLOURS: Final = {
    "tar_250": "#e8590c",
    "tar_180_250": "#fcc419",
    "tir_70_180": "#2f9e44",
    "tbr_54_70": "#e03131",
    "tbr_54": "#862e2e",
}


@dataclass(frozen=True)
class SubjectReport:
    """One page: the subject's figures, each a :func:`endolab.cgm.compute_metrics` row (mg/dL).

    ``metrics``: the whole record (the row of ``cgm metrics``); ``segments``: ``"night"`` and
    ``"day"``; ``compare``: the comparison period's row (or ``None``) and ``compare_period`` its
    dates; ``profile_days`` the dates of the daily profiles; ``curves`` the AGP percentiles
    [mg/dL]; ``readings`` the subject's readings of the profile days; ``meals`` the meal-time
    segments as (key, label, metrics row) (:mod:`endolab.cgm.meals`).
    """

    subject: str
    metrics: Mapping[str, Any]
    sufficiency: str
    sufficient: bool
    first: dt.datetime
    last: dt.datetime
    segments: Mapping[str, Mapping[str, Any] | None]
    compare: Mapping[str, Any] | None
    compare_period: tuple[dt.date, dt.date] | None
    profile_days: tuple[dt.date, ...]
    curves: pl.DataFrame
    readings: pl.DataFrame
    meals: tuple[tuple[str, str, Mapping[str, Any] | None], ...] = field(default=())


@dataclass(frozen=True)
class ClinicReport:
    """The report of one or more subjects (one page each), the glucose unit shown, notices."""

    pages: tuple[SubjectReport, ...]
    unit: str
    notices: tuple[Notice, ...] = ()


def _row(frame: pl.DataFrame, found: list[Notice] | None = None) -> dict[str, Any] | None:
    """The core metrics row of ``frame`` (one subject); its notices go to ``found`` (kept) or are
    dropped (the segments and the comparison period: their gaps are the split's, not the data's)."""
    from endolab.cgm.compute import compute_metrics
    from endolab.notices import collect

    if frame.height == 0:
        return None
    with collect() as notices:
        table = compute_metrics(frame)
    if found is not None:
        found.extend(notices)
    return dict(table.row(0, named=True))


def _compare_bounds(compare: Any, label: str = "compare") -> tuple[dt.date, dt.date] | None:
    """The period of ``compare``; an error names the option as ``label`` (the library's keyword;
    the command line's is ``--compare``)."""
    if compare is None:
        return None
    if isinstance(compare, str):
        from endolab.cgm.windows import parse_window

        bounds = parse_window(compare, label=label)
    else:
        bounds = tuple(compare)
    start, end = bounds
    if not (isinstance(start, dt.date) and isinstance(end, dt.date)):
        raise InputError(
            f"{label} {compare!r}: give two dates START:END (e.g. 2024-01-01:2024-01-14)",
            field=label,
            value=str(compare),
        )
    return start, end


def clinic_report(
    data: Any,
    subjects: Sequence[str] | None = None,
    *,
    compare: Any = None,
    unit: str = "mg/dL",
    treatments: pl.DataFrame | None = None,
    meal_windows: Mapping[str, tuple[dt.time, dt.time]] = MEAL_WINDOWS,
) -> ClinicReport:
    """The clinic AGP report of a CGM frame or :class:`~endolab.cgm.CgmData` (one page a subject).

    Parameters
    ----------
    data
        Canonical CGM frame, or the :class:`~endolab.cgm.CgmData` of :func:`endolab.cgm.load_cgm`
        (its notices ride along).
    subjects
        Subject ids, one page each in this order (default: every subject, sorted).
    compare
        A previous period to compare with: ``"START:END"`` (two dates, inclusive) or a pair of
        :class:`datetime.date`.
    unit
        Glucose unit shown: ``"mg/dL"`` or ``"mmol/L"`` (× 1/18,
        :data:`endolab.units.GLUCOSE_MG_DL_PER_MMOL_L`).
    treatments, meal_windows
        The meal-time segments (:func:`endolab.cgm.meals.meal_segments`): before and after the
        meals of ``treatments`` (its ``carbs`` rows) when it has any for the subject, else the
        clock windows ``meal_windows`` [A].
    """
    from endolab.cgm.data import CgmData

    notices: tuple[Notice, ...] = ()
    if isinstance(data, CgmData):
        data, notices = data.frame, data.notices
    frame = ensure_canonical(data)
    shown = normalize_unit(unit, quantity="glucose")
    known = sorted(frame.get_column("id").unique().to_list())
    ids = known if subjects is None else [str(s) for s in subjects]
    for s in ids:
        if s not in known:
            raise InputError(
                f"subject {s!r} not found; subjects: {', '.join(known[:10])}", field="id", value=s
            )
    period = _compare_bounds(compare)
    found: list[Notice] = list(notices)
    pages = []
    for subject in ids:
        own = frame.filter(pl.col("id") == subject)
        row = _row(own, found)
        assert row is not None  # a known subject has readings
        verdict, ok = sufficiency_text(
            row["days_worn"], row["active_percent"], row.get("median_interval_min")
        )
        hour = pl.col("time").dt.hour()
        segments = {
            "night": _row(own.filter((hour >= NIGHT_HOURS[0]) & (hour < NIGHT_HOURS[1]))),
            "day": _row(own.filter((hour < NIGHT_HOURS[0]) | (hour >= NIGHT_HOURS[1]))),
        }
        meals = tuple(
            (key, meal_label(key, meal_windows), _row(part))
            for key, part in meal_segments(own, treatments, windows=meal_windows).items()
        )
        compared = None
        if period is not None:
            day = pl.col("time").dt.date()
            compared = _row(own.filter((day >= period[0]) & (day <= period[1])))
        first, last = own.get_column("time").min(), own.get_column("time").max()
        assert isinstance(first, dt.datetime) and isinstance(last, dt.datetime)
        days = tuple(
            last.date() - dt.timedelta(days=DAILY_PROFILES - 1 - i) for i in range(DAILY_PROFILES)
        )
        pages.append(
            SubjectReport(
                subject=subject,
                metrics=row,
                sufficiency=verdict,
                sufficient=ok and bool(row["sufficient_2019"]),
                first=first,
                last=last,
                segments=segments,
                compare=compared,
                compare_period=period,
                profile_days=days,
                curves=agp_percentiles(own, subject, bin_minutes=AGP_BIN_MIN, unit="mg/dL"),
                readings=own.filter(pl.col("time").dt.date() >= days[0]),
                meals=meals,
            )
        )
    from endolab.notices import unique

    return ClinicReport(tuple(pages), shown, unique(found))


def report_of_sources(
    sources: Any,
    *,
    names: Sequence[str | None] | None = None,
    subjects: Sequence[str] | None = None,
    compare: Any = None,
    report_unit: str = "mg/dL",
    unit: str | None = None,
    reader: str = "auto",
    date_order: str = "auto",
    meal_windows: str | Mapping[str, tuple[dt.time, dt.time]] | None = None,
    recorded_meals: bool = False,
    max_subjects: int | None = None,
    option_names: Mapping[str, str] = CLI_OPTION_NAMES,
) -> ClinicReport:
    """The clinic AGP report of CGM files with the options of ``endolab cgm report``: what the
    command line, the /cgm page and the web API call, so that each reads the same options the same
    way.

    ``sources`` (and ``names``): as :func:`endolab.cgm.load_cgm` (paths, bytes or file objects);
    ``subjects``: ``--id``, the pages in this order (default: every subject, sorted);
    ``report_unit``: the glucose unit shown (``--report-unit``); ``unit``: the glucose unit of the
    input (``--unit``, for a generic file without one); ``reader``, ``date_order``: ``--reader``,
    ``--date-order`` (:func:`endolab.cgm.readers.reader_options`); ``meal_windows``: text as
    ``--meal-windows`` or parsed windows (default :data:`~endolab.cgm.meals.MEAL_WINDOWS` [A]);
    ``recorded_meals``: meal times from the carbohydrates recorded in the files
    (:func:`endolab.cgm.readers.read_treatments`); ``max_subjects``: at most this many pages (the
    first subjects, sorted, when none are named; more named is refused); ``option_names``: how
    messages name each option (:data:`CLI_OPTION_NAMES` by default). The files are read by
    :func:`endolab.cgm.results.load_cgm_with_options` (as the /cgm page's Analyse reads them).
    """
    from endolab.cgm.meals import parse_meal_windows
    from endolab.cgm.readers import read_treatments, reader_options
    from endolab.cgm.results import load_cgm_with_options

    label = {**CLI_OPTION_NAMES, **option_names}
    shown = normalize_unit(
        report_unit, quantity="glucose", field=label["report_unit"], prefix_field=True
    )
    if meal_windows is None or meal_windows == "":
        windows: Mapping[str, tuple[dt.time, dt.time]] = MEAL_WINDOWS
    elif isinstance(meal_windows, str):
        windows = parse_meal_windows(meal_windows, field=label["meal_windows"])
    else:
        windows = meal_windows
    options = reader_options(
        reader, date_order, reader_field=label["reader"], date_order_field=label["date_order"]
    )
    wanted = [str(s) for s in subjects] if subjects else None
    if wanted is not None and max_subjects is not None and len(wanted) > max_subjects:
        raise InputError(
            f"{label['subjects']}: at most {max_subjects} subjects in one report here "
            f"(got {len(wanted)})",
            field=label["subjects"],
            value=len(wanted),
        )
    data = load_cgm_with_options(
        sources,
        names=names,
        unit=unit,
        reader=reader,
        date_order=date_order,
        option_names=label,
    )
    if wanted is None and max_subjects is not None:
        wanted = sorted(data.frame.get_column("id").unique().to_list())[:max_subjects]
    treatments = (
        read_treatments(
            sources,
            names=names,
            reader=options["reader"],
            date_order=options.get("date_order", "auto"),
        )
        if recorded_meals
        else None
    )
    return clinic_report(
        data,
        wanted,
        compare=_compare_bounds(compare or None, label["compare"]),
        unit=shown,
        treatments=treatments,
        meal_windows=windows,
    )


def _in_unit(row: Mapping[str, Any] | None, unit: str) -> dict[str, Any] | None:
    """A metrics row with its glucose-valued columns in ``unit`` (× 1/18 for mmol/L, as
    ``compute_metrics(unit_out="mmol/L")``; :func:`endolab.cgm.columns.column_unit`)."""
    from endolab.cgm.columns import column_unit

    if row is None:
        return None
    if unit == "mg/dL":
        return dict(row)
    return {
        c: (
            v / GLUCOSE_MG_DL_PER_MMOL_L
            if isinstance(v, int | float)
            and not isinstance(v, bool)
            and column_unit(c, "glucose").startswith("glucose")
            else v
        )
        for c, v in row.items()
    }


def _daily_profile(page: SubjectReport, unit: str) -> list[dict[str, Any]]:
    """Per daily profile: its date, readings and their mean, lowest and highest glucose in
    ``unit`` (censored readings at their stored value, 39 and 401 mg/dL), ``None`` without any."""
    scale = 1.0 if unit == "mg/dL" else 1.0 / GLUCOSE_MG_DL_PER_MMOL_L
    day = pl.col("time").dt.date()
    stats = (
        page.readings.group_by(day.alias("date"))
        .agg(
            pl.len().alias("n_readings"),
            (pl.col("gl").mean() * scale).alias("mean"),
            (pl.col("gl").min() * scale).alias("min"),
            (pl.col("gl").max() * scale).alias("max"),
        )
        .to_dicts()
    )
    found = {r["date"]: r for r in stats}
    empty = {"n_readings": 0, "mean": None, "min": None, "max": None}
    return [{"date": d, **{k: found.get(d, empty)[k] for k in empty}} for d in page.profile_days]


def report_record(report: ClinicReport) -> dict[str, Any]:
    """The report's numbers as a JSON-ready record: what the PDF and the HTML show, with units.

    ``glucose_unit``: the report's unit, of every glucose number below (``units`` names the unit
    of each metrics column); per page (``pages``): ``id``, ``first``/``last`` reading,
    ``sufficient`` and the ``sufficiency`` line, ``metrics`` (the whole record: the row of ``cgm
    metrics``), ``shown`` (the page's figures as printed, :func:`report_rows`: column, label,
    value, unit, target), ``segments`` (``night``, ``day``), ``meals`` (key, label, metrics),
    ``compare`` (``start``, ``end``, ``metrics``; ``None`` without a comparison), ``agp`` (the
    AGP's percentiles per time-of-day bin, :func:`endolab.cgm.agp_percentiles`) and
    ``daily_profiles`` (the 14 days: date, readings, mean, lowest and highest glucose);
    ``targets`` (:data:`TARGETS`, [%]), ``notices`` and the disclaimer. A metrics row is ``None``
    where the segment or period has no reading.
    """
    from endolab.cgm.columns import column_unit
    from endolab.cgm.tables import GLUCOSE_CONVERSION

    unit = report.unit
    scale = 1.0 if unit == "mg/dL" else 1.0 / GLUCOSE_MG_DL_PER_MMOL_L
    pages = []
    columns: dict[str, str] = {}
    for page in report.pages:
        columns |= {c: column_unit(c, unit) for c in page.metrics}
        curves = page.curves.drop("id").with_columns(
            pl.col(c) * scale for c in page.curves.columns if c.startswith("p")
        )
        compare = None
        if page.compare_period is not None:
            compare = {
                "start": page.compare_period[0],
                "end": page.compare_period[1],
                "metrics": _in_unit(page.compare, unit),
            }
        pages.append(
            {
                "id": page.subject,
                "first": page.first,
                "last": page.last,
                "sufficient": page.sufficient,
                "sufficiency": page.sufficiency,
                "metrics": _in_unit(page.metrics, unit),
                "shown": [
                    {"column": c, "label": label, "value": v, "unit": u, "target": t}
                    for c, label, v, u, t in report_rows(page.metrics, unit)
                ],
                "segments": {k: _in_unit(v, unit) for k, v in page.segments.items()},
                "meals": [
                    {"key": k, "label": label, "metrics": _in_unit(row, unit)}
                    for k, label, row in page.meals
                ],
                "compare": compare,
                "agp": {
                    "bin_minutes": AGP_BIN_MIN,
                    "units": {"bin_start_min": "min", "n": "count"}
                    | {c: unit for c in curves.columns if c.startswith("p")},
                    "bins": curves.to_dicts(),
                },
                "daily_profiles": {
                    "units": {"n_readings": "count", "mean": unit, "min": unit, "max": unit},
                    "days": _daily_profile(page, unit),
                },
            }
        )
    return to_jsonable(  # type: ignore[no-any-return]
        {
            "disclaimer": DISCLAIMER,
            "what": "cgm report",
            "glucose_unit": unit,
            "glucose_conversion": GLUCOSE_CONVERSION,
            "units": columns,
            "targets": {
                c: {"comparison": op, "value": v, "unit": "%"} for c, (op, v) in TARGETS.items()
            },
            "warnings": [n.message for n in report.notices],
            "notices": [n.as_dict() for n in report.notices],
            "pages": pages,
        }
    )


def meal_label(key: str, windows: Mapping[str, tuple[dt.time, dt.time]]) -> str:
    """The row label of a meal-time segment (``Breakfast 06:00–10:00``, ``Pre-meal (60 min)``)."""
    if key == "pre_meal":
        return f"Pre-meal ({PRE_MEAL_MIN:.0f} min before)"
    if key == "post_meal":
        return f"Post-meal (0–{POST_MEAL_MIN:.0f} min after)"
    a, b = windows[key]
    return f"{key.capitalize()} {a:%H:%M}–{b:%H:%M}"


def _floor1(value: float) -> float:
    return math.floor(value * 10.0) / 10.0


def _glucose(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "mg/dL":
        return f"{value:.0f}"
    return f"{value / GLUCOSE_MG_DL_PER_MMOL_L:.1f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _limit(mg_dl: float, unit: str) -> str:
    return f"{mg_dl:g}" if unit == "mg/dL" else f"{mg_dl / GLUCOSE_MG_DL_PER_MMOL_L:.1f}"


def report_rows(row: Mapping[str, Any] | None, unit: str) -> list[tuple[str, str, str, str, str]]:
    """The figures of one metrics row as the report shows them: ``(column, label, value, unit,
    target)``, formatted once for the PDF and the HTML.

    Glucose in ``unit`` (mg/dL without decimals, mmol/L with one), percentages with one decimal,
    days of data and % active rounded *down* to 0.1 (as the AGP's sufficiency line,
    :func:`endolab.cgm.agp.sufficiency_text`), GMI with one decimal.

    >>> rows = report_rows({"mean": 154.44, "gmi": 7.0, "cv": 33.33, "days_worn": 13.99,
    ...     "active_percent": 99.96, "tir_70_180": 70.05, "tbr_70": 3.0, "tbr_54": 0.5,
    ...     "tbr_54_70": 2.5, "tar_180": 26.95, "tar_180_250": 22.0, "tar_250": 4.95}, "mg/dL")
    >>> [(r[0], r[2], r[4]) for r in rows][:4]
    [('days_worn', '13.9', ''), ('active_percent', '99.9', ''), ('mean', '154', ''), ('gmi', '7.0', '')]
    >>> rows[6]
    ('tar_250', 'Very high >250', '5.0', '%', '< 5 %')
    """
    if row is None:
        return []

    def target(column: str) -> str:
        if column not in TARGETS:
            return ""
        sign, value = TARGETS[column]
        return f"{sign} {value:g} %"

    lo2, lo1 = _limit(TBR_LEVEL2_MG_DL, unit), _limit(TBR_LEVEL1_MG_DL, unit)
    hi1, hi2 = _limit(TAR_LEVEL1_MG_DL, unit), _limit(TAR_LEVEL2_MG_DL, unit)
    tlo, thi = _limit(TIR_LOW_MG_DL, unit), _limit(TIR_HIGH_MG_DL, unit)
    days = row.get("days_worn")
    active = row.get("active_percent")
    return [
        ("days_worn", "Days of data", "n/a" if days is None else f"{_floor1(days):.1f}", "d", ""),
        (
            "active_percent",
            "% time CGM active",
            "n/a" if active is None else f"{_floor1(active):.1f}",
            "%",
            "",
        ),
        ("mean", "Mean glucose", _glucose(row.get("mean"), unit), unit, ""),
        ("gmi", "GMI", _pct(row.get("gmi")), "%", ""),
        ("cv", "Glucose variability (CV)", _pct(row.get("cv")), "%", target("cv")),
        (
            "tir_70_180",
            f"Target {tlo}–{thi}",
            _pct(row.get("tir_70_180")),
            "%",
            target("tir_70_180"),
        ),
        ("tar_250", f"Very high >{hi2}", _pct(row.get("tar_250")), "%", target("tar_250")),
        ("tar_180", f"High + very high >{hi1}", _pct(row.get("tar_180")), "%", target("tar_180")),
        ("tar_180_250", f"High {hi1}–{hi2}", _pct(row.get("tar_180_250")), "%", ""),
        ("tbr_54_70", f"Low {lo2}–<{lo1}", _pct(row.get("tbr_54_70")), "%", ""),
        ("tbr_70", f"Low + very low <{lo1}", _pct(row.get("tbr_70")), "%", target("tbr_70")),
        ("tbr_54", f"Very low <{lo2}", _pct(row.get("tbr_54")), "%", target("tbr_54")),
    ]


def _segment_heads(unit: str) -> tuple[str, ...]:
    """Column heads of the day/night table: target, <70, <54, >180, >250 in ``unit``."""
    lim = [_limit(v, unit) for v in (TIR_LOW_MG_DL, TIR_HIGH_MG_DL, TBR_LEVEL1_MG_DL)]
    more = [_limit(v, unit) for v in (TBR_LEVEL2_MG_DL, TAR_LEVEL1_MG_DL, TAR_LEVEL2_MG_DL)]
    return (f"{lim[0]}–{lim[1]}", f"<{lim[2]}", f"<{more[0]}", f">{more[1]}", f">{more[2]}")


def _period_text(page: SubjectReport) -> str:
    return f"{page.first:%Y-%m-%d %H:%M} – {page.last:%Y-%m-%d %H:%M}"


def _draw_page(page: SubjectReport, unit: str) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    scale = 1.0 if unit == "mg/dL" else 1.0 / GLUCOSE_MG_DL_PER_MMOL_L
    fig = Figure(figsize=(8.27, 11.69))
    fig.text(0.04, 0.975, "AGP Report: Continuous Glucose Monitoring", fontsize=14, weight="bold")
    fig.text(0.04, 0.955, f"Subject {page.subject}   ·   {_period_text(page)}", fontsize=9.5)
    fig.text(
        0.04,
        0.94,
        page.sufficiency,
        fontsize=9,
        color="#2f9e44" if page.sufficient else "#c92a2a",
        gid="report-sufficiency",
    )

    # --- glucose statistics and targets -------------------------------------------------------
    rows = report_rows(page.metrics, unit)
    fig.text(0.04, 0.915, "GLUCOSE STATISTICS AND TARGETS", fontsize=9.5, weight="bold")
    has_compare = page.compare_period is not None
    compare_rows = {r[0]: r for r in report_rows(page.compare, unit)} if has_compare else {}
    fig.text(0.33, 0.899, "this report", fontsize=7, ha="right", color="#495057")
    if has_compare and page.compare_period is not None:
        a, b = page.compare_period
        fig.text(0.43, 0.899, "previous", fontsize=7, ha="right", color="#495057")
        fig.text(
            0.04,
            0.7045,
            f"previous: the same figures for {a:%Y-%m-%d} to {b:%Y-%m-%d}",
            fontsize=7,
            color="#495057",
        )
    fig.text(0.52, 0.899, "target", fontsize=7, ha="right", color="#495057")
    for i, (column, label, value, u, target) in enumerate(rows):
        y = 0.882 - i * 0.0150
        fig.text(0.04, y, label, fontsize=8.5)
        fig.text(0.33, y, f"{value} {u}", fontsize=8.5, weight="bold", ha="right", gid=column)
        if has_compare:
            old = compare_rows.get(column)
            fig.text(0.43, y, f"{old[2]} {old[3]}" if old else "n/a", fontsize=8, ha="right")
        fig.text(0.52, y, target, fontsize=8, ha="right", color="#495057")

    # --- time in ranges bar -----------------------------------------------------------------
    fig.text(0.60, 0.915, "TIME IN RANGES", fontsize=9.5, weight="bold")
    bar = fig.add_axes((0.62, 0.70, 0.06, 0.2))
    bottom = 0.0
    values = {r[0]: r for r in rows}
    bands = ("tbr_54", "tbr_54_70", "tir_70_180", "tar_180_250", "tar_250")
    centres = []
    for column in bands:
        share = page.metrics.get(column) or 0.0
        bar.add_patch(Rectangle((0, bottom), 1, share, color=_RANGE_COLOURS[column], lw=0))
        centres.append(bottom + share / 2.0)
        bottom += share
    # labels at least 9 % apart and inside 0–100, so thin bands stay readable
    placed = list(centres)
    for i in range(len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + 9.0 if i else 2.0)
    for i in range(len(placed) - 1, -1, -1):
        placed[i] = min(placed[i], placed[i + 1] - 9.0 if i < len(placed) - 1 else 98.0)
    for column, centre, y in zip(bands, centres, placed, strict=True):
        entry = values[column]
        bar.annotate(
            f"{entry[1]}: {entry[2]} %",
            xy=(1.0, centre),
            xytext=(1.3, y),
            textcoords="data",
            fontsize=7.5,
            va="center",
            arrowprops={"arrowstyle": "-", "color": "#adb5bd", "lw": 0.5},
            annotation_clip=False,
        )
    bar.set_xlim(0, 1)
    bar.set_ylim(0, 100)
    bar.set_axis_off()

    # --- day / night ------------------------------------------------------------------------
    fig.text(0.04, 0.684, "DAY, NIGHT AND MEAL TIMES", fontsize=9.5, weight="bold")
    heads = ("", "mean", *_segment_heads(unit))
    xs = (0.04, 0.30, 0.40, 0.50, 0.58, 0.66, 0.74)
    for x, h in zip(xs, heads, strict=True):
        fig.text(x, 0.670, h, fontsize=7.5, color="#495057")
    table = [
        ("Night 00:00–06:00", page.segments.get("night")),
        ("Day 06:00–24:00", page.segments.get("day")),
        *((label, row) for _, label, row in page.meals),
    ]
    step = min(0.014, 0.066 / max(len(table) - 1, 1))
    for i, (name, seg_row) in enumerate(table):
        seg = {r[0]: r[2] for r in report_rows(seg_row, unit)}
        y = 0.656 - i * step
        cells = (
            name,
            f"{seg.get('mean', 'n/a')} {unit}",
            f"{seg.get('tir_70_180', 'n/a')} %",
            f"{seg.get('tbr_70', 'n/a')} %",
            f"{seg.get('tbr_54', 'n/a')} %",
            f"{seg.get('tar_180', 'n/a')} %",
            f"{seg.get('tar_250', 'n/a')} %",
        )
        for x, c in zip(xs, cells, strict=True):
            fig.text(x, y, c, fontsize=8)

    # --- AGP --------------------------------------------------------------------------------
    fig.text(0.04, 0.572, "AMBULATORY GLUCOSE PROFILE (AGP)", fontsize=9.5, weight="bold")
    fig.text(0.42, 0.572, "median, 25–75 % and 5–95 % of the readings by time of day", fontsize=7.5)
    ax = fig.add_axes((0.08, 0.37, 0.88, 0.19))
    curves = page.curves
    hours = (curves["bin_start_min"].to_numpy() + 7.5) / 60.0
    ax.axhspan(TIR_LOW_MG_DL * scale, TIR_HIGH_MG_DL * scale, color="#2f9e44", alpha=0.08, lw=0)
    for level in (TIR_LOW_MG_DL, TIR_HIGH_MG_DL):
        ax.axhline(level * scale, color="#2f9e44", lw=0.9)
    for level in (TBR_LEVEL2_MG_DL, TAR_LEVEL2_MG_DL):
        ax.axhline(level * scale, color="#868e96", lw=0.7, ls="--")
    ax.fill_between(
        hours, curves["p5"] * scale, curves["p95"] * scale, color="#4c6ef5", alpha=0.18, lw=0
    )
    ax.fill_between(
        hours, curves["p25"] * scale, curves["p75"] * scale, color="#4c6ef5", alpha=0.4, lw=0
    )
    ax.plot(hours, curves["p50"] * scale, color="#1c2f8c", lw=1.8)
    ax.set_xlim(0, 24)
    p95_max = curves.get_column("p95").max()
    p95_top = float(p95_max) if isinstance(p95_max, int | float) else 0.0
    ax.set_ylim(0, max(400.0, p95_top) * scale)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xticklabels([f"{h:02d}:00" for h in range(0, 25, 3)], fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylabel(f"Glucose [{unit}]", fontsize=8)
    ax.grid(alpha=0.25)

    # --- 14 daily profiles ------------------------------------------------------------------
    fig.text(0.04, 0.325, "DAILY GLUCOSE PROFILES", fontsize=9.5, weight="bold")
    width, height = 0.88 / 7, 0.125
    readings = page.readings
    top = 400.0 * scale
    for i, day in enumerate(page.profile_days):
        row_i, col = divmod(i, 7)
        pax = fig.add_axes((0.06 + col * width, 0.175 - row_i * (height + 0.012), width, height))
        pax.axhspan(TIR_LOW_MG_DL * scale, TIR_HIGH_MG_DL * scale, color="#2f9e44", alpha=0.1, lw=0)
        own = readings.filter(pl.col("time").dt.date() == day)
        if own.height:
            clock = own.get_column("time")
            minutes = (
                clock.dt.hour().cast(pl.Int32) * 60 + clock.dt.minute().cast(pl.Int32)
            ).to_numpy() / 60.0
            gl = own.get_column("gl").to_numpy() * scale
            breaks = np.flatnonzero(np.diff(minutes) * 60.0 > PROFILE_GAP_MIN) + 1
            for xs_, ys_ in zip(np.split(minutes, breaks), np.split(gl, breaks), strict=True):
                pax.plot(xs_, ys_, color="#1c2f8c", lw=0.7)
        pax.set_xlim(0, 24)
        pax.set_ylim(0, top)
        pax.set_xticks([])
        pax.set_yticks([])
        pax.text(0.04, 0.9, f"{day:%a %d %b}", fontsize=6, transform=pax.transAxes)

    fig.text(0.04, 0.012, DISCLAIMER, fontsize=6.5, color="#495057", wrap=True)
    return fig


def report_pdf(report: ClinicReport) -> bytes:
    """The report as a PDF, one A4 page per subject (matplotlib ``PdfPages``, extra ``[plot]``)."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with (
        matplotlib.rc_context({"pdf.fonttype": 42}),
        PdfPages(
            buffer,
            metadata={"Title": "AGP Report", "Creator": "endolab", "Subject": DISCLAIMER},
        ) as pdf,
    ):
        for page in report.pages:
            pdf.savefig(_draw_page(page, report.unit))
    return buffer.getvalue()


def _png(page: SubjectReport, unit: str) -> str:
    buffer = io.BytesIO()
    _draw_page(page, unit).savefig(buffer, format="png", dpi=80)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


#: The folder of the report's jinja2 template (package data): ``clinic_report.html``.
TEMPLATE_DIR: Final = Path(__file__).with_name("templates")

_SEGMENT_COLUMNS: Final = ("mean", "tir_70_180", "tbr_70", "tbr_54", "tar_180", "tar_250")


def _segment_view(key: str, name: str, row: Mapping[str, Any] | None, unit: str) -> dict[str, Any]:
    """One row of the day/night or meal-times table: its name and ``(data-metric, text)`` cells."""
    seg = {r[0]: r for r in report_rows(row, unit)}
    cells = [
        (f"{key}_{c}", f"{seg[c][2]} {seg[c][3]}" if c in seg else "n/a") for c in _SEGMENT_COLUMNS
    ]
    return {"name": name, "cells": cells}


def _page_view(page: SubjectReport, unit: str, figures: bool) -> dict[str, Any]:
    """What the template shows of one page: the texts of :func:`report_rows`, nothing new."""
    has_compare = page.compare_period is not None
    compare_rows = {r[0]: r for r in report_rows(page.compare, unit)} if has_compare else {}
    compare_head = None
    if page.compare_period is not None:
        a, b = page.compare_period
        compare_head = f"previous {a:%Y-%m-%d}–{b:%Y-%m-%d}"
    stats = []
    for column, label, value, u, target in report_rows(page.metrics, unit):
        previous = None
        if has_compare:
            prev = compare_rows.get(column)
            previous = f"{prev[2]} {prev[3]}" if prev else "n/a"
        stats.append(
            {
                "column": column,
                "label": label,
                "value": f"{value} {u}",
                "previous": previous,
                "target": target,
            }
        )
    return {
        "subject": page.subject,
        "period": _period_text(page),
        "sufficient": page.sufficient,
        "sufficiency": page.sufficiency,
        "compare_head": compare_head,
        "stats": stats,
        "day_night": [
            _segment_view(key, name, page.segments.get(key), unit)
            for key, name in (("night", "Night 00:00–06:00"), ("day", "Day 06:00–24:00"))
        ],
        "meals": [_segment_view(key, label, row, unit) for key, label, row in page.meals],
        "png": _png(page, unit) if figures else None,
    }


def report_html(report: ClinicReport, *, figures: bool = True) -> str:
    """The report as one self-contained HTML page: per subject the same figures as the PDF, as
    text (``data-metric`` on each value), and the PDF page as an image when ``figures``.

    Rendered from the jinja2 template ``endolab/cgm/templates/clinic_report.html`` (autoescape
    on, :mod:`endolab._templates`); the template only lays out the texts of :func:`report_rows`.
    """
    from endolab._templates import render

    unit = report.unit
    text = render(
        TEMPLATE_DIR,
        "clinic_report.html",
        pages=[_page_view(page, unit, figures) for page in report.pages],
        heads=_segment_heads(unit),
        disclaimer=DISCLAIMER,
    )
    return text + "\n"
