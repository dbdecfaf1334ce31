"""Shared test configuration.

* Hypothesis runs derandomised (same examples every run) and without deadlines: CI machines are shared.
* ``shared_data_dir`` points at ``../shared/data`` next to the clone; tests that need it skip with a
  stated reason when it is absent (a user's clone has no ../shared).
"""

from __future__ import annotations

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


@pytest.fixture
def shared_data_dir() -> Path:
    """Folder of the shared validation data; skips the test when it is absent."""
    if not (SHARED_DATA / "example_data_5_subject.csv").is_file():
        pytest.skip(
            "../shared/data/example_data_5_subject.csv is not next to this clone "
            "(GPL validation data, kept outside the package)"
        )
    return SHARED_DATA
