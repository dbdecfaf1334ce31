"""AGP percentiles (hand-computed type-7 quantiles) and the report figure."""

from __future__ import annotations

import datetime as dt
import inspect
import io

import polars as pl
import pytest

from endolab.cgm import agp as agp_module
from endolab.cgm import agp_figure, agp_percentiles, check_frame
from endolab.errors import InputError

# The toy frame below has three readings a day (median interval 11.8 h): not CGM data, which the
# metrics say in a warning (issue 18); these tests are about the figure.
pytestmark = pytest.mark.filterwarnings("ignore:median interval .*not CGM data")


def _frame() -> pl.DataFrame:
    # 5 days; at 08:00 and 08:10 each day (same 15-min bin 08:00–08:15) and at 20:00.
    rows = []
    for day, (a, b, c) in enumerate(
        [(100, 110, 200), (120, 130, 210), (140, 150, 220), (160, 170, 230), (180, 190, 240)]
    ):
        d = dt.datetime(2024, 1, 1 + day)
        rows += [
            ("s", d.replace(hour=8), a),
            ("s", d.replace(hour=8, minute=10), b),
            ("s", d.replace(hour=20), c),
        ]
    return check_frame(pl.DataFrame(rows, schema=["id", "time", "gl"], orient="row"))


def test_percentiles_by_bin() -> None:
    p = agp_percentiles(_frame(), "s")
    assert p["bin_start_min"].to_list() == [480, 1200]
    morning = p.row(0, named=True)
    # 08:00 bin holds 100,110,120,…,190 (10 values); type 7: h = 9p
    # p5: h = 0.45 → 100 + 0.45×10 = 104.5; p25: h = 2.25 → 120 + 2.5 = 122.5; p50: h = 4.5 → 145
    # p75: h = 6.75 → 160 + 7.5 = 167.5; p95: h = 8.55 → 180 + 5.5 = 185.5
    assert morning["n"] == 10
    assert (
        morning["p5"],
        morning["p25"],
        morning["p50"],
        morning["p75"],
        morning["p95"],
    ) == pytest.approx((104.5, 122.5, 145.0, 167.5, 185.5))
    evening = p.row(1, named=True)  # 200…240: p50 = 220
    assert evening["p50"] == pytest.approx(220.0)


def test_percentiles_mmol_and_all_subjects() -> None:
    p = agp_percentiles(_frame(), unit="mmol/L", bin_minutes=60)
    assert p["id"].unique().to_list() == ["s"]
    assert p.filter(pl.col("bin_start_min") == 1200)["p50"][0] == pytest.approx(220 / 18)


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="bin_minutes"):
        agp_percentiles(_frame(), bin_minutes=7)
    with pytest.raises(InputError, match="'nobody' not found"):
        agp_percentiles(_frame(), "nobody")


def test_figure_renders_without_pyplot() -> None:
    fig = agp_figure(_frame(), "s", title="Test")
    # library code builds the Figure directly: no pyplot (no global figure registry)
    assert "import matplotlib.pyplot" not in inspect.getsource(agp_module)
    assert "from matplotlib import pyplot" not in inspect.getsource(agp_module)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    assert buf.getvalue()[:4] == b"\x89PNG"
    svg = io.BytesIO()
    fig.savefig(svg, format="svg")
    text = svg.getvalue().decode()
    assert "<svg" in text
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    joined = " ".join(texts)
    assert "Target 70–180" in joined and "GMI" in joined and "Test" in joined
    assert any("not medical advice" in t for t in texts)


def test_panel_labels_never_overlap_their_values() -> None:
    # Issue 9: "GMI (not valid: < 14 d / < 70 %)" ran into its value. 5 days of data is not
    # sufficient (2019 rule: ≥ 14 days, ≥ 70 % active), so GMI is shown as not valid.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    fig = agp_figure(_frame(), "s")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = {t.get_gid(): t for t in fig.findobj(Text) if t.get_gid()}
    labels = sorted(k for k in texts if k.startswith("agp-label-"))
    assert len(labels) == 5
    gmi = next(k for k in labels if texts[k].get_text().startswith("GMI"))
    assert texts[gmi].get_text() == "GMI (not valid)"
    for key in labels:
        label = texts[key].get_window_extent(renderer)
        value = texts[key.replace("label", "value")].get_window_extent(renderer)
        assert label.x1 < value.x0, (texts[key].get_text(), label, value)
