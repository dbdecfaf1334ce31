"""Result tables of the CGM engine as the front ends show and ship them.

* :data:`SUMMARY_COLUMNS` and :func:`summary_columns` — the short table shown on screen (keys, then
  the consensus core figures); :func:`episode_summary_columns` the same for episode counts;
* :func:`table_record` — the JSON envelope of a table: disclaimer, what it is, the glucose unit,
  the glucose conversion used (:data:`GLUCOSE_CONVERSION`), the notices, the unit of every
  column, the rows;
* :func:`summary_display` — the summary as shown on screen: a GMI from too little data marked †,
  with the footnotes that explain the marks and the units;
* :func:`table_bytes` — a table as CSV, JSON or Parquet bytes; :func:`format_from_suffix` picks the
  format from a file name.

>>> import polars as pl
>>> t = pl.DataFrame({"id": ["a"], "mean": [150.0], "tir_70_180": [71.5], "sd": [40.0]})
>>> summary_columns(t)
['id', 'mean', 'tir_70_180']
>>> table_record(t, "mg/dL", "cgm metrics (core)")["units"]
{'id': '', 'mean': 'mg/dL', 'tir_70_180': '%', 'sd': 'mg/dL'}
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, Final, Literal

import polars as pl

from endolab.cgm.columns import column_unit
from endolab.errors import InputError
from endolab.notices import Notice
from endolab.output import DISCLAIMER, json_text
from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L

__all__ = [
    "GLUCOSE_CONVERSION",
    "KEY_COLUMNS",
    "SUMMARY_COLUMNS",
    "TableFormat",
    "display_cell",
    "episode_summary_columns",
    "format_from_suffix",
    "summary_columns",
    "summary_display",
    "table_bytes",
    "table_record",
]

TableFormat = Literal["csv", "json", "parquet"]

#: Columns that say which rows these are (subject, then the period), in this order.
KEY_COLUMNS: Final = ("id", "window_start", "window_end", "date", "week_start")

#: The consensus core figures shown in the on-screen summary (the full table has every column).
SUMMARY_COLUMNS: Final = (
    "n_readings",
    "days_worn",
    "active_percent",
    "sufficient_2019",
    "mean",
    "gmi",
    "cv",
    "tir_70_180",
    "tbr_70",
    "tbr_54",
    "tar_180",
    "tar_250",
)


def summary_columns(table: pl.DataFrame) -> list[str]:
    """The key columns and :data:`SUMMARY_COLUMNS` that ``table`` has, in display order."""
    return [c for c in (*KEY_COLUMNS, *SUMMARY_COLUMNS) if c in table.columns]


def episode_summary_columns(summary: pl.DataFrame) -> list[str]:
    """``id`` and the episode counts (``*_episodes``) of an episode summary table."""
    return ["id", *[c for c in summary.columns if c.endswith("_episodes")]]


#: How glucose is converted between units, stated with every table (issue 12).
GLUCOSE_CONVERSION: Final = {
    "mg_dl_per_mmol_l": GLUCOSE_MG_DL_PER_MMOL_L,
    "source": (
        "1 mmol/L = 18 mg/dL, the rounded factor of R iglu and of the consensus materials, whose "
        "unit pairs are rounded the same way (Battelino 2019: 70 mg/dL = 3.9, 180 = 10.0 mmol/L); "
        "glucose 180.16 g/mol gives 18.016 [A]. Used to report mmol/L values and to store mmol/L "
        "readings in mg/dL; each reading is classified against the consensus cut-offs of the unit "
        "it was measured in (< 3.0, < 3.9, 3.9–7.8, 3.9–10.0, > 10.0, > 13.9 mmol/L; < 54, < 70, "
        "70–140, 70–180, > 180, > 250 mg/dL)."
    ),
}

#: Footnote under a summary with a GMI from too little data.
_GMI_FOOTNOTE: Final = (
    "† GMI from < 14 days or < 70 % CGM-active data (sufficient_2019 false): not a valid GMI "
    "(Bergenstal 2018; 2019 consensus); do not report it."
)
#: Footnote under a summary in mmol/L or from readings measured in mmol/L.
_UNIT_FOOTNOTE: Final = (
    "Units: 1 mmol/L = 18 mg/dL (rounded factor of R iglu and the consensus; 18.016 from glucose "
    "180.16 g/mol) [A]; each reading is classified against the cut-offs of the unit it was "
    "measured in (3.0 / 3.9 / 7.8 / 10.0 / 13.9 mmol/L; 54 / 70 / 140 / 180 / 250 mg/dL); range "
    "columns keep their mg/dL names."
)


def table_record(
    table: pl.DataFrame,
    glucose_unit: str,
    what: str,
    notices: Sequence[Notice | str] | None = None,
) -> dict[str, Any]:
    """The JSON envelope of a result table (``rows``: one mapping per row).

    ``notices``: what the engine said about the data and the results (a result's
    :class:`~endolab.notices.Notice` values, e.g. a GMI from too little data; a plain text counts
    as a notice with code ``W_CGM``): their messages in ``warnings`` and the notices themselves
    (code, severity, message, field) in ``notices``.

    >>> from endolab.notices import Notice
    >>> r = table_record(pl.DataFrame({"id": ["a"]}), "mg/dL", "x", [Notice("W_X", "W", "m")])
    >>> r["warnings"], r["notices"]
    (['m'], [{'code': 'W_X', 'severity': 'W', 'message': 'm'}])
    """
    found = [n if isinstance(n, Notice) else Notice("W_CGM", "W", n) for n in notices or ()]
    return {
        "disclaimer": DISCLAIMER,
        "what": what,
        "glucose_unit": glucose_unit,
        "glucose_conversion": GLUCOSE_CONVERSION,
        "warnings": [n.message for n in found],
        "notices": [n.as_dict() for n in found],
        "units": {c: column_unit(c, glucose_unit) for c in table.columns},
        "rows": table.to_dicts(),
    }


def display_cell(value: Any) -> str:
    """A metric value as every front end shows it: ``—`` for none, ``yes``/``no``, integers as
    integers, numbers ≥ 10 with 1 decimal and smaller ones with 2 (the units are in the header).

    >>> [display_cell(v) for v in (None, True, 12, 153.449, 6.184, -0.5, "6.18 †")]
    ['—', 'yes', '12', '153.4', '6.18', '-0.50', '6.18 †']
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"{value:g}"
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def summary_display(
    table: pl.DataFrame, glucose_unit: str, *, measured_mmol: bool = False
) -> tuple[pl.DataFrame, list[str]]:
    """The summary table as shown on screen and its footnotes.

    A ``gmi`` whose row has ``sufficient_2019`` false (or null) becomes text marked ``†``, with a
    footnote; a table in mmol/L, or from readings measured in mmol/L, gets the unit footnote.

    >>> t = pl.DataFrame({"id": ["a"], "gmi": [6.18], "sufficient_2019": [False]})
    >>> shown, notes = summary_display(t, "mg/dL")
    >>> shown["gmi"].to_list(), notes[0][:10]
    (['6.18 †'], '† GMI from')
    """
    notes: list[str] = []
    shown = table
    if "gmi" in table.columns and "sufficient_2019" in table.columns:
        bad = table.get_column("gmi").is_not_null() & ~table.get_column(
            "sufficient_2019"
        ).fill_null(False)
        if bool(bad.any()):
            text = pl.col("gmi").round(2).cast(pl.String)
            shown = table.with_columns(
                pl.when(pl.Series(bad)).then(text + " †").otherwise(text).alias("gmi")
            )
            notes.append(_GMI_FOOTNOTE)
    if "sufficient_2019" in table.columns:
        from endolab.cgm.metrics import interval_notice

        interval = interval_notice(table)
        if interval is not None:  # not CGM data: every figure of the row, not only the GMI
            notes.append(f"sufficient_2019 false: {interval}.")
    if glucose_unit == "mmol/L" or measured_mmol:
        notes.append(_UNIT_FOOTNOTE)
    return shown, notes


def format_from_suffix(name: str | PurePath) -> TableFormat:
    """``parquet`` for ``.parquet``/``.pq``, ``json`` for ``.json``, else ``csv``.

    >>> format_from_suffix("out.PQ"), format_from_suffix("out.txt")
    ('parquet', 'csv')
    """
    suffix = PurePath(name).suffix.lower()
    found: TableFormat = {".parquet": "parquet", ".pq": "parquet", ".json": "json"}.get(  # type: ignore[assignment]
        suffix, "csv"
    )
    return found


def table_bytes(
    table: pl.DataFrame, fmt: TableFormat, record: dict[str, Any] | None = None
) -> bytes:
    """``table`` as a file: CSV (header row), JSON (``record``, the :func:`table_record`) or Parquet.

    JSON and CSV end with a newline. JSON needs ``record``.

    >>> table_bytes(pl.DataFrame({"id": ["a"], "mean": [150.0]}), "csv")
    b'id,mean\\na,150.0\\n'
    """
    if fmt == "parquet":
        buffer = io.BytesIO()
        table.write_parquet(buffer)
        return buffer.getvalue()
    if fmt == "csv":
        text = table.write_csv()
    elif fmt == "json":
        if record is None:
            raise InputError("a JSON table needs its record (table_record)", field="record")
        text = json_text(record)
    else:
        raise InputError(
            f"format {fmt!r} not accepted; accepted: csv, json, parquet", field="format", value=fmt
        )
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")
