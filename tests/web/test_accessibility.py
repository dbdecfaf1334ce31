"""Issue 19: axe-core (shipped by the ``axe-playwright-python`` dev dependency) in Chromium on every
page and state: no serious or critical violation. The counts by impact are printed (-s) and kept
in ``test-artefacts/axe.json``; docs/web.md records the latest run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import ARTEFACTS, browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow

from playwright.sync_api import Browser, Page  # noqa: E402

HCG_PLAN = (
    "vial_iu=10000&diluent_ml=1.5&dose_iu=1000&syringe=u40-1.0&freq=2x-week&start=2026-01-05"
    "&weeks=8&discard_after_days=30&price_per_vial=80"
)
STATES = {
    "home": "/",
    "hormones": "/hormones",
    "hormones-result": "/hormones?total_t=650&age=45&measured_e2=40&measured_dht=60",
    "hormones-si": "/hormones?total_t=650&age=45&out_units=si",
    "hormones-error": "/hormones?total_t=-5",
    "hcg": "/hcg",
    "hcg-plan": f"/hcg?{HCG_PLAN}",
    "hcg-error": "/hcg?vial_iu=abc",
    "cgm": "/cgm",
    "trial": "/trial",
    "docs": "/docs",
    "not-found": "/no-such-page",
    "embed-hormones": "/embed/hormones",
    "embed-hormones-result": "/embed/hormones?total_t=650&age=45",
    "embed-hcg": "/embed/hcg",
    "embed-hcg-plan": f"/embed/hcg?{HCG_PLAN}",
    "hormones-protocol": "/hormones?tab=protocol&ester=cypionate&dose_mg=60&every_days=3.5&lab=650ng%2FdL%4084h&ester_b=enanthate&dose_mg_b=250&every_days_b=14",
    "hormones-protocol-error": "/hormones?tab=protocol&dose_mg=abc&every_days=7",
    "embed-hormones-protocol": "/embed/hormones?tab=protocol&ester=cypionate&dose_mg=60&every_days=3.5&lab=650ng%2FdL%4084h&ester_b=enanthate&dose_mg_b=250&every_days_b=14",
}
RESULTS: dict[str, dict[str, Any]] = {}


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


@pytest.fixture(scope="module")
def axe_page(browser: Browser) -> Iterator[Page]:
    # the pages' CSP allows no injected script: the test context bypasses it to load axe
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    yield page
    context.close()
    (ARTEFACTS / "axe.json").write_text(json.dumps(RESULTS, indent=1, sort_keys=True))


def run_axe(page: Page, state: str) -> list[dict[str, Any]]:
    page.add_script_tag(content=_axe_source())
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return {version: axe.version, violations: r.violations.map(v => ({id: v.id,"
        " impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)"
        "}))}; }"
    )
    counts: dict[str, int] = {}
    for v in result["violations"]:
        counts[v["impact"]] = counts.get(v["impact"], 0) + 1
    RESULTS[state] = {
        "axe": result["version"],
        "by_impact": counts,
        "violations": result["violations"],
    }
    print(state, result["version"], counts, [(v["id"], v["impact"]) for v in result["violations"]])
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("state", list(STATES))
def test_axe_no_serious_or_critical(axe_page: Page, server: str, state: str) -> None:
    axe_page.goto(server + STATES[state])
    if state == "docs":
        axe_page.wait_for_selector(".swagger-ui .info")
    bad = run_axe(axe_page, state)
    if state == "docs":  # and with an operation opened (parameters, responses, schemas)
        axe_page.locator(".opblock-summary-control").first.click()
        axe_page.wait_for_selector(".opblock-body")
        bad += run_axe(axe_page, "docs-operation-open")
    assert not bad, json.dumps(bad, indent=1)


def test_axe_on_results_of_uploads(axe_page: Page, server: str, tmp_path: Path) -> None:
    from endolab.sim import simulate_trial, write_simulation
    from tests.web.conftest import zip_bytes

    rows = ["id,time,gl"]
    for i in range(288 * 3):
        d, rest = divmod(i * 5, 24 * 60)
        h, m = divmod(rest, 60)
        rows.append(f"p1,2024-03-0{1 + d} {h:02d}:{m:02d}:00,{110 + 60 * ((i % 96) / 96):.0f}")
    csv = tmp_path / "cgm.csv"
    csv.write_text("\n".join(rows) + "\n")
    axe_page.goto(f"{server}/cgm")
    axe_page.set_input_files("input[type=file]", str(csv))
    axe_page.click("button[type=submit]")
    axe_page.wait_for_selector("table.metrics")
    bad = run_axe(axe_page, "cgm-result")
    folder = tmp_path / "mytrial"
    write_simulation(simulate_trial(participants=2, days=365, seed=3), folder)
    zipped = tmp_path / "mytrial.zip"
    zipped.write_bytes(zip_bytes({f"mytrial/{p.name}": p.read_bytes() for p in folder.iterdir()}))
    axe_page.goto(f"{server}/trial")
    axe_page.set_input_files("form.upload input[type=file]", str(zipped))
    axe_page.click("form.upload button[type=submit]")
    axe_page.wait_for_selector("#participant-agp img")
    bad += run_axe(axe_page, "trial-upload")
    axe_page.select_option("select[name=participant]", index=1)
    axe_page.wait_for_selector("#participant-agp figcaption:has-text('SIM-002')")
    # the picker (JavaScript on: it submits on change) stayed on the upload, not the virtual trial
    assert "/trial/uploads/" in axe_page.url and "participant=SIM-002" in axe_page.url
    assert "mytrial.zip" in axe_page.locator("p.lede").inner_text()
    bad += run_axe(axe_page, "trial-upload-participant")
    assert not bad, json.dumps(bad, indent=1)
