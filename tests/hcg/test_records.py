"""JSON records of the hCG calculator (what --json prints and the web API answers)."""

from __future__ import annotations

from endolab.hcg import (
    PRESETS,
    SYRINGES,
    Frequency,
    mix,
    plan,
    presets_record,
    result_record,
    syringe_record,
    syringes_record,
)
from endolab.hcg.products import CHECK_CARTON_NOTE
from endolab.hcg.records import PLAN_KEYS
from endolab.output import DISCLAIMER


def test_mix_record_has_null_plan_keys_notices_and_disclaimer() -> None:
    # 5000 IU in 2 mL = 2500 IU/mL; 250 IU = 0.1 mL = 10 units on a U-100 syringe (hand calculation)
    m = mix("5000", "2", "250")
    record = result_record(m)
    assert record["concentration_iu_per_ml"] == 2500.0
    assert record["syringe_units"] == 10.0
    assert all(record[key] is None for key in PLAN_KEYS)
    assert record["notices"] == [n.as_dict() for n in m.notices]
    assert record["disclaimer"] == DISCLAIMER


def test_plan_record_fills_plan_keys() -> None:
    m = mix("5000", "2", "250")
    p = plan(m, Frequency.on_weekdays("mon,thu"), start="2025-01-06", weeks="4", bud_days="28")
    record = result_record(p)
    assert record["weekly_iu"] == 500.0  # 250 IU × 2 doses/week
    assert record["disclaimer"] == DISCLAIMER


def test_syringe_record_u100_0_3() -> None:
    # U-100: 100 units/mL; 0.3 mL barrel = 30 units; smallest mark 1 unit = 0.01 mL
    s = syringe_record(SYRINGES["u100-0.3"])
    assert (s["units_per_ml"], s["capacity_units"], s["capacity_ml"]) == (100.0, 30.0, 0.3)
    assert s["graduation_units"] * 0.01 == s["ml_per_graduation"]


def test_catalogue_records() -> None:
    presets = presets_record()
    assert [p["key"] for p in presets["presets"]] == list(PRESETS)
    assert presets["note"] == CHECK_CARTON_NOTE and presets["disclaimer"] == DISCLAIMER
    syringes = syringes_record()
    assert [s["key"] for s in syringes["syringes"]] == list(SYRINGES)
    assert syringes["disclaimer"] == DISCLAIMER
