"""Orchestrator: a validated dataset and a protocol in, every endpoint, grade and summary out.

:func:`analyze` returns a :class:`TrialAnalysis` whose :meth:`~TrialAnalysis.endpoints_json` is the
stable ``endpoints.json`` document described in ``docs/trial.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from endolab._version import __version__
from endolab.notices import Notice
from endolab.output import DISCLAIMER
from endolab.trial.dataset import TrialDataset, no_participants_error
from endolab.trial.endpoints import (
    binary_endpoints,
    cgm_sampling_interval,
    cgm_window_stats,
    continuous_endpoints,
    window_days,
)
from endolab.trial.grading import (
    beta2_forbes_2016,
    beta_score_ryan_2005,
    citr_state_barton_2012,
    igls1_rickels_2018,
    igls2_beta_cell_landstra_2021,
    igls2_outcome_landstra_2021,
)
from endolab.trial.infusions import rebase
from endolab.trial.protocol import GradingSpec, Protocol, SheFree, SurvivalSpec
from endolab.trial.stats import binary_summary, continuous_summary

__all__ = [
    "GRADES",
    "SCHEMA_VERSION",
    "TREATMENT_EMERGENT_FROM_DAY",
    "TrialAnalysis",
    "adverse_event_table",
    "analyze",
    "continuous_keys",
    "grading_inputs",
    "pre_infusion_events",
]

#: Version of the endpoints.json structure (documented in docs/trial.md). 2: ``notices`` are
#: objects (code, severity, message, field) instead of strings.
SCHEMA_VERSION = 2

#: Days per year used to turn an SHE count in a window into a yearly rate [A].
_DAYS_PER_YEAR = 365.25

GRADES = ("optimal", "good", "marginal", "failure")


def _py(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def grading_inputs(ds: TrialDataset, protocol: Protocol, intervals: pl.DataFrame) -> pl.DataFrame:
    """One row per participant and grading visit with every value the classifications use.

    Per visit (windows from ``protocol.grading.visits``): last HBA1C, GLUCOSE_FASTING,
    CPEP_FASTING and CPEP_STIM_PEAK in ``lab_window``; SHE count in ``she_window`` and its yearly
    rate (count × 365.25 ÷ window days [A]); insulin rows in ``insulin_window`` (days recorded,
    coverage, days with insulin, mean U/day); CGM TIR, time < 54 mg/dL and sufficiency in
    ``cgm_window`` (used only when sufficiency ≥ ``cgm_min_sufficiency``). Baselines: CGM over
    ``continuous.tir_baseline_window``; C-peptide = highest value on day ≤ 0, or null (unknown)
    when none was measured: a missing baseline is not taken as 0, so a trace of C-peptide cannot
    earn an Igls 1.0 grade by default (the grade says "not graded" with the reason where it matters).

    Visit days and windows count from ``protocol.day0_of("grading")`` (first or last infusion,
    :mod:`endolab.trial.infusions`); the baselines stay those before the first infusion [A].
    """
    g = protocol.grading
    seen = rebase(ds, protocol.day0_of("grading"))
    base_cgm = cgm_window_stats(ds.cgm, intervals, protocol.continuous.tir_baseline_window)
    base_cgm = base_cgm.filter(pl.col("sufficiency") >= g.cgm_min_sufficiency).select(
        "participant_id",
        pl.col("tir_pct").alias("baseline_tir_pct"),
        pl.col("below54_pct").alias("baseline_below54_pct"),
    )
    base_cpep = (
        ds.labs.filter(
            pl.col("test").is_in(["CPEP_FASTING", "CPEP_STIM_PEAK"]) & (pl.col("day") <= 0)
        )
        .group_by("participant_id")
        .agg(pl.col("value").max().alias("baseline_c_peptide_pmol_l"))
    )
    people = (
        ds.participants.select(
            "participant_id",
            "cohort",
            "weight_kg",
            "baseline_hba1c_pct",
            "baseline_she_per_year",
            "baseline_insulin_u_per_day",
        )
        .join(base_cgm, on="participant_id", how="left")
        .join(base_cpep, on="participant_id", how="left")
    )
    frames = []
    for visit in g.visits:
        lab = (
            seen.labs.filter(pl.col("day").is_between(*visit.lab_window, closed="both"))
            .sort("participant_id", "date")
            .group_by("participant_id", "test")
            .agg(pl.col("value").last())
            .pivot(on="test", index="participant_id", values="value")
        )
        for test in ("HBA1C", "GLUCOSE_FASTING", "CPEP_FASTING", "CPEP_STIM_PEAK"):
            if test not in lab.columns:
                lab = lab.with_columns(pl.lit(None, dtype=pl.Float64).alias(test))
        lab = lab.select(
            "participant_id",
            pl.col("HBA1C").alias("hba1c_pct"),
            pl.col("GLUCOSE_FASTING").alias("fasting_glucose_mg_dl"),
            pl.col("CPEP_FASTING").alias("c_peptide_fasting_pmol_l"),
            pl.col("CPEP_STIM_PEAK").alias("c_peptide_stim_pmol_l"),
        )
        she = (
            seen.events.filter(
                (pl.col("category") == "SHE")
                & pl.col("start_day").is_between(*visit.she_window, closed="both")
            )
            .group_by("participant_id")
            .agg(pl.len().alias("she_events"))
        )
        ins = (
            seen.insulin.filter(pl.col("day").is_between(*visit.insulin_window, closed="both"))
            .group_by("participant_id")
            .agg(
                pl.len().alias("insulin_days_recorded"),
                (pl.col("total_units") > 0).sum().alias("insulin_days_used"),
                pl.col("total_units").mean().alias("insulin_u_per_day"),
            )
        )
        cgm = cgm_window_stats(seen.cgm, intervals, visit.cgm_window).select(
            "participant_id",
            "tir_pct",
            "below54_pct",
            pl.col("sufficiency").alias("cgm_sufficiency"),
        )
        frame = (
            people.join(lab, on="participant_id", how="left")
            .join(she, on="participant_id", how="left")
            .join(ins, on="participant_id", how="left")
            .join(cgm, on="participant_id", how="left")
            .with_columns(
                pl.lit(visit.day).alias("visit_day"),
                pl.col("she_events").fill_null(0).cast(pl.Int64),
                pl.col("insulin_days_recorded").fill_null(0).cast(pl.Int64),
                pl.col("insulin_days_used").fill_null(0).cast(pl.Int64),
                pl.lit(f"days {visit.she_window[0]}–{visit.she_window[1]}").alias("she_window"),
            )
            .with_columns(
                (pl.col("she_events") * _DAYS_PER_YEAR / window_days(visit.she_window)).alias(
                    "she_rate_per_year"
                ),
                (pl.col("insulin_days_recorded") / window_days(visit.insulin_window)).alias(
                    "insulin_coverage"
                ),
                pl.when(pl.col("cgm_sufficiency") >= g.cgm_min_sufficiency)
                .then(pl.col("tir_pct"))
                .alias("tir_pct"),
                pl.when(pl.col("cgm_sufficiency") >= g.cgm_min_sufficiency)
                .then(pl.col("below54_pct"))
                .alias("below54_pct"),
            )
            .with_columns(
                pl.when(pl.col("insulin_days_used") > 0)
                .then(pl.lit(False))
                .when(pl.col("insulin_coverage") >= g.insulin_min_coverage - 1e-12)
                .then(pl.lit(True))
                .otherwise(pl.lit(None, dtype=pl.Boolean))
                .alias("insulin_none"),
                pl.when(pl.col("insulin_coverage") >= g.insulin_min_coverage - 1e-12)
                .then(pl.col("insulin_u_per_day") / pl.col("weight_kg"))
                .alias("insulin_u_kg_day"),
            )
        )
        frames.append(frame)
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames, how="diagonal_relaxed").sort("participant_id", "visit_day")


def _grade_row(
    row: dict[str, Any],
    grading: GradingSpec | None = None,
    graft_threshold_pmol_l: float = SurvivalSpec().graft_failure_c_peptide_pmol_l,
) -> dict[str, Any]:
    g = GradingSpec() if grading is None else grading
    weight = row["weight_kg"]
    insulin_none = row["insulin_none"]
    dose = row["insulin_u_kg_day"]
    if insulin_none is True:
        dose = 0.0
    cpeps = [
        x for x in (row["c_peptide_fasting_pmol_l"], row["c_peptide_stim_pmol_l"]) if x is not None
    ]
    igls1 = igls1_rickels_2018(
        hba1c_pct=row["hba1c_pct"],
        she_events=row["she_events"],
        she_rate_per_year=row["she_rate_per_year"],
        baseline_she_per_year=row["baseline_she_per_year"],
        insulin_none=insulin_none,
        insulin_u_kg_day=dose,
        baseline_insulin_u_kg_day=row["baseline_insulin_u_per_day"] / weight,
        c_peptide_pmol_l=max(cpeps) if cpeps else None,
        baseline_c_peptide_pmol_l=row["baseline_c_peptide_pmol_l"],
        she_window=row["she_window"],
        c_peptide_footnote=g.igls1_c_peptide_footnote,
        c_peptide_column=g.c_peptide_column,
    )
    igls2 = igls2_outcome_landstra_2021(
        hba1c_pct=row["hba1c_pct"],
        tir_pct=_py(row["tir_pct"]),
        below54_pct=_py(row["below54_pct"]),
        she_events=row["she_events"],
        she_rate_per_year=row["she_rate_per_year"],
        baseline_hba1c_pct=row["baseline_hba1c_pct"],
        baseline_tir_pct=_py(row["baseline_tir_pct"]),
        baseline_below54_pct=_py(row["baseline_below54_pct"]),
        baseline_she_per_year=row["baseline_she_per_year"],
        she_window=row["she_window"],
    )
    beta_cell = igls2_beta_cell_landstra_2021(
        c_peptide_fasting_pmol_l=row["c_peptide_fasting_pmol_l"],
        c_peptide_stim_pmol_l=row["c_peptide_stim_pmol_l"],
        insulin_none=insulin_none,
        c_peptide_column=g.c_peptide_column,
    )
    score, score_reason = beta_score_ryan_2005(
        fasting_glucose_mg_dl=row["fasting_glucose_mg_dl"],
        hba1c_pct=row["hba1c_pct"],
        insulin_u_kg_day=dose,
        c_peptide_stim_pmol_l=row["c_peptide_stim_pmol_l"],
        c_peptide_fasting_pmol_l=row["c_peptide_fasting_pmol_l"],
    )
    beta2, beta2_reason = beta2_forbes_2016(
        c_peptide_fasting_pmol_l=row["c_peptide_fasting_pmol_l"],
        insulin_u_kg_day=dose,
        fasting_glucose_mg_dl=row["fasting_glucose_mg_dl"],
        hba1c_pct=row["hba1c_pct"],
    )
    state = citr_state_barton_2012(
        insulin_none=insulin_none,
        c_peptide_pmol_l=max(cpeps) if cpeps else None,
        threshold_pmol_l=graft_threshold_pmol_l,
    )
    return {
        "day": row["visit_day"],
        "state": state.grade,
        "state_reason": state.reason,
        "igls1_outcome": igls1.grade,
        "igls1_reason": igls1.reason,
        "igls2_outcome": igls2.grade,
        "igls2_reason": igls2.reason,
        "igls2_beta_cell_function": beta_cell.grade,
        "igls2_beta_cell_reason": beta_cell.reason,
        "beta_score": score,
        "beta_score_reason": score_reason,
        "beta2": beta2,
        "beta2_reason": beta2_reason,
        "inputs": {
            "hba1c_pct": row["hba1c_pct"],
            "fasting_glucose_mg_dl": row["fasting_glucose_mg_dl"],
            "c_peptide_fasting_pmol_l": row["c_peptide_fasting_pmol_l"],
            "c_peptide_stim_peak_pmol_l": row["c_peptide_stim_pmol_l"],
            "she_events": row["she_events"],
            "she_rate_per_year": row["she_rate_per_year"],
            "insulin_days_recorded": row["insulin_days_recorded"],
            "insulin_coverage": row["insulin_coverage"],
            "insulin_u_kg_day": dose,
            "tir_pct": _py(row["tir_pct"]),
            "below54_pct": _py(row["below54_pct"]),
            "cgm_sufficiency": _py(row["cgm_sufficiency"]),
            "baseline_tir_pct": _py(row["baseline_tir_pct"]),
            "baseline_below54_pct": _py(row["baseline_below54_pct"]),
            "baseline_c_peptide_pmol_l": row["baseline_c_peptide_pmol_l"],
        },
    }


#: First study day of a treatment-emergent event: events starting on or after the day of the first
#: infusion (day 0) [A: the usual definition, an event starting after the first study treatment;
#: an event starting before it is listed apart, never counted in the adverse-event tables].
TREATMENT_EMERGENT_FROM_DAY = 0


def adverse_event_table(
    events: pl.DataFrame,
    participant_ids: list[str],
    *,
    from_day: int = TREATMENT_EMERGENT_FROM_DAY,
) -> list[dict[str, Any]]:
    """Treatment-emergent events by category and preferred term among ``participant_ids``.

    Only events with ``start_day ≥ from_day`` count (default: day 0, the first infusion); earlier
    events are listed by :func:`pre_infusion_events`. Each row: category, term, participants (with
    ≥ 1 event), events, serious (``serious = Y``), related (``related`` = ``Y`` or ``POSSIBLE`` [A:
    possibly related counted as related]), fatal (``outcome = FATAL``). Sorted by participants
    (descending), then category and term.
    """
    sub = events.filter(
        pl.col("participant_id").is_in(participant_ids) & (pl.col("start_day") >= from_day)
    )
    if sub.height == 0:
        return []
    table = (
        sub.group_by("category", "term")
        .agg(
            pl.col("participant_id").n_unique().alias("participants"),
            pl.len().alias("events"),
            (pl.col("serious") == "Y").sum().alias("serious"),
            pl.col("related").is_in(["Y", "POSSIBLE"]).sum().alias("related"),
            (pl.col("outcome") == "FATAL").sum().alias("fatal"),
        )
        .sort(["participants", "category", "term"], descending=[True, False, False])
    )
    return [
        {k: (int(v) if isinstance(v, int) else v) for k, v in r.items()} for r in table.to_dicts()
    ]


def pre_infusion_events(
    events: pl.DataFrame, *, before_day: int = TREATMENT_EMERGENT_FROM_DAY
) -> list[dict[str, Any]]:
    """Events that started before ``before_day`` (day 0): one record each, by participant and day.

    Not treatment-emergent, so not in :func:`adverse_event_table`; the report lists them apart.
    """
    sub = events.filter(pl.col("start_day") < before_day).sort("participant_id", "start_day")
    return [
        {
            "participant_id": r["participant_id"],
            "start_day": int(r["start_day"]),
            "start_date": r["start_date"].isoformat(),
            "category": r["category"],
            "term": r["term"],
            "serious": r["serious"],
            "related": r["related"],
            "outcome": r["outcome"],
        }
        for r in sub.to_dicts()
    ]


@dataclass
class TrialAnalysis:
    """Everything computed from one dataset under one protocol.

    ``notices`` (:class:`endolab.notices.Notice`, as data): the dataset's plausibility findings,
    endpoints left undecided by a short follow-up, cohorts left out of the summaries, and what
    the CGM engine said while the AGP figures were drawn (added by
    :func:`endolab.trial.figures.agp_figures`).
    """

    protocol: Protocol
    dataset: TrialDataset
    participants: pl.DataFrame  # one row per participant: endpoints, continuous values, grades
    visits: dict[str, list[dict[str, Any]]]  # participant_id → graded visits
    cohorts: dict[str, dict[str, Any]]
    adverse_events: list[dict[str, Any]]
    notices: list[Notice] = field(default_factory=list)
    intervals: pl.DataFrame | None = None
    pre_infusion_events: list[dict[str, Any]] = field(default_factory=list)
    cgm_readings: int | None = None  # all CGM readings, when ``dataset.cgm`` holds only windows
    #: Time-to-event endpoints and Kaplan–Meier curves (:mod:`endolab.trial.survival`); ``None``
    #: without the optional ``[survival]`` extra (a notice says so).
    survival: Any = None
    #: A paired simulation's treated participants beside their untreated twins
    #: (:func:`endolab.trial.paired.paired_comparison`), else ``None``.
    paired: dict[str, Any] | None = None

    def participant_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per participant (the ``participants`` list of endpoints.json)."""
        out = []
        for row in self.participants.to_dicts():
            record = {k: _py(v) for k, v in row.items() if "__" not in k}
            record["details"] = {k: _py(v) for k, v in row.items() if "__" in k}
            record["visits"] = self.visits.get(row["participant_id"], [])
            out.append(record)
        return out

    def endpoints_json(self) -> dict[str, Any]:
        """The ``endpoints.json`` document (structure in docs/trial.md)."""
        p = self.protocol
        return {
            "schema_version": SCHEMA_VERSION,
            "generator": f"endolab {__version__}",
            "protocol": {
                "name": p.name,
                "title": p.title,
                "reference": p.reference,
                "primary_endpoint": p.primary_endpoint,
                "cohort_groups": p.cohort_groups,
                "endpoints": {k: v.model_dump() for k, v in p.endpoints.items()},
                "continuous": p.continuous.model_dump(),
                "grading": p.grading.model_dump(),
                "infusions": p.infusions.model_dump(),
            },
            "dataset": {
                "folder": None if self.dataset.folder is None else str(self.dataset.folder),
                "source": self.dataset.source,
                "simulated": self.dataset.simulated,
                "files": {k: f"{k}.{v}" for k, v in self.dataset.formats.items()},
                "participants": self.dataset.participants.height,
                "cgm_readings": (
                    self.dataset.cgm.height if self.cgm_readings is None else self.cgm_readings
                ),
            },
            "cohorts": self.cohorts,
            "adverse_events": self.adverse_events,
            "adverse_events_from_day": TREATMENT_EMERGENT_FROM_DAY,
            "pre_infusion_events": self.pre_infusion_events,
            "participants": self.participant_records(),
            "survival": None if self.survival is None else self.survival.to_dict(),
            "paired": self.paired,
            "notices": [n.as_dict() for n in self.notices],
            "disclaimer": DISCLAIMER,
        }


def continuous_keys(protocol: Protocol) -> dict[str, tuple[str, str, str, str]]:
    """name → (follow-up column, baseline column, change column, unit)."""
    v = protocol.continuous.visit_label
    return {
        "hba1c": (f"hba1c_{v}_pct", "hba1c_baseline_pct", f"hba1c_change_{v}_pct", "%"),
        "tir": (f"tir_{v}_pct", "tir_baseline_pct", f"tir_change_{v}_pct", "%"),
        "insulin": (
            f"insulin_{v}_u_per_day",
            "insulin_baseline_u_per_day",
            f"insulin_change_{v}_u_per_day",
            "U/day",
        ),
        "c_peptide_fasting": (
            f"c_peptide_fasting_{v}_pmol_l",
            "c_peptide_fasting_baseline_pmol_l",
            f"c_peptide_fasting_change_{v}_pmol_l",
            "pmol/L",
        ),
        "c_peptide_stim_peak": (
            f"c_peptide_stim_peak_{v}_pmol_l",
            "c_peptide_stim_peak_baseline_pmol_l",
            f"c_peptide_stim_peak_change_{v}_pmol_l",
            "pmol/L",
        ),
    }


def _follow_up_notices(table: pl.DataFrame, protocol: Protocol, simulated: bool) -> list[Notice]:
    """One notice per SHE-free endpoint whose window some participants' follow-up does not reach:
    left undecided (simulated data, or a protocol ``min_follow_up_day``) or, for observed data
    under the format's rule that events are complete, counted SHE-free — said either way."""
    out = []
    for key, ep in protocol.endpoints.items():
        column = f"{key}__follow_up_day"
        if not isinstance(ep, SheFree) or column not in table.columns:
            continue
        needed = ep.follow_up_needed(simulated)
        reach = ep.window[1] if needed is None else needed
        short_of_window = pl.col(column).is_null() | (pl.col(column) < reach)
        short = table.filter(short_of_window & pl.col(key).ne_missing(False)).select(
            "participant_id", column
        )
        if not short.height:
            continue
        ids = short.get_column("participant_id").to_list()
        last = short.get_column(column).drop_nulls()
        named = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        ends = (
            f"their last record is on day {int(last.max())} at the latest"  # type: ignore[arg-type]
            if last.len()
            else "they have no record at all"
        )
        if needed is None:
            message = (
                f"{key}: {len(ids)} of {table.height} participant(s) ({named}) counted free of "
                f"severe hypoglycaemia although {ends}, before the window's last day "
                f"{ep.window[1]}: the dataset format takes the events table as complete. Set "
                "min_follow_up_day in the protocol to leave them undecided"
            )
        else:
            message = (
                f"{key}: not decided for {len(ids)} of {table.height} participant(s) ({named}): "
                f"{ends}, before day {needed} that the window days "
                f"{ep.window[0]}–{ep.window[1]} needs; they count in N, not in n"
            )
        out.append(Notice("W_TRIAL_FOLLOW_UP_SHORT", "W", message, field=key))
    return out


def _survival(ds: TrialDataset, protocol: Protocol, notices: list[Notice]) -> Any:
    """The survival analysis, or ``None`` with a notice when the ``[survival]`` extra is missing."""
    from importlib.util import find_spec

    if find_spec("lifelines") is None:
        notices.append(
            Notice(
                "I_TRIAL_SURVIVAL_NOT_COMPUTED",
                "I",
                "time-to-event (Kaplan–Meier) estimates are not computed: they need the optional "
                "extra [survival]: pip install 'endolab[survival]'",
                field="survival",
            )
        )
        return None
    from endolab.trial.survival import survival_analysis

    return survival_analysis(ds, protocol)


def analyze(
    ds: TrialDataset,
    protocol: Protocol,
    *,
    cgm_intervals: pl.DataFrame | None = None,
    cgm_readings: int | None = None,
) -> TrialAnalysis:
    """Compute every endpoint, grade, cohort summary and the adverse-event table.

    ``cgm_intervals`` (participant_id, interval as :func:`cgm_sampling_interval` returns) and
    ``cgm_readings`` are given when ``ds.cgm`` holds only the readings of the protocol's windows
    (the Dask engine, :mod:`endolab.trial.distributed`): every CGM endpoint uses only readings in
    its window plus the participant's sampling interval over all of their data.
    """
    if ds.participants.height == 0:
        raise no_participants_error()
    intervals = cgm_sampling_interval(ds.cgm) if cgm_intervals is None else cgm_intervals
    binary = binary_endpoints(ds, protocol, intervals)
    continuous = continuous_endpoints(ds, protocol, intervals).drop("cohort")
    table = binary.join(continuous, on="participant_id", how="left")

    visits: dict[str, list[dict[str, Any]]] = {}
    report_rows: list[dict[str, Any]] = []
    if protocol.grading.visits:
        inputs = grading_inputs(ds, protocol, intervals)
        for row in inputs.to_dicts():
            graded = _grade_row(
                row, protocol.grading, protocol.survival.graft_failure_c_peptide_pmol_l
            )
            visits.setdefault(row["participant_id"], []).append(graded)
            if row["visit_day"] == protocol.grading.report_visit:
                report_rows.append(
                    {
                        "participant_id": row["participant_id"],
                        **{
                            k: v
                            for k, v in graded.items()
                            if k not in ("day", "inputs", "state", "state_reason")
                        },
                    }
                )
    if report_rows:
        grades = pl.DataFrame(
            report_rows,
            schema={
                "participant_id": pl.String,
                "igls1_outcome": pl.String,
                "igls1_reason": pl.String,
                "igls2_outcome": pl.String,
                "igls2_reason": pl.String,
                "igls2_beta_cell_function": pl.String,
                "igls2_beta_cell_reason": pl.String,
                "beta_score": pl.Int64,
                "beta_score_reason": pl.String,
                "beta2": pl.Float64,
                "beta2_reason": pl.String,
            },
        )
        table = table.join(grades, on="participant_id", how="left")

    notices: list[Notice] = list(ds.notices)
    notices += _follow_up_notices(table, protocol, ds.simulated)
    grouped = {c for cs in protocol.cohort_groups.values() for c in cs}
    stray = sorted(set(ds.participants["cohort"].to_list()) - grouped)
    if stray:
        notices.append(
            Notice(
                "I_TRIAL_COHORT_NOT_SUMMARISED",
                "I",
                f"cohort(s) {', '.join(stray)} are in the data but in no cohort group of protocol "
                f"{protocol.name}; their participants are listed but not summarised",
                field="cohort",
            )
        )

    cohorts: dict[str, dict[str, Any]] = {}
    ckeys = continuous_keys(protocol)
    for group, members in protocol.cohort_groups.items():
        sub = table.filter(pl.col("cohort").is_in(members))
        summary: dict[str, Any] = {"cohorts": members, "participants": sub.height}
        for key in protocol.endpoints:
            summary[key] = binary_summary(sub[key].to_list())
        for name, (follow, base, change, unit) in ckeys.items():
            summary[name] = {
                "unit": unit,
                "followup_column": follow,
                "followup": continuous_summary(sub[follow].to_list()),
                "baseline": continuous_summary(sub[base].to_list()),
                "change": continuous_summary(sub[change].to_list()),
            }
        red = f"insulin_reduction_{protocol.continuous.visit_label}"
        summary[red] = {"unit": "fraction", **continuous_summary(sub[red].to_list())}
        if report_rows:
            day = protocol.grading.report_visit
            for col in ("igls1_outcome", "igls2_outcome", "igls2_beta_cell_function"):
                values = sub[col].to_list()
                counts = {grade: sum(1 for x in values if x == grade) for grade in GRADES}
                counts["not_graded"] = sum(1 for x in values if x is None)
                summary[f"{col}_day{day}"] = counts
        summary["adverse_events"] = adverse_event_table(ds.events, sub["participant_id"].to_list())
        cohorts[group] = summary

    paired = None
    if ds.twins is not None:  # a paired simulation: each participant beside their untreated twin
        from endolab.trial.paired import paired_comparison

        paired = paired_comparison(table, analyze(ds.twins, protocol).participants, protocol)
    return TrialAnalysis(
        paired=paired,
        protocol=protocol,
        dataset=ds,
        participants=table,
        visits=visits,
        cohorts=cohorts,
        adverse_events=adverse_event_table(ds.events, ds.participants["participant_id"].to_list()),
        notices=notices,
        intervals=intervals,
        pre_infusion_events=pre_infusion_events(ds.events),
        cgm_readings=cgm_readings,
        survival=_survival(ds, protocol, notices),
    )
