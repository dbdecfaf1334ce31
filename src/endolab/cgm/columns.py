"""Output columns of the engine: meaning, unit and definition, in one table.

:data:`COLUMNS_DOC` is the source of the column table in ``docs/cgm.md`` and of the ``units`` map
in JSON output. ``"glucose"`` as a unit means the report unit (mg/dL by default, mmol/L with
``unit_out="mmol/L"``); thresholds in column names are always mg/dL.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from endolab.cgm.episode_calc import EPISODE_LEVELS, EXCLUSIVE_LEVELS

__all__ = ["COLUMNS_DOC", "INDEX_COLUMNS_DOC", "ColumnDoc", "column_unit"]


class ColumnDoc(NamedTuple):
    """One output column: meaning, unit, definition and reference."""

    meaning: str
    unit: str
    definition: str


_B19 = "Battelino 2019, doi:10.2337/dci19-0028"
_L23 = "Battelino 2023, doi:10.1016/S2213-8587(22)00319-9"

COLUMNS_DOC: Final[dict[str, ColumnDoc]] = {
    "id": ColumnDoc("subject identifier", "", "from the input"),
    "date": ColumnDoc(
        "calendar day (with --by day)", "date", "local wall-clock date of the readings"
    ),
    "week_start": ColumnDoc("ISO week (with --by week)", "date", "Monday of the ISO 8601 week"),
    "window_start": ColumnDoc(
        "first day of the window", "day or date", "window=(first, last), inclusive"
    ),
    "window_end": ColumnDoc("last day of the window", "day or date", "inclusive"),
    "n_readings": ColumnDoc(
        "readings used", "count", "after dropping missing values and duplicates"
    ),
    "n_low_censored": ColumnDoc(
        "device 'Low' readings", "count", "stored as 39 mg/dL, censored = -1"
    ),
    "n_high_censored": ColumnDoc(
        "device 'High' readings", "count", "stored as 401 mg/dL, censored = +1"
    ),
    "mean": ColumnDoc("mean glucose", "glucose", f"arithmetic mean of readings; {_B19}"),
    "median": ColumnDoc("median glucose", "glucose", "R quantile type 7 (as R iglu median_glu)"),
    "sd": ColumnDoc("standard deviation", "glucose", "sample SD, ddof = 1 (as R iglu sd_glu)"),
    "cv": ColumnDoc("coefficient of variation", "%", f"100 × sd / mean; target ≤ 36 % ({_B19})"),
    "gmi": ColumnDoc(
        "glucose management indicator",
        "%",
        "3.31 + 0.02392 × mean [mg/dL]; Bergenstal 2018, doi:10.2337/dc18-1581; flagged by "
        "sufficient_2019 when < 14 days or < 70 % active",
    ),
    "gmi_mmol_mol": ColumnDoc(
        "glucose management indicator (IFCC)",
        "mmol/mol",
        "12.71 + 4.70587 × mean [mmol/L] (mean [mg/dL] / 18); Bergenstal 2018, "
        "doi:10.2337/dc18-1581; flagged as gmi",
    ),
    "ea1c": ColumnDoc(
        "estimated A1C (ADAG)",
        "%",
        "(mean [mg/dL] + 46.7) / 28.7; Nathan 2008, doi:10.2337/dc08-0545; flagged as gmi",
    ),
    "tbr_54": ColumnDoc(
        "time below range level 2",
        "%",
        f"share of readings < 54 mg/dL (< 3.0 mmol/L if measured in mmol/L); {_B19}",
    ),
    "tbr_54_70": ColumnDoc(
        "time below range level 1", "%", f"54 ≤ g < 70 mg/dL (3.0–3.8 mmol/L); {_B19}"
    ),
    "tbr_70": ColumnDoc(
        "time below range (levels 1 + 2)", "%", f"g < 70 mg/dL (< 3.9 mmol/L); {_B19}"
    ),
    "tir_70_180": ColumnDoc(
        "time in range", "%", f"70 ≤ g ≤ 180 mg/dL (3.9–10.0 mmol/L; both included); {_B19}"
    ),
    "tir_70_140": ColumnDoc("time in tight range", "%", "70 ≤ g ≤ 140 mg/dL (3.9–7.8 mmol/L)"),
    "tar_180_250": ColumnDoc(
        "time above range level 1", "%", f"180 < g ≤ 250 mg/dL (10.1–13.9 mmol/L); {_B19}"
    ),
    "tar_180": ColumnDoc(
        "time above range (levels 1 + 2)", "%", f"g > 180 mg/dL (> 10.0 mmol/L); {_B19}"
    ),
    "tar_250": ColumnDoc("time above range level 2", "%", f"g > 250 mg/dL (> 13.9 mmol/L); {_B19}"),
    "active_percent": ColumnDoc(
        "CGM active time",
        "%",
        "share of the readings possible at the device interval dt0 over the wear span: R iglu "
        "active_percent (automatic mode; per period: manual mode over the period); Danne 2017, "
        f"doi:10.2337/dc17-1600; {_B19}",
    ),
    "ndays": ColumnDoc("span of the data", "days", "t_max − t_min"),
    "dt0": ColumnDoc(
        "device sampling interval",
        "min",
        "median_interval_min capped at 15 min, the longest CGM interval [A] (or dt0 given)",
    ),
    "longest_gap_min": ColumnDoc(
        "longest gap", "min", "longest interval between successive readings (null with one reading)"
    ),
    "median_interval_min": ColumnDoc(
        "typical interval between readings",
        "min",
        "round(median interval), half to even (R round), ≥ 1 (R iglu's dt0); > 15: not CGM data",
    ),
    "days_worn": ColumnDoc("days of data", "days", "(t_max − t_min + dt0) / 1440"),
    "sufficient_2019": ColumnDoc(
        "data sufficiency",
        "bool",
        f"days_worn ≥ 14 and active_percent ≥ 70 and median_interval_min ≤ 15; {_B19}; false "
        "flags gmi, gmi_mmol_mol, ea1c and every consensus metric of the row",
    ),
    "min": ColumnDoc("lowest reading", "glucose", "full set"),
    "q25": ColumnDoc("25th percentile", "glucose", "R quantile type 7"),
    "q75": ColumnDoc("75th percentile", "glucose", "R quantile type 7"),
    "max": ColumnDoc("highest reading", "glucose", "full set"),
    "range": ColumnDoc("range", "glucose", "max − min (R iglu range_glu)"),
    "iqr": ColumnDoc("interquartile range", "glucose", "q75 − q25 (R iglu iqr_glu)"),
}

for _name in (
    "tbr_54",
    "tbr_54_70",
    "tbr_70",
    "tir_70_180",
    "tir_70_140",
    "tar_180_250",
    "tar_180",
    "tar_250",
):
    COLUMNS_DOC[f"{_name}_min_per_day"] = ColumnDoc(
        f"{COLUMNS_DOC[_name].meaning}, as time per day",
        "min/day",
        f"{_name} / 100 × 1440",
    )

_LEVEL_TEXT: Final = {
    "hypo_l1": "level-1 hypoglycaemia: ≥ 15 min < 70, ends after ≥ 15 min ≥ 70",
    "hypo_l2": "level-2 hypoglycaemia: ≥ 15 min < 54, ends after ≥ 15 min ≥ 54 (lv2_end='same')",
    "hypo_ext": "extended hypoglycaemia: > 120 min < 70, ends after ≥ 15 min ≥ 70",
    "hyper_l1": "level-1 hyperglycaemia: ≥ 15 min > 180, ends after ≥ 15 min ≤ 180",
    "hyper_l2": "level-2 hyperglycaemia: ≥ 15 min > 250, ends after ≥ 15 min ≤ 250 (lv2_end='same')",
    "hyper_ext": "extended hyperglycaemia: ≥ 90 of 120 min > 250, ends after ≥ 15 min ≤ 180",
    "hypo_l1_excl": "level-1-only hypoglycaemia: level-1 episodes that never reach level 2",
    "hyper_l1_excl": "level-1-only hyperglycaemia: level-1 episodes that never reach level 2",
}
_GRID = "on R iglu's interpolated grid (method='iglu_grid', default)"
_IGLU: Final = {
    "hypo_ext": " (iglu: ≥ 120/dt0 + 1 grid points)",
    "hyper_ext": " (not in R iglu)",
    "hypo_l1_excl": " (R iglu lv1_excl)",
    "hyper_l1_excl": " (R iglu lv1_excl)",
}
for _level in (*EPISODE_LEVELS, *EXCLUSIVE_LEVELS):
    COLUMNS_DOC[f"{_level}_episodes"] = ColumnDoc(
        f"{_LEVEL_TEXT[_level].split(':')[0]} episodes",
        "count",
        f"{_LEVEL_TEXT[_level]}{_IGLU.get(_level, '')}, {_GRID}; {_L23}",
    )
    COLUMNS_DOC[f"{_level}_mean_duration_min"] = ColumnDoc(
        f"mean duration of {_LEVEL_TEXT[_level].split(':')[0]} episodes",
        "min",
        "grid points × dt0 from start to recovery, gap or end of data (R iglu avg_ep_duration; "
        "'readings': end − start), averaged (null without episodes)",
    )


_IDX = "endolab.cgm.indices (R iglu 4.3.0 definitions; see validation/iglu_compare.md)"

#: Columns of the variability/risk indices (``metrics="full"``), documented here so that the
#: column table is one table; definitions live in :mod:`endolab.cgm.indices`.
INDEX_COLUMNS_DOC: Final[dict[str, ColumnDoc]] = {
    "mad": ColumnDoc(
        "median absolute deviation",
        "glucose",
        "1.4826 × median|g − median(g)| (R mad; R iglu mad_glu)",
    ),
    "sdw": ColumnDoc(
        "SD within days", "glucose", "mean of daily SDs; Rodbard 2009, doi:10.1089/dia.2009.0015"
    ),
    "sdhhmm": ColumnDoc(
        "SD between time points", "glucose", "SD of the mean at each time of day; Rodbard 2009"
    ),
    "sdwsh": ColumnDoc(
        "SD within 1-h series", "glucose", "mean SD of 1-hour windows; Rodbard 2009"
    ),
    "sddm": ColumnDoc("SD of daily means", "glucose", "Rodbard 2009"),
    "sdb": ColumnDoc("SD between days, within time points", "glucose", "Rodbard 2009"),
    "sdbdm": ColumnDoc(
        "SD between days, within time points, corrected for daily means", "glucose", "Rodbard 2009"
    ),
    "cvmean": ColumnDoc("mean of daily CVs", "%", "Rodbard 2009; R iglu cv_measures"),
    "cvsd": ColumnDoc("SD of daily CVs", "%", "Rodbard 2009; R iglu cv_measures"),
    "mage": ColumnDoc(
        "mean amplitude of glycaemic excursions",
        "glucose",
        "ma algorithm, direction avg; Service 1970, doi:10.2337/diab.19.9.644; Fernandes 2022, doi:10.1177/19322968211061165",
    ),
    "mag": ColumnDoc(
        "mean absolute glucose change",
        "glucose/h",
        "Σ|Δg| / hours, changes at the CGM frequency; Hermanides 2010, doi:10.1097/CCM.0b013e3181cc4be9",
    ),
    "conga_24": ColumnDoc(
        "continuous overall net glycaemic action, 24 h",
        "glucose",
        "SD of differences 24 h apart; McDonnell 2005, doi:10.1089/dia.2005.7.253",
    ),
    "modd": ColumnDoc(
        "mean of daily differences",
        "glucose",
        "mean |g(t) − g(t − 1 day)|; Service 1980, doi:10.2337/diacare.3.1.58",
    ),
    "gvp": ColumnDoc(
        "glycaemic variability percentage", "%", "Peyser 2018, doi:10.1089/dia.2017.0187"
    ),
    "sd_roc": ColumnDoc(
        "SD of the rate of change",
        "glucose/min",
        "15-min lag; Clarke & Kovatchev 2009, doi:10.1089/dia.2008.0138",
    ),
    "hourly_auc": ColumnDoc(
        "hourly average AUC", "glucose", "R iglu 4.3.0 auc (see endolab.cgm.indices.auc)"
    ),
    "j_index": ColumnDoc(
        "J-index",
        "index",
        "0.001 × (mean + SD)², glucose in mg/dL; Wojcicki 1995, doi:10.1055/s-2007-979906",
    ),
    "lbgi": ColumnDoc(
        "low blood glucose index",
        "risk",
        "22.77 × mean min(f, 0)²; Kovatchev 2006, doi:10.2337/dc06-1085",
    ),
    "hbgi": ColumnDoc(
        "high blood glucose index",
        "risk",
        "22.77 × mean max(f, 0)²; Kovatchev 2006, doi:10.2337/dc06-1085",
    ),
    "adrr": ColumnDoc("average daily risk range", "risk", "Kovatchev 2006, doi:10.2337/dc06-1085"),
    "grade": ColumnDoc("GRADE score", "score", "Hill 2007, doi:10.1111/j.1464-5491.2007.02119.x"),
    "grade_hypo": ColumnDoc(
        "GRADE share from hypoglycaemia (< 80 mg/dL)", "%", "R iglu grade_hypo"
    ),
    "grade_eu": ColumnDoc("GRADE share from euglycaemia (70–140 mg/dL)", "%", "R iglu grade_eugly"),
    "grade_hyper": ColumnDoc(
        "GRADE share from hyperglycaemia (> 140 mg/dL)", "%", "R iglu grade_hyper"
    ),
    "gri": ColumnDoc(
        "glycaemia risk index",
        "score 0–100",
        "3.0·VLow + 2.4·Low + 1.6·VHigh + 0.8·High; Klonoff 2023, doi:10.1177/19322968221085273",
    ),
    "m_value": ColumnDoc(
        "M-value (r = 90 mg/dL)",
        "score",
        "mean 1000·|log10(g/90)|³; Schlichtkrull 1965, doi:10.1111/j.0954-6820.1965.tb01810.x",
    ),
    "hypo_index": ColumnDoc(
        "hypoglycaemia index", "score", "Rodbard 2009, doi:10.1089/dia.2008.0132"
    ),
    "hyper_index": ColumnDoc(
        "hyperglycaemia index", "score", "Rodbard 2009, doi:10.1089/dia.2008.0132"
    ),
    "igc": ColumnDoc(
        "index of glycaemic control", "score", "hypo_index + hyper_index; Rodbard 2009"
    ),
    "cogi": ColumnDoc(
        "continuous glucose monitoring index",
        "score 0–100",
        "Leelarathna 2020, doi:10.1177/1932296819838525",
    ),
    "pgs": ColumnDoc("personal glycaemic state", "score", "Hirsch 2017, doi:10.1089/dia.2017.0080"),
}


def column_unit(name: str, glucose_unit: str = "mg/dL") -> str:
    """Unit of output column ``name`` (``glucose_unit`` for glucose-valued columns; ``""`` if none
    or unknown).

    >>> column_unit("mean", "mmol/L"), column_unit("tir_70_180"), column_unit("mag", "mmol/L")
    ('mmol/L', '%', 'mmol/L/h')
    >>> column_unit("q2p5", "mmol/L"), column_unit("q100"), column_unit("tbr_63")
    ('mmol/L', 'mg/dL', '%')
    """
    doc = COLUMNS_DOC.get(name) or INDEX_COLUMNS_DOC.get(name)
    if doc is not None:
        unit = doc.unit
    elif _QUANTILE.fullmatch(name):  # any quantile of quantile_glucose: q0, q2p5, q90 …
        unit = "glucose"
    elif _THRESHOLD.fullmatch(name):  # any range of in_range/below/above_percent: tir_63_140 …
        unit = "%"
    else:
        return ""
    return unit.replace("glucose", glucose_unit)


#: Column names of quantiles (``q`` and the percent, ``.`` written ``p``) and of range percentages
#: with any thresholds [mg/dL] (:mod:`endolab.cgm.metrics`).
_QUANTILE: Final = re.compile(r"q\d+(p\d+)?")
_THRESHOLD: Final = re.compile(r"(tir|tbr|tar)_\d+(p\d+)?(_\d+(p\d+)?)?")
