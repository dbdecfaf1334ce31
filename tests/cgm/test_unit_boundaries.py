"""Every reading is classified in the unit it was measured in (issue 12).

Hand-written boundary cases, no formula restated: the consensus cut-offs of Battelino 2019
(doi:10.2337/dci19-0028) in each unit —

=====================  ==============  ==============
range                  mg/dL           mmol/L
=====================  ==============  ==============
TBR level 2            < 54            < 3.0
TBR level 1            < 70            < 3.9
TIR                    70–180          3.9–10.0
tight range (TITR)     70–140          3.9–7.8
TAR level 1            > 180           > 10.0
TAR level 2            > 250           > 13.9
=====================  ==============  ==============

Each reading sits exactly on a cut-off and must land on the side the cut-off's own unit puts it.
Before the fix, mmol/L readings were converted × 18 and compared with the mg/dL cut-offs: 7.8 mmol/L
became 140.4 mg/dL (out of the tight range) and 13.9 mmol/L became 250.2 mg/dL (level-2 TAR).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from endolab.cgm import check_frame, compute_metrics, episodes
from endolab.cgm.indices import REGISTRY
from endolab.cli import app

T0 = dt.datetime(2024, 1, 1)


def frame(values: list[float], unit: str, subject: str = "a") -> pl.DataFrame:
    """One reading every 5 min."""
    return check_frame(
        pl.DataFrame(
            {
                "id": [subject] * len(values),
                "time": [T0 + dt.timedelta(minutes=5 * i) for i in range(len(values))],
                "gl": values,
            }
        ),
        unit=unit,
    )


# The five cut-off values of each unit, one reading each (20 % of readings each):
#   mmol/L: 3.0 → TBR 3.0–3.8 (not < 3.0); 3.9 → TIR and tight; 7.8 → TIR and tight;
#           10.0 → TIR (not TAR); 13.9 → TAR 10.1–13.9 (not > 13.9)
#   mg/dL:  54 → TBR 54–69; 70 → TIR and tight; 140 → TIR and tight; 180 → TIR; 250 → TAR 181–250
EXPECTED_ON_CUTOFFS = {
    "tbr_54": 0.0,
    "tbr_54_70": 20.0,
    "tbr_70": 20.0,
    "tir_70_180": 60.0,
    "tir_70_140": 40.0,
    "tar_180_250": 20.0,
    "tar_180": 20.0,
    "tar_250": 0.0,
}
ON_CUTOFFS = {"mmol/L": [3.0, 3.9, 7.8, 10.0, 13.9], "mg/dL": [54.0, 70.0, 140.0, 180.0, 250.0]}
# One step past each cut-off, on the other side:
#   mmol/L: 2.9 < 3.0; 3.8 < 3.9; 7.9 > 7.8; 10.1 > 10.0; 14.0 > 13.9
#   mg/dL:  53 < 54; 69 < 70; 141 > 140; 181 > 180; 251 > 250
EXPECTED_PAST_CUTOFFS = {
    "tbr_54": 20.0,  # 2.9 / 53
    "tbr_54_70": 20.0,  # 3.8 / 69
    "tbr_70": 40.0,
    "tir_70_180": 20.0,  # 7.9 / 141
    "tir_70_140": 0.0,
    "tar_180_250": 20.0,  # 10.1 / 181
    "tar_180": 40.0,
    "tar_250": 20.0,  # 14.0 / 251
}
PAST_CUTOFFS = {"mmol/L": [2.9, 3.8, 7.9, 10.1, 14.0], "mg/dL": [53.0, 69.0, 141.0, 181.0, 251.0]}


@pytest.mark.parametrize("unit", ["mmol/L", "mg/dL"])
@pytest.mark.parametrize(
    ("values", "expected"),
    [(ON_CUTOFFS, EXPECTED_ON_CUTOFFS), (PAST_CUTOFFS, EXPECTED_PAST_CUTOFFS)],
    ids=["on", "past"],
)
@pytest.mark.parametrize("metrics", ["core", "full"])
def test_range_percentages_in_the_measured_unit(
    unit: str, values: dict[str, list[float]], expected: dict[str, float], metrics: str
) -> None:
    row = compute_metrics(frame(values[unit], unit), metrics=metrics).row(0, named=True)
    got = {k: row[k] for k in expected}
    assert got == pytest.approx(expected)


def test_mixed_subjects_each_in_their_unit() -> None:
    # a frame of one mmol/L subject and one mg/dL subject (the mg/dL rows have no unit flag)
    both = pl.concat(
        [frame(ON_CUTOFFS["mmol/L"], "mmol/L", "m"), frame(ON_CUTOFFS["mg/dL"], "mg/dL", "u")],
        how="diagonal",
    )
    out = compute_metrics(both).sort("id")
    for row in out.iter_rows(named=True):
        assert {k: row[k] for k in EXPECTED_ON_CUTOFFS} == pytest.approx(EXPECTED_ON_CUTOFFS)


def _hold(value: float, unit: str, minutes: int = 30) -> pl.DataFrame:
    """A reading of 'normal' glucose, then ``value`` held for ``minutes``, then normal again."""
    normal = 6.0 if unit == "mmol/L" else 108.0
    n = minutes // 5
    return frame([normal] * 3 + [value] * n + [normal] * 3, unit)


EPISODE_CASES = [
    # (value, unit, episodes expected ≥ 1 in these columns, 0 in all the others)
    (3.9, "mmol/L", set()),  # not < 3.9: no hypoglycaemia
    (3.8, "mmol/L", {"hypo_l1"}),
    (3.0, "mmol/L", {"hypo_l1"}),  # not < 3.0: level 1 only
    (2.9, "mmol/L", {"hypo_l1", "hypo_l2"}),
    (10.0, "mmol/L", set()),  # not > 10.0
    (10.1, "mmol/L", {"hyper_l1"}),
    (13.9, "mmol/L", {"hyper_l1"}),  # not > 13.9: level 1 only
    (14.0, "mmol/L", {"hyper_l1", "hyper_l2"}),
    (70.0, "mg/dL", set()),
    (69.0, "mg/dL", {"hypo_l1"}),
    (54.0, "mg/dL", {"hypo_l1"}),
    (53.0, "mg/dL", {"hypo_l1", "hypo_l2"}),
    (180.0, "mg/dL", set()),
    (181.0, "mg/dL", {"hyper_l1"}),
    (250.0, "mg/dL", {"hyper_l1"}),
    (251.0, "mg/dL", {"hyper_l1", "hyper_l2"}),
]


@pytest.mark.parametrize("method", ["iglu_grid", "readings"])
@pytest.mark.parametrize(("value", "unit", "present"), EPISODE_CASES)
def test_episodes_in_the_measured_unit(
    value: float, unit: str, present: set[str], method: str
) -> None:
    _, summary = episodes(_hold(value, unit), method=method)  # type: ignore[arg-type]
    row = summary.row(0, named=True)
    for level in ("hypo_l1", "hypo_l2", "hyper_l1", "hyper_l2"):
        n = row[f"{level}_episodes"]
        assert (n >= 1) if level in present else (n == 0), (level, n)


@pytest.mark.parametrize(
    ("values", "unit", "expected"),
    [
        # GRI = 3.0·VLow + 2.4·Low + 1.6·VHigh + 0.8·High (Klonoff 2023), % of readings.
        # 3.0 → Low, 13.9 → High, 3.9 and 10.0 → neither: 2.4·25 + 0.8·25 = 80
        ([3.0, 3.9, 10.0, 13.9], "mmol/L", 80.0),
        ([54.0, 70.0, 180.0, 250.0], "mg/dL", 80.0),
        # 2.9 → VLow, 14.0 → VHigh: 3.0·25 + 1.6·25 = 115 → capped at 100
        ([2.9, 3.9, 10.0, 14.0], "mmol/L", 100.0),
        # 2.9 → VLow, 13.9 → High: 3.0·25 + 0.8·25 = 95
        ([2.9, 3.9, 10.0, 13.9], "mmol/L", 95.0),
        ([53.0, 70.0, 180.0, 250.0], "mg/dL", 95.0),
    ],
)
def test_gri_in_the_measured_unit(values: list[float], unit: str, expected: float) -> None:
    out = REGISTRY["gri"](frame(values, unit))
    assert out["gri"][0] == pytest.approx(expected)


@pytest.mark.parametrize("unit", ["mmol/L", "mg/dL"])
def test_range_functions_default_to_the_measured_unit(unit: str) -> None:
    from endolab.cgm.metrics import above_percent, below_percent, in_range_percent

    f = frame(ON_CUTOFFS[unit], unit)
    tir = in_range_percent(f).row(0, named=True)
    assert (tir["tir_70_180"], tir["tir_70_140"]) == pytest.approx((60.0, 40.0))
    tbr = below_percent(f).row(0, named=True)
    assert (tbr["tbr_54"], tbr["tbr_70"]) == pytest.approx((0.0, 20.0))
    tar = above_percent(f).row(0, named=True)
    assert (tar["tar_180"], tar["tar_250"]) == pytest.approx((20.0, 0.0))


def test_two_files_in_two_units_through_the_cli(tmp_path: Path) -> None:
    """A mmol/L file and a mg/dL file read together: each subject in its own unit."""
    folder = tmp_path
    for name, unit in (("m", "mmol/L"), ("u", "mg/dL")):
        rows = [
            f"{name},{(T0 + dt.timedelta(minutes=5 * i)).isoformat(sep=' ')},{v}"
            for i, v in enumerate(ON_CUTOFFS[unit])
        ]
        (folder / f"{name}.csv").write_text("id,time,gl\n" + "\n".join(rows) + "\n")
    res = CliRunner().invoke(
        app, ["cgm", "metrics", str(folder / "m.csv"), str(folder / "u.csv"), "--json"]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert [r["id"] for r in rows] == ["m", "u"]
    for row in rows:
        assert {k: row[k] for k in EXPECTED_ON_CUTOFFS} == pytest.approx(EXPECTED_ON_CUTOFFS)
