"""Report details a newcomer reads (issue 13): treatment-emergent AEs, plain definitions, ranges."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from endolab.trial.analysis import adverse_event_table, pre_infusion_events
from endolab.trial.dataset import read_dataset
from endolab.trial.figures import trajectory_figure
from endolab.trial.protocol import load_protocol
from endolab.trial.report import describe_endpoint, report_html, run
from endolab.trial.tables import _range, continuous_table
from tests.trial.builders import cgm, event, insulin, lab, person, write_dataset


@pytest.fixture
def data(tmp_path: Path) -> Path:
    participants = [person("R1", "C"), person("R2", "A", baseline_hba1c_pct=8.0)]
    labs = [
        lab("R1", 180, "HBA1C", 6.8),
        lab("R1", 365, "HBA1C", 6.5),
        lab("R2", 365, "HBA1C", 7.2),
        lab("R1", 180, "CPEP_STIM_PEAK", 600.0),
    ]
    events = [
        event("R1", -60),  # a severe hypoglycaemia two months before the infusion
        event("R1", 10, "AE", "Neutropenia", "N", "POSSIBLE"),
        event("R2", 0, "AE", "Nausea", "N", "Y"),  # on the infusion day: treatment-emergent
    ]
    return write_dataset(
        tmp_path / "data",
        participants=participants,
        labs=labs,
        events=events,
        cgm=cgm("R1", 352, 365, 140.0),
        insulin=insulin("R1", range(-14, 366), 10.0),
    )


def test_pre_infusion_events_are_not_counted(data: Path) -> None:
    ds = read_dataset(data)
    rows = adverse_event_table(ds.events, ["R1", "R2"])
    assert sorted((r["term"], r["events"]) for r in rows) == [("Nausea", 1), ("Neutropenia", 1)]
    before = pre_infusion_events(ds.events)
    assert [(e["participant_id"], e["start_day"], e["category"]) for e in before] == [
        ("R1", -60, "SHE")
    ]


def test_report_lists_pre_infusion_events_apart(data: Path) -> None:
    analysis = run(data, None)
    page = report_html(analysis)
    assert "Events before the infusion" in page
    assert "Treatment-emergent adverse events by term (study day ≥ 0)" in page
    doc = analysis.endpoints_json()
    assert doc["pre_infusion_events"][0]["start_day"] == -60
    assert all(r["term"] != "Severe hypoglycaemia" for r in doc["adverse_events"])


def test_definitions_are_sentences_without_markup(data: Path) -> None:
    page = report_html(run(data, None))
    section = page.split("<h2>Endpoint definitions</h2>", 1)[1].split("</ul>", 1)[0]
    assert "`" not in page.split("<h2>Figures</h2>")[0]
    assert "{" not in section and '"kind"' not in section
    assert "No severe hypoglycaemic event (SHE) starting in days 90 to 365." in section


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "hba1c_response_180_365",
            "At least one HbA1c in days 180 to 365 below 7 %, or at least 1 percentage point(s) "
            "below the participant's baseline HbA1c.",
        ),
        (
            "insulin_independent_180_365",
            "No insulin taken on any recorded day in days 180 to 365, with insulin records on at "
            "least 80 % of the window's days.",
        ),
        ("hba1c_lt7_day365", "The last HbA1c in days 335 to 395 is below 7 %."),
    ],
)
def test_describe_endpoint(key: str, expected: str) -> None:
    assert describe_endpoint(load_protocol("zimislecel-2025").endpoints[key]) == expected


def test_ranges_read_cleanly(data: Path) -> None:
    assert _range(-1.05, -0.75, 2) == "−1.05 to −0.75"
    table = continuous_table(run(data, None))
    text = " ".join(" ".join(row) for row in table.rows)
    assert not re.search(r"\d-{1,2}\d|--", text), text  # never "-1.05--0.75"


def test_tables_scroll_on_a_small_screen(data: Path) -> None:
    page = report_html(run(data, None))
    assert "<meta name='viewport'" in page
    assert page.count("<div class='table-scroll'><table>") >= 3


@pytest.mark.parametrize("measure", ["hba1c", "insulin", "c_peptide"])
def test_per_participant_plots_have_legends(data: Path, measure: str) -> None:
    fig = trajectory_figure(run(data, None), measure)  # type: ignore[arg-type]
    labels = {
        text.get_text()
        for ax in fig.axes
        if ax.get_legend() is not None
        for text in ax.get_legend().get_texts()
    }
    assert {"R1", "R2"} <= labels
