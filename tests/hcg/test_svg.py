"""Golden-image-free check of the syringe SVG: parse it and measure the plunger position."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from fractions import Fraction as F  # noqa: N817
from pathlib import Path

import pytest

from endolab.hcg import SYRINGES, mix, mix_svg, syringe_svg, write_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def by_id(root: ET.Element, ident: str) -> ET.Element:
    found = root.find(f".//*[@id='{ident}']")
    assert found is not None, ident
    return found


@pytest.mark.parametrize(
    ("vial", "diluent", "dose", "key"),
    [
        ("5000", "5", "250", "u100-0.3"),  # T01: 25 units
        ("5000", "5", "250", "u100-0.5"),
        ("10000", "1", "50", "u100-0.3-half"),  # T07: 0.5 unit, one half-unit mark
        ("10000", "10", "250", "tb-1.0"),  # T09: 0.25 mL
        ("5000", "5", "250", "u40-1.0"),  # 10 U-40 units
        ("5000", "5", "175", "u100-1.0"),  # 17.5 units: between 2-unit marks
    ],
)
def test_plunger_at_dose_volume(vial: str, diluent: str, dose: str, key: str) -> None:
    m = mix(vial, diluent, dose, key)
    root = parse(mix_svg(m))
    s = SYRINGES[key]
    ticks = root.findall(".//svg:line[@class='tick']", NS)
    # one tick per graduation from 0 to capacity
    assert len(ticks) == s.capacity_units / s.graduation_units + 1
    zero_x = float(by_id(root, "zero-line").get("x1"))
    full_x = float(by_id(root, "full-line").get("x1"))
    face_x = float(by_id(root, "plunger-face").get("x1"))
    # independent geometry: the graduated length is capacity volume / bore area (true scale, mm)
    radius = float(s.bore_mm) / 2
    assert full_x - zero_x == pytest.approx(
        float(s.capacity_ml) * 1000 / (math.pi * radius**2), abs=2e-3
    )
    # plunger face at the mark to draw to (the dose on a mark, else the nearest mark: issue 12),
    # at ml / capacity_ml along the graduated length (1 mL ↔ full scale / cap)
    at_ml = m.dose_ml if m.on_graduation else m.nearest_mark.ml
    expected = zero_x + (full_x - zero_x) * float(at_ml / s.capacity_ml)
    assert face_x == pytest.approx(expected, abs=2e-3)
    # on a mark: the face coincides with the tick whose label is the reading
    if m.on_graduation:
        tick = next(t for t in ticks if F(t.get("data-units")) == m.syringe_units)
        assert face_x == pytest.approx(float(tick.get("x1")), abs=2e-3)
    # the drawing is in mm: width "<w>mm" equals the viewBox width (1 user unit = 1 mm)
    width = root.get("width")
    assert width.endswith("mm")
    assert float(width[:-2]) == pytest.approx(float(root.get("viewBox").split()[2]))
    # numbers are in text too (accessibility), with the scale named
    title = root.find("svg:title", NS).text
    assert s.scale_name in title


def test_multi_fill_clamps_at_last_mark() -> None:
    # 500 IU at 1000 IU/mL = 50 units on a 30-unit barrel: plunger at the 30 mark, 2 fills.
    root = parse(mix_svg(mix("5000", "5", "500")))
    assert float(by_id(root, "plunger-face").get("x1")) == pytest.approx(
        float(by_id(root, "full-line").get("x1")), abs=1e-3
    )
    assert root.get("data-fills") == "2"
    assert "fill 1 of 2" in root.find("svg:title", NS).text


def test_pure_and_deterministic(tmp_path: Path) -> None:
    m = mix("5000", "5", "250")
    assert mix_svg(m) == mix_svg(m) == syringe_svg(m.syringe, m.dose_ml, caption=m.draw_line())
    out = write_svg(m, tmp_path / "s.svg")
    assert out.read_text(encoding="utf-8") == mix_svg(m)


def test_between_marks_plunger_at_the_headline_mark() -> None:
    # 17.5 units on a 1 mL U-100 barrel (2-unit marks): marks 16 (-8.6 %) and 18 (+2.9 %);
    # the headline says draw to the 18-unit mark = 0.18 mL, and the picture shows it
    m = mix("5000", "5", "175", "u100-1.0")
    root = parse(mix_svg(m))
    tick = next(
        t for t in root.findall(".//svg:line[@class='tick']", NS) if F(t.get("data-units")) == 18
    )
    assert float(by_id(root, "plunger-face").get("x1")) == pytest.approx(
        float(tick.get("x1")), abs=2e-3
    )
    assert "Draw to the 18-unit mark" in root.find("svg:title", NS).text
