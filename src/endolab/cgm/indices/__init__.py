"""The rest of R iglu 4.3.0's metric set: variability, risk and composite indices.

Every function takes a canonical CGM frame (:mod:`endolab.cgm.schema`) and ``by`` (grouping columns,
default ``("id",)``) and returns one row per group: the group columns, then named metric columns
(null where a metric cannot be computed for a group). Each formula cites its paper (DOI) and units in
its docstring; where R iglu 4.3.0 and iglu-python 0.4.3 differ we follow R iglu (acceptance compares
with R iglu), as listed in ``validation/README.md``.

:data:`REGISTRY` maps an index name to its function, in a stable order (each index is also an
entry of the one registry, :data:`endolab.cgm.registry.REGISTRY`); the orchestrator
(``endolab.cgm.compute_metrics(..., metrics="full")``) runs them all. :func:`compute_indices` runs a
selection on one frame, sharing the interpolated grids between metrics, and joins the results.

>>> import datetime as dt, polars as pl
>>> t0 = dt.datetime(2024, 1, 1)
>>> frame = pl.DataFrame({"id": ["a"] * 4, "time": [t0 + dt.timedelta(minutes=5 * k) for k in range(4)],
...                       "gl": [100.0, 110.0, 120.0, 130.0], "censored": pl.Series([0] * 4, dtype=pl.Int8)})
>>> j_index(frame)["j_index"].round(4).to_list()  # 0.001·(115 + 12.9099)² = 16.3610
[16.361]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Final

import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.indices.auc import auc
from endolab.cgm.indices.cogi import cogi
from endolab.cgm.indices.conga import conga
from endolab.cgm.indices.grade import grade, grade_parts
from endolab.cgm.indices.gri import gri
from endolab.cgm.indices.gvp import gvp
from endolab.cgm.indices.hypo_hyper_index import hyper_index, hypo_index
from endolab.cgm.indices.igc import igc
from endolab.cgm.indices.j_index import j_index
from endolab.cgm.indices.m_value import m_value
from endolab.cgm.indices.mad import mad
from endolab.cgm.indices.mag import mag
from endolab.cgm.indices.mage import mage
from endolab.cgm.indices.modd import modd
from endolab.cgm.indices.pgs import pgs
from endolab.cgm.indices.risk import adrr, hbgi, lbgi
from endolab.cgm.indices.roc import roc, sd_roc
from endolab.cgm.indices.sd_measures import cv_measures, sd_measures
from endolab.cgm.kernels.chunks import CHUNK_READINGS, frame_chunks
from endolab.cgm.kernels.grid import Intermediates
from endolab.cgm.kernels.groups import check_grouping, is_sorted_by
from endolab.cgm.registry import REGISTRY as _ONE_REGISTRY
from endolab.cgm.registry import index_names
from endolab.errors import InputError

__all__ = [
    "REGISTRY",
    "adrr",
    "auc",
    "chunks_of",
    "cogi",
    "compute_indices",
    "conga",
    "cv_measures",
    "grade",
    "grade_parts",
    "gri",
    "gvp",
    "hbgi",
    "hyper_index",
    "hypo_index",
    "igc",
    "j_index",
    "lbgi",
    "m_value",
    "mad",
    "mag",
    "mage",
    "modd",
    "pgs",
    "roc",
    "run_chunk",
    "sd_measures",
    "sd_roc",
]

Metric = Callable[..., pl.DataFrame]

#: The index functions by name, in the order of the full table (read-only): the index entries of
#: the one registry of CGM statistics — names, columns, units, signature and contract —
#: :data:`endolab.cgm.registry.REGISTRY`, whose order is written there only. This mapping is kept
#: for code that looks an index function up here.
REGISTRY: Final[Mapping[str, Metric]] = MappingProxyType(
    {name: _ONE_REGISTRY[name].function for name in index_names()}
)


@fill_doc
def compute_indices(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    names: Sequence[str] | None = None,
    chunk_readings: int = CHUNK_READINGS,
) -> pl.DataFrame:
    """Run several indices on one frame (default: all of :data:`REGISTRY`) and join them.

    Groups are processed in chunks of at most ``chunk_readings`` readings (whole groups only; every
    metric is computed per group, so chunking does not change any value), and within a chunk the
    grids and groupings are built once and shared (one
    :class:`~endolab.cgm.kernels.grid.Intermediates` per chunk).

    Parameters
    ----------
    %(frame)s
    %(by)s
    names
        Metric names from :data:`REGISTRY`; ``None`` = all, in registry order.
    chunk_readings
        Readings per chunk (≥ 1; a larger group is a chunk of its own).

    Returns
    -------
    One row per group: the group columns, then every metric's columns.
    """
    chosen = list(REGISTRY) if names is None else list(names)
    unknown = [n for n in chosen if n not in REGISTRY]
    if unknown:
        raise InputError(
            f"unknown metric(s) {', '.join(unknown)}; known: {', '.join(REGISTRY)}",
            field="names",
            value=unknown,
        )
    by_t = (by,) if isinstance(by, str) else tuple(by)
    parts = [run_chunk(chunk, by_t, chosen) for chunk in chunks_of(frame, by_t, chunk_readings)]
    return pl.concat(parts, how="vertical")


def chunks_of(
    frame: pl.DataFrame, by: Sequence[str], chunk_readings: int = CHUNK_READINGS
) -> list[pl.DataFrame]:
    """The chunks :func:`compute_indices` processes: ``frame`` sorted by ``by`` then time, cut by
    the CGM engine's one chunker (:func:`endolab.cgm.kernels.chunks.frame_chunks`) into slices of
    whole groups of at most ``chunk_readings`` readings (a larger group is a chunk of its own; one
    empty chunk for an empty frame).

    ``compute_metrics(metrics="full")`` runs the episodes on the same chunks with the same
    :class:`~endolab.cgm.kernels.grid.Intermediates` as the indices, so the grid is built once.
    """
    by_t = check_grouping(frame, by)
    ordered = frame
    if frame.height and not is_sorted_by(frame.select([*by_t, "time"]), by_t):
        ordered = frame.sort([*by_t, "time"], maintain_order=True)
    return frame_chunks(ordered, by_t, chunk_readings)


def run_chunk(
    chunk: pl.DataFrame,
    by: tuple[str, ...],
    names: Sequence[str],
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """The indices ``names`` (non-empty, from :data:`REGISTRY`) on one chunk, joined on ``by``,
    sharing the groupings and grids of ``shared`` (default: a new
    :class:`~endolab.cgm.kernels.grid.Intermediates` of ``chunk``)."""
    inter = Intermediates(chunk) if shared is None else shared
    out: pl.DataFrame | None = None
    for name in names:
        part = REGISTRY[name](chunk, by=by, shared=inter)
        out = part if out is None else out.join(part, on=list(by), how="left")
    assert out is not None
    return out
