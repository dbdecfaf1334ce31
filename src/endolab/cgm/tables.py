"""Result tables of the CGM engine as the front ends show and ship them.

* :data:`SUMMARY_COLUMNS` and :func:`summary_columns` — the short table shown on screen (keys, then
  the consensus core figures); :func:`episode_summary_columns` the same for episode counts;
* :func:`table_record` — the JSON envelope of a table: disclaimer, what it is, the glucose unit,
  the unit of every column, the rows;
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
from pathlib import PurePath
from typing import Any, Final, Literal

import polars as pl

from endolab.cgm.columns import column_unit
from endolab.errors import InputError
from endolab.output import DISCLAIMER, json_text

__all__ = [
    "KEY_COLUMNS",
    "SUMMARY_COLUMNS",
    "TableFormat",
    "episode_summary_columns",
    "format_from_suffix",
    "summary_columns",
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


def table_record(table: pl.DataFrame, glucose_unit: str, what: str) -> dict[str, Any]:
    """The JSON envelope of a result table (``rows``: one mapping per row)."""
    return {
        "disclaimer": DISCLAIMER,
        "what": what,
        "glucose_unit": glucose_unit,
        "units": {c: column_unit(c, glucose_unit) for c in table.columns},
        "rows": table.to_dicts(),
    }


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
