"""Report figures render on Figure objects and the AGP rules (pooled, per participant, skipped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from endolab.trial import figures
from endolab.trial.analysis import analyze
from endolab.trial.dataset import read_dataset
from endolab.trial.protocol import load_protocol
from tests.trial.builders import cgm, insulin, lab, person, write_dataset

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Any:
    P = [person("F1", "B"), person("F2", "C")]
    labs = [
        lab("F1", 90, "HBA1C", 7.1),
        lab("F1", 365, "HBA1C", 6.4),
        lab("F2", 90, "CPEP_STIM_PEAK", 300),
    ]
    ins = insulin("F1", [1, 2, 5, 6], 20.0)
    readings = (
        cgm("F1", -14, -1, [80, 200]) + cgm("F1", 352, 365, [90, 140]) + cgm("F2", 352, 365, 120.0)
    )
    folder = write_dataset(
        tmp_path_factory.mktemp("fig"), participants=P, labs=labs, insulin=ins, cgm=readings
    )
    return analyze(read_dataset(folder), load_protocol())


@pytest.mark.parametrize("measure", ["hba1c", "insulin", "c_peptide"])
def test_trajectories(analysis: Any, measure: Any) -> None:
    fig = figures.trajectory_figure(analysis, measure)
    assert len(fig.axes) == 2  # one panel per cohort (B, C)
    assert figures.figure_png(fig).startswith(PNG)


def test_tir_figure(analysis: Any) -> None:
    assert figures.figure_png(figures.tir_figure(analysis)).startswith(PNG)


def test_agp_pooled_and_per_participant(analysis: Any) -> None:
    figs, note = figures.agp_figures(analysis)
    assert note is None
    assert [c for c, _ in figs] == [
        "Ambulatory glucose profile by cohort",
        "Ambulatory glucose profile — F1",
        "Ambulatory glucose profile — F2",
    ]


def test_agp_many_participants_only_pooled(analysis: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "AGP_PER_PARTICIPANT_MAX", 1)
    figs, note = figures.agp_figures(analysis)
    assert len(figs) == 1 and note is not None and "at most 1" in note


def test_agp_without_readings(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path, participants=[person("N1")])
    figs, note = figures.agp_figures(analyze(read_dataset(folder), load_protocol()))
    assert figs == [] and note is not None and "no CGM readings" in note


@pytest.mark.parametrize("measure", ["hba1c", "insulin", "c_peptide"])
def test_large_cohort_trajectories_render_without_layout_warning(
    tmp_path: Path, measure: Any
) -> None:
    """A cohort of 40 (more than LEGEND_MAX = 16) once gave matplotlib's "constrained_layout not
    applied" UserWarning on stderr (the 40-name legend covered the panel): now the panel says the
    legend is left out, and the figure renders with no warning."""
    import warnings

    pids = [f"L{i:02d}" for i in range(40)]
    folder = write_dataset(
        tmp_path / "d",
        participants=[person(p, "C") for p in pids],
        labs=[lab(p, 90, t, v) for p in pids for t, v in (("HBA1C", 7.0), ("CPEP_STIM_PEAK", 300))],
        insulin=[r for p in pids for r in insulin(p, [1, 2, 3], 10.0)],
        cgm=cgm("L00", 352, 352, 120.0),
    )
    a = analyze(read_dataset(folder), load_protocol())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = figures.trajectory_figure(a, measure)
        assert figures.figure_png(fig).startswith(PNG)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("40 participants: legend left out" in t for t in texts)
