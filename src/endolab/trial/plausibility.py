"""Plausibility of a trial dataset's measured values: unit slips and physiological ranges.

A value in the wrong unit is still a valid number, and would give a wrong trial result without a
word: CGM in mmol/L in ``glucose_mg_dl`` gives 0 % time in range; C-peptide in ng/mL grades every
graft a failure; HbA1c as a fraction (0.081) passes any "≥ 0" check. The checks below run on every
dataset read or validated (:func:`endolab.trial.dataset.read_dataset`, ``validate_tables``,
``check_dataset``), after the format checks, and name the likely slip in one line.

Unit slips (refused unless stated; each check runs before the range of its value, so that the
message names the slip rather than the range):

==========================  ==========================================================================
value                       rule and threshold
==========================  ==========================================================================
CGM ``glucose_mg_dl``       a participant's median reading < :data:`CGM_MEDIAN_MMOL_L_BELOW` (30 mg/dL)
                            → "mmol/L?" (no CGM stores a reading below 39 mg/dL, so a median below 30
                            can only be another unit; × 18 converts)
``GLUCOSE_FASTING``         median of the dataset's values < 30 mg/dL → "mmol/L?"
``HBA1C``, baseline HbA1c   a value < :data:`HBA1C_FRACTION_BELOW` (1 %) → "a fraction?" (0.081 is
                            8.1 %)
``HBA1C``, baseline HbA1c   a value above :data:`HBA1C_IFCC_FROM` (20) up to 200 → "IFCC mmol/mol?"
                            (NGSP % = 0.09148 × IFCC + 2.152, Hoelzel 2004)
C-peptide (both tests)      **warning**: every value > 0 in the dataset is below
                            :data:`CPEP_PMOL_L_SUSPECT_BELOW` (10 pmol/L) → "ng/mL (× 331) or
                            nmol/L (× 1000)?" (a warning only: a dataset of failed grafts may hold
                            only tiny values)
==========================  ==========================================================================

Physiological ranges (:data:`RANGES`): a value outside its range is refused with its row. They
are wide by design [A]: only an entry or unit error falls outside, never a real measurement.

References: Hoelzel W, et al. IFCC reference system for measurement of hemoglobin A1c in human
blood and the national standardization schemes in the United States, Japan, and Sweden: a
method-comparison study. Clin Chem 2004;50:166–174, doi:10.1373/clinchem.2003.024802 (the NGSP–IFCC
master equation). C-peptide molar mass 3020.3 g/mol: 1 ng/mL = 331 pmol/L.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import polars as pl

from endolab.errors import DataFileError

__all__ = [
    "CGM_MEDIAN_MMOL_L_BELOW",
    "CPEP_PMOL_L_SUSPECT_BELOW",
    "HBA1C_FRACTION_BELOW",
    "HBA1C_IFCC_FROM",
    "RANGES",
    "check_plausibility",
]

#: A participant's median CGM reading below this [mg/dL] means the data are in mmol/L [A].
CGM_MEDIAN_MMOL_L_BELOW: Final = 30.0
#: An HbA1c below this [%] is a fraction, not a percentage [A] (no one lives at HbA1c 1 %).
HBA1C_FRACTION_BELOW: Final = 1.0
#: An HbA1c above this value up to 200 is IFCC mmol/mol, not NGSP % [A] (20 % NGSP = 195 mmol/mol;
#: no assay reports NGSP values above 20 %, while IFCC values of 20–200 mmol/mol are usual).
HBA1C_IFCC_FROM: Final = 20.0
#: C-peptide values (> 0) all below this [pmol/L] look like ng/mL or nmol/L [A].
CPEP_PMOL_L_SUSPECT_BELOW: Final = 10.0

#: Physiological range of each measured value: (table, column or lab test, low, high, unit) [A].
#: CGM: sensors report 40–400/500 mg/dL (lower/higher values are stored as 39/401); HbA1c: assays
#: report 3–20 %; C-peptide: a stimulated peak in a healthy adult is ~1,000–4,000 pmol/L;
#: insulin: 1,000 U/day is beyond any reported total daily dose in type 1 diabetes; fasting
#: glucose as CGM; weight and age: the extremes of adult and paediatric trial populations.
RANGES: Final[tuple[tuple[str, str, float, float, str], ...]] = (
    ("cgm", "glucose_mg_dl", 10.0, 1000.0, "mg/dL"),
    ("labs", "HBA1C", 3.0, 20.0, "%"),
    ("labs", "CPEP_FASTING", 0.0, 10_000.0, "pmol/L"),
    ("labs", "CPEP_STIM_PEAK", 0.0, 10_000.0, "pmol/L"),
    ("labs", "GLUCOSE_FASTING", 10.0, 1000.0, "mg/dL"),
    ("insulin", "total_units", 0.0, 1000.0, "U"),
    ("participants", "baseline_hba1c_pct", 3.0, 20.0, "%"),
    ("participants", "baseline_insulin_u_per_day", 0.0, 1000.0, "U/day"),
    ("participants", "weight_kg", 10.0, 400.0, "kg"),
    ("participants", "age_years", 0.0, 120.0, "years"),
)

Add = Callable[[DataFileError, pl.Series], None]
Warn = Callable[[str], None]


def _row(mask: pl.Series) -> int:
    return int(mask.arg_true()[0]) + 2  # CSV numbering: header = row 1


def _values(tables: dict[str, pl.DataFrame], table: str, column: str) -> tuple[pl.Series, str]:
    """The numbers of ``column`` (or of lab test ``column``: other rows null) and the column name."""
    frame = tables[table]
    if table == "labs":
        picked = frame.select(pl.when(pl.col("test") == column).then(pl.col("value")))
        return picked.to_series().alias("value"), "value"
    return frame.get_column(column), column


def check_plausibility(
    tables: dict[str, pl.DataFrame], names: dict[str, str], add: Add, warn: Warn
) -> None:
    """Check the validated (typed, unsorted) ``tables``; report through ``add``/``warn``.

    ``names`` maps each table to its file name for the messages. Row numbers are as in the file.
    """
    slipped: set[tuple[str, str]] = set()
    _cgm_median(tables, names, add, slipped)
    _fasting_glucose(tables, names, add, slipped)
    for table, column in (("labs", "HBA1C"), ("participants", "baseline_hba1c_pct")):
        _hba1c(tables, names, table, column, add, slipped)
    _c_peptide(tables, warn)
    for table, column, low, high, unit in RANGES:
        if (table, column) in slipped:
            continue
        values, shown = _values(tables, table, column)
        outside = ((values < low) | (values > high)).fill_null(False)
        if outside.any():
            row = _row(outside)
            what = f"{column} " if table == "labs" else ""
            add(
                DataFileError(
                    f"{what}{values[row - 2]:g} {unit} is outside the physiological range "
                    f"{low:g}–{high:,.0f} {unit}: an entry or unit error?",
                    file=names[table],
                    row=row,
                    column=shown,
                    value=values[row - 2],
                ),
                outside,
            )


def _cgm_median(
    tables: dict[str, pl.DataFrame], names: dict[str, str], add: Add, slipped: set[tuple[str, str]]
) -> None:
    cgm = tables["cgm"]
    if not cgm.height:
        return
    medians = (
        cgm.lazy()
        .group_by("participant_id")
        .agg(pl.col("glucose_mg_dl").median().alias("median"))
        .filter(pl.col("median") < CGM_MEDIAN_MMOL_L_BELOW)
        .sort("participant_id")
        .collect()
    )
    if not medians.height:
        return
    slipped.add(("cgm", "glucose_mg_dl"))
    pid, median = medians.row(0)
    ids = medians.get_column("participant_id").to_list()
    mask = cgm.get_column("participant_id").is_in(ids)
    more = f" (and {len(ids) - 1} other participant(s))" if len(ids) > 1 else ""
    add(
        DataFileError(
            f"participant {pid!r}{more}: median CGM reading {median:.3g} is below "
            f"{CGM_MEDIAN_MMOL_L_BELOW:g} mg/dL: glucose in mmol/L? glucose_mg_dl must be in "
            "mg/dL (mmol/L × 18)",
            file=names["cgm"],
            row=_row(mask),
            column="glucose_mg_dl",
        ),
        pl.Series([True]),  # one finding per dataset, named by its first participant
    )


def _fasting_glucose(
    tables: dict[str, pl.DataFrame], names: dict[str, str], add: Add, slipped: set[tuple[str, str]]
) -> None:
    values, _ = _values(tables, "labs", "GLUCOSE_FASTING")
    median = values.median()
    if median is None or not isinstance(median, float) or median >= CGM_MEDIAN_MMOL_L_BELOW:
        return
    slipped.add(("labs", "GLUCOSE_FASTING"))
    mask = values.is_not_null()
    add(
        DataFileError(
            f"GLUCOSE_FASTING values have a median of {median:.3g}, below "
            f"{CGM_MEDIAN_MMOL_L_BELOW:g} mg/dL: glucose in mmol/L? give mg/dL (mmol/L × 18)",
            file=names["labs"],
            row=_row(mask),
            column="value",
        ),
        mask,
    )


def _hba1c(
    tables: dict[str, pl.DataFrame],
    names: dict[str, str],
    table: str,
    column: str,
    add: Add,
    slipped: set[tuple[str, str]],
) -> None:
    values, shown = _values(tables, table, column)
    fraction = (values < HBA1C_FRACTION_BELOW).fill_null(False)
    ifcc = ((values > HBA1C_IFCC_FROM) & (values <= 200)).fill_null(False)
    label = "HBA1C" if table == "labs" else column
    for mask, hint in (
        (
            fraction,
            f"below {HBA1C_FRACTION_BELOW:g} %: a fraction? give the percentage (0.081 → 8.1)",
        ),
        (
            ifcc,
            f"above {HBA1C_IFCC_FROM:g} (up to 200): IFCC mmol/mol? give NGSP % "
            "(% = 0.09148 × mmol/mol + 2.152)",
        ),
    ):
        if mask.any():
            slipped.add((table, column))
            row = _row(mask)
            add(
                DataFileError(
                    f"{label} {values[row - 2]:g} is {hint}",
                    file=names[table],
                    row=row,
                    column=shown,
                    value=values[row - 2],
                ),
                mask,
            )


def _c_peptide(tables: dict[str, pl.DataFrame], warn: Warn) -> None:
    labs = tables["labs"]
    positive = labs.filter(
        pl.col("test").is_in(["CPEP_FASTING", "CPEP_STIM_PEAK"]) & (pl.col("value") > 0)
    ).get_column("value")
    if positive.len() and float(positive.max()) < CPEP_PMOL_L_SUSPECT_BELOW:  # type: ignore[arg-type]
        warn(
            f"labs: every C-peptide value above 0 is below {CPEP_PMOL_L_SUSPECT_BELOW:g} pmol/L "
            f"(largest {float(positive.max()):g}): ng/mL (× 331) or nmol/L (× 1000)? "  # type: ignore[arg-type]
            "C-peptide must be in pmol/L, or every graft is graded a failure"
        )
