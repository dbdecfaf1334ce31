"""Build small trial datasets in a folder, row by row, for tests whose answers are known by design.

Day 0 of every participant is :data:`DAY0` unless given; ``on(day)`` gives the ISO date of a study day.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

DAY0 = dt.date(2024, 1, 1)

COLUMNS = {
    "participants": [
        "participant_id",
        "cohort",
        "dose_cells",
        "infusion_date",
        "second_infusion_date",
        "baseline_hba1c_pct",
        "baseline_insulin_u_per_day",
        "baseline_she_per_year",
        "weight_kg",
        "age_years",
        "sex",
    ],
    "cgm": ["participant_id", "time", "glucose_mg_dl"],
    "labs": ["participant_id", "date", "test", "value"],
    "insulin": ["participant_id", "date", "total_units"],
    "events": [
        "participant_id",
        "start_date",
        "end_date",
        "category",
        "term",
        "serious",
        "related",
        "outcome",
    ],
}


def on(day: int, day0: dt.date = DAY0) -> str:
    """ISO date of study ``day``."""
    return (day0 + dt.timedelta(days=day)).isoformat()


def person(pid: str, cohort: str = "C", **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "participant_id": pid,
        "cohort": cohort,
        "dose_cells": 8.0e8 if cohort != "A" else 4.0e8,
        "infusion_date": DAY0.isoformat(),
        "second_infusion_date": "",
        "baseline_hba1c_pct": 7.8,
        "baseline_insulin_u_per_day": 40.0,
        "baseline_she_per_year": 3,
        "weight_kg": 70.0,
        "age_years": 44,
        "sex": "F",
    }
    row.update(kw)
    return row


def lab(pid: str, day: int, test: str, value: float) -> dict[str, Any]:
    return {"participant_id": pid, "date": on(day), "test": test, "value": value}


def insulin(pid: str, days: Iterable[int], units: float = 0.0) -> list[dict[str, Any]]:
    return [{"participant_id": pid, "date": on(d), "total_units": units} for d in days]


def event(
    pid: str,
    day: int,
    category: str = "SHE",
    term: str = "Severe hypoglycaemia",
    serious: str = "Y",
    related: str = "N",
    outcome: str = "RECOVERED",
) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "start_date": on(day),
        "end_date": on(day),
        "category": category,
        "term": term,
        "serious": serious,
        "related": related,
        "outcome": outcome,
    }


def cgm(
    pid: str,
    first_day: int,
    last_day: int,
    glucose: Sequence[float] | float = 120.0,
    *,
    every_min: int = 5,
    keep: int | None = None,
) -> list[dict[str, Any]]:
    """Readings every ``every_min`` minutes from 00:00 of ``first_day`` to the end of ``last_day``.

    ``glucose`` is one value or a cycle of values; ``keep`` keeps only the first ``keep`` readings
    (a contiguous gap at the end, so the sampling interval stays ``every_min``).
    """
    values = [glucose] if isinstance(glucose, (int, float)) else list(glucose)
    start = dt.datetime.combine(DAY0, dt.time()) + dt.timedelta(days=first_day)
    n = (last_day - first_day + 1) * 1440 // every_min
    if keep is not None:
        n = min(n, keep)
    return [
        {
            "participant_id": pid,
            "time": (start + dt.timedelta(minutes=every_min * i)).isoformat(),
            "glucose_mg_dl": values[i % len(values)],
        }
        for i in range(n)
    ]


def write_dataset(folder: Path, **tables: Sequence[dict[str, Any]]) -> Path:
    """Write the five CSV files (missing tables are written empty, with their header)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, columns in COLUMNS.items():
        rows = tables.get(name, [])
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
    return folder
