"""Common tests over every entry of the one CGM metric registry (cf. scikit-learn's
``sklearn/metrics/tests/test_common.py``): each statistic — consensus metric or index — obeys the
contract stated in :mod:`endolab.cgm.registry`.

For every entry: its columns are declared and have units in the column table; percentages lie in
0–100; the result does not depend on the order of the rows; a subject's values do not depend on
the other subjects (a copy of a subject under another label gets the same row; a subject alone
gets the same row as in the cohort; grouping by a period column equals computing each period
alone); an empty frame gives zero rows and a one-reading frame one row (values or null, never an
error); a missing column is an InputError; readings measured in mmol/L give the values of the
same readings measured in mg/dL; and ``compute_metrics(metrics=[name])`` returns the entry's
values (the engine reads the registry).
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import endolab.cgm.indices as ix
from endolab.cgm import check_frame, compute_metrics
from endolab.cgm.compute import available_metrics
from endolab.cgm.registry import REGISTRY, consensus_names, index_names
from endolab.errors import EndolabError, EndolabWarning, InputError
from tests.cgm.indices.helpers import assert_same as _assert_same
from tests.cgm.indices.helpers import cohort as _cohort
from tests.cgm.indices.helpers import frame_of, stack

NAMES = list(REGISTRY)

#: Units a registry column may have (glucose-valued columns in mg/dL, the canonical unit; scores
#: without a unit say what they are: "index", "risk", "score").
KNOWN_UNITS = {"mg/dL", "mg/dL/h", "mg/dL/min", "%", "mmol/mol", "days", "min", "min/day", "bool"}
KNOWN_UNITS |= {"index", "risk", "score", "score 0–100"}


def _run(name: str, frame: pl.DataFrame, **kw: object) -> pl.DataFrame:
    with warnings.catch_warnings():
        # sparse groups are reported with an EndolabWarning (grid metrics left empty)
        warnings.simplefilter("ignore", EndolabWarning)
        return REGISTRY[name](frame, **kw)  # type: ignore[arg-type]


def test_one_entry_per_statistic_and_the_indices_mapping_agrees() -> None:
    # every statistic once: no two entries share an output column, except the sufficiency flag
    # (returned beside GMI / eA1c) and the composite sets (summary, consensus ranges, sufficiency)
    # that repeat single statistics by design
    assert [*consensus_names(), *index_names()] == NAMES
    assert "summary_glu" not in REGISTRY and "quantile_glu" not in REGISTRY
    assert not hasattr(ix, "summary_glu") and not hasattr(ix, "quantile_glu")
    # endolab.cgm.indices.REGISTRY is the index entries' functions, in the same order
    assert list(ix.REGISTRY) == index_names()
    for name in index_names():
        assert ix.REGISTRY[name] is REGISTRY[name].function
    assert available_metrics() == [*consensus_names(), "episodes", *index_names()]


@pytest.mark.parametrize("name", NAMES)
def test_columns_declared_with_units(name: str) -> None:
    entry = REGISTRY[name]
    out = _run(name, _cohort())
    assert out.columns == ["id", *entry.columns]
    assert out["id"].to_list() == ["a", "b", "c"]
    for column, unit in entry.units.items():
        assert unit in KNOWN_UNITS, (column, unit)
        assert out.schema[column] == (pl.Boolean if unit == "bool" else pl.Float64), column


@pytest.mark.parametrize("name", NAMES)
def test_percent_columns_are_percentages(name: str) -> None:
    out = _run(name, _cohort())
    for column, unit in REGISTRY[name].units.items():
        if unit == "%" and column not in ("cv", "cvmean", "cvsd", "gvp"):  # ratios, may pass 100
            values = out[column].drop_nulls().to_numpy()
            assert ((values >= 0) & (values <= 100)).all(), (column, values)


@pytest.mark.parametrize("name", NAMES)
def test_row_order_invariance(name: str) -> None:
    frame = _cohort()
    order = np.random.default_rng(7).permutation(frame.height)
    _assert_same(_run(name, frame), _run(name, frame[order]))


@pytest.mark.parametrize("name", NAMES)
def test_a_copied_subject_gets_the_same_row(name: str) -> None:
    frame = _cohort()
    copy = frame.filter(pl.col("id") == "a").with_columns(pl.lit("a2").alias("id"))
    out = _run(name, pl.concat([frame, copy]))
    assert out["id"].to_list() == ["a", "a2", "b", "c"]
    _assert_same(
        out.filter(pl.col("id") == "a").drop("id"), out.filter(pl.col("id") == "a2").drop("id")
    )
    _assert_same(out.filter(pl.col("id") != "a2"), _run(name, frame))


@pytest.mark.parametrize("name", NAMES)
def test_grouping_equals_single_subject(name: str) -> None:
    frame = _cohort()
    together = _run(name, frame)
    for sid in ("a", "b", "c"):
        alone = _run(name, frame.filter(pl.col("id") == sid))
        _assert_same(together.filter(pl.col("id") == sid), alone)


@pytest.mark.parametrize("name", NAMES)
def test_grouping_by_a_period_column(name: str) -> None:
    frame = _cohort().with_columns(
        pl.when(pl.col("time").dt.hour() < 12)
        .then(pl.lit("am"))
        .otherwise(pl.lit("pm"))
        .alias("half")
    )
    both = _run(name, frame, by=("id", "half"))
    assert both.columns[:2] == ["id", "half"]
    for (sid, half), sub in frame.group_by(["id", "half"]):
        alone = _run(name, sub, by=("id", "half"))
        _assert_same(both.filter((pl.col("id") == sid) & (pl.col("half") == half)), alone)


@pytest.mark.parametrize("name", NAMES)
def test_empty_frame_gives_zero_rows(name: str) -> None:
    out = _run(name, _cohort().clear())
    assert out.height == 0
    assert out.columns == ["id", *REGISTRY[name].columns]


@pytest.mark.parametrize("name", NAMES)
def test_one_reading_gives_one_row_values_or_null(name: str) -> None:
    out = _run(name, frame_of([120.0]))
    assert out.height == 1 and out.columns == ["id", *REGISTRY[name].columns]
    row = out.row(0, named=True)
    # the statistics of one reading that need no second reading, by hand: mean = median = every
    # quantile = min = max = 120 mg/dL; range = IQR = 0; the reading is in range 70–180 and 70–140
    by_hand = {"mean": 120.0, "median": 120.0, "min": 120.0, "max": 120.0, "range": 0.0}
    by_hand |= {"iqr": 0.0, "q0": 120.0, "q25": 120.0, "q50": 120.0, "q75": 120.0, "q100": 120.0}
    by_hand |= {"tir_70_180": 100.0, "tir_70_140": 100.0, "tbr_54": 0.0, "tbr_70": 0.0}
    by_hand |= {"tar_180": 0.0, "tar_250": 0.0}
    for column, value in row.items():
        if column in by_hand:
            assert value == pytest.approx(by_hand[column]), column
    # what needs two readings is null, never a number made up from one reading
    for column in ("sd", "cv", "active_percent", "dt0", "conga_24", "mage", "modd", "sd_roc"):
        if column in row:
            assert row[column] is None or np.isnan(row[column]), column


@pytest.mark.parametrize("name", NAMES)
def test_missing_column_is_an_input_error(name: str) -> None:
    with pytest.raises(InputError, match="column 'gl' is missing"):
        REGISTRY[name](_cohort().drop("gl"))
    with pytest.raises(InputError, match="grouping column 'half'"):
        REGISTRY[name](_cohort(), by=("id", "half"))


#: mmol/L readings with one decimal, as meters show them; 7.8 and 13.9 mmol/L are left out: they
#: are 140.4 and 250.2 mg/dL, on the other side of the mg/dL cut-offs 140 and 250 than of the
#: mmol/L ones (7.8, 13.9), and each reading is classified in the unit it was measured in
#: (docs/methods/cgm.md §9).
MMOL_VALUES = [v / 10 for v in range(25, 200) if v not in (78, 139)]


def _mmol_trace(seed: int, n: int) -> list[float]:
    return list(np.random.default_rng(seed).choice(MMOL_VALUES, size=n))


@pytest.mark.parametrize("name", NAMES)
def test_mmol_input_equals_mg_dl_input_after_conversion(name: str) -> None:
    values = {"a": _mmol_trace(11, 700), "b": _mmol_trace(12, 400)}
    parts = [frame_of(v, id_=k) for k, v in values.items()]
    mmol = check_frame(stack(*parts).select("id", "time", "gl"), unit="mmol/L")
    # the same readings measured in mg/dL: × 18 by hand (the consensus factor, docs/methods/cgm.md §9)
    mg = check_frame(
        stack(*[frame_of([18.0 * x for x in v], id_=k) for k, v in values.items()]).select(
            "id", "time", "gl"
        ),
        unit="mg/dL",
    )
    _assert_same(_run(name, mmol), _run(name, mg))


@pytest.mark.parametrize("name", NAMES)
def test_compute_metrics_reads_the_registry(name: str) -> None:
    frame = check_frame(_cohort().select("id", "time", "gl"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EndolabWarning)
        table = compute_metrics(frame, metrics=[name], warn=False)
    _assert_same(table.select("id", *REGISTRY[name].columns), _run(name, frame))


@st.composite
def _frames(draw: st.DrawFn) -> pl.DataFrame:
    n_ids = draw(st.integers(1, 3))
    parts = []
    for i in range(n_ids):
        n = draw(st.integers(1, 60))
        gaps = draw(st.lists(st.integers(1, 200), min_size=n, max_size=n))
        gl = draw(st.lists(st.floats(39, 401, allow_nan=False), min_size=n, max_size=n))
        t0 = dt.datetime(2024, 1, 1) + dt.timedelta(minutes=draw(st.integers(0, 3000)))
        times, t = [], t0
        for g in gaps:
            times.append(t)
            t += dt.timedelta(minutes=g)
        parts.append(frame_of(gl, id_=f"s{i}", times=times))
    return stack(*parts)


@given(_frames())
def test_random_frames_one_row_per_group_or_an_endolab_error(frame: pl.DataFrame) -> None:
    for name in NAMES:
        try:
            out = _run(name, frame)
        except EndolabError:
            continue
        assert out.height == frame["id"].n_unique()
