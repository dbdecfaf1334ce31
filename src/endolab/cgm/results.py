"""Results with their notices as data: reading, episodes and the AGP (metrics: :mod:`.compute`).

Each function here runs the engine's function of the same capability inside an
:func:`endolab.notices.collect` block and returns its value together with every notice found on
the way (:class:`endolab.notices.Notice`), in order, each once; nothing is warned unless
``warn=True`` (the optional echo for library users). The blocks are per thread and per asyncio
task, so a server can run these calls at the same time for different requests without a lock and
each result carries exactly its own notices. :func:`endolab.cgm.metrics_result` does the same for
the metrics table.

>>> csv = b"id,time,gl\\na,2024-01-01T00:05,110\\na,2024-01-01T00:00,100\\n"
>>> data = load_cgm(csv, name="a.csv")
>>> data.frame.get_column("gl").to_list(), [(n.code, n.field) for n in data.notices]
([100.0, 110.0], [('W_CGM_DATA_CHANGED', 'a.csv')])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from endolab.cgm.agp import agp_figure
from endolab.cgm.data import CgmData
from endolab.cgm.episode_calc import episodes
from endolab.cgm.readers import CGMSource, ReaderName, read_cgm
from endolab.notices import Notice, collect, echo, unique

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "AgpResult",
    "CgmData",
    "EpisodesResult",
    "agp_result",
    "episodes_result",
    "load_cgm",
]


def load_cgm(
    sources: CGMSource | Sequence[CGMSource],
    *,
    reader: ReaderName = "auto",
    unit: str | None = None,
    names: Sequence[str | None] | None = None,
    progress: Callable[[str], None] | None = None,
    warn: bool = False,
    **options: Any,
) -> CgmData:
    """:func:`endolab.cgm.readers.read_cgm` (same arguments) with its notices returned as data
    (``warn=True`` also echoes them as warnings)."""
    with collect() as found:
        frame = read_cgm(
            sources, reader=reader, unit=unit, names=names, progress=progress, **options
        )
    data = CgmData(frame, unique(found))
    if warn:
        echo(data.notices, stacklevel=2)
    return data


def _split(data: Any) -> tuple[Any, tuple[Notice, ...]]:
    if isinstance(data, CgmData):
        return data.frame, data.notices
    return data, ()


@dataclass(frozen=True)
class EpisodesResult:
    """Consensus episodes (:func:`endolab.cgm.episodes`) with their notices: ``table`` one row per
    episode, ``summary`` one row per group, ``notices`` as data."""

    table: pl.DataFrame
    summary: pl.DataFrame
    notices: tuple[Notice, ...] = ()


def episodes_result(data: Any, *, warn: bool = False, **options: Any) -> EpisodesResult:
    """:func:`endolab.cgm.episodes` of a frame or :class:`CgmData` (same keyword options), with
    the notices (the data's first) returned as data."""
    frame, given = _split(data)
    with collect() as found:
        out = episodes(frame, **options)
    result = EpisodesResult(out.table, out.summary, unique([*given, *found]))
    if warn:
        echo(result.notices, stacklevel=2)
    return result


@dataclass(frozen=True)
class AgpResult:
    """The AGP report figure of one subject (:func:`endolab.cgm.agp_figure`) with its notices."""

    figure: Figure
    subject: str
    notices: tuple[Notice, ...] = ()


def agp_result(data: Any, subject_id: str, *, warn: bool = False, **options: Any) -> AgpResult:
    """:func:`endolab.cgm.agp_figure` of one subject of a frame or :class:`CgmData` (same keyword
    options), with the notices (the data's first) returned as data."""
    frame, given = _split(data)
    with collect() as found:
        fig = agp_figure(frame, subject_id, **options)
    result = AgpResult(fig, str(subject_id), unique([*given, *found]))
    if warn:
        echo(result.notices, stacklevel=2)
    return result
