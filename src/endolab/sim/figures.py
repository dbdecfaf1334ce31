"""Figures of the simulator, on :class:`matplotlib.figure.Figure` objects (no pyplot state)."""

from __future__ import annotations

import polars as pl
from matplotlib.figure import Figure

__all__ = ["patient_figure"]


def patient_figure(trace: pl.DataFrame, title: str = "") -> Figure:
    """Four panels of a :func:`~endolab.sim.replay.simulate_patient` trace over time.

    Plasma and interstitial glucose [mg/dL] with the 70–180 range; exogenous insulin [U/min] and
    carbohydrate [g/min]; graft secretion [pmol/kg/min]; plasma C-peptide [pmol/L].
    """
    fig = Figure(figsize=(10, 9))
    axes = fig.subplots(4, 1, sharex=True)
    t = trace["time"].to_numpy()
    ax = axes[0]
    ax.axhspan(70, 180, color="#2ca02c", alpha=0.08)
    ax.plot(t, trace["plasma_glucose_mg_dl"], lw=1, label="plasma")
    ax.plot(t, trace["interstitial_glucose_mg_dl"], lw=1, ls="--", label="interstitial")
    ax.set_ylabel("Glucose [mg/dL]")
    ax.legend(loc="upper right", fontsize=8)
    ax = axes[1]
    ax.plot(t, trace["insulin_u_per_min"], lw=0.8, color="#d62728", label="insulin [U/min]")
    ax.set_ylabel("Insulin [U/min]")
    twin = ax.twinx()
    twin.plot(t, trace["carbs_g_per_min"], lw=0.8, color="#ff7f0e", alpha=0.6)
    twin.set_ylabel("Carbs [g/min]")
    axes[2].plot(t, trace["secretion_pmol_kg_min"], lw=1, color="#9467bd")
    axes[2].set_ylabel("Secretion\n[pmol/kg/min]")
    axes[3].plot(t, trace["c_peptide_pmol_l"], lw=1, color="#8c564b")
    axes[3].set_ylabel("C-peptide\n[pmol/L]")
    axes[3].set_xlabel("Time")
    fig.suptitle(
        (title + " — " if title else "") + "in-silico trace (never clinical evidence)", fontsize=10
    )
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
