"""Treated participants beside their own untreated twins (a paired in-silico trial).

A paired simulation (``endolab trial simulate --paired``, :func:`endolab.sim.simulate_trial` with
``paired=True``) runs every virtual participant twice on the same meals, behaviour and sensor
noise: once with the graft and once without (the twin). No real trial can make this comparison;
it is an in-silico result, never clinical evidence. :func:`paired_comparison` sets the two
analyses side by side, per participant and per cohort group, with the within-pair differences:

* binary endpoints: treated n/N and twin n/N, the four pair cells (both, treated only, twin only,
  neither) and the exact McNemar test on the discordant pairs (McNemar Q. Note on the sampling
  error of the difference between correlated proportions or percentages. Psychometrika
  1947;12:153–157, doi:10.1007/BF02295996; exact form: a two-sided binomial test of b against
  b + c with p = ½);
* continuous endpoints at the protocol's follow-up visit: treated, twin and the difference
  treated − twin per pair [unit of the endpoint], summarised like every continuous endpoint, and
  the exact sign test of the non-zero differences (the same binomial test).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl

from endolab.trial.stats import binary_summary, continuous_summary

if TYPE_CHECKING:
    from endolab.trial.protocol import Protocol

__all__ = ["exact_p_mcnemar_1947", "paired_comparison"]


def exact_p_mcnemar_1947(k: int, n: int) -> float | None:
    """Two-sided exact binomial p-value of k successes in n trials with p = ½ (``None`` if n = 0).

    ``min(1, 2·Σ_{i ≤ min(k, n−k)} C(n, i) / 2ⁿ)`` — the exact McNemar test on b = k and
    c = n − k discordant pairs, and the exact sign test.

    >>> exact_p_mcnemar_1947(0, 5)   # 2 · 1/32
    0.0625
    >>> exact_p_mcnemar_1947(1, 6)   # 2 · (1 + 6)/64
    0.21875
    >>> exact_p_mcnemar_1947(3, 6), exact_p_mcnemar_1947(0, 0)
    (1.0, None)
    """
    if n == 0:
        return None
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1))
    return float(min(1.0, 2.0 * tail / 2**n))


def _continuous_columns(protocol: Protocol) -> dict[str, tuple[str, str]]:
    """name → (follow-up column, unit) of the continuous endpoints compared pairwise."""
    from endolab.trial.analysis import continuous_keys

    keys = {
        name: (follow, unit) for name, (follow, _b, _c, unit) in continuous_keys(protocol).items()
    }
    v = protocol.continuous.visit_label
    keys["insulin_reduction"] = (f"insulin_reduction_{v}", "fraction")
    return keys


def _value(row: dict[str, Any] | None, column: str) -> Any:
    if row is None:
        return None
    value = row.get(column)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def paired_comparison(
    treated: pl.DataFrame, twins: pl.DataFrame, protocol: Protocol
) -> dict[str, Any]:
    """Each treated participant beside their untreated twin, per participant and cohort group.

    ``treated`` and ``twins`` are the per-participant tables of two analyses
    (:attr:`endolab.trial.analysis.TrialAnalysis.participants`) of a paired simulation: the twin
    of a participant has the same ``participant_id``. Returns the JSON-ready ``paired`` document of
    ``endpoints.json`` (structure in docs/trial.md).
    """
    twin_rows = {r["participant_id"]: r for r in twins.to_dicts()}
    cont = _continuous_columns(protocol)
    binary_keys = list(protocol.endpoints)
    participants: list[dict[str, Any]] = []
    for row in treated.to_dicts():
        twin = twin_rows.get(row["participant_id"])
        record: dict[str, Any] = {
            "participant_id": row["participant_id"],
            "cohort": row["cohort"],
            "twin_found": twin is not None,
            "binary": {
                k: {"treated": _value(row, k), "twin": _value(twin, k)} for k in binary_keys
            },
            "continuous": {},
        }
        for name, (column, unit) in cont.items():
            t, u = _value(row, column), _value(twin, column)
            diff = None if t is None or u is None else float(t) - float(u)
            record["continuous"][name] = {
                "column": column,
                "unit": unit,
                "treated": t,
                "twin": u,
                "difference": diff,
            }
        participants.append(record)

    cohorts: dict[str, Any] = {}
    for group, members in protocol.cohort_groups.items():
        sub = [r for r in participants if r["cohort"] in members]
        summary: dict[str, Any] = {"cohorts": members, "pairs": len(sub), "binary": {}}
        for k in binary_keys:
            pairs = [(r["binary"][k]["treated"], r["binary"][k]["twin"]) for r in sub]
            decided = [(t, u) for t, u in pairs if t is not None and u is not None]
            b = sum(1 for t, u in decided if t and not u)
            c = sum(1 for t, u in decided if u and not t)
            summary["binary"][k] = {
                "treated": binary_summary([t for t, _ in pairs]),
                "twin": binary_summary([u for _, u in pairs]),
                "both": sum(1 for t, u in decided if t and u),
                "treated_only": b,
                "twin_only": c,
                "neither": sum(1 for t, u in decided if not t and not u),
                "undecided_pairs": len(pairs) - len(decided),
                "mcnemar_exact_p": exact_p_mcnemar_1947(b, b + c),
            }
        summary["continuous"] = {}
        for name, (column, unit) in cont.items():
            cells = [r["continuous"][name] for r in sub]
            diffs = [x["difference"] for x in cells]
            nonzero = [d for d in diffs if d is not None and d != 0]
            summary["continuous"][name] = {
                "column": column,
                "unit": unit,
                "treated": continuous_summary([x["treated"] for x in cells]),
                "twin": continuous_summary([x["twin"] for x in cells]),
                "difference": continuous_summary(diffs),
                "sign_test_exact_p": exact_p_mcnemar_1947(
                    sum(1 for d in nonzero if d > 0), len(nonzero)
                ),
            }
        cohorts[group] = summary
    return {
        "description": "each treated participant beside their own untreated twin: the same "
        "virtual person, meals, behaviour and sensor noise without the graft (in silico only; no "
        "real trial can make this comparison); differences are treated − twin",
        "participants": participants,
        "cohorts": cohorts,
    }
