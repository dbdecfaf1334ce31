"""check_frame refuses blank subject ids and readings no CGM reports (issue 13), on every path."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from endolab.cgm.frame import GL_MAX_MG_DL, GL_MIN_MG_DL, RowInputError, check_frame


def _frame(
    ids: list[str | None], gl: list[float], censored: list[int] | None = None
) -> pl.DataFrame:
    start = dt.datetime(2024, 1, 1)
    data: dict[str, object] = {
        "id": ids,
        "time": [start + dt.timedelta(minutes=5 * i) for i in range(len(gl))],
        "gl": gl,
    }
    if censored is not None:
        data["censored"] = pl.Series(censored, dtype=pl.Int8)
    return pl.DataFrame(data)


@pytest.mark.parametrize("blank", ["", " ", "\t"])
def test_blank_id_is_refused_with_its_row(blank: str) -> None:
    # already typed like the canonical frame: the fast path must refuse it too
    with pytest.raises(RowInputError, match="blank subject id") as info:
        check_frame(_frame([blank, blank, blank], [100.0, 110.0, 120.0], [0, 0, 0]))
    assert info.value.row == 1


@pytest.mark.parametrize("value", [1e308, 1000.5, 5000.0])
def test_reading_above_the_range_is_refused(value: float) -> None:
    with pytest.raises(RowInputError, match="physiological range") as info:
        check_frame(_frame(["a"] * 3, [100.0, value, 120.0], [0, 0, 0]))
    assert info.value.row == 2


def test_bounds_are_inclusive_and_censored_codes_exempt() -> None:
    # 1000 mg/dL is accepted; a High code may carry any device limit
    out = check_frame(_frame(["a"] * 3, [100.0, GL_MAX_MG_DL, 1500.0], [0, 0, 1]))
    assert out.get_column("gl").to_list() == [100.0, 1000.0, 1500.0]
    assert GL_MIN_MG_DL == 10.0


def test_mmol_reading_below_the_range_named_in_its_unit() -> None:
    with pytest.raises(RowInputError, match=r"0\.3 mmol/L"):
        check_frame(_frame(["a"] * 3, [5.5, 0.3, 6.0]), unit="mmol/L")
