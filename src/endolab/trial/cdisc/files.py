"""Write CDISC datasets to a folder (SAS XPORT v5 or Dataset-JSON v1.1, plus define.csv) and read
them back.

**SAS XPORT version 5** (``<name>.xpt``, lower-case names as submissions use) through ``pyreadstat``
(the optional extra ``[cdisc]``): member name = dataset name, dataset label, variable labels; ADaM
dates are numeric SAS dates with the DATE9. format. XPORT v5 stores numbers as IBM floating point,
whose 56-bit fraction holds every IEEE double's 53 bits, so a number written is read back unchanged
(tested).

**CDISC Dataset-JSON v1.1** (``<name>.json``; the standard's schema ``dataset.schema.json``, CDISC
2024): the required top-level attributes datasetJSONCreationDateTime, datasetJSONVersion "1.1.0",
itemGroupOID ``IG.<name>``, records, name, label, columns (itemOID ``IT.<name>.<variable>``, name,
label, dataType string/integer/double/date, length of character variables, keySequence of the keys)
and rows (one array per record; a missing value is null). Dates of ADaM datasets are ISO 8601 text
with dataType ``date`` and targetDataType ``integer`` (a SAS date where the data are loaded), as the
specification describes.

**define.csv** beside them: one row per variable (:func:`~endolab.trial.cdisc.model.define_rows`):
dataset, its label and class, variable, label, type, length, key order, core, origin and the
endolab column it comes from. A define-style table, not a Define-XML file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Final, Literal

import polars as pl

from endolab._io import atomic_directory
from endolab.errors import DataFileError, InputError
from endolab.trial.cdisc.model import Dataset, char_length, define_rows

__all__ = [
    "CDISC_CONTENTS",
    "DATASET_JSON_VERSION",
    "FORMATS",
    "STANDARDS",
    "dataset_json",
    "read_cdisc_folder",
    "write_cdisc_folder",
    "write_dataset_json",
]

#: What an export folder holds, as its manifest records it (:func:`endolab._io.atomic_directory`).
CDISC_CONTENTS: Final[dict[str, str]] = {
    "sdtm": "CDISC SDTM datasets",
    "adam": "CDISC ADaM datasets",
}
STANDARDS: Final = ("sdtm", "adam")
FORMATS: Final = ("xpt", "json")
DATASET_JSON_VERSION: Final = "1.1.0"
_JSON_TYPES: Final = {"text": "string", "integer": "integer", "float": "double", "date": "date"}


def dataset_json(
    ds: Dataset, *, created: str, study_oid: str = "", originator: str = "endolab"
) -> dict[str, Any]:
    """The Dataset-JSON v1.1 attributes of one dataset, without its ``rows`` (module docstring);
    ``created`` is datasetJSONCreationDateTime (ISO 8601)."""
    from endolab import __version__

    columns: list[dict[str, Any]] = []
    for v in ds.vars:
        col: dict[str, Any] = {
            "itemOID": f"IT.{ds.name}.{v.name}",
            "name": v.name,
            "label": v.label,
            "dataType": _JSON_TYPES[v.type],
        }
        if v.type == "text":
            col["length"] = char_length(ds.frame, v.name)
        if v.type == "date":
            col["targetDataType"] = "integer"
            col["displayFormat"] = "DATE9."
        if v.name in ds.keys:
            col["keySequence"] = ds.keys.index(v.name) + 1
        columns.append(col)
    return {
        "datasetJSONCreationDateTime": created,
        "datasetJSONVersion": DATASET_JSON_VERSION,
        "fileOID": f"endolab.{study_oid or 'study'}.{ds.name}",
        "originator": originator,
        "sourceSystem": {"name": "endolab", "version": __version__},
        "studyOID": study_oid,
        "itemGroupOID": f"IG.{ds.name}",
        "records": ds.frame.height,
        "name": ds.name,
        "label": ds.label,
        "columns": columns,
    }


def write_dataset_json(
    ds: Dataset, path: Path, *, created: str, study_oid: str = "", chunk: int = 50_000
) -> None:
    """Write ``ds`` as a Dataset-JSON v1.1 file, its rows streamed ``chunk`` at a time (a CGM LB
    domain of millions of records is never held as Python objects at once)."""
    head = json.dumps(
        dataset_json(ds, created=created, study_oid=study_oid), ensure_ascii=False, allow_nan=False
    )
    frame = ds.frame.with_columns(
        [pl.col(v.name).dt.strftime("%Y-%m-%d") for v in ds.vars if v.type == "date"]
    )
    with path.open("w", encoding="utf-8") as out:
        out.write(head[:-1] + ', "rows": [')
        first = True
        for part in frame.iter_slices(chunk):
            text = json.dumps(part.rows(), ensure_ascii=False, allow_nan=False)[1:-1]
            if text:
                out.write(("" if first else ", ") + text)
                first = False
        out.write("]}")


def _write_xpt(ds: Dataset, path: Path) -> None:
    import pyreadstat

    formats = {v.name: "DATE9." for v in ds.vars if v.type == "date"}
    pyreadstat.write_xport(
        ds.frame,
        str(path),
        file_label=ds.label,
        column_labels={v.name: v.label for v in ds.vars},
        table_name=ds.name,
        file_format_version=5,
        variable_format=formats or None,
    )


def write_cdisc_folder(
    datasets: list[Dataset],
    folder: str | Path,
    *,
    standard: Literal["sdtm", "adam"],
    format: Literal["xpt", "json"],
    study_id: str,
    created: str | None = None,
) -> Path:
    """Write ``datasets`` into ``folder`` atomically: ``<name>.xpt`` or ``<name>.json`` for each,
    and ``define.csv``. ``folder`` follows the output rule (new, empty, or an earlier export of the
    same standard by endolab with its files unchanged). ``created`` (ISO 8601) is the Dataset-JSON
    creation time; default now, in UTC."""
    if format not in FORMATS:
        raise InputError(f"--format must be xpt or json, got {format!r}", field="format")
    if format == "xpt":
        import pyreadstat  # noqa: F401  (the one-line [cdisc] hint before anything is written)
    stamp = created or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    target = Path(folder)
    with atomic_directory(target, writer=CDISC_CONTENTS[standard]) as tmp:
        for ds in datasets:
            name = ds.name.lower()
            if format == "xpt":
                _write_xpt(ds, tmp / f"{name}.xpt")
            else:
                write_dataset_json(ds, tmp / f"{name}.json", created=stamp, study_oid=study_id)
        pl.DataFrame(define_rows(datasets), infer_schema_length=None).write_csv(tmp / "define.csv")
    return target


def _read_json(path: Path) -> pl.DataFrame:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        columns = doc["columns"]
        names = [str(c["name"]).upper() for c in columns]
        rows = doc.get("rows") or []
    except (ValueError, KeyError, TypeError) as exc:
        raise DataFileError(
            f"not a Dataset-JSON file ({exc.__class__.__name__}: {exc})",
            file=path.name,
            code="E_SDTM_FILE",
        ) from None
    data: dict[str, list[Any]] = {n: [] for n in names}
    for row in rows:
        if not isinstance(row, list) or len(row) != len(names):
            raise DataFileError(
                f"a row has {len(row) if isinstance(row, list) else 'no'} values for "
                f"{len(names)} columns",
                file=path.name,
                code="E_SDTM_FILE",
            )
        for n, value in zip(names, row, strict=True):
            data[n].append(value)
    schema = {
        n: (
            pl.Float64
            if c.get("dataType") in ("integer", "double", "float", "decimal")
            else pl.String
        )
        for n, c in zip(names, columns, strict=True)
    }
    try:
        return pl.DataFrame(data, schema=schema, strict=False)
    except (pl.exceptions.PolarsError, TypeError, ValueError) as exc:
        raise DataFileError(
            f"cannot read the rows: {exc}", file=path.name, code="E_SDTM_FILE"
        ) from None


def _read_xpt(path: Path) -> pl.DataFrame:
    import pyreadstat

    try:
        frame, _meta = pyreadstat.read_xport(str(path), output_format="polars")
    except pyreadstat.ReadstatError as exc:
        raise DataFileError(
            f"not a SAS XPORT file ({exc})", file=path.name, code="E_SDTM_FILE"
        ) from None
    out: pl.DataFrame = frame
    return out.rename({c: c.upper() for c in out.columns})


def read_cdisc_folder(folder: str | Path, names: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    """The datasets ``names`` (e.g. ``DM``) found in ``folder`` as ``<name>.xpt`` or ``<name>.json``
    (either case), each a frame with upper-case column names; a dataset that is absent is left out.
    Character values are text; numbers are floats. A folder with both files of one dataset is refused
    (which one would be meant?)."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError(
            f"SDTM folder {str(path)!r} does not exist or is not a folder", field="folder"
        )
    files = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
    out: dict[str, pl.DataFrame] = {}
    for name in names:
        xpt, js = files.get(f"{name.lower()}.xpt"), files.get(f"{name.lower()}.json")
        if xpt is not None and js is not None:
            raise DataFileError(
                f"both {xpt.name} and {js.name} are present: keep one of them",
                file=str(path),
                code="E_SDTM_FILE",
            )
        if xpt is not None:
            out[name] = _read_xpt(xpt)
        elif js is not None:
            out[name] = _read_json(js)
    return out
