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


# Codes this project adds to the spec's catalogue (assumptions [A], docs/hcg.md): a preset whose vial
# strength conflicts with the one typed (issue 19), and a plan missing its frequency, start or weeks.
PROJECT_CODES = {"E_PRESET_CONFLICT": "E", "E_MISSING_INPUT": "E"}


def test_catalogue_matches_spec() -> None:
    assert {code: e.severity for code, e in CATALOGUE.items()} == SPEC_CODES | PROJECT_CODES


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


def test_preset_conflicting_vial_is_refused_and_a_matching_one_accepted() -> None:
    # Issue 19: a 10,000 IU vial typed beside the Novarel 5,000 preset was computed silently for one
    # of the two; the dose drawn from the other reading would be twice (or half) what is shown.
    from endolab.hcg import mix

    with pytest.raises(HcgInputError) as exc:
        mix("10000", "5", "250", preset="novarel-5000")
    assert exc.value.code == "E_PRESET_CONFLICT" and exc.value.field == "vial_iu"
    assert "5,000 IU vial" in exc.value.message and "10,000 IU" in exc.value.message
    # the same strength typed out, or none: the preset's 5,000 IU in 5 mL = 1,000 IU/mL
    assert mix("5000", "5", "250", preset="novarel-5000").concentration_iu_per_ml == 1000
    assert mix(None, "5", "250", preset="novarel-5000").concentration_iu_per_ml == 1000


def test_plan_inputs_missing_name_the_input() -> None:
    from endolab.hcg import FIELD_LABELS, check_plan_inputs

    for args, field in (
        ((None, None, None, None, "2026-01-05", "8"), "freq"),
        ((None, "4", None, None, "", "8"), "start"),
        ((None, None, "mon,thu", None, "2026-01-05", " "), "weeks"),
    ):
        with pytest.raises(HcgParseError) as exc:
            check_plan_inputs(*args, labels=FIELD_LABELS)
        assert exc.value.code == "E_MISSING_INPUT" and exc.value.field == field
        assert exc.value.exit_code == 2
    assert check_plan_inputs(None, "4", None, None, "2026-01-05", "8").interval_days == 4


def test_mix_inputs_missing_name_the_input_in_order() -> None:
    # Issue 22: the command line's "missing option" check, now the library's, for every front end.
    from endolab.hcg import FIELD_LABELS, MixRequest

    for request, needs, field, message in (
        (
            MixRequest(),
            {"diluent_ml": None},
            "vial_iu",
            "missing option --vial-iu (or give --preset)",
        ),
        (
            MixRequest("5000"),
            {"diluent_ml": None},
            "diluent_ml",
            "missing option --diluent-ml (or give --preset)",
        ),
        (MixRequest("5000"), {"diluent_ml": "2"}, "dose_iu", "missing option --dose-iu"),
        (MixRequest("5000", "250"), {"units": None}, "units", "missing option --units"),
        (
            MixRequest(dose_iu="250", preset="pregnyl-us-10000"),
            {"units": None},
            "units",
            "missing option --units",
        ),
    ):
        with pytest.raises(HcgParseError) as exc:
            request.check_required(needs)
        assert (exc.value.code, exc.value.field, exc.value.message) == (
            "E_MISSING_INPUT",
            field,
            message,
        )
        assert exc.value.exit_code == 2
        with pytest.raises(HcgParseError) as exc:
            request.check_required(needs, labels=FIELD_LABELS)
        assert exc.value.message == message.replace("--", "").replace("-", "_")
    # a preset stands in for the vial and the diluent volume, not for the dose
    MixRequest(dose_iu="250", preset="novarel-5000").check_required({"diluent_ml": None})
    MixRequest("5000", "250").check_required()  # suggestions need only the vial and the dose
    with pytest.raises(HcgInputError) as refused:  # a prefilled product is refused for what it is
        MixRequest(preset="ovidrel-250mcg").check_required({"diluent_ml": None})
    assert refused.value.code == "E_PREFILLED_SINGLE_USE"
