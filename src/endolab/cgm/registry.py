"""The one registry of CGM metrics: one entry per statistic, one signature, one contract.

Every statistic the engine computes per group — the consensus metrics of
:mod:`endolab.cgm.metrics` and the variability, risk and composite indices of
:mod:`endolab.cgm.indices` — has one entry in :data:`REGISTRY` (a :class:`Metric`): its name, the
function that computes it, the columns it returns and their units (from the one column table,
:mod:`endolab.cgm.columns`), and the extra parameters it takes. Each statistic is implemented
once; order statistics (median, quantiles, min, max, range, IQR) are those of
:mod:`endolab.cgm.metrics` (R type-7 quantiles, probabilities 0–1).

**The signature.** Every entry is called the same way::

    REGISTRY[name](frame, *, by=("id",), dt0=None, period_minutes=None, shared=None, **params)

``dt0`` [min], ``period_minutes`` [min] and ``shared`` (the grids of
:class:`~endolab.cgm.kernels.grid.Intermediates`) reach the functions that take them and are
ignored by the others; ``params`` are the entry's own parameters (:attr:`Metric.params`).

**The contract** (the same for every entry; ``tests/cgm/test_registry_common.py`` checks it):

* ``frame`` is a canonical CGM frame (:func:`endolab.cgm.check_frame`): glucose ``gl`` in
  [mg/dL]; a missing or mistyped ``id``/``time``/``gl`` column or group column is an
  :class:`~endolab.errors.InputError` (one line, field named), never a polars exception.
* Rows may come in any order: the result does not depend on it.
* The result has one row per group, the group columns first, then :attr:`Metric.columns`,
  sorted by the group columns; each group's values depend on that group's readings only.
* An empty frame gives zero rows (the group and metric columns, no error); a group with one
  reading gives one row whose values need no second reading (mean, median, ranges …) and null
  where a statistic needs more (SD, CV, active %, the grid-based indices) — never an error.
* Glucose-valued columns are in [mg/dL] (the column table's unit ``glucose``); readings
  measured in mmol/L and converted to mg/dL (:func:`endolab.units.convert`) give the same values
  as the same readings measured in mg/dL.

Function names users call directly (``endolab.cgm.metrics.mean_glucose`` …,
``endolab.cgm.indices.mage`` …) are the entries' functions; ``endolab.cgm.indices.REGISTRY`` is
the index entries' functions by name (kept for existing code).

>>> REGISTRY["mean"].units
{'mean': 'mg/dL'}
>>> REGISTRY["quantile"].params
('quantiles',)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

import polars as pl

from endolab.cgm.columns import column_unit
from endolab.cgm.kernels.groups import check_grouping, is_sorted_by
from endolab.cgm.metrics import consensus_range_names

__all__ = ["REGISTRY", "Metric", "consensus_names", "index_names"]

MetricFunction = Callable[..., pl.DataFrame]

#: The keyword arguments every entry accepts, passed on only to the functions that take them.
COMMON_KEYWORDS: Final = ("dt0", "period_minutes", "shared")


@dataclass(frozen=True)
class Metric:
    """One statistic: name, function (``module:function``), output columns and extra parameters.

    ``family`` is ``"consensus"`` (:mod:`endolab.cgm.metrics`, one polars pass; the core set)
    or ``"index"`` (:mod:`endolab.cgm.indices`, computed on R iglu's grid where they need one).
    ``takes``: which of ``dt0``, ``period_minutes`` and ``shared`` the function uses.
    The function is imported when first called (the command line starts without the indices).
    """

    name: str
    path: str
    columns: tuple[str, ...]
    family: Literal["consensus", "index"]
    takes: tuple[str, ...] = ()
    params: tuple[str, ...] = ()

    @property
    def function(self) -> MetricFunction:
        """The function that computes the statistic."""
        module, _, attr = self.path.partition(":")
        fn: MetricFunction = getattr(importlib.import_module(module), attr)
        return fn

    @property
    def units(self) -> dict[str, str]:
        """Unit of each output column, glucose in [mg/dL] (from :mod:`endolab.cgm.columns`)."""
        return {c: column_unit(c, "mg/dL") for c in self.columns}

    def __call__(
        self,
        frame: pl.DataFrame,
        *,
        by: str | Sequence[str] = ("id",),
        dt0: float | None = None,
        period_minutes: float | None = None,
        shared: Any = None,
        **params: Any,
    ) -> pl.DataFrame:
        """The statistic per group of ``frame`` under the registry's contract (module docstring)."""
        by_t = check_grouping(frame, by)
        if frame.height and not is_sorted_by(frame.select([*by_t, "time"]), by_t):
            frame = frame.sort([*by_t, "time"], maintain_order=True)
        given = {"dt0": dt0, "period_minutes": period_minutes, "shared": shared}
        kwargs = {k: v for k, v in given.items() if k in self.takes}
        return self.function(frame, by=by_t, **kwargs, **params)


_M = "endolab.cgm.metrics"
_RANGES = consensus_range_names()
_ACTIVE = ("active_percent", "ndays", "dt0", "longest_gap_min", "median_interval_min")
_PERIOD = ("dt0", "period_minutes")


def _consensus(name: str, function: str, columns: tuple[str, ...], **kw: tuple[str, ...]) -> Metric:
    return Metric(name, f"{_M}:{function}", columns, "consensus", **kw)


def _index(name: str, columns: tuple[str, ...], module: str | None = None) -> Metric:
    path = f"endolab.cgm.indices.{module or name}:{name}"
    return Metric(name, path, columns, "index", takes=("shared",))


_ENTRIES: Final[tuple[Metric, ...]] = (
    # consensus metrics (endolab.cgm.metrics)
    _consensus("mean", "mean_glucose", ("mean",)),
    _consensus("median", "median_glucose", ("median",)),
    _consensus(
        "quantile", "quantile_glucose", ("q0", "q25", "q50", "q75", "q100"), params=("quantiles",)
    ),
    _consensus("range", "range_glucose", ("range",)),
    _consensus("iqr", "iqr_glucose", ("iqr",)),
    _consensus(
        "summary", "summary_glucose", ("min", "q25", "median", "q75", "max", "range", "iqr")
    ),
    _consensus("sd", "sd_glucose", ("sd",)),
    _consensus("cv", "cv_glucose", ("cv",)),
    _consensus("gmi", "gmi", ("gmi", "gmi_mmol_mol", "sufficient_2019")),
    _consensus("ea1c", "ea1c", ("ea1c", "sufficient_2019")),
    _consensus(
        "in_range_percent",
        "in_range_percent",
        ("tir_70_180", "tir_70_140"),
        params=("target_ranges",),
    ),
    _consensus("below_percent", "below_percent", ("tbr_54", "tbr_70"), params=("targets",)),
    _consensus("above_percent", "above_percent", ("tar_180", "tar_250"), params=("targets",)),
    _consensus(
        "consensus_ranges",
        "consensus_ranges",
        (*_RANGES, *(f"{r}_min_per_day" for r in _RANGES)),
        params=("minutes_per_day",),
    ),
    _consensus("active_percent", "active_percent", _ACTIVE, takes=_PERIOD),
    _consensus(
        "sufficiency_2019",
        "sufficiency_2019",
        (*_ACTIVE, "days_worn", "sufficient_2019"),
        takes=_PERIOD,
    ),
    # indices (endolab.cgm.indices), in the order of the full table
    _index("mad", ("mad",)),
    _index("sd_measures", ("sdw", "sdhhmm", "sdwsh", "sddm", "sdb", "sdbdm")),
    _index("cv_measures", ("cvmean", "cvsd"), "sd_measures"),
    _index("mage", ("mage",)),
    _index("mag", ("mag",)),
    _index("conga", ("conga_24",)),
    _index("modd", ("modd",)),
    _index("gvp", ("gvp",)),
    _index("sd_roc", ("sd_roc",), "roc"),
    _index("auc", ("hourly_auc",)),
    _index("j_index", ("j_index",)),
    _index("lbgi", ("lbgi",), "risk"),
    _index("hbgi", ("hbgi",), "risk"),
    _index("adrr", ("adrr",), "risk"),
    _index("grade", ("grade",)),
    _index("grade_parts", ("grade_hypo", "grade_eu", "grade_hyper"), "grade"),
    _index("gri", ("gri",)),
    _index("m_value", ("m_value",)),
    _index("hypo_index", ("hypo_index",), "hypo_hyper_index"),
    _index("hyper_index", ("hyper_index",), "hypo_hyper_index"),
    _index("igc", ("igc",)),
    _index("cogi", ("cogi",)),
    _index("pgs", ("pgs",)),
)

#: Every CGM statistic by name, consensus metrics first, then the indices (read-only).
REGISTRY: Final[Mapping[str, Metric]] = MappingProxyType({m.name: m for m in _ENTRIES})


def consensus_names() -> list[str]:
    """Names of the consensus entries, in registry order."""
    return [m.name for m in _ENTRIES if m.family == "consensus"]


def index_names() -> list[str]:
    """Names of the index entries, in registry order (the indices of the full set)."""
    return [m.name for m in _ENTRIES if m.family == "index"]
