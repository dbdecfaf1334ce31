"""The one chunker of the CGM engine: consecutive blocks of whole groups.

Every per-group computation of :mod:`endolab.cgm` (the interpolated grid, the indices, the episodes,
the full set of :func:`endolab.cgm.compute_metrics`) works on blocks of whole groups so that
temporaries stay small (bounded memory; on a small VM page faults of large fresh arrays cost as much
as the arithmetic). All of them cut with :func:`group_blocks`: a block grows group by group while
it holds at most ``max_points`` points (a single group larger than that is a block of its own).
Values never depend on the cut: every metric is computed per group.

>>> import numpy as np
>>> list(group_blocks(np.array([0, 3, 5, 9, 10]), 5))   # groups of 3, 2, 4 and 1 points
[(0, 2), (2, 4)]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "CHUNK_POINTS",
    "CHUNK_READINGS",
    "frame_chunks",
    "group_blocks",
    "map_blocks",
]

#: Grid points / readings per block of the numpy kernels (16 MB per float array).
CHUNK_POINTS: Final = 1_000_000

#: Readings per chunk of a whole frame (indices, episodes and the full set work a chunk at a time).
CHUNK_READINGS: Final = 4_000_000

_Arrays = dict[str, npt.NDArray[np.float64]]


def group_blocks(start: npt.NDArray[np.int64], max_points: int) -> Iterator[tuple[int, int]]:
    """Blocks ``(g0, g1)`` of whole groups (groups g0 … g1 − 1), in order, covering every group.

    ``start`` holds the offset of each group's first point and, last, the total number of points
    (length n_groups + 1). A block grows while it holds at most ``max_points`` points; it always
    holds at least one group.
    """
    n = int(start.size) - 1
    limit = max(int(max_points), 1)
    g0 = 0
    while g0 < n:
        # the last group g1 with start[g1 + 1] − start[g0] ≤ limit (at least g0 + 1)
        g1 = int(np.searchsorted(start, start[g0] + limit, side="right")) - 1
        g1 = min(max(g1, g0 + 1), n)
        yield g0, g1
        g0 = g1


def map_blocks(
    start: npt.NDArray[np.int64],
    fn: Callable[[int, int], _Arrays],
    max_points: int = CHUNK_POINTS,
) -> _Arrays:
    """Apply ``fn(g0, g1)`` to every block of :func:`group_blocks` and concatenate its per-group
    arrays (``fn(0, 0)`` once when there is no group, for the result's keys)."""
    parts = [fn(g0, g1) for g0, g1 in group_blocks(start, max_points)]
    if not parts:
        parts.append(fn(0, 0))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def frame_chunks(
    frame: pl.DataFrame, by: tuple[str, ...], chunk_readings: int = CHUNK_READINGS
) -> list[pl.DataFrame]:
    """``frame`` (sorted by ``by`` then time) cut into slices (no copy) of whole groups by
    :func:`group_blocks` with ``max_points = chunk_readings`` (one empty chunk for an empty frame).
    """
    if frame.height == 0:
        return [frame]
    # group sizes in row order (each group is one run of rows); no frame-sized temporaries
    lf = frame.lazy().select(by)
    if len(by) == 1:
        lf = lf.with_columns(pl.col(by[0]).set_sorted())
    sizes = lf.group_by(list(by), maintain_order=True).agg(pl.len()).collect()["len"].to_numpy()
    start = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    bounds = [int(start[g0]) for g0, _ in group_blocks(start, chunk_readings)] + [frame.height]
    return [frame.slice(lo, hi - lo) for lo, hi in itertools.pairwise(bounds)]
