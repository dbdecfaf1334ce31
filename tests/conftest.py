"""Shared test configuration.

* Hypothesis runs derandomised (same examples every run) and without deadlines: CI machines are shared.
* ``shared_data_dir`` points at ``../shared/data`` next to the clone; tests that need it skip with a
  stated reason when it is absent (a user's clone has no ../shared; the reason names the dataset,
  its source and licence, and docs/methods/cgm.md §6.3 says how to export it) — except under CI (environment
  variable ``CI`` set and not ``0``/``false``), which always has the data: there a missing file
  *fails* the test, so the independent CGM checks can never silently not run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "endolab",
    derandomize=True,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("endolab")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


SHARED_FILE = "example_data_5_subject.csv"
#: Where the shared validation data come from (docs/methods/cgm.md §6.3).
DATA_ORIGIN = (
    "example_data_5_subject of the R package iglu 4.3.0 (github.com/irinagain/iglu, "
    "data/example_data_5_subject.rda, licence GPL >= 2) written to CSV unchanged: columns "
    "id, time (YYYY-MM-DD HH:MM:SS, fixed UTC-5), time_utc, gl [mg/dL]; 13,866 rows; SHA-256 "
    "4acae1810932bc4e7a55b54f9ffe6f5ad108ff9f2f12182ffdf069646379d9c7"
)


def in_ci(environ: Mapping[str, str]) -> bool:
    """Whether ``environ`` says we run under CI (``CI`` set, and not empty, ``0`` or ``false``)."""
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_shared_data(folder: Path, environ: Mapping[str, str]) -> Path:
    """``folder`` if it holds the shared data; else skip the test, or fail it under CI."""
    if (folder / SHARED_FILE).is_file():
        return folder
    where = f"{folder / SHARED_FILE} is missing"
    if in_ci(environ):
        pytest.fail(
            f"{where}, and CI is set: CI always has ../shared/data, so the checks against "
            "independent implementations must run, not skip",
            pytrace=False,
        )
    pytest.skip(
        f"../shared/data/{SHARED_FILE} is not next to this clone ({where}). It is "
        f"{DATA_ORIGIN}; not shipped (GPL) — docs/methods/cgm.md §6.3 says how to export it"
    )


@pytest.fixture
def shared_data_dir() -> Path:
    """Folder of the shared validation data; skips when absent, fails when absent under CI."""
    return require_shared_data(SHARED_DATA, os.environ)


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """One in-process Dask cluster (2 workers × 1 thread, loopback) for the ``--engine dask`` tests.

    Threads, not processes, keep the tests fast; the process path (the CLI's default LocalCluster)
    is tested where it matters (a worker process killed mid-run). Skips without the ``[dask]`` extra.
    """
    distributed = pytest.importorskip(
        "distributed", reason="the optional extra endolab[dask] is not installed"
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
