"""Issue 19: no page or embed overflows horizontally from 280 px to 1,600 px (measured in Chromium),
and the embed snippet resizes its iframe to the widget (postMessage) from the server's origin."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import browser, server  # noqa: F401  (fixtures: Chromium, live app)

pytestmark = pytest.mark.slow

from playwright.sync_api import Browser, Page  # noqa: E402

WIDTHS = (280, 288, 320, 360, 400, 480, 560, 640, 720, 768, 900, 1024, 1280, 1600)
HCG_PLAN = (
    "vial_iu=10000&diluent_ml=1.5&dose_iu=1000&syringe=u40-1.0&freq=2x-week&start=2026-01-05"
    "&weeks=8&discard_after_days=30&price_per_vial=80"
)
STATES = {
    "home": "/",
    "hormones": "/hormones?total_t=650&age=45&measured_e2=40&measured_dht=60",
    "hormones-si": "/hormones?total_t=650&age=45&out_units=si",
    "hcg": f"/hcg?{HCG_PLAN}",
    "cgm": "/cgm",
    "trial": "/trial",
    "error-404": "/no-such-page",
    "docs": "/docs",
    "embed-hormones": "/embed/hormones?total_t=650&age=45&measured_e2=40&measured_dht=60",
    "embed-hormones-empty": "/embed/hormones",
    "embed-hcg": f"/embed/hcg?{HCG_PLAN}",
    "embed-hcg-default": "/embed/hcg",
    "hormones-protocol": "/hormones?tab=protocol&ester=cypionate&dose_mg=60&every_days=3.5&lab=650ng%2FdL%4084h&ester_b=enanthate&dose_mg_b=250&every_days_b=14",
    "embed-hormones-protocol": "/embed/hormones?tab=protocol&ester=cypionate&dose_mg=60&every_days=3.5&lab=650ng%2FdL%4084h&ester_b=enanthate&dose_mg_b=250&every_days_b=14",
}

OVERFLOW = """() => {
  const d = document.documentElement;
  const out = {scroll: d.scrollWidth, client: d.clientWidth, wide: []};
  if (d.scrollWidth > d.clientWidth) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > d.clientWidth + 0.5 && !el.closest('.scroll')) {
        out.wide.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(r.right));
        if (out.wide.length > 6) break;
      }
    }
  }
  return out;
}"""


def _overflows(page: Page) -> list[str]:
    bad = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(30)
        m = page.evaluate(OVERFLOW)
        if m["scroll"] > m["client"]:
            bad.append(f"{width}px: scrollWidth {m['scroll']} > {m['client']} {m['wide']}")
    return bad


@pytest.mark.parametrize("state", list(STATES))
def test_no_horizontal_overflow(browser: Browser, server: str, state: str) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(server + STATES[state])
    if state == "docs":
        page.wait_for_selector(".swagger-ui .info")
    bad = _overflows(page)
    context.close()
    assert not bad, f"{state} overflows:\n" + "\n".join(bad)


def test_no_horizontal_overflow_cgm_result(
    browser: Browser,
    server: str,
    tmp_path: Path,
) -> None:
    rows = ["id,time,gl"]
    for i in range(288 * 3):
        d, rest = divmod(i * 5, 24 * 60)
        h, m = divmod(rest, 60)
        rows.append(f"p1,2024-03-0{1 + d} {h:02d}:{m:02d}:00,{110 + 60 * ((i % 96) / 96):.0f}")
    csv = tmp_path / "cgm.csv"
    csv.write_text("\n".join(rows) + "\n")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/cgm")
    page.set_input_files("input[type=file]", str(csv))
    page.click("button[type=submit]")
    page.wait_for_selector("table.metrics")
    bad = _overflows(page)
    context.close()
    assert not bad, "cgm result overflows:\n" + "\n".join(bad)


@pytest.fixture(scope="module")
def forum() -> Iterator[tuple[str, dict[str, bytes]]]:
    """Another origin (a second local port) serving the pages put in the returned dict."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, b"not found")
            self.send_response(200 if self.path in pages else 404)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", pages
    httpd.shutdown()
    httpd.server_close()


SNIPPETS = {
    # calculator page, a result to enter in the frame (field, value), the snippet's max-width
    "hormones": ("/hormones", {"#total_t": "650", "#age": "45"}, 640),
    "hcg": ("/hcg", {"#dose_iu": "300"}, 720),
}


@pytest.mark.parametrize("calc", list(SNIPPETS))
def test_embed_snippet_resizes_its_iframe(
    browser: Browser,
    server: str,
    forum: tuple[str, dict[str, bytes]],
    calc: str,
) -> None:
    page_path, inputs, max_width = SNIPPETS[calc]
    forum_origin, pages = forum
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(server + page_path)
    snippet = page.locator(".embed-snippet pre code").inner_text()
    context.close()
    src = re.search(r'<iframe src="([^"]+)"', snippet)
    assert src is not None and src.group(1) == f"{server}/embed/{calc}"  # the server's origin
    fallback = int(re.search(r'height="(\d+)"', snippet).group(1))  # type: ignore[union-attr]
    assert f'e.origin !== "{server}"' in snippet
    pages[f"/{calc}"] = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Forum post</title>"
        f"</head><body><h1>A forum post</h1>{snippet}</body></html>"
    ).encode()
    url = f"{forum_origin}/{calc}"

    def frame_height(pg: Page) -> tuple[float, float]:
        iframe = pg.locator("iframe")
        outer = iframe.evaluate("f => f.getBoundingClientRect().height")
        inner = pg.frames[1].evaluate("document.documentElement.getBoundingClientRect().height")
        return outer, inner

    # with JavaScript: the frame takes the widget's height, before and after a result
    context = browser.new_context(viewport={"width": max_width + 16, "height": 900})
    pg = context.new_page()
    pg.goto(url)
    frame = pg.frame_locator("iframe")
    frame.locator("form.calc").wait_for()
    pg.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height < 5000")
    for selector, value in inputs.items():
        frame.locator(selector).fill(value)
    frame.locator("button[type=submit]").click()
    frame.locator("#results .headline").wait_for()
    pg.wait_for_timeout(500)
    outer, inner = frame_height(pg)
    assert abs(outer - inner) <= 2, (outer, inner)
    # a message from any other window (here the forum page itself) is ignored
    pg.evaluate("window.postMessage({endolab: 'height', height: 7}, '*')")
    pg.wait_for_timeout(200)
    assert abs(frame_height(pg)[0] - outer) <= 1
    context.close()

    # without JavaScript: the snippet's fallback height holds the result at the max width
    context = browser.new_context(
        viewport={"width": max_width + 16, "height": 900}, java_script_enabled=False
    )
    pg = context.new_page()
    pg.goto(url)
    frame = pg.frame_locator("iframe")
    for selector, value in inputs.items():
        frame.locator(selector).fill(value)
    # without JavaScript the submit navigates the frame: wait for that navigation to finish,
    # not for a headline the page may already show (measuring mid-navigation fails)
    with pg.frames[1].expect_navigation(wait_until="load"):
        frame.locator("button[type=submit]").click()
    frame.locator("#results .headline").wait_for()
    outer, inner = frame_height(pg)
    assert outer == fallback
    assert inner <= fallback, f"the result is {inner} px tall; the fallback {fallback} px"
    context.close()
