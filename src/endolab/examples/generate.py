"""Generate the shipped example data (``python -m endolab.examples.generate [FOLDER]``).

Synthetic and deterministic: every number comes from :class:`numpy.random.Generator` seeded with
:data:`SEED`, so the same code gives the same bytes (a test regenerates the files and compares).
The glucose traces are a toy model chosen to look like CGM data, not a physiological model [A]:
a daily rhythm, three meal rises and first-order autoregressive noise, rounded to whole mg/dL,
with values below 40 / above 400 mg/dL shown as the devices show them ("Low"/"High"). The trial
participants are invented; their numbers are picked to exercise every part of a report (a partial
responder, a pre-infusion event, a missing visit), not to resemble any trial's results.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

__all__ = ["SEED", "generate"]

#: Seed of every random draw in the example data.
SEED: Final = 20260105

_DATA: Final = Path(__file__).with_name("data")


def _trace(
    rng: np.random.Generator,
    start: dt.datetime,
    days: int,
    step_min: int,
    level: float,
    swing: float,
) -> tuple[list[dt.datetime], np.ndarray]:
    """Times and glucose [mg/dL, unrounded] every ``step_min`` for ``days`` days from ``start``."""
    n = days * 1440 // step_min
    minutes = np.arange(n) * step_min
    hour = (start.hour + start.minute / 60 + minutes / 60) % 24
    glucose = level + 0.25 * swing * np.sin(2 * np.pi * (hour - 9) / 24)
    for meal_hour in (7.5, 12.5, 19.0):
        size = rng.normal(swing, 0.25 * swing, size=n // (1440 // step_min) + 2)
        day_index = minutes // 1440
        after = (hour - meal_hour) % 24
        glucose += size[day_index] * (after / 1.2) * np.exp(1 - after / 1.2) * (after < 5)
    noise = np.zeros(n)
    shocks = rng.normal(0.0, 6.0 * np.sqrt(step_min / 5), size=n)
    phi = 0.9 ** (step_min / 5)
    for i in range(1, n):
        noise[i] = phi * noise[i - 1] + shocks[i]
    times = [start + dt.timedelta(minutes=int(m)) for m in minutes]
    return times, glucose + 3 * noise


def _device_text(value: float) -> str:
    rounded = round(float(value))
    if rounded < 40:
        return "Low"
    if rounded > 400:
        return "High"
    return str(rounded)


def _clip(value: float) -> int:
    return int(min(401, max(39, round(float(value)))))


def _csv_text(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _generic(rng: np.random.Generator) -> pl.DataFrame:
    start = dt.datetime(2025, 3, 3)
    parts = []
    for subject, level, swing in (("S01", 150.0, 70.0), ("S02", 125.0, 45.0)):
        times, gl = _trace(rng, start, 14, 15, level, swing)
        parts.append(
            pl.DataFrame(
                {"id": [subject] * len(times), "time": times, "gl": [_clip(g) for g in gl]},
                schema={"id": pl.String, "time": pl.Datetime("us"), "gl": pl.Int64},
            )
        )
    return pl.concat(parts)


def _dexcom(rng: np.random.Generator) -> str:
    header = [
        "Index",
        "Timestamp (YYYY-MM-DDThh:mm:ss)",
        "Event Type",
        "Event Subtype",
        "Patient Info",
        "Device Info",
        "Source Device ID",
        "Glucose Value (mg/dL)",
        "Insulin Value (u)",
        "Carb Value (grams)",
        "Duration (hh:mm:ss)",
        "Glucose Rate of Change (mg/dL/min)",
        "Transmitter Time (Long Integer)",
        "Transmitter ID",
    ]
    blank = [""] * (len(header) - 3)
    rows: list[list[object]] = [
        [1, "", "FirstName", "", "Example", *blank[1:]],
        [2, "", "LastName", "", "Patient", *blank[1:]],
        [3, "", "Device", "", "", "Dexcom G6 Mobile App", "Android G6", *blank[3:]],
    ]
    start = dt.datetime(2025, 3, 3, 0, 2, 41)
    times, gl = _trace(rng, start, 14, 5, 165.0, 95.0)
    gl[200:206] = 35.0  # a night-time low below the sensor's range: shown as "Low"
    index = len(rows) + 1
    for i, (time, value) in enumerate(zip(times, gl, strict=True)):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        if i % 288 == 100:  # one calibration a day, skipped by the reader
            rows.append(
                [index, stamp, "Calibration", "", "", "", "iOS G6", _clip(value), *[""] * 6]
            )
            index += 1
        rows.append(
            [
                index,
                stamp,
                "EGV",
                "",
                "",
                "",
                "Android G6",
                _device_text(value),
                "",
                "",
                "",
                "",
                10_000 + 300 * i,
                "8XXXXX",
            ]
        )
        index += 1
    return _csv_text(header, rows)


def _libre(rng: np.random.Generator) -> str:
    header = [
        "Device",
        "Serial Number",
        "Device Timestamp",
        "Record Type",
        "Historic Glucose mg/dL",
        "Scan Glucose mg/dL",
        "Non-numeric Rapid-Acting Insulin",
        "Notes",
    ]
    start = dt.datetime(2025, 3, 3, 0, 7)
    times, gl = _trace(rng, start, 14, 15, 140.0, 60.0)
    rows: list[list[object]] = []
    for i, (time, value) in enumerate(zip(times, gl, strict=True)):
        stamp = time.strftime("%d-%m-%Y %H:%M")
        rows.append(
            ["FreeStyle Libre 2", "EXAMPLE-0001", stamp, 0, _device_text(value), "", "", ""]
        )
        if i % 32 == 5:  # a scan now and then (type 1), kept only with --include-scans
            scan = (time + dt.timedelta(minutes=4)).strftime("%d-%m-%Y %H:%M")
            rows.append(
                ["FreeStyle Libre 2", "EXAMPLE-0001", scan, 1, "", _clip(value + 2), "", ""]
            )
    banner = "Glucose Data,Generated on,05-01-2026 09:00,Generated by,endolab example generator\n"
    return banner + _csv_text(header, rows)


# --------------------------------------------------------------------------------------------
# the trial dataset
# --------------------------------------------------------------------------------------------

#: (id, cohort, dose [cells], infusion date, baseline HbA1c [%], baseline insulin [U/day],
#: SHE in the prior year, weight [kg], age [years], sex, response 0–1) — invented people.
_PEOPLE: Final = (
    ("P01", "A", 4.0e8, dt.date(2025, 1, 6), 8.1, 38.0, 3, 71.5, 44, "F", 0.45),
    ("P02", "B", 8.0e8, dt.date(2025, 1, 20), 8.6, 52.0, 5, 80.2, 51, "M", 1.0),
    ("P03", "C", 8.0e8, dt.date(2025, 2, 3), 7.7, 44.0, 2, 66.0, 38, "F", 0.95),
    ("P04", "C", 8.0e8, dt.date(2025, 2, 17), 8.9, 61.0, 6, 88.4, 57, "M", 0.9),
)


def _trial(rng: np.random.Generator) -> dict[str, str]:
    participants: list[list[object]] = []
    cgm: list[list[object]] = []
    labs: list[list[object]] = []
    insulin: list[list[object]] = []
    events: list[list[object]] = []
    for pid, cohort, dose, day0, a1c, units, she, weight, age, sex, response in _PEOPLE:
        participants.append(
            [pid, cohort, f"{dose:.1e}", day0.isoformat(), "", a1c, units, she, weight, age, sex]
        )

        def on(day: int, _day0: dt.date = day0) -> dt.date:
            return _day0 + dt.timedelta(days=day)

        # CGM: 14 days before the infusion and days 352–365, every 15 min
        for first, level, swing in (
            (-14, 175.0, 90.0),
            (352, 175.0 - 60.0 * response, 90.0 - 55.0 * response),
        ):
            start = dt.datetime.combine(on(first), dt.time(0, 4))
            times, gl = _trace(rng, start, 14, 15, level, swing)
            cgm.extend(
                [pid, t.strftime("%Y-%m-%dT%H:%M:%S"), _clip(g)]
                for t, g in zip(times, gl, strict=True)
            )
        # labs at baseline (day −7) and days 90, 180, 365; P01 missed the day-180 visit
        for day in (-7, 90, 180, 365):
            if pid == "P01" and day == 180:
                continue
            gain = 0.0 if day < 0 else response * min(1.0, day / 120)
            hba1c = a1c - gain * (a1c - 5.9) + rng.normal(0, 0.1)
            labs.append([pid, on(day).isoformat(), "HBA1C", round(hba1c, 1)])
            fasting = 0 if day < 0 else round(gain * 420 + rng.normal(0, 15))
            labs.append([pid, on(day).isoformat(), "CPEP_FASTING", max(0, fasting)])
            peak = 0 if day < 0 else round(gain * 1300 + rng.normal(0, 40))
            labs.append([pid, on(day).isoformat(), "CPEP_STIM_PEAK", max(0, peak)])
            glucose = 160 - gain * 65 + rng.normal(0, 8)
            labs.append([pid, on(day).isoformat(), "GLUCOSE_FASTING", round(glucose)])
        # insulin every day from day −14 to 365; responders taper off over the first 4 months
        for day in range(-14, 366):
            left = 1.0 if day < 0 else max(0.0, 1.0 - response * min(1.0, day / 120) * 1.12)
            dose_u = 0.0 if left <= 0.02 else round(units * left + rng.normal(0, 1.5), 1)
            insulin.append([pid, on(day).isoformat(), max(0.0, dose_u)])

    # events: one before an infusion (listed apart in the report), the rest after it
    def day_of(pid: str, day: int) -> str:
        day0 = next(p[3] for p in _PEOPLE if p[0] == pid)
        return (day0 + dt.timedelta(days=day)).isoformat()

    events = [
        [
            "P02",
            day_of("P02", -47),
            day_of("P02", -47),
            "SHE",
            "Severe hypoglycaemia",
            "Y",
            "N",
            "RECOVERED",
        ],
        [
            "P01",
            day_of("P01", 41),
            day_of("P01", 41),
            "SHE",
            "Severe hypoglycaemia",
            "Y",
            "N",
            "RECOVERED",
        ],
        [
            "P03",
            day_of("P03", 20),
            day_of("P03", 34),
            "AE",
            "Neutropenia",
            "N",
            "POSSIBLE",
            "RECOVERED",
        ],
        ["P04", day_of("P04", 3), day_of("P04", 6), "AE", "Diarrhoea", "N", "Y", "RECOVERED"],
        ["P04", day_of("P04", 200), "", "AE", "Headache", "N", "N", "ONGOING"],
    ]
    from endolab.trial.dataset import FILES

    header = {name: [c.name for c in cols] for name, cols in FILES.items()}
    return {
        "participants": _csv_text(header["participants"], participants),
        "cgm": _csv_text(header["cgm"], cgm),
        "labs": _csv_text(header["labs"], labs),
        "insulin": _csv_text(header["insulin"], insulin),
        "events": _csv_text(header["events"], events),
    }


def generate(folder: str | Path = _DATA, seed: int = SEED) -> dict[str, bytes]:
    """Write the example files into ``folder`` (default: the package's data folder).

    Returns the bytes of every file written (name relative to ``folder`` → bytes). Parquet is
    written from the same frame as ``generic.csv`` (its bytes depend on the polars version).
    """
    rng = np.random.default_rng(seed)
    root = Path(folder)
    generic = _generic(rng)
    texts = {
        "cgm/generic.csv": generic.write_csv(datetime_format="%Y-%m-%d %H:%M:%S"),
        "cgm/dexcom_clarity.csv": _dexcom(rng),
        "cgm/libreview.csv": _libre(rng),
    }
    texts.update({f"trial/{name}.csv": text for name, text in _trial(rng).items()})
    written: dict[str, bytes] = {}
    for name, text in texts.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        written[name] = data
    parquet = root / "cgm" / "generic.parquet"
    generic.write_parquet(parquet, statistics=False)
    written["cgm/generic.parquet"] = parquet.read_bytes()
    return written


if __name__ == "__main__":  # pragma: no cover - the script that made the shipped files
    generate(sys.argv[1] if len(sys.argv) > 1 else _DATA)
