"""CGM analytics engine: canonical frame, readers, consensus metrics, episodes, indices, AGP.

>>> import polars as pl, datetime as dt
>>> frame = check_frame(pl.DataFrame({
...     "id": ["a"] * 4,
...     "time": [dt.datetime(2024, 1, 1, 0, 5 * i) for i in range(4)],
...     "gl": [60.0, 100.0, 190.0, 120.0]}))
>>> compute_metrics(frame).select("id", "mean", "tir_70_180", "tbr_70", "tar_180").rows()
[('a', 117.5, 50.0, 25.0, 25.0)]
"""

from __future__ import annotations

from endolab.cgm.agp import agp_figure, agp_percentiles
from endolab.cgm.compute import MetricsResult, available_metrics, compute_metrics, metrics_result
from endolab.cgm.data import CgmData
from endolab.cgm.episode_calc import EpisodeResult, episodes
from endolab.cgm.frame import check_frame, from_pandas, to_pandas
from endolab.cgm.results import (
    AgpResult,
    EpisodesResult,
    agp_result,
    episodes_result,
    load_cgm,
    load_cgm_with_options,
    metrics_of_files,
)

__all__ = [
    "AgpResult",
    "CgmData",
    "EpisodeResult",
    "EpisodesResult",
    "MetricsResult",
    "agp_figure",
    "agp_percentiles",
    "agp_result",
    "available_metrics",
    "check_frame",
    "compute_metrics",
    "episodes",
    "episodes_result",
    "from_pandas",
    "load_cgm",
    "load_cgm_with_options",
    "metrics_of_files",
    "metrics_result",
    "to_pandas",
]
