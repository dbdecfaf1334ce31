"""Protocol TOML files: the shipped ones load, a bad field is an InputError naming it."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from endolab.errors import InputError
from endolab.trial.protocol import BUILTIN_PROTOCOLS, load_protocol


def _default_text() -> str:
    return resources.files("endolab.trial.protocols").joinpath("zimislecel-2025.toml").read_text()


def test_default_protocol_encodes_trial_data_md() -> None:
    p = load_protocol()
    ep = p.endpoints
    # docs/methods/trial.md §4.2 (endpoint definitions)
    assert ep["she_free_90_365"].window == (90, 365)
    assert ep["hba1c_response_180_365"].model_dump() == {
        "label": ep["hba1c_response_180_365"].label,
        "window": (180, 365),
        "kind": "hba1c_response",
        "below_pct": 7.0,
        "fall_pct": 1.0,
        "day0": None,  # the protocol's [infusions] day0
    }
    # docs/methods/trial.md §4.7: day 0 is the first infusion (docs/trial-data.md), for everything
    assert p.infusions.day0 == "first"
    assert {p.day0_of(k) for k in [*ep, "continuous", "grading", "survival"]} == {"first"}
    assert ep["insulin_independent_180_365"].window == (180, 365)
    assert ep["insulin_independent_180_365"].min_coverage == 0.80
    assert ep["hba1c_lt7_day365"].window == (335, 395)
    assert ep["tir_gt70_day365"].window == (352, 365)
    assert (ep["tir_gt70_day365"].above_pct, ep["tir_gt70_day365"].min_sufficiency) == (70.0, 0.7)
    assert ep["primary"].components == ["she_free_90_365", "hba1c_response_180_365"]
    assert p.cohort_groups["B+C"] == ["B", "C"]
    assert p.continuous.insulin_window == (352, 365)


@pytest.mark.parametrize("name", BUILTIN_PROTOCOLS)
def test_builtin_protocols_load(name: str) -> None:
    assert load_protocol(name).name == name


def test_protocol_from_file(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(_default_text().replace('name = "zimislecel-2025"', 'name = "mine"'))
    assert load_protocol(path).name == "mine"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("window = [90, 365]", "window = [365, 90]", "endpoints.she_free_90_365"),
        ("window = [90, 365]", 'window = [90, "end"]', "endpoints.she_free_90_365.window[1]"),
        (
            "min_coverage = 0.80",
            "min_coverage = 1.5",
            "endpoints.insulin_independent_180_365.min_coverage",
        ),
        ('kind = "she_free"', 'kind = "she_freee"', "endpoints.she_free_90_365"),
        ('primary_endpoint = "primary"', 'primary_endpoint = "main"', "(top level)"),
        ('"B+C" = ["B", "C"]', '"B+C" = []', "(top level)"),
        (
            "above_pct = 70.0",
            "above_pct = 70.0\nthreshold = 3",
            "endpoints.tir_gt70_day365.threshold",
        ),
        (
            'components = ["she_free_90_365", "hba1c_response_180_365"]',
            'components = ["she_free_90_365", "nope"]',
            "(top level)",
        ),
        ("report_visit = 365", "report_visit = 400", "grading"),
    ],
)
def test_bad_field_is_named(tmp_path: Path, old: str, new: str, field: str) -> None:
    text = _default_text()
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        load_protocol(path)
    assert f"field {field}" in str(info.value), str(info.value)
    assert "bad.toml" in str(info.value)


def test_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text("name = \n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_protocol(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_protocol(tmp_path / "none.toml")


def test_shipped_toml_parses_as_plain_toml() -> None:
    assert tomllib.loads(_default_text())["name"] == "zimislecel-2025"


@pytest.mark.parametrize("key", ["bad__key", "1st", "cohort", "igls2_outcome", "has-dash"])
def test_endpoint_key_rules(tmp_path: Path, key: str) -> None:
    path = tmp_path / "k.toml"
    path.write_text(
        f'name = "k"\nprimary_endpoint = "{key}"\n[cohort_groups]\nA = ["A"]\n'
        f'[endpoints."{key}"]\nkind = "she_free"\nwindow = [0, 30]\n'
    )
    with pytest.raises(InputError, match="endpoint key"):
        load_protocol(path)


def test_grading_c_peptide_column_and_footnote_are_named_parameters() -> None:
    from endolab.trial.protocol import load_protocol

    g = load_protocol().grading
    assert g.c_peptide_column == "nmol_l" and g.igls1_c_peptide_footnote is True
    from pydantic import ValidationError

    from endolab.trial.protocol import GradingSpec

    assert GradingSpec(c_peptide_column="ng_ml").c_peptide_column == "ng_ml"
    with pytest.raises(ValidationError):
        GradingSpec(c_peptide_column="mg_dl")  # type: ignore[arg-type]
