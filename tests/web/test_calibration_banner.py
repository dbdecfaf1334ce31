"""The trial explorer's banner shows control arm, treated arm and NEJM 2025 from the library."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import endolab.sim
from endolab.web import Settings, create_app


@pytest.mark.slow
def test_banner_is_a_view_of_the_calibration_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from endolab.sim.population import ScreeningSettings
    from endolab.sim.studies import CALIBRATED_TO, calibration_table
    from endolab.trial import analyze, load_protocol, read_dataset
    from endolab.web.trialdata import demo_folder

    real = endolab.sim.simulate_trial

    def fast(**kwargs: Any) -> Any:  # a 28-day screening keeps the demo short
        return real(screening=ScreeningSettings(days=28), **kwargs)

    monkeypatch.setattr(endolab.sim, "simulate_trial", fast)
    settings = Settings(cache_dir=tmp_path / "cache", demo_participants=3, demo_days=30)
    with TestClient(create_app(settings)) as client:
        page = client.get("/trial")
    assert page.status_code == 200
    # the library's result for the same cached demo folder
    folder = demo_folder(settings)
    ds = read_dataset(folder)
    assert ds.twins is not None  # the demo is a paired simulation: the twins are its control arm
    rows = calibration_table(analyze(ds, load_protocol()))
    table = re.search(r'<table class="calibration" id="calibration">(.*?)</table>', page.text, re.S)
    assert table is not None
    shown = [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", table.group(1).split("<tbody>")[1])
        )
    ]
    expected = [
        [
            r["endpoint"],
            r["control"],
            r["treated"],
            r["nejm_2025"] + ("" if r["nejm_2025_source"] == "reported" else " [D]"),
        ]
        for r in rows
    ]
    assert shown == expected
    # C-peptide is not in the table; the primary endpoint is, with NEJM's 12/12 marked derived
    assert expected[0] == ["primary", "not decided", "not decided", "12/12 [D]"]
    for part, _target in CALIBRATED_TO:
        assert html.escape(part, quote=False) in page.text or part in html.unescape(page.text)
    # the paired tables are on the page too
    assert "treated vs own untreated twin" in page.text


def test_calibrated_to_names_the_potency_fit_and_the_cpeptide_check() -> None:
    # issue 17: the banner says what the potency is fitted to (published C-peptide at day 365, no
    # endpoint) and that days 90/180/365 are checked, not fitted; the potency it names is the
    # default the simulator uses, not a copy that can drift from it.
    from endolab.sim.graft import GraftSettings
    from endolab.sim.studies import CALIBRATED_TO

    targets = dict(CALIBRATED_TO)
    potency = targets["graft dose chain and potency ([graft])"]
    assert f"potency {GraftSettings().potency:g} fitted to published C-peptide only" in potency
    assert "day 365" in potency and "doi:10.2337/dc22-1155" in potency
    assert "never to an endpoint" in potency
    check = targets["graft C-peptide at days 90, 180 and 365 (fasting, MMTT peak)"]
    assert "checked within ±30 %, not fitted" in check
    assert "90, 180 and 365" in check and "[U]" in check
