"""Mixing, reverse mode and suggestions: the published vectors of docs/methods/hcg.md §6.1–§6.2, §6.4–§6.5,
plus hand calculations (arithmetic written out in the comments)."""

from __future__ import annotations

from fractions import Fraction as F  # noqa: N817

import pytest

from endolab.errors import InputError, ParseError
from endolab.hcg import mix, reverse, suggest_diluent
from endolab.hcg.mixing import suggestion_key


def codes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.code for n in result.notices]


def warnings_of(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.code for n in result.notices if n.severity == "W"]


# --- docs/methods/hcg.md §6.1 Mixing and syringe -------------------------------------------------------------------


def test_T01_basic_mix() -> None:
    # 5000 IU / 5 mL = 1000 IU/mL; /100 = 10 IU per U-100 unit; 250/1000 = 0.25 mL = 25 units;
    # 5 / 0.25 = 20 doses; (1/2)/25 = 2 %.
    r = mix("5000", "5", "250")
    assert r.concentration_iu_per_ml == 1000
    assert r.iu_per_syringe_unit == 10
    assert r.dose_ml == F(1, 4)
    assert r.syringe_units == 25
    assert r.on_graduation is True
    assert r.doses_per_vial == 20
    assert r.rel_read_err == F(2, 100)
    assert warnings_of(r) == []
    assert r.formatted()["dose_ml"] == "0.250 mL"
    assert r.formatted()["concentration"] == "1,000.0 IU/mL"


def test_T02_read_error_exactly_five_percent_is_not_a_warning() -> None:
    # 10000/2 = 5000 IU/mL; 50 IU/unit; 500/5000 = 0.1 mL = 10 units; 2/0.1 = 20 doses;
    # (1/2)/10 = 5 % exactly, threshold is "> 5 %".
    r = mix("10000", "2", "500")
    assert (r.concentration_iu_per_ml, r.iu_per_syringe_unit) == (5000, 50)
    assert (r.dose_ml, r.syringe_units, r.doses_per_vial) == (F(1, 10), 10, 20)
    assert r.rel_read_err == F(5, 100)
    assert "W_LOW_PRECISION" not in codes(r)


def test_T03_label_volume() -> None:
    # 10000/10 = 1000 IU/mL; 25 units; 10/0.25 = 40 doses.
    r = mix("10000", "10", "250")
    assert (r.concentration_iu_per_ml, r.syringe_units, r.doses_per_vial) == (1000, 25, 40)


def test_T05_thirds_are_exactly_on_the_mark() -> None:
    # 5000/3 IU/mL = 1666.67; /100 = 16.67 IU/unit; 250/(5000/3) = 0.15 mL = 15 units exactly.
    r = mix("5000", "3", "250")
    assert r.concentration_iu_per_ml == F(5000, 3)
    assert r.iu_per_syringe_unit == F(50, 3)
    assert r.dose_ml == F(3, 20)
    assert r.syringe_units == 15
    assert r.on_graduation is True
    assert "W_OFF_GRADUATION" not in codes(r)
    f = r.formatted()
    assert f["concentration"] == "1,666.7 IU/mL"
    assert f["iu_per_syringe_unit"] == "16.7 IU per U-100 unit"
    assert f["dose_ml"] == "0.150 mL"
    assert r.to_dict()["concentration_iu_per_ml"] == 1666.7


def test_T07_below_resolution_on_two_unit_barrel() -> None:
    # 10000 IU/mL; 50 IU = 0.005 mL = 0.5 unit < 2-unit mark.
    with pytest.raises(InputError) as exc:
        mix("10000", "1", "50", "u100-1.0")
    assert exc.value.code == "E_DOSE_BELOW_RESOLUTION"
    # V for 1 mark (2 units) = 2·10000/(50·100) = 4 mL
    assert "≥4.0 mL gives 2.0 units" in str(exc.value)


def test_T07_half_unit_barrel_one_mark_low_precision() -> None:
    # 0.5 unit = exactly 1 half-unit mark; read error (0.25)/0.5 = 50 %.
    r = mix("10000", "1", "50", "u100-0.3-half")
    assert r.dose_ml == F(5, 1000)
    assert r.syringe_units == F(1, 2)
    assert r.on_graduation is True
    assert r.rel_read_err == F(1, 2)
    assert "W_LOW_PRECISION" in codes(r)


def test_T07_reverse_to_ten_units_exceeds_vial() -> None:
    # 10 units = 0.1 mL of 50 IU → 500 IU/mL → 10000/500 = 20 mL > 10 mL;
    # at 10 mL: 1000 IU/mL, 50 IU = 0.05 mL = 5 units.
    with pytest.raises(InputError) as exc:
        reverse("10000", "50", "10")
    assert exc.value.code == "E_DILUENT_EXCEEDS_VIAL_CAPACITY"
    assert "5.0 units" in str(exc.value)
    assert mix("10000", "10", "50").syringe_units == 5


def test_T09_tuberculin_reads_ml() -> None:
    # 1000 IU/mL; 250 IU = 0.25 mL = 25 × 0.01 mL marks.
    r = mix("10000", "10", "250", "tb-1.0")
    assert r.dose_ml == F(1, 4)
    assert r.syringe_units == F(1, 4)  # the mL scale
    assert r.syringe_units / r.syringe.graduation_units == 25
    assert r.on_graduation is True
    assert r.formatted()["draw"] == (
        "Draw to the 0.250 mL mark on a mL-scale (tuberculin) syringe = 250.0 IU (0.250 mL)"
    )
    assert r.to_dict()["syringe_units"] == 0.25


def test_T11_float_trap_seven_units() -> None:
    # 1000 IU/mL; 70 IU = 0.07 mL = 7 units (float: 7.000000000000001);
    # floor(10/0.07) = 142 doses; 10000 − 142·70 = 10000 − 9940 = 60 IU.
    r = mix("10000", "10", "70")
    assert r.dose_ml == F(7, 100)
    assert r.syringe_units == 7
    assert r.on_graduation is True
    assert r.fills == 1
    assert r.doses_per_vial == 142
    assert r.remainder_iu == 60


def test_float_trap_029() -> None:
    # 0.29 mL dose: 290 IU at 1000 IU/mL; 0.29 × 100 = 29 units exactly (float 28.999999999999996).
    r = mix("5000", "5", "290")
    assert r.syringe_units == 29 and r.on_graduation
    assert mix(5000.0, 5.0, 290.0).syringe_units == 29  # floats go through their shortest repr


def test_T13_fills_exact_capacity_and_remainder() -> None:
    # 0.3 mL = 30 units = capacity of u100-0.3 → 1 fill; 5000/300 = 16.67 → 16 doses;
    # 5000 − 16·300 = 200 IU = 0.2 mL.
    r = mix("5000", "5", "300")
    assert (r.dose_ml, r.syringe_units, r.fills) == (F(3, 10), 30, 1)
    assert "W_EXCEEDS_SYRINGE_CAPACITY" not in codes(r)
    assert r.raw_doses == F(50, 3)
    assert r.to_dict()["raw_doses"] == 16.67
    assert r.doses_per_vial == 16
    assert (r.remainder_iu, r.remainder_ml) == (200, F(1, 5))
    assert "200.0 IU (0.200 mL) left after 16 full doses." in [n.message for n in r.notices]


def test_T15_potency_band() -> None:
    # 250 × 0.8 = 200; 250 × 1.25 = 312.5
    r = mix("5000", "5", "250")
    band = next(n for n in r.notices if n.code == "I_POTENCY_BAND")
    assert band.severity == "I"
    assert "200.0–312.5 IU" in band.message
    assert (r.potency_low_iu, r.potency_high_iu) == (200, F(625, 2))


def test_multi_fill_warning() -> None:
    # 500 IU at 1000 IU/mL = 50 units on a 30-unit barrel → ceil(50/30) = 2 fills.
    r = mix("5000", "5", "500")
    assert r.fills == 2
    n = next(n for n in r.notices if n.code == "W_EXCEEDS_SYRINGE_CAPACITY")
    assert "2 fills" in n.message


def test_off_graduation_nearest_marks() -> None:
    # 175 IU at 1000 IU/mL = 17.5 units: 17 → 170 IU (−2.857 %), 18 → 180 IU (+2.857 %): tie → lower.
    r = mix("5000", "5", "175")
    assert not r.on_graduation
    assert (r.lower_mark.units, r.lower_mark.delivered_iu) == (17, 170)
    assert (r.upper_mark.units, r.upper_mark.delivered_iu) == (18, 180)
    assert r.lower_mark.error == F(-5, 175)
    assert r.nearest_mark == r.lower_mark
    n = next(n for n in r.notices if n.code == "W_OFF_GRADUATION")
    assert "17.0 units = 170.0 IU (-2.9%)" in n.message
    assert "18.0 units = 180.0 IU (+2.9%)" in n.message
    # whole-mark volumes: V = k·1·5000/(175·100) = 2k/7 mL; multiples of 0.05 mL at k = 7, 14, …
    # (2, 4, 6 mL); 4 and 6 are equally near 5 → the smaller.
    assert n.data["try_diluent_ml"] == 4


def test_off_graduation_tie_on_two_unit_barrel() -> None:
    # 50 IU at 1000 IU/mL = 5 units on 2-unit marks: 4 → 40 IU (−20 %), 6 → 60 IU (+20 %): lower.
    r = mix("5000", "5", "50", "u100-1.0")
    assert r.nearest_mark.units == 4
    assert r.nearest_mark.error == F(-1, 5)
    assert r.rel_read_err == F(1, 5)  # (2/2)/5
    assert {"W_OFF_GRADUATION", "W_LOW_PRECISION"} <= set(codes(r))


def test_nearest_mark_upper_when_closer() -> None:
    # 178 IU at 1000 IU/mL = 17.8 units: 18 is 0.2 away, 17 is 0.8 away.
    r = mix("5000", "5", "178")
    assert r.nearest_mark.units == 18


def test_u40_scale() -> None:
    # 1000 IU/mL on U-40: 1000/40 = 25 IU/unit; 250 IU = 0.25 mL = 10 U-40 units.
    r = mix("5000", "5", "250", "u40-1.0")
    assert (r.iu_per_syringe_unit, r.syringe_units) == (25, 10)
    assert "W_SYRINGE_SCALE" in codes(r)
    assert r.label_line().endswith("= 25 IU per U-40 unit")


def test_displacement_changes_concentration() -> None:
    # 5 mL + 0.1 mL = 5.1 mL; 5000/5.1 = 980.39 IU/mL; 250 IU = 0.255 mL = 25.5 units (off mark);
    # floor(5.1/0.255) = 20 doses.
    r = mix("5000", "5", "250", displacement_ml="0.1")
    assert r.solution_ml == F(51, 10)
    assert r.concentration_iu_per_ml == F(50000, 51)
    assert r.syringe_units == F(51, 2)
    assert not r.on_graduation
    assert r.doses_per_vial == 20


def test_T31_vial_residual() -> None:
    # floor((5 − 0.1)/0.25) = floor(19.6) = 19; 5000 − 19·250 = 250 IU.
    r = mix("5000", "5", "250", residual_ml="0.1")
    assert r.doses_per_vial == 19
    n = next(n for n in r.notices if n.code == "I_PARTIAL_REMAINDER")
    assert n.message.startswith("250.0 IU (0.250 mL)")
    # split: residual 0.1 mL × 1000 = 100 IU; leftover (4.9 − 19·0.25) = 0.15 mL = 150 IU
    assert (r.residual_loss_iu, r.leftover_iu, r.dead_space_loss_iu) == (100, 150, 0)


def test_dead_space_loss() -> None:
    # per draw 0.25 + 0.05 = 0.3 mL; floor(5/0.3) = 16 doses (20 without dead space);
    # 0.05/0.25 = 20 % > 10 %; 0.05 mL × 1000 = 50 IU per injection.
    r = mix("5000", "5", "250", dead_space_ml="0.05")
    assert r.per_draw_ml == F(3, 10)
    assert r.doses_per_vial == 16
    n = next(n for n in r.notices if n.code == "W_DEAD_SPACE_LOSS")
    assert "50.0 IU per injection (20.0% of each dose)" in n.message
    assert "from 20 to 16" in n.message
    # 16 · 0.05 mL · 1000 = 800 IU dead space; 5 − 16·0.3 = 0.2 mL = 200 IU left
    assert (r.dead_space_loss_iu, r.leftover_iu, r.remainder_iu) == (800, 200, 1000)


def test_dead_space_at_ten_percent_is_not_a_warning() -> None:
    # 0.025/0.25 = 10 % exactly; trigger is "> 10 %".
    assert "W_DEAD_SPACE_LOSS" not in codes(mix("5000", "5", "250", dead_space_ml="0.025"))


def test_label_line_and_presets() -> None:
    r = mix(preset="novarel-5000", dose_iu="250", diluent_ml="5")
    assert r.label_line() == (
        "hCG 5,000 IU + 5.0 mL bacteriostatic water = 1,000 IU/mL = 10 IU per U-100 unit"
    )
    assert "I_LABEL_ROUTE" in codes(r)
    # the preset fills the label diluent volume (10 mL) when none is given
    assert mix(preset="pregnyl-us-10000", dose_iu="250").diluent_ml == 10


def test_preservative_free_diluent_in_mix() -> None:
    r = mix(preset="novarel-5000", diluent_ml="5", dose_iu="250", diluent="sterile water")
    assert "W_PRESERVATIVE_FREE_DILUENT" in codes(r)
    assert "30-day" in next(n.message for n in r.notices if n.code == "W_PRESERVATIVE_FREE_DILUENT")


def test_results_are_immutable() -> None:
    r = mix("5000", "5", "250")
    with pytest.raises(AttributeError):
        r.dose_ml = F(1)  # type: ignore[misc]


# --- docs/methods/hcg.md §6.5 Bad inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["abc", "", "NaN", "inf", "-inf", "1,5", float("nan"), float("inf")]
)
def test_T33_not_a_number(raw: object) -> None:
    with pytest.raises(ParseError) as exc:
        mix("5000", raw, "250")  # type: ignore[arg-type]
    assert exc.value.code == "E_NOT_A_NUMBER"
    assert exc.value.exit_code == 2
    assert exc.value.field == "diluent_ml"
    assert isinstance(exc.value, InputError)  # also an HcgInputError


@pytest.mark.parametrize("dose", ["0", "-250"])
def test_T35_dose_not_positive(dose: str) -> None:
    with pytest.raises(InputError) as exc:
        mix("5000", "5", dose)
    assert exc.value.code == "E_DOSE_NOT_POSITIVE" and exc.value.exit_code == 3


def test_T37_diluent_exceeds_capacity() -> None:
    with pytest.raises(InputError) as exc:
        mix("10000", "12", "250", vial_capacity_ml="10")
    assert exc.value.code == "E_DILUENT_EXCEEDS_VIAL_CAPACITY"
    assert str(exc.value).endswith("12.0 mL will not fit in a 10.0 mL vial; maximum is 10.0 mL.")


def test_capacity_includes_displacement_and_equal_is_allowed() -> None:
    assert mix("10000", "10", "250").solution_ml == 10
    with pytest.raises(InputError) as exc:
        mix("10000", "10", "250", displacement_ml="0.05")
    assert exc.value.code == "E_DILUENT_EXCEEDS_VIAL_CAPACITY"


def test_T39_mass_unit_with_novarel() -> None:
    with pytest.raises(InputError) as exc:
        mix(preset="novarel-5000", diluent_ml="5", dose_iu="56 mcg")
    assert exc.value.code == "E_MASS_UNIT_FOR_URINARY_HCG"
    assert exc.value.exit_code == 3


def test_prefilled_rejected() -> None:
    with pytest.raises(InputError) as exc:
        mix(preset="ovidrel-250mcg", dose_iu="250", diluent_ml="1")
    assert exc.value.code == "E_PREFILLED_SINGLE_USE"
    with pytest.raises(InputError) as exc:
        mix("5000", "5", "250", prefilled=True)
    assert exc.value.code == "E_PREFILLED_SINGLE_USE"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"vial_iu": "0"}, "E_VIAL_NOT_POSITIVE"),
        ({"vial_iu": "-5000"}, "E_VIAL_NOT_POSITIVE"),
        ({"diluent_ml": "0"}, "E_DILUENT_NOT_POSITIVE"),
        ({"diluent_ml": "-1"}, "E_DILUENT_NOT_POSITIVE"),
        ({"dose_iu": "6000"}, "E_DOSE_EXCEEDS_VIAL"),
        ({"residual_ml": "4.9"}, "E_DOSE_EXCEEDS_VIAL"),  # 0.1 mL withdrawable < 0.25 mL
        ({"dead_space_ml": "-0.01"}, "E_NEGATIVE_LOSS"),
        ({"residual_ml": "-0.1"}, "E_NEGATIVE_LOSS"),
        ({"displacement_ml": "-0.1"}, "E_NEGATIVE_LOSS"),
    ],
)
def test_error_codes(kwargs: dict[str, str], code: str) -> None:
    args = {"vial_iu": "5000", "diluent_ml": "5", "dose_iu": "250"} | kwargs
    with pytest.raises(InputError) as exc:
        mix(**args)
    assert exc.value.code == code
    assert exc.value.exit_code == 3


def test_dose_equal_to_vial_is_one_dose() -> None:
    assert mix("5000", "1", "5000", "u100-1.0").doses_per_vial == 1


def test_unknown_syringe_is_parse_error() -> None:
    with pytest.raises(ParseError, match=r"u100-0\.3-half"):
        mix("5000", "5", "250", "u100-9")


# --- docs/methods/hcg.md §6.2 Reverse mode and suggestions -----------------------------------------------------------


@pytest.mark.parametrize(("units", "ml"), [("25", 5), ("20", 4)])
def test_T17_reverse(units: str, ml: int) -> None:
    # V = units · 5000 / (250 · 100)
    r = reverse("5000", "250", units)
    assert r.diluent_ml == ml
    assert r.mix.syringe_units == int(units)


def test_T19_reverse_u40() -> None:
    # V = 10 · 5000 / (250 · 40) = 5 mL
    assert reverse("5000", "250", "10", "u40-1.0").diluent_ml == 5


def test_reverse_with_displacement_and_limits() -> None:
    # V = 25·5000/(250·100) − 0.1 = 4.9 mL
    assert reverse("5000", "250", "25", displacement_ml="0.1").diluent_ml == F(49, 10)
    # exactly at capacity is allowed: 50 units → 10 mL
    assert reverse("5000", "250", "50", "u100-0.5").diluent_ml == 10
    with pytest.raises(InputError) as exc:
        reverse("5000", "250", "0.5")
    assert exc.value.code == "E_DOSE_BELOW_RESOLUTION"
    with pytest.raises(InputError) as exc:
        reverse("5000", "250", "1", displacement_ml="0.5")  # 0.2 − 0.5 < 0
    assert exc.value.code == "E_DILUENT_NOT_POSITIVE"


def test_suggestion_ranking_by_hand() -> None:
    # 5000 IU, 250 IU, u100-0.3, V = 0.5 … 10 by 0.5: units = 5·V.
    # Kept: 1 ≤ 5V ≤ 30 → V ≤ 6. On a mark: whole V (V = 1…6).
    # Read error ≤ 5 %: 5V ≥ 10 → V ≥ 2. Integer IU/unit (= 50/V): V = 2 (25), V = 5 (10).
    # Then read error ascending: V = 5 (2 %) before V = 2 (5 %); then non-integer IU/unit
    # V = 6 (1.67 %), 4 (2.5 %), 3 (3.33 %); then V = 1 (on mark, 10 %); then the off-mark ones,
    # V = 2.5 … 5.5 (read error ≤ 5 %) led by V = 2.5 (50/2.5 = 20 IU/unit, an integer), then by
    # read error: 5.5 (1.82 %), 4.5 (2.22 %).
    res = suggest_diluent("5000", "250", top=9)
    assert [s.diluent_ml for s in res.suggestions] == [5, 2, 6, 4, 3, 1, F(5, 2), F(11, 2), F(9, 2)]
    keys = [suggestion_key(s.mix) for s in res.suggestions]
    assert keys == sorted(keys)
    assert res.suggestions[0].mix.label_line().startswith("hCG 5,000 IU + 5.0 mL")


def test_suggestion_multi_fill_and_step() -> None:
    # 1000 IU dose in a 5000 IU vial on u100-0.3: units = 20·V; only V ≤ 1.5 fit one fill.
    res = suggest_diluent("5000", "1000", step_ml="0.25", top=20)
    assert max(s.diluent_ml for s in res.suggestions) == F(3, 2)
    res2 = suggest_diluent("5000", "1000", allow_multi_fill=True, top=100)
    assert max(s.diluent_ml for s in res2.suggestions) == 10


def test_suggestion_nothing_measurable() -> None:
    # 10 IU in 10000 IU: even at 10 mL → 1 IU/unit … 10 IU = 0.01 mL = 1 unit on u100-1.0 (< 2).
    with pytest.raises(InputError) as exc:
        suggest_diluent("10000", "10", "u100-1.0")
    assert exc.value.code == "E_DOSE_BELOW_RESOLUTION"


def test_suggestion_nothing_fits_one_fill() -> None:
    # 5000 IU dose in a 5000 IU vial: 0.5 mL minimum → 50 units > 30 → empty + warning.
    res = suggest_diluent("5000", "5000")
    assert res.suggestions == ()
    assert [n.code for n in res.notices] == ["W_EXCEEDS_SYRINGE_CAPACITY"]


def test_suggestion_bud_conflict_note() -> None:
    from endolab.hcg import Frequency

    res = suggest_diluent("5000", "250", frequency=Frequency.per_week(2), bud_days=30)
    n = next(n for n in res.notices if n.code == "W_BUD_CONFLICT")
    assert "No diluent volume fixes this" in n.message


def test_first_failure_follows_catalogue_order() -> None:
    # diluent 0 and dose > vial: E_DILUENT_NOT_POSITIVE comes first in docs/methods/hcg.md §5.
    with pytest.raises(InputError) as exc:
        mix("5000", "0", "6000")
    assert exc.value.code == "E_DILUENT_NOT_POSITIVE"
    # a parse error beats a range error
    with pytest.raises(ParseError):
        mix("0", "abc", "250")


def test_graduation_override_for_u40() -> None:
    # docs/methods/hcg.md §7 item 3: U-40 graduations vary. Half-unit U-40 barrel: 1000 IU/mL, 250 IU = 0.25 mL
    # = 10 U-40 units; read error (0.5/2)/10 = 2.5 %; a mark is 0.5/40 = 0.0125 mL.
    r = mix("5000", "5", "250", "u40-1.0", graduation_units="0.5")
    assert r.syringe.graduation_units == F(1, 2)
    assert r.syringe.ml_per_graduation == F(1, 80)
    assert r.rel_read_err == F(1, 40)
    for bad in ("0", "-1", "0.3"):  # 40 / 0.3 is not a whole number of marks
        with pytest.raises(InputError):
            mix("5000", "5", "250", "u40-1.0", graduation_units=bad)


# --- Review vectors (hand-computed from docs/methods/hcg.md §2, §3.2, §3.3, §5; one block per acceptance area) --


def test_review_multi_fill_350_iu_on_thirty_unit_barrel() -> None:
    # 5000 IU / 5 mL = 1000 IU/mL; 350/1000 = 0.35 mL = 35 U-100 units > 30 → fills = ceil(35/30) = 2.
    # floor(5/0.35) = floor(14.29) = 14 doses; remainder 5000 − 14·350 = 100 IU = 0.100 mL.
    r = mix("5000", "5", "350")
    assert (r.syringe_units, r.fills, r.doses_per_vial, r.remainder_iu) == (35, 2, 14, 100)
    assert r.on_graduation and r.rel_read_err == F(1, 70)  # (1/2)/35
    assert codes(r) == ["W_EXCEEDS_SYRINGE_CAPACITY", "I_PARTIAL_REMAINDER", "I_POTENCY_BAND"]
    n = next(n for n in r.notices if n.code == "I_PARTIAL_REMAINDER")
    assert n.message == "100.0 IU (0.100 mL) left after 14 full doses."


def test_review_multi_fill_four_fills_and_exact_capacity() -> None:
    # 10000/10 = 1000 IU/mL; 1000 IU = 1 mL = 100 units: ceil(100/30) = 4 fills on u100-0.3 …
    r = mix("10000", "10", "1000")
    assert (r.fills, r.doses_per_vial, r.remainder_iu) == (4, 10, 0)
    w = next(n for n in r.notices if n.code == "W_EXCEEDS_SYRINGE_CAPACITY")
    assert (
        w.message
        == "Dose needs 100.0 units but this syringe holds 30.0; use a larger barrel or 4 fills."
    )
    # … exactly the 100-unit capacity of u100-1.0: ceil(100/100) = 1 fill, no warning.
    r1 = mix("10000", "10", "1000", "u100-1.0")
    assert r1.fills == 1 and "W_EXCEEDS_SYRINGE_CAPACITY" not in codes(r1)
    # tuberculin: 1500 IU = 1.5 mL on a 1 mL barrel → ceil(1.5/1) = 2 fills; floor(10/1.5) = 6 doses.
    t = mix("10000", "10", "1500", "tb-1.0")
    assert (t.fills, t.doses_per_vial, t.remainder_iu) == (2, 6, 1000)
    assert "W_EXCEEDS_SYRINGE_CAPACITY" in codes(t)


def test_review_tie_on_whole_unit_barrel_goes_to_lower_mark() -> None:
    # 5000/3.5 = 10000/7 IU/mL; 250 IU = 250·7/10000 = 0.175 mL = 17.5 units (between 17 and 18).
    # 17 units = 17·(100/7) = 1700/7 = 242.857 IU → (1700/7 − 250)/250 = −1/35 = −2.857 %;
    # 18 units = 1800/7 = 257.143 IU → +1/35. |errors| equal → LOWER mark (17).
    r = mix("5000", "3.5", "250")
    assert not r.on_graduation
    assert (r.lower_mark.units, r.lower_mark.delivered_iu, r.lower_mark.error) == (
        17,
        F(1700, 7),
        F(-1, 35),
    )
    assert (r.upper_mark.units, r.upper_mark.delivered_iu, r.upper_mark.error) == (
        18,
        F(1800, 7),
        F(1, 35),
    )
    assert r.nearest_mark == r.lower_mark
    # whole-mark volumes V = k·1·5000/(250·100) = 0.2k mL: 3.4 and 3.6 equally near 3.5 → 3.4.
    n = next(n for n in r.notices if n.code == "W_OFF_GRADUATION")
    assert n.message == (
        "17.5 units falls between marks. 17.0 units = 242.9 IU (-2.9%), 18.0 units = 257.1 IU "
        "(+2.9%). Try 3.4 mL diluent for an exact mark."
    )
    # The half-unit barrel reads 17.5 exactly (35 half-unit marks); error (0.5/2)/17.5 = 1/70.
    h = mix("5000", "3.5", "250", "u100-0.3-half")
    assert h.on_graduation and h.rel_read_err == F(1, 70)
    assert warnings_of(h) == []


def test_review_tie_on_two_unit_barrel_without_low_precision() -> None:
    # 1000 IU/mL, 250 IU = 25 units on 2-unit marks: 24 → 240 IU (−4 %), 26 → 260 IU (+4 %) → 24.
    # Reading error (2/2)/25 = 4 % ≤ 5 % → no W_LOW_PRECISION. Whole-mark V = k·2·5000/25000 = 0.4k:
    # 4.8 and 5.2 both 0.2 from 5 → 4.8.
    r = mix("5000", "5", "250", "u100-1.0")
    assert (r.nearest_mark.units, r.nearest_mark.delivered_iu, r.nearest_mark.error) == (
        24,
        240,
        F(-1, 25),
    )
    assert r.rel_read_err == F(1, 25)
    assert warnings_of(r) == ["W_OFF_GRADUATION"]
    assert next(n for n in r.notices if n.code == "W_OFF_GRADUATION").data["try_diluent_ml"] == F(
        24, 5
    )
    # 5000/3 IU/mL: 15 units on 2-unit marks → 14 (700/3 = 233.3 IU, −1/15) vs 16 (+1/15): 14;
    # (2/2)/15 = 6.67 % > 5 % → W_LOW_PRECISION too.
    r2 = mix("5000", "3", "250", "u100-1.0")
    assert (r2.nearest_mark.units, r2.nearest_mark.delivered_iu) == (14, F(700, 3))
    assert warnings_of(r2) == ["W_OFF_GRADUATION", "W_LOW_PRECISION"]


def test_review_tie_on_half_unit_barrel() -> None:
    # 10000/5.1 IU/mL = 1000/51 IU per unit; 250 IU = 250·5.1/10000·100 = 12.75 units, between the
    # half-unit marks 12.5 and 13.0 (0.25 each side) → lower: 12.5·1000/51 = 12500/51 = 245.098 IU,
    # error (12500/51 − 250)/250 = −1/51 = −1.96 %. Reading error (0.5/2)/12.75 = 1/51.
    r = mix("10000", "5.1", "250", "u100-0.3-half")
    assert r.syringe_units == F(51, 4)
    assert (r.nearest_mark.units, r.nearest_mark.delivered_iu) == (F(25, 2), F(12500, 51))
    assert r.nearest_mark.error == F(-1, 51) and r.upper_mark.error == F(1, 51)
    assert r.rel_read_err == F(1, 51)
    assert (
        r.formatted()["syringe_units"] == "12.8 units on a U-100 syringe"
    )  # 12.75 → 1 dp, half up
    assert warnings_of(r) == ["W_OFF_GRADUATION"]


def test_review_u40_scale_vectors() -> None:
    # 1000 IU/mL ÷ 40 = 25 IU per U-40 unit; 250 IU = 0.25 mL = 0.25·40 = 10 units; error 0.5/10 =
    # exactly 5 % → no W_LOW_PRECISION; W_SYRINGE_SCALE always on U-40.
    r = mix("5000", "5", "250", "u40-1.0")
    assert (r.iu_per_syringe_unit, r.syringe_units, r.rel_read_err) == (25, 10, F(1, 20))
    assert warnings_of(r) == ["W_SYRINGE_SCALE"]
    w = next(n for n in r.notices if n.code == "W_SYRINGE_SCALE")
    assert (
        w.message
        == "U-40 syringe: 1 unit = 0.025 mL. Do not use U-100 unit numbers on this barrel."
    )
    # u40-0.5 holds 20 units: 600 IU = 0.6 mL = 24 units → 2 fills; floor(10/0.6) = 16 doses,
    # 10000 − 16·600 = 400 IU left.
    r2 = mix("10000", "10", "600", "u40-0.5")
    assert (r2.syringe_units, r2.fills, r2.doses_per_vial, r2.remainder_iu) == (24, 2, 16, 400)
    assert {"W_EXCEEDS_SYRINGE_CAPACITY", "W_SYRINGE_SCALE"} <= set(codes(r2))
    # 260 IU = 0.26 mL = 10.4 U-40 units: 10 → 250 IU (−1/26 = −3.8 %), 11 → 275 IU (+5.8 %) → 10;
    # error 0.5/10.4 = 5/104 = 4.8 % → no W_LOW_PRECISION; floor(5/0.26) = 19 doses, 60 IU left.
    r3 = mix("5000", "5", "260", "u40-1.0")
    assert r3.syringe_units == F(52, 5) and r3.nearest_mark.units == 10
    assert r3.nearest_mark.error == F(-1, 26) and r3.rel_read_err == F(5, 104)
    assert (r3.doses_per_vial, r3.remainder_iu) == (19, 60)
    assert warnings_of(r3) == ["W_OFF_GRADUATION", "W_SYRINGE_SCALE"]


def test_review_displacement_adds_to_solution() -> None:
    # 4.9 mL + 0.1 mL displacement = 5.0 mL solution → 1000 IU/mL, 25 units, 20 doses.
    r = mix("5000", "4.9", "250", displacement_ml="0.1")
    assert (r.solution_ml, r.concentration_iu_per_ml, r.syringe_units, r.doses_per_vial) == (
        5,
        1000,
        25,
        20,
    )
    # 9.9 + 0.1 = 10.0 mL = capacity (allowed): 10000/10 → 40 doses; 9.95 + 0.1 = 10.05 > 10 → E.
    assert mix("10000", "9.9", "250", displacement_ml="0.1").doses_per_vial == 40
    with pytest.raises(InputError) as exc:
        mix("10000", "9.95", "250", displacement_ml="0.1")
    assert exc.value.code == "E_DILUENT_EXCEEDS_VIAL_CAPACITY"
    assert str(exc.value).endswith("10.05 mL will not fit in a 10.0 mL vial; maximum is 10.0 mL.")


def test_review_reverse_subtracts_displacement_and_limits() -> None:
    # V = 25·10000/(250·100) − 0.2 = 10 − 0.2 = 9.8 mL; 9.8 + 0.2 = 10 = capacity → allowed.
    assert reverse("10000", "250", "25", displacement_ml="0.2").diluent_ml == F(49, 5)
    # 26 units: 26·10000/25000 = 10.4 mL > 10 → E; at 10 mL the dose is 250/1000·100 = 25 units.
    with pytest.raises(InputError) as exc:
        reverse("10000", "250", "26")
    assert exc.value.code == "E_DILUENT_EXCEEDS_VIAL_CAPACITY"
    assert "At the 10.0 mL maximum the dose is 25.0 units." in str(exc.value)
    # 1 unit on u100-1.0 (2-unit marks) is below one mark.
    with pytest.raises(InputError) as exc:
        reverse("10000", "250", "1", "u100-1.0")
    assert exc.value.code == "E_DOSE_BELOW_RESOLUTION"
    # U-40: V = 8·5000/(250·40) = 4 mL; tuberculin 0.25 mL: V = 0.25·10000/(250·1) = 10 mL.
    assert reverse("5000", "250", "8", "u40-1.0").diluent_ml == 4
    assert reverse("10000", "250", "0.25", "tb-1.0").diluent_ml == 10
    # 40 units on a 30-unit barrel: V = 40·5000/25000 = 8 mL, then 2 fills (a warning, not an error).
    r = reverse("5000", "250", "40")
    assert r.diluent_ml == 8 and r.mix.fills == 2
    assert "W_EXCEEDS_SYRINGE_CAPACITY" in codes(r)


def test_review_full_suggestion_ranking_default_grid() -> None:
    # Defaults: step 0.5, min = one step (0.5), max = capacity 10 mL. units = 250·100·V/5000 = 5V;
    # 1 ≤ 5V ≤ 30 keeps V = 0.5 … 6 (12 volumes). Key (off, err>5 %, IU/unit non-integer, err, V):
    #   V=5 (F,F,F,2 %) V=2 (F,F,F,5 %) | V=6 (F,F,T,1.67 %) V=4 (2.5 %) V=3 (3.33 %) |
    #   V=1 (F,T,F,10 %) | off-mark: V=2.5 (T,F,F,4 %; 50/2.5 = 20 IU/unit) | V=5.5 (T,F,T,1.82 %)
    #   V=4.5 (2.22 %) V=3.5 (2.86 %) | V=0.5 (T,T,F,20 %; 100 IU/unit) | V=1.5 (T,T,T,6.67 %).
    res = suggest_diluent("5000", "250", top=20)
    assert [s.diluent_ml for s in res.suggestions] == [
        5,
        2,
        6,
        4,
        3,
        1,
        F(5, 2),
        F(11, 2),
        F(9, 2),
        F(7, 2),
        F(1, 2),
        F(3, 2),
    ]
    assert [s.rank for s in res.suggestions] == list(range(1, 13))
    # default top-N is 5
    assert [s.diluent_ml for s in suggest_diluent("5000", "250").suggestions] == [5, 2, 6, 4, 3]


def test_review_suggestion_ranking_two_unit_barrel() -> None:
    # 10000 IU, 250 IU, u100-1.0: units = 2.5V; ≥ 2 units needs V ≥ 0.8 → V = 1.0 … 10.
    # On a mark (even units): V = 4 (10 units, err 10 %, 100/4 = 25 IU/unit) and V = 8 (20 units,
    # err 5 %, 12.5 IU/unit). Key 2 (precision) beats key 3 (integer IU/unit): 8 before 4.
    # Off-mark with err 1/(2.5V) ≤ 5 % (V ≥ 8): V = 10 (10 IU/unit, integer) first, then by error
    # 9.5 (4.21 %), 9 (4.44 %), 8.5 (4.71 %); then V = 5 (T,T,F: 20 IU/unit) ahead of the rest.
    res = suggest_diluent("10000", "250", "u100-1.0", top=7)
    assert [s.diluent_ml for s in res.suggestions] == [8, 4, 10, F(19, 2), 9, F(17, 2), 5]


def test_review_suggestion_multi_fill_allowed() -> None:
    # allow_multi_fill keeps V = 6.5 … 10 too. On-mark, precise, integer IU/unit (50/V): V = 10
    # (50 units, 1 %), 5 (2 %), 2 (5 %); then non-integer by error: 9 (1.11 %), 8 (1.25 %).
    res = suggest_diluent("5000", "250", allow_multi_fill=True)
    assert [s.diluent_ml for s in res.suggestions] == [10, 5, 2, 9, 8]
    assert res.suggestions[0].mix.fills == 2  # ceil(50/30)


def test_review_dead_space_per_draw_and_remainder_split() -> None:
    # per_draw = 0.25 + 0.05 = 0.3 mL; floor(5/0.3) = 16; remainder 5000 − 16·250 = 1000 IU =
    # dead space 16·0.05·1000 = 800 + leftover (5 − 4.8)·1000 = 200.
    r = mix("5000", "5", "250", dead_space_ml="0.05")
    assert codes(r) == ["W_DEAD_SPACE_LOSS", "I_PARTIAL_REMAINDER", "I_POTENCY_BAND"]
    # 0.025/0.25 = 10 % exactly → no warning; per draw 0.275 → floor(5/0.275) = floor(18.18) = 18.
    r2 = mix("5000", "5", "250", dead_space_ml="0.025")
    assert r2.doses_per_vial == 18 and "W_DEAD_SPACE_LOSS" not in codes(r2)
    # dead space + residual: floor((5 − 0.1)/0.3) = floor(16.33) = 16; 0.1 mL residual = 100 IU;
    # leftover (4.9 − 4.8)·1000 = 100 IU; dead space 800 IU; total 1000 IU.
    r3 = mix("5000", "5", "250", dead_space_ml="0.05", residual_ml="0.1")
    assert r3.doses_per_vial == 16
    assert (r3.dead_space_loss_iu, r3.residual_loss_iu, r3.leftover_iu) == (800, 100, 100)


def test_review_dose_exceeds_vial_by_per_draw() -> None:
    # 1000 IU in 0.5 mL: 500 IU = 0.25 mL, but per draw 0.25 + 0.3 dead space = 0.55 mL > 0.5 mL
    # withdrawable → E_DOSE_EXCEEDS_VIAL although dose < vial. Equal (0.25 + 0.25 = 0.5) → 1 dose.
    with pytest.raises(InputError) as exc:
        mix("1000", "0.5", "500", dead_space_ml="0.3")
    assert exc.value.code == "E_DOSE_EXCEEDS_VIAL"
    assert mix("1000", "0.5", "500", dead_space_ml="0.25").doses_per_vial == 1
    # per draw 0.25 > 5 − 4.8 = 0.2 withdrawable (residual) → E_DOSE_EXCEEDS_VIAL.
    with pytest.raises(InputError) as exc:
        mix("5000", "5", "250", residual_ml="4.8")
    assert exc.value.code == "E_DOSE_EXCEEDS_VIAL"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"vial_iu": "abc"}, "E_NOT_A_NUMBER"),
        ({"dose_iu": "nan"}, "E_NOT_A_NUMBER"),
        ({"vial_iu": "-1"}, "E_VIAL_NOT_POSITIVE"),
        ({"diluent_ml": "-0.5"}, "E_DILUENT_NOT_POSITIVE"),
        ({"dose_iu": "-1"}, "E_DOSE_NOT_POSITIVE"),
        ({"dose_iu": "5000.1"}, "E_DOSE_EXCEEDS_VIAL"),  # > 5000 by 0.1 IU
        ({"diluent_ml": "10.001"}, "E_DILUENT_EXCEEDS_VIAL_CAPACITY"),
        ({"diluent_ml": "5", "vial_capacity_ml": "4.99"}, "E_DILUENT_EXCEEDS_VIAL_CAPACITY"),
        # 10 IU at 1000 IU/mL = 0.01 mL = 1 unit < 2-unit mark of u100-1.0
        ({"dose_iu": "10", "syringe": "u100-1.0"}, "E_DOSE_BELOW_RESOLUTION"),
        # 0.4 IU = 0.0004 mL < 0.01 mL tuberculin mark
        ({"dose_iu": "0.4", "syringe": "tb-1.0"}, "E_DOSE_BELOW_RESOLUTION"),
        ({"prefilled": True}, "E_PREFILLED_SINGLE_USE"),
        ({"vial_iu": "5 mg"}, "E_MASS_UNIT_FOR_URINARY_HCG"),
        ({"dose_iu": "10 µg"}, "E_MASS_UNIT_FOR_URINARY_HCG"),
        ({"dead_space_ml": "-0.001"}, "E_NEGATIVE_LOSS"),
    ],
)
def test_review_error_code_triggers(kwargs: dict[str, object], code: str) -> None:
    args: dict[str, object] = {"vial_iu": "5000", "diluent_ml": "5", "dose_iu": "250"} | kwargs
    with pytest.raises(InputError) as exc:
        mix(**args)  # type: ignore[arg-type]
    assert exc.value.code == code


def test_review_one_graduation_is_measurable() -> None:
    # 20 IU at 1000 IU/mL = 0.02 mL = 2 units = exactly one mark on u100-1.0 → measurable;
    # error (2/2)/2 = 50 % → W_LOW_PRECISION.
    r = mix("5000", "5", "20", "u100-1.0")
    assert r.on_graduation and r.rel_read_err == F(1, 2)
    assert "W_LOW_PRECISION" in codes(r)


def test_review_suggestion_errors_name_the_real_cause() -> None:
    # 5000 IU, 250 IU on u100-1.0: units = 5V ≥ 2.5 ≥ one 2-unit mark for every V ≥ 0.5 mL, and
    # ≤ 50 ≤ 100 capacity. Residual 9.9 mL: withdrawable V − 9.9 < 0 for V < 9.9; at V = 10 it is
    # 0.1 mL < one draw of 250/500 = 0.5 mL. So every volume fails with E_DOSE_EXCEEDS_VIAL, and
    # that is the error to report (not E_DOSE_BELOW_RESOLUTION).
    with pytest.raises(InputError) as exc:
        suggest_diluent("5000", "250", "u100-1.0", residual_ml="9.9")
    assert exc.value.code == "E_DOSE_EXCEEDS_VIAL"
    # an empty range (min above max) is named as such
    with pytest.raises(InputError) as exc:
        suggest_diluent("5000", "250", min_ml="8", max_ml="6")
    assert exc.value.field == "min_ml"


def test_headline_names_marks_that_exist_on_the_barrel() -> None:
    # issue 12. 1,000 IU/mL, 10 IU per U-100 unit, whole-unit marks on a 30-unit barrel.
    # 210 IU at 2,000 IU/mL = 10.5 units: marks 10 (200 IU, −4.8 %) and 11 (220 IU, +4.8 %); a tie
    # keeps the lower mark.
    between = mix("5000", "2.5", "210").draw_line()
    assert between.startswith("Draw to the 10-unit mark on a U-100 syringe = 200.0 IU (-4.8 %")
    assert between.endswith("exactly 10.5 units = 0.105 mL falls between marks")
    # 505 IU = 50.5 units > 30: two fills, a full barrel (30) then the nearest mark of the rest
    # (50 − 30 = 20 units; 500 IU, −1.0 %)
    two = mix("5000", "5", "505").draw_line()
    assert two.startswith(
        "Draw in 2 fills on a U-100 syringe: to the 30-unit mark, then to the 20-unit mark = 500.0 IU"
    )


def test_one_request_object_passed_through_every_mode() -> None:
    # issue 22: the shared inputs travel as one MixRequest. Hand calculation: 5,000 IU in 3 mL is
    # 5000/3 IU/mL; 250 IU is 0.15 mL = 15 U-100 units; 25 units for 250 IU means 0.25 mL per dose,
    # i.e. 1000 IU/mL, i.e. 5 mL of diluent.
    from fractions import Fraction

    from endolab.hcg import MixRequest, mix_request, reverse_request, suggest_request

    options = {"vial_iu": "5000", "dose_iu": "250", "syringe": "u100-0.3", "json_out": False}
    request = MixRequest.from_fields(options)  # a command's options by name; others ignored
    assert request == MixRequest("5000", "250")
    assert mix_request(request, "3").syringe_units == Fraction(15)
    assert reverse_request(request, "25").diluent_ml == Fraction(5)
    assert suggest_request(request, top=1).suggestions[0].diluent_ml == Fraction(5)
    wet = MixRequest.from_fields({**options, "dead_space_ml": "0.05"})
    assert mix_request(wet, "3").dead_space_ml == Fraction(1, 20)
