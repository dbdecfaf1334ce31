"""Insulin and carbohydrates from device exports: one table, and daily insulin totals for a trial.

The treatments table (:data:`TREATMENT_COLUMNS`), one row per record:

========== ============ ====== ===============================================================
column     dtype        unit   meaning
========== ============ ====== ===============================================================
id         String       —      subject (the file name, or ``subject_id=``)
time       Datetime[µs] —      wall clock of the record (the device's display time)
kind       String       —      ``bolus`` (pump bolus or an injection of rapid-acting insulin),
                               ``long_acting`` (an injection of long-acting insulin), ``basal``
                               (a pump basal segment, or a basal dose: Tandem Source), ``carbs``,
                               ``smbg`` (a meter blood glucose: Tidepool)
insulin_u  Float64      U      insulin of the record (a basal segment: rate [U/h] × duration
                               [h], i.e. rate × ``duration_min`` / 60)
carbs_g    Float64      g      carbohydrates
duration_min Float64    min    length of a basal segment (null for a dose and other kinds)
source     String       —      the format (``dexcom``, ``libre``, ``carelink``, ``nightscout``,
                               ``tidepool``, ``tidepool_xlsx``, ``tandem``, ``glooko``)
bg_mg_dl   Float64      mg/dL  blood glucose of an ``smbg`` row (null for the other kinds)
========== ============ ====== ===============================================================

:func:`insulin_daily_totals` gives the trial dataset's ``insulin.csv`` (docs/trial-data.md:
``participant_id, date, total_units``): per subject and calendar day, the sum of ``insulin_u``
(a basal segment that crosses midnight is split in proportion to its minutes on each day). [A] A
day appears only when the export has an insulin record on it (a day without a row is *unknown* in the
trial dataset, not zero); a day is complete only if the export holds every dose of that day (a
pen injection not logged is missing).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import polars as pl

from endolab._io import atomic_write_bytes
from endolab.errors import DataFileError

__all__ = [
    "TREATMENT_COLUMNS",
    "TREATMENT_UNITS",
    "insulin_daily_totals",
    "parse_amount",
    "smbg_frame",
    "treatment_frame",
    "write_insulin_csv",
]

#: Columns of the treatments table and their dtypes.
TREATMENT_COLUMNS: Final[dict[str, pl.DataType]] = {
    "id": pl.String(),
    "time": pl.Datetime("us"),
    "kind": pl.String(),
    "insulin_u": pl.Float64(),
    "carbs_g": pl.Float64(),
    "duration_min": pl.Float64(),
    "source": pl.String(),
    "bg_mg_dl": pl.Float64(),
}
#: The unit of each column of the treatments table.
TREATMENT_UNITS: Final = {
    "insulin_u": "U",
    "carbs_g": "g",
    "duration_min": "min",
    "bg_mg_dl": "mg/dL",
}

Row = tuple[datetime, str, float | None, float | None, float | None]


def parse_amount(text: str, file: str, row: int, column: str) -> float | None:
    """A dose or carbohydrate amount (decimal comma accepted); None for an empty cell; a
    one-line :class:`~endolab.errors.DataFileError` naming the line otherwise.

    >>> parse_amount("2,5", "f.csv", 3, "Insulin"), parse_amount(" ", "f.csv", 3, "Insulin")
    (2.5, None)
    """
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise DataFileError(
            f"{text!r} is not a number", file=file, row=row, column=column
        ) from None
    if not value >= 0 or value == float("inf"):
        raise DataFileError(f"{text!r} is not an amount ≥ 0", file=file, row=row, column=column)
    return value


def treatment_frame(
    rows: list[Row],
    subject: str,
    source: str,
    meter: list[tuple[datetime, float]] | None = None,
) -> pl.DataFrame:
    """The treatments table of one subject from ``(time, kind, insulin_u, carbs_g,
    duration_min)`` tuples, with the meter readings ``meter`` (see :func:`smbg_frame`) when
    given, sorted by time."""
    if meter:
        return pl.concat(
            [treatment_frame(rows, subject, source), smbg_frame(meter, subject, source)]
        ).sort("time", maintain_order=True)
    times, kinds, insulin, carbs, duration = (
        (list(c) for c in zip(*rows, strict=True)) if rows else ([], [], [], [], [])
    )
    return pl.DataFrame(
        {
            "id": [subject] * len(rows),
            "time": times,
            "kind": kinds,
            "insulin_u": insulin,
            "carbs_g": carbs,
            "duration_min": duration,
            "source": [source] * len(rows),
            "bg_mg_dl": [None] * len(rows),
        },
        schema=TREATMENT_COLUMNS,
    ).sort("time", maintain_order=True)


def smbg_frame(readings: list[tuple[datetime, float]], subject: str, source: str) -> pl.DataFrame:
    """Meter blood glucose as rows of the treatments table (``kind`` ``smbg``, ``bg_mg_dl``
    [mg/dL]) from ``(time, mg/dL)`` pairs."""
    return pl.DataFrame(
        {
            "id": [subject] * len(readings),
            "time": [r[0] for r in readings],
            "kind": ["smbg"] * len(readings),
            "insulin_u": [None] * len(readings),
            "carbs_g": [None] * len(readings),
            "duration_min": [None] * len(readings),
            "source": [source] * len(readings),
            "bg_mg_dl": [r[1] for r in readings],
        },
        schema=TREATMENT_COLUMNS,
    )


def _split_at_midnight(
    start: datetime, minutes: float, units: float
) -> list[tuple[datetime, float]]:
    """(day, units) pieces of a basal segment, in proportion to its minutes on each day.

    >>> _split_at_midnight(datetime(2024, 1, 1, 23, 0), 120.0, 2.0)
    [(datetime.date(2024, 1, 1), 1.0), (datetime.date(2024, 1, 2), 1.0)]
    """
    if minutes <= 0:
        return [(start.date(), units)]  # type: ignore[list-item]
    out = []
    end = start + timedelta(minutes=minutes)
    t = start
    while t < end:
        midnight = datetime.combine(t.date() + timedelta(days=1), datetime.min.time())
        stop = min(end, midnight)
        share = (stop - t).total_seconds() / 60 / minutes
        out.append((t.date(), units * share))
        t = stop
    return out  # type: ignore[return-value]


def insulin_daily_totals(treatments: pl.DataFrame) -> pl.DataFrame:
    """Daily insulin per subject: ``participant_id``, ``date``, ``total_units`` [U] (the trial
    dataset's ``insulin.csv``; see the module docstring for what a day's total covers)."""
    pieces: dict[tuple[str, object], float] = {}
    days_seen: set[tuple[str, object]] = set()
    for row in treatments.iter_rows(named=True):
        key_day = (row["id"], row["time"].date())
        units = row["insulin_u"]
        if units is None:
            continue  # carbohydrates alone say nothing about that day's insulin
        days_seen.add(key_day)
        if row["kind"] == "basal" and row["duration_min"]:
            for day, part in _split_at_midnight(row["time"], row["duration_min"], units):
                pieces[(row["id"], day)] = pieces.get((row["id"], day), 0.0) + part
                days_seen.add((row["id"], day))
        else:
            pieces[key_day] = pieces.get(key_day, 0.0) + units
    keys = sorted(days_seen, key=lambda k: (str(k[0]), str(k[1])))
    return pl.DataFrame(
        {
            "participant_id": [k[0] for k in keys],
            "date": [k[1] for k in keys],
            "total_units": [round(pieces.get(k, 0.0), 6) for k in keys],
        },
        schema={"participant_id": pl.String, "date": pl.Date, "total_units": pl.Float64},
    )


def write_insulin_csv(totals: pl.DataFrame, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write :func:`insulin_daily_totals` as the trial dataset's ``insulin.csv``, atomically (an
    existing file only with ``overwrite=True``)."""
    return atomic_write_bytes(
        path, totals.write_csv().encode("utf-8"), overwrite=overwrite, flag="insulin.csv"
    )
