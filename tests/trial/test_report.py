"""Report folder: files, atomic replacement, self-contained HTML, participant listing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from endolab._io import MANIFEST_NAME
from endolab.errors import DataFileError, InputError
from endolab.trial.report import REPORT_FILES, run
from tests.trial.builders import cgm, lab, person, write_dataset


@pytest.fixture
def data(tmp_path: Path) -> Path:
    P = [person("R1", "C"), person("R2", "A")]
    labs = [lab("R1", 200, "HBA1C", 6.8), lab("R2", 100, "HBA1C", 6.0)]
    readings = cgm("R1", 352, 365, 140.0)
    return write_dataset(tmp_path / "data", participants=P, labs=labs, cgm=readings)


def test_report_files_and_listing(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(data, out)
    assert sorted(p.name for p in out.iterdir()) == sorted([*REPORT_FILES, MANIFEST_NAME])
    with (out / "participants.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["participant_id"] for r in rows] == ["R1", "R2"]
    assert rows[0]["primary"] == "true" and rows[1]["primary"] == ""  # null → empty cell
    assert "igls2_outcome_day90" in rows[0]
    doc = json.loads((out / "endpoints.json").read_text())
    assert doc["participants"][1]["hba1c_lt7_day365"] is None  # no HbA1c in [335, 395]
    md = (out / "tables.md").read_text()
    assert "computed from the provided data" in md and "| Endpoint |" in md


def test_failed_run_leaves_existing_report(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(data, out)
    before = (out / "endpoints.json").read_bytes()
    (data / "labs.csv").write_text("participant_id,date,test\n")
    with pytest.raises(DataFileError):
        run(data, out)
    assert (out / "endpoints.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_html_is_self_contained(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(data, out)
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 4
    for needle in ("http://", "https://", "<script", "<link", "@import"):
        assert needle not in html, needle


def test_refuses_to_replace_an_unrelated_folder(data: Path, tmp_path: Path) -> None:
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match=r"notes\.txt', which endolab did not write"):
        run(data, other)
    assert (other / "notes.txt").read_text() == "keep me"


def test_report_files_in_memory_equal_the_folder(data: Path, tmp_path: Path) -> None:
    from endolab.trial.report import report_files, report_html

    out = tmp_path / "out"
    analysis = run(data, out)
    files = report_files(analysis)
    assert list(files) == list(REPORT_FILES)
    for name in ("endpoints.json", "participants.csv", "tables.md"):
        assert files[name] == (out / name).read_bytes(), name
    page = report_html(analysis)
    assert page.startswith("<!DOCTYPE html>") and "data:image/png;base64," in page
    assert files["report.html"].decode("utf-8").startswith("<!DOCTYPE html>")


def test_binary_summary_cells(data: Path) -> None:
    from endolab.trial.tables import binary_summary_table

    analysis = run(data, None)
    table = binary_summary_table(analysis)
    assert table.header == ["Endpoint", *analysis.cohorts]
    assert [row[0] for row in table.rows] == list(analysis.protocol.endpoints)
    for row in table.rows:
        for group, cell in zip(analysis.cohorts, row[1:], strict=True):
            s = analysis.cohorts[group][row[0]]
            if not s["N"]:
                assert cell == "—"
            elif s["status"] == "not decided":  # no participant decided: never a count
                assert cell == f"not decided (N={s['N']})"
            else:
                assert cell.startswith(f"{s['n']}/{s['N']} ")
