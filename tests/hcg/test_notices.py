"""The notice catalogue of docs/methods/hcg.md §5: every code present with its severity, errors carry codes."""

from __future__ import annotations

import pytest

from endolab.errors import InputError, ParseError
from endolab.hcg.notices import CATALOGUE, HcgInputError, HcgParseError, Notice, notice

# docs/methods/hcg.md §5 table, typed out from the spec (code → severity).
SPEC_CODES = {
    "E_NOT_A_NUMBER": "E",
    "E_VIAL_NOT_POSITIVE": "E",
    "E_DILUENT_NOT_POSITIVE": "E",
    "E_DOSE_NOT_POSITIVE": "E",
    "E_DOSE_EXCEEDS_VIAL": "E",
    "E_DILUENT_EXCEEDS_VIAL_CAPACITY": "E",
    "E_DOSE_BELOW_RESOLUTION": "E",
    "E_PREFILLED_SINGLE_USE": "E",
    "E_MASS_UNIT_FOR_URINARY_HCG": "E",
    "E_BUD_NOT_POSITIVE": "E",
    "E_SCHEDULE_INVALID": "E",
    "E_WEEKS_NOT_POSITIVE": "E",
    "E_PRICE_NEGATIVE": "E",
    "E_NEGATIVE_LOSS": "E",
    "E_BUD_REQUIRED": "E",
    "W_OFF_GRADUATION": "W",
    "W_LOW_PRECISION": "W",
    "W_EXCEEDS_SYRINGE_CAPACITY": "W",
    "W_BUD_CONFLICT": "W",
    "W_DEAD_SPACE_LOSS": "W",
    "W_PRESERVATIVE_FREE_DILUENT": "W",
    "W_SYRINGE_SCALE": "W",
    "I_PARTIAL_REMAINDER": "I",
    "I_POTENCY_BAND": "I",
    "I_BREAKEVEN": "I",
    "I_LABEL_ROUTE": "I",
}


def test_catalogue_matches_spec() -> None:
    assert {code: e.severity for code, e in CATALOGUE.items()} == SPEC_CODES


def test_not_a_number_is_parse_and_input_error() -> None:
    err = HcgParseError("E_NOT_A_NUMBER", "x", "bad")
    assert isinstance(err, ParseError) and isinstance(err, InputError)
    assert isinstance(err, HcgInputError)
    assert err.exit_code == 2 and err.code == "E_NOT_A_NUMBER"


def test_input_error_exit_3() -> None:
    err = HcgInputError("E_DOSE_NOT_POSITIVE", "dose_iu", "Dose must be greater than 0 IU.")
    assert err.exit_code == 3
    assert str(err) == "E_DOSE_NOT_POSITIVE: Dose must be greater than 0 IU."


def test_notice_is_frozen_and_serialisable() -> None:
    n = notice("W_SYRINGE_SCALE", "msg", x=1)
    assert isinstance(n, Notice) and n.severity == "W"
    assert n.as_dict() == {"code": "W_SYRINGE_SCALE", "severity": "W", "message": "msg"}
    with pytest.raises(AttributeError):
        n.code = "X"  # type: ignore[misc]
    with pytest.raises(TypeError):
        n.data["y"] = 2  # type: ignore[index]
