"""The pieces every CDISC dataset is made of: variable metadata, a dataset, ISO 8601 and study days.

A :class:`Dataset` is one SDTM domain or ADaM dataset: its name (≤ 8 characters), label (≤ 40), class,
key variables and, for each variable, a :class:`Var` with its label, type, origin, core status and the
endolab column it comes from. The define-style metadata table (:func:`define_rows`) and the structural
checks (:mod:`endolab.trial.cdisc.rules`) are read from the same metadata, so the table beside the
files always says what the files hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

import polars as pl

__all__ = [
    "ARMCD",
    "DOMAIN",
    "STUDYID",
    "USUBJID",
    "Dataset",
    "Var",
    "char_length",
    "define_rows",
    "iso_date",
    "iso_datetime",
    "predecessor",
    "study_day",
]

#: The logical type of a variable: character, numeric (integer or real), or an ADaM numeric date
#: (a SAS date: days since 1960-01-01, shown with the DATE9. format).
VarType = Literal["text", "integer", "float", "date"]
#: Core status: SDTMIG Req/Exp/Perm; ADaMIG Req/Cond/Perm.
Core = Literal["Req", "Exp", "Perm", "Cond"]


@dataclass(frozen=True)
class Var:
    """One variable: ``name`` (≤ 8 characters, upper case), ``label`` (≤ 40 characters), ``type``,
    ``core``, ``origin`` (define-XML origin type: Collected, Derived, Assigned, Predecessor) and
    ``source`` (the endolab column or rule it comes from, in words)."""

    name: str
    label: str
    type: VarType = "text"
    core: Core = "Perm"
    origin: str = "Collected"
    source: str = ""


#: The identifier variables that SDTM domains and ADaM datasets share, declared once (SDTMIG/ADaMIG
#: names and labels). A dataset takes them as they are or with its own source
#: (:func:`dataclasses.replace`); an ADaM dataset copies them from its predecessor
#: (:func:`predecessor`).
STUDYID: Final = Var("STUDYID", "Study Identifier", core="Req", origin="Assigned")
DOMAIN: Final = Var("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned")
USUBJID: Final = Var("USUBJID", "Unique Subject Identifier", core="Req", origin="Derived")
ARMCD: Final = Var("ARMCD", "Planned Arm Code", core="Req", source="cohort")


def predecessor(var: Var, dataset: str, *, core: Core | None = None) -> Var:
    """``var`` copied into an ADaM dataset from ``dataset`` (define-XML origin Predecessor, source
    ``DATASET.NAME``), with ADaM's ``core`` when it differs.

    >>> predecessor(USUBJID, "ADSL")
    Var(name='USUBJID', label='Unique Subject Identifier', type='text', core='Req', origin='Predecessor', source='ADSL.USUBJID')
    """
    return replace(var, origin="Predecessor", source=f"{dataset}.{var.name}", core=core or var.core)


@dataclass(frozen=True)
class Dataset:
    """One SDTM domain or ADaM dataset: metadata and rows (a polars frame with the variables of
    ``vars`` in that order)."""

    name: str
    label: str
    kind: str  # e.g. "SDTM Special-Purpose", "SDTM Findings", "ADaM ADSL", "ADaM BDS", "ADaM TTE"
    vars: tuple[Var, ...]
    frame: pl.DataFrame
    keys: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def var(self, name: str) -> Var:
        """The metadata of variable ``name``."""
        return next(v for v in self.vars if v.name == name)


def iso_date(column: str) -> pl.Expr:
    """A date column as ISO 8601 text ``YYYY-MM-DD`` (empty text for a missing date)."""
    return pl.col(column).dt.strftime("%Y-%m-%d").fill_null("")


def iso_datetime(column: str) -> pl.Expr:
    """A date-time column as ISO 8601 text ``YYYY-MM-DDThh:mm:ss`` (local time, no offset)."""
    return pl.col(column).dt.strftime("%Y-%m-%dT%H:%M:%S").fill_null("")


def study_day(day: pl.Expr) -> pl.Expr:
    """SDTM study day (--DY) from endolab's study day (day 0 = the reference start date).

    SDTMIG, "Use of the Study Day Variables": --DY = date − RFSTDTC + 1 on or after RFSTDTC, date − RFSTDTC before it (there is
    no day 0). endolab's day 0 is the infusion date (RFSTDTC), so day d ≥ 0 is --DY d + 1 and a day
    d < 0 stays d.

    >>> pl.select(study_day(pl.Series([-2, -1, 0, 1, 364]))).to_series().to_list()
    [-2, -1, 1, 2, 365]
    """
    return pl.when(day >= 0).then(day + 1).otherwise(day).cast(pl.Int64)


def char_length(frame: pl.DataFrame, name: str) -> int:
    """The length of a character variable: the longest value in bytes (UTF-8), at least 1, as the
    SDTM/ADaM submission guidance sets lengths to the longest value."""
    if frame.height == 0:
        return 1
    longest = frame.select(pl.col(name).cast(pl.String).fill_null("").str.len_bytes().max()).item()
    return max(1, int(longest or 0))


def define_rows(datasets: list[Dataset]) -> list[dict[str, Any]]:
    """The define-style metadata table: one row per dataset variable (dataset, its label and class,
    variable, label, type, length, key order, core, origin, source)."""
    rows: list[dict[str, Any]] = []
    for ds in datasets:
        for order, v in enumerate(ds.vars, start=1):
            rows.append(
                {
                    "dataset": ds.name,
                    "dataset_label": ds.label,
                    "class": ds.kind,
                    "order": order,
                    "variable": v.name,
                    "label": v.label,
                    "type": "Char" if v.type == "text" else "Num",
                    "data_type": {
                        "text": "text",
                        "integer": "integer",
                        "float": "float",
                        "date": "date",
                    }[v.type],
                    "length": char_length(ds.frame, v.name) if v.type == "text" else 8,
                    "display_format": "DATE9." if v.type == "date" else "",
                    "key": ds.keys.index(v.name) + 1 if v.name in ds.keys else None,
                    "core": v.core,
                    "origin": v.origin,
                    "source": v.source,
                }
            )
    return rows


def epoch_date(value: Any) -> dt.date | None:
    """A value read back from a file as a date: a date, a date-time, ISO text, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
