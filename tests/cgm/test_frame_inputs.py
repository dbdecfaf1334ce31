"""check_frame on inputs found in review (issue 4): censored-only data, day/month text times."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from endolab.cgm.frame import check_frame, long_gap_notice
from endolab.errors import InputError, ParseError


def test_only_censored_readings_take_any_unit() -> None:
    # Low/High are device codes stored as 39/401 mg/dL whatever the file's unit: a mmol/L file
    # holding only "High" is not a unit contradiction
    raw = pl.DataFrame(
        {"id": ["a", "a"], "time": ["2024-01-01 00:00", "2024-01-01 00:05"], "gl": ["High", "Low"]}
    )
    out = check_frame(raw, unit="mmol/L")
    assert out["gl"].to_list() == [401.0, 39.0]
    assert out["censored"].to_list() == [1, -1]


@pytest.mark.parametrize("text", ["03/04/2024 07:05", "13.03.2024 07:05", "03-04-24 07:05"])
def test_day_month_text_is_not_guessed(text: str) -> None:
    # polars alone would read 03/04/2024 as 3 April; the order cannot be told from one value
    raw = pl.DataFrame({"id": ["a"], "time": [text], "gl": [100.0]})
    with pytest.raises(ParseError, match="date_order"):
        check_frame(raw)


def test_iso_variants_parse() -> None:
    texts = ["2024-03-13 07:05", "2024-03-13 07:10:00", "2024-03-13T07:15", "2024-03-13T07:20:00"]
    raw = pl.DataFrame({"id": ["a"] * 4, "time": texts, "gl": [100.0] * 4})
    assert check_frame(raw)["time"].to_list() == [
        dt.datetime(2024, 3, 13, 7, m) for m in (5, 10, 15, 20)
    ]


def test_long_gap_notice() -> None:
    # a: 00:00, 00:05, then 06:05 (6 h gap) and 09:06 (3 h 1 min gap); b starts later: no gap
    # is counted across subjects
    times = [dt.datetime(2024, 1, 1, h, m) for h, m in ((0, 0), (0, 5), (6, 5), (9, 6))]
    frame = pl.DataFrame(
        {"id": ["a"] * 4 + ["b"], "time": [*times, dt.datetime(2024, 1, 2)], "gl": [100.0] * 5}
    )
    note = long_gap_notice(frame)
    assert note is not None
    assert note.startswith("2 gap(s) longer than 3 h")
    assert "longest 6 h 0 min: subject a, 2024-01-01 00:05 to 2024-01-01 06:05" in note
    # exactly 3 h is not longer than 3 h
    exact = pl.DataFrame(
        {"id": ["a", "a"], "time": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 3)]}
    )
    assert long_gap_notice(exact) is None


def test_nested_id_column_is_an_input_error() -> None:
    # a Parquet column of lists cannot be a subject id (was a polars InvalidOperationError)
    raw = pl.DataFrame({"id": [["a"]], "time": [dt.datetime(2024, 1, 1)], "gl": [100.0]})
    with pytest.raises(InputError, match="column id"):
        check_frame(raw)
