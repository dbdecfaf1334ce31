"""SDTM → the trial dataset format: ``endolab trial import-sdtm DIR --out DATASET``.

Reads DM, SUPPDM, VS, EX, CM, LB, AE and CE (``<name>.xpt`` or ``<name>.json``) and builds the five
tables of docs/trial-data.md, then checks them exactly as a dataset folder is checked
(:func:`endolab.trial.dataset.validate_tables`). The mapping is the reverse of
:mod:`endolab.trial.cdisc.sdtm` (docs/trial.md, "CDISC export/import"):

* participants: ``participant_id`` = SUBJID (USUBJID when SUBJID is empty), ``cohort`` = ARMCD
  (ACTARMCD when ARMCD is empty), ``infusion_date`` = the first EX record's EXSTDTC (RFXSTDTC, then
  RFSTDTC, without EX), ``second_infusion_date`` = the second EX record's, ``dose_cells`` = EXDOSE
  of the first (EXDOSU ``cells``), ``age_years`` = AGE (AGEU YEARS), ``sex`` = SEX (F or M),
  ``weight_kg`` = VS WEIGHT in kg (the baseline-flagged record, else the last one), the baseline
  HbA1c, insulin and severe-event count from SUPPDM BLHBA1C, BLINSDD, BLSHEYR;
* labs: LB HBA1C (%), CPEPTIDE (pmol/L; nmol/L × 1000) — with a time point (LBTPT) it is the
  stimulated peak ``CPEP_STIM_PEAK``, without one the fasting value — and GLUC with LBFAST Y
  (mg/dL), from LBSTRESN/LBSTRESU; other tests, and results without LBSTRESN, are not read;
* cgm: LB GLUCPE in mg/dL, at LBDTC;
* insulin: CM records whose CMTRT or CMDECOD contains INSULIN with CMDOSTOT in U, summed per
  participant and CMSTDTC day (a basal and a bolus record of one day are one day's total);
* events: AE → ``category`` AE; CE records with CESEV SEVERE → SHE (other hypoglycaemia records are
  not severe and not read); term = --DECOD, else --TERM; serious = --SER; related and outcome from
  --REL and --OUT (tables :data:`RELATED_IN`, :data:`OUTCOME_IN`).

A unit the format does not use, a missing required dataset, variable or value is one line naming
the dataset and the variable (``E_SDTM_UNIT``, ``E_SDTM_MISSING``), never a guess.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import polars as pl

from endolab.errors import DataFileError
from endolab.trial.cdisc.files import read_cdisc_folder
from endolab.trial.cdisc.sdtm import SUPPDM_QNAMS
from endolab.trial.dataset import TrialDataset, validate_tables

__all__ = ["OUTCOME_IN", "RELATED_IN", "SDTM_DOMAINS", "import_sdtm", "sdtm_tables"]

SDTM_DOMAINS: Final = ("DM", "SUPPDM", "VS", "EX", "CM", "LB", "AE", "CE")

#: --REL → ``related``: endolab's own terms and the usual sponsor terms [A].
RELATED_IN: Final[dict[str, str]] = {
    "RELATED": "Y",
    "Y": "Y",
    "PROBABLY RELATED": "Y",
    "DEFINITELY RELATED": "Y",
    "NOT RELATED": "N",
    "N": "N",
    "UNLIKELY RELATED": "N",
    "POSSIBLY RELATED": "POSSIBLE",
    "POSSIBLE": "POSSIBLE",
}
#: --OUT (CDISC OUT codelist C66768) → ``outcome`` [A]: recovered with sequelae is recovered;
#: recovering, not recovered and unknown are ongoing (the event has not been seen to end).
OUTCOME_IN: Final[dict[str, str]] = {
    "RECOVERED/RESOLVED": "RECOVERED",
    "RECOVERED/RESOLVED WITH SEQUELAE": "RECOVERED",
    "RECOVERING/RESOLVING": "ONGOING",
    "NOT RECOVERED/NOT RESOLVED": "ONGOING",
    "UNKNOWN": "ONGOING",
    "FATAL": "FATAL",
}
#: Units read (LBSTRESU / VSSTRESU / EXDOSU / CMDOSU, compared in upper case) → factor to the
#: format's unit. Only exact SI prefixes: a unit needing a clinical conversion is refused.
_UNITS: Final[dict[str, dict[str, float]]] = {
    "HBA1C": {"%": 1.0},
    "CPEPTIDE": {"PMOL/L": 1.0, "NMOL/L": 1000.0},
    "GLUC": {"MG/DL": 1.0},
    "GLUCPE": {"MG/DL": 1.0},
    "WEIGHT": {"KG": 1.0},
}


def _missing(dataset: str, what: str) -> DataFileError:
    return DataFileError(
        f"{what} (docs/trial.md, CDISC export/import)", file=dataset, code="E_SDTM_MISSING"
    )


def _text(frame: pl.DataFrame, name: str) -> pl.Expr:
    """Column ``name`` as stripped text ('' when absent or missing)."""
    if name not in frame.columns:
        return pl.lit("")
    return pl.col(name).cast(pl.String).fill_null("").str.strip_chars()


def _need(frame: pl.DataFrame, dataset: str, *names: str) -> None:
    for n in names:
        if n not in frame.columns:
            raise _missing(dataset, f"required variable {n} is missing")


def _factor(dataset: str, test: str, unit_col: str, frame: pl.DataFrame) -> pl.Expr:
    units = _UNITS[test]
    bad = frame.filter(~pl.col("_unit").str.to_uppercase().is_in(list(units)))
    if bad.height:
        raise DataFileError(
            f"{test} in {bad['_unit'][0]!r} ({unit_col}); endolab reads "
            f"{', '.join(units)} only: convert the results first",
            file=dataset,
            column=unit_col,
            code="E_SDTM_UNIT",
        )
    return pl.col("_unit").str.to_uppercase().replace_strict(units, return_dtype=pl.Float64)


def _subjects(dm: pl.DataFrame) -> pl.DataFrame:
    _need(dm, "DM", "USUBJID")
    return dm.select(
        _text(dm, "USUBJID").alias("USUBJID"),
        pl.when(_text(dm, "SUBJID") != "")
        .then(_text(dm, "SUBJID"))
        .otherwise(_text(dm, "USUBJID"))
        .alias("participant_id"),
    )


def _with_pid(frame: pl.DataFrame, subjects: pl.DataFrame, dataset: str) -> pl.DataFrame:
    _need(frame, dataset, "USUBJID")
    out = frame.with_columns(_text(frame, "USUBJID").alias("USUBJID")).join(
        subjects, on="USUBJID", how="left"
    )
    unknown = out.filter(pl.col("participant_id").is_null())
    if unknown.height:
        raise DataFileError(
            f"USUBJID {unknown['USUBJID'][0]!r} is not in DM", file=dataset, code="E_SDTM_MISSING"
        )
    return out


def _participants(d: dict[str, pl.DataFrame], subjects: pl.DataFrame) -> pl.DataFrame:
    dm = d["DM"]
    _need(dm, "DM", "AGE", "SEX")
    if "EX" not in d:
        raise _missing("EX", "no EX dataset: the dose and the infusion dates come from EX")
    ex = _with_pid(d["EX"], subjects, "EX")
    _need(ex, "EX", "EXSTDTC", "EXDOSE")
    ex = ex.with_columns(
        _text(ex, "EXSTDTC").str.slice(0, 10).alias("_date"),
        _text(ex, "EXDOSU").alias("_unit"),
    ).sort("participant_id", "_date")
    first = ex.group_by("participant_id", maintain_order=True).agg(
        pl.col("_date").first().alias("infusion_date"),
        pl.col("_date").get(1, null_on_oob=True).alias("second_infusion_date"),
        pl.col("EXDOSE").first().cast(pl.Float64).alias("dose_cells"),
        pl.col("_unit").first().alias("_unit"),
    )
    bad = first.filter(pl.col("_unit").str.to_lowercase() != "cells")
    if bad.height:
        raise DataFileError(
            f"EXDOSU {bad['_unit'][0]!r} of {bad['participant_id'][0]}'s first infusion; endolab "
            "reads the dose in cells",
            file="EX",
            column="EXDOSU",
            code="E_SDTM_UNIT",
        )
    supp = _baselines(d.get("SUPPDM"), subjects)
    weight = _weights(d.get("VS"), subjects)
    arm = (
        pl.when(_text(dm, "ARMCD") != "").then(_text(dm, "ARMCD")).otherwise(_text(dm, "ACTARMCD"))
    )
    ages = dm.select(_text(dm, "AGEU").alias("u")).filter(
        (pl.col("u") != "") & (pl.col("u").str.to_uppercase() != "YEARS")
    )
    if ages.height:
        raise DataFileError(
            f"AGEU {ages['u'][0]!r}; endolab reads the age in YEARS",
            file="DM",
            column="AGEU",
            code="E_SDTM_UNIT",
        )
    people = dm.with_columns(_text(dm, "USUBJID").alias("USUBJID")).join(subjects, on="USUBJID")
    people = people.select(
        "participant_id",
        arm.alias("cohort"),
        pl.col("AGE").cast(pl.Float64).alias("age_years"),
        _text(dm, "SEX").alias("sex"),
    )
    return (
        people.join(first.drop("_unit"), on="participant_id", how="left")
        .join(supp, on="participant_id", how="left")
        .join(weight, on="participant_id", how="left")
        .select(
            "participant_id",
            "cohort",
            "dose_cells",
            "infusion_date",
            "second_infusion_date",
            "baseline_hba1c_pct",
            "baseline_insulin_u_per_day",
            "baseline_she_per_year",
            "weight_kg",
            "age_years",
            "sex",
        )
    )


def _baselines(supp: pl.DataFrame | None, subjects: pl.DataFrame) -> pl.DataFrame:
    names = {q: col for q, (col, _label) in SUPPDM_QNAMS.items()}
    if supp is None:
        raise _missing(
            "SUPPDM", f"no SUPPDM dataset: the baseline values come from QNAM {', '.join(names)}"
        )
    _need(supp, "SUPPDM", "QNAM", "QVAL")
    s = _with_pid(supp, subjects, "SUPPDM").filter(_text(supp, "QNAM").is_in(list(names)))
    wide = s.select(
        "participant_id",
        _text(supp, "QNAM").replace_strict(names, default=None).alias("col"),
        _text(supp, "QVAL").alias("QVAL"),
    ).pivot(on="col", index="participant_id", values="QVAL", aggregate_function="first")
    for col in names.values():
        if col not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.String).alias(col))
    return wide.select("participant_id", *names.values())


def _weights(vs: pl.DataFrame | None, subjects: pl.DataFrame) -> pl.DataFrame:
    if vs is None:
        raise _missing("VS", "no VS dataset: the weight comes from VSTESTCD WEIGHT")
    _need(vs, "VS", "VSTESTCD", "VSSTRESN")
    w = _with_pid(vs, subjects, "VS").filter(_text(vs, "VSTESTCD") == "WEIGHT")
    w = w.with_columns(_text(w, "VSSTRESU").alias("_unit"))
    factor = _factor("VS", "WEIGHT", "VSSTRESU", w)
    w = w.with_columns(
        (pl.col("VSSTRESN").cast(pl.Float64) * factor).alias("weight_kg"),
        (_text(w, "VSBLFL") == "Y").alias("_bl"),
        _text(w, "VSDTC").alias("_dtc"),
    ).sort("participant_id", "_bl", "_dtc")
    return w.group_by("participant_id").agg(pl.col("weight_kg").last())


def _labs_and_cgm(
    lb: pl.DataFrame | None, subjects: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    labs_cols = {
        "participant_id": pl.String,
        "date": pl.String,
        "test": pl.String,
        "value": pl.Float64,
    }
    cgm_cols = {"participant_id": pl.String, "time": pl.String, "glucose_mg_dl": pl.Float64}
    if lb is None:
        return pl.DataFrame(schema=labs_cols), pl.DataFrame(schema=cgm_cols)
    _need(lb, "LB", "LBTESTCD", "LBSTRESN", "LBDTC")
    rows = (
        _with_pid(lb, subjects, "LB")
        .with_columns(
            _text(lb, "LBTESTCD").alias("_code"),
            _text(lb, "LBSTRESU").alias("_unit"),
            _text(lb, "LBTPT").alias("_tpt"),
            _text(lb, "LBFAST").alias("_fast"),
            _text(lb, "LBDTC").alias("_dtc"),
            pl.col("LBSTRESN").cast(pl.Float64).alias("_value"),
        )
        .filter(pl.col("_value").is_not_null())
    )
    parts: list[pl.DataFrame] = []
    for code in ("HBA1C", "CPEPTIDE", "GLUC", "GLUCPE"):
        sub = rows.filter(pl.col("_code") == code)
        if code == "GLUC":
            sub = sub.filter(pl.col("_fast") == "Y")
        if sub.height == 0:
            continue
        sub = sub.with_columns(
            (pl.col("_value") * _factor("LB", code, "LBSTRESU", sub)).alias("_value")
        )
        if code == "CPEPTIDE":
            test = (
                pl.when(pl.col("_tpt") != "")
                .then(pl.lit("CPEP_STIM_PEAK"))
                .otherwise(pl.lit("CPEP_FASTING"))
            )
        else:
            test = pl.lit({"HBA1C": "HBA1C", "GLUC": "GLUCOSE_FASTING", "GLUCPE": "CGM"}[code])
        parts.append(sub.with_columns(test.alias("test")))
    if not parts:
        return pl.DataFrame(schema=labs_cols), pl.DataFrame(schema=cgm_cols)
    allrows = pl.concat(parts, how="diagonal_relaxed")
    labs = allrows.filter(pl.col("test") != "CGM").select(
        "participant_id",
        pl.col("_dtc").str.slice(0, 10).alias("date"),
        "test",
        pl.col("_value").alias("value"),
    )
    cgm = allrows.filter(pl.col("test") == "CGM").select(
        "participant_id",
        pl.col("_dtc").alias("time"),
        pl.col("_value").alias("glucose_mg_dl"),
    )
    return labs, cgm


def _insulin(cm: pl.DataFrame | None, subjects: pl.DataFrame) -> pl.DataFrame:
    schema = {"participant_id": pl.String, "date": pl.String, "total_units": pl.Float64}
    if cm is None:
        return pl.DataFrame(schema=schema)
    _need(cm, "CM", "CMSTDTC", "CMDOSTOT")
    rows = _with_pid(cm, subjects, "CM").filter(
        _text(cm, "CMTRT").str.to_uppercase().str.contains("INSULIN")
        | _text(cm, "CMDECOD").str.to_uppercase().str.contains("INSULIN")
    )
    rows = rows.filter(pl.col("CMDOSTOT").is_not_null())
    bad = rows.filter(~_text(rows, "CMDOSU").str.to_uppercase().is_in(["U", "IU"]))
    if bad.height:
        raise DataFileError(
            f"CMDOSU {bad['CMDOSU'][0]!r} of an insulin record; endolab reads insulin in U",
            file="CM",
            column="CMDOSU",
            code="E_SDTM_UNIT",
        )
    return (
        rows.with_columns(_text(rows, "CMSTDTC").str.slice(0, 10).alias("date"))
        .group_by("participant_id", "date", maintain_order=True)
        .agg(pl.col("CMDOSTOT").cast(pl.Float64).sum().alias("total_units"))
    )


def _event_rows(frame: pl.DataFrame | None, subjects: pl.DataFrame, p: str) -> pl.DataFrame:
    if frame is None:
        return pl.DataFrame()
    _need(frame, p, f"{p}STDTC")
    rows = _with_pid(frame, subjects, p)
    if p == "CE":
        rows = rows.filter(_text(rows, "CESEV").str.to_uppercase() == "SEVERE")
    term = (
        pl.when(_text(rows, f"{p}DECOD") != "")
        .then(_text(rows, f"{p}DECOD"))
        .otherwise(_text(rows, f"{p}TERM"))
    )
    rel, out = _text(rows, f"{p}REL").str.to_uppercase(), _text(rows, f"{p}OUT").str.to_uppercase()
    unknown_rel = rows.filter(~rel.is_in(list(RELATED_IN)))
    if unknown_rel.height:
        raise DataFileError(
            f"{p}REL {unknown_rel.select(rel).item(0, 0)!r} is not one of {', '.join(RELATED_IN)}",
            file=p,
            column=f"{p}REL",
            code="E_SDTM_CODE",
        )
    unknown_out = rows.filter(~out.is_in(list(OUTCOME_IN)))
    if unknown_out.height:
        raise DataFileError(
            f"{p}OUT {unknown_out.select(out).item(0, 0)!r} is not a term of the CDISC OUT "
            "codelist",
            file=p,
            column=f"{p}OUT",
            code="E_SDTM_CODE",
        )
    return rows.select(
        "participant_id",
        _text(rows, f"{p}STDTC").str.slice(0, 10).alias("start_date"),
        _text(rows, f"{p}ENDTC").str.slice(0, 10).alias("end_date"),
        pl.lit("SHE" if p == "CE" else "AE").alias("category"),
        term.alias("term"),
        _text(rows, f"{p}SER").alias("serious"),
        rel.replace_strict(RELATED_IN).alias("related"),
        out.replace_strict(OUTCOME_IN).alias("outcome"),
    )


def sdtm_tables(folder: str | Path) -> dict[str, pl.DataFrame]:
    """The five tables of the trial dataset format built from an SDTM folder (module docstring),
    not yet checked."""
    d: dict[str, Any] = read_cdisc_folder(folder, SDTM_DOMAINS)
    if "DM" not in d:
        raise _missing(str(folder), "no DM dataset (dm.xpt or dm.json)")
    subjects = _subjects(d["DM"])
    labs, cgm = _labs_and_cgm(d.get("LB"), subjects)
    ev = [_event_rows(d.get(p), subjects, p) for p in ("AE", "CE")]
    events_schema = {
        c: pl.String
        for c in (
            "participant_id",
            "start_date",
            "end_date",
            "category",
            "term",
            "serious",
            "related",
            "outcome",
        )
    }
    events = pl.concat([pl.DataFrame(schema=events_schema), *[e for e in ev if e.width]])
    return {
        "participants": _participants(d, subjects),
        "cgm": cgm,
        "labs": labs,
        "insulin": _insulin(d.get("CM"), subjects),
        "events": events.with_columns(pl.col("end_date").replace("", None)),
    }


def import_sdtm(folder: str | Path, *, accept_units: bool = False) -> TrialDataset:
    """An SDTM folder as a checked trial dataset (``folder=None``; write it with
    :func:`endolab.trial.dataset.write_dataset`). Any problem is one line (module docstring, and the
    dataset checks of docs/trial-data.md, which name the endolab table, row and column)."""
    tables = sdtm_tables(folder)
    return validate_tables(
        tables, source=f"imported from SDTM {str(folder)!r}", accept_units=accept_units
    )
