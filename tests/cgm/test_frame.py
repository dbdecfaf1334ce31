"""check_frame: the canonical CGM frame (sorting, duplicates, missing values, units, time zones)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pytest

from endolab.cgm import check_frame, from_pandas, to_pandas
from endolab.cgm.schema import CANONICAL_SCHEMA
from endolab.errors import EndolabWarning, InputError, ParseError

T0 = dt.datetime(2024, 3, 1, 8, 0)


def _frame(
    gl: list[object], minutes: list[int] | None = None, ids: list[str] | None = None
) -> pl.DataFrame:
    minutes = minutes if minutes is not None else [5 * i for i in range(len(gl))]
    ids = ids if ids is not None else ["a"] * len(gl)
    return pl.DataFrame(
        {"id": ids, "time": [T0 + dt.timedelta(minutes=m) for m in minutes], "gl": gl},
        strict=False,
    )


def test_canonical_output_schema() -> None:
    out = check_frame(_frame([100, 110, 120]))
    assert out.schema == CANONICAL_SCHEMA
    assert out["gl"].to_list() == [100.0, 110.0, 120.0]
    assert out["censored"].to_list() == [0, 0, 0]


def test_one_reading_is_accepted() -> None:
    out = check_frame(_frame([100]))
    assert out.height == 1


def test_empty_is_an_error() -> None:
    empty = pl.DataFrame(schema={"id": pl.String, "time": pl.Datetime, "gl": pl.Float64})
    with pytest.raises(InputError, match="empty"):
        check_frame(empty)


def test_missing_column_is_named() -> None:
    with pytest.raises(InputError, match=r"missing column.*gl"):
        check_frame(pl.DataFrame({"id": ["a"], "time": [T0], "glucose": [100]}))


def test_column_mapping() -> None:
    raw = pl.DataFrame({"subject": ["a"], "ts": [T0], "glucose": [100]})
    out = check_frame(raw, id_col="subject", time_col="ts", gl_col="glucose")
    assert out.columns == ["id", "time", "gl", "censored"]


def test_nan_and_null_dropped_with_count() -> None:
    raw = _frame([100.0, float("nan"), None, 120.0])
    with pytest.warns(EndolabWarning, match="dropped 2 reading"):
        out = check_frame(raw)
    assert out["gl"].to_list() == [100.0, 120.0]


def test_all_nan_is_an_error() -> None:
    with pytest.raises(InputError, match="all 3 gl value"):
        check_frame(_frame([float("nan")] * 3))


def test_backwards_time_sorted_with_warning() -> None:
    raw = _frame([100, 110, 120], minutes=[10, 0, 5])
    with pytest.warns(EndolabWarning, match=r"1 reading\(s\) went backwards"):
        out = check_frame(raw)
    assert out["gl"].to_list() == [110.0, 120.0, 100.0]


def test_duplicates_keep_first_with_warning() -> None:
    raw = _frame([100, 130, 110], minutes=[0, 0, 5])
    with pytest.warns(EndolabWarning, match=r"removed 1 duplicate.*kept the first"):
        out = check_frame(raw)
    assert out["gl"].to_list() == [100.0, 110.0]


def test_mmol_detected_when_unambiguous() -> None:
    with pytest.warns(EndolabWarning, match="read as mmol/L"):
        out = check_frame(_frame([5.5, 10.0]))
    # 5.5 mmol/L × 18 = 99 mg/dL; 10 × 18 = 180 mg/dL
    assert out["gl"].to_list() == [99.0, 180.0]


def test_explicit_mmol() -> None:
    out = check_frame(_frame([3.0, 4.0]), unit="mmol/L")
    assert out["gl"].to_list() == [54.0, 72.0]  # 3 × 18, 4 × 18


def test_mixed_units_is_an_error() -> None:
    # the library names its keyword; the command line words it --unit (tests/cli/test_cgm_option_asks.py)
    with pytest.raises(InputError, match=r"mixed or ambiguous units.*unit='mg/dL' or unit="):
        check_frame(_frame([5.5, 120.0]))
    with pytest.raises(InputError, match="Mixed units"):
        check_frame(_frame([5.5, 120.0]), unit="mg/dL")
    with pytest.raises(InputError, match="mmol/L but 1 gl value"):
        check_frame(_frame([5.5, 120.0]), unit="mmol/L")


def test_explicit_mg_dl_with_mmol_values_is_an_error() -> None:
    with pytest.raises(InputError, match="look like mmol/L"):
        check_frame(_frame([5.5, 6.0]), unit="mg/dL")


def test_unknown_unit() -> None:
    with pytest.raises(ParseError, match="unknown unit"):
        check_frame(_frame([100]), unit="mg/L")


def test_high_low_text_kept_as_censored() -> None:
    raw = _frame(["High", "Low", "120", "LO"])
    out = check_frame(raw)
    assert out["gl"].to_list() == [401.0, 39.0, 120.0, 39.0]
    assert out["censored"].to_list() == [1, -1, 0, -1]


def test_bad_glucose_text_names_row() -> None:
    with pytest.raises(ParseError, match=r"row 2.*'abc'"):
        check_frame(_frame(["100", "abc"]))


def test_negative_glucose_rejected() -> None:
    with pytest.raises(InputError, match="> 0"):
        check_frame(_frame([100, -5]))


def test_time_text_parsed_and_bad_time_names_row() -> None:
    raw = pl.DataFrame(
        {"id": ["a", "a"], "time": ["2024-01-01 00:00:00", "2024-01-01 00:05"], "gl": [100, 101]}
    )
    out = check_frame(raw)
    assert out["time"].to_list() == [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 0, 5)]
    raw = pl.DataFrame(
        {"id": ["a", "a"], "time": ["2024-01-01 00:00", "yesterday"], "gl": [100, 101]}
    )
    with pytest.raises(ParseError, match=r"row 2.*'yesterday'"):
        check_frame(raw)


def test_utc_offset_text_keeps_the_written_local_wall_clock() -> None:
    # 10:00+02:00 is 10:00 local time (08:00 UTC): the consensus metrics and the AGP use local time
    # of day, as for time-zone-aware input; one constant offset needs no warning
    raw = pl.DataFrame(
        {
            "id": ["a", "a"],
            "time": ["2024-01-01T10:00:00+02:00", "2024-01-01T10:05+0200"],
            "gl": [100, 101],
        }
    )
    assert check_frame(raw)["time"].to_list() == [
        dt.datetime(2024, 1, 1, 10, 0),
        dt.datetime(2024, 1, 1, 10, 5),
    ]


def test_a_date_alone_is_not_taken_for_an_offset() -> None:
    # "-2024" at the end of 13-03-2024 is a year, not a UTC offset: still a clear parse error
    raw = pl.DataFrame({"id": ["a"], "time": ["13-03-2024"], "gl": [100]})
    with pytest.raises(ParseError, match="13-03-2024"):
        check_frame(raw)


def test_tz_aware_fall_back_keeps_wall_clock_and_warns() -> None:
    # Europe/Berlin falls back at 03:00 CEST → 02:00 CET on 2024-10-27: UTC 00:30 and 01:30 are
    # both 02:30 wall clock; the second is a duplicate (kept first) and the crossing is reported.
    times = pd.date_range("2024-10-27 00:00", periods=4, freq="30min", tz="UTC").tz_convert(
        "Europe/Berlin"
    )
    raw = pd.DataFrame({"id": "a", "time": times, "gl": [100, 110, 120, 130]})
    with pytest.warns(EndolabWarning) as record:
        out = check_frame(raw)
    text = " ".join(str(w.message) for w in record)
    assert "DST transition" in text and "duplicate" in text
    # UTC 00:00 → 02:00 CEST; 00:30 → 02:30 CEST; 01:00 → 02:00 CET; 01:30 → 02:30 CET
    assert out["time"].to_list() == [
        dt.datetime(2024, 10, 27, 2, 0),
        dt.datetime(2024, 10, 27, 2, 30),
    ]
    assert out["gl"].to_list() == [100.0, 110.0]


def test_tz_aware_spring_forward_is_a_gap() -> None:
    # 2024-03-31 Europe/Berlin: 02:00 CET jumps to 03:00 CEST. UTC 00:30 → 01:30, UTC 01:00 → 03:00.
    times = pd.date_range("2024-03-31 00:30", periods=2, freq="30min", tz="UTC").tz_convert(
        "Europe/Berlin"
    )
    raw = pd.DataFrame({"id": "a", "time": times, "gl": [100, 110]})
    with pytest.warns(EndolabWarning, match="DST transition"):
        out = check_frame(raw)
    assert out["time"].to_list() == [
        dt.datetime(2024, 3, 31, 1, 30),
        dt.datetime(2024, 3, 31, 3, 0),
    ]


def test_pandas_round_trip() -> None:
    pdf = pd.DataFrame(
        {
            "id": [1, 1],
            "time": pd.to_datetime(["2024-01-01 00:00", "2024-01-01 00:05"]),
            "gl": [100, 101],
        }
    )
    out = from_pandas(pdf)
    assert out["id"].to_list() == ["1", "1"]
    back = to_pandas(out)
    assert list(back.columns) == ["id", "time", "gl", "censored"]
    assert back["gl"].tolist() == [100.0, 101.0]


def test_not_a_frame() -> None:
    with pytest.raises(InputError, match="polars or pandas"):
        check_frame([1, 2, 3])


def test_censored_column_validated() -> None:
    raw = _frame([100, 110]).with_columns(pl.Series("censored", [0, 2]))
    with pytest.raises(InputError, match=r"row 2.*censored|censored, row 2"):
        check_frame(raw)


def test_unsorted_duplicates_keep_first_in_input_order() -> None:
    # input: 00:00 → 130, 00:05 → 110, 00:00 → 100 (a later duplicate of the first)
    raw = _frame([130, 110, 100], minutes=[0, 5, 0])
    with pytest.warns(EndolabWarning, match=r"went backwards.*removed 1 duplicate"):
        out = check_frame(raw)
    assert out["gl"].to_list() == [130.0, 110.0]


def test_duplicates_across_subjects_are_not_duplicates() -> None:
    raw = _frame([100, 120], minutes=[0, 0], ids=["a", "b"])
    out = check_frame(raw)
    assert out["id"].to_list() == ["a", "b"]


def test_first_time_unreadable_is_a_parse_error_not_a_crash() -> None:
    # polars cannot infer a date format from "abc": the error must still name the row and value
    raw = pl.DataFrame({"id": ["a", "a"], "time": ["abc", "2024-01-01 00:05"], "gl": [100, 101]})
    with pytest.raises(ParseError, match=r"row 1: cannot read 'abc'"):
        check_frame(raw)
