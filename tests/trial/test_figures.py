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
