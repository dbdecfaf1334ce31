"""Writing a dataset folder (:func:`write_dataset`) and an empty template (:func:`write_template`),
atomically and under the output rule of :mod:`endolab._io`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import polars as pl

from endolab._io import atomic_directory, check_output_path
from endolab.errors import InputError
from endolab.trial.dataset.model import TrialDataset
from endolab.trial.dataset.read import MANIFEST, TWINS_FOLDER
from endolab.trial.dataset.schema import FILES, template_readme

__all__ = [
    "DATASET_CONTENTS",
    "TEMPLATE_CONTENTS",
    "check_new_folder",
    "write_dataset",
    "write_template",
]


def _output_frame(ds: TrialDataset, name: str) -> pl.DataFrame:
    """The columns of the format for ``name`` (derived ``day`` columns dropped), in format order."""
    frame: pl.DataFrame = getattr(ds, name)
    return frame.select([c.name for c in FILES[name]])


#: What a dataset folder and a template folder hold, as their manifests record it
#: (:func:`endolab._io.atomic_directory`).
DATASET_CONTENTS = "a trial dataset"
TEMPLATE_CONTENTS = "an empty trial dataset (template)"


def write_template(folder: str | Path, *, flag: str = "OUT") -> Path:
    """Write an empty, valid dataset skeleton (header-only CSV files and a README) atomically.

    ``folder`` must be new, empty or an unchanged template endolab wrote (the output rule of
    :mod:`endolab._io`: a template whose files were filled in is never replaced). The skeleton
    passes :func:`check_dataset`.
    """
    target = Path(folder)  # checked by atomic_directory before anything is written
    with atomic_directory(target, writer=TEMPLATE_CONTENTS, flag=flag) as tmp:
        for name, columns in FILES.items():
            (tmp / f"{name}.csv").write_text(",".join(c.name for c in columns) + "\n")
        (tmp / "README.md").write_text(template_readme(), encoding="utf-8")
    return target


def check_new_folder(
    folder: str | Path, *, contents: str | None = DATASET_CONTENTS, flag: str = "--out"
) -> Path:
    """Return ``folder`` as a Path if it may be written as ``contents``, else raise InputError.

    The output rule (:func:`endolab._io.check_output_path`): a new folder, an empty one, or one
    holding only the unchanged files endolab wrote there as ``contents`` (``None``: only new or
    empty). A user's files are never replaced or deleted.
    """
    return check_output_path(folder, flag=flag, kind="folder", writer=contents)


def write_dataset(
    ds: TrialDataset,
    folder: str | Path,
    *,
    format: Literal["csv", "parquet"] = "csv",
    extra_files: Mapping[str, bytes] | None = None,
) -> Path:
    """Write ``ds`` as a dataset folder (format version 1) atomically and return its path.

    The folder is built in a temporary sibling and renamed into place, so a reader never sees a
    half-written dataset and a failed write leaves nothing behind. ``folder`` must be new, empty, or a
    dataset folder endolab wrote with its files unchanged and nothing else in it (the output rule of
    :mod:`endolab._io`: a user's files are never replaced or deleted). Columns are written in the order of the
    format; dates as ``YYYY-MM-DD`` and times as ``YYYY-MM-DDTHH:MM:SS``. ``extra_files`` (name →
    bytes, e.g. a ``simulation.json`` manifest) are written into the same folder. The same dataset
    gives the same bytes.
    """
    if format not in ("csv", "parquet"):
        raise InputError(
            f"unknown dataset format {format!r}; use csv or parquet", field="format", value=format
        )
    target = Path(folder)  # checked by atomic_directory before anything is written
    for extra in extra_files or {}:
        if Path(extra).name != extra or Path(extra).stem in FILES or extra == TWINS_FOLDER:
            raise InputError(f"extra file name {extra!r} is not allowed", field="extra_files")
    with atomic_directory(target, writer=DATASET_CONTENTS) as tmp:
        _write_tables(ds, tmp, format)
        for extra, data in (extra_files or {}).items():
            (tmp / extra).write_bytes(data)
        if ds.twins is not None:  # a paired simulation: the untreated twins, same format
            twin_folder = tmp / TWINS_FOLDER
            twin_folder.mkdir()
            _write_tables(ds.twins, twin_folder, format)
            if ds.twins.simulation is not None:
                text = json.dumps(ds.twins.simulation, indent=2, ensure_ascii=False, sort_keys=True)
                (twin_folder / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return target


def _write_tables(ds: TrialDataset, folder: Path, format: str) -> None:
    """Write the five tables of ``ds`` into ``folder`` (csv or parquet)."""
    for name in FILES:
        frame = _output_frame(ds, name)
        if format == "csv":
            frame.write_csv(
                folder / f"{name}.csv",
                date_format="%Y-%m-%d",
                datetime_format="%Y-%m-%dT%H:%M:%S",
            )
        else:
            frame.write_parquet(folder / f"{name}.parquet", statistics=False)
