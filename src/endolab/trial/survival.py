"""How long the benefit lasts: time-to-event endpoints and Kaplan–Meier estimates (issue 21).

Three times are derived for each participant from the trial dataset, in study days from day 0 (the
first infusion), with the definitions of the protocol's ``[survival]`` section
(:class:`~endolab.trial.protocol.SurvivalSpec`, docs/trial.md):

``first_she``
    Time to the first severe hypoglycaemic event (``category = SHE``) on day ≥ 0. Every participant
    is at risk from day 0.
``graft_failure``
    Time to the first C-peptide visit below the graft-function threshold (default 0.3 ng/mL =
    99.3 pmol/L) after a visit at or above it: the registry's definition of graft failure
    (CITR; Hering BJ et al. Diabetes Care 2016;39:1230-40, doi:10.2337/dc15-1988). A visit's
    C-peptide is the highest of its fasting and stimulated results. Only participants whose graft
    was ever detected (a visit at or above the threshold) are at risk.
``insulin_independence_loss``
    Time to the first day with insulin after insulin independence was first achieved: a run of at
    least ``insulin_independence_min_days`` consecutive recorded insulin-free days after day 0 [A].
    Only participants who achieved it are at risk; the time still counts from day 0.

A participant without the event is censored at their last observation (the last study day with a
CGM reading, a laboratory result, an insulin record or an event). Death (an event with
``outcome = FATAL``) censors each time at the day of death when the event has not happened by then
(death-censored, as the registry reports graft survival). A death before day 0 (under
``day0 = "last"``, one recorded before the second infusion) censors at day 0 [A]: no time is
negative.

:func:`kaplan_meier` estimates each survival curve with ``lifelines``' Kaplan–Meier fitter (Kaplan EL,
Meier P. J Am Stat Assoc 1958;53:457-81, doi:10.1080/01621459.1958.10501452): Greenwood's variance
(Greenwood M. Reports on Public Health and Medical Subjects 1926;33) with the log(−log) transformed
95 % interval S(t)^exp(±z·σ), σ² = Σ d/(n(n−d)) / (ln S)² (Kalbfleisch & Prentice 1980).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from endolab.trial.dataset import TrialDataset
from endolab.trial.infusions import rebase
from endolab.trial.protocol import Protocol, SurvivalSpec

__all__ = [
    "ENDPOINTS",
    "KaplanMeier",
    "SurvivalResult",
    "kaplan_meier",
    "survival_analysis",
    "time_to_events",
]

#: The time-to-event endpoints, in report order, with their labels.
ENDPOINTS: Final[dict[str, str]] = {
    "first_she": "Time to the first severe hypoglycaemic event",
    "graft_failure": "Graft survival (C-peptide at or above the threshold)",
    "insulin_independence_loss": "Insulin independence kept, from its first achievement",
}

_TTE_SCHEMA: Final = {
    "participant_id": pl.String,
    "cohort": pl.String,
    "endpoint": pl.String,
    "at_risk": pl.Boolean,
    "time_days": pl.Int64,
    "event": pl.Boolean,
    "censor_reason": pl.String,
}


def _last_observation(ds: TrialDataset) -> dict[str, int]:
    """Each participant's last study day with any record [day] (day 0 when there is none), as
    :func:`~endolab.trial.endpoints.follow_up_days` defines the follow-up."""
    from endolab.trial.endpoints import follow_up_days

    return {
        str(r["participant_id"]): max(int(r["follow_up_day"] or 0), 0)
        for r in follow_up_days(ds).iter_rows(named=True)
    }


def _deaths(ds: TrialDataset) -> dict[str, int]:
    dead = (
        ds.events.filter(pl.col("outcome") == "FATAL")
        .group_by("participant_id")
        .agg(pl.col("start_day").min())
    )
    return {str(r["participant_id"]): int(r["start_day"]) for r in dead.iter_rows(named=True)}


def _first_she(ds: TrialDataset) -> dict[str, int]:
    she = (
        ds.events.filter((pl.col("category") == "SHE") & (pl.col("start_day") >= 0))
        .group_by("participant_id")
        .agg(pl.col("start_day").min())
    )
    return {str(r["participant_id"]): int(r["start_day"]) for r in she.iter_rows(named=True)}


def _graft_failure(ds: TrialDataset, spec: SurvivalSpec) -> dict[str, tuple[bool, int | None]]:
    """participant → (ever detected, day of failure or None)."""
    visits = (
        ds.labs.filter(
            pl.col("test").is_in(["CPEP_FASTING", "CPEP_STIM_PEAK"]) & (pl.col("day") > 0)
        )
        .group_by("participant_id", "day")
        .agg(pl.col("value").max())
        .sort("participant_id", "day")
    )
    out: dict[str, tuple[bool, int | None]] = {}
    for pid, rows in visits.group_by("participant_id", maintain_order=True):
        detected, failed = False, None
        for day, value in zip(rows["day"].to_list(), rows["value"].to_list(), strict=True):
            if value >= spec.graft_failure_c_peptide_pmol_l:
                detected = True
            elif detected:
                failed = int(day)
                break
        out[str(pid[0])] = (detected, failed)
    return out


def _insulin_independence(
    ds: TrialDataset, spec: SurvivalSpec
) -> dict[str, tuple[int, int | None]]:
    """participant → (day independence was achieved, day of its loss or None); achievers only."""
    need = spec.insulin_independence_min_days
    out: dict[str, tuple[int, int | None]] = {}
    rows = ds.insulin.filter(pl.col("day") > 0).sort("participant_id", "day")
    for pid, g in rows.group_by("participant_id", maintain_order=True):
        run_start: int | None = None
        prev: int | None = None
        achieved: int | None = None
        lost: int | None = None
        for day, units in zip(g["day"].to_list(), g["total_units"].to_list(), strict=True):
            if achieved is None:
                if units == 0:
                    if run_start is None or prev is None or day != prev + 1:
                        run_start = day
                    if day - run_start + 1 >= need:
                        achieved = run_start
                else:
                    run_start = None
                prev = day
            elif units > 0:
                lost = int(day)
                break
        if achieved is not None:
            out[str(pid[0])] = (int(achieved), lost)
    return out


def _tte_row(
    endpoint: str, at_risk: bool, event_day: int | None, death: int | None, end: int
) -> dict[str, Any]:
    """One participant's time [day] for ``endpoint``: the event, else death, else last observation."""
    if not at_risk:
        return {"endpoint": endpoint, "at_risk": False, "time_days": None, "event": None,
                "censor_reason": None}  # fmt: skip
    if event_day is not None and (death is None or event_day <= death):
        return {"endpoint": endpoint, "at_risk": True, "time_days": event_day, "event": True,
                "censor_reason": ""}  # fmt: skip
    if death is not None and death <= end:
        return {"endpoint": endpoint, "at_risk": True, "time_days": death, "event": False,
                "censor_reason": "death"}  # fmt: skip
    return {"endpoint": endpoint, "at_risk": True, "time_days": end, "event": False,
            "censor_reason": "last observation"}  # fmt: skip


def time_to_events(ds: TrialDataset, protocol: Protocol) -> pl.DataFrame:
    """One row per participant and endpoint of :data:`ENDPOINTS`: at risk, time [day], event.

    ``at_risk`` is false for a participant who cannot have the event (graft never detected,
    insulin independence never achieved); such rows carry no time. ``censor_reason`` is
    ``last observation`` or ``death`` for a censored time, else empty. Times count from
    ``protocol.day0_of("survival")``: the first infusion, or the last for a protocol that says
    ``day0 = "last"`` (:mod:`endolab.trial.infusions`; what happened before it is then not counted).
    """
    spec = protocol.survival
    ds = rebase(ds, protocol.day0_of("survival"))
    last = _last_observation(ds)
    deaths = _deaths(ds)
    she = _first_she(ds)
    graft = _graft_failure(ds, spec)
    ii = _insulin_independence(ds, spec)
    rows: list[dict[str, Any]] = []
    for p in ds.participants.iter_rows(named=True):
        pid, cohort = str(p["participant_id"]), str(p["cohort"])
        end = last.get(pid, 0)
        death = deaths.get(pid)
        if death is not None:
            death = max(death, 0)  # a death before day 0 (day0 = "last") censors at day 0 [A]

        detected, failed = graft.get(pid, (False, None))
        achieved = ii.get(pid)
        for r in (
            _tte_row("first_she", True, she.get(pid), death, end),
            _tte_row("graft_failure", detected, failed, death, end),
            _tte_row(
                "insulin_independence_loss",
                achieved is not None,
                achieved[1] if achieved else None,
                death,
                end,
            ),
        ):
            rows.append({"participant_id": pid, "cohort": cohort, **r})
    return pl.DataFrame(rows, schema=_TTE_SCHEMA)


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan–Meier curve: one row per distinct time [day] of ``table``, plus numbers at risk.

    ``table`` columns: time_days, at_risk, events, censored, survival, ci_lower, ci_upper (the
    estimate just after each time). ``at_risk_at`` maps the report's landmark days to the number
    still at risk on that day.
    """

    endpoint: str
    group: str
    n: int
    events: int
    table: pl.DataFrame
    at_risk_at: dict[int, int]

    def survival_at(self, day: float) -> float:
        """The estimate S(day) [fraction] (1 before the first event)."""
        return self.estimate_at(day)[0]

    def estimate_at(self, day: float) -> tuple[float, float | None, float | None]:
        """S(day) with its 95 % limits [fraction] (1, and no limits, before the first time)."""
        out: tuple[float, float | None, float | None] = (1.0, None, None)
        for row in self.table.iter_rows(named=True):
            if row["time_days"] <= day:
                out = (float(row["survival"]), row["ci_lower"], row["ci_upper"])
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON record of the curve."""
        return {
            "endpoint": self.endpoint,
            "group": self.group,
            "n": self.n,
            "events": self.events,
            "curve": self.table.to_dicts(),
            "at_risk_at": {str(k): v for k, v in self.at_risk_at.items()},
        }


def kaplan_meier(
    durations: list[int] | list[float],
    events: list[bool],
    *,
    endpoint: str = "",
    group: str = "",
    landmarks: tuple[int, ...] = (0, 90, 180, 365),
    alpha: float = 0.05,
) -> KaplanMeier:
    """Kaplan–Meier estimate with Greenwood log(−log) confidence limits (module docstring).

    Parameters
    ----------
    durations
        Time to event or censoring [day], one per participant.
    events
        ``True`` for an event, ``False`` for a censored time.
    landmarks
        Days [day] at which the number at risk is reported (those still followed at that day).
    alpha
        1 − the interval's coverage (0.05: 95 %).

    >>> km = kaplan_meier([2, 3, 3, 5], [True, True, False, True])
    >>> [round(s, 4) for s in km.table["survival"]]
    [0.75, 0.5, 0.0]
    """
    if len(durations) != len(events):
        raise ValueError("durations and events differ in length")
    n = len(durations)
    if n == 0:
        empty = pl.DataFrame(
            schema={
                "time_days": pl.Float64,
                "at_risk": pl.Int64,
                "events": pl.Int64,
                "censored": pl.Int64,
                "survival": pl.Float64,
                "ci_lower": pl.Float64,
                "ci_upper": pl.Float64,
            }
        )
        return KaplanMeier(endpoint, group, 0, 0, empty, {d: 0 for d in landmarks})
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter(alpha=alpha)
    kmf.fit([float(d) for d in durations], event_observed=[bool(e) for e in events])
    ev = kmf.event_table  # index: the distinct times (0 included by lifelines)
    surv = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_survival_function_
    # Where S = 0 the log(−log) interval is undefined (ln S has no value; lifelines fills 0–0):
    # left empty, as for a non-finite limit.
    times = [
        float(t) for t in ev.index if t > 0 or ev.loc[t, "observed"] + ev.loc[t, "censored"] > 0
    ]
    table = pl.DataFrame(
        {
            "time_days": times,
            "at_risk": [int(ev.loc[t, "at_risk"]) for t in times],
            "events": [int(ev.loc[t, "observed"]) for t in times],
            "censored": [int(ev.loc[t, "censored"]) for t in times],
            "survival": [float(surv.loc[t]) for t in times],
            "ci_lower": [_limit(ci.loc[t].iloc[0], surv.loc[t]) for t in times],
            "ci_upper": [_limit(ci.loc[t].iloc[1], surv.loc[t]) for t in times],
        }
    )
    at_risk_at = {d: sum(1 for t in durations if t >= d) for d in landmarks}
    return KaplanMeier(endpoint, group, n, int(sum(events)), table, at_risk_at)


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(float(x)) else None


def _limit(x: float, survival: float) -> float | None:
    """A confidence limit [fraction], or None where it is undefined (S = 0, or not finite)."""
    return None if float(survival) <= 0.0 else _finite(x)


@dataclass(frozen=True)
class SurvivalResult:
    """Time-to-event rows and a Kaplan–Meier curve per endpoint and cohort group."""

    times: pl.DataFrame
    curves: tuple[KaplanMeier, ...]

    def curve(self, endpoint: str, group: str) -> KaplanMeier:
        """The curve of ``endpoint`` in cohort group ``group``."""
        for c in self.curves:
            if c.endpoint == endpoint and c.group == group:
                return c
        raise KeyError((endpoint, group))

    def to_dict(self) -> dict[str, Any]:
        """JSON record: definitions, each participant's times and the curves."""
        return {
            "endpoints": dict(ENDPOINTS),
            "times": self.times.to_dicts(),
            "curves": [c.to_dict() for c in self.curves],
        }


def survival_analysis(ds: TrialDataset, protocol: Protocol) -> SurvivalResult:
    """:func:`time_to_events` and :func:`kaplan_meier` for every endpoint and cohort group."""
    times = time_to_events(ds, protocol)
    curves: list[KaplanMeier] = []
    landmarks = tuple(protocol.survival.at_risk_days)
    for endpoint in ENDPOINTS:
        for group, cohorts in protocol.cohort_groups.items():
            sub = times.filter(
                (pl.col("endpoint") == endpoint)
                & pl.col("cohort").is_in(cohorts)
                & pl.col("at_risk")
            )
            curves.append(
                kaplan_meier(
                    sub["time_days"].to_list(),
                    sub["event"].to_list(),
                    endpoint=endpoint,
                    group=group,
                    landmarks=landmarks,
                )
            )
    return SurvivalResult(times, tuple(curves))
