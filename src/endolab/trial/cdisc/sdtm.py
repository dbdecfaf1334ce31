"""A trial dataset as SDTM tabulations: DM (+ SUPPDM), VS, EX, CM, LB (labs and CGM), AE and CE.

The mapping (docs/trial.md, "CDISC export/import", every row of it) in one place:

* **DM**: one record per participant; RFSTDTC = RFXSTDTC = ``infusion_date`` (study day 1), RFXENDTC
  = the second infusion when there is one; ARMCD = ACTARMCD = ``cohort``; AGE/AGEU = ``age_years``
  YEARS; SEX = ``sex`` (CDISC SEX codelist C66731: F, M). SITEID, COUNTRY and RACE are not in the
  endolab format and are left empty (SITEID and COUNTRY are Req in SDTMIG: fill them in downstream).
* **SUPPDM**: the baseline values the format keeps per participant and SDTM has no variable for
  (sponsor-defined QNAMs [A]): BLHBA1C (``baseline_hba1c_pct``, %), BLINSDD
  (``baseline_insulin_u_per_day``, U/day), BLSHEYR (``baseline_she_per_year``, events).
* **VS**: ``weight_kg`` as VSTESTCD WEIGHT in kg, baseline flag Y, no date (the format has none).
* **EX**: one record per infusion; EXTRT = the treatment name (``treatment``), EXDOSE = ``dose_cells``
  [cells] for the first infusion (the format has no dose for a second one: EXDOSE empty).
* **CM**: insulin, one record per participant-day: CMTRT INSULIN, CMDOSTOT = ``total_units`` U,
  CMSTDTC = CMENDTC = the day.
* **LB**: laboratory results and CGM readings. LBTESTCD from the CDISC Laboratory Test Code codelist
  (HBA1C, CPEPTIDE, GLUC); CGM readings as LBTESTCD GLUCPE "Plasma Equivalent Glucose", LBSPEC
  INTERSTITIAL FLUID, LBMETHOD CALCULATION, LBANMETH DEVICE ALGORITHM, SPDEVID naming the device, the
  way the CDISC Diabetes TAUG's CGM example ("ADaM BDS for average glucose measurements") and the
  CDISC Digital Health Technology CGM examples represent them. Fasting results carry LBFAST Y; the
  peak of a mixed-meal test is CPEPTIDE with LBTPT ``MMTT PEAK`` [A].
* **AE**: events with ``category = AE``; **CE**: severe hypoglycaemia (``category = SHE``) as
  CECAT HYPO EVENTS, CESEV SEVERE (the Diabetes TAUG v1.0 hypoglycaemia CRF, CETERM/CECAT), with the
  Events-class qualifiers CESER, CEREL and CEOUT.

Dates are ISO 8601 text (YYYY-MM-DD; CGM readings YYYY-MM-DDThh:mm:ss, local time as the format keeps
it); study days follow SDTMIG (:func:`~endolab.trial.cdisc.model.study_day`: there is no day 0).
USUBJID = STUDYID + "-" + ``participant_id``. --SEQ numbers each participant's records from 1.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

import polars as pl

from endolab.trial.cdisc.model import (
    ARMCD,
    DOMAIN,
    STUDYID,
    USUBJID,
    Core,
    Dataset,
    Var,
    iso_date,
    iso_datetime,
    study_day,
)
from endolab.trial.dataset import TrialDataset

__all__ = [
    "CGM_TEST",
    "LAB_MAP",
    "OUTCOME",
    "RELATED",
    "sdtm_datasets",
]

#: endolab lab test → (LBTESTCD, LBTEST, unit, LBSPEC, LBFAST, LBTPT). Codes of the CDISC
#: Laboratory Test Code codelist (C65047); units of the UNIT codelist (C71620).
LAB_MAP: Final[dict[str, tuple[str, str, str, str, str, str]]] = {
    "HBA1C": ("HBA1C", "Hemoglobin A1C", "%", "BLOOD", "", ""),
    "CPEP_FASTING": ("CPEPTIDE", "C-Peptide", "pmol/L", "SERUM", "Y", ""),
    "CPEP_STIM_PEAK": ("CPEPTIDE", "C-Peptide", "pmol/L", "SERUM", "", "MMTT PEAK"),
    "GLUCOSE_FASTING": ("GLUC", "Glucose", "mg/dL", "PLASMA", "Y", ""),
}
#: CGM readings: (LBTESTCD, LBTEST, unit, LBSPEC, LBMETHOD, LBANMETH), as the CDISC CGM examples.
CGM_TEST: Final = (
    "GLUCPE",
    "Plasma Equivalent Glucose",
    "mg/dL",
    "INTERSTITIAL FLUID",
    "CALCULATION",
    "DEVICE ALGORITHM",
)
#: endolab ``outcome`` → CDISC OUT codelist (C66768).
OUTCOME: Final[dict[str, str]] = {
    "RECOVERED": "RECOVERED/RESOLVED",
    "ONGOING": "NOT RECOVERED/NOT RESOLVED",
    "FATAL": "FATAL",
}
#: endolab ``related`` → --REL (sponsor-defined terms [A]; there is no CDISC codelist for it).
RELATED: Final[dict[str, str]] = {
    "Y": "RELATED",
    "N": "NOT RELATED",
    "POSSIBLE": "POSSIBLY RELATED",
}
#: Route of the infusion (CDISC ROUTE codelist C66729) [A]: islets are infused into the portal vein.
ROUTE: Final = "INTRAPORTAL"

#: The identifiers every domain but SUPPDM starts with (:func:`_ids` fills them in).
_ID = (
    replace(STUDYID, source="--study-id"),
    DOMAIN,
    replace(USUBJID, source="STUDYID-participant_id"),
)


def _ids(frame: pl.DataFrame, study_id: str, domain: str) -> pl.DataFrame:
    """Prepend STUDYID, DOMAIN and USUBJID to a frame that has ``participant_id``."""
    return frame.with_columns(
        pl.lit(study_id).alias("STUDYID"),
        pl.lit(domain).alias("DOMAIN"),
        (pl.lit(study_id + "-") + pl.col("participant_id")).alias("USUBJID"),
    )


def _seq(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Number each subject's records 1, 2, … in their current order as ``name``."""
    return frame.with_columns(
        (pl.int_range(pl.len()).over("USUBJID") + 1).cast(pl.Int64).alias(name)
    )


def _make(
    name: str,
    label: str,
    kind: str,
    vars_: tuple[Var, ...],
    frame: pl.DataFrame,
    keys: tuple[str, ...],
) -> Dataset:
    cols = []
    for v in vars_:
        col = pl.col(v.name)
        if v.type == "text":
            col = col.cast(pl.String).fill_null("")
        elif v.type == "integer":
            col = col.cast(pl.Int64)
        elif v.type == "float":
            col = col.cast(pl.Float64)
        cols.append(col)
    return Dataset(name, label, kind, vars_, frame.select(cols), keys)


def _dm(ds: TrialDataset, study_id: str) -> Dataset:
    p = _ids(ds.participants, study_id, "DM")
    frame = p.with_columns(
        pl.col("participant_id").alias("SUBJID"),
        iso_date("infusion_date").alias("RFSTDTC"),
        iso_date("infusion_date").alias("RFXSTDTC"),
        pl.coalesce("second_infusion_date", "infusion_date")
        .dt.strftime("%Y-%m-%d")
        .alias("RFXENDTC"),
        pl.lit("").alias("SITEID"),
        pl.col("age_years").alias("AGE"),
        pl.lit("YEARS").alias("AGEU"),
        pl.col("sex").alias("SEX"),
        pl.lit("").alias("RACE"),
        pl.col("cohort").alias("ARMCD"),
        (pl.lit("Cohort ") + pl.col("cohort")).alias("ARM"),
        pl.col("cohort").alias("ACTARMCD"),
        (pl.lit("Cohort ") + pl.col("cohort")).alias("ACTARM"),
        pl.lit("").alias("COUNTRY"),
    ).sort("USUBJID")
    vars_ = (
        *_ID,
        Var("SUBJID", "Subject Identifier for the Study", core="Req", source="participant_id"),
        Var(
            "RFSTDTC",
            "Subject Reference Start Date/Time",
            core="Exp",
            origin="Derived",
            source="infusion_date",
        ),
        Var(
            "RFXSTDTC",
            "Date/Time of First Study Treatment",
            core="Exp",
            origin="Derived",
            source="infusion_date",
        ),
        Var(
            "RFXENDTC",
            "Date/Time of Last Study Treatment",
            core="Exp",
            origin="Derived",
            source="second_infusion_date, else infusion_date",
        ),
        Var(
            "SITEID",
            "Study Site Identifier",
            core="Req",
            origin="Assigned",
            source="not in the endolab format (left empty)",
        ),
        Var("AGE", "Age", "float", core="Exp", source="age_years"),
        Var("AGEU", "Age Units", core="Exp", origin="Assigned", source="YEARS"),
        Var("SEX", "Sex", core="Req", source="sex"),
        Var("RACE", "Race", core="Exp", source="not in the endolab format (left empty)"),
        ARMCD,
        Var(
            "ARM",
            "Description of Planned Arm",
            core="Req",
            origin="Derived",
            source="Cohort + cohort",
        ),
        Var("ACTARMCD", "Actual Arm Code", core="Req", source="cohort"),
        Var(
            "ACTARM",
            "Description of Actual Arm",
            core="Req",
            origin="Derived",
            source="Cohort + cohort",
        ),
        Var("COUNTRY", "Country", core="Req", source="not in the endolab format (left empty)"),
    )
    return _make("DM", "Demographics", "SDTM Special-Purpose", vars_, frame, ("STUDYID", "USUBJID"))


#: SUPPDM qualifiers: QNAM → (participants column, QLABEL).
SUPPDM_QNAMS: Final[dict[str, tuple[str, str]]] = {
    "BLHBA1C": ("baseline_hba1c_pct", "Baseline HbA1c (%)"),
    "BLINSDD": ("baseline_insulin_u_per_day", "Baseline Total Daily Insulin (U/day)"),
    "BLSHEYR": ("baseline_she_per_year", "Severe Hypoglycemia in Prior Year (n)"),
}


def _number_text(column: str) -> pl.Expr:
    """A number as the shortest text that reads back as the same float (Python repr)."""
    return pl.col(column).map_elements(repr, return_dtype=pl.String)


def _suppdm(ds: TrialDataset, study_id: str) -> Dataset:
    p = _ids(ds.participants, study_id, "DM")
    parts = [
        p.select(
            "STUDYID",
            pl.lit("DM").alias("RDOMAIN"),
            "USUBJID",
            pl.lit("").alias("IDVAR"),
            pl.lit("").alias("IDVARVAL"),
            pl.lit(qnam).alias("QNAM"),
            pl.lit(qlabel).alias("QLABEL"),
            _number_text(column).alias("QVAL"),
            pl.lit("CRF").alias("QORIG"),
        )
        for qnam, (column, qlabel) in SUPPDM_QNAMS.items()
    ]
    frame = pl.concat(parts).sort("USUBJID", "QNAM")
    vars_ = (
        STUDYID,
        Var("RDOMAIN", "Related Domain Abbreviation", core="Req", origin="Assigned"),
        USUBJID,
        Var("IDVAR", "Identifying Variable", core="Exp", origin="Assigned"),
        Var("IDVARVAL", "Identifying Variable Value", core="Exp", origin="Assigned"),
        Var("QNAM", "Qualifier Variable Name", core="Req", origin="Assigned"),
        Var("QLABEL", "Qualifier Variable Label", core="Req", origin="Assigned"),
        Var(
            "QVAL",
            "Data Value",
            core="Req",
            source="baseline_hba1c_pct, baseline_insulin_u_per_day, baseline_she_per_year",
        ),
        Var("QORIG", "Origin", core="Req", origin="Assigned"),
    )
    return _make(
        "SUPPDM",
        "Supplemental Qualifiers for DM",
        "SDTM Relationship",
        vars_,
        frame,
        ("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
    )


def _vs(ds: TrialDataset, study_id: str) -> Dataset:
    frame = _seq(
        _ids(ds.participants, study_id, "VS")
        .sort("USUBJID")
        .with_columns(
            pl.lit("WEIGHT").alias("VSTESTCD"),
            pl.lit("Weight").alias("VSTEST"),
            _number_text("weight_kg").alias("VSORRES"),
            pl.lit("kg").alias("VSORRESU"),
            _number_text("weight_kg").alias("VSSTRESC"),
            pl.col("weight_kg").alias("VSSTRESN"),
            pl.lit("kg").alias("VSSTRESU"),
            pl.lit("Y").alias("VSBLFL"),
            pl.lit("").alias("VSDTC"),
        ),
        "VSSEQ",
    )
    vars_ = (
        *_ID,
        Var("VSSEQ", "Sequence Number", "integer", core="Req", origin="Derived"),
        Var("VSTESTCD", "Vital Signs Test Short Name", core="Req", origin="Assigned"),
        Var("VSTEST", "Vital Signs Test Name", core="Req", origin="Assigned"),
        Var("VSORRES", "Result or Finding in Original Units", core="Exp", source="weight_kg"),
        Var("VSORRESU", "Original Units", core="Exp", origin="Assigned"),
        Var("VSSTRESC", "Character Result/Finding in Std Format", core="Exp", origin="Derived"),
        Var(
            "VSSTRESN",
            "Numeric Result/Finding in Standard Units",
            "float",
            core="Exp",
            origin="Derived",
            source="weight_kg",
        ),
        Var("VSSTRESU", "Standard Units", core="Exp", origin="Assigned"),
        Var("VSBLFL", "Baseline Flag", core="Exp", origin="Assigned"),
        Var(
            "VSDTC",
            "Date/Time of Measurements",
            core="Exp",
            source="not in the endolab format (weight before the infusion): empty",
        ),
    )
    return _make(
        "VS", "Vital Signs", "SDTM Findings", vars_, frame, ("STUDYID", "USUBJID", "VSTESTCD")
    )


def _ex(ds: TrialDataset, study_id: str, treatment: str) -> Dataset:
    p = _ids(ds.participants, study_id, "EX")
    first = p.select(
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        pl.col("dose_cells").alias("EXDOSE"),
        pl.col("infusion_date").alias("_date"),
        pl.lit(0).alias("_day"),
    )
    second = p.filter(pl.col("second_infusion_date").is_not_null()).select(
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        pl.lit(None, dtype=pl.Float64).alias("EXDOSE"),
        pl.col("second_infusion_date").alias("_date"),
        (pl.col("second_infusion_date") - pl.col("infusion_date")).dt.total_days().alias("_day"),
    )
    frame = _seq(
        pl.concat([first, second.cast({"EXDOSE": pl.Float64, "_day": first.schema["_day"]})])
        .sort("USUBJID", "_date")
        .with_columns(
            pl.lit(treatment).alias("EXTRT"),
            pl.lit("cells").alias("EXDOSU"),
            pl.lit("SUSPENSION").alias("EXDOSFRM"),
            pl.lit(ROUTE).alias("EXROUTE"),
            iso_date("_date").alias("EXSTDTC"),
            iso_date("_date").alias("EXENDTC"),
            study_day(pl.col("_day")).alias("EXSTDY"),
            study_day(pl.col("_day")).alias("EXENDY"),
        ),
        "EXSEQ",
    )
    vars_ = (
        *_ID,
        Var("EXSEQ", "Sequence Number", "integer", core="Req", origin="Derived"),
        Var("EXTRT", "Name of Treatment", core="Req", origin="Assigned", source="--treatment"),
        Var(
            "EXDOSE",
            "Dose",
            "float",
            core="Exp",
            source="dose_cells (first infusion; empty for a second)",
        ),
        Var("EXDOSU", "Dose Units", core="Exp", origin="Assigned"),
        Var("EXDOSFRM", "Dose Form", core="Exp", origin="Assigned"),
        Var("EXROUTE", "Route of Administration", core="Perm", origin="Assigned"),
        Var(
            "EXSTDTC",
            "Start Date/Time of Treatment",
            core="Exp",
            source="infusion_date, second_infusion_date",
        ),
        Var(
            "EXENDTC",
            "End Date/Time of Treatment",
            core="Exp",
            source="infusion_date, second_infusion_date",
        ),
        Var("EXSTDY", "Study Day of Start of Treatment", "integer", core="Perm", origin="Derived"),
        Var("EXENDY", "Study Day of End of Treatment", "integer", core="Perm", origin="Derived"),
    )
    return _make(
        "EX",
        "Exposure",
        "SDTM Interventions",
        vars_,
        frame,
        ("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"),
    )


def _cm(ds: TrialDataset, study_id: str) -> Dataset:
    frame = _seq(
        _ids(ds.insulin, study_id, "CM")
        .sort("USUBJID", "date")
        .with_columns(
            pl.lit("INSULIN").alias("CMTRT"),
            pl.lit("INSULIN").alias("CMCAT"),
            pl.col("total_units").alias("CMDOSTOT"),
            pl.lit("U").alias("CMDOSU"),
            iso_date("date").alias("CMSTDTC"),
            iso_date("date").alias("CMENDTC"),
            study_day(pl.col("day")).alias("CMSTDY"),
        ),
        "CMSEQ",
    )
    vars_ = (
        *_ID,
        Var("CMSEQ", "Sequence Number", "integer", core="Req", origin="Derived"),
        Var("CMTRT", "Reported Name of Drug, Med, or Therapy", core="Req", origin="Assigned"),
        Var("CMCAT", "Category for Medication", core="Perm", origin="Assigned"),
        Var("CMDOSTOT", "Total Daily Dose", "float", core="Perm", source="total_units"),
        Var("CMDOSU", "Dose Units", core="Perm", origin="Assigned"),
        Var("CMSTDTC", "Start Date/Time of Medication", core="Perm", source="date"),
        Var("CMENDTC", "End Date/Time of Medication", core="Perm", source="date"),
        Var("CMSTDY", "Study Day of Start of Medication", "integer", core="Perm", origin="Derived"),
    )
    return _make(
        "CM",
        "Concomitant/Prior Medications",
        "SDTM Interventions",
        vars_,
        frame,
        ("STUDYID", "USUBJID", "CMTRT", "CMSTDTC"),
    )


def _lb(ds: TrialDataset, study_id: str, device: str) -> Dataset:
    lab_rows = [(k, *v) for k, v in LAB_MAP.items()]
    lab_map = pl.DataFrame(
        lab_rows,
        schema=["test", "LBTESTCD", "LBTEST", "unit", "LBSPEC", "LBFAST", "LBTPT"],
        orient="row",
    )
    labs = (
        _ids(ds.labs, study_id, "LB")
        .join(lab_map, on="test", how="left")
        .select(
            "STUDYID",
            "DOMAIN",
            "USUBJID",
            pl.lit("").alias("SPDEVID"),
            "LBTESTCD",
            "LBTEST",
            pl.lit("").alias("LBCAT"),
            pl.col("value").alias("_value"),
            "unit",
            "LBSPEC",
            pl.lit("").alias("LBMETHOD"),
            pl.lit("").alias("LBANMETH"),
            "LBFAST",
            "LBTPT",
            iso_date("date").alias("LBDTC"),
            pl.col("day").cast(pl.Int64).alias("_day"),
            pl.lit(0).cast(pl.Int64).alias("_part"),
        )
    )
    code, name, unit, spec, method, anmeth = CGM_TEST
    cgm = _ids(ds.cgm, study_id, "LB").select(
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        pl.lit(device).alias("SPDEVID"),
        pl.lit(code).alias("LBTESTCD"),
        pl.lit(name).alias("LBTEST"),
        pl.lit("CGM").alias("LBCAT"),
        pl.col("glucose_mg_dl").cast(pl.Float64).alias("_value"),
        pl.lit(unit).alias("unit"),
        pl.lit(spec).alias("LBSPEC"),
        pl.lit(method).alias("LBMETHOD"),
        pl.lit(anmeth).alias("LBANMETH"),
        pl.lit("").alias("LBFAST"),
        pl.lit("").alias("LBTPT"),
        iso_datetime("time").alias("LBDTC"),
        pl.col("day").cast(pl.Int64).alias("_day"),
        pl.lit(1).cast(pl.Int64).alias("_part"),
    )
    frame = _seq(
        pl.concat([labs.cast({"_value": pl.Float64}), cgm])
        .sort("USUBJID", "_part", "LBDTC", "LBTESTCD", "LBTPT", maintain_order=True)
        .with_columns(
            _result_text(pl.col("_value")).alias("LBORRES"),
            pl.col("unit").alias("LBORRESU"),
            _result_text(pl.col("_value")).alias("LBSTRESC"),
            pl.col("_value").alias("LBSTRESN"),
            pl.col("unit").alias("LBSTRESU"),
            study_day(pl.col("_day")).alias("LBDY"),
        ),
        "LBSEQ",
    )
    vars_ = (
        *_ID,
        Var(
            "SPDEVID",
            "Sponsor Device Identifier",
            core="Perm",
            origin="Assigned",
            source="--device (CGM readings)",
        ),
        Var("LBSEQ", "Sequence Number", "integer", core="Req", origin="Derived"),
        Var(
            "LBTESTCD",
            "Lab Test or Examination Short Name",
            core="Req",
            origin="Assigned",
            source="test (HBA1C, CPEPTIDE, GLUC); cgm: GLUCPE",
        ),
        Var("LBTEST", "Lab Test or Examination Name", core="Req", origin="Assigned"),
        Var("LBCAT", "Category for Lab Test", core="Exp", origin="Assigned", source="cgm: CGM"),
        Var(
            "LBORRES",
            "Result or Finding in Original Units",
            core="Exp",
            source="value; cgm: glucose_mg_dl",
        ),
        Var("LBORRESU", "Original Units", core="Exp", origin="Assigned"),
        Var("LBSTRESC", "Character Result/Finding in Std Format", core="Exp", origin="Derived"),
        Var(
            "LBSTRESN",
            "Numeric Result/Finding in Standard Units",
            "float",
            core="Exp",
            origin="Derived",
            source="value; cgm: glucose_mg_dl",
        ),
        Var("LBSTRESU", "Standard Units", core="Exp", origin="Assigned"),
        Var("LBSPEC", "Specimen Type", core="Perm", origin="Assigned"),
        Var("LBMETHOD", "Method of Test or Examination", core="Perm", origin="Assigned"),
        Var("LBANMETH", "Analysis Method", core="Perm", origin="Assigned"),
        Var(
            "LBFAST",
            "Fasting Status",
            core="Perm",
            origin="Assigned",
            source="CPEP_FASTING, GLUCOSE_FASTING: Y",
        ),
        Var(
            "LBTPT",
            "Planned Time Point Name",
            core="Perm",
            origin="Assigned",
            source="CPEP_STIM_PEAK: MMTT PEAK",
        ),
        Var("LBDTC", "Date/Time of Specimen Collection", core="Exp", source="date; cgm: time"),
        Var("LBDY", "Study Day of Specimen Collection", "integer", core="Perm", origin="Derived"),
    )
    return _make(
        "LB",
        "Laboratory Test Results",
        "SDTM Findings",
        vars_,
        frame,
        ("STUDYID", "USUBJID", "LBTESTCD", "LBTPT", "LBDTC"),
    )


def _result_text(value: pl.Expr) -> pl.Expr:
    """A result as text: whole numbers without a decimal point (118, not 118.0), others as the
    shortest text that reads back as the same number.

    >>> pl.select(_result_text(pl.Series([118.0, 8.1, 0.0, 4e8]))).to_series().to_list()
    ['118', '8.1', '0', '400000000']
    """
    whole = value.round(0) == value
    return (
        pl.when(whole & (value.abs() < 1e15))
        .then(value.cast(pl.Int64).cast(pl.String))
        .otherwise(value.cast(pl.String))
    )


def _events(ds: TrialDataset, study_id: str, domain: str) -> Dataset:
    category = "SHE" if domain == "CE" else "AE"
    p = domain
    src = ds.events.filter(pl.col("category") == category)
    frame = (
        _ids(src, study_id, domain)
        .with_columns(
            pl.col("term").alias(f"{p}TERM"),
            pl.col("term").alias(f"{p}DECOD"),
            pl.lit("HYPO EVENTS" if domain == "CE" else "").alias(f"{p}CAT"),
            pl.lit("SEVERE" if domain == "CE" else "").alias(f"{p}SEV"),
            pl.col("serious").alias(f"{p}SER"),
            pl.col("related").replace_strict(RELATED).alias(f"{p}REL"),
            pl.col("outcome").replace_strict(OUTCOME).alias(f"{p}OUT"),
            iso_date("start_date").alias(f"{p}STDTC"),
            iso_date("end_date").alias(f"{p}ENDTC"),
            study_day(pl.col("start_day")).alias(f"{p}STDY"),
            pl.when(pl.col("end_date").is_not_null())
            .then(
                study_day(
                    pl.col("start_day")
                    + (pl.col("end_date") - pl.col("start_date")).dt.total_days()
                )
            )
            .alias(f"{p}ENDY"),
        )
        .sort("USUBJID", f"{p}STDTC", f"{p}TERM", maintain_order=True)
    )
    frame = _seq(frame, f"{p}SEQ")
    core_ser: Core = "Exp" if domain == "AE" else "Perm"
    vars_ = (
        *_ID,
        Var(f"{p}SEQ", "Sequence Number", "integer", core="Req", origin="Derived"),
        Var(
            f"{p}TERM",
            "Reported Term for the Adverse Event"
            if p == "AE"
            else "Reported Term for the Clinical Event",
            core="Req",
            source="term",
        ),
        Var(
            f"{p}DECOD",
            "Dictionary-Derived Term",
            core="Req" if p == "AE" else "Perm",
            source="term (the format's preferred term)",
        ),
        Var(
            f"{p}CAT",
            "Category for Adverse Event" if p == "AE" else "Category for Clinical Event",
            core="Perm",
            origin="Assigned",
            source="category SHE: HYPO EVENTS",
        ),
        Var(
            f"{p}SEV",
            "Severity/Intensity",
            core="Perm",
            origin="Assigned",
            source="category SHE: SEVERE (level 3); AE: not in the format",
        ),
        Var(f"{p}SER", "Serious Event", core=core_ser, source="serious"),
        Var(f"{p}REL", "Causality", core=core_ser, source="related"),
        Var(
            f"{p}OUT",
            "Outcome of Adverse Event" if p == "AE" else "Outcome of Event",
            core="Perm",
            source="outcome",
        ),
        Var(
            f"{p}STDTC",
            "Start Date/Time of Adverse Event"
            if p == "AE"
            else "Start Date/Time of Clinical Event",
            core="Exp",
            source="start_date",
        ),
        Var(
            f"{p}ENDTC",
            "End Date/Time of Adverse Event" if p == "AE" else "End Date/Time of Clinical Event",
            core="Exp",
            source="end_date",
        ),
        Var(
            f"{p}STDY",
            f"Study Day of Start of {'Adverse ' if p == 'AE' else ''}Event",
            "integer",
            core="Perm",
            origin="Derived",
        ),
        Var(
            f"{p}ENDY",
            f"Study Day of End of {'Adverse ' if p == 'AE' else ''}Event",
            "integer",
            core="Perm",
            origin="Derived",
        ),
    )
    label = "Adverse Events" if p == "AE" else "Clinical Events"
    return _make(p, label, "SDTM Events", vars_, frame, ("STUDYID", "USUBJID", f"{p}SEQ"))


def sdtm_datasets(
    ds: TrialDataset,
    *,
    study_id: str,
    treatment: str = "ISLET CELLS",
    device: str = "CGM",
) -> list[Dataset]:
    """The SDTM tabulations of a trial dataset: DM, SUPPDM, VS, EX, CM, LB, AE, CE (module docstring).

    ``study_id`` is STUDYID; ``treatment`` is EXTRT; ``device`` is SPDEVID of the CGM readings.
    """
    return [
        _dm(ds, study_id),
        _suppdm(ds, study_id),
        _vs(ds, study_id),
        _ex(ds, study_id, treatment),
        _cm(ds, study_id),
        _lb(ds, study_id, device),
        _events(ds, study_id, "AE"),
        _events(ds, study_id, "CE"),
    ]
