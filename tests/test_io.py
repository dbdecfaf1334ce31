"""The output rule (endolab._io): atomic writes; never delete, replace or re-permission anything
endolab did not write; every OS error on a path is one line naming it (issue 18)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from endolab._io import (
    MANIFEST_NAME,
    atomic_directory,
    atomic_write_bytes,
    atomic_write_text,
    check_output_path,
    path_error,
)
from endolab.errors import InputError

W = "a test output"


def _tree(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: files by SHA-256, folders as 'dir', links by target."""
    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _write(target: Path, files: dict[str, str], writer: str = W) -> None:
    with atomic_directory(target, writer=writer) as tmp:
        for rel, text in files.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_text(text)


# ------------------------------------------------------------------------------------ folders


def test_failed_directory_build_leaves_old_report(tmp_path: Path) -> None:
    target = tmp_path / "report"
    _write(target, {"a.txt": "first"})
    with pytest.raises(RuntimeError), atomic_directory(target, writer=W) as tmp:
        (tmp / "a.txt").write_text("second")
        raise RuntimeError("boom")
    assert (target / "a.txt").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert sorted(p.name for p in target.iterdir()) == [MANIFEST_NAME, "a.txt"]


def test_new_folder_holds_its_manifest_with_each_file_and_its_sha256(tmp_path: Path) -> None:
    _write(tmp_path / "r", {"a.txt": "x", "sub/b.txt": "y"})
    record = json.loads((tmp_path / "r" / MANIFEST_NAME).read_text())
    # sha256("x") and sha256("y"), written out independently of endolab
    assert record["files"] == {
        "a.txt": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
        "sub/b.txt": "a1fce4363854ff888cff4b8e7875d600c2682390412a8cf79b37d0b11148b0fa",
    }
    assert record["contents"] == W


def test_own_files_are_replaced_and_stale_ones_removed(tmp_path: Path) -> None:
    target = tmp_path / "r"
    _write(target, {"old.txt": "x", "keep.txt": "1", "gone/deep.txt": "z"})
    _write(target, {"new.txt": "y", "keep.txt": "2"})
    assert sorted(p.name for p in target.iterdir()) == [MANIFEST_NAME, "keep.txt", "new.txt"]
    assert (target / "keep.txt").read_text() == "2"
    assert sorted(json.loads((target / MANIFEST_NAME).read_text())["files"]) == [
        "keep.txt",
        "new.txt",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_foreign_entries_refuse_the_folder_before_any_work(tmp_path: Path) -> None:
    """The issue's case: a folder with an endpoints.json and a thesis is not a report."""
    target = tmp_path / "u"
    target.mkdir()
    (target / "endpoints.json").write_text("{}")
    (target / "thesis.docx").write_text("x")
    (target / "sub").mkdir()
    (target / "sub" / "notes.txt").write_text("mine")
    before = _tree(target)
    ran = False
    with (
        pytest.raises(InputError, match=r"holds '.*endpoints\.json', which endolab did not write"),
        atomic_directory(target, writer=W),
    ):
        ran = True
    assert not ran
    with pytest.raises(InputError, match=r"endpoints\.json"):
        check_output_path(target, kind="folder", writer=W)
    assert _tree(target) == before


def test_a_foreign_file_next_to_endolabs_files_refuses(tmp_path: Path) -> None:
    target = tmp_path / "r"
    _write(target, {"a.txt": "x", "sub/b.txt": "y"})
    (target / "sub" / "mine.txt").write_text("user")
    before = _tree(target)
    with pytest.raises(InputError, match=r"holds '.*sub/mine\.txt', which endolab did not write"):
        _write(target, {"a.txt": "new"})
    assert _tree(target) == before


def test_an_edited_own_file_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "r"
    _write(target, {"tables.md": "endolab's"})
    (target / "tables.md").write_text("my edits")
    with pytest.raises(InputError, match="was changed after endolab wrote it"):
        _write(target, {"tables.md": "again"})
    assert (target / "tables.md").read_text() == "my edits"


def test_another_kind_of_output_is_not_reused(tmp_path: Path) -> None:
    target = tmp_path / "ex"
    _write(target, {"data.csv": "1"}, writer="endolab's example data")
    with pytest.raises(InputError, match="holds endolab's example data written by endolab, not"):
        _write(target, {"report.html": "x"}, writer="a trial report")
    assert (target / "data.csv").read_text() == "1"


@pytest.mark.parametrize(
    "manifest",
    [
        "not json",
        json.dumps({"format": 1, "contents": W, "files": {"../outside.txt": "0" * 64}}),
        json.dumps({"format": 1, "contents": W, "files": {"/etc/passwd": "0" * 64}}),
        json.dumps({"format": 1, "contents": W, "files": ["a.txt"]}),
        json.dumps({"format": 99, "contents": W, "files": {}}),
    ],
)
def test_a_manifest_endolab_cannot_trust_is_foreign(tmp_path: Path, manifest: str) -> None:
    target = tmp_path / "r"
    target.mkdir()
    (target / MANIFEST_NAME).write_text(manifest)
    (tmp_path / "outside.txt").write_text("keep")
    with pytest.raises(InputError, match="not a manifest endolab can read"):
        _write(target, {"a.txt": "x"})
    assert (tmp_path / "outside.txt").read_text() == "keep"
    assert (target / MANIFEST_NAME).read_text() == manifest


def test_a_link_in_the_folder_is_foreign(tmp_path: Path) -> None:
    target = tmp_path / "r"
    _write(target, {"a.txt": "x"})
    (target / "a.txt").unlink()
    (tmp_path / "precious").write_text("keep")
    (target / "a.txt").symlink_to(tmp_path / "precious")
    with pytest.raises(InputError, match="which endolab did not write"):
        _write(target, {"a.txt": "y"})
    assert (tmp_path / "precious").read_text() == "keep"
    assert (target / "a.txt").is_symlink()


def test_an_empty_folder_is_used_in_place_keeping_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    target.chmod(0o750)
    inode = target.stat().st_ino
    _write(target, {"a.txt": "x"})
    assert target.stat().st_ino == inode
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert sorted(p.name for p in target.iterdir()) == [MANIFEST_NAME, "a.txt"]


def test_a_replaced_own_file_keeps_its_permission_bits(tmp_path: Path) -> None:
    target = tmp_path / "r"
    _write(target, {"a.txt": "x"})
    (target / "a.txt").chmod(0o640)
    _write(target, {"a.txt": "y"})
    assert (target / "a.txt").read_text() == "y"
    assert stat.S_IMODE((target / "a.txt").stat().st_mode) == 0o640


def test_an_interrupted_install_leaves_a_folder_endolab_can_reuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r"
    _write(target, {"a.txt": "1", "b.txt": "1"})
    real = os.replace
    calls: list[str] = []

    def flaky(src: object, dst: object) -> None:
        calls.append(str(dst))
        if str(dst).endswith("b.txt"):
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(InputError, match="input/output error"):
        _write(target, {"a.txt": "2", "b.txt": "2"})
    monkeypatch.setattr(os, "replace", real)
    assert (target / "a.txt").read_text() == "2"  # moved before the failure
    assert (target / "b.txt").read_text() == "1"
    _write(target, {"a.txt": "3", "b.txt": "3"})  # both versions were listed: reused
    assert (target / "b.txt").read_text() == "3"


def test_last_files_are_moved_after_every_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "parts"
    target.mkdir()
    real = os.replace
    order: list[str] = []

    def record(src: object, dst: object) -> None:
        order.append(Path(str(dst)).name)
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", record)
    with atomic_directory(target, writer=W, last=("_SUCCESS",)) as tmp:
        (tmp / "_SUCCESS").write_bytes(b"")
        (tmp / "part-1").write_text("x")
        (tmp / "part-0").write_text("x")
    moved = [name for name in order if not name.startswith(".")]
    assert moved == ["part-0", "part-1", "_SUCCESS"]


def test_outputs_get_umask_permissions_not_private_ones(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        written = atomic_write_text(tmp_path / "a.txt", "x")
        with atomic_directory(tmp_path / "rep", writer=W) as tmp:
            (tmp / "b.txt").write_text("y")
    finally:
        os.umask(mask)
    # 0o666 & ~0o022 = 0o644 for files; 0o777 & ~0o022 = 0o755 for folders.
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "rep").stat().st_mode) == 0o755


# -------------------------------------------------------------------------------------- files


def test_write_text_into_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        atomic_write_text(tmp_path / "nope" / "a.txt", "x")


def test_write_text_leaves_no_temporary(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "a.txt", "é")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "é"


def test_an_existing_file_needs_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("mine")
    with pytest.raises(InputError, match=r"--out '.*m\.csv': the file exists; add --overwrite"):
        check_output_path(path, suffixes=(".csv",))
    with pytest.raises(InputError, match="add --overwrite"):
        atomic_write_bytes(path, b"new")
    assert path.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]


@pytest.mark.parametrize("mode", [0o444, 0o640, 0o600, 0o755])
def test_overwrite_replaces_atomically_keeping_the_mode(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "m.csv"
    path.write_text("old")
    path.chmod(mode)
    inode = path.stat().st_ino
    check_output_path(path, suffixes=(".csv",), overwrite=True)
    atomic_write_bytes(path, b"new", overwrite=True)
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert (
        path.stat().st_ino != inode
    )  # a new file renamed over the old one, not rewritten in place
    assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]


def test_a_link_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("keep")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    for overwrite in (False, True):
        with pytest.raises(InputError, match="symbolic link"):
            check_output_path(tmp_path / "link.csv", overwrite=overwrite)
        with pytest.raises(InputError, match="symbolic link"):
            atomic_write_bytes(tmp_path / "link.csv", b"x", overwrite=overwrite)
    assert (tmp_path / "real.csv").read_text() == "keep"
    assert (tmp_path / "link.csv").is_symlink()


def test_a_name_of_255_bytes_is_written(tmp_path: Path) -> None:
    """The temporary name must not be longer than the target's (it used to prefix the name)."""
    path = tmp_path / ("a" * 251 + ".csv")
    atomic_write_bytes(path, b"x")
    with atomic_directory(tmp_path / ("b" * 255), writer=W) as tmp:
        (tmp / "x").write_text("y")
    assert path.read_bytes() == b"x"


# --------------------------------------------------------------------------------- OS errors


def test_a_name_longer_than_the_file_system_allows_is_one_line(tmp_path: Path) -> None:
    long = tmp_path / ("a" * 300 + ".csv")
    expected = "a name in the path is 304 bytes long; the file system allows at most 255"
    with pytest.raises(InputError, match=expected):
        check_output_path(long)
    with pytest.raises(InputError, match=expected):
        atomic_write_bytes(long, b"x")
    with (
        pytest.raises(InputError, match="300 bytes long"),
        atomic_directory(tmp_path / ("a" * 300), writer=W),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


def test_no_space_left_is_one_line_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(InputError) as caught:
        atomic_write_bytes(tmp_path / "m.csv", b"x", flag="--svg")
    assert str(caught.value) == f"--svg {str(tmp_path / 'm.csv')!r}: no space left on the device"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EISDIR, "is a folder, not a file"),
        (errno.ENOTDIR, "a part of the path is not a folder"),
        (errno.ELOOP, "too many levels of symbolic links (a loop of links?)"),
        (errno.ENOSPC, "no space left on the device"),
        (errno.EROFS, "read-only file system"),
    ],
)
def test_path_error_names_the_path_and_the_reason(code: int, reason: str) -> None:
    exc = OSError(code, os.strerror(code), "data/x.csv")
    assert str(path_error(exc)) == f"'data/x.csv': {reason}"
    assert str(path_error(exc, flag="--out")) == f"--out 'data/x.csv': {reason}"
    assert path_error(exc).exit_code == 3
