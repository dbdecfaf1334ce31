"""Atomic writes leave either the old content or the new one, never a partial file or folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from endolab._io import atomic_directory, atomic_write_text
from endolab.errors import InputError


def test_failed_directory_build_leaves_old_report(tmp_path: Path) -> None:
    target = tmp_path / "report"
    with atomic_directory(target) as tmp:
        (tmp / "a.txt").write_text("first")
    with pytest.raises(RuntimeError), atomic_directory(target) as tmp:
        (tmp / "a.txt").write_text("second")
        raise RuntimeError("boom")
    assert (target / "a.txt").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_replace_existing_directory(tmp_path: Path) -> None:
    target = tmp_path / "r"
    with atomic_directory(target) as tmp:
        (tmp / "old.txt").write_text("x")
    with atomic_directory(target) as tmp:
        (tmp / "new.txt").write_text("y")
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_write_text_into_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        atomic_write_text(tmp_path / "nope" / "a.txt", "x")


def test_write_text_leaves_no_temporary(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "a.txt", "é")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "é"


def test_outputs_get_umask_permissions_not_private_ones(tmp_path: Path) -> None:
    import os
    import stat

    mask = os.umask(0o022)
    try:
        written = atomic_write_text(tmp_path / "a.txt", "x")
        with atomic_directory(tmp_path / "rep") as tmp:
            (tmp / "b.txt").write_text("y")
    finally:
        os.umask(mask)
    # 0o666 & ~0o022 = 0o644 for files; 0o777 & ~0o022 = 0o755 for folders.
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "rep").stat().st_mode) == 0o755
