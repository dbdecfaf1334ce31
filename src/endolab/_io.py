"""Atomic output writing: a reader never sees a half-written file or report folder.

Files are written to a temporary sibling and renamed over the target (``os.replace`` is atomic on
POSIX within one file system); folders are built in a temporary sibling folder and renamed into place.
Input files are never opened for writing anywhere in endolab.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from endolab.errors import InputError

__all__ = ["atomic_directory", "atomic_write_bytes", "atomic_write_text"]


def _chmod_like_new(path: Path, mode: int) -> None:
    """Give ``path`` the permissions a plain ``open``/``mkdir`` would (``mode`` less the umask).

    ``mkstemp``/``mkdtemp`` create private (0600/0700) entries; an output file or report folder should
    be as readable as any other file the user writes.
    """
    mask = os.umask(0)
    os.umask(mask)
    path.chmod(mode & ~mask)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "a.txt", b"hello").read_bytes()
    b'hello'
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(
            f"output folder {str(parent)!r} does not exist", field="out", value=str(path)
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    _chmod_like_new(Path(tmp), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8 by default) and return the path."""
    return atomic_write_bytes(path, text.encode(encoding))


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Build a folder in a temporary sibling and move it to ``path`` when the block succeeds.

    If the block raises, nothing is left behind and an existing ``path`` is untouched. With
    ``overwrite=True`` an existing folder at ``path`` is replaced only after the new one is complete.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_directory(root / "report") as tmp:
    ...     _ = (tmp / "x.txt").write_text("ok")
    >>> (root / "report" / "x.txt").read_text()
    'ok'
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not target.is_dir():
        raise InputError(
            f"{str(target)!r} exists and is not a folder", field="out", value=str(path)
        )
    if target.exists() and not overwrite:
        raise InputError(f"{str(target)!r} already exists", field="out", value=str(path))
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    _chmod_like_new(tmp, 0o777)
    try:
        yield tmp
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=parent))
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
