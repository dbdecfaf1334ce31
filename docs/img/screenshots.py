"""Re-take the README screenshots: the trial explorer and a widget embedded in another site.

Run from the repository root with Debian's Chromium installed::

    .venv/bin/python docs/img/screenshots.py

Starts the app on a free 127.0.0.1 port (the built-in virtual trial from the user's cache), a
second local server playing a forum page that embeds /embed/hcg, and writes PNGs next to this file.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from endolab.web import Settings, create_app

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    forum = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Forum</title></head>"
        "<body style='font-family:sans-serif;background:#eef0f3;margin:0'>"
        "<div style='background:#3b4a5a;color:#fff;padding:10px 16px'>mens-health-forum.example"
        " › TRT › hCG</div><div style='max-width:760px;margin:16px auto;background:#fff;"
        "padding:12px 16px;border:1px solid #ccd'><p><b>member123</b> wrote:</p><p>Here is the "
        "mixing calculator I use — put in your vial and dose:</p>"
        f"<iframe src='{base}/embed/hcg?vial_iu=5000&diluent_ml=2&dose_iu=250' width='100%' "
        "height='1050' style='border:1px solid #ccc' title='hCG calculator'></iframe>"
        "</div></body></html>"
    ).encode()

    class Forum(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(forum)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Forum)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1500})
        page.goto(f"{base}/trial", timeout=300_000)
        page.screenshot(path=str(HERE / "trial-explorer.png"))
        page.locator("#agp").scroll_into_view_if_needed()
        page.locator("#agp").screenshot(path=str(HERE / "trial-agp.png"))
        page = browser.new_page(viewport={"width": 900, "height": 1150})
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/")
        page.frame_locator("iframe").locator("#draw").wait_for()
        page.screenshot(path=str(HERE / "embedded-hcg-widget.png"))
        browser.close()
    httpd.shutdown()
    server.should_exit = True


if __name__ == "__main__":
    main()
