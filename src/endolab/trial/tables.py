"""Result tables (cohort summaries, graft function, adverse events, listings) as plain rows.

Each builder returns a :class:`Table` (title, header, rows of text); :func:`to_markdown` and
:func:`to_html` render it. Numbers are rounded here for display only; ``endpoints.json`` keeps full
precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from endolab.trial.analysis import (
    GRADES,
    TREATMENT_EMERGENT_FROM_DAY,
    TrialAnalysis,
    continuous_keys,
)
from endolab.trial.grading import CITR_STATE_LABELS

__all__ = [
    "NOT_DECIDED",
    "Table",
    "adverse_event_tables",
    "all_tables",
    "binary_summary_table",
    "binary_table",
    "continuous_table",
    "grading_table",
    "listing_table",
    "paired_tables",
    "survival_table",
    "to_html",
    "to_markdown",
    "visit_table",
]


@dataclass
class Table:
    """A titled table of text cells, with optional notes printed under it."""

    title: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


def _num(x: float | None, digits: int = 1) -> str:
    """A number for display, with a true minus sign: ``-1.05`` → ``−1.05``.

    >>> _num(-1.05, 2), _num(None)
    ('−1.05', '—')
    """
    return "—" if x is None else f"{x:.{digits}f}".replace("-", "−")


def _range(low: float | None, high: float | None, digits: int = 1) -> str:
    """A range that reads cleanly whatever the signs: ``−1.05 to −0.75``.

    >>> _range(-1.05, -0.75, 2), _range(2.5, 9.0)
    ('−1.05 to −0.75', '2.5 to 9.0')
    """
    return f"{_num(low, digits)} to {_num(high, digits)}"


#: What a table shows for an endpoint that no participant's data decide (never a count).
NOT_DECIDED = "not decided"


def _binary_cell(s: dict[str, Any]) -> str:
    if not s["N"]:
        return "— (N = 0)"
    if s.get("status") == NOT_DECIDED:
        return f"{NOT_DECIDED} (no participant's data decide it; N = {s['N']})"
    lo, hi = s["ci95"]
    cell = f"{s['n']}/{s['N']} ({s['percent']:.1f} %; 95 % CI {_range(100 * lo, 100 * hi)} %)"
    if s["missing"]:
        cell += f"; missing {s['missing']}"
    return cell


def binary_table(a: TrialAnalysis) -> Table:
    """Binary endpoints by cohort group: n/N (%; exact 95 % CI), missing."""
    groups = list(a.cohorts)
    rows = []
    for key, ep in a.protocol.endpoints.items():
        label = ep.label or key
        rows.append([f"{label} ({key})"] + [_binary_cell(a.cohorts[g][key]) for g in groups])
    return Table(
        title="Binary endpoints",
        header=["Endpoint"] + [f"{g} (N = {a.cohorts[g]['participants']})" for g in groups],
        rows=rows,
        notes=[
            "n/N: participants meeting the endpoint / all participants in the group; a participant "
            "whose value cannot be decided from the data (missing) counts in N but not in n "
            '(non-responder imputation). 95 % CI: exact Clopper–Pearson. "not decided": no '
            "participant's data decide the endpoint (e.g. its window lies past the end of every "
            "participant's follow-up), so no proportion is given.",
        ],
    )


def _summary_cell(s: dict[str, Any]) -> str:
    if not s["N"]:
        return "—"
    if s.get("status") == NOT_DECIDED:
        return f"{NOT_DECIDED} (N={s['N']})"
    lo, hi = s["ci95"]
    cell = f"{s['n']}/{s['N']} {s['percent']:.1f} % [{100 * lo:.1f}–{100 * hi:.1f}]"
    return cell + (f" m={s['missing']}" if s["missing"] else "")


def binary_summary_table(a: TrialAnalysis) -> Table:
    """Binary endpoints in short cells for a screen: ``n/N % [CI low–high]`` and ``m=`` missing.

    One row per endpoint key, one column per cohort group; ``—`` when a group has nobody.
    """
    groups = list(a.cohorts)
    return Table(
        title=f"Binary endpoints — protocol {a.protocol.name} "
        "(n/N, % [exact 95 % CI, %], m = missing)",
        header=["Endpoint", *groups],
        rows=[
            [key, *[_summary_cell(a.cohorts[g][key]) for g in groups]]
            for key in a.protocol.endpoints
        ],
    )


def _cont_cell(s: dict[str, Any], digits: int) -> str:
    if not s["n"]:
        return "—"
    return (
        f"{_num(s['mean'], digits)} (SD {_num(s['sd'], digits)}); median "
        f"{_num(s['median'], digits)} (IQR {_range(s['q1'], s['q3'], digits)}); n = {s['n']}"
    )


def continuous_table(a: TrialAnalysis) -> Table:
    """Continuous endpoints: mean (SD); median [IQR] at baseline, follow-up and change."""
    groups = list(a.cohorts)
    spec = a.protocol.continuous
    w = spec
    labels = {
        "hba1c": (
            "HbA1c",
            "baseline_hba1c_pct",
            f"last in days {w.hba1c_window[0]}–{w.hba1c_window[1]}",
            2,
        ),
        "tir": (
            "CGM TIR 70–180 mg/dL",
            f"days {w.tir_baseline_window[0]} to {w.tir_baseline_window[1]}",
            f"days {w.tir_window[0]}–{w.tir_window[1]}",
            1,
        ),
        "insulin": (
            "Exogenous insulin",
            "baseline_insulin_u_per_day",
            f"mean over recorded days {w.insulin_window[0]}–{w.insulin_window[1]}",
            1,
        ),
        "c_peptide_fasting": (
            "Fasting C-peptide",
            "last on day ≤ 0",
            f"last in days {w.c_peptide_window[0]}–{w.c_peptide_window[1]}",
            0,
        ),
        "c_peptide_stim_peak": (
            "MMTT peak C-peptide",
            "last on day ≤ 0",
            f"last in days {w.c_peptide_window[0]}–{w.c_peptide_window[1]}",
            0,
        ),
    }
    rows = []
    for name in continuous_keys(a.protocol):
        label, base_when, follow_when, digits = labels[name]
        unit = a.cohorts[groups[0]][name]["unit"] if groups else ""
        for part, when in (
            ("baseline", f"baseline ({base_when})"),
            ("followup", f"follow-up ({follow_when})"),
            ("change", "change from baseline"),
        ):
            rows.append(
                [f"{label} [{unit}]", when]
                + [_cont_cell(a.cohorts[g][name][part], digits) for g in groups]
            )
    red = f"insulin_reduction_{spec.visit_label}"
    rows.append(
        [
            "Insulin reduction from baseline [%]",
            f"follow-up ({w.insulin_window[0]}–{w.insulin_window[1]})",
        ]
        + [
            _cont_cell(
                {
                    k: (v * 100 if isinstance(v, float) and k not in ("n", "missing") else v)
                    for k, v in a.cohorts[g][red].items()
                },
                1,
            )
            for g in groups
        ]
    )
    return Table(
        title="Continuous endpoints",
        header=["Measure", "When", *groups],
        rows=rows,
        notes=[
            "Cells: mean (SD); median [Q1–Q3]; n with a value. SD with ddof = 1; quartiles by "
            "linear interpolation. Change = follow-up − baseline, over participants with both. "
            f"TIR is reported only with CGM data sufficiency ≥ {100 * spec.tir_min_sufficiency:.0f} %. "
            "Baseline C-peptide: last value on or before day 0.",
        ],
    )


def grading_table(a: TrialAnalysis) -> Table | None:
    """Counts of Igls 1.0, Igls 2.0 and β-cell function grades at the report visit."""
    if not a.protocol.grading.visits:
        return None
    day = a.protocol.grading.report_visit
    groups = list(a.cohorts)
    rows = []
    names = {
        "igls1_outcome": "Igls 1.0 graft function",
        "igls2_outcome": "Igls 2.0 treatment outcome",
        "igls2_beta_cell_function": "Igls 2.0 β-cell graft function",
    }
    for col, label in names.items():
        for grade in (*GRADES, "not_graded"):
            rows.append(
                [label, grade.replace("_", " ")]
                + [str(a.cohorts[g][f"{col}_day{day}"][grade]) for g in groups]
            )
    return Table(
        title=f"Graft function at day {day}",
        header=["Classification", "Grade", *groups],
        rows=rows,
        notes=[
            "Igls 1.0: Rickels et al. 2018; Igls 2.0: Landstra et al. 2021. 'not graded': a "
            "criterion needed to decide the grade could not be evaluated (see each participant's "
            "reason in endpoints.json and participants.csv).",
        ],
    )


def visit_table(a: TrialAnalysis) -> Table | None:
    """Graft function at every grading visit: one row per participant and visit (Igls 1.0, Igls 2.0
    outcome and β-cell function, β-score and the registry's state), ``None`` without visits."""
    if not a.protocol.grading.visits:
        return None
    rows = []
    for r in a.participants.select("participant_id", "cohort").to_dicts():
        for v in a.visits.get(r["participant_id"], []):
            score = v.get("beta_score")
            rows.append(
                [
                    str(r["participant_id"]),
                    str(r["cohort"]),
                    str(v["day"]),
                    v.get("igls1_outcome") or "not graded",
                    v.get("igls2_outcome") or "not graded",
                    v.get("igls2_beta_cell_function") or "not graded",
                    "—" if score is None else str(score),
                    CITR_STATE_LABELS[v.get("state")],
                ]
            )
    day0 = a.protocol.day0_of("grading")
    return Table(
        title="Graft function at every visit",
        header=[
            "Participant",
            "Cohort",
            f"Visit day (0 = {day0} infusion)",
            "Igls 1.0",
            "Igls 2.0 outcome",
            "Igls 2.0 β-cell function",
            "β-score [0–8]",
            "State (CITR)",
        ],
        rows=rows,
        notes=[
            "Each visit graded from the data in its windows (protocol [grading] visits). State: "
            "insulin independent (no exogenous insulin), graft functioning (C-peptide ≥ "
            f"{a.protocol.survival.graft_failure_c_peptide_pmol_l:g} pmol/L), graft failed "
            "(C-peptide below it), not graded (no C-peptide and insulin taken or unknown); "
            "docs/trial.md. Reasons for every grade: endpoints.json (participants[].visits)."
        ],
    )


def adverse_event_tables(a: TrialAnalysis) -> list[Table]:
    """Treatment-emergent adverse events by term (all participants, then each cohort group), and
    the events that started before the infusion, listed apart (never counted in the tables)."""
    day = TREATMENT_EMERGENT_FROM_DAY
    out = []
    sets = [("all participants", a.adverse_events)] + [
        (g, s["adverse_events"]) for g, s in a.cohorts.items()
    ]
    for name, rows in sets:
        out.append(
            Table(
                title=f"Treatment-emergent adverse events by term (study day ≥ {day}) — {name}",
                header=[
                    "Category",
                    "Term",
                    "Participants with ≥ 1",
                    "Events",
                    "Serious",
                    "Related",
                    "Fatal",
                ],
                rows=[
                    [
                        r["category"],
                        r["term"],
                        str(r["participants"]),
                        str(r["events"]),
                        str(r["serious"]),
                        str(r["related"]),
                        str(r["fatal"]),
                    ]
                    for r in rows
                ]
                or [["—", "no events", "0", "0", "0", "0", "0"]],
                notes=[
                    f"Treatment-emergent: the event started on or after study day {day} (the "
                    "first infusion); earlier events are listed in the next table, not counted "
                    "here. Related: relation Y or POSSIBLE. Fatal: outcome FATAL."
                ]
                if name == "all participants"
                else [],
            )
        )
    out.append(
        Table(
            title=f"Events before the infusion (study day < {day}; not treatment-emergent)",
            header=["Participant", "Study day", "Date", "Category", "Term", "Serious", "Outcome"],
            rows=[
                [
                    e["participant_id"],
                    _num(e["start_day"], 0),
                    e["start_date"],
                    e["category"],
                    e["term"],
                    e["serious"],
                    e["outcome"],
                ]
                for e in a.pre_infusion_events
            ]
            or [["—", "—", "—", "—", "no events before the infusion", "—", "—"]],
        )
    )
    return out


def _yn(value: Any) -> str:
    return {True: "yes", False: "no", None: "missing"}[value]


def listing_table(a: TrialAnalysis) -> Table:
    """One row per participant: binary endpoints and the key continuous values and grades."""
    v = a.protocol.continuous.visit_label
    keys = list(a.protocol.endpoints)
    cols = a.participants.columns
    rows = []
    for r in a.participants.to_dicts():
        red = r.get(f"insulin_reduction_{v}")
        rows.append(
            [r["participant_id"], r["cohort"]]
            + [_yn(r[k]) for k in keys]
            + [
                _num(r.get(f"hba1c_{v}_pct")),
                _num(r.get(f"tir_{v}_pct")),
                _num(None if red is None else 100 * red),
                str(r.get("igls2_outcome") or "—") if "igls2_outcome" in cols else "—",
            ]
        )
    return Table(
        title="Participant listing",
        header=[
            "Participant",
            "Cohort",
            *keys,
            f"HbA1c {v} [%]",
            f"TIR {v} [%]",
            "Insulin reduction [%]",
            "Igls 2.0",
        ],
        rows=rows,
    )


def survival_table(a: TrialAnalysis) -> Table | None:
    """Kaplan–Meier estimates per time-to-event endpoint and cohort group, with numbers at risk.

    ``None`` when the analysis has no survival result (the optional extra is missing).
    """
    if a.survival is None:
        return None
    from endolab.trial.survival import ENDPOINTS

    days = list(a.protocol.survival.at_risk_days)
    shown = [d for d in days if d > 0]
    rows = []
    for c in a.survival.curves:
        cells = [ENDPOINTS[c.endpoint], c.group, str(c.n), str(c.events)]
        for d in shown:
            if c.n == 0:
                cells.append("—")
                continue
            s, lo, hi = c.estimate_at(d)
            cells.append(
                f"{100 * s:.0f} %"
                + ("" if lo is None or hi is None else f" ({100 * lo:.0f}–{100 * hi:.0f})")
            )
        cells.append(" / ".join(str(c.at_risk_at.get(d, 0)) for d in days))
        rows.append(cells)
    return Table(
        "Time to event: Kaplan–Meier estimates (95 % CI)",
        [
            "Endpoint",
            "Group",
            "At risk",
            "Events",
            *[f"Day {d}" for d in shown],
            "Number at risk, days " + ", ".join(str(d) for d in days),
        ],
        rows,
        notes=[
            "Estimate of the fraction still free of the event on that day (Kaplan–Meier; Greenwood "
            "log(−log) 95 % interval). First SHE: every participant; graft failure: participants "
            "whose C-peptide reached the graft-function threshold; insulin independence: "
            "participants who achieved it. Censored at the last observation or death "
            "(docs/trial.md, [survival])."
        ],
    )


def _p(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def _count(s: dict[str, Any]) -> str:
    if not s["N"]:
        return "—"
    if s.get("status") == NOT_DECIDED:
        return NOT_DECIDED
    return f"{s['n']}/{s['N']}"


def paired_tables(a: TrialAnalysis) -> list[Table]:
    """A paired simulation: treated vs own untreated twin per cohort group and per participant.

    Empty for a dataset without twins. Every number comes from :attr:`TrialAnalysis.paired`
    (:func:`endolab.trial.paired.paired_comparison`).
    """
    if a.paired is None:
        return []
    cohorts = a.paired["cohorts"]
    rows = []
    for group, summary in cohorts.items():
        for key, b in summary["binary"].items():
            rows.append(
                [
                    f"{group} (pairs = {summary['pairs']})",
                    key,
                    _count(b["treated"]),
                    _count(b["twin"]),
                    f"{b['both']} / {b['treated_only']} / {b['twin_only']} / {b['neither']}"
                    + (f"; undecided {b['undecided_pairs']}" if b["undecided_pairs"] else ""),
                    _p(b["mcnemar_exact_p"]),
                ]
            )
    binary = Table(
        title="Paired: binary endpoints, treated vs own untreated twin (in silico)",
        header=[
            "Group",
            "Endpoint",
            "Treated n/N",
            "Twin n/N",
            "Pairs: both / treated only / twin only / neither",
            "Exact McNemar p",
        ],
        rows=rows,
        notes=[
            "Each virtual participant was simulated twice on the same meals, behaviour and sensor "
            "noise: with the graft (treated) and without it (twin). No real trial can make this "
            "comparison. McNemar: exact two-sided binomial test on the discordant pairs."
        ],
    )
    rows = []
    for group, summary in cohorts.items():
        for name, c in summary["continuous"].items():
            d = c["difference"]
            digits = 2 if c["unit"] == "fraction" else 1
            rows.append(
                [
                    group,
                    f"{name} [{c['unit']}]",
                    _cont_cell(c["treated"], digits),
                    _cont_cell(c["twin"], digits),
                    _cont_cell(d, digits),
                    _p(c["sign_test_exact_p"]),
                ]
            )
    continuous = Table(
        title="Paired: continuous endpoints at follow-up, treated vs own untreated twin (in silico)",
        header=["Group", "Endpoint", "Treated", "Twin", "Difference treated − twin", "Sign test p"],
        rows=rows,
        notes=["Difference: per pair, treated minus twin; sign test: exact, non-zero differences."],
    )
    keys = list(a.protocol.endpoints)
    cont_names = list(next(iter(a.paired["participants"]), {"continuous": {}})["continuous"])
    header = ["Participant", "Cohort"]
    header += [f"{k} (treated / twin)" for k in keys]
    header += [f"{n} (treated / twin / difference)" for n in cont_names]
    rows = []
    for r in a.paired["participants"]:
        row = [r["participant_id"], r["cohort"]]
        row += [f"{_yn(r['binary'][k]['treated'])} / {_yn(r['binary'][k]['twin'])}" for k in keys]
        for n in cont_names:
            c = r["continuous"][n]
            digits = 2 if c["unit"] == "fraction" else 1
            row.append(
                f"{_num(c['treated'], digits)} / {_num(c['twin'], digits)} / "
                f"{_num(c['difference'], digits)} {c['unit']}"
            )
        rows.append(row)
    per = Table(
        title="Paired: each participant beside their own untreated twin (in silico)",
        header=header,
        rows=rows,
    )
    return [binary, continuous, per]


def all_tables(a: TrialAnalysis) -> list[Table]:
    """Every table of the report, in order."""
    tables = [binary_table(a), continuous_table(a), *paired_tables(a)]
    g = grading_table(a)
    if g is not None:
        tables.append(g)
    per_visit = visit_table(a)
    if per_visit is not None:
        tables.append(per_visit)
    km = survival_table(a)
    if km is not None:
        tables.append(km)
    tables += adverse_event_tables(a)
    tables.append(listing_table(a))
    return tables


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(table: Table) -> str:
    """Render a table as GitHub-flavoured Markdown.

    >>> print(to_markdown(Table("T", ["a", "b"], [["1", "x|y"]])))
    ### T
    <BLANKLINE>
    | a | b |
    |---|---|
    | 1 | x\\|y |
    <BLANKLINE>
    """
    lines = [f"### {table.title}", ""]
    lines.append("| " + " | ".join(_md_cell(h) for h in table.header) + " |")
    lines.append("|" + "|".join("---" for _ in table.header) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    lines.append("")
    for note in table.notes:
        lines.append(f"_{note}_")
        lines.append("")
    return "\n".join(lines)


def to_html(table: Table) -> str:
    """Render a table as an HTML fragment (every cell escaped): the ``table_html`` macro of the
    template ``endolab/trial/templates/table.html``."""
    from endolab.trial._templates import render

    return render("table.html", table=table)
