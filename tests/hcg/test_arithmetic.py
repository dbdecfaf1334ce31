"""The arithmetic layer: numbers only, no text, never raising for a dose that does not fit."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from endolab.hcg.arithmetic import MixNumbers, mix_numbers
from endolab.hcg.inputs import MixInputs, MixRequest, resolve_inputs
from endolab.hcg.results import MixResult


def _inputs(vial: str, dose: str, syringe: str = "u100-0.3", residual: str = "0") -> MixInputs:
    return resolve_inputs(
        MixRequest(vial_iu=vial, dose_iu=dose, syringe=syringe, residual_ml=residual)
    )


def test_hand_calculation() -> None:
    # 5000 IU in 3 mL: 5000/3 IU/mL; 250 IU = 0.15 mL = 15 U-100 units; floor(3 / 0.15) = 20 doses
    n = mix_numbers(_inputs("5000", "250"), Fraction(3))
    assert n.concentration_iu_per_ml == Fraction(5000, 3)
    assert (n.dose_ml, n.syringe_units, n.doses_per_vial) == (Fraction(3, 20), 15, 20)
    assert n.on_graduation and n.remainder_iu == 0


def test_no_text_in_the_numbers() -> None:
    n = mix_numbers(_inputs("5000", "250"), Fraction(3))
    texts = [f.name for f in dataclasses.fields(n) if isinstance(getattr(n, f.name), str)]
    # the only strings are catalogue keys chosen by the inputs, never messages
    assert texts == ["diluent", "suggested_syringe"]
    assert "notices" not in {f.name for f in dataclasses.fields(MixNumbers)}
    assert "notices" in {f.name for f in dataclasses.fields(MixResult)}


def test_zero_doses_is_a_number_not_an_error() -> None:
    # 1 mL holds 1000 IU/mL; a 900 IU dose is 0.9 mL, but 0.2 mL cannot be withdrawn: 0.8 mL usable
    n = mix_numbers(_inputs("1000", "900", "u100-1.0", residual="0.2"), Fraction(1))
    assert n.doses_per_vial == 0 and n.remainder_iu == 1000
