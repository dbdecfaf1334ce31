"""Reading a dataset folder: each table from ``<name>.csv`` or ``<name>.parquet``, then the checks.

:func:`read_dataset` stops at the first problem; :func:`check_dataset` reports every problem of a
folder. The folder is only read, never written.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from endolab.errors import DataFileError, InputError
from endolab.trial.dataset.checks import Problems, assemble, validate_table
from endolab.trial.dataset.model import TrialDataset
from endolab.trial.dataset.schema import FILES, dtype
from endolab.trial.plausibility import check_plausibility

__all__ = [
    "MANIFEST",
    "TWINS_FOLDER",
    "DatasetCheck",
    "check_dataset",
    "dataset_folder",
    "empty_table",
    "read_dataset",
    "read_table",
]

#: Name of the simulator's manifest in a simulated dataset folder.
MANIFEST = "simulation.json"
#: The sub-folder of a paired simulation's dataset folder that holds the untreated twins (a dataset
#: folder of the same format with its own manifest; docs/trial-data.md, "Paired simulations").
TWINS_FOLDER = "twins"


def _locate(path: Path, name: str) -> Path:
    candidates = [path / f"{name}.csv", path / f"{name}.parquet"]
    found = [c for c in candidates if c.is_file()]
    if not found:
        raise DataFileError(
            f"required file is missing (expected {name}.csv or {name}.parquet in {str(path)!r})",
            file=f"{name}.csv",
        )
    if len(found) > 1:
        raise DataFileError(
            f"both {name}.csv and {name}.parquet are present; keep exactly one", file=found[0].name
        )
    return found[0]


def _csv_source(file: Path) -> Path | io.BytesIO:
    """The CSV to read: the file, or its bytes without a UTF-8 byte-order mark. A UTF-16 file or one
    whose columns are separated by semicolons or tabs is named as such (it used to be reported as
    every column missing)."""
    with file.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise DataFileError(
            "is UTF-16 (or holds NUL bytes), not UTF-8 text: save it as CSV UTF-8",
            file=file.name,
        )
    first = head.removeprefix(codecs.BOM_UTF8).split(b"\n", 1)[0]
    if b"," not in first:
        for sep, name in ((b";", "semicolons"), (b"\t", "tabs")):
            if sep in first:
                raise DataFileError(
                    f"its columns are separated by {name}, not commas: save it as "
                    "comma-separated CSV (a point as the decimal separator)",
                    file=file.name,
                )
    if head.startswith(codecs.BOM_UTF8):
        return io.BytesIO(file.read_bytes().removeprefix(codecs.BOM_UTF8))
    return file


def _read_raw(file: Path) -> pl.DataFrame:
    try:
        if file.suffix == ".parquet":
            return pl.read_parquet(file)
        return pl.read_csv(
            _csv_source(file),
            infer_schema=False,
            encoding="utf8",
            truncate_ragged_lines=False,
        )
    except DataFileError:
        raise
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError, ValueError) as exc:
        text = " ".join(str(exc).split())[:300]
        raise DataFileError(
            f"cannot be read as {'Parquet' if file.suffix == '.parquet' else 'CSV'}: {text}",
            file=file.name,
        ) from None
    except Exception as exc:  # pyarrow/polars raise assorted types for corrupt files
        text = " ".join(str(exc).split())[:300]
        raise DataFileError(f"cannot be read: {text}", file=file.name) from None


def _read_table(
    folder: Path, name: str, problems: Problems | None = None
) -> tuple[pl.DataFrame, str]:
    file = _locate(folder, name)
    return validate_table(_read_raw(file), name, file.name, problems), file.name


def read_dataset(
    folder: str | Path, *, cgm: pl.DataFrame | None = None, accept_units: bool = False
) -> TrialDataset:
    """Read and validate a trial dataset folder; raise DataFileError naming file, row and column.

    Extra columns are dropped from the returned frames (kept in the files, ignored here). The first
    problem found is raised; :func:`check_dataset` reports them all. A confirmable unit finding
    (:mod:`endolab.trial.plausibility`: a participant's C-peptide or weight on another scale) is a
    problem too, unless ``accept_units`` (``--accept-units``): it is then one of the returned
    dataset's ``notices``. ``cgm``, when given, replaces the folder's CGM table (e.g. the rows of
    the analysis windows read on Dask, :mod:`endolab.trial.distributed`); the folder's CGM file is
    then not read.
    """
    path = dataset_folder(folder)
    tables: dict[str, pl.DataFrame] = {}
    names: dict[str, str] = {}
    for name in FILES:
        if name == "cgm" and cgm is not None:
            names[name] = "cgm.parquet"
            tables[name] = validate_table(cgm, name, names[name])
            continue
        tables[name], names[name] = _read_table(path, name)
    ds = assemble(
        tables,
        names,
        folder=path,
        source=str(path),
        simulation=_read_manifest(path),
        problems=Problems(accept_units=accept_units),
    )
    if ds.simulation is not None and ds.simulation.get("paired") and (path / TWINS_FOLDER).is_dir():
        twins = read_dataset(path / TWINS_FOLDER, accept_units=accept_units)
        ds = dataclasses.replace(ds, twins=twins)
    return ds


def read_table(folder: str | Path, name: str) -> pl.DataFrame:
    """One table of a dataset folder (``participants``, ``labs``, …), read and checked on its own
    (no cross-table checks)."""
    return _read_table(dataset_folder(folder), name)[0]


def empty_table(name: str) -> pl.DataFrame:
    """An empty table ``name`` with the format's columns (as text, as read from an empty CSV)."""
    return pl.DataFrame({c.name: pl.Series([], dtype=pl.String) for c in FILES[name]})


def dataset_folder(folder: str | Path) -> Path:
    """``folder`` as a Path; a one-line InputError when it is not an existing folder."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError(
            f"dataset folder {str(path)!r} does not exist or is not a folder",
            field="folder",
            value=str(folder),
        )
    return path


@dataclass(frozen=True)
class DatasetCheck:
    """Every problem of a dataset folder: ``errors`` (each a DataFileError naming file, row and
    column; the dataset cannot be analysed while there is one) and plausibility ``warnings``."""

    folder: Path
    errors: tuple[DataFileError, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the dataset can be analysed (warnings allowed)."""
        return not self.errors


def check_dataset(folder: str | Path, *, accept_units: bool = False) -> DatasetCheck:
    """Validate a dataset folder and report **every** problem, not just the first.

    Each table is checked on its own (a missing or unreadable file is one problem and that table is
    skipped); within a table every check reports its first row and how many more rows it applies
    to; the checks across tables (participant ids, dates, duplicate readings) and plausibility run
    on what could be read. Nothing is computed or written. ``accept_units`` turns the confirmable
    unit findings into warnings (as :func:`read_dataset`).
    """
    path = dataset_folder(folder)
    problems = Problems(collect=True, accept_units=accept_units)
    tables: dict[str, pl.DataFrame] = {}
    names: dict[str, str] = {}
    for name in FILES:
        try:
            file = _locate(path, name)
            raw = _read_raw(file)
        except DataFileError as exc:
            problems.add(exc)
            continue
        tables[name] = validate_table(raw, name, file.name, problems)
        names[name] = file.name
    have_participants = "participants" in tables
    for name in FILES:  # a table that could not be read is checked as empty
        if name not in tables:
            tables[name] = pl.DataFrame(schema={c.name: dtype(c.kind) for c in FILES[name]})
            names[name] = f"{name}.csv"
    if have_participants:
        assemble(
            tables,
            names,
            folder=path,
            source=str(path),
            simulation=_read_manifest(path),
            problems=problems,
        )
    else:
        check_plausibility(tables, names, problems.add, problems.warn, problems.suspect)
    return DatasetCheck(path, tuple(problems.errors), tuple(problems.warnings))


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The simulator's manifest if the folder holds one written by endolab.sim, else None."""
    file = path / MANIFEST
    if not file.is_file():
        return None
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if isinstance(doc, dict) and str(doc.get("generator", "")).startswith("endolab.sim"):
        return doc
    return None
