"""Islet graft-function grading: Igls 1.0, Igls 2.0 (outcome and β-cell function), β-score, BETA-2,
and the registry's (CITR) graft state of a visit.

One function per published classification, each returning the grade (or score) *and the reason*.
Every criterion is evaluated with three-valued logic: ``True``, ``False`` or ``None`` (the data needed
are missing). Grades are tried from best to worst: the first grade whose criteria are all ``True`` is
given, provided every better grade has a ``False`` criterion; if a better grade is still undecided
(``None``) the visit is *not graded* (grade ``None``) and the reason says which data are missing; when
every grade above ``failure`` is ruled out, the grade is ``failure``.

Units of the dataset: HbA1c [%], C-peptide [pmol/L] (0 = below the assay limit), fasting glucose
[mg/dL], insulin [U/day] divided by baseline body weight [kg] to give [U/kg/day].

Thresholds are from docs/methods/trial.md §2–§3. Igls gives each C-peptide cut-off twice, in ng/mL
and in (rounded) nmol/L, and the two columns disagree in pmol/L; which one is applied is the named
protocol parameter ``grading.c_peptide_column`` (:data:`C_PEPTIDE_COLUMNS`):

=================================  =========  ==========  ===========  ===========
column                             stim good  stim marg.  fast. good   fast. marg.
=================================  =========  ==========  ===========  ===========
``"nmol_l"`` (default): 0.17 /    170        100         70           40
0.10 / 0.07 / 0.04 nmol/L × 1000
``"ng_ml"``: 0.5 / 0.3 / 0.2 /    165.5      99.3        66.2         33.1
0.1 ng/mL × 331 pmol/L per ng/mL
=================================  =========  ==========  ===========  ===========

(1 ng/mL C-peptide = 331 pmol/L: molar mass 3020 g/mol [D]; the spec's 0.331 nmol/L per ng/mL
[U] agrees.) A fasting C-peptide of 33–40 pmol/L is "marginal" by the ng/mL column and "failure" by
the nmol/L column: say which one a report used. The Igls 1.0 footnote "C-peptide should also be
> 0.5 ng/mL (> 0.17 nmol/L)" uses the same column (170 or 165.5 pmol/L).

Reasons print each value to the precision that decides its comparison (``TIR 79.96 % < 80 %``, never
``TIR 80 % < 80 %``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L

__all__ = [
    "CITR_STATES",
    "CITR_STATE_LABELS",
    "C_PEPTIDE_COLUMNS",
    "C_PEPTIDE_PMOL_L_PER_NG_ML",
    "IGLS2_CPEP_FASTING_GOOD_PMOL_L",
    "IGLS2_CPEP_FASTING_MARGINAL_PMOL_L",
    "IGLS2_CPEP_STIM_GOOD_PMOL_L",
    "IGLS2_CPEP_STIM_MARGINAL_PMOL_L",
    "CPeptideCutoffs",
    "Graded",
    "beta2_forbes_2016",
    "beta_score_ryan_2005",
    "citr_state_barton_2012",
    "igls1_rickels_2018",
    "igls2_beta_cell_landstra_2021",
    "igls2_outcome_landstra_2021",
]

#: Igls 2.0 β-cell graft function "good": stimulated C-peptide > 0.17 nmol/L (0.5 ng/mL) [pmol/L].
IGLS2_CPEP_STIM_GOOD_PMOL_L: Final = 170.0
#: Igls 2.0 "marginal": stimulated C-peptide 0.10–0.17 nmol/L (0.3–0.5 ng/mL) [pmol/L].
IGLS2_CPEP_STIM_MARGINAL_PMOL_L: Final = 100.0
#: Igls 2.0 "good": fasting C-peptide ≥ 0.07 nmol/L (0.2 ng/mL) [pmol/L].
IGLS2_CPEP_FASTING_GOOD_PMOL_L: Final = 70.0
#: Igls 2.0 "marginal": fasting C-peptide 0.04–< 0.07 nmol/L (0.1–< 0.2 ng/mL) [pmol/L].
IGLS2_CPEP_FASTING_MARGINAL_PMOL_L: Final = 40.0

#: 1 ng/mL C-peptide in pmol/L [pmol/L per ng/mL]: 1e6 / 3020 g/mol, rounded to 331 [D]; matches
#: the paired values of the Igls tables (0.5 ng/mL ↔ 0.17 nmol/L) within their rounding.
C_PEPTIDE_PMOL_L_PER_NG_ML: Final = 331.0


@dataclass(frozen=True)
class CPeptideCutoffs:
    """The Igls C-peptide cut-offs in pmol/L, from one column of the Igls tables.

    Attributes
    ----------
    column
        ``"nmol_l"`` or ``"ng_ml"``: which printed column they come from.
    stim_good, stim_marginal, fasting_good, fasting_marginal
        Igls 2.0 β-cell cut-offs [pmol/L]: stimulated > good, ≥ marginal; fasting ≥ good,
        ≥ marginal.
    igls1_floor
        Igls 1.0 footnote: C-peptide should also be > this [pmol/L] (0.17 nmol/L or 0.5 ng/mL).
    """

    column: str
    stim_good: float
    stim_marginal: float
    fasting_good: float
    fasting_marginal: float
    igls1_floor: float


#: The two columns of the Igls tables, in pmol/L (Landstra 2021 Table 2; Rickels 2018 Table 3).
C_PEPTIDE_COLUMNS: Final[dict[str, CPeptideCutoffs]] = {
    "nmol_l": CPeptideCutoffs("nmol_l", 170.0, 100.0, 70.0, 40.0, 170.0),
    "ng_ml": CPeptideCutoffs(
        "ng_ml",
        0.5 * C_PEPTIDE_PMOL_L_PER_NG_ML,
        0.3 * C_PEPTIDE_PMOL_L_PER_NG_ML,
        0.2 * C_PEPTIDE_PMOL_L_PER_NG_ML,
        0.1 * C_PEPTIDE_PMOL_L_PER_NG_ML,
        0.5 * C_PEPTIDE_PMOL_L_PER_NG_ML,
    ),
}


def _column(c_peptide_column: str) -> CPeptideCutoffs:
    try:
        return C_PEPTIDE_COLUMNS[c_peptide_column]
    except KeyError:
        raise ValueError(
            f"c_peptide_column: unknown column {c_peptide_column!r}; accepted: "
            f"{', '.join(C_PEPTIDE_COLUMNS)}"
        ) from None


Criterion = tuple[bool | None, str]


@dataclass(frozen=True)
class Graded:
    """A grade (``None`` = not graded for lack of data) or a score, with its reason in words."""

    grade: str | None
    reason: str


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


def _decisive(value: float, threshold: float, op: str) -> tuple[str, str]:
    """``value`` and ``threshold`` printed with the same, fewest decimals that show the decision.

    The threshold is printed exactly (up to 6 decimals); the value with at least that many decimals
    (and at least one below 10), more while the printed numbers would read equal or on the wrong
    side of each other.

    >>> _decisive(79.96, 80.0, "≥"), _decisive(92.1, 80.0, "≥"), _decisive(33.14, 33.1, "≥")
    (('79.96', '80'), ('92', '80'), ('33.14', '33.1'))
    """
    truth = _OPS[op](value, threshold)
    d0 = 0
    while d0 < 6 and abs(float(f"{threshold:.{d0}f}") - threshold) > 1e-9 * max(1, abs(threshold)):
        d0 += 1
    if abs(value) < 10 and value != int(value):
        d0 = max(d0, 1)
    for d in range(d0, 10):
        v, t = f"{value:.{d}f}", f"{threshold:.{d}f}"
        if _OPS[op](float(v), float(t)) == truth and (v == t) == (value == threshold):
            return v, f"{threshold:.{d0}f}"
    return repr(value), repr(threshold)


_OPS: Final = {
    "<": lambda a, b: a < b,
    "≤": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "≥": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
}
_NEGATION: Final = {"<": "≥", "≤": ">", ">": "≤", "≥": "<", "=": "≠"}


def _cmp(
    name: str,
    value: float | None,
    op: str,
    threshold: float | None,
    unit: str,
    missing: str,
    note: str = "",
) -> Criterion:
    """Compare ``value op threshold`` three-valuedly and describe it (e.g. 'HbA1c 6.1 % ≤ 6.5 %')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, f"{name} unknown ({missing})"
    if threshold is None or (isinstance(threshold, float) and math.isnan(threshold)):
        return None, f"{name} {_fmt(value)}{unit}, but its comparator{note} is unknown"
    result = bool(_OPS[op](value, threshold))
    sign = op if result else _NEGATION[op]
    v, t = _decisive(value, threshold, op)
    return result, f"{name} {v}{unit} {sign} {t}{unit}{note}"


def _all_of(criteria: Sequence[Criterion]) -> Criterion:
    """AND of criteria, three-valued: false if any is false, else unknown if any is unknown."""
    falses = [c[1] for c in criteria if c[0] is False]
    if falses:
        return False, " and ".join(falses)
    unknown = [c[1] for c in criteria if c[0] is None]
    if unknown:
        return None, " and ".join(unknown)
    return True, " and ".join(c[1] for c in criteria)


def _any_available(criteria: Sequence[Criterion]) -> Criterion:
    """OR of the criteria whose data are available; ``None`` only when none is available."""
    known = [c for c in criteria if c[0] is not None]
    if not known:
        return None, " and ".join(c[1] for c in criteria)
    text = " or ".join(c[1] for c in known)
    return any(c[0] for c in known), text


def _decide(levels: Sequence[tuple[str, Sequence[Criterion]]]) -> Graded:
    ruled_out: list[str] = []
    for level, criteria in levels:
        values = [c[0] for c in criteria]
        if all(v is True for v in values):
            why = "; ".join(c[1] for c in criteria)
            tail = f" ({'; '.join(ruled_out)})" if ruled_out else ""
            return Graded(level, f"{level}: {why}{tail}")
        if any(v is False for v in values):
            ruled_out.append(f"not {level}: " + "; ".join(c[1] for c in criteria if c[0] is False))
            continue
        unknown = "; ".join(c[1] for c in criteria if c[0] is None)
        tail = f" ({'; '.join(ruled_out)})" if ruled_out else ""
        return Graded(None, f"not graded: {level} cannot be ruled in or out: {unknown}{tail}")
    return Graded("failure", "failure: " + "; ".join(ruled_out))


def _she_none(she_events: int, she_window: str) -> Criterion:
    if she_events == 0:
        return True, f"no severe hypoglycaemic event in {she_window}"
    return False, f"{she_events} severe hypoglycaemic event(s) in {she_window}"


def _insulin_none(insulin_none: bool | None) -> Criterion:
    if insulin_none is None:
        return None, "insulin use unknown (too few insulin records)"
    return insulin_none, "no exogenous insulin" if insulin_none else "exogenous insulin used"


def igls1_rickels_2018(
    *,
    hba1c_pct: float | None,
    she_events: int,
    she_rate_per_year: float,
    baseline_she_per_year: float,
    insulin_none: bool | None,
    insulin_u_kg_day: float | None,
    baseline_insulin_u_kg_day: float,
    c_peptide_pmol_l: float | None,
    baseline_c_peptide_pmol_l: float | None,
    she_window: str = "the window",
    c_peptide_footnote: bool = True,
    c_peptide_column: str = "nmol_l",
) -> Graded:
    """Igls 1.0 islet graft function: optimal, good, marginal or failure, with the reason.

    Parameters
    ----------
    hba1c_pct
        HbA1c at the visit [%].
    she_events
        Severe hypoglycaemic events in the visit's SHE window [events].
    she_rate_per_year
        The same as a yearly rate [events/year].
    baseline_she_per_year
        Severe hypoglycaemic events in the year before enrolment [events/year].
    insulin_none
        ``True`` no exogenous insulin at the visit, ``False`` some, ``None`` unknown.
    insulin_u_kg_day
        Mean exogenous insulin at the visit [U/kg/day] (``None`` unknown).
    baseline_insulin_u_kg_day
        Baseline exogenous insulin [U/kg/day].
    c_peptide_pmol_l
        Highest fasting or stimulated C-peptide at the visit [pmol/L] (``None`` not measured).
    baseline_c_peptide_pmol_l
        Baseline C-peptide [pmol/L] (0 = undetectable, ``None`` = not measured: "C-peptide >
        baseline" is then unknown unless the visit's C-peptide is undetectable or, with the
        footnote, not above its floor — either rules it out whatever the baseline).
    she_window
        Words naming the SHE window, for the reason.
    c_peptide_footnote
        Apply the footnote of Table 3 "C-peptide should also be > 0.5 ng/mL (> 0.17 nmol/L)
        fasting or stimulated" (default ``True``; protocol ``grading.igls1_c_peptide_footnote``).
    c_peptide_column
        Which column gives the footnote's floor in pmol/L: ``"nmol_l"`` 170 or ``"ng_ml"`` 165.5
        (:data:`C_PEPTIDE_COLUMNS`; protocol ``grading.c_peptide_column``).

    Criteria (Rickels MR et al. Transplantation 2018;102:1479–1486, doi:10.1097/TP.0000000000002158;
    Transpl Int 2018;31:343–352, doi:10.1111/tri.13138, Table 3):

    * optimal: HbA1c ≤ 6.5 %, no SHE, no insulin, C-peptide > baseline (*);
    * good: HbA1c < 7.0 %, no SHE, insulin < 50 % of baseline, C-peptide > baseline (*);
    * marginal: SHE rate < baseline rate, C-peptide > baseline (*) (HbA1c and insulin may stay at
      baseline);
    * failure: otherwise (C-peptide not above baseline or no clinical benefit).

    (*) and, by default, > 170 pmol/L (the footnote; 165.5 with the ng/mL column). The
    demonstrable-benefit condition of "marginal" and the footnote "insulin should also be
    < 0.5 U/kg/day" of "good" are not applied [A]; the reason gives the values so a reader can.

    >>> g = igls1_rickels_2018(hba1c_pct=6.1, she_events=0, she_rate_per_year=0.0,
    ...     baseline_she_per_year=3, insulin_none=True, insulin_u_kg_day=0.0,
    ...     baseline_insulin_u_kg_day=0.5, c_peptide_pmol_l=600, baseline_c_peptide_pmol_l=0)
    >>> g.grade
    'optimal'
    """
    hba1c_missing = "no HbA1c at the visit"
    cut = _column(c_peptide_column)
    c_missing = "no C-peptide at the visit"
    above_baseline: Criterion
    if baseline_c_peptide_pmol_l is None and c_peptide_pmol_l is not None and c_peptide_pmol_l <= 0:
        above_baseline = False, "C-peptide undetectable (cannot exceed any baseline)"
    elif baseline_c_peptide_pmol_l is None and c_peptide_pmol_l is not None:
        above_baseline = (
            None,
            (
                f"C-peptide {_fmt(c_peptide_pmol_l)} pmol/L vs baseline unknown (no C-peptide "
                "measured on or before day 0)"
            ),
        )
    else:
        above_baseline = _cmp(
            "C-peptide",
            c_peptide_pmol_l,
            ">",
            baseline_c_peptide_pmol_l,
            " pmol/L",
            c_missing,
            " (baseline)",
        )
    parts = [above_baseline]
    if c_peptide_footnote:
        col = "0.17 nmol/L" if cut.column == "nmol_l" else "0.5 ng/mL"
        parts.append(
            _cmp(
                "C-peptide",
                c_peptide_pmol_l,
                ">",
                cut.igls1_floor,
                " pmol/L",
                c_missing,
                f" (footnote, {col})",
            )
        )
    cpep = _all_of(parts)
    she = _she_none(she_events, she_window)
    dose = 0.0 if insulin_none is True else insulin_u_kg_day
    half = 0.5 * baseline_insulin_u_kg_day
    return _decide(
        [
            (
                "optimal",
                [
                    _cmp("HbA1c", hba1c_pct, "≤", 6.5, " %", hba1c_missing),
                    she,
                    _insulin_none(insulin_none),
                    cpep,
                ],
            ),
            (
                "good",
                [
                    _cmp("HbA1c", hba1c_pct, "<", 7.0, " %", hba1c_missing),
                    she,
                    _cmp("insulin", dose, "<", half, " U/kg/day", "too few insulin records"),
                    cpep,
                ],
            ),
            (
                "marginal",
                [
                    _cmp(
                        "SHE rate",
                        she_rate_per_year,
                        "<",
                        baseline_she_per_year,
                        "/year",
                        "",
                        " (baseline)",
                    ),
                    cpep,
                ],
            ),
        ]
    )


def igls2_outcome_landstra_2021(
    *,
    hba1c_pct: float | None,
    tir_pct: float | None,
    below54_pct: float | None,
    she_events: int,
    she_rate_per_year: float,
    baseline_hba1c_pct: float,
    baseline_tir_pct: float | None,
    baseline_below54_pct: float | None,
    baseline_she_per_year: float,
    she_window: str = "the window",
) -> Graded:
    """Igls 2.0 treatment outcome: optimal, good, marginal or failure, with the reason.

    Parameters
    ----------
    hba1c_pct
        HbA1c at the visit [%].
    tir_pct, below54_pct
        CGM time 70–180 mg/dL and time < 54 mg/dL over the visit's CGM window [%] (``None`` when
        the data sufficiency is below the protocol's minimum).
    she_events, she_rate_per_year
        Severe hypoglycaemic events in the visit's window [events] and as a rate [events/year].
    baseline_hba1c_pct, baseline_tir_pct, baseline_below54_pct, baseline_she_per_year
        The same at baseline.

    Criteria (Landstra CP et al. Examination of the Igls criteria for defining functional outcomes
    of β-cell replacement therapy: IPITA symposium report. J Clin Endocrinol Metab
    2021;106(10):3049–3059, doi:10.1210/clinem/dgab386 (checked on PubMed 34061967 and PMC8571711),
    Table 2 "Proposed Igls criteria 2.0"; all four conditions of a row must hold [A: read as a
    conjunction]):

    * optimal: HbA1c ≤ 6.5 %, TIR ≥ 80 %, no SHE, time < 54 mg/dL = 0 %;
    * good: HbA1c < 7.0 %, TIR ≥ 70 %, no SHE, time < 54 mg/dL < 1 %;
    * marginal: HbA1c ≤ baseline, TIR > baseline, SHE rate < baseline, time < 54 < baseline;
    * failure: otherwise.

    >>> igls2_outcome_landstra_2021(hba1c_pct=6.3, tir_pct=92.0, below54_pct=0.0, she_events=0,
    ...     she_rate_per_year=0.0, baseline_hba1c_pct=7.9, baseline_tir_pct=45.0,
    ...     baseline_below54_pct=3.0, baseline_she_per_year=4).grade
    'optimal'
    """
    hm = "no HbA1c at the visit"
    cm = "CGM data sufficiency below the minimum"
    bm = "no baseline CGM with enough data"
    she = _she_none(she_events, she_window)
    return _decide(
        [
            (
                "optimal",
                [
                    _cmp("HbA1c", hba1c_pct, "≤", 6.5, " %", hm),
                    _cmp("TIR", tir_pct, "≥", 80.0, " %", cm),
                    she,
                    _cmp("time < 54 mg/dL", below54_pct, "=", 0.0, " %", cm),
                ],
            ),
            (
                "good",
                [
                    _cmp("HbA1c", hba1c_pct, "<", 7.0, " %", hm),
                    _cmp("TIR", tir_pct, "≥", 70.0, " %", cm),
                    she,
                    _cmp("time < 54 mg/dL", below54_pct, "<", 1.0, " %", cm),
                ],
            ),
            (
                "marginal",
                [
                    _cmp("HbA1c", hba1c_pct, "≤", baseline_hba1c_pct, " % (baseline)", hm),
                    _cmp("TIR", tir_pct, ">", baseline_tir_pct, " % (baseline)", f"{cm} or {bm}"),
                    _cmp(
                        "SHE rate",
                        she_rate_per_year,
                        "<",
                        baseline_she_per_year,
                        "/year",
                        "",
                        " (baseline)",
                    ),
                    _cmp(
                        "time < 54 mg/dL",
                        below54_pct,
                        "<",
                        baseline_below54_pct,
                        " % (baseline)",
                        f"{cm} or {bm}",
                    ),
                ],
            ),
        ]
    )


def igls2_beta_cell_landstra_2021(
    *,
    c_peptide_fasting_pmol_l: float | None,
    c_peptide_stim_pmol_l: float | None,
    insulin_none: bool | None,
    c_peptide_column: str = "nmol_l",
) -> Graded:
    """Igls 2.0 β-cell graft function: optimal, good, marginal or failure, with the reason.

    Parameters
    ----------
    c_peptide_fasting_pmol_l, c_peptide_stim_pmol_l
        Fasting and stimulated (MMTT peak) C-peptide at the visit [pmol/L]; ``None`` not measured.
    insulin_none
        ``True`` no exogenous insulin at the visit, ``False`` some, ``None`` unknown.
    c_peptide_column
        Which column of the paper's table gives the cut-offs in pmol/L (:data:`C_PEPTIDE_COLUMNS`;
        protocol ``grading.c_peptide_column``): ``"nmol_l"`` (default) 170 / 100 / 70 / 40, or
        ``"ng_ml"`` 165.5 / 99.3 / 66.2 / 33.1.

    Criteria (Landstra 2021, doi:10.1210/clinem/dgab386, Table 2; pmol/L of the ``"nmol_l"``
    column):

    * optimal: C-peptide detectable (fasting or stimulated > 0) and no insulin;
    * good: stimulated > 170 or fasting ≥ 70;
    * marginal: stimulated 100–170 or fasting 40–< 70;
    * failure: stimulated < 100 and fasting < 40.

    Whichever measure is available is used; with both, the better grade counts [A].

    >>> igls2_beta_cell_landstra_2021(c_peptide_fasting_pmol_l=50.0, c_peptide_stim_pmol_l=None,
    ...     insulin_none=False).grade
    'marginal'
    """
    m = "not measured at the visit"
    cut = _column(c_peptide_column)
    fasting, stim = c_peptide_fasting_pmol_l, c_peptide_stim_pmol_l
    known = [x for x in (fasting, stim) if x is not None]
    detectable: Criterion
    if not known:
        detectable = None, "C-peptide unknown (not measured at the visit)"
    elif any(x > 0 for x in known):
        detectable = True, f"C-peptide detectable ({_fmt(max(known))} pmol/L)"
    else:
        detectable = False, "C-peptide undetectable"
    return _decide(
        [
            ("optimal", [detectable, _insulin_none(insulin_none)]),
            (
                "good",
                [
                    _any_available(
                        [
                            _cmp(
                                "stimulated C-peptide",
                                stim,
                                ">",
                                cut.stim_good,
                                " pmol/L",
                                m,
                            ),
                            _cmp(
                                "fasting C-peptide",
                                fasting,
                                "≥",
                                cut.fasting_good,
                                " pmol/L",
                                m,
                            ),
                        ]
                    )
                ],
            ),
            (
                "marginal",
                [
                    _any_available(
                        [
                            _cmp(
                                "stimulated C-peptide",
                                stim,
                                "≥",
                                cut.stim_marginal,
                                " pmol/L",
                                m,
                            ),
                            _cmp(
                                "fasting C-peptide",
                                fasting,
                                "≥",
                                cut.fasting_marginal,
                                " pmol/L",
                                m,
                            ),
                        ]
                    )
                ],
            ),
        ]
    )


def beta_score_ryan_2005(
    *,
    fasting_glucose_mg_dl: float | None,
    hba1c_pct: float | None,
    insulin_u_kg_day: float | None,
    c_peptide_stim_pmol_l: float | None,
    c_peptide_fasting_pmol_l: float | None = None,
) -> tuple[int | None, str]:
    """β-score (0–8) of islet graft function, with the points of each component.

    Parameters
    ----------
    fasting_glucose_mg_dl
        Fasting plasma glucose [mg/dL] (converted to mmol/L with 18 mg/dL per mmol/L).
    hba1c_pct
        HbA1c [%].
    insulin_u_kg_day
        Exogenous insulin [U/kg/day] (0 = none; oral agents are not in the dataset format).
    c_peptide_stim_pmol_l
        Stimulated C-peptide [pmol/L].
    c_peptide_fasting_pmol_l
        Fasting C-peptide [pmol/L]; a fasting value ≥ 0.3 nmol/L counts as stimulated ≥ 0.3.

    Returns
    -------
    (score [points, 0–8] or ``None`` when a component is missing, reason).

    Ryan EA et al. Diabetes Care 2005;28(2):343–347, doi:10.2337/diacare.28.2.343 (table of
    components): FPG ≤ 5.5 mmol/L 2, 5.6–6.9 1, ≥ 7.0 0; HbA1c ≤ 6.1 % 2, 6.2–6.9 1, ≥ 7.0 0;
    insulin 0 → 2, 0.01–0.24 U/kg/day → 1, ≥ 0.25 → 0; stimulated C-peptide ≥ 0.3 nmol/L 2,
    0.1–0.29 1, < 0.1 → total score 0.

    Values between the printed bands (FPG 5.5–5.6 mmol/L, HbA1c 6.1–6.2 %, insulin 0–0.01 and
    0.24–0.25 U/kg/day, C-peptide 0.29–0.30 nmol/L) follow the rule the paper states in words
    (abstract, verified): "2 points each for normal fasting glucose, HbA1c, stimulated C-peptide,
    and absence of insulin …; no points … if the fasting glucose was in the diabetic range, the
    HbA1c was > 6.9 %, C-peptide secretion was absent on stimulation, or daily insulin use was in
    excess of 0.24 units/kg. One point was given for intermediate values." So the 2-point and
    0-point conditions are read exactly as printed — FPG ≤ 5.5 / ≥ 7.0 mmol/L (the diabetic range),
    HbA1c ≤ 6.1 / > 6.9 %, insulin none / > 0.24 U/kg/day, C-peptide ≥ 0.3 / < 0.1 nmol/L (→ total
    score 0) — and everything between scores 1: FPG 5.55 → 1, 6.95 → 1; HbA1c 6.15 → 1, 6.95 → 0;
    insulin 0.245 → 0; C-peptide 0.295 nmol/L → 1.

    >>> beta_score_ryan_2005(fasting_glucose_mg_dl=90, hba1c_pct=5.8, insulin_u_kg_day=0.0,
    ...     c_peptide_stim_pmol_l=800)[0]
    8
    >>> beta_score_ryan_2005(fasting_glucose_mg_dl=99.9, hba1c_pct=6.95, insulin_u_kg_day=0.245,
    ...     c_peptide_stim_pmol_l=295)[0]  # FPG 5.55 → 1, HbA1c > 6.9 → 0, > 0.24 → 0, 0.295 → 1
    2
    """
    stim_nmol = None if c_peptide_stim_pmol_l is None else c_peptide_stim_pmol_l / 1000
    fast_nmol = None if c_peptide_fasting_pmol_l is None else c_peptide_fasting_pmol_l / 1000
    if fast_nmol is not None and fast_nmol >= 0.3:
        cp_points, cp_text = 2, f"fasting C-peptide {_fmt(fast_nmol)} nmol/L ≥ 0.3 → 2"
    elif stim_nmol is None:
        return None, "β-score not computed: no stimulated C-peptide at the visit"
    elif stim_nmol >= 0.3:
        cp_points, cp_text = (
            2,
            f"stimulated C-peptide {_decisive(stim_nmol, 0.3, '≥')[0]} nmol/L ≥ 0.3 → 2",
        )
    elif stim_nmol >= 0.1:
        v = _decisive(stim_nmol, 0.3, "≥")[0]
        cp_points, cp_text = 1, f"stimulated C-peptide {v} nmol/L in 0.1–< 0.3 → 1"
    else:
        v = _decisive(stim_nmol, 0.1, "<")[0]
        return 0, f"stimulated C-peptide {v} nmol/L < 0.1 → total score 0"
    missing = [
        name
        for name, v in (
            ("fasting glucose", fasting_glucose_mg_dl),
            ("HbA1c", hba1c_pct),
            ("insulin dose", insulin_u_kg_day),
        )
        if v is None
    ]
    if missing:
        return None, f"β-score not computed: {', '.join(missing)} unknown at the visit"
    assert fasting_glucose_mg_dl is not None and hba1c_pct is not None
    assert insulin_u_kg_day is not None
    fpg = fasting_glucose_mg_dl / GLUCOSE_MG_DL_PER_MMOL_L
    fpg_points = 2 if fpg <= 5.5 else (0 if fpg >= 7.0 else 1)
    a1c_points = 2 if hba1c_pct <= 6.1 else (0 if hba1c_pct > 6.9 else 1)
    ins_points = 2 if insulin_u_kg_day == 0 else (0 if insulin_u_kg_day > 0.24 else 1)
    total = fpg_points + a1c_points + ins_points + cp_points
    fpg_s = _decisive(fpg, 5.5 if fpg_points == 2 or fpg < 6.25 else 7.0, "≤")[0]
    a1c_s = _decisive(hba1c_pct, 6.1 if a1c_points == 2 or hba1c_pct < 6.5 else 6.9, "≤")[0]
    ins_s = _decisive(insulin_u_kg_day, 0.24, "≤")[0] if insulin_u_kg_day else "0"
    return total, (
        f"β-score {total}: fasting glucose {fpg_s} mmol/L → {fpg_points}; HbA1c "
        f"{a1c_s} % → {a1c_points}; insulin {ins_s} U/kg/day → {ins_points}; {cp_text}"
    )


def beta2_forbes_2016(
    *,
    c_peptide_fasting_pmol_l: float | None,
    insulin_u_kg_day: float | None,
    fasting_glucose_mg_dl: float | None,
    hba1c_pct: float | None,
) -> tuple[float | None, str]:
    """BETA-2 score of islet graft function, with the inputs used.

    Parameters
    ----------
    c_peptide_fasting_pmol_l
        Fasting C-peptide [pmol/L] (converted to nmol/L).
    insulin_u_kg_day
        Exogenous insulin [U/kg/day].
    fasting_glucose_mg_dl
        Fasting plasma glucose [mg/dL] (converted to mmol/L with 18 mg/dL per mmol/L).
    hba1c_pct
        HbA1c [%].

    Returns
    -------
    (BETA-2 [score units] or ``None`` when an input is missing or insulin ≥ 1 U/kg/day, reason).

    Forbes S et al. Validation of the BETA-2 score: an improved tool to estimate beta cell function
    after clinical islet transplantation using a single fasting blood sample. Am J Transplant
    2016;16(9):2704–2713, doi:10.1111/ajt.13807 [U: DOI kept unconfirmed — title, journal and issue
    9 (Sep 2016) were checked on the University of Edinburgh's record of the paper, but no source
    searched printed the DOI]; formula as given in
    docs/methods/trial.md §3.2, which marks it **[U] unverified**:
    ``BETA-2 = sqrt(C-peptide [nmol/L] × (1 − insulin [U/kg/d])) / (FPG [mmol/L] × HbA1c [%]) × 1000``.

    >>> round(beta2_forbes_2016(c_peptide_fasting_pmol_l=400, insulin_u_kg_day=0.0,
    ...     fasting_glucose_mg_dl=90, hba1c_pct=5.5)[0], 2)
    23.0
    """
    missing = [
        name
        for name, v in (
            ("fasting C-peptide", c_peptide_fasting_pmol_l),
            ("insulin dose", insulin_u_kg_day),
            ("fasting glucose", fasting_glucose_mg_dl),
            ("HbA1c", hba1c_pct),
        )
        if v is None
    ]
    if missing:
        return None, f"BETA-2 not computed: {', '.join(missing)} unknown at the visit"
    assert c_peptide_fasting_pmol_l is not None and insulin_u_kg_day is not None
    assert fasting_glucose_mg_dl is not None and hba1c_pct is not None
    if insulin_u_kg_day >= 1.0:
        return None, "BETA-2 not defined for insulin ≥ 1 U/kg/day"
    cp = c_peptide_fasting_pmol_l / 1000
    fpg = fasting_glucose_mg_dl / GLUCOSE_MG_DL_PER_MMOL_L
    value = math.sqrt(cp * (1 - insulin_u_kg_day)) / (fpg * hba1c_pct) * 1000
    return value, (
        f"BETA-2 {value:.1f} [formula U: unverified]: sqrt({_fmt(cp)} nmol/L × (1 − "
        f"{_fmt(insulin_u_kg_day)} U/kg/day)) / ({_fmt(fpg)} mmol/L × {_fmt(hba1c_pct)} %) × 1000"
    )


#: The registry's graft states of a visit, best first (:func:`citr_state_barton_2012`); a visit
#: without the data to place it is "not graded" (state ``None``).
CITR_STATES: Final = ("insulin_independent", "graft_functioning", "graft_failed")

#: Words for each state in tables and figures (``None``: not graded).
CITR_STATE_LABELS: Final[dict[str | None, str]] = {
    "insulin_independent": "insulin independent",
    "graft_functioning": "graft functioning",
    "graft_failed": "graft failed",
    None: "not graded",
}


def citr_state_barton_2012(
    *,
    insulin_none: bool | None,
    c_peptide_pmol_l: float | None,
    threshold_pmol_l: float = 0.3 * C_PEPTIDE_PMOL_L_PER_NG_ML,
) -> Graded:
    """The graft state of one visit, as the islet registry charts it over time.

    Parameters
    ----------
    insulin_none
        No exogenous insulin over the visit's insulin window (enough days recorded), ``False``
        when insulin was taken, ``None`` when unknown (too few records).
    c_peptide_pmol_l
        The visit's C-peptide [pmol/L]: the highest of its fasting and stimulated results, or
        ``None`` when none was measured.
    threshold_pmol_l
        Graft function at or above this C-peptide [pmol/L]; default 0.3 ng/mL × 331 = 99.3
        pmol/L (the protocol's ``survival.graft_failure_c_peptide_pmol_l``).

    Returns
    -------
    :class:`Graded` with grade ``"insulin_independent"``, ``"graft_functioning"``,
    ``"graft_failed"`` or ``None`` (not graded), and the reason.

    Barton FB et al. Improvement in outcomes of clinical islet transplantation: 1999–2010.
    Diabetes Care 2012;35(7):1436–1445, doi:10.2337/dc12-0063 [U: DOI not re-checked]; the CITR
    annual reports' state charts (insulin independent; insulin-using with graft function; no islet
    function = C-peptide < 0.3 ng/mL; missing data) — docs/methods/trial.md §2.3 and §4.8. Rules,
    in order [A: the order decides contradictory data]:

    1. C-peptide measured and below the threshold → ``graft_failed`` (even without insulin);
    2. no exogenous insulin → ``insulin_independent`` (the C-peptide is at or above the
       threshold, or was not measured at the visit);
    3. C-peptide at or above the threshold → ``graft_functioning`` (insulin taken, or its use
       unknown);
    4. otherwise (no C-peptide, insulin taken or unknown) → not graded.

    >>> citr_state_barton_2012(insulin_none=True, c_peptide_pmol_l=400).grade
    'insulin_independent'
    >>> citr_state_barton_2012(insulin_none=False, c_peptide_pmol_l=99.3).grade
    'graft_functioning'
    >>> citr_state_barton_2012(insulin_none=True, c_peptide_pmol_l=99.2).grade
    'graft_failed'
    >>> print(citr_state_barton_2012(insulin_none=None, c_peptide_pmol_l=None).reason)
    not graded: no C-peptide at the visit and insulin use unknown (too few insulin records)
    """
    t = _fmt(threshold_pmol_l)
    if c_peptide_pmol_l is not None and c_peptide_pmol_l < threshold_pmol_l:
        v, t = _decisive(c_peptide_pmol_l, threshold_pmol_l, "<")
        return Graded("graft_failed", f"graft failed: C-peptide {v} pmol/L < {t} pmol/L")
    if insulin_none is True:
        cp = (
            "C-peptide not measured at the visit"
            if c_peptide_pmol_l is None
            else f"C-peptide {_fmt(c_peptide_pmol_l)} pmol/L ≥ {t} pmol/L"
        )
        return Graded("insulin_independent", f"insulin independent: no exogenous insulin; {cp}")
    if c_peptide_pmol_l is not None:
        use = "insulin taken" if insulin_none is False else "insulin use unknown"
        return Graded(
            "graft_functioning",
            f"graft functioning: C-peptide {_fmt(c_peptide_pmol_l)} pmol/L ≥ {t} pmol/L; {use}",
        )
    use = (
        "insulin taken"
        if insulin_none is False
        else "insulin use unknown (too few insulin records)"
    )
    return Graded(None, f"not graded: no C-peptide at the visit and {use}")
