"""Issue 21: the trial explorer shows the Kaplan–Meier estimates with the numbers at risk — the
library's numbers (endolab.trial.survival), checked here against a hand calculation too."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endolab.trial.analysis import analyze
from endolab.trial.dataset import read_dataset
from endolab.trial.protocol import load_protocol
from endolab.trial.survival import ENDPOINTS
from tests.trial.builders import event, lab, person, write_dataset
from tests.web.conftest import zip_bytes

pytest.importorskip("lifelines")


class _TableRows(HTMLParser):
    """The text of every cell of the tables inside the element with id ``survival-table``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # > 0 inside the survival-table element
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag not in ("br", "img")
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []
        elif ("id", "survival-table") in attrs:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _dataset(folder: Path) -> Path:
    # Four participants of cohort C followed to day 400 (an HbA1c that day); first severe
    # hypoglycaemic events on days 50 (P1) and 100 (P2); P3 and P4 censored at day 400.
    people = [person(f"P{i}", "C") for i in range(1, 5)]
    labs = [lab(f"P{i}", 400, "HBA1C", 6.5) for i in range(1, 5)]
    return write_dataset(
        folder, participants=people, labs=labs, events=[event("P1", 50), event("P2", 100)]
    )


def test_the_explorer_shows_the_librarys_kaplan_meier(client: TestClient, tmp_path: Path) -> None:
    folder = _dataset(tmp_path / "mytrial")
    upload = zip_bytes({f"mytrial/{p.name}": p.read_bytes() for p in sorted(folder.iterdir())})
    page = client.post("/trial", files={"file": ("t.zip", upload)})
    assert page.status_code == 200, page.text
    assert 'id="survival-figure"' in page.text
    parser = _TableRows()
    parser.feed(page.text)
    header, *rows = parser.rows
    days = load_protocol().survival.at_risk_days  # 0, 90, 180, 270, 365
    shown = {(r[0], r[1]): r for r in rows}

    # the library's result on the same data
    a = analyze(read_dataset(folder), load_protocol())
    assert a.survival is not None
    for c in a.survival.curves:
        row = shown[(ENDPOINTS[c.endpoint], c.group)]
        assert row[2] == str(c.n) and row[3] == str(c.events)
        assert row[-1] == " / ".join(str(c.at_risk_at[d]) for d in days)
        for cell, d in zip(row[4:-1], [d for d in days if d > 0], strict=True):
            if c.n:
                assert cell.startswith(f"{100 * c.estimate_at(d)[0]:.0f} %"), (c.endpoint, d)
            else:
                assert cell == "—"

    # and by hand, time to the first SHE in cohort C: S = 3/4 after day 50 and 3/4 × 2/3 = 1/2
    # after day 100 (P1, P2 events; P3, P4 censored at 400); at risk on days 0, 90, 180, 270, 365:
    # 4, 3, 2, 2, 2.
    she = shown[(ENDPOINTS["first_she"], "C")]
    assert she[2:4] == ["4", "2"]
    assert [cell.split(" %")[0] for cell in she[4:-1]] == ["75", "50", "50", "50"]
    assert she[-1] == "4 / 3 / 2 / 2 / 2"
    assert header[0] == "Endpoint" and header[-1].startswith("Number at risk")
