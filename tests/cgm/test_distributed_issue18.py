"""The Dask engine flags readings dated before 2000 or after tomorrow with their counts (issue 18).

The file readers refuse such files (tests/cgm/test_readers_issue18.py); on Dask the readings are
read on the workers, and the counts come back in the warnings instead of a silent number.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

pytest.importorskip("distributed", reason="the optional extra endolab[dask] is not installed")

from distributed import Client

from endolab.cgm.distributed import compute_metrics_dask


def test_dask_flags_misdated_readings(tmp_path: Path, dask_client: Client) -> None:
    # 3 readings in 1999 (5 min apart) and 2 in 2098 for subject "a"; "b" is dated correctly
    times = [dt.datetime(1999, 6, 1, 8, 5 * i) for i in range(3)]
    times += [dt.datetime(2098, 1, 1, 8, 5 * i) for i in range(2)]
    good = [dt.datetime(2024, 6, 1, 8, 5 * i) for i in range(4)]
    path = tmp_path / "cgm.parquet"
    pl.DataFrame(
        {
            "id": ["a"] * 5 + ["b"] * 4,
            "time": times + good,
            "gl": [120.0] * 9,
        }
    ).write_parquet(path)
    result = compute_metrics_dask([str(path)], client=dask_client)
    (flag,) = [w for w in result.warnings if "dated before 2000-01-01" in w]
    assert flag.startswith(
        "3 reading(s) dated before 2000-01-01 (earliest 1999-06-01 08:00, subject a) and 2 after "
        "tomorrow"
    )
    assert "latest 2098-01-01 08:05, subject a" in flag
