"""endolab against iglu-python 0.4.3 on the iglu example data (an independent implementation).

The expected values come from ``validation/iglu_compare.py``, which runs iglu-python in its own
virtual environment (GPL: never imported here) and records its version in the CSV. Where we follow
R iglu 4.3.0 instead of iglu-python (validation/README.md), the test checks the documented size of
the difference.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from endolab.cgm.indices import compute_indices, mage
from endolab.cgm.indices.risk import BGI_CONSTANT_IGLU_R
from endolab.cgm.registry import REGISTRY

pytestmark = pytest.mark.shared_data

EXPECTED = Path(__file__).resolve().parents[3] / "validation" / "expected_iglu_python.csv"


@pytest.fixture
def comparison(shared_data_dir: Path) -> pl.DataFrame:
    if not EXPECTED.is_file():
        pytest.skip(
            "validation/expected_iglu_python.csv is absent (run validation/iglu_compare.py)"
        )
    return _compare(str(shared_data_dir))


@functools.cache
def _compare(shared_dir: str) -> pl.DataFrame:
    shared = Path(shared_dir)
    ref = pl.read_csv(EXPECTED)
    frame = (
        pl.read_csv(shared / "example_data_5_subject.csv")
        .select(
            pl.col("id"),
            pl.col("time").str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us"),
            pl.col("gl").cast(pl.Float64),
            pl.lit(0, dtype=pl.Int8).alias("censored"),
        )
        .sort("id", "time")
    )
    # min, quartiles, max: the one implementation of the order statistics (registry "summary")
    ours = (
        compute_indices(frame)
        .join(REGISTRY["summary"](frame), on="id")
        .join(mage(frame, direction=["service", "max", "plus", "minus"]), on="id")
    )
    long = ours.unpivot(index="id", variable_name="metric", value_name="endolab")
    return ref.join(long, on=["id", "metric"], how="left")


def test_reference_version(comparison: pl.DataFrame) -> None:
    assert set(comparison["iglu_python_version"].to_list()) == {"0.4.3"}
    assert comparison["iglu_r_compatible"].all()
    assert comparison["endolab"].null_count() == 0


def test_agreeing_metrics(comparison: pl.DataFrame) -> None:
    rows = comparison.filter(
        ~pl.col("metric").is_in(["lbgi", "hbgi", "hourly_auc"]) & pl.col("value").is_not_null()
    )
    assert rows.height >= 190
    np.testing.assert_allclose(
        rows["endolab"].to_numpy(), rows["value"].to_numpy(), rtol=1e-6, atol=1e-9
    )


def test_lbgi_hbgi_differ_only_by_the_constant(comparison: pl.DataFrame) -> None:
    rows = comparison.filter(pl.col("metric").is_in(["lbgi", "hbgi"]))
    ratio = rows["endolab"].to_numpy() / rows["value"].to_numpy()
    np.testing.assert_allclose(ratio, BGI_CONSTANT_IGLU_R / (10 * 1.509**2), rtol=1e-9)


def test_auc_r_method_close_to_iglu_python(comparison: pl.DataFrame) -> None:
    # R iglu pairs grid points ndays apart; iglu-python consecutive points: within 0.3 % / 0.6 mg/dL
    rows = comparison.filter(pl.col("metric") == "hourly_auc")
    diff = np.abs(rows["endolab"].to_numpy() - rows["value"].to_numpy())
    assert (diff < 0.6).all()
    assert (diff / rows["value"].to_numpy() < 3e-3).all()


def test_iglu_python_failures_are_recorded(comparison: pl.DataFrame) -> None:
    # iglu-python 0.4.3 raises on subject 1 for MAGE directions service/max (pandas NA masks);
    # the CSV records the error instead of a value
    failed = comparison.filter(pl.col("value").is_null())
    assert set(failed["metric"].to_list()) <= {"mage_service", "mage_max"}
    assert failed["iglu_python_error"].is_not_null().all()
