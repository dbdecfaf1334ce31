"""Atomic output writing: a reader never sees a half-written file or report folder.

Files are written to a temporary sibling and renamed over the target (``os.replace`` is atomic on
POSIX within one file system); folders are built in a temporary sibling folder and renamed into place.
Input files are never opened for writing anywhere in endolab.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from endolab.errors import InputError

__all__ = ["atomic_directory", "atomic_write_bytes", "atomic_write_text", "check_output_path"]


def _refuse(flag: str, path: object, why: str) -> InputError:
    return InputError(f"{flag} {str(path)!r}: {why}", field=flag.lstrip("-"), value=str(path))


def check_output_path(
    path: str | os.PathLike[str] | None,
    *,
    flag: str = "--out",
    kind: Literal["file", "folder"] = "file",
    suffixes: Sequence[str] = (),
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Check an output path before any work is done and return it as a :class:`~pathlib.Path`.

    One place for every front end (CLI, web): the checks run in milliseconds, so a user learns of a
    path that cannot be written before minutes of computing, not after. Refused, each with a one-line
    :class:`~endolab.errors.InputError` (exit status 3) naming ``flag``:

    * an empty path (``--svg ""`` would otherwise mean the current folder);
    * a missing parent folder (outputs never create folders the user did not ask for);
    * for ``kind="file"``: an existing folder; a suffix not in ``suffixes`` (when given, e.g.
      ``(".csv", ".json")``: ``m.xlsx`` is not written as CSV text);
    * for ``kind="folder"``: an existing file;
    * a parent folder where a file cannot be created (permissions, a read-only or virtual file
      system such as ``/proc``): probed by creating and removing a temporary file;
    * any of ``inputs`` (files or folders that are read): an output never replaces an input, and an
      output folder never contains one.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_path(d / "a.csv", suffixes=(".csv",)).name
    'a.csv'
    >>> check_output_path(d / "a.xlsx", suffixes=(".csv", ".json"))
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: --out '...a.xlsx': the file name must end in .csv or .json
    >>> check_output_path("")
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: --out '': empty path; give a file name
    """
    what = "a file name" if kind == "file" else "a folder name"
    if path is None or not os.fspath(path).strip():
        raise _refuse(flag, "" if path is None else os.fspath(path), f"empty path; give {what}")
    target = Path(path)
    if kind == "file":
        if target.is_dir():
            raise _refuse(flag, target, f"is a folder; give {what}")
        wanted = tuple(s.lower() for s in suffixes)
        if wanted and target.suffix.lower() not in wanted:
            names = " or ".join([", ".join(wanted[:-1]), wanted[-1]] if len(wanted) > 1 else wanted)
            raise _refuse(flag, target, f"the file name must end in {names}")
    elif target.exists() and not target.is_dir():
        raise _refuse(flag, target, "exists and is not a folder")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise _refuse(flag, target, f"the folder {str(parent)!r} does not exist")
    if not parent.is_dir():
        raise _refuse(flag, target, f"{str(parent)!r} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=parent)
    except OSError as exc:
        reason = {
            errno.EACCES: "permission denied",
            errno.EPERM: "permission denied",
            errno.EROFS: "read-only file system",
            errno.ENOENT: "not a writable folder",
        }.get(exc.errno or 0, exc.strerror or type(exc).__name__)
        raise _refuse(flag, target, f"cannot write in {str(parent)!r} ({reason})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    resolved = target.resolve()
    for item in inputs:
        source = Path(item).resolve()
        if source == resolved or (kind == "folder" and resolved in source.parents):
            raise _refuse(
                flag,
                target,
                "is an input; endolab never writes over its input: choose another output",
            )
    return target


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
