"""Windows of days and day 0 from their written forms (the CLI's --window/--day0, web forms)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest

from endolab.cgm.windows import parse_day0, parse_window, resolve_window
from endolab.errors import DataFileError, InputError, ParseError


def test_parse_window_numbers_and_dates() -> None:
    assert parse_window("352:365") == (352, 365)
    assert parse_window("2024-01-01:2024-01-14") == (dt.date(2024, 1, 1), dt.date(2024, 1, 14))


@pytest.mark.parametrize("text", ["1:2:3", "a:b", "2024-01-01:14"])
def test_parse_window_errors_are_parse_errors(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_window(text)
    assert info.value.exit_code == 2 and info.value.field == "--window"


def test_labels_name_the_inputs() -> None:
    with pytest.raises(ParseError, match=r"^window '1-2': expected FIRST:LAST"):
        parse_window("1-2", label="window")
    with pytest.raises(InputError, match=r"^day0 needs window FIRST:LAST$"):
        resolve_window(None, "2024-01-01", labels=("window", "day0"))


def test_day0_forms(tmp_path: Path) -> None:
    table = b"id,day0\np1,2024-01-10\np2,2024-02-01\n"
    path = tmp_path / "day0.csv"
    path.write_bytes(table)
    expected = [("p1", "2024-01-10"), ("p2", "2024-02-01")]
    assert parse_day0(path).rows() == expected
    assert parse_day0(table).rows() == expected
    assert parse_day0(io.BytesIO(table)).rows() == expected
    assert (
        parse_day0(pl.DataFrame(expected, schema=["id", "day0"], orient="row")).rows() == expected
    )
    assert parse_day0(" 2024-01-10 ") == dt.date(2024, 1, 10)
    assert parse_day0(dt.datetime(2024, 1, 10, 8)) == dt.date(2024, 1, 10)


def test_day0_text_is_never_a_file_name(tmp_path: Path) -> None:
    path = tmp_path / "day0.csv"
    path.write_bytes(b"id,day0\np1,2024-01-10\n")
    with pytest.raises(ParseError, match="not a date"):
        parse_day0(str(path))


def test_day0_table_without_columns() -> None:
    with pytest.raises(DataFileError, match="needs columns id and day0") as info:
        parse_day0(b"subject,start\np1,2024-01-10\n", name="starts.csv")
    assert info.value.file == "starts.csv"


def test_resolve_window_rules() -> None:
    assert resolve_window(None, None) == (None, None)
    assert resolve_window("-14:-1", "2024-03-01") == ((-14, -1), dt.date(2024, 3, 1))
    # a window of dates needs no day 0 (a given one is ignored)
    dates = (dt.date(2024, 1, 1), dt.date(2024, 1, 2))
    assert resolve_window("2024-01-01:2024-01-02", "2024-03-01") == (dates, None)
    with pytest.raises(InputError, match="--day0 needs --window FIRST:LAST"):
        resolve_window(None, "2024-03-01")
    with pytest.raises(InputError, match="needs --day0 DATE or --day0 FILE"):
        resolve_window("1:2", None)
