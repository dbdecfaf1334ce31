"""ADaM analysis datasets of a trial dataset: ADSL, ADLB (BDS) and ADTTE (BDS time-to-event).

* **ADSL**: one record per participant; the DM variables, TRT01P = TRT01A = the treatment and
  cohort, TRTSDT = the first infusion, TRTEDT = the last one (numeric SAS dates, DATE9.), SAFFL = Y
  (everyone infused [A]: the format lists infused participants), DTHFL = Y with DTHDT for a participant
  with a FATAL event, and the baseline values of the format (HBA1CBL %, INSDDBL U/day, SHEBLYR,
  WEIGHTBL kg, DOSECELL cells).
* **ADLB**: one record per laboratory result (not the CGM readings, which stay in SDTM LB);
  PARAMCD HBA1C, CPEPF, CPEPPK, GLUCF with the unit in PARAM; ADT, ADY (ADaMIG: ADT − TRTSDT + 1 on
  or after TRTSDT, else ADT − TRTSDT); ABLFL = Y on the last result on or before TRTSDT, BASE that
  value, CHG = AVAL − BASE after it; SRCDOM/SRCVAR/SRCSEQ point at the LB record.
* **ADTTE**: the time-to-event endpoints of :func:`endolab.trial.survival.time_to_events` with the
  protocol's definitions (docs/trial.md, ``[survival]``): PARAMCD TTSHE (first severe
  hypoglycaemia), TTGRAFT (graft failure), TTIILOSS (loss of insulin independence); only the
  participants at risk. STARTDT = the survival day 0 (TRTSDT; the second infusion under
  ``day0 = "last"``), AVAL = ADT − STARTDT [days] (the time endolab's
  Kaplan–Meier uses: an event on study day d has AVAL d), CNSR = 0 for the event, 1 censored
  (ADaMIG TTE convention), EVNTDESC / CNSDTDSC say which.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from endolab.trial.cdisc.model import ARMCD, STUDYID, USUBJID, Dataset, Var, predecessor
from endolab.trial.cdisc.sdtm import SUPPDM_QNAMS, sdtm_datasets
from endolab.trial.dataset import TrialDataset
from endolab.trial.protocol import Protocol

__all__ = ["ADLB_PARAMS", "ADTTE_PARAMS", "adam_datasets"]

#: endolab lab test → (PARAMCD, PARAM).
ADLB_PARAMS: Final[dict[str, tuple[str, str]]] = {
    "HBA1C": ("HBA1C", "Hemoglobin A1C (%)"),
    "CPEP_FASTING": ("CPEPF", "C-Peptide, Fasting (pmol/L)"),
    "CPEP_STIM_PEAK": ("CPEPPK", "C-Peptide, MMTT Peak (pmol/L)"),
    "GLUCOSE_FASTING": ("GLUCF", "Glucose, Fasting (mg/dL)"),
}
#: endolab survival endpoint → (PARAMCD, PARAM, EVNTDESC).
ADTTE_PARAMS: Final[dict[str, tuple[str, str, str]]] = {
    "first_she": ("TTSHE", "Time to First Severe Hypoglycemia (days)", "SEVERE HYPOGLYCEMIA"),
    "graft_failure": ("TTGRAFT", "Time to Graft Failure (days)", "GRAFT FAILURE"),
    "insulin_independence_loss": (
        "TTIILOSS",
        "Time to Loss of Insulin Independence (days)",
        "INSULIN RESUMED",
    ),
}


#: The identifiers ADLB and ADTTE start with, from ADSL.
_FROM_ADSL = (
    predecessor(STUDYID, "ADSL"),
    predecessor(USUBJID, "ADSL"),
    predecessor(ARMCD, "ADSL", core="Perm"),
)


def _adsl(ds: TrialDataset, study_id: str, treatment: str) -> Dataset:
    p = ds.participants
    deaths = (
        ds.events.filter(pl.col("outcome") == "FATAL")
        .group_by("participant_id")
        .agg(pl.col("start_date").min().alias("DTHDT"))
    )
    frame = (
        p.join(deaths, on="participant_id", how="left")
        .with_columns(
            pl.lit(study_id).alias("STUDYID"),
            (pl.lit(study_id + "-") + pl.col("participant_id")).alias("USUBJID"),
            pl.col("participant_id").alias("SUBJID"),
            pl.lit("").alias("SITEID"),
            pl.col("age_years").alias("AGE"),
            pl.lit("YEARS").alias("AGEU"),
            pl.col("sex").alias("SEX"),
            pl.lit("").alias("RACE"),
            pl.col("cohort").alias("ARMCD"),
            (pl.lit("Cohort ") + pl.col("cohort")).alias("ARM"),
            (pl.lit("Cohort ") + pl.col("cohort")).alias("ACTARM"),
            (pl.lit(treatment + ", Cohort ") + pl.col("cohort")).alias("TRT01P"),
            (pl.lit(treatment + ", Cohort ") + pl.col("cohort")).alias("TRT01A"),
            pl.col("infusion_date").alias("TRTSDT"),
            pl.coalesce("second_infusion_date", "infusion_date").alias("TRTEDT"),
            pl.lit("Y").alias("SAFFL"),
            pl.when(pl.col("DTHDT").is_not_null())
            .then(pl.lit("Y"))
            .otherwise(pl.lit(""))
            .alias("DTHFL"),
            pl.col("dose_cells").alias("DOSECELL"),
            pl.col("baseline_hba1c_pct").alias("HBA1CBL"),
            pl.col("baseline_insulin_u_per_day").alias("INSDDBL"),
            pl.col("baseline_she_per_year").alias("SHEBLYR"),
            pl.col("weight_kg").alias("WEIGHTBL"),
        )
        .sort("USUBJID")
    )
    qlabel = {col: label for col, label in SUPPDM_QNAMS.values()}
    vars_ = (
        predecessor(STUDYID, "DM"),
        predecessor(USUBJID, "DM"),
        Var(
            "SUBJID",
            "Subject Identifier for the Study",
            core="Req",
            origin="Predecessor",
            source="DM.SUBJID",
        ),
        Var(
            "SITEID",
            "Study Site Identifier",
            core="Req",
            origin="Predecessor",
            source="DM.SITEID (empty: not in the endolab format)",
        ),
        Var("AGE", "Age", "float", core="Req", origin="Predecessor", source="DM.AGE"),
        Var("AGEU", "Age Units", core="Req", origin="Predecessor", source="DM.AGEU"),
        Var("SEX", "Sex", core="Req", origin="Predecessor", source="DM.SEX"),
        Var(
            "RACE",
            "Race",
            core="Req",
            origin="Predecessor",
            source="DM.RACE (empty: not in the endolab format)",
        ),
        predecessor(ARMCD, "DM", core="Perm"),
        Var("ARM", "Description of Planned Arm", core="Req", origin="Predecessor", source="DM.ARM"),
        Var(
            "ACTARM",
            "Description of Actual Arm",
            core="Req",
            origin="Predecessor",
            source="DM.ACTARM",
        ),
        Var(
            "TRT01P",
            "Planned Treatment for Period 01",
            core="Req",
            origin="Derived",
            source="--treatment + cohort",
        ),
        Var(
            "TRT01A",
            "Actual Treatment for Period 01",
            core="Cond",
            origin="Derived",
            source="--treatment + cohort",
        ),
        Var(
            "TRTSDT",
            "Date of First Exposure to Treatment",
            "date",
            core="Cond",
            origin="Derived",
            source="EX.EXSTDTC of the first infusion (infusion_date)",
        ),
        Var(
            "TRTEDT",
            "Date of Last Exposure to Treatment",
            "date",
            core="Cond",
            origin="Derived",
            source="EX.EXSTDTC of the last infusion",
        ),
        Var(
            "SAFFL",
            "Safety Population Flag",
            core="Cond",
            origin="Assigned",
            source="Y: every participant was infused [A]",
        ),
        Var(
            "DTHFL",
            "Subject Death Flag",
            core="Perm",
            origin="Derived",
            source="an event with outcome FATAL",
        ),
        Var(
            "DTHDT",
            "Date of Death",
            "date",
            core="Perm",
            origin="Derived",
            source="start_date of the first FATAL event",
        ),
        Var(
            "DOSECELL",
            "Cells Infused at First Infusion (cells)",
            "float",
            core="Perm",
            origin="Predecessor",
            source="EX.EXDOSE (dose_cells)",
        ),
        Var(
            "HBA1CBL",
            qlabel["baseline_hba1c_pct"],
            "float",
            core="Perm",
            origin="Predecessor",
            source="SUPPDM.QVAL where QNAM = BLHBA1C",
        ),
        Var(
            "INSDDBL",
            "Baseline Total Daily Insulin (U/day)",
            "float",
            core="Perm",
            origin="Predecessor",
            source="SUPPDM.QVAL where QNAM = BLINSDD",
        ),
        Var(
            "SHEBLYR",
            qlabel["baseline_she_per_year"],
            "float",
            core="Perm",
            origin="Predecessor",
            source="SUPPDM.QVAL where QNAM = BLSHEYR",
        ),
        Var(
            "WEIGHTBL",
            "Baseline Weight (kg)",
            "float",
            core="Perm",
            origin="Predecessor",
            source="VS.VSSTRESN where VSTESTCD = WEIGHT",
        ),
    )
    return Dataset(
        "ADSL",
        "Subject-Level Analysis Dataset",
        "ADaM ADSL",
        vars_,
        _select(frame, vars_),
        ("STUDYID", "USUBJID"),
    )


def _select(frame: pl.DataFrame, vars_: tuple[Var, ...]) -> pl.DataFrame:
    cols = []
    for v in vars_:
        c = pl.col(v.name)
        if v.type == "text":
            c = c.cast(pl.String).fill_null("")
        elif v.type == "integer":
            c = c.cast(pl.Int64)
        elif v.type == "float":
            c = c.cast(pl.Float64)
        else:
            c = c.cast(pl.Date)
        cols.append(c)
    return frame.select(cols)


def _ady(adt: str, start: str) -> pl.Expr:
    days = (pl.col(adt) - pl.col(start)).dt.total_days()
    return pl.when(days >= 0).then(days + 1).otherwise(days).cast(pl.Int64)


def _adlb(ds: TrialDataset, study_id: str, lb: Dataset) -> Dataset:
    # SRCSEQ: the LBSEQ of the same result in SDTM LB (labs come first in each subject's LB records,
    # in the order participant, date, test code, time point: the order of the labs table here).
    lb_labs = lb.frame.filter(pl.col("LBCAT") != "CGM").select(
        "USUBJID", "LBSEQ", "LBTESTCD", "LBTPT", "LBDTC", "LBFAST"
    )
    params = pl.DataFrame(
        [(k, *v) for k, v in ADLB_PARAMS.items()], schema=["test", "PARAMCD", "PARAM"], orient="row"
    )
    from endolab.trial.cdisc.sdtm import LAB_MAP

    codes = pl.DataFrame(
        [(k, v[0], v[5]) for k, v in LAB_MAP.items()],
        schema=["test", "LBTESTCD", "LBTPT"],
        orient="row",
    )
    frame = (
        ds.labs.join(
            ds.participants.select("participant_id", "cohort", "infusion_date"), on="participant_id"
        )
        .join(params, on="test")
        .join(codes, on="test")
        .with_columns(
            pl.lit(study_id).alias("STUDYID"),
            (pl.lit(study_id + "-") + pl.col("participant_id")).alias("USUBJID"),
            pl.col("date").dt.strftime("%Y-%m-%d").alias("LBDTC"),
        )
        .join(lb_labs, on=["USUBJID", "LBTESTCD", "LBTPT", "LBDTC"], how="left")
        .with_columns(
            pl.col("cohort").alias("ARMCD"),
            pl.col("infusion_date").alias("TRTSDT"),
            pl.col("value").alias("AVAL"),
            pl.col("date").alias("ADT"),
        )
        .with_columns(_ady("ADT", "TRTSDT").alias("ADY"))
        .sort("USUBJID", "PARAMCD", "ADT")
    )
    base = (
        frame.filter(pl.col("ADT") <= pl.col("TRTSDT"))
        .group_by("USUBJID", "PARAMCD")
        .agg(pl.col("ADT").max().alias("_bdt"), pl.col("AVAL").sort_by("ADT").last().alias("BASE"))
    )
    frame = (
        frame.join(base, on=["USUBJID", "PARAMCD"], how="left")
        .with_columns(
            pl.when(pl.col("ADT") == pl.col("_bdt"))
            .then(pl.lit("Y"))
            .otherwise(pl.lit(""))
            .alias("ABLFL"),
            pl.when(pl.col("ADT") > pl.col("TRTSDT"))
            .then(pl.col("AVAL") - pl.col("BASE"))
            .alias("CHG"),
            pl.lit("LB").alias("SRCDOM"),
            pl.lit("LBSTRESN").alias("SRCVAR"),
            pl.col("LBSEQ").alias("SRCSEQ"),
        )
        .sort("USUBJID", "PARAMCD", "ADT")
    )
    vars_ = (
        *_FROM_ADSL,
        Var(
            "TRTSDT",
            "Date of First Exposure to Treatment",
            "date",
            core="Perm",
            origin="Predecessor",
            source="ADSL.TRTSDT",
        ),
        Var(
            "PARAMCD",
            "Parameter Code",
            core="Req",
            origin="Assigned",
            source="test: HBA1C, CPEPF, CPEPPK, GLUCF",
        ),
        Var("PARAM", "Parameter", core="Req", origin="Assigned"),
        Var(
            "AVAL",
            "Analysis Value",
            "float",
            core="Cond",
            origin="Predecessor",
            source="LB.LBSTRESN",
        ),
        Var("ADT", "Analysis Date", "date", core="Cond", origin="Derived", source="LB.LBDTC"),
        Var(
            "ADY",
            "Analysis Relative Day",
            "integer",
            core="Perm",
            origin="Derived",
            source="ADT - TRTSDT (+1 on or after TRTSDT)",
        ),
        Var(
            "ABLFL",
            "Baseline Record Flag",
            core="Cond",
            origin="Derived",
            source="last result on or before TRTSDT",
        ),
        Var(
            "BASE",
            "Baseline Value",
            "float",
            core="Cond",
            origin="Derived",
            source="AVAL where ABLFL = Y",
        ),
        Var(
            "CHG",
            "Change from Baseline",
            "float",
            core="Perm",
            origin="Derived",
            source="AVAL - BASE after TRTSDT",
        ),
        Var("SRCDOM", "Source Data", core="Perm", origin="Assigned"),
        Var("SRCVAR", "Source Variable", core="Perm", origin="Assigned"),
        Var(
            "SRCSEQ",
            "Source Sequence Number",
            "integer",
            core="Perm",
            origin="Derived",
            source="LB.LBSEQ",
        ),
    )
    return Dataset(
        "ADLB",
        "Laboratory Analysis Dataset",
        "ADaM BDS",
        vars_,
        _select(frame, vars_),
        ("STUDYID", "USUBJID", "PARAMCD", "ADT"),
    )


def _time_origin(ds: TrialDataset, protocol: Protocol) -> pl.DataFrame:
    """Each participant's time-to-event origin: the infusion the protocol's ``[survival]`` day 0
    names (``"last"``: the second infusion where there is one), as ``trial.survival`` counts."""
    p = ds.participants
    origin = pl.col("infusion_date")
    if protocol.day0_of("survival") == "last" and "second_infusion_date" in p.columns:
        origin = pl.coalesce(pl.col("second_infusion_date"), pl.col("infusion_date"))
    return p.select("participant_id", origin.alias("_origin"))


def _adtte(ds: TrialDataset, study_id: str, protocol: Protocol) -> Dataset:
    from endolab.trial.survival import time_to_events

    tte = time_to_events(ds, protocol).filter(pl.col("at_risk"))
    params = pl.DataFrame(
        [(k, *v) for k, v in ADTTE_PARAMS.items()],
        schema=["endpoint", "PARAMCD", "PARAM", "_evnt"],
        orient="row",
    )
    frame = (
        tte.join(params, on="endpoint")
        .join(_time_origin(ds, protocol), on="participant_id")
        .with_columns(
            pl.lit(study_id).alias("STUDYID"),
            (pl.lit(study_id + "-") + pl.col("participant_id")).alias("USUBJID"),
            pl.col("cohort").alias("ARMCD"),
            pl.col("_origin").alias("STARTDT"),
            (pl.col("_origin") + pl.duration(days=pl.col("time_days"))).alias("ADT"),
            pl.col("time_days").cast(pl.Float64).alias("AVAL"),
            pl.when(pl.col("event")).then(0).otherwise(1).alias("CNSR"),
            pl.when(pl.col("event")).then(pl.col("_evnt")).otherwise(pl.lit("")).alias("EVNTDESC"),
            pl.when(pl.col("event"))
            .then(pl.lit(""))
            .otherwise(pl.col("censor_reason").str.to_uppercase())
            .alias("CNSDTDSC"),
        )
        .sort("USUBJID", "PARAMCD")
    )
    vars_ = (
        *_FROM_ADSL,
        Var(
            "PARAMCD",
            "Parameter Code",
            core="Req",
            origin="Assigned",
            source="endolab.trial.survival endpoint",
        ),
        Var("PARAM", "Parameter", core="Req", origin="Assigned"),
        Var(
            "AVAL",
            "Analysis Value",
            "float",
            core="Cond",
            origin="Derived",
            source="time_days = ADT - STARTDT [days]",
        ),
        Var(
            "STARTDT",
            "Time to Event Origin Date for Subject",
            "date",
            core="Cond",
            origin="Derived",
            source="survival day 0: ADSL.TRTSDT, or the second infusion under day0 = last",
        ),
        Var(
            "ADT",
            "Analysis Date",
            "date",
            core="Cond",
            origin="Derived",
            source="day of the event or of censoring",
        ),
        Var(
            "CNSR", "Censor", "integer", core="Cond", origin="Derived", source="0 event, 1 censored"
        ),
        Var("EVNTDESC", "Event or Censoring Description", core="Perm", origin="Derived"),
        Var(
            "CNSDTDSC",
            "Censor Date Description",
            core="Perm",
            origin="Derived",
            source="censor_reason: LAST OBSERVATION or DEATH",
        ),
    )
    return Dataset(
        "ADTTE",
        "Time-to-Event Analysis Dataset",
        "ADaM BDS TTE",
        vars_,
        _select(frame, vars_),
        ("STUDYID", "USUBJID", "PARAMCD"),
    )


def adam_datasets(
    ds: TrialDataset, protocol: Protocol, *, study_id: str, treatment: str = "ISLET CELLS"
) -> list[Dataset]:
    """ADSL, ADLB and ADTTE of a trial dataset under ``protocol`` (module docstring)."""
    lb = next(d for d in sdtm_datasets(ds, study_id=study_id) if d.name == "LB")
    return [
        _adsl(ds, study_id, treatment),
        _adlb(ds, study_id, lb),
        _adtte(ds, study_id, protocol),
    ]
