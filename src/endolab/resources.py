"""What the machine has, and requests that would not fit: checked before any work (issue 18).

* :func:`available_memory_bytes`, :func:`available_disk_bytes`, :func:`human_bytes` — shared by
  the simulation limits (:mod:`endolab.sim.limits`) and the input limits below.
* :func:`input_memory_estimate` / :func:`check_input_memory` — the memory needed to read and
  analyse CGM files in one process (``cgm metrics``, ``cgm episodes``, ``cgm agp``: one
  :class:`InputCost`; ``trial analyze``: another), from the files' sizes (CSV and other text) or
  row counts (Parquet), compared with the memory the machine has free. A request that would not
  fit is refused in one line with the estimate and the limit (``E_TOO_LARGE``, exit status 3),
  before anything is read; ``--engine dask`` reads such files in bounded memory.

The per-byte and per-row figures are measurements, not derivations [A: measured on endolab's own
readers; they change with them]: peak resident memory (``/usr/bin/time -f %M``) of one process
per run on Linux x86-64 (polars 1.x), the slope of peak memory against the input's size between
the runs listed next to each constant, rounded up, and the intercept rounded up.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from endolab.errors import InputError, asks

__all__ = [
    "CGM_READ_COST",
    "TRIAL_ANALYZE_COST",
    "InputCost",
    "available_disk_bytes",
    "available_memory_bytes",
    "check_input_memory",
    "human_bytes",
    "input_memory_estimate",
]


def human_bytes(n: float) -> str:
    """A byte count in decimal units, 3 significant digits.

    >>> human_bytes(11.5e9), human_bytes(2048), human_bytes(12)
    ('11.5 GB', '2.05 kB', '12 B')
    """
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def available_memory_bytes() -> int | None:
    """Memory this process can still use [bytes]: Linux ``MemAvailable``, lowered to the cgroup's
    ``memory.max − memory.current`` when a cgroup limit is set; ``None`` when unknown."""
    found: list[int] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text(encoding="ascii").strip()
        if limit != "max":
            found.append(int(limit) - int(used))
    except (OSError, ValueError):
        pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, ValueError, AttributeError):
            return None
    return max(0, min(found))


def available_disk_bytes(folder: str | Path) -> int | None:
    """Free space [bytes] of the file system that would hold ``folder`` (its nearest existing
    parent); ``None`` when unknown."""
    path = Path(folder).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


@dataclass(frozen=True)
class InputCost:
    """Memory a command needs per byte of text input and per Parquet row, plus a fixed base.

    ``what`` names the work in the refusal ("reading CGM files", "analysing a trial dataset").
    """

    what: str
    base_bytes: int
    per_text_byte: int
    per_parquet_row: int


# Measured 2026-12-07 (2-core Linux x86-64, 24 GB RAM), `endolab cgm metrics FILE --format csv`,
# generic CSV of 5-min readings (31 bytes a row):
#   CSV     6.0 MB → 181 MB,  31.1 MB → 366 MB,  93.3 MB → 817 MB: slope 7.3 B per CSV byte,
#           intercept 136 MB → 8 B per byte, 150 MB (rounded up)
#   Parquet 0.2 M rows → 146 MB, 3.11 M rows → 379 MB: 80 B per row, intercept 130 MB → 100 B
#: ``cgm metrics``, ``cgm episodes``, ``cgm agp`` on one machine [A: measured, see above].
CGM_READ_COST: Final = InputCost("reading these CGM files", 150_000_000, 8, 100)

# Measured 2026-12-07, `endolab trial analyze DIR --out R`, cgm.csv of 5-min readings (29 bytes a
# row), 380 days for each participant, the other tables the example's:
#   20 participants  63.5 MB → 506 MB;  120 participants 381 MB → 1,441 MB: slope 2.95 B per CSV
#   byte, intercept 319 MB → 4 B per byte, 400 MB (rounded up)
#   Parquet cgm table, 120 participants (13.1 M rows, 43 MB) → 1,444 MB: (1,444 − 319) MB / 13.1 M
#   rows = 86 B per row → 100 B (rounded up)
#: ``trial analyze`` on one machine (``--engine local``) [A: measured, see above].
TRIAL_ANALYZE_COST: Final = InputCost("analysing this trial dataset", 400_000_000, 4, 100)


def _parquet_rows(path: Path) -> int | None:
    try:
        import polars as pl

        return int(pl.scan_parquet(path).select(pl.len()).collect().item())
    except Exception:  # an unreadable file is the reader's to name, with its own message
        return None


def input_memory_estimate(paths: Iterable[str | os.PathLike[str]], cost: InputCost) -> int:
    """Memory [bytes] ``cost``'s work on the files ``paths`` needs (folders: the files in them).

    Text files count by their size, Parquet files by their rows (read from the file's footer,
    not its data); paths that are not files are skipped (the reader names them).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "a.csv").write_bytes(b"x" * 1000)
    ...     input_memory_estimate([Path(d) / "a.csv"], InputCost("t", 100, 8, 100))
    8100
    """
    total = cost.base_bytes
    for raw in paths:
        path = Path(raw)
        try:
            files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        except OSError:  # an unreadable folder is the reader's to name
            continue
        for file in files:
            try:
                if not file.is_file():
                    continue
                size = file.stat().st_size
            except OSError:
                continue
            if file.suffix.lower() == ".parquet":
                rows = _parquet_rows(file)
                total += cost.per_parquet_row * rows if rows is not None else 0
            else:
                total += cost.per_text_byte * size
    return total


def check_input_memory(
    paths: Iterable[str | os.PathLike[str]],
    cost: InputCost,
    *,
    memory_limit: int | None = None,
    hint: str = "use engine='dask' (Parquet, docs/dask.md) or split the input",
    ask: str | None = None,
) -> int:
    """Refuse (``E_TOO_LARGE``, one line, exit status 3) work whose memory estimate exceeds what
    the machine has free (``memory_limit`` [bytes], default :func:`available_memory_bytes`);
    return the estimate [bytes]. The message ends with ``hint``, in the library's words
    (``engine='dask'``); with ``ask`` (a stable key) the error carries an
    :class:`~endolab.errors.Ask` for the engine, which a front end words with its own name of it
    (the command line ``--engine dask``).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "a.csv").write_bytes(b"x" * 1000)
    ...     check_input_memory([Path(d) / "a.csv"], InputCost("reading a", 100, 8, 100),
    ...                        memory_limit=5000)
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: E_TOO_LARGE: reading a needs about 8.1 kB of memory (100 B + 8 B per byte of text, 100 B per Parquet row, measured), more than the 5 kB this machine has free; use engine='dask' (Parquet, docs/dask.md) or split the input
    """
    paths = list(paths)
    estimate = input_memory_estimate(paths, cost)
    limit = available_memory_bytes() if memory_limit is None else memory_limit
    if limit is not None and estimate > limit:
        error = InputError(
            f"{cost.what} needs about {human_bytes(estimate)} of memory "
            f"({human_bytes(cost.base_bytes)} + {cost.per_text_byte} B per byte of text, "
            f"{cost.per_parquet_row} B per Parquet row, measured), more than the "
            f"{human_bytes(limit)} this machine has free; {hint}",
            code="E_TOO_LARGE",
            field="input",
        )
        raise error if ask is None else asks(error, "engine", ask, hint)
    return estimate
