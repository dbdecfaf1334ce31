"""Browser tests: Playwright driving Debian's Chromium against a live server on 127.0.0.1.

Locally they skip (with the reason) when /usr/bin/chromium is missing; under CI (``CI`` set) a
missing browser fails them, so they always run there (``.ci/run`` installs chromium). Screenshots
of every page are saved in ``test-artefacts/`` (gitignored).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, in_ci

CHROMIUM = Path(os.environ.get("ENDOLAB_CHROMIUM", "/usr/bin/chromium"))
ARTEFACTS = REPO_ROOT / "test-artefacts"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

if not CHROMIUM.exists():
    if in_ci(os.environ):
        pytest.fail(
            f"CI: Chromium not found at {CHROMIUM}; .ci/run installs it with apt-get",
            pytrace=False,
        )
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_app(settings: Any) -> Iterator[str]:
    """The web app with ``settings`` served by uvicorn on a free loopback port (its base URL)."""
    import uvicorn

    from endolab.web import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from endolab.web import Settings

    settings = Settings(
        cache_dir=tmp_path_factory.mktemp("cache"),
        demo_participants=2,
        demo_days=365,
        warm_trial=True,
    )
    with live_app(settings) as url:
        yield url


@pytest.fixture(scope="module")
def other_origin(server: str) -> Iterator[str]:
    """A page on a second local port (another origin) that embeds the widget in an iframe."""
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Forum post</title></head>"
        "<body style='font-family:sans-serif;margin:8px'><h1>A forum post</h1>"
        "<p>Try the calculator:</p>"
        f"<iframe id='w' src='{server}/embed/hormones' width='100%' height='760' "
        "style='border:1px solid #ccc;max-width:640px' title='TRT Hormone Predictor'></iframe>"
        "</body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def cli_json(*args: str) -> dict[str, Any]:
    from typer.testing import CliRunner

    from endolab.cli import app

    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_hormone_form_shows_the_cli_values(page: Page, server: str) -> None:
    from endolab.web.views import fmt

    page.goto(f"{server}/hormones")
    shot(page, "hormones-empty")
    page.fill("#total_t", "650")
    page.fill("#age", "45")
    page.click("button[type=submit]")
    cli = cli_json("hormones", "predict", "--total-t", "650", "--age", "45")
    for key, cli_key in (
        ("estradiol", "estradiol_pg_ml"),
        ("dht", "dht_ng_dl"),
        ("free_t", "free_testosterone_pg_ml"),
    ):
        cell = page.locator(f'tr[data-key="{key}"] .num')
        expect(cell).to_have_text(fmt(cli[cli_key]))
    expect(page.locator("svg.band").first).to_be_visible()
    expect(page.locator(".disclaimer").first).to_be_visible()
    shot(page, "hormones")


def test_hormone_results_switch_to_si_units(page: Page, server: str) -> None:
    # Issue 9: the results (not only the inputs) switch units. Hand conversion from the molar
    # mass of estradiol (272.38 g/mol): 1 pg/mL = 1000/272.38 pmol/L.
    cli = cli_json("hormones", "predict", "--total-t", "650", "--age", "45")
    page.goto(f"{server}/hormones?total_t=650&age=45")
    page.select_option("#out_units", "si")
    page.click("button[type=submit]")
    cell = page.locator('tr[data-key="estradiol"] td.value')
    expect(cell).to_contain_text("pmol/L")
    value = float(page.locator('tr[data-key="estradiol"] .num').inner_text().replace(",", ""))
    assert value == pytest.approx(cli["estradiol_pg_ml"] * 1000 / 272.38, rel=5e-3)
    assert "out_units=si" in page.locator(".share a").inner_text()
    shot(page, "hormones-si")


def test_hcg_custom_schedule_on_the_calendar(page: Page, server: str) -> None:
    # every 4 days from Monday 2025-01-06 for 2 weeks (days 0–13): Jan 6, 10, 14, 18
    page.goto(f"{server}/hcg?vial_iu=5000&diluent_ml=5&dose_iu=250&start=2025-01-06&weeks=2")
    page.locator("details summary").first.click()
    page.fill("#every_days", "4")
    page.click("button[type=submit]")
    doses = page.locator("td.dose[title]")
    expect(doses.first).to_be_visible()
    days = [d for d in doses.all_inner_texts() if d.strip()]
    assert days == ["6", "10", "14", "18"]
    shot(page, "hcg-every-4-days")


def test_hcg_plunger_moves_and_notice_appears(page: Page, server: str) -> None:
    page.goto(f"{server}/hcg")
    face = page.locator("#plunger-face")
    before = float(face.get_attribute("x1") or "nan")
    expect(page.locator('[data-code="W_OFF_GRADUATION"]')).to_have_count(0)
    page.fill("#dose_iu", "255")  # 10.2 units: between marks → a warning (live update, no submit)
    expect(page.locator('[data-code="W_OFF_GRADUATION"]')).to_have_count(1)
    page.fill("#dose_iu", "400")  # 16 units: the plunger moves further out
    expect(page.locator("svg[data-dose-ml]")).to_have_attribute("data-dose-ml", "4/25")
    after = float(page.locator("#plunger-face").get_attribute("x1") or "nan")
    assert after > before
    assert "dose_iu=400" in page.url  # the URL follows the inputs (shareable)
    shot(page, "hcg")
    page.goto(
        f"{server}/hcg?vial_iu=5000&diluent_ml=5&dose_iu=250&freq=2x-week&start=2025-01-06"
        "&weeks=12&discard_after_days=30&price_per_vial=60"
    )
    expect(page.locator("table.month").first).to_be_visible()
    expect(page.locator("svg.iu-left")).to_be_visible()
    shot(page, "hcg-plan")


def test_trial_explorer_cohort_table_and_agp(page: Page, server: str) -> None:
    page.goto(f"{server}/trial", timeout=120_000)
    expect(page.locator("#cohort-table table").first).to_be_visible()
    expect(page.locator(".in-silico")).to_contain_text("not clinical evidence")
    expect(page.locator("#participant-agp img")).to_be_visible()
    page.select_option("select[name=participant]", index=1)
    expect(page.locator("#participant-agp figcaption")).to_contain_text("SIM-002")
    shot(page, "trial")


def test_embed_in_iframe_from_another_origin(
    browser: Browser, server: str, other_origin: str
) -> None:
    for width in (1000, 320):
        context = browser.new_context(viewport={"width": width, "height": 900})
        pg = context.new_page()
        pg.goto(other_origin)
        frame = pg.frame_locator("#w")
        frame.locator("#total_t").fill("650")
        frame.locator("button[type=submit]").click()
        expect(frame.locator('tr[data-key="estradiol"] .num')).to_be_visible()
        shot(pg, f"embed-hormones-in-forum-{width}px")
        context.close()


def test_cgm_upload_shows_metrics_and_agp(page: Page, server: str, tmp_path: Path) -> None:
    rows = ["id,time,gl"]
    for i in range(288 * 3):  # three days of 5-min readings
        d, rest = divmod(i * 5, 24 * 60)
        h, m = divmod(rest, 60)
        rows.append(f"p1,2024-03-0{1 + d} {h:02d}:{m:02d}:00,{110 + 60 * ((i % 96) / 96):.0f}")
    csv = tmp_path / "cgm.csv"
    csv.write_text("\n".join(rows) + "\n")
    page.goto(f"{server}/cgm")
    page.set_input_files("input[type=file]", str(csv))
    page.click("button[type=submit]")
    expect(page.locator("table.metrics")).to_be_visible()
    expect(page.locator("figure.agp img")).to_be_visible()
    shot(page, "cgm-result")


def test_cgm_excel_upload_and_the_html_report(page: Page, server: str, tmp_path: Path) -> None:
    # the file input offers Excel exports ([xlsx] installed); a Tidepool workbook is analysed,
    # then the same file's clinic report opens as the library's HTML page
    pytest.importorskip("openpyxl")
    from tests.cgm.test_readers_xlsx import ROWS_MMOL, _workbook

    book = tmp_path / "tp.xlsx"
    book.write_bytes(_workbook(ROWS_MMOL))
    page.goto(f"{server}/cgm")
    accept = page.get_attribute("input[type=file]", "accept") or ""
    assert {".xlsx", ".xls"} <= set(accept.split(","))
    page.set_input_files("input[type=file]", str(book))
    page.get_by_role("button", name="Analyse", exact=True).click()
    # 109, 262, Low, High: one of four in 70–180 mg/dL → 25 %
    expect(page.locator('tr[data-id="tp"] td[data-col="tir_70_180"]')).to_have_text("25.0")
    page.set_input_files("input[type=file]", str(book))
    page.fill("input[name=compare]", "2024-03-01:2024-03-01")
    page.click("text=Clinic AGP report (HTML)")
    expect(page.locator("h1")).to_have_text("AGP Report: Continuous Glucose Monitoring")
    expect(page.locator("td[data-metric=tir_70_180]")).to_have_text("25.0 %")
    expect(page.locator("img[alt='AGP report page of tp']")).to_be_visible()
    shot(page, "cgm-report-html")


@pytest.mark.parametrize(
    ("path", "name", "width"),
    [
        ("/", "home", 1200),
        ("/cgm", "cgm", 1200),
        ("/docs", "docs", 1200),
        ("/embed/hcg", "embed-hcg-320px", 320),
        ("/embed/hormones?total_t=650", "embed-hormones-320px", 320),
    ],
)
def test_screenshots(browser: Browser, server: str, path: str, name: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    pg = context.new_page()
    pg.goto(server + path)
    if path == "/docs":
        expect(pg.locator(".swagger-ui .info")).to_be_visible()
    scroll = pg.evaluate("document.documentElement.scrollWidth")
    if width == 320:
        assert scroll <= width + 1, f"{path} overflows 320 px ({scroll} px)"
    shot(pg, name)
    context.close()
