"""Limits of a simulation request, checked before any work: the seed and the memory and disk needed.

* :func:`check_seed` — the one seed check of every command and function that takes a seed
  (``trial simulate``, ``trial demo``, ``sim dose-response``, ``sim patient``): a whole number
  from 0 to :data:`SEED_MAX` (2³² − 1, the range of a 32-bit seed that every NumPy bit generator
  takes and that the JSON API accepts).
* :func:`simulation_estimate` / :func:`check_simulation_resources` — the memory (and, for a dataset
  written to disk, the disk space) a virtual trial of ``participants`` × ``days`` needs, from
  measured bytes per participant-day, compared with what the machine has; a request that would
  not fit is refused in one line with the estimate and the limit, before anything is simulated.

The per participant-day figures are measurements, not derivations [A: measured on endolab's own
simulator; they change with it and are re-measured by ``benchmarks/sim_memory.py``]:

* :data:`MEMORY_BYTES_PER_PARTICIPANT_DAY` — peak resident memory of
  ``endolab trial simulate --participants P --days D --out DIR`` measured with
  ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a parent process, one run per size, on Linux x86-64:
  the slope of peak RSS against participant-days ``P × (D + 15)`` (days + the 14-day run-in +
  day 0) over the runs listed in the comment next to the constant, rounded up. The intercept
  (imports, numba's compiled kernel) is :data:`MEMORY_BASE_BYTES`.
* :data:`DISK_BYTES_PER_PARTICIPANT_DAY` — the size of the written dataset folder divided by the
  participant-days, per format (CSV, Parquet), from the same runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from endolab.errors import InputError
from endolab.resources import available_disk_bytes, available_memory_bytes, human_bytes

__all__ = [
    "DISK_BYTES_PER_PARTICIPANT_DAY",
    "MEMORY_BASE_BYTES",
    "MEMORY_BYTES_PER_PARTICIPANT_DAY",
    "RUN_IN_AND_DAY_0",
    "SEED_MAX",
    "Estimate",
    "available_disk_bytes",
    "available_memory_bytes",
    "check_seed",
    "check_simulation_resources",
    "human_bytes",
    "simulation_estimate",
]

#: Largest accepted seed: 2³² − 1 (a 32-bit seed; the JSON API takes the same range).
SEED_MAX: Final = 2**32 - 1

#: Days simulated besides the follow-up: the 14-day run-in and day 0 itself.
RUN_IN_AND_DAY_0: Final = 15

# Measured 2026-12-07 with benchmarks/sim_memory.py (see the module docstring): peak RSS of
# `endolab trial simulate --participants P --days D --out DIR` (one process per run, a 2-core
# Linux x86-64 machine, 24 GB RAM) and the size of the folder it wrote:
#   P × D        participant-days P × (D + 15)   peak RSS     written (CSV)    per participant-day
#   4 × 30             180                      247.7 MB        1.76 MB       9,773 B on disk
#   10 × 200         2,150                      420.4 MB       21.0 MB        9,774 B on disk
#   10 × 800         8,150                      653.3 MB       79.6 MB        9,768 B on disk
#   40 × 200         8,600                      666.5 MB       84.1 MB        9,776 B on disk
#   40 × 800        32,600                    1,428.6 MB      318.7 MB        9,776 B on disk
#   40 × 200 (--format parquet)                 651.3 MB       10.1 MB        1,180 B on disk
#   `sim dose-response --doses 8e8 --participants 40`: --days 200 672.6 MB, --days 800 1,428.7 MB
#   (one arm at a time: the same as one simulation of that size).
# Slope of peak RSS from 2,150 to 32,600 participant-days: (1,428.6 − 420.4) MB / 30,450 =
# 33.1 kB per participant-day → 34 kB (rounded up); intercept at 32,600: 1,428.6 − 32,600 × 33.1
# kB = 350 MB → 400 MB (rounded up; the small runs lie below the line, so it over-estimates them).
MEMORY_BYTES_PER_PARTICIPANT_DAY: Final = 34_000
MEMORY_BASE_BYTES: Final = 400_000_000
DISK_BYTES_PER_PARTICIPANT_DAY: Final[dict[str, int]] = {"csv": 9_800, "parquet": 1_200}


def check_seed(seed: int) -> int:
    """Refuse a seed outside 0 … :data:`SEED_MAX` (one line, exit status 3); return it.

    >>> check_seed(0), check_seed(SEED_MAX)
    (0, 4294967295)
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: seed must be a whole number from 0 to 4294967295, got -1
    """
    whole = not isinstance(seed, bool) and isinstance(seed, int)
    if not whole or not 0 <= seed <= SEED_MAX:
        shown = str(seed) if len(str(seed)) <= 12 else f"a {len(str(seed))}-digit number"
        raise InputError(
            f"seed must be a whole number from 0 to {SEED_MAX}, got {shown}", field="seed"
        )
    return seed


@dataclass(frozen=True)
class Estimate:
    """What a simulation needs: participant-days and the memory and disk [bytes] they take."""

    participant_days: int
    memory_bytes: int
    disk_bytes: int | None


def simulation_estimate(
    participants: int, days: int, *, arms: int = 1, file_format: str | None = None
) -> Estimate:
    """Memory (one arm at a time) and disk a simulation of ``participants`` × ``days`` needs.

    ``arms`` dose arms are simulated one after the other, so memory is that of one arm; the disk
    estimate is given when a dataset is written (``file_format`` ``csv`` or ``parquet``).

    >>> e = simulation_estimate(14, 365, file_format="csv")
    >>> e.participant_days
    5320
    """
    pdays = int(participants) * (int(days) + RUN_IN_AND_DAY_0)
    memory = MEMORY_BASE_BYTES + pdays * MEMORY_BYTES_PER_PARTICIPANT_DAY
    disk = None
    if file_format is not None:
        disk = pdays * DISK_BYTES_PER_PARTICIPANT_DAY[file_format] * max(1, arms)
    return Estimate(pdays, memory, disk)


def check_simulation_resources(
    participants: int,
    days: int,
    *,
    out: str | Path | None = None,
    file_format: str | None = None,
    memory_limit: int | None = None,
    disk_limit: int | None = None,
) -> Estimate:
    """Refuse (one line, exit status 3) a simulation whose memory or disk need exceeds what the
    machine has; return the estimate. ``memory_limit``/``disk_limit`` [bytes] default to
    :func:`available_memory_bytes` and :func:`available_disk_bytes` of ``out``."""
    est = simulation_estimate(participants, days, file_format=file_format if out else None)
    size = f"{participants:,} participants × {days + RUN_IN_AND_DAY_0:,} simulated days"
    limit = available_memory_bytes() if memory_limit is None else memory_limit
    if limit is not None and est.memory_bytes > limit:
        most = max(0, (limit - MEMORY_BASE_BYTES) // MEMORY_BYTES_PER_PARTICIPANT_DAY)
        raise InputError(
            f"{size} needs about {human_bytes(est.memory_bytes)} of memory "
            f"({human_bytes(MEMORY_BYTES_PER_PARTICIPANT_DAY)} per participant-day, measured), "
            f"more than the {human_bytes(limit)} this machine has free; give fewer participants "
            f"or days (at most about {most:,} participant-days here)",
            code="E_TOO_LARGE",
            field="participants",
        )
    if out is not None and est.disk_bytes is not None:
        free = available_disk_bytes(out) if disk_limit is None else disk_limit
        if free is not None and est.disk_bytes > free:
            raise InputError(
                f"{size} writes about {human_bytes(est.disk_bytes)} of {file_format} files "
                f"({human_bytes(DISK_BYTES_PER_PARTICIPANT_DAY[str(file_format)])} per "
                f"participant-day, measured), more than the {human_bytes(free)} free where "
                f"{str(out)!r} would be written; give fewer participants or days",
                code="E_TOO_LARGE",
                field="out",
            )
    return est
