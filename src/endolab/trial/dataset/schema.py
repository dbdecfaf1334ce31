"""The trial dataset format (version 1) declared once: every table and column of docs/trial-data.md.

One :class:`Table` per file, one :class:`Column` per column, each with its name, type, unit,
whether a value is required, the accepted range or codes, and its meaning. Everything else is driven
from this declaration: the checks (:mod:`endolab.trial.dataset.checks`: types, empty cells, ranges,
codes, keys), the template folder and its README (:func:`template_readme`), and the column tables of
docs/trial-data.md (:func:`columns_markdown`; a test compares the page with it).

>>> [c.name for c in TABLES["insulin"].columns]
['participant_id', 'date', 'total_units']
>>> TABLES["labs"].key
('participant_id', 'date', 'test')
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

__all__ = [
    "COLUMN_NOTES",
    "ENUMS",
    "FILES",
    "KEYS",
    "LAB_TESTS",
    "MAX_DATE",
    "MIN_DATE",
    "TABLES",
    "TABLE_ROWS",
    "Column",
    "Kind",
    "Table",
    "columns_markdown",
    "dtype",
    "template_readme",
]

Kind = Literal["text", "number", "date", "datetime"]

#: Earliest and latest accepted date (trial dataset format: "a date before 1900 or after 2100").
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)

#: Laboratory test codes of the format and their units.
LAB_TESTS: dict[str, str] = {
    "HBA1C": "%",
    "CPEP_FASTING": "pmol/L",
    "CPEP_STIM_PEAK": "pmol/L",
    "GLUCOSE_FASTING": "mg/dL",
}

_DTYPES: dict[Kind, pl.DataType] = {
    "text": pl.String(),
    "number": pl.Float64(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
}


def dtype(kind: Kind) -> pl.DataType:
    """The polars type of a checked column of ``kind`` (dates: Date, date-times: Datetime[us])."""
    return _DTYPES[kind]


class Column(BaseModel):
    """One column of a table: its declaration is the whole of what the checks know about it.

    ``minimum`` is the smallest accepted number (inclusive); ``positive`` asks for a number
    strictly greater than 0; ``allowed`` lists the accepted codes of a text column (case-sensitive).
    ``unit`` is empty for a column without one; ``meaning`` is the text of docs/trial-data.md.
    ``not_before`` names a date column of the same row that this date may not precede.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    kind: Kind
    unit: str = ""
    meaning: str
    required: bool = True
    minimum: float | None = None
    positive: bool = False
    allowed: tuple[str, ...] = ()
    not_before: str | None = None


class Table(BaseModel):
    """One table of the format: ``rows`` says what one row is; ``key`` the columns that must be
    unique together (empty: none, as for events)."""

    model_config = ConfigDict(frozen=True)

    name: str
    rows: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()


_PID = "a `participant_id` of the participants table"

#: The format, table by table, in the order the files are read (docs/trial-data.md).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            name="participants",
            rows="one row per participant",
            key=("participant_id",),
            columns=(
                Column(
                    name="participant_id",
                    kind="text",
                    meaning="the participant's id, unique in this table; the other tables refer to it",
                ),
                Column(
                    name="cohort",
                    kind="text",
                    meaning="trial part or arm, e.g. `A`, `B`, `C` (the protocol pools cohorts into groups)",
                ),
                Column(
                    name="dose_cells",
                    kind="number",
                    unit="cells",
                    minimum=0.0,
                    meaning="cells given at the first infusion, e.g. `8.0e8`; ≥ 0",
                ),
                Column(
                    name="infusion_date",
                    kind="date",
                    meaning="date of the first infusion: **day 0**",
                ),
                Column(
                    name="second_infusion_date",
                    kind="date",
                    required=False,
                    meaning="date of a second infusion, not before `infusion_date`; empty if none. "
                    "It moves no window unless the protocol counts that window from the last "
                    "infusion (`[infusions]`, [trial.md](trial.md))",
                ),
                Column(
                    name="baseline_hba1c_pct",
                    kind="number",
                    unit="%",
                    positive=True,
                    meaning="HbA1c before the infusion, as an NGSP percentage (8.1, not 0.081 or 65)",
                ),
                Column(
                    name="baseline_insulin_u_per_day",
                    kind="number",
                    unit="U/day",
                    minimum=0.0,
                    meaning="total daily insulin before the infusion",
                ),
                Column(
                    name="baseline_she_per_year",
                    kind="number",
                    unit="events",
                    minimum=0.0,
                    meaning="severe hypoglycaemic events in the year before enrolment",
                ),
                Column(
                    name="weight_kg",
                    kind="number",
                    unit="kg",
                    positive=True,
                    meaning="body weight before the infusion",
                ),
                Column(
                    name="age_years",
                    kind="number",
                    unit="years",
                    minimum=0.0,
                    meaning="age before the infusion",
                ),
                Column(name="sex", kind="text", allowed=("F", "M"), meaning="`F` or `M`"),
            ),
        ),
        Table(
            name="cgm",
            rows="one row per sensor reading",
            # (participant_id, time) is unique too: checked after sorting (millions of rows)
            columns=(
                Column(name="participant_id", kind="text", meaning=_PID),
                Column(
                    name="time",
                    kind="datetime",
                    meaning="the local clock time of the reading, without a time zone",
                ),
                Column(
                    name="glucose_mg_dl",
                    kind="number",
                    unit="mg/dL",
                    positive=True,
                    meaning='sensor glucose; a reading the device showed as "Low" is stored as 39, '
                    '"High" as 401',
                ),
            ),
        ),
        Table(
            name="labs",
            rows="one row per laboratory result",
            key=("participant_id", "date", "test"),
            columns=(
                Column(name="participant_id", kind="text", meaning=_PID),
                Column(name="date", kind="date", meaning="the day the sample was taken"),
                Column(
                    name="test",
                    kind="text",
                    allowed=tuple(LAB_TESTS),
                    meaning="which test: a code of the table below",
                ),
                Column(
                    name="value",
                    kind="number",
                    unit="unit of the test",
                    minimum=0.0,
                    meaning="the result in the unit of its test, ≥ 0",
                ),
            ),
        ),
        Table(
            name="insulin",
            rows="one row per participant-day with a record (a day without a row is unknown, not 0)",
            key=("participant_id", "date"),
            columns=(
                Column(name="participant_id", kind="text", meaning=_PID),
                Column(name="date", kind="date", meaning="the day of the record"),
                Column(
                    name="total_units",
                    kind="number",
                    unit="U",
                    minimum=0.0,
                    meaning="all insulin taken that day; `0` means none was taken",
                ),
            ),
        ),
        Table(
            name="events",
            rows="one row per event",
            columns=(
                Column(name="participant_id", kind="text", meaning=_PID),
                Column(
                    name="start_date",
                    kind="date",
                    meaning="the day the event began (its study day decides the windows)",
                ),
                Column(
                    name="end_date",
                    kind="date",
                    required=False,
                    not_before="start_date",
                    meaning="the day it ended (not before `start_date`); empty if ongoing or "
                    "unknown",
                ),
                Column(
                    name="category",
                    kind="text",
                    allowed=("SHE", "AE"),
                    meaning="`SHE` (severe hypoglycaemia: needing another person's help, level 3) "
                    "or `AE` (any other adverse event)",
                ),
                Column(
                    name="term",
                    kind="text",
                    meaning="the event's preferred term, e.g. `Neutropenia`",
                ),
                Column(
                    name="serious",
                    kind="text",
                    allowed=("Y", "N"),
                    meaning="`Y` or `N`: a serious adverse event",
                ),
                Column(
                    name="related",
                    kind="text",
                    allowed=("Y", "N", "POSSIBLE"),
                    meaning="`Y`, `N` or `POSSIBLE`: related to the study treatment",
                ),
                Column(
                    name="outcome",
                    kind="text",
                    allowed=("RECOVERED", "ONGOING", "FATAL"),
                    meaning="`RECOVERED`, `ONGOING` or `FATAL`",
                ),
            ),
        ),
    )
}

# Views of the declaration, for the code that reads one aspect of it.

#: Files and their columns, in the order they are read.
FILES: dict[str, tuple[Column, ...]] = {name: t.columns for name, t in TABLES.items()}
#: What one row of each table is.
TABLE_ROWS: dict[str, str] = {name: t.rows for name, t in TABLES.items()}
#: (table, column) → (unit, meaning).
COLUMN_NOTES: dict[tuple[str, str], tuple[str, str]] = {
    (name, c.name): (c.unit, c.meaning) for name, t in TABLES.items() for c in t.columns
}
#: (table, column) → the accepted codes of a text column.
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    (name, c.name): c.allowed for name, t in TABLES.items() for c in t.columns if c.allowed
}
#: Tables with a key: the columns that must be unique together (cgm's is checked after sorting).
KEYS: dict[str, tuple[str, ...]] = {name: t.key for name, t in TABLES.items() if t.key}

_KIND_WORDS: dict[Kind, str] = {
    "text": "text",
    "number": "number",
    "date": "date",
    "datetime": "date-time",
}


def columns_markdown(table: str) -> str:
    """The column table of ``table`` as docs/trial-data.md shows it (type, required, unit, meaning).

    >>> print(columns_markdown("insulin").splitlines()[2])
    | participant_id | text | yes | | a `participant_id` of the participants table |
    """
    lines = ["| column | type | required | unit | meaning |", "|---|---|---|---|---|"]
    for c in TABLES[table].columns:
        need = "yes" if c.required else "no"
        unit = f" {c.unit} " if c.unit else " "
        lines.append(f"| {c.name} | {_KIND_WORDS[c.kind]} | {need} |{unit}| {c.meaning} |")
    return "\n".join(lines) + "\n"


def template_readme() -> str:
    """The README of a dataset skeleton: every table and column with its type and unit."""
    kinds = {
        "text": "text",
        "number": "number",
        "date": "date YYYY-MM-DD",
        "datetime": "date-time YYYY-MM-DDTHH:MM:SS",
    }
    lines = [
        "# Trial dataset (endolab format, version 1)",
        "",
        "Five tables, each as <name>.csv (UTF-8, comma-separated, header row) or <name>.parquet.",
        "Fill in the rows under each header; keep the column names. Day 0 is each participant's",
        "infusion_date; a date D is on day (D - infusion_date) in days. Extra columns are ignored.",
        "",
        "Check the folder with:  endolab trial validate THIS_FOLDER",
        "Analyse it with:        endolab trial analyze THIS_FOLDER --out REPORT_FOLDER",
        "The full description (windows, missing data, examples) is docs/trial-data.md in the",
        "endolab repository.",
    ]
    for name, table in TABLES.items():
        lines += ["", f"## {name}.csv — {table.rows}", ""]
        for col in table.columns:
            need = "required" if col.required else "optional"
            unit_text = f" [{col.unit}]" if col.unit else ""
            # a link between the docs pages names the page in the repository (docs/trial.md)
            meaning = re.sub(r"\[[^\]]*\]\(([^)]+)\)", r"docs/\1", col.meaning)
            lines.append(f"- {col.name} ({kinds[col.kind]}, {need}){unit_text}: {meaning}")
        if name == "labs":
            lines.append(
                "  Test codes and units: "
                + ", ".join(f"{code} [{unit}]" for code, unit in LAB_TESTS.items())
            )
    return "\n".join(lines) + "\n"
