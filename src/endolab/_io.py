"""The one output rule of endolab, and atomic writes (docs/cli.md, "Output files and folders").

**endolab never deletes, replaces or re-permissions anything it did not write.**

* An output **file** that exists is replaced only when the caller says so (``overwrite=True``; the
  command-line flag ``--overwrite``, the same in every command), atomically (a temporary file in the
  same folder, then :func:`os.replace`) and keeping its permission bits. Without it the write is
  refused with one line; a new file is linked into place so that even a file created meanwhile is
  never replaced.
* An output **folder** is created new, or reused only when it is empty or when it holds endolab's own
  manifest (:data:`MANIFEST_NAME`, written last into every folder endolab builds) listing each file
  endolab wrote there with its SHA-256. Only files that are listed *and unchanged* are replaced or
  removed; anything else in the folder — a file or folder endolab did not write, a listed file edited
  since, a link, a manifest of another kind of output — is a one-line refusal naming that entry.
  Folders are built in a temporary folder and moved into place when complete.
* Every :class:`OSError` on a path (a name longer than the file system allows, permission denied,
  a folder for a file, a loop of links, no space left, …) becomes one :class:`~endolab.errors.
  InputError` line naming the path and the reason (:func:`path_error`), exit status 3.

Input files are never opened for writing anywhere in endolab.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Final, Literal

from endolab.errors import InputError

__all__ = [
    "MANIFEST_NAME",
    "atomic_directory",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_output_path",
    "path_error",
]

#: The manifest endolab writes into every output folder: the files it wrote there and their SHA-256.
MANIFEST_NAME: Final = ".endolab-manifest.json"

_MANIFEST_FORMAT: Final = 1
_TMP_PREFIX: Final = ".endolab-tmp-"

_REASONS: Final[dict[int, str]] = {
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ELOOP: "too many levels of symbolic links (a loop of links?)",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "already exists",
    errno.ENOTEMPTY: "a folder that is not empty is in the way",
    errno.EXDEV: "cannot move across file systems",
    errno.EIO: "input/output error of the device",
    errno.EFBIG: "file too large for the file system",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files",
    errno.EBUSY: "device or resource busy",
    errno.ETXTBSY: "file busy",
    errno.ENXIO: "no such device",
    errno.ENODEV: "no such device",
}


def _name_max(path: str) -> int:
    """Longest name (bytes) the file system holding ``path`` allows (255 when unknown)."""
    probe = Path(path).absolute()
    for folder in (probe, *probe.parents):
        with contextlib.suppress(OSError, ValueError):
            if folder.is_dir():
                return int(os.pathconf(folder, "PC_NAME_MAX"))
    return 255


def os_error_reason(exc: OSError, path: object = None) -> str:
    """The reason of an :class:`OSError`, in words (for a name too long: its length and the limit).

    >>> os_error_reason(PermissionError(13, "Permission denied"))
    'permission denied'
    >>> os_error_reason(OSError(36, "File name too long"), "/tmp/" + "a" * 300)
    'a name in the path is 300 bytes long; the file system allows at most 255'
    """
    if exc.errno == errno.ENAMETOOLONG:
        text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else exc.filename
        if isinstance(text, str) and text:
            longest = max(len(os.fsencode(part)) for part in Path(text).parts)
            limit = _name_max(text)
            if longest > limit:
                return f"a name in the path is {longest} bytes long; the file system allows at most {limit}"
        return "the path or a name in it is longer than the file system allows"
    return _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def path_error(exc: OSError, path: object = None, *, flag: str | None = None) -> InputError:
    """An :class:`OSError` as one line naming the path (and the option, when given) and the reason.

    >>> str(path_error(OSError(13, "Permission denied", "/root/x.csv"), flag="--out"))
    "--out '/root/x.csv': permission denied"
    >>> str(path_error(IsADirectoryError(21, "Is a directory", "data")))
    "'data': is a folder, not a file"
    """
    where = path if path is not None else exc.filename
    text = os.fspath(where) if isinstance(where, (str, os.PathLike)) else None
    if text is None and isinstance(where, bytes):
        text = os.fsdecode(where)
    reason = os_error_reason(exc, text)
    if text is None:
        message = f"{flag}: {reason}" if flag else reason
    else:
        message = f"{flag} {text!r}: {reason}" if flag else f"{text!r}: {reason}"
    return InputError(message, field=(flag or "path").lstrip("-"), value=text)


def _refuse(flag: str, path: object, why: str) -> InputError:
    return InputError(f"{flag} {str(path)!r}: {why}", field=flag.lstrip("-"), value=str(path))


def _tmp_prefix(name: str) -> str:
    """A hidden temporary name's prefix, short enough for any file system (a long ``name`` would
    make the temporary name longer than the target's)."""
    return f".{name[:32]}."


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------- folders


class _ForeignError(Exception):
    """Why an existing folder cannot be reused (the sentence after ``--out 'x': the folder``);
    ``own``: every file in it is endolab's, of another kind of output."""

    def __init__(self, why: str, *, own: bool = False) -> None:
        super().__init__(why)
        self.own = own


def _manifest_entries(folder: Path, writer: str | None) -> dict[str, set[str]]:
    """The files endolab wrote into ``folder`` (relative POSIX path → acceptable SHA-256s)."""
    manifest = folder / MANIFEST_NAME
    where = str(manifest)
    if writer is None:
        raise _ForeignError(f"holds {where!r}, from another endolab command")
    try:
        if not stat.S_ISREG(manifest.lstat().st_mode):
            raise _ForeignError(f"holds {where!r}, which is not a file endolab wrote")
        record = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise _ForeignError(f"holds {where!r}, which is not a manifest endolab can read") from None
    files = record.get("files") if isinstance(record, dict) else None
    pending = record.get("pending", {}) if isinstance(record, dict) else None
    kind = record.get("contents") if isinstance(record, dict) else None
    if (
        not (isinstance(files, dict) and isinstance(pending, dict) and isinstance(kind, str))
        or record.get("format") != _MANIFEST_FORMAT
    ):
        raise _ForeignError(f"holds {where!r}, which is not a manifest endolab can read")
    if kind != writer:
        raise _ForeignError(f"holds {kind} written by endolab, not {writer}", own=True)
    entries: dict[str, set[str]] = {}
    listed = [(rel, [digest]) for rel, digest in files.items()]
    listed += [(rel, digests) for rel, digests in pending.items()]
    for rel, digests in listed:
        pure = PurePosixPath(rel) if isinstance(rel, str) else PurePosixPath("/")
        if (
            not isinstance(digests, list)
            or not all(isinstance(d, str) for d in digests)
            or pure.is_absolute()
            or not pure.parts
            or str(pure) != rel
            or any(part in ("", ".", "..") for part in pure.parts)
            or rel == MANIFEST_NAME
        ):
            raise _ForeignError(f"holds {where!r}, which is not a manifest endolab can read")
        entries.setdefault(rel, set()).update(digests)
    return entries


def _own_entries(folder: Path, writer: str | None, *, ignore: str = "") -> dict[str, set[str]]:
    """The manifest entries of an existing ``folder`` that may be reused, else :class:`_ForeignError`.

    Every entry in the folder (walked in sorted order) must be endolab's: the manifest itself, a file
    it lists with an unchanged SHA-256, or a folder on the way to one. ``ignore`` is a name at the
    top level to skip (endolab's own temporary folder while it builds the output).
    """
    top = sorted(e.name for e in os.scandir(folder) if e.name != ignore)
    if not top:
        return {}
    if MANIFEST_NAME not in top:
        raise _ForeignError(f"holds {str(folder / top[0])!r}, which endolab did not write")
    entries = _manifest_entries(folder, writer)
    folders = {str(parent) for rel in entries for parent in PurePosixPath(rel).parents}

    def walk(path: Path, rel: str) -> None:
        for name in sorted(os.listdir(path)):
            child_rel = f"{rel}/{name}" if rel else name
            if not rel and name in (MANIFEST_NAME, ignore):
                continue
            child = path / name
            mode = child.lstat().st_mode
            if stat.S_ISDIR(mode) and child_rel in folders:
                walk(child, child_rel)
            elif stat.S_ISREG(mode) and child_rel in entries:
                try:
                    digest = _sha256(child)
                except OSError as exc:
                    raise _ForeignError(
                        f"holds {str(child)!r}, which endolab cannot read ({os_error_reason(exc)})"
                    ) from None
                if digest not in entries[child_rel]:
                    raise _ForeignError(
                        f"holds {str(child)!r}, which was changed after endolab wrote it"
                    )
            else:
                raise _ForeignError(f"holds {str(child)!r}, which endolab did not write")

    walk(folder, "")
    return entries


def _checked_entries(
    target: Path, writer: str | None, flag: str, *, ignore: str = ""
) -> dict[str, set[str]]:
    try:
        return _own_entries(target, writer, ignore=ignore)
    except _ForeignError as why:
        rule = "" if why.own else "; endolab never deletes or replaces what it did not write"
        raise _refuse(flag, target, f"the folder {why}{rule}: give a new or empty folder") from None


def _manifest_bytes(
    writer: str, files: Mapping[str, str], pending: Mapping[str, set[str]]
) -> bytes:
    record: dict[str, object] = {
        "format": _MANIFEST_FORMAT,
        "contents": writer,
        "note": (
            "Written by endolab: the files it wrote into this folder. endolab replaces or removes "
            "only these files, and only while unchanged; it refuses to reuse a folder holding "
            "anything else."
        ),
        "files": dict(sorted(files.items())),
    }
    if pending:
        record["pending"] = {rel: sorted(pending[rel]) for rel in sorted(pending)}
    return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _listing(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative POSIX path → SHA-256), in sorted order."""
    found: dict[str, str] = {}
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root, name)
            rel = path.relative_to(folder).as_posix()
            if rel != MANIFEST_NAME:
                found[rel] = _sha256(path)
    return found


def _write_manifest(
    folder: Path, writer: str, files: Mapping[str, str], pending: Mapping[str, set[str]]
) -> None:
    _write_file(folder / MANIFEST_NAME, _manifest_bytes(writer, files, pending), overwrite=True)


def _install(
    tmp: Path, target: Path, writer: str, old: Mapping[str, set[str]], last: Sequence[str]
) -> None:
    """Move the files built in ``tmp`` into the existing folder ``target`` (empty or endolab's).

    Order: the manifest first lists the new files *and* the old ones (an interruption leaves a
    folder endolab can still reuse); the old ``last`` files (e.g. ``_SUCCESS``) are removed, the new
    files moved in, the old files no longer written removed (and the folders they leave empty), the
    new ``last`` files moved in, and the manifest rewritten. A replaced file keeps its permission
    bits; the folder itself is not touched.
    """
    new = _listing(tmp)
    _write_manifest(target, writer, new, old)
    for rel in old:
        if rel in last:
            with contextlib.suppress(FileNotFoundError):
                (target / rel).unlink()

    def move(rel: str) -> None:
        for parent in reversed(PurePosixPath(rel).parents[:-1]):
            folder = target / str(parent)
            if not folder.is_dir():
                folder.mkdir()
                _chmod_like_new(folder, 0o777)
        source, dest = tmp / rel, target / rel
        with contextlib.suppress(FileNotFoundError):
            mode = dest.lstat().st_mode
            if stat.S_ISREG(mode):
                source.chmod(stat.S_IMODE(mode))
        os.replace(source, dest)

    for rel in new:
        if rel not in last:
            move(rel)
    for rel in old:
        if rel not in new:
            with contextlib.suppress(FileNotFoundError):
                (target / rel).unlink()
    keep = {str(p) for rel in new for p in PurePosixPath(rel).parents}
    emptied = {str(p) for rel in old for p in PurePosixPath(rel).parents} - keep
    for rel in sorted(emptied, key=lambda r: -len(PurePosixPath(r).parts)):
        with contextlib.suppress(
            OSError
        ):  # rmdir removes only an empty folder, never anything else
            (target / rel).rmdir()
    for rel in new:
        if rel in last:
            move(rel)
    _write_manifest(target, writer, new, {})


@contextlib.contextmanager
def atomic_directory(
    path: str | os.PathLike[str],
    *,
    writer: str,
    flag: str = "--out",
    last: Sequence[str] = (),
) -> Iterator[Path]:
    """Build an output folder in a temporary folder and move it to ``path`` when the block succeeds.

    ``writer`` names what the folder holds ("a trial report"); it is recorded in the folder's
    manifest, and a folder endolab wrote with another ``writer`` is not reused. ``path`` must be new,
    an empty folder, or a folder holding only files endolab's manifest lists, unchanged (the output
    rule, module docstring); else one-line :class:`~endolab.errors.InputError` naming the first
    foreign entry, before the block runs and again before anything is moved. ``last``: names moved
    into an existing folder after every other file (e.g. a ``_SUCCESS`` marker).

    If the block raises, nothing is left behind and an existing folder is untouched. A new folder is
    renamed into place whole; into an existing one, only endolab's files are moved, removed or
    replaced (keeping their permission bits), and the folder itself keeps its permissions.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_directory(root / "report", writer="an example") as tmp:
    ...     _ = (tmp / "x.txt").write_text("ok")
    >>> sorted(p.name for p in (root / "report").iterdir())
    ['.endolab-manifest.json', 'x.txt']
    >>> _ = (root / "report" / "mine.txt").write_text("a user's file")
    >>> with atomic_directory(root / "report", writer="an example") as tmp:
    ...     pass
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: --out '...report': the folder holds '...mine.txt', which endolab did not write; ...
    """
    target = Path(path)
    try:
        parent = target.parent if str(target.parent) else Path(".")
        if not parent.is_dir():
            raise _refuse(flag, target, f"the folder {str(parent)!r} does not exist")
        if os.path.lexists(target) and (target.is_symlink() or not target.is_dir()):
            raise _refuse(flag, target, "exists and is not a folder")
        exists = target.is_dir()
        if exists:
            _checked_entries(target, writer, flag)
            tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=target))
        else:
            tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(target.name), dir=parent))
        _chmod_like_new(tmp, 0o777)
    except OSError as exc:
        raise path_error(exc, target, flag=flag) from None
    try:
        yield tmp
        try:
            if not exists and not os.path.lexists(target):
                _write_manifest(tmp, writer, _listing(tmp), {})
                os.replace(tmp, target)
                return
            if not target.is_dir() or target.is_symlink():
                raise _refuse(flag, target, "exists and is not a folder")
            old = _checked_entries(target, writer, flag, ignore=tmp.name if exists else "")
            _install(tmp, target, writer, old, last)
        except OSError as exc:
            raise path_error(exc, target, flag=flag) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------ the checks


def check_output_path(
    path: str | os.PathLike[str] | None,
    *,
    flag: str = "--out",
    kind: Literal["file", "folder"] = "file",
    suffixes: Sequence[str] = (),
    inputs: Iterable[str | os.PathLike[str]] = (),
    overwrite: bool = False,
    writer: str | None = None,
) -> Path:
    """Check an output path before any work is done and return it as a :class:`~pathlib.Path`.

    One place for every front end (CLI, web): the checks run in milliseconds (plus reading the files
    an existing endolab folder lists), so a user learns of a path that cannot be written before
    minutes of computing, not after. Refused, each with a one-line
    :class:`~endolab.errors.InputError` (exit status 3) naming ``flag``:

    * an empty path (``--svg ""`` would otherwise mean the current folder);
    * a missing parent folder (outputs never create folders the user did not ask for);
    * for ``kind="file"``: an existing folder; a suffix not in ``suffixes`` (when given, e.g.
      ``(".csv", ".json")``: ``m.xlsx`` is not written as CSV text); a link; an existing file
      unless ``overwrite`` (the ``--overwrite`` flag);
    * for ``kind="folder"``: an existing file; an existing folder that holds anything endolab did
      not write there as ``writer`` (the output rule, module docstring; ``writer=None``: only a new
      or empty folder);
    * a folder where a file cannot be created (permissions, a read-only or virtual file system such
      as ``/proc``): probed by creating and removing a temporary file;
    * any of ``inputs`` (files or folders that are read): an output never replaces an input, and an
      output folder never contains one;
    * any other operating-system error on the path (:func:`path_error`).

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
    >>> _ = (d / "a.csv").write_text("mine")
    >>> check_output_path(d / "a.csv")
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: --out '...a.csv': the file exists; add --overwrite to replace it
    """
    what = "a file name" if kind == "file" else "a folder name"
    if path is None or not os.fspath(path).strip():
        raise _refuse(flag, "" if path is None else os.fspath(path), f"empty path; give {what}")
    target = Path(path)
    try:
        return _check_output_path(target, flag, kind, suffixes, inputs, overwrite, writer)
    except OSError as exc:
        raise path_error(exc, target, flag=flag) from None


def _check_output_path(
    target: Path,
    flag: str,
    kind: Literal["file", "folder"],
    suffixes: Sequence[str],
    inputs: Iterable[str | os.PathLike[str]],
    overwrite: bool,
    writer: str | None,
) -> Path:
    what = "a file name" if kind == "file" else "a folder name"
    is_link = target.is_symlink()
    if kind == "file":
        if target.is_dir() and not is_link:
            raise _refuse(flag, target, f"is a folder; give {what}")
        wanted = tuple(s.lower() for s in suffixes)
        if wanted and target.suffix.lower() not in wanted:
            names = " or ".join([", ".join(wanted[:-1]), wanted[-1]] if len(wanted) > 1 else wanted)
            raise _refuse(flag, target, f"the file name must end in {names}")
    elif os.path.lexists(target) and (is_link or not target.is_dir()):
        raise _refuse(flag, target, "exists and is not a folder")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise _refuse(flag, target, f"the folder {str(parent)!r} does not exist")
    if not parent.is_dir():
        raise _refuse(flag, target, f"{str(parent)!r} is not a folder")
    if kind == "file" and os.path.lexists(target):
        if is_link:
            raise _refuse(flag, target, "is a symbolic link; endolab does not replace links")
        if not stat.S_ISREG(target.lstat().st_mode):
            raise _refuse(flag, target, "exists and is not a regular file")
        if not overwrite:
            raise _refuse(flag, target, "the file exists; add --overwrite to replace it")
    # os.path.realpath, not Path.resolve(): a loop of symbolic links among the inputs is the
    # reader's to name in one line, not a RuntimeError here (issue 18)
    resolved = Path(os.path.realpath(target))
    for item in inputs:
        source = Path(os.path.realpath(item))
        if source == resolved or (kind == "folder" and resolved in source.parents):
            raise _refuse(
                flag,
                target,
                "is an input; endolab never writes over its input: choose another output",
            )
    existing_folder = kind == "folder" and target.is_dir()
    if existing_folder:
        _checked_entries(target, writer, flag)
    room = target if existing_folder else parent
    try:
        fd, probe = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".probe", dir=room)
    except OSError as exc:
        reason = {
            errno.EACCES: "permission denied",
            errno.EPERM: "permission denied",
            errno.EROFS: "read-only file system",
            errno.ENOENT: "not a writable folder",
        }.get(exc.errno or 0, os_error_reason(exc, target))
        raise _refuse(flag, target, f"cannot write in {str(room)!r} ({reason})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return target


# -------------------------------------------------------------------------------------- files


def _chmod_like_new(path: Path, mode: int) -> None:
    """Give ``path`` the permissions a plain ``open``/``mkdir`` would (``mode`` less the umask).

    ``mkstemp``/``mkdtemp`` create private (0600/0700) entries; an output file or report folder should
    be as readable as any other file the user writes.
    """
    mask = os.umask(0)
    os.umask(mask)
    path.chmod(mode & ~mask)


_NO_LINKS: Final = frozenset(
    {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV, errno.ENOSYS}
)


def _write_file(target: Path, data: bytes, *, overwrite: bool, flag: str = "--out") -> Path:
    """:func:`atomic_write_bytes` without the translation of OS errors."""
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise _refuse(flag, target, f"the folder {str(parent)!r} does not exist")
    old_mode: int | None = None
    if os.path.lexists(target):
        info = target.lstat()
        if stat.S_ISLNK(info.st_mode):
            raise _refuse(flag, target, "is a symbolic link; endolab does not replace links")
        if stat.S_ISDIR(info.st_mode):
            raise _refuse(flag, target, "is a folder; give a file name")
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(flag, target, "exists and is not a regular file")
        if not overwrite:
            raise _refuse(flag, target, "the file exists; add --overwrite to replace it")
        old_mode = stat.S_IMODE(info.st_mode)
    fd, tmp_name = tempfile.mkstemp(prefix=_tmp_prefix(target.name), suffix=".tmp", dir=parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if old_mode is None:
            _chmod_like_new(tmp, 0o666)
        else:
            tmp.chmod(old_mode)
        if overwrite:
            os.replace(tmp, target)
            return target
        try:
            os.link(tmp, target)  # fails if the name exists: never replaces a file made meanwhile
        except FileExistsError:
            raise _refuse(flag, target, "the file exists; add --overwrite to replace it") from None
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            if os.path.lexists(target):
                raise _refuse(
                    flag, target, "the file exists; add --overwrite to replace it"
                ) from None
            os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, overwrite: bool = False, flag: str = "--out"
) -> Path:
    """Write ``data`` to the file ``path`` atomically and return the path.

    An existing file is replaced only with ``overwrite=True`` (keeping its permission bits; never a
    link, a folder or a device); without it, one-line :class:`~endolab.errors.InputError` naming
    ``flag``. Any OS error is one line too (:func:`path_error`). A reader never sees a partial file.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "a.txt", b"hello").read_bytes()
    b'hello'
    >>> atomic_write_bytes(d / "a.txt", b"again")
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: --out '...a.txt': the file exists; add --overwrite to replace it
    >>> atomic_write_bytes(d / "a.txt", b"again", overwrite=True).read_bytes()
    b'again'
    """
    target = Path(path)
    try:
        return _write_file(target, data, overwrite=overwrite, flag=flag)
    except OSError as exc:
        raise path_error(exc, target, flag=flag) from None


def atomic_write_text(
    path: str | os.PathLike[str],
    text: str,
    encoding: str = "utf-8",
    *,
    overwrite: bool = False,
    flag: str = "--out",
) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8 by default) and return the path
    (:func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode(encoding), overwrite=overwrite, flag=flag)
