"""``endolab trial export``: a trial dataset → SDTM or ADaM datasets in a folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final, Literal

import polars as pl

from endolab.errors import InputError
from endolab.trial.cdisc.adam import adam_datasets
from endolab.trial.cdisc.files import FORMATS, STANDARDS, write_cdisc_folder
from endolab.trial.cdisc.model import Dataset
from endolab.trial.cdisc.sdtm import sdtm_datasets
from endolab.trial.dataset import TrialDataset
from endolab.trial.protocol import Protocol

__all__ = [
    "check_export_options",
    "default_study_id",
    "export_cdisc",
    "over_long_values",
    "required_gaps",
]

#: Arm codes, at most 20 characters (SDTMIG v3.2 DM: ARMCD "limited to 20 characters" [V: read
#: in a public transcription of the SDTMIG DM specification]).
_ARM_CODES: Final = ("ARMCD", "ACTARMCD")
_STUDY_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")


def default_study_id(folder: str | Path) -> str:
    """STUDYID from a dataset folder's name: upper case, letters, digits, - and _ only, at most 20
    characters; ``STUDY`` when nothing is left.

    >>> default_study_id("ex/trial"), default_study_id("my trial (v2)"), default_study_id("/")
    ('TRIAL', 'MYTRIALV2', 'STUDY')
    """
    name = re.sub(r"[^A-Za-z0-9_-]", "", Path(folder).resolve().name).upper()[:20]
    return name if name and _STUDY_ID.match(name) else "STUDY"


def check_export_options(standard: str, format: str, study_id: str | None) -> None:
    """One-line InputError for a --standard, --format or --study-id that is not accepted."""
    if standard not in STANDARDS:
        raise InputError(f"--standard must be sdtm or adam, got {standard!r}", field="standard")
    if format not in FORMATS:
        raise InputError(f"--format must be xpt or json, got {format!r}", field="format")
    if study_id is not None and not _STUDY_ID.match(study_id):
        raise InputError(
            f"--study-id must be 1-20 upper-case letters, digits, - or _, got {study_id!r}",
            field="study_id",
        )


def required_gaps(datasets: list[Dataset]) -> list[str]:
    """Required variables left empty (not in the endolab format), one line each."""
    out: list[str] = []
    for ds in datasets:
        for v in ds.vars:
            if v.core == "Req" and v.type == "text" and ds.frame.height:
                empty = ds.frame.filter(pl.col(v.name) == "").height
                if empty:
                    out.append(
                        f"{ds.name}.{v.name} (Required) is empty in {empty} of "
                        f"{ds.frame.height} records: {v.source or 'not in the endolab format'}"
                    )
    return out


def over_long_values(datasets: list[Dataset]) -> list[str]:
    """Character variables with a value over 200 bytes, and arm codes (the cohort) over 20
    characters, one line each: SDTMIG/ADaMIG and SAS
    XPORT v5 hold at most 200 per value, so the structural rules (rule 4 of
    :mod:`~endolab.trial.cdisc.rules`) fail on such a file until the text is shortened or moved
    to a SUPP-- dataset."""
    from endolab.trial.cdisc.model import char_length

    out: list[str] = []
    for ds in datasets:
        for v in ds.vars:
            if v.type == "text" and ds.frame.height:
                longest = char_length(ds.frame, v.name)
                if longest > 200:
                    out.append(
                        f"{ds.name}.{v.name} has values of up to {longest} bytes (SDTMIG and "
                        "XPORT v5: at most 200): shorten them or move the text to a SUPP-- "
                        "dataset before a submission"
                    )
                if v.name in _ARM_CODES and ds.frame.height:
                    chars = ds.frame.select(pl.col(v.name).str.len_chars().max()).item() or 0
                    if chars > 20:
                        out.append(
                            f"{ds.name}.{v.name} has a code of {chars} characters (SDTMIG: at "
                            "most 20; it is the cohort name): give the cohorts shorter names"
                        )
    return out


def export_cdisc(
    ds: TrialDataset,
    out: str | Path,
    *,
    standard: Literal["sdtm", "adam"],
    format: Literal["xpt", "json"],
    protocol: Protocol,
    study_id: str,
    treatment: str = "ISLET CELLS",
    created: str | None = None,
) -> tuple[Path, list[Dataset], list[str]]:
    """Write the SDTM or ADaM datasets of ``ds`` to ``out``; return the folder, the datasets and
    warnings: the Required variables left empty (:func:`required_gaps`) and values over 200
    bytes (:func:`over_long_values`)."""
    check_export_options(standard, format, study_id)
    datasets = (
        sdtm_datasets(ds, study_id=study_id, treatment=treatment)
        if standard == "sdtm"
        else adam_datasets(ds, protocol, study_id=study_id, treatment=treatment)
    )
    target = write_cdisc_folder(
        datasets, out, standard=standard, format=format, study_id=study_id, created=created
    )
    return target, datasets, [*required_gaps(datasets), *over_long_values(datasets)]
