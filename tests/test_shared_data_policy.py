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


def test_skip_reason_says_where_the_data_come_from(tmp_path: Path) -> None:
    # issue 22: a user's clone must learn what the file is, where it comes from, its licence and
    # where the export recipe is — not only that it is missing
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_shared_data(tmp_path, {})
    reason = str(skipped.value)
    for needle in ("iglu 4.3.0", "github.com/irinagain/iglu", "example_data_5_subject.rda",
                   "GPL", "SHA-256", "docs/methods/cgm.md §6.3"):  # fmt: skip
        assert needle in reason, needle
