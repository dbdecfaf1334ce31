"""Product presets of docs/methods/hcg.md §1.3 (values typed from the spec)."""

from __future__ import annotations

from fractions import Fraction as F  # noqa: N817

import pytest

from endolab.errors import ParseError
from endolab.hcg.products import PRESETS, get_preset, normalize_diluent


def test_preset_values() -> None:
    p = PRESETS["pregnyl-us-10000"]
    assert (p.vial_iu, p.label_diluent_ml, p.bud_days, p.vial_capacity_ml) == (10000, 10, 60, 10)
    assert p.diluent == "benzyl-alcohol solvent"
    for key, iu in (("novarel-5000", 5000), ("novarel-10000", 10000)):
        p = PRESETS[key]
        assert (p.vial_iu, p.label_diluent_ml, p.bud_days, p.vial_capacity_ml) == (iu, 10, 30, 10)
        assert p.diluent == "bacteriostatic water"
    assert PRESETS["generic-fk-10000"].bud_days is None
    for key, iu in (("pregnyl-intl-1500", 1500), ("pregnyl-intl-5000", 5000)):
        p = PRESETS[key]
        assert (p.vial_iu, p.label_diluent_ml, p.diluent, p.single_dose) == (
            iu,
            F(1),
            "saline",
            True,
        )
        assert p.bud_days is None
    assert PRESETS["ovidrel-250mcg"].prefilled
    assert PRESETS["custom"].vial_iu is None


def test_every_preset_has_a_source() -> None:
    assert all(p.source for p in PRESETS.values())


def test_lookup_errors() -> None:
    with pytest.raises(ParseError):
        get_preset("pregnyl")
    with pytest.raises(ParseError):
        normalize_diluent("juice")
    assert normalize_diluent("BAC water") == "bacteriostatic water"
    assert normalize_diluent("NaCl") == "saline"


def test_review_preset_table_value_by_value() -> None:
    # docs/methods/hcg.md §1.3, typed from the spec's PRESETS block.
    generic = PRESETS["generic-fk-10000"]
    assert (generic.vial_iu, generic.label_diluent_ml, generic.vial_capacity_ml) == (10000, 10, 10)
    assert generic.diluent == "bacteriostatic water" and generic.us_label
    # ovidrel-250mcg: {prefilled: True, mcg: 250, iu_equiv: 6500, volume_ml: 0.5}
    o = PRESETS["ovidrel-250mcg"]
    assert (o.prefilled, o.mcg, o.vial_iu, o.volume_ml) == (True, 250, 6500, F(1, 2))
    # US presets carry the route note; the UK/EU ones are single-dose with no BUD default.
    assert {k for k, p in PRESETS.items() if p.us_label} == {
        "pregnyl-us-10000",
        "novarel-5000",
        "novarel-10000",
        "generic-fk-10000",
    }
    assert {k for k, p in PRESETS.items() if p.single_dose} == {
        "pregnyl-intl-1500",
        "pregnyl-intl-5000",
    }
