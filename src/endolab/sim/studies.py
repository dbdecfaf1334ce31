"""Studies built on the simulator: dose–response, the default demo with its report, calibration.

Every endpoint comes from the trial engine (:func:`endolab.trial.analyze` under protocol
``zimislecel-2025``) applied to the simulated dataset, so the definitions are those of real data.
In-silico results are never clinical evidence.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from endolab._io import atomic_directory, check_output_path
from endolab.errors import InputError
from endolab.notices import Notice
from endolab.sim.graft import GraftSettings
from endolab.sim.runner import (
    DISCLAIMER,
    Progress,
    demo_trial,
    manifest_json,
    simulate,
)
from endolab.trial import TrialAnalysis, analyze, load_protocol
from endolab.trial.analysis import continuous_keys
from endolab.trial.dataset import MANIFEST, write_dataset
from endolab.trial.stats import binary_summary

__all__ = [
    "CALIBRATED_TO",
    "CALIBRATION_ENDPOINTS",
    "DEMO_CONTENTS",
    "DOSE_RESPONSE_CONTENTS",
    "NEJM_2025_FULL_DOSE",
    "WINDOW_NOTICE_CODE",
    "DoseResponse",
    "calibration_table",
    "dose_response",
    "mean_ci95",
    "patient_trace_paths",
    "window_notices",
    "write_demo",
    "write_dose_response",
    "write_patient_trace",
]

#: Published full-dose results (Reichman et al., N Engl J Med 2025, doi:10.1056/NEJMoa2506549,
#: abstract [V]): the calibration targets, shown beside the simulation and never as evidence.
NEJM_2025_FULL_DOSE: dict[str, tuple[int, int]] = {
    "she_free_90_365": (12, 12),
    "hba1c_lt7_day365": (12, 12),
    "insulin_independent_180_365": (10, 12),
}

#: The endpoints of the calibration table, in order, with the NEJM 2025 full-dose result (n, N)
#: and how that result was obtained: reported in the abstract, or derived from reported parts
#: ([D]: the primary endpoint — freedom from SHE and an HbA1c response — met by all 12 because
#: both parts were; TIR > 70 % in all 12, as the abstract reports for day 365).
CALIBRATION_ENDPOINTS: tuple[tuple[str, tuple[int, int], str], ...] = (
    ("primary", (12, 12), "[D] both parts met by all 12"),
    ("she_free_90_365", NEJM_2025_FULL_DOSE["she_free_90_365"], "reported"),
    ("hba1c_lt7_day365", NEJM_2025_FULL_DOSE["hba1c_lt7_day365"], "reported"),
    ("tir_gt70_day365", (12, 12), "reported"),
    ("insulin_independent_180_365", NEJM_2025_FULL_DOSE["insulin_independent_180_365"], "reported"),
)

#: What the virtual trial is calibrated to (and what not): (model part, calibrated to).
CALIBRATED_TO: tuple[tuple[str, str], ...] = (
    (
        "population behaviour and awareness (counting bias, basal, missed boluses, impaired "
        "awareness)",
        "the trial's reported baseline (HbA1c about 7.8 %, TIR about 50 %, insulin about "
        "39 U/day; docs/sim.md) — never to outcomes",
    ),
    (
        "insulin titration rule ([titration])",
        "checked on the control arm only (a zero-dose arm keeps its dose); no outcome target",
    ),
    (
        "graft dose chain and potency ([graft])",
        f"potency {GraftSettings().potency:g} fitted to published C-peptide only: the full-dose "
        "cohorts' median fasting and MMTT-peak C-peptide at day 365 against the CITR cut points "
        "of good islet-graft function (Baidal 2023, doi:10.2337/dc22-1155), on the model with "
        "counter-regulation and the titration rule (validation/cpeptide_calibration.py, "
        "docs/sim.md 'C-peptide calibration'), never to an endpoint in this table",
    ),
    (
        "graft C-peptide at days 90, 180 and 365 (fasting, MMTT peak)",
        "checked within ±30 %, not fitted: zimislecel's full-dose MMTT peaks at days 90, 180 and "
        "365 (Reichman 2025, doi:10.1056/NEJMoa2506549, read only in a secondary source [U]); "
        "the graft's maturation (t50_days, slope_days) is an assumption [A], not fitted "
        "(validation/cpeptide_calibration.md)",
    ),
    (
        "graft α-cells and restored awareness ([graft], [behaviour])",
        "assumptions [A] with sources for direction, not fitted",
    ),
    (
        "severe-event model ([she] third_party_prob, third_party_prob_impaired)",
        "calibrated to the SH rates by LBGI class of Kovatchev 1998 (doi:10.2337/diacare.21.11.1870; "
        "0.4, 2.3, 5.2 per 6 months) and the six-fold rate with impaired awareness of Geddes 2008 "
        "(doi:10.1111/j.1464-5491.2008.02413.x), on unscreened virtual adults with Geddes' clinic "
        "prevalence of impaired awareness — validation/she_lbgi.py; waking from hypoglycaemia "
        "from Schultes 2007 (doi:10.1371/journal.pmed.0040069); never to an endpoint",
    ),
    (
        "every endpoint in this table",
        "nothing: control and treated columns are predictions of the model's assumptions",
    ),
)


def mean_ci95(values: list[float]) -> dict[str, Any]:
    """Mean with a two-sided 95 % t-interval (n − 1 degrees of freedom).

    >>> r = mean_ci95([1.0, 2.0, 3.0])
    >>> r["mean"], [round(v, 3) for v in r["ci95"]]
    (2.0, [-0.484, 4.484])
    """
    data = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if data.size == 0:
        return {"n": 0, "mean": None, "ci95": None, "status": "not decided"}
    mean = float(data.mean())
    if data.size == 1:
        return {"n": 1, "mean": mean, "ci95": None, "status": "decided"}
    half = float(stats.t.ppf(0.975, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size))
    return {
        "n": int(data.size),
        "mean": mean,
        "ci95": [mean - half, mean + half],
        "status": "decided",
    }


#: The dose–response endpoints and the study-day windows they need (protocol zimislecel-2025).
_DOSE_RESPONSE_ENDPOINTS = (
    "insulin_independent_180_365",
    "she_free_90_365",
    "hba1c_lt7_day365",
)


@dataclass(frozen=True)
class DoseResponse:
    """Per dose: insulin independence and SHE-free rate (n/N, exact 95 % CI) and TIR (mean, t CI).

    An endpoint whose window the simulation does not reach is ``"status": "not decided"`` (no
    n, percent or CI) and named in :attr:`notices`.
    """

    doses: list[float]
    rows: list[dict[str, Any]]
    settings: dict[str, Any]
    notices: list[Notice] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready document (with the notices, each ``{code, severity, message}``, and the
        disclaimer)."""
        return {
            "disclaimer": DISCLAIMER,
            "settings": self.settings,
            "notices": [n.as_dict() for n in self.notices],
            "doses": self.rows,
        }


#: Code of the notice that the simulation is too short to decide some endpoints in any arm.
WINDOW_NOTICE_CODE = "W_SIM_WINDOW_NOT_COVERED"


def window_notices(days: int, rows: list[dict[str, Any]]) -> list[Notice]:
    """The endpoints that no arm's simulation decides (their windows are not covered by ``days``),
    as one notice (code :data:`WINDOW_NOTICE_CODE`), or none.

    >>> undecided = {"status": "not decided"}
    >>> rows = [{"she_free_90_365": undecided, "tir_pct": {"status": "decided"}}]
    >>> found = window_notices(30, rows)
    >>> found[0].code, found[0].message[:74]
    ('W_SIM_WINDOW_NOT_COVERED', 'the simulation ends on day 30: not decided in any arm: she_free_90_365 (da')
    >>> window_notices(365, [{"she_free_90_365": {"status": "decided"}}])
    []
    """
    protocol = load_protocol("zimislecel-2025")
    windows: dict[str, tuple[int, int]] = {
        key: protocol.endpoints[key].window  # type: ignore[union-attr]
        for key in _DOSE_RESPONSE_ENDPOINTS
    }
    windows["tir_pct"] = protocol.continuous.tir_window
    short = [
        f"{key} (days {a}–{b})"
        for key, (a, b) in windows.items()
        if rows and all(row.get(key, {}).get("status") == "not decided" for row in rows)
    ]
    if not short:
        return []
    message = (
        f"the simulation ends on day {days}: not decided in any arm: "
        + ", ".join(short)
        + " (their windows are not covered); simulate --days 365 or more to decide them"
    )
    return [Notice(WINDOW_NOTICE_CODE, "W", message, field="days", data={"days": days})]


def _summaries(a: TrialAnalysis) -> dict[str, Any]:
    table = a.participants
    tir_col = continuous_keys(a.protocol)["tir"][0]
    return {
        "insulin_independent_180_365": binary_summary(
            table["insulin_independent_180_365"].to_list()
        ),
        "she_free_90_365": binary_summary(table["she_free_90_365"].to_list()),
        "hba1c_lt7_day365": binary_summary(table["hba1c_lt7_day365"].to_list()),
        "tir_pct": mean_ci95(table[tir_col].to_list()),
    }


def _dose_row(
    dose: float,
    participants: int,
    seed: int,
    days: int,
    graft: GraftSettings | None,
    progress: Progress | None = None,
    settings: Any = None,
) -> dict[str, Any]:
    """One arm of :func:`dose_response`: simulate, analyse, summarise (a task on its own)."""
    extra = settings.kwargs() if settings is not None else {}
    if graft is not None:
        extra["graft"] = graft
    res = simulate(
        [(f"{dose:.3g}", dose)] * participants,
        seed=seed,
        days=days,
        progress=progress,
        **extra,
    )
    a = analyze(res.dataset, load_protocol("zimislecel-2025"))
    return {
        "dose_cells": dose,
        "participants": participants,
        "mean_graft_fraction_last_day": float(res.graft_fraction[:, -1].mean()),
        **_summaries(a),
    }


def dose_response(
    doses: list[float],
    *,
    participants: int = 30,
    seed: int = 1,
    days: int = 365,
    graft: GraftSettings | None = None,
    progress: Progress | None = None,
    engine: str = "local",
    client: Any = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    settings: Any = None,
) -> DoseResponse:
    """Simulate ``participants`` virtual adults at each dose [cells] and summarise the endpoints.

    Each arm uses the same seed, hence the same virtual participants, meals and sensors: only the
    dose differs (common random numbers). Endpoints (protocol zimislecel-2025): insulin
    independence days 180–365 and SHE-free days 90–365 (n/N with exact Clopper–Pearson 95 % CI),
    HbA1c < 7 % at day 365, and TIR 70–180 mg/dL over days 352–365 (mean with a t 95 % CI).
    An endpoint whose window ends after ``days`` is not decided for any participant: its
    summary has ``"status": "not decided"`` and no n, percent or CI (never a count), and
    :attr:`DoseResponse.notices` names it.

    ``engine="dask"`` runs each dose arm as an independent task on a Dask cluster (``client``, a
    ``scheduler`` address or a LocalCluster of ``n_workers`` processes; the ``[dask]`` extra):
    the same seed gives the same result as ``engine="local"``; ``progress`` then counts arms.
    """
    if not doses:
        raise InputError("give at least one dose", field="doses")
    if engine not in ("local", "dask"):
        raise InputError(f"engine must be local or dask, got {engine!r}", field="engine")
    protocol = load_protocol("zimislecel-2025")
    per_arm = participants * (days + 15)
    if engine == "dask":
        rows = _dose_rows_dask(doses, participants, seed, days, graft, progress, client,
                               scheduler, n_workers, settings)  # fmt: skip
    else:
        rows = []
        for k, dose in enumerate(doses):

            def step(d: int, _t: int, done: int = k * per_arm) -> None:
                if progress is not None:
                    progress(done + d, len(doses) * per_arm)

            rows.append(_dose_row(dose, participants, seed, days, graft, step, settings))
    effective = graft or (settings.graft if settings is not None else GraftSettings())
    summary: dict[str, Any] = {
        "participants": participants,
        "seed": seed,
        "days": days,
        "graft": effective.as_dict(),
        "protocol": protocol.name,
    }
    if settings is not None:
        summary["settings"] = settings.as_dict()
    return DoseResponse(list(doses), rows, summary, window_notices(days, rows))


def _dose_rows_dask(
    doses: list[float],
    participants: int,
    seed: int,
    days: int,
    graft: GraftSettings | None,
    progress: Progress | None,
    client: Any,
    scheduler: str | None,
    n_workers: int | None,
    settings: Any = None,
) -> list[dict[str, Any]]:
    from endolab._dask import dask_session, gather, require_dask

    require_dask()
    from distributed import as_completed

    with dask_session(client, scheduler, n_workers) as the_client:
        futures = [
            the_client.submit(
                _dose_row, d, participants, seed, days, graft, None, settings, pure=False
            )
            for d in doses
        ]
        if progress is not None:
            for done, _ in enumerate(as_completed(futures), start=1):  # type: ignore[no-untyped-call]
                progress(done, len(doses))
        return gather(the_client, futures)


def dose_response_figure(result: DoseResponse) -> Any:
    """Three panels against dose: insulin independence %, SHE-free %, TIR % (95 % CI bars)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 3.6))
    axes = fig.subplots(1, 3)
    x = np.array(result.doses) / 1e9
    panels = (
        ("insulin_independent_180_365", "Insulin independent, days 180–365 [%]"),
        ("she_free_90_365", "SHE-free, days 90–365 [%] (proxy)"),
        ("tir_pct", "TIR 70–180 mg/dL, days 352–365 [%]"),
    )
    for ax, (key, title) in zip(axes, panels, strict=True):
        mids, lo, hi = [], [], []
        for row in result.rows:
            s = row[key]
            if key == "tir_pct":
                m = s["mean"] if s["mean"] is not None else math.nan
                ci = s["ci95"] or [m, m]
            else:
                m = s["percent"] if s["percent"] is not None else math.nan
                ci = [100 * c for c in s["ci95"]] if s["ci95"] else [m, m]
            mids.append(m)
            lo.append(m - ci[0])
            hi.append(ci[1] - m)
        ax.errorbar(x, mids, yerr=[lo, hi], fmt="o-", capsize=4, color="#1f77b4")
        ax.set_xlabel("Dose [10⁹ cells]")
        ax.set_title(title, fontsize=9)
        ax.set_ylim(-5, 105)
        ax.grid(alpha=0.3)
    fig.suptitle(
        "In-silico dose–response (simulated; never clinical evidence)", fontsize=10, color="#a00"
    )
    fig.tight_layout()
    return fig


#: What the folders of :func:`write_demo` and :func:`write_dose_response` hold, as their
#: manifests record it (:func:`endolab._io.atomic_directory`).
DEMO_CONTENTS = "a virtual trial demo"
DOSE_RESPONSE_CONTENTS = "an in-silico dose-response study"


def write_demo(
    out: str | Path, *, seed: int = 1, progress: Progress | None = None, settings: Any = None
) -> tuple[Path, TrialAnalysis]:
    """Simulate the default virtual trial and write ``out/dataset`` and ``out/report`` atomically.

    ``out/dataset`` is the simulated dataset (with ``simulation.json``), ``out/report`` the trial
    report of ``endolab trial analyze`` on it, ``out/calibration.md`` the side-by-side table of
    :func:`calibration_table`. ``out`` must be new, empty, or a demo folder endolab wrote with its
    files unchanged and nothing else in it (the output rule of :mod:`endolab._io`), whose files are
    then replaced.
    """
    from endolab.trial.report import write_report

    target = check_output_path(out, kind="folder", writer=DEMO_CONTENTS)
    ds = demo_trial(seed=seed, progress=progress, settings=settings)
    analysis = analyze(ds, load_protocol("zimislecel-2025"))
    with atomic_directory(target, writer=DEMO_CONTENTS) as tmp:
        write_dataset(
            ds, tmp / "dataset", extra_files={MANIFEST: manifest_json(ds).encode("utf-8")}
        )
        write_report(analysis, tmp / "report")
        (tmp / "calibration.md").write_text(calibration_markdown(analysis), encoding="utf-8")
        (tmp / "demo.json").write_text(
            json.dumps(
                {"generator": "endolab trial demo", "seed": seed, "disclaimer": DISCLAIMER},
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
    return target, analysis


def _count(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "—"
    if summary.get("status") == "not decided":
        return "not decided"
    return f"{summary['n']}/{summary['N']}"


def calibration_table(analysis: TrialAnalysis, group: str = "B+C") -> list[dict[str, Any]]:
    """Control arm, treated arm and NEJM 2025 side by side for the full-dose group, per endpoint.

    ``treated`` is the analysis's own cohort group; ``control`` is the same group's untreated
    twins when the dataset is a paired simulation (:func:`endolab.sim.simulate_trial` with
    ``paired=True``: the control arm of the same seed), else ``—``. Each row: ``endpoint``,
    ``control``, ``treated``, ``nejm_2025``, ``nejm_2025_source`` (reported or [D] derived),
    ``treated_ci95``; ``simulated`` is ``treated`` (the former name).
    """
    treated = analysis.cohorts.get(group, {})
    paired = (analysis.paired or {}).get("cohorts", {}).get(group, {}).get("binary", {})
    rows = []
    for key, (n, N), how in CALIBRATION_ENDPOINTS:
        t = treated.get(key)
        c = paired.get(key, {}).get("twin") if paired else None
        rows.append(
            {
                "endpoint": key,
                "control": _count(c),
                "treated": _count(t),
                "simulated": _count(t),
                "nejm_2025": f"{n}/{N}",
                "nejm_2025_source": how,
                "treated_ci95": t.get("ci95") if t else None,
                "simulated_ci95": t.get("ci95") if t else None,
            }
        )
    return rows


def calibration_markdown(analysis: TrialAnalysis) -> str:
    """:func:`calibration_table` as Markdown, with what is calibrated to what, not evidence."""
    seed = (analysis.dataset.simulation or {}).get("seed")
    lines = [
        "# Calibration: control arm, treated arm and NEJM 2025 side by side (never evidence)",
        "",
        f"Virtual full-dose cohorts B+C (seed {seed}). Control: the same virtual participants "
        "without the graft (counterfactual twins: same meals, behaviour and sensor noise)"
        + ("" if analysis.paired else " — not simulated for this dataset")
        + ".",
        "",
        "| endpoint | control arm (simulated) | treated arm (simulated) | treated exact 95 % CI "
        "| NEJM 2025 (Reichman et al.) |",
        "|---|---|---|---|---|",
    ]
    for r in calibration_table(analysis):
        ci = r["treated_ci95"]
        ci_text = f"{100 * ci[0]:.0f}–{100 * ci[1]:.0f} %" if ci else "—"
        nejm = r["nejm_2025"] + ("" if r["nejm_2025_source"] == "reported" else " [D]")
        lines.append(f"| {r['endpoint']} | {r['control']} | {r['treated']} | {ci_text} | {nejm} |")
    lines += [
        "",
        "## What is calibrated to what",
        "",
        "| model part | calibrated to |",
        "|---|---|",
    ]
    lines += [f"| {part} | {target} |" for part, target in CALIBRATED_TO]
    lines += ["", DISCLAIMER, ""]
    return "\n".join(lines)


def write_dose_response(result: DoseResponse, out: str | Path) -> Path:
    """Write dose_response.png / .json / .csv into the folder ``out`` atomically.

    ``out`` must be new, empty or a dose-response folder endolab wrote, unchanged (the output rule
    of :mod:`endolab._io`)."""
    import polars as pl

    from endolab.trial.figures import figure_png

    flat = []
    for row in result.rows:
        flat.append(
            {
                "dose_cells": row["dose_cells"],
                "participants": row["participants"],
                "mean_graft_fraction_last_day": row["mean_graft_fraction_last_day"],
                **{
                    f"{key}_{part}": (row[key][part] if part != "ci95" else None)
                    for key in (
                        "insulin_independent_180_365",
                        "she_free_90_365",
                        "hba1c_lt7_day365",
                    )
                    for part in ("n", "N", "percent", "missing", "status")
                },
                "tir_pct_status": row["tir_pct"]["status"],
                **{
                    f"{key}_ci95_{side}": (row[key]["ci95"][i] if row[key]["ci95"] else None)
                    for key in (
                        "insulin_independent_180_365",
                        "she_free_90_365",
                        "hba1c_lt7_day365",
                        "tir_pct",
                    )
                    for i, side in enumerate(("low", "high"))
                },
                "tir_pct_mean": row["tir_pct"]["mean"],
            }
        )
    target = check_output_path(out, kind="folder", writer=DOSE_RESPONSE_CONTENTS)
    with atomic_directory(target, writer=DOSE_RESPONSE_CONTENTS) as tmp:
        (tmp / "dose_response.json").write_text(
            json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        pl.DataFrame(flat).write_csv(tmp / "dose_response.csv")
        (tmp / "dose_response.png").write_bytes(figure_png(dose_response_figure(result)))
    return target


def patient_summary(
    trace: Any, patient: str, graft_fraction: float, days: int, seed: int
) -> dict[str, Any]:
    """Summary numbers of a patient trace (units in the keys)."""
    ig = trace["interstitial_glucose_mg_dl"].to_numpy()
    return {
        "patient": patient,
        "graft_fraction": graft_fraction,
        "days": days,
        "seed": seed,
        "mean_plasma_glucose_mg_dl": float(trace["plasma_glucose_mg_dl"].mean()),
        "tir_interstitial_pct": float(100 * ((ig >= 70) & (ig <= 180)).mean()),
        "insulin_u_per_day": float(trace["insulin_u_per_min"].sum() / days),
        "carbs_g_per_day": float(trace["carbs_g_per_min"].sum() / days),
        "peak_c_peptide_pmol_l": float(trace["c_peptide_pmol_l"].max()),
        "min_plasma_glucose_mg_dl": float(trace["plasma_glucose_mg_dl"].min()),
        "time_below_54_pct": float(100 * (trace["plasma_glucose_mg_dl"].to_numpy() < 54).mean()),
        "rescue_carbs_g_per_day": float(trace["rescue_carbs_g"].sum() / days),
        "severe_events": int(trace["severe_event"].sum()),
        "disclaimer": DISCLAIMER,
    }


def patient_trace_paths(out: str | Path) -> tuple[Path, Path]:
    """The two files :func:`write_patient_trace` writes: the trace ``out`` and the figure next to it
    (same stem, ``.png``)."""
    target = Path(out)
    return target, target.with_suffix(".png")


def write_patient_trace(
    trace: Any, out: str | Path, title: str = "", *, overwrite: bool = False
) -> list[Path]:
    """Write the trace CSV and a PNG figure next to it (same stem), each atomically.

    An existing file is replaced only with ``overwrite`` (keeping its permission bits); both paths
    are checked before either file is written (the output rule of :mod:`endolab._io`).
    """
    import io

    from endolab._io import atomic_write_bytes
    from endolab.sim.figures import patient_figure
    from endolab.trial.figures import figure_png

    csv_target, png_target = patient_trace_paths(out)
    check_output_path(csv_target, suffixes=(".csv",), overwrite=overwrite)
    check_output_path(png_target, overwrite=overwrite)
    buf = io.BytesIO()
    trace.write_csv(buf, datetime_format="%Y-%m-%dT%H:%M:%S")
    png = figure_png(patient_figure(trace, title))
    csv_path = atomic_write_bytes(csv_target, buf.getvalue(), overwrite=overwrite)
    png_path = atomic_write_bytes(png_target, png, overwrite=overwrite)
    return [csv_path, png_path]
