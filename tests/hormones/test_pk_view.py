"""endolab.hormones.pk_view (issue 23): rows, comparison, spec parsing and the curve SVG, checked
against hand calculations and the predictor run independently."""

from __future__ import annotations

import re

import pytest

from endolab.errors import ParseError
from endolab.hormones import predict
from endolab.hormones.pk import protocol
from endolab.hormones.pk_view import (
    _nice_top,
    compare_protocols,
    parse_regimen_spec,
    protocol_record,
    protocol_rows,
    protocol_svg,
)


def test_same_weekly_dose_same_cavg_by_hand() -> None:
    # Cavg = F·D·f_T/CL/τ. Cypionate: f_T = 288.42/412.61; CL = 16 mL/min/kg × 70 kg × 1.44
    # = 1612.8 L/day. 120 mg/7 d: 120 × 0.699014 = 83.882 mg T → 83.882e6 ng / 16128 dL
    # = 5201.0 ng·day/dL → 743.0 ng/dL; 60 mg/3.5 d gives the same.
    a = protocol("cypionate", 120, 7)
    b = protocol("cypionate", 60, 3.5)
    rows = {r.key: r for r in compare_protocols(a, b)}
    cavg = rows["total_testosterone_mean"]
    assert cavg.a == pytest.approx(743.0, rel=1e-3)
    assert cavg.b == pytest.approx(743.0, rel=1e-3)
    assert cavg.difference == pytest.approx(0.0, abs=1e-6)
    assert cavg.texts[2] == "0"
    # splitting the dose lowers the peak and raises the trough
    assert (
        rows["total_testosterone_peak"].difference
        < 0
        < rows["total_testosterone_trough"].difference
    )
    assert rows["fluctuation_index"].unit == "dimensionless"


def test_rows_carry_the_predictors_values() -> None:
    r = protocol("enanthate", 125, 7, age=40)
    rows = {x.key: x for x in protocol_rows(r)}
    for i, tt in enumerate((r.pk.trough_ng_dl, r.pk.mean_ng_dl, r.pk.peak_ng_dl)):
        p = predict(tt, age=40)
        assert rows["estradiol"].values[i] == pytest.approx(p.estradiol_pg_ml, rel=1e-5)
        assert rows["dht"].values[i] == pytest.approx(p.dht_ng_dl, rel=1e-5)
        assert rows["free_testosterone"].values[i] == pytest.approx(
            p.free_testosterone_pg_ml, rel=1e-5
        )
        assert rows["estradiol"].lows[i] == pytest.approx(p.estradiol_low_pg_ml, rel=1e-5)
    assert rows["total_testosterone"].ref_text == "264–916"
    assert rows["free_testosterone"].ref_text == "≥ 70.0"


def test_estradiol_curve_is_the_predictor_along_the_curve() -> None:
    r = protocol("cypionate", 60, 3.5, shbg=30)
    assert len(r.estradiol_curve_pg_ml) == len(r.pk.times_days)
    for i in (0, 50, 150):
        expected = predict(r.pk.curve_ng_dl[i], shbg=30).estradiol_pg_ml
        assert r.estradiol_curve_pg_ml[i] == pytest.approx(expected, rel=1e-12)
    low = protocol("propionate", 5, 14)  # near zero between doses: outside the predictor
    assert None in low.estradiol_curve_pg_ml
    assert protocol_record(low)["curve_estradiol_pg_ml"].count(None) == (
        low.estradiol_curve_pg_ml.count(None)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ester=enanthate,dose=250,every=14", ("enanthate", "250", "14")),
        (" EVERY = 3.5 , ester=cypionate, dose=60 ", ("cypionate", "60", "3.5")),
    ],
)
def test_parse_regimen_spec(text: str, expected: tuple[str, str, str]) -> None:
    d = parse_regimen_spec(text)
    assert (d["ester"], d["dose_mg"], d["every_days"]) == expected


@pytest.mark.parametrize(
    "text", ["", "enanthate", "ester=enanthate,dose=250", "ester=a,ester=b,dose=1,every=2", "x=1"]
)
def test_parse_regimen_spec_refuses(text: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_regimen_spec(text)
    assert e.value.code == "E_COMPARE_FORMAT"


@pytest.mark.parametrize(
    ("x", "top"), [(916 * 1.05, 1000.0), (1672.0, 2000.0), (38.85, 50.0), (0.21, 0.25)]
)
def test_nice_top(x: float, top: float) -> None:
    assert _nice_top(x) == pytest.approx(top)


def test_svg_points_read_back_to_the_curve() -> None:
    r = protocol("undecanoate", 1000, 84)
    svg = protocol_svg(r)
    attrs = dict(re.findall(r'data-([a-z0-9-]+)="([^"]+)"', svg.split(">", 1)[0]))
    x0, px_day = float(attrs["x0"]), float(attrs["px-per-day"])
    y0, px = float(attrs["tt-y0"]), float(attrs["tt-px-per-unit"])
    # the axes by hand: 2 × 84 days over 564 px; total T up to the next 1-2-2.5-5 step above
    # 1.05 × the band's top over the 180-px panel (y 48–228)
    assert px_day == pytest.approx(564 / 168)
    assert px == pytest.approx(180 / _nice_top(1.05 * max(r.pk.curve_high_ng_dl)))
    d = re.search(r'class="tt" d="([^"]+)"', svg)
    assert d is not None
    pts = [(float(a), float(b)) for a, b in re.findall(r"([\d.]+),([\d.]+)", d.group(1))]
    assert len(pts) == len(r.pk.times_days)
    for (x, y), t, v in zip(pts, r.pk.times_days, r.pk.curve_ng_dl, strict=True):
        assert (x - x0) / px_day == pytest.approx(t, abs=0.006 / px_day)
        assert (y0 - y) / px == pytest.approx(v, abs=0.006 / px)
    assert svg.count('class="peak"') == 2 and svg.count('class="trough"') == 2
    assert "tt-ref" in svg and "e2-ref" in svg
