"""The CGM page against `endolab cgm metrics` (issue 19): a differential test in Debian's Chromium.

Seeded random CGM exports (one to three subjects, 1–16 days, a 5- or 15-minute sensor, gaps,
mg/dL or mmol/L) are uploaded through the /cgm form, with JavaScript off and on; every cell of the
metrics table read back from the DOM must equal what the command line's `--json` record gives for
the same file, shown through the library's one cell formatter, and the notice codes must be the
same. The page computes and words nothing itself.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from tests.web.test_browser import browser  # noqa: F401  (fixture; skips without Chromium)
from tests.web.test_browser_hcg import server  # noqa: F401  # the live app fixture

from playwright.sync_api import Browser  # isort: skip

pytestmark = pytest.mark.slow

N_FILES = 16
SEED = 20261208


def _export(rng: np.random.Generator, path: Path) -> Path:
    """A generic CGM CSV (id, time, gl) with random subjects, length, interval, gaps and unit."""
    every = int(rng.choice([5, 15]))
    mmol = rng.random() < 0.3
    rows = ["id,time,gl"]
    start = datetime(2025, 1, 1) + timedelta(days=int(rng.integers(0, 300)))
    for s in range(int(rng.integers(1, 4))):
        n = int(rng.integers(1, 17)) * 1440 // every
        g = 140.0
        skip = set()
        if rng.random() < 0.5:  # a gap of 1-12 hours somewhere
            at = int(rng.integers(0, n))
            skip = set(range(at, at + int(rng.integers(12, 145)) * 5 // every))
        for i in range(n):
            g = float(np.clip(g + rng.normal(0, 6) + 0.02 * (140 - g), 45, 380))
            if i in skip:
                continue
            t = start + timedelta(minutes=every * i)
            value = f"{g / 18:.1f}" if mmol else f"{g:.0f}"
            rows.append(f"s{s + 1},{t:%Y-%m-%d %H:%M:%S},{value}")
    path.write_text("\n".join(rows) + "\n")
    return path


def _expected(path: Path) -> dict[str, Any]:
    """The command line's record for ``path``, as the page must show it."""
    from typer.testing import CliRunner

    from endolab.cgm.tables import display_cell, summary_display
    from endolab.cli import app

    res = CliRunner().invoke(app, ["cgm", "metrics", str(path), "--json"])
    assert res.exit_code == 0, res.output
    record = json.loads(res.stdout)
    table = pl.DataFrame(record["rows"], infer_schema_length=None)
    shown, _ = summary_display(table, record["glucose_unit"])
    return {
        "rows": {
            str(r["id"]): {c: display_cell(v) for c, v in r.items()} for r in shown.to_dicts()
        },
        "codes": [n["code"] for n in record["notices"]],
    }


_READ = """() => {
  const rows = {};
  document.querySelectorAll('table.metrics tbody tr').forEach(tr => {
    const cells = {};
    tr.querySelectorAll('td[data-col]').forEach(td => { cells[td.dataset.col] = td.textContent.trim(); });
    rows[tr.dataset.id] = cells;
  });
  return {
    rows: rows,
    codes: Array.from(document.querySelectorAll('ul.notices [data-code]')).map(e => e.dataset.code),
    error: (document.querySelector('.error') || {}).textContent || null,
  };
}"""


def test_cgm_page_shows_the_command_lines_metrics(
    browser: Browser,
    server: str,
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(SEED)
    pages = {
        js: browser.new_context(java_script_enabled=js, viewport={"width": 1200, "height": 900})
        for js in (False, True)
    }
    compared = 0
    for i in range(N_FILES):
        path = _export(rng, tmp_path / f"export-{i}.csv")
        want = _expected(path)
        page = pages[i % 2 == 1].new_page()
        page.goto(f"{server}/cgm")
        page.set_input_files("input[type=file]", str(path))
        page.click("button[type=submit]")
        page.wait_for_selector("table.metrics")
        shown = page.evaluate(_READ)
        assert shown["error"] is None, (i, shown["error"])
        assert set(shown["rows"]) == set(want["rows"]), i
        for sid, cells in shown["rows"].items():
            for col, text in cells.items():
                assert text == want["rows"][sid][col], (i, sid, col)
                compared += 1
        assert shown["codes"] == want["codes"], i
        page.close()
    for ctx in pages.values():
        ctx.close()
    assert compared > N_FILES * 10
