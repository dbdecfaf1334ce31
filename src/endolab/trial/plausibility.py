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
C-peptide (both tests)      **confirmable**: a participant whose every value > 0 is below
                            :data:`CPEP_PMOL_L_SUSPECT_BELOW` (10 pmol/L) → "ng/mL (× 331) or
                            nmol/L (× 1000)?"
``weight_kg``               **confirmable**: a participant's weight at least
                            :data:`WEIGHT_RATIO_SUSPECT` (1.6) × the dataset's median weight, or at
                            most 1/1.6 of it (3 or more participants) → "pounds?" (lb = kg × 2.2046)
==========================  ==========================================================================

Every rule looks at each participant, not only at the dataset as a whole, and names the
participants it applies to: one participant's C-peptide in ng/mL among others in pmol/L turns that
participant's graft grade from marginal to failure, whatever the rest of the dataset holds.

A **confirmable** finding is a value that is possible but far more likely a unit slip (a failed
graft may leave only traces of C-peptide; a participant may weigh 130 kg): it refuses the dataset
like an error, unless the user confirms the values with ``accept_units`` (``--accept-units``); it
is then kept as a notice, which every report shows (report.html, endpoints.json ``notices``,
tables.md). A dataset written by endolab's simulator (an ``endolab.sim`` manifest) is in the
format's units by construction and is not asked for confirmation.

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
    "WEIGHT_RATIO_SUSPECT",
    "check_plausibility",
]

#: A participant's median CGM reading below this [mg/dL] means the data are in mmol/L [A].
CGM_MEDIAN_MMOL_L_BELOW: Final = 30.0
#: An HbA1c below this [%] is a fraction, not a percentage [A] (no one lives at HbA1c 1 %).
HBA1C_FRACTION_BELOW: Final = 1.0
#: An HbA1c above this value up to 200 is IFCC mmol/mol, not NGSP % [A] (20 % NGSP = 195 mmol/mol;
#: no assay reports NGSP values above 20 %, while IFCC values of 20–200 mmol/mol are usual).
HBA1C_IFCC_FROM: Final = 20.0
#: A participant's C-peptide values (> 0) all below this [pmol/L] look like ng/mL or nmol/L [A]
#: (a working graft gives hundreds of pmol/L, i.e. 0.3–6 ng/mL or 0.1–2 nmol/L).
CPEP_PMOL_L_SUSPECT_BELOW: Final = 10.0
#: A weight this many times the dataset's median weight (or 1/this of it) looks like pounds among
#: kilograms (or the reverse) [A]: lb = kg × 2.2046, so a pound value of anyone weighing at least
#: 1.6 / 2.2046 = 0.73 × the median (55 kg when the median is 75 kg) crosses it, while 1.6 × the
#: median (120 kg) is beyond the weights of islet-transplant trial populations (BMI limits).
WEIGHT_RATIO_SUSPECT: Final = 1.6
#: How many participants a message names before "and N more".
_NAMED: Final = 5

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

#: What a confirmable finding says last, when it refuses the dataset: how to go on when the values
#: are right, in the library's words (its keyword); the error carries an
#: :class:`~endolab.errors.Ask` (kind ``accept_units``) and a front end words it with its own name
#: of the option (the command line: ``confirm them with --accept-units``).
CONFIRM_HINT: Final = "if these values are right, confirm them with accept_units=True"


def _who(ids: list[str]) -> str:
    """``participant 'P1'`` / ``participants 'P1', 'P2' and 3 more``."""
    shown = ", ".join(repr(i) for i in ids[:_NAMED])
    if len(ids) == 1:
        return f"participant {shown}"
    more = f" and {len(ids) - _NAMED} more" if len(ids) > _NAMED else ""
    return f"participants {shown}{more}"


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
    tables: dict[str, pl.DataFrame],
    names: dict[str, str],
    add: Add,
    warn: Warn,
    suspect: Add | None = None,
) -> None:
    """Check the validated (typed, unsorted) ``tables``; report through ``add``/``warn``/``suspect``.

    ``names`` maps each table to its file name for the messages. Row numbers are as in the file.
    ``suspect`` receives the confirmable findings (C-peptide, weight); without it they are not
    checked (e.g. a simulated dataset, in the format's units by construction).
    """
    slipped: set[tuple[str, str]] = set()
    _cgm_median(tables, names, add, slipped)
    _fasting_glucose(tables, names, add, slipped)
    for table, column in (("labs", "HBA1C"), ("participants", "baseline_hba1c_pct")):
        _hba1c(tables, names, table, column, add, slipped)
    if suspect is not None:
        _c_peptide(tables, names, suspect)
        _weight(tables, names, suspect)
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
    labs = tables["labs"]
    fasting = labs.filter(pl.col("test") == "GLUCOSE_FASTING")
    if not fasting.height:
        return
    medians = (
        fasting.group_by("participant_id")
        .agg(pl.col("value").median().alias("median"))
        .filter(pl.col("median") < CGM_MEDIAN_MMOL_L_BELOW)
        .sort("participant_id")
    )
    if not medians.height:
        return
    slipped.add(("labs", "GLUCOSE_FASTING"))
    ids = medians.get_column("participant_id").to_list()
    median = medians.get_column("median")[0]
    mask = (
        (labs.get_column("test") == "GLUCOSE_FASTING")
        & labs.get_column("participant_id").is_in(ids)
    ).fill_null(False)
    add(
        DataFileError(
            f"{_who(ids)}: median GLUCOSE_FASTING {median:.3g} is below "
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
            ids = sorted(
                set(tables[table].get_column("participant_id").filter(mask).drop_nulls().to_list())
            )
            add(
                DataFileError(
                    f"{_who(ids)}: {label} {values[row - 2]:g} is {hint}",
                    file=names[table],
                    row=row,
                    column=shown,
                    value=values[row - 2],
                ),
                mask,
            )


def _c_peptide(tables: dict[str, pl.DataFrame], names: dict[str, str], suspect: Add) -> None:
    labs = tables["labs"]
    is_cpep = labs.get_column("test").is_in(["CPEP_FASTING", "CPEP_STIM_PEAK"])
    positive = (is_cpep & (labs.get_column("value") > 0)).fill_null(False)
    if not positive.any():
        return
    largest = (
        labs.filter(positive)
        .group_by("participant_id")
        .agg(pl.col("value").max().alias("largest"))
        .sort("participant_id")
    )
    low = largest.filter(pl.col("largest") < CPEP_PMOL_L_SUSPECT_BELOW)
    if not low.height:
        return
    ids = low.get_column("participant_id").to_list()
    rest = largest.filter(pl.col("largest") >= CPEP_PMOL_L_SUSPECT_BELOW).get_column("largest")
    others = ""
    if rest.len():
        top = float(rest.max())  # type: ignore[arg-type]
        others = f" while the other participants' reach {top:,.0f} pmol/L"
    mask = positive & labs.get_column("participant_id").is_in(ids).fill_null(False)
    suspect(
        DataFileError(
            f"{_who(ids)}: every C-peptide above 0 is below {CPEP_PMOL_L_SUSPECT_BELOW:g} pmol/L "
            f"(largest {float(low.get_column('largest')[0]):g}){others}: ng/mL (× 331) or nmol/L "
            "(× 1000)? C-peptide must be in pmol/L, or the graft is graded a failure",
            file=names["labs"],
            row=_row(mask),
            column="value",
            code="E_UNIT_SUSPECT",
        ),
        mask,
    )


def _weight(tables: dict[str, pl.DataFrame], names: dict[str, str], suspect: Add) -> None:
    people = tables["participants"]
    weights = people.get_column("weight_kg")
    known = weights.drop_nulls()
    if known.len() < 3:
        return
    median = float(known.median())  # type: ignore[arg-type]
    if not median > 0:
        return
    ratio = weights / median
    mask = ((ratio >= WEIGHT_RATIO_SUSPECT) | (ratio <= 1 / WEIGHT_RATIO_SUSPECT)).fill_null(False)
    if not mask.any():
        return
    ids = people.get_column("participant_id").filter(mask).to_list()
    row = _row(mask)
    value = float(weights[row - 2])
    suspect(
        DataFileError(
            f"{_who(ids)}: weight_kg {value:g} is {value / median:.2g} × the dataset's median "
            f"weight ({median:g} kg): pounds among kilograms, or the reverse? (lb = kg × 2.2046; "
            f"a weight {WEIGHT_RATIO_SUSPECT:g} × the median or more, or 1/{WEIGHT_RATIO_SUSPECT:g} "
            "of it or less, is asked about)",
            file=names["participants"],
            row=row,
            column="weight_kg",
            value=value,
            code="E_UNIT_SUSPECT",
        ),
        mask,
    )
