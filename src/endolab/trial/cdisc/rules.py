"""The SDTMIG/ADaMIG structural rules that apply to endolab's CDISC output, checked on the files.

The open CDISC CORE rules engine (``cdisc-rules-engine``) needs its rules cache from the CDISC
Library (an API key, the network), so it is not run here; these checks read the written files back
(XPT through ``pyreadstat``, Dataset-JSON as JSON) and test what the implementation guides and the
SAS XPORT v5 transport format require of their structure:

1. dataset names: 1–8 characters, upper-case letters and digits, starting with a letter;
2. variable names: the same rule (XPORT v5; the SDTMIG and ADaMIG naming conventions);
3. dataset and variable labels: present, at most 40 characters;
4. character variables: at most 200 characters (XPORT v5);
5. STUDYID and USUBJID in every dataset, DOMAIN in every SDTM domain (RDOMAIN in SUPP--);
6. the Required variables of each dataset (:data:`REQUIRED`, from the SDTMIG domain specifications
   and the ADaMIG v1.3 ADSL, BDS and TTE variable tables; where SDTMIG versions differ — ARMCD, ARM,
   ACTARMCD and ACTARM are Required in v3.2 and Expected from v3.3 — the stricter is held);
7. one record per natural key (:data:`KEYS`);
8. --SEQ unique within each subject.

A Required variable that is present but empty is a **gap**, not a structural error: SITEID,
COUNTRY and RACE are not in the endolab trial dataset format and are left empty, to be filled in
before a submission.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

__all__ = ["KEYS", "REQUIRED", "RulesReport", "check_folder"]

#: Required variables (core "Req") per dataset.
REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "DM": (
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        "SUBJID",
        "SITEID",
        "SEX",
        "ARMCD",
        "ARM",
        "ACTARMCD",
        "ACTARM",
        "COUNTRY",
    ),
    "SUPPDM": (
        "STUDYID",
        "RDOMAIN",
        "USUBJID",
        "QNAM",
        "QLABEL",
        "QVAL",
        "QORIG",
    ),
    "VS": ("STUDYID", "DOMAIN", "USUBJID", "VSSEQ", "VSTESTCD", "VSTEST"),
    "EX": ("STUDYID", "DOMAIN", "USUBJID", "EXSEQ", "EXTRT"),
    "CM": ("STUDYID", "DOMAIN", "USUBJID", "CMSEQ", "CMTRT"),
    "LB": ("STUDYID", "DOMAIN", "USUBJID", "LBSEQ", "LBTESTCD", "LBTEST"),
    "AE": ("STUDYID", "DOMAIN", "USUBJID", "AESEQ", "AETERM", "AEDECOD"),
    "CE": ("STUDYID", "DOMAIN", "USUBJID", "CESEQ", "CETERM"),
    "ADSL": (
        "STUDYID",
        "USUBJID",
        "SUBJID",
        "SITEID",
        "AGE",
        "AGEU",
        "SEX",
        "RACE",
        "ARM",
        "ACTARM",
        "TRT01P",
    ),
    "ADLB": ("STUDYID", "USUBJID", "PARAM", "PARAMCD"),
    "ADTTE": ("STUDYID", "USUBJID", "PARAM", "PARAMCD", "AVAL", "STARTDT", "ADT", "CNSR"),
}
#: Natural keys: one record per value of these variables.
KEYS: Final[dict[str, tuple[str, ...]]] = {
    "DM": ("USUBJID",),
    "SUPPDM": ("USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
    "VS": ("USUBJID", "VSSEQ"),
    "EX": ("USUBJID", "EXSEQ"),
    "CM": ("USUBJID", "CMSEQ"),
    "LB": ("USUBJID", "LBSEQ"),
    "AE": ("USUBJID", "AESEQ"),
    "CE": ("USUBJID", "CESEQ"),
    "ADSL": ("USUBJID",),
    "ADLB": ("USUBJID", "PARAMCD", "ADT"),
    "ADTTE": ("USUBJID", "PARAMCD"),
}
_NAME: Final = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")


@dataclass(frozen=True)
class RulesReport:
    """``errors``: structural rules broken (one line each); ``gaps``: Required variables left
    empty; ``datasets``: the datasets checked."""

    errors: tuple[str, ...]
    gaps: tuple[str, ...]
    datasets: tuple[str, ...]


@dataclass(frozen=True)
class _Meta:
    name: str
    label: str
    labels: dict[str, str]
    char_lengths: dict[str, int]  # character variables → declared length
    frame: pl.DataFrame


def _xpt_meta(path: Path) -> _Meta:
    import pyreadstat

    frame, meta = pyreadstat.read_xport(str(path), output_format="polars")
    types = meta.readstat_variable_types or {}
    widths = meta.variable_storage_width or {}
    return _Meta(
        name=str(meta.table_name or ""),
        label=str(meta.file_label or ""),
        labels={k: str(v or "") for k, v in (meta.column_names_to_labels or {}).items()},
        char_lengths={k: int(widths.get(k, 0)) for k, t in types.items() if t == "string"},
        frame=frame,
    )


def _json_meta(path: Path) -> _Meta:
    doc = json.loads(path.read_text(encoding="utf-8"))
    cols = doc["columns"]
    names = [c["name"] for c in cols]
    frame = pl.DataFrame(
        {n: [r[i] for r in doc.get("rows", [])] for i, n in enumerate(names)},
        schema={
            n: (pl.String if c["dataType"] in ("string", "date") else pl.Float64)
            for n, c in zip(names, cols, strict=True)
        },
        strict=False,
    )
    return _Meta(
        name=str(doc.get("name", "")),
        label=str(doc.get("label", "")),
        labels={c["name"]: str(c.get("label", "")) for c in cols},
        char_lengths={
            c["name"]: int(c.get("length", 0)) for c in cols if c["dataType"] == "string"
        },
        frame=frame,
    )


def _check(m: _Meta, file: str, errors: list[str], gaps: list[str]) -> None:
    ds = m.name.upper()
    if not _NAME.match(m.name):
        errors.append(f"{file}: dataset name {m.name!r} is not 1-8 upper-case letters/digits")
    if not m.label or len(m.label) > 40:
        errors.append(f"{file}: dataset label {m.label!r} is empty or longer than 40 characters")
    for var, label in m.labels.items():
        if not _NAME.match(var):
            errors.append(f"{file}: variable name {var!r} is not 1-8 upper-case letters/digits")
        if not label or len(label) > 40:
            errors.append(f"{file}: {var} label {label!r} is empty or longer than 40 characters")
    for var, length in m.char_lengths.items():
        if length > 200:
            errors.append(f"{file}: {var} is {length} characters long (at most 200)")
    needed = ["STUDYID", "USUBJID"]
    if not ds.startswith("AD"):
        needed.append("RDOMAIN" if ds.startswith("SUPP") else "DOMAIN")
    for var in (*needed, *REQUIRED.get(ds, ())):
        if var not in m.frame.columns:
            errors.append(f"{file}: required variable {var} is missing")
        elif var in m.char_lengths:
            empty = m.frame.filter(
                pl.col(var).cast(pl.String).fill_null("").str.strip_chars() == ""
            )
            if empty.height:
                gaps.append(f"{ds}.{var} is empty in {empty.height} of {m.frame.height} records")
    keys = [k for k in KEYS.get(ds, ()) if k in m.frame.columns]
    if keys and m.frame.height and m.frame.select(keys).is_duplicated().any():
        errors.append(f"{file}: more than one record per {', '.join(keys)}")
    seq = [c for c in m.frame.columns if c.endswith("SEQ") and len(c) == 5 and c[:2] == ds[:2]]
    for c in seq:
        if m.frame.select("USUBJID", c).is_duplicated().any():
            errors.append(f"{file}: {c} is not unique within a subject")


def check_folder(folder: str | Path) -> RulesReport:
    """Check every ``*.xpt`` and ``*.json`` dataset of ``folder`` (module docstring)."""
    errors: list[str] = []
    gaps: list[str] = []
    names: list[str] = []
    for path in sorted(Path(folder).iterdir()):
        if path.suffix not in (".xpt", ".json") or path.name.startswith("."):
            continue
        meta = _xpt_meta(path) if path.suffix == ".xpt" else _json_meta(path)
        names.append(meta.name)
        _check(meta, path.name, errors, gaps)
    return RulesReport(tuple(errors), tuple(gaps), tuple(names))
