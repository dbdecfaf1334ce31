"""MAGE against R iglu's own MAGE ground truth on the iglu example data (all five directions).

Source: R iglu 4.3.0 repository (github.com/irinagain/iglu, commit 33d72695), file
tests/testthat/data/mage_ground_truth.csv — the output of R `iglu::mage()` v4.0.0 (short_ma 5,
long_ma 32, inter_gap 45, max_gap 180), which R iglu 4.3.0 reproduces exactly (docs/methods/cgm.md §4/§6.2)
— on the 18 "JHU" segments listed in tests/testthat/data/manual_calculations.csv: rows
`start:end` (1-based, inclusive) of `example_data_5_subject`, which is
../shared/data/example_data_5_subject.csv row for row. The `manual` column is the hand-calculated
MAGE published with Fernandes et al. 2022 (doi:10.1177/19322968211061165), shown for reference: the
algorithm differs from it by design (docs/methods/cgm.md §4: mean absolute error 11.8 % for avg).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from endolab.cgm.indices import mage

pytestmark = pytest.mark.shared_data

# (start row, end row, manual MAGE, R MAGE+, MAGE−, MAGEavg, MAGEservice, MAGEmax) [mg/dL]
R_GROUND_TRUTH = [
    (
        405,
        644,
        47,
        43.6716666666667,
        39.2488888888889,
        41.4602777777778,
        43.6716666666667,
        43.6716666666667,
    ),
    (
        2994,
        3281,
        70,
        82.4123522853958,
        69.6904570791527,
        76.0514046822742,
        69.6904570791527,
        82.4123522853958,
    ),
    (3282, 3569, 81, 68.9066666666667, 79.96, 74.4333333333333, 79.96, 79.96),
    (3570, 3857, 154, 154.0, 64.0, 109.0, 64.0, 154.0),
    (
        3858,
        4144,
        104,
        102.578087855297,
        104.360465116279,
        103.469276485788,
        102.578087855297,
        104.360465116279,
    ),
    (4145, 4432, 95, 114.265, 93.9966666666667, 104.130833333333, 93.9966666666667, 114.265),
    (
        5746,
        5842,
        89,
        209.293333333333,
        87.8533333333333,
        148.573333333333,
        87.8533333333333,
        209.293333333333,
    ),
    (
        7413,
        7698,
        75,
        71.6316666666667,
        75.0433333333333,
        73.3375,
        75.0433333333333,
        75.0433333333333,
    ),
    (7699, 7985, 58, 50.688, 53.768, 52.228, 50.688, 53.768),
    (7986, 8273, 45, 43.7059579180509, 44.76, 44.2329789590255, 44.76, 44.76),
    (
        8274,
        8561,
        69,
        38.9346666666667,
        46.4741666666667,
        42.7044166666667,
        38.9346666666667,
        46.4741666666667,
    ),
    (
        8562,
        8849,
        32,
        33.2729487179487,
        32.0318376068376,
        32.6523931623932,
        32.0318376068376,
        33.2729487179487,
    ),
    (
        11018,
        11301,
        120,
        119.580666666667,
        117.979333333333,
        118.78,
        119.580666666667,
        119.580666666667,
    ),
    (
        11302,
        11588,
        211,
        212.650044272342,
        189.996710939009,
        201.323377605675,
        212.650044272342,
        212.650044272342,
    ),
    (
        11589,
        11830,
        147,
        152.282222222222,
        141.923333333333,
        147.102777777778,
        152.282222222222,
        152.282222222222,
    ),
    (
        11831,
        12118,
        125,
        120.126566332219,
        125.406666666667,
        122.766616499443,
        125.406666666667,
        125.406666666667,
    ),
    (12119, 12406, 227, 185.96, 225.5, 205.73, 225.5, 225.5),
    (
        12653,
        12940,
        153,
        171.256666666667,
        152.761666666667,
        162.009166666667,
        152.761666666667,
        171.256666666667,
    ),
]


@pytest.fixture
def example(shared_data_dir: Path) -> pl.DataFrame:
    return pl.read_csv(shared_data_dir / "example_data_5_subject.csv").select(
        pl.col("id"),
        pl.col("time").str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us"),
        pl.col("gl").cast(pl.Float64),
        pl.lit(0, dtype=pl.Int8).alias("censored"),
    )


@pytest.mark.parametrize("row", R_GROUND_TRUTH, ids=[f"rows{r[0]}-{r[1]}" for r in R_GROUND_TRUTH])
def test_mage_equals_r_iglu(example: pl.DataFrame, row: tuple[float, ...]) -> None:
    start, end, _manual, plus, minus, avg, service, mx = row
    segment = example.slice(int(start) - 1, int(end - start + 1))
    assert segment["id"].n_unique() == 1
    out = mage(segment, direction=["plus", "minus", "avg", "service", "max"])
    got = [out[c][0] for c in ("mage_plus", "mage_minus", "mage", "mage_service", "mage_max")]
    assert got == pytest.approx([plus, minus, avg, service, mx], rel=1e-9, abs=1e-9)
