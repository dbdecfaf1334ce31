"""Shared test configuration.

* Hypothesis runs derandomised (same examples every run) and without deadlines: CI machines are shared.
* ``shared_data_dir`` points at ``../shared/data`` next to the clone; tests that need it skip with a
  stated reason when it is absent (a user's clone has no ../shared) — except under CI (environment
  variable ``CI`` set and not ``0``/``false``), which always has the data: there a missing file
  *fails* the test, so the independent CGM checks can never silently not run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

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
        f"../shared/data/{SHARED_FILE} is not next to this clone "
        f"(GPL validation data, kept outside the package): {where}"
    )


@pytest.fixture
def shared_data_dir() -> Path:
    """Folder of the shared validation data; skips when absent, fails when absent under CI."""
    return require_shared_data(SHARED_DATA, os.environ)
