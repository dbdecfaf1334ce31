"""Reading and validating a trial dataset folder: every kind of invalid file names where it is."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from endolab.errors import DataFileError, EndolabError, InputError
from endolab.trial.analysis import analyze
from endolab.trial.dataset import read_dataset
from endolab.trial.protocol import load_protocol
from tests.trial.builders import cgm, event, insulin, lab, person, write_dataset


def _tables() -> dict[str, list[dict[str, object]]]:
    return {
        "participants": [person("P1", "B"), person("P2", "C", baseline_hba1c_pct=8.4)],
        "cgm": cgm("P1", 352, 352, [60, 120, 200]) + cgm("P2", 352, 352, 150.0, every_min=15),
        "labs": [
            lab("P1", 200, "HBA1C", 6.4),
            lab("P1", 365, "HBA1C", 6.2),
            lab("P1", 90, "CPEP_STIM_PEAK", 420),
            lab("P2", 365, "HBA1C", 7.3),
        ],
        "insulin": insulin("P1", range(180, 366), 0.0) + insulin("P2", range(180, 200), 5.0),
        "events": [event("P2", 120), event("P1", 10, "AE", "Neutropenia", "Y", "N", "RECOVERED")],
    }


@pytest.fixture
def valid(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "data", **_tables())


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _set(file: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Mutation: set the cell at CSV row ``row`` (header = 1) of ``column`` to ``value``."""

    def apply(folder: Path) -> None:
        rows = _rows(folder / file)
        rows[row - 1][rows[0].index(column)] = value
        _write_rows(folder / file, rows)

    return apply


def _drop_column(file: str, column: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        rows = _rows(folder / file)
        i = rows[0].index(column)
        _write_rows(folder / file, [r[:i] + r[i + 1 :] for r in rows])

    return apply


def _duplicate_row(file: str, row: int) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        rows = _rows(folder / file)
        rows.insert(row, list(rows[row - 1]))  # the copy becomes CSV row `row + 1`
        _write_rows(folder / file, rows)

    return apply


BAD = {
    "missing file": (lambda f: (f / "labs.csv").unlink(), "labs.csv", None, None),
    "missing column": (_drop_column("labs.csv", "value"), "labs.csv", 1, "value"),
    "not a number": (_set("labs.csv", 3, "value", "6,2"), "labs.csv", 3, "value"),
    "bad date": (_set("insulin.csv", 4, "date", "2024-13-01"), "insulin.csv", 4, "date"),
    "bad datetime": (_set("cgm.csv", 5, "time", "yesterday"), "cgm.csv", 5, "time"),
    "unknown id": (_set("cgm.csv", 4, "participant_id", "P9"), "cgm.csv", 4, "participant_id"),
    "unknown id in events": (
        _set("events.csv", 2, "participant_id", "p1"),
        "events.csv",
        2,
        "participant_id",
    ),
    "date before 1900": (
        _set("participants.csv", 3, "infusion_date", "1899-12-31"),
        "participants.csv",
        3,
        "infusion_date",
    ),
    "date after 2100": (
        _set("events.csv", 3, "start_date", "2101-01-01"),
        "events.csv",
        3,
        "start_date",
    ),
    "duplicate insulin day": (_duplicate_row("insulin.csv", 6), "insulin.csv", 7, None),
    "duplicate participant": (_duplicate_row("participants.csv", 2), "participants.csv", 3, None),
    "duplicate reading": (_duplicate_row("cgm.csv", 2), "cgm.csv", 3, None),
    "empty required cell": (
        _set("participants.csv", 2, "weight_kg", ""),
        "participants.csv",
        2,
        "weight_kg",
    ),
    "bad enum": (_set("events.csv", 2, "serious", "maybe"), "events.csv", 2, "serious"),
    "unknown lab test": (_set("labs.csv", 2, "test", "HbA1c"), "labs.csv", 2, "test"),
    "negative insulin": (
        _set("insulin.csv", 3, "total_units", "-1"),
        "insulin.csv",
        3,
        "total_units",
    ),
    "nan glucose": (_set("cgm.csv", 3, "glucose_mg_dl", "NaN"), "cgm.csv", 3, "glucose_mg_dl"),
    "bad sex": (_set("participants.csv", 2, "sex", "X"), "participants.csv", 2, "sex"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_file_names_where(valid: Path, case: str) -> None:
    mutate, file, row, column = BAD[case]
    mutate(valid)
    with pytest.raises(DataFileError) as info:
        read_dataset(valid)
    err = info.value
    message = str(err)
    assert err.file == file, message
    if row is not None:
        assert err.row == row, message
        assert f"row {row}" in message
    if column is not None:
        assert err.column == column, message
        assert f"column {column}" in message
    assert "\n" not in message


def test_ragged_csv_is_one_error(valid: Path) -> None:
    with (valid / "labs.csv").open("a", encoding="utf-8") as handle:
        handle.write("P1,2024-02-01,HBA1C,6.1,extra,more\n")
    with pytest.raises(DataFileError, match=r"labs\.csv"):
        read_dataset(valid)


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_dataset(tmp_path / "nope")


def test_extra_columns_are_ignored(valid: Path) -> None:
    rows = _rows(valid / "labs.csv")
    rows[0].append("site")
    for r in rows[1:]:
        r.append("Chicago")
    _write_rows(valid / "labs.csv", rows)
    ds = read_dataset(valid)
    assert "site" not in ds.labs.columns
    assert ds.labs.height == 4


def test_parquet_gives_the_same_result(valid: Path, tmp_path: Path) -> None:
    pq = tmp_path / "pq"
    shutil.copytree(valid, pq)
    for name in ("cgm", "labs", "participants"):
        frame = pl.read_csv(pq / f"{name}.csv", try_parse_dates=True, infer_schema_length=None)
        frame.write_parquet(pq / f"{name}.parquet")
        (pq / f"{name}.csv").unlink()
    a = analyze(read_dataset(valid), load_protocol()).participants
    b = analyze(read_dataset(pq), load_protocol()).participants
    assert a.equals(b)


def test_both_csv_and_parquet_is_an_error(valid: Path) -> None:
    pl.read_csv(valid / "labs.csv").write_parquet(valid / "labs.parquet")
    with pytest.raises(DataFileError, match=r"both labs\.csv and labs\.parquet"):
        read_dataset(valid)


def test_days_from_infusion_date(valid: Path) -> None:
    ds = read_dataset(valid)
    assert ds.labs.filter(pl.col("participant_id") == "P1")["day"].to_list() == [90, 200, 365]
    assert ds.events.filter(pl.col("category") == "SHE")["start_day"].to_list() == [120]


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() + str(p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def test_input_folder_is_never_modified(valid: Path) -> None:
    before = _digest(valid)
    analyze(read_dataset(valid), load_protocol())
    assert _digest(valid) == before


JUNK = [
    "",
    " ",
    "x",
    "-1",
    "NaN",
    "inf",
    "1e999",
    "1899-01-01",
    "2101-12-31",
    "P9",
    "Y",
    "0",
    "2024-02-30",
    "2024-01-01T25:00:00",
    "é",
    '"',
    "1,5",
    "SHE",
    "FATAL",
]


@settings(max_examples=60)
@given(
    file=st.sampled_from(["participants", "cgm", "labs", "insulin", "events"]),
    row=st.integers(min_value=1, max_value=12),
    col=st.integers(min_value=0, max_value=10),
    junk=st.sampled_from(JUNK),
    action=st.sampled_from(["set", "delete_row", "duplicate_row", "truncate"]),
)
def test_mutated_dataset_raises_only_endolab_errors(
    file: str, row: int, col: int, junk: str, action: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_dataset(Path(tmp) / "d", **_tables())
        path = folder / f"{file}.csv"
        rows = _rows(path)
        r = min(row, len(rows)) - 1
        if action == "set":
            rows[r][col % len(rows[r])] = junk
            _write_rows(path, rows)
        elif action == "delete_row":
            del rows[r]
            _write_rows(path, rows)
        elif action == "duplicate_row":
            rows.insert(r, list(rows[r]))
            _write_rows(path, rows)
        else:
            text = path.read_bytes()
            path.write_bytes(text[: len(text) * row // 13])
        with contextlib.suppress(EndolabError):
            analyze(read_dataset(folder), load_protocol())


def test_optional_columns_may_be_absent(valid: Path) -> None:
    # docs/trial-data.md: only a missing *required* column is an error; second_infusion_date and
    # end_date are "date, optional", so files without those columns are valid (values all empty).
    for name, column in (("participants", "second_infusion_date"), ("events", "end_date")):
        _drop_column(f"{name}.csv", column)(valid)
    ds = read_dataset(valid)
    assert ds.participants["second_infusion_date"].null_count() == 2
    assert ds.events["end_date"].null_count() == 2
    assert ds.events.filter(pl.col("category") == "SHE")["start_day"].to_list() == [120]


def test_parquet_all_empty_optional_column(valid: Path, tmp_path: Path) -> None:
    # pandas reads an all-empty CSV column as float NaN and writes it to Parquet as a float column
    # of nulls; pyarrow may write it with the null type. Both mean "empty", which an optional
    # column may be.
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as papq

    pq = tmp_path / "pq"
    shutil.copytree(valid, pq)
    frame = pd.read_csv(pq / "participants.csv")
    assert str(frame["second_infusion_date"].dtype) == "float64"
    frame.to_parquet(pq / "participants.parquet")
    (pq / "participants.csv").unlink()
    events = pl.read_csv(pq / "events.csv", infer_schema=False).to_arrow()
    events = events.set_column(
        events.schema.get_field_index("end_date"), "end_date", pa.nulls(events.num_rows)
    )
    papq.write_table(events, pq / "events.parquet")
    (pq / "events.csv").unlink()
    a = analyze(read_dataset(valid), load_protocol()).participants
    b = analyze(read_dataset(pq), load_protocol()).participants
    assert a.equals(b)


def test_parquet_column_of_wrong_type_names_a_row(valid: Path, tmp_path: Path) -> None:
    # A typed Parquet column that cannot hold the column's type: the error names the file, the
    # column and the first row holding a value (row 2 = first data row).
    frame = pl.read_csv(valid / "labs.csv", infer_schema=False).with_columns(
        pl.lit(True).alias("date")
    )
    frame.write_parquet(valid / "labs.parquet")
    (valid / "labs.csv").unlink()
    with pytest.raises(DataFileError) as info:
        read_dataset(valid)
    assert (info.value.file, info.value.row, info.value.column) == ("labs.parquet", 2, "date")


def test_lab_key_is_participant_date_test(tmp_path: Path) -> None:
    # Two HBA1C on one date would make "the last HBA1C in [335, 395]" ambiguous → duplicate key
    # (participant_id, date, test), naming the later row (row 3). Different tests on one date are
    # fine.
    P = [person("P1")]
    ok = write_dataset(
        tmp_path / "ok",
        participants=P,
        labs=[lab("P1", 365, "HBA1C", 6.2), lab("P1", 365, "CPEP_FASTING", 200)],
    )
    assert read_dataset(ok).labs.height == 2
    bad = write_dataset(
        tmp_path / "bad",
        participants=P,
        labs=[lab("P1", 365, "HBA1C", 6.2), lab("P1", 365, "HBA1C", 7.2)],
    )
    with pytest.raises(DataFileError) as info:
        read_dataset(bad)
    assert (info.value.file, info.value.row) == ("labs.csv", 3)
    assert info.value.column == "participant_id + date + test"


@pytest.mark.parametrize("values", [[["a"], ["b"]], [b"\xff", b"P2"]], ids=["list", "binary"])
def test_parquet_text_column_that_is_not_text(valid: Path, values: list[object]) -> None:
    # A Parquet column of lists or of raw bytes where text is required: one DataFileError naming
    # the file, the first row and the column (not a polars exception).
    frame = pl.read_csv(valid / "participants.csv", infer_schema=False).with_columns(
        pl.Series("sex", values)
    )
    frame.write_parquet(valid / "participants.parquet")
    (valid / "participants.csv").unlink()
    with pytest.raises(DataFileError) as info:
        read_dataset(valid)
    assert (info.value.file, info.value.row, info.value.column) == (
        "participants.parquet",
        2,
        "sex",
    )


def test_utf16_semicolon_tab_and_bom_files_are_named(tmp_path: Path) -> None:
    # Issue 18: a UTF-16 or semicolon file was reported as "15 missing columns"; a UTF-8 file with a
    # byte-order mark (Excel's "CSV UTF-8") lost its first column name.
    from endolab.errors import DataFileError
    from tests.trial.builders import person, write_dataset

    folder = write_dataset(tmp_path / "ds", participants=[person("P1")])
    good = (folder / "participants.csv").read_text(encoding="utf-8")
    for content, expected in (
        (good.encode("utf-16"), "is UTF-16"),
        (good.replace(",", ";").encode(), "separated by semicolons"),
        (good.replace(",", "\t").encode(), "separated by tabs"),
    ):
        (folder / "participants.csv").write_bytes(content)
        with pytest.raises(DataFileError, match=expected) as exc:
            read_dataset(folder)
        assert "participants.csv" in str(exc.value)
    (folder / "participants.csv").write_bytes(b"\xef\xbb\xbf" + good.encode())
    assert read_dataset(folder).participants["participant_id"].to_list() == ["P1"]


def test_event_ending_before_it_starts_is_named(tmp_path: Path) -> None:
    """An event's end_date before its start_date is an error naming the row, not a silent event
    with a negative duration (issue 18: found by a hostile review). builders.on(day) writes the
    infusion date 2024-01-01 + day: start day 10 = 2024-01-11, end day 5 = 2024-01-06."""
    tables = _tables()
    bad = dict(event("P1", 10))
    bad["end_date"] = "2024-01-06"
    tables["events"] = [*tables["events"], bad]
    folder = write_dataset(tmp_path / "d", **tables)
    with pytest.raises(DataFileError) as err:
        read_dataset(folder)
    text = str(err.value)
    assert "events.csv" in text and "end_date" in text
    assert "2024-01-06 is before start_date 2024-01-11" in text
    row = len(tables["events"]) + 1  # header = row 1, the bad event is the last data row
    assert f"row {row}" in text


def test_cgm_readings_before_2000_or_after_tomorrow_are_flagged(tmp_path: Path) -> None:
    """Issue 18, "Dates": readings before 2000-01-01 or after tomorrow are flagged with their count
    (and the first row) in the dataset's notices, which every report carries; they are kept."""
    import datetime as dt

    tables = _tables()
    late = dt.datetime.combine(dt.date.today() + dt.timedelta(days=30), dt.time(8))
    extra = [
        {"participant_id": "P1", "time": "1999-12-31T23:55:00", "glucose_mg_dl": 110},
        *(
            {
                "participant_id": "P2",
                "time": (late + dt.timedelta(minutes=5 * k)).isoformat(),
                "glucose_mg_dl": 120,
            }
            for k in range(3)
        ),
    ]
    tables["cgm"] = [*tables["cgm"], *extra]
    ds = read_dataset(write_dataset(tmp_path / "d", **tables))
    messages = [n.message for n in ds.notices]
    assert any("1 CGM reading(s) dated before 2000-01-01" in m for m in messages), messages
    assert any("3 CGM reading(s) dated after tomorrow" in m for m in messages), messages
    assert ds.cgm.height == len(tables["cgm"])  # flagged, not dropped
