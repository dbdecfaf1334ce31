"""Every output column is documented once: in endolab.cgm.columns and in the table of docs/cgm.md."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import polars as pl

from endolab.cgm import check_frame, compute_metrics, episodes
from endolab.cgm.columns import COLUMNS_DOC, INDEX_COLUMNS_DOC, column_unit

DOC = Path(__file__).resolve().parents[2] / "docs" / "cgm.md"


def _frame() -> pl.DataFrame:
    t0 = dt.datetime(2024, 1, 1)
    gl = [100.0, 60, 60, 60, 100, 100, 100, 200, 260, 260, 260, 150] * 30
    return check_frame(
        pl.DataFrame(
            {
                "id": ["a"] * len(gl),
                "time": [t0 + dt.timedelta(minutes=5 * i) for i in range(len(gl))],
                "gl": gl,
            }
        )
    )


def test_every_output_column_is_documented() -> None:
    f = _frame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        columns = set(compute_metrics(f, metrics="full").columns)
        columns |= set(compute_metrics(f, metrics="full", by="day").columns)
        columns |= set(compute_metrics(f, by="week").columns)
        columns |= set(compute_metrics(f, window=(0, 1), day0=dt.date(2024, 1, 1)).columns)
    documented = set(COLUMNS_DOC) | set(INDEX_COLUMNS_DOC)
    assert columns - documented == set()
    text = DOC.read_text(encoding="utf-8")
    missing = [c for c in sorted(columns) if f"| `{c}` |" not in text]
    assert missing == []
    table, _ = episodes(f)
    for c in table.columns:
        assert f"`{c}`" in text


def test_units() -> None:
    assert column_unit("sd") == "mg/dL"
    assert column_unit("sd", "mmol/L") == "mmol/L"
    assert column_unit("sd_roc", "mmol/L") == "mmol/L/min"
    assert column_unit("hypo_l1_episodes") == "count"
    assert column_unit("no_such_column") == ""
