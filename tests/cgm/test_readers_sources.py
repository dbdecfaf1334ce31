"""Readers take bytes or a binary file object as well as a path (uploads in the web app)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from endolab.cgm.readers import (
    detect_format,
    read_cgm,
    read_dexcom,
    read_generic,
    read_libre,
)
from endolab.errors import DataFileError, InputError
from tests.cgm.test_readers import (
    DEXCOM_HEADER,
    DEXCOM_ROWS,
    LIBRE_BANNER,
    LIBRE_HEADER,
    _libre_row,
)

DEXCOM = ("\n".join([DEXCOM_HEADER, *DEXCOM_ROWS]) + "\n").encode("utf-8")
LIBRE = (
    "\n".join(
        [
            LIBRE_BANNER,
            LIBRE_HEADER,
            _libre_row("12-03-2024 23:45", 0, "100"),
            _libre_row("13-03-2024 00:00", 0, "110"),
        ]
    )
    + "\n"
).encode("utf-8")
GENERIC = b"time,gl\n2024-01-01 00:00,100\n2024-01-01 00:05,5x\n"


def test_dexcom_bytes_equal_the_file(tmp_path: Path) -> None:
    path = tmp_path / "P01.csv"
    path.write_bytes(DEXCOM)
    from_bytes = read_dexcom(DEXCOM, name="P01.csv")
    assert_frame_equal(from_bytes, read_dexcom(path))
    assert from_bytes["gl"].to_list() == [120.0, 401.0, 39.0, 65.0]  # as in test_readers


def test_libre_file_object_takes_its_name(tmp_path: Path) -> None:
    path = tmp_path / "lib.csv"
    path.write_bytes(LIBRE)
    with path.open("rb") as handle:
        f = read_libre(handle)
    assert f["id"].unique().to_list() == ["lib"]  # the id comes from the object's file name
    assert f["time"].to_list() == [dt.datetime(2024, 3, 12, 23, 45), dt.datetime(2024, 3, 13)]


def test_detect_format_of_bytes() -> None:
    assert detect_format(DEXCOM) == "dexcom"
    assert detect_format(io.BytesIO(LIBRE)) == "libre"
    assert detect_format(b"id,time,gl\n") == "generic"


def test_unnamed_bytes_are_called_upload() -> None:
    f = read_cgm(b"time,gl\n2024-01-01 00:00,100\n")
    assert f["id"].to_list() == ["upload"]
    with pytest.raises(DataFileError) as info:
        read_generic(GENERIC)
    assert (info.value.file, info.value.row, info.value.column) == ("upload", 3, "gl")


def test_parquet_bytes_recognised_by_magic() -> None:
    buffer = io.BytesIO()
    pl.DataFrame(
        {"id": ["a", "a"], "time": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 0, 5)]}
    ).with_columns(gl=pl.Series([100, 120])).write_parquet(buffer)
    f = read_cgm(buffer.getvalue())
    assert f["gl"].to_list() == [100.0, 120.0]


def test_several_in_memory_inputs_with_names_and_progress() -> None:
    seen: list[str] = []
    f = read_cgm(
        [DEXCOM, io.BytesIO(b"time,gl\n2024-01-01 00:00,100\n")],
        names=["A.csv", "B.csv"],
        progress=seen.append,
    )
    assert sorted(f["id"].unique().to_list()) == ["A", "B"]
    assert seen == ["A.csv", "B.csv"]


def test_same_name_twice_is_refused_in_memory() -> None:
    with pytest.raises(DataFileError, match="two files would be merged"):
        read_cgm([DEXCOM, DEXCOM], names=["x/P.csv", "y/P.csv"])


def test_bad_sources() -> None:
    with pytest.raises(InputError, match="binary mode"):
        read_cgm(io.StringIO("time,gl\n"))
    with pytest.raises(InputError, match="give a path, bytes or a binary file object"):
        read_generic(42)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="one name per input"):
        read_cgm([DEXCOM, DEXCOM], names=["a.csv"])
