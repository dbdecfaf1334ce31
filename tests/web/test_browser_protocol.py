"""Issue 23 in Chromium: the "from a protocol" tab of /hormones and its embed show the library's
curve and numbers (read back from the drawn SVG path and the table), work without JavaScript, and
the embed does not overflow at 320 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.test_browser import browser, live_app  # noqa: F401  (fixtures: Chromium, live app)

pytestmark = pytest.mark.slow

from playwright.sync_api import Browser, Page  # noqa: E402

from endolab.hormones.pk import ProtocolResult, protocol  # noqa: E402

QUERY = "tab=protocol&ester=cypionate&dose_mg=60&every_days=3.5&lab=650ng%2FdL%4084h&age=52"
COMPARE = "&ester_b=enanthate&dose_mg_b=250&every_days_b=14"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from endolab.web import Settings

    with live_app(Settings(cache_dir=tmp_path_factory.mktemp("cache"))) as url:
        yield url


@pytest.fixture(scope="module")
def lib() -> ProtocolResult:
    """The library's result for QUERY (same inputs, same seed 0)."""
    return protocol("cypionate", "60", "3.5", labs=["650ng/dL@84h"], age="52")


def _points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)]


def _check_curve(page: Page, lib: ProtocolResult, root: str = "#pk-curve svg") -> None:
    """Every drawn point of the TT and E2 paths, read back through the SVG's axis mapping, is the
    library's point (to the 0.01-px rounding of the coordinates)."""
    svg = page.locator(root).first
    attr: dict[str, Any] = svg.evaluate("e => Object.assign({}, e.dataset)")
    x0, px_day = float(attr["x0"]), float(attr["pxPerDay"])
    y_tt, px_tt = float(attr["ttY0"]), float(attr["ttPxPerUnit"])
    y_e2, px_e2 = float(attr["e2Y0"]), float(attr["e2PxPerUnit"])
    assert float(attr["peakNgDl"]) == lib.pk.peak_ng_dl
    assert float(attr["troughNgDl"]) == lib.pk.trough_ng_dl
    assert float(attr["meanNgDl"]) == lib.pk.mean_ng_dl

    tt = _points(svg.locator("path.tt").get_attribute("d") or "")
    assert len(tt) == len(lib.pk.times_days) == 193
    for (x, y), t, v in zip(tt, lib.pk.times_days, lib.pk.curve_ng_dl, strict=True):
        assert (x - x0) / px_day == pytest.approx(t, abs=0.006 / px_day)
        assert (y_tt - y) / px_tt == pytest.approx(v, abs=0.006 / px_tt)
    e2 = _points(svg.locator("path.e2").get_attribute("d") or "")
    expected = [v for v in lib.estradiol_curve_pg_ml if v is not None]
    assert len(e2) == len(expected)
    for (_, y), v in zip(e2, expected, strict=True):
        assert (y_e2 - y) / px_e2 == pytest.approx(v, abs=0.006 / px_e2)
    # peak and trough marks at the library's times and levels, in both intervals
    tau = lib.pk.regimen.interval_days
    for k in (0, 1):
        peak = svg.locator(f"circle.peak[data-k='{k}']")
        cx, cy = float(peak.get_attribute("cx") or 0), float(peak.get_attribute("cy") or 0)
        assert (cx - x0) / px_day == pytest.approx(lib.pk.peak_time_days + k * tau, abs=0.01)
        assert (y_tt - cy) / px_tt == pytest.approx(lib.pk.peak_ng_dl, abs=0.006 / px_tt)
        trough = svg.locator(f"circle.trough[data-k='{k}']")
        assert (y_tt - float(trough.get_attribute("cy") or 0)) / px_tt == pytest.approx(
            lib.pk.trough_ng_dl, abs=0.006 / px_tt
        )


def _shown(text: str) -> float:
    return float(text.split()[0])


def _check_table(page: Page, lib: ProtocolResult) -> None:
    """The table's numbers are the library's: exact in data-value, to 3 significant figures in
    the text."""
    pk = lib.pk
    hormones = {h["point"]: h for h in pk.hormones}
    expected = {
        "total_testosterone": (pk.trough_ng_dl, pk.mean_ng_dl, pk.peak_ng_dl),
        "estradiol": tuple(hormones[p]["estradiol_pg_ml"] for p in ("trough", "mean", "peak")),
        "dht": tuple(hormones[p]["dht_ng_dl"] for p in ("trough", "mean", "peak")),
        "free_testosterone": tuple(
            hormones[p]["free_testosterone_pg_ml"] for p in ("trough", "mean", "peak")
        ),
    }
    for key, values in expected.items():
        for point, value in zip(("trough", "mean", "peak"), values, strict=True):
            cell = page.locator(f"table.pk-values tr[data-key='{key}'] td[data-point='{point}']")
            data = float(cell.get_attribute("data-value") or "nan")
            assert data == pytest.approx(value, rel=1e-5)  # hormone rows are 6 s.f. in the library
            assert _shown(cell.inner_text()) == pytest.approx(value, rel=5e-3)
    fi = page.locator("table.pk-facts").inner_text()
    assert f"{pk.fluctuation_index:.3f}" in fi or f"{pk.fluctuation_index:.3g}" in fi


def test_protocol_tab_equals_the_library(
    browser: Browser, server: str, lib: ProtocolResult
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/hormones?{QUERY}")
    assert page.locator("nav.tabs a[aria-current='page']").inner_text() == "From a protocol"
    _check_curve(page, lib)
    _check_table(page, lib)
    assert "not medical advice" in page.locator(".results .disclaimer").inner_text()
    assert page.locator(".assumptions li").count() == len(lib.pk.assumptions)
    context.close()


def test_comparison_side_by_side(browser: Browser, server: str, lib: ProtocolResult) -> None:
    b = protocol("enanthate", "250", "14", age="52")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/hormones?{QUERY}{COMPARE}")
    _check_curve(page, lib, "#pk-curve-a svg")
    _check_curve(page, b, "#pk-curve-b svg")
    row = page.locator("table.pk-compare tr[data-key='total_testosterone_peak']")
    a_text = row.locator("td[data-col='a']").inner_text()
    b_text = row.locator("td[data-col='b']").inner_text()
    d_text = row.locator("td[data-col='diff']").inner_text()
    assert float(a_text) == pytest.approx(lib.pk.peak_ng_dl, rel=5e-3)
    assert float(b_text) == pytest.approx(b.pk.peak_ng_dl, rel=5e-3)
    assert float(d_text) == pytest.approx(b.pk.peak_ng_dl - lib.pk.peak_ng_dl, rel=5e-3)
    context.close()


def test_embed_at_320_px_no_overflow_and_the_librarys_curve(
    browser: Browser,
    server: str,
    lib: ProtocolResult,
) -> None:
    from tests.web.test_layout import OVERFLOW

    context = browser.new_context(viewport={"width": 320, "height": 900})
    page = context.new_page()
    for url in (f"/embed/hormones?{QUERY}", f"/embed/hormones?{QUERY}{COMPARE}"):
        page.goto(server + url)
        m = page.evaluate(OVERFLOW)
        assert m["scroll"] <= m["client"], f"{url} overflows at 320 px: {m}"
        box = page.locator(".results svg.pk-curve").first.bounding_box()
        assert box is not None and box["width"] <= 320
        _check_curve(page, lib, ".results svg.pk-curve")
    page.screenshot(path="test-artefacts/embed-protocol-320.png", full_page=True)
    context.close()


def test_works_without_javascript(browser: Browser, server: str, lib: ProtocolResult) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 900, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/hormones")
    page.click("nav.tabs a[data-tab='protocol']")
    page.select_option("#ester", "cypionate")
    page.fill("#dose_mg", "60")
    page.fill("#every_days", "3.5")
    page.locator("summary", has_text="Your labs").click()
    page.locator("input[name='lab']").first.fill("650ng/dL@84h")
    page.locator("summary", has_text="More about you").click()
    page.fill("input[name='age']", "52")
    page.click("button[type='submit']")
    page.wait_for_selector("#pk-curve svg")
    _check_curve(page, lib)
    context.close()
