"""Tests that need ../shared/data skip on a user's clone but fail under CI (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED_FILE, in_ci, require_shared_data


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, False), ({"CI": ""}, False), ({"CI": "false"}, False), ({"CI": "0"}, False),
     ({"CI": "true"}, True), ({"CI": "1"}, True), ({"CI": "yes"}, True)],
)  # fmt: skip
def test_in_ci(env: dict[str, str], expected: bool) -> None:
    assert in_ci(env) is expected


def test_missing_data_fails_under_ci(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="CI always has"):
        require_shared_data(tmp_path, {"CI": "true"})


def test_missing_data_skips_outside_ci(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match="not next to this clone"):
        require_shared_data(tmp_path, {})


def test_present_data_is_returned(tmp_path: Path) -> None:
    (tmp_path / SHARED_FILE).write_text("id,time,gl\n")
    assert require_shared_data(tmp_path, {"CI": "true"}) == tmp_path
