"""CGM result tables: summary columns, the JSON envelope, CSV/JSON/Parquet bytes."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from endolab.cgm.tables import (
    SUMMARY_COLUMNS,
    episode_summary_columns,
    format_from_suffix,
    summary_columns,
    table_bytes,
    table_record,
)
from endolab.errors import InputError
from endolab.output import DISCLAIMER

TABLE = pl.DataFrame(
    {"date": ["2024-01-01"], "id": ["a"], "sd": [30.0], "tbr_54": [1.5], "mean": [7.0]}
)


def test_summary_columns_keys_first_then_the_core_set_in_order() -> None:
    assert summary_columns(TABLE) == ["id", "date", "mean", "tbr_54"]
    assert SUMMARY_COLUMNS.index("mean") < SUMMARY_COLUMNS.index("tbr_54")


def test_episode_summary_columns() -> None:
    s = pl.DataFrame({"id": ["a"], "hypo_lv1_episodes": [2], "hypo_lv1_minutes": [30.0]})
    assert episode_summary_columns(s) == ["id", "hypo_lv1_episodes"]


def test_record_units_follow_the_report_unit() -> None:
    record = table_record(TABLE, "mmol/L", "cgm metrics (core)")
    assert record["units"]["mean"] == "mmol/L" and record["units"]["tbr_54"] == "%"
    assert record["rows"] == TABLE.to_dicts()
    assert record["disclaimer"] == DISCLAIMER and record["what"] == "cgm metrics (core)"


def test_bytes_round_trip() -> None:
    assert_frame_equal(pl.read_parquet(io.BytesIO(table_bytes(TABLE, "parquet"))), TABLE)
    assert_frame_equal(pl.read_csv(io.BytesIO(table_bytes(TABLE, "csv"))), TABLE)
    record = table_record(TABLE, "mg/dL", "x")
    data = table_bytes(TABLE, "json", record)
    assert data.endswith(b"\n") and json.loads(data) == record
    with pytest.raises(InputError):
        table_bytes(TABLE, "json")
    with pytest.raises(InputError, match="accepted: csv, json, parquet"):
        table_bytes(TABLE, "xlsx")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.parquet", "parquet"),
        ("a.PQ", "parquet"),
        ("a.json", "json"),
        ("a.csv", "csv"),
        ("a", "csv"),
    ],
)
def test_format_from_suffix(name: str, fmt: str) -> None:
    assert format_from_suffix(name) == fmt
