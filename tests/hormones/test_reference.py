"""Flags of the predictor (docs/methods/hormones.md §5.7) and the display reference ranges (docs/methods/hormones.md §4)."""

from __future__ import annotations

import pytest

from endolab.hormones import predict
from endolab.hormones.reference import REFERENCE_RANGES


def codes(flags: tuple[str, ...]) -> set[str]:
    return {f.split(":")[0] for f in flags}


def test_always_assay_and_timing_notes() -> None:
    flags = predict(500, age=30, shbg=33).flags
    assert codes(flags) == {"assay", "sample timing"}
    assert any("LC-MS/MS" in f and "immunoassay" in f for f in flags)
    assert any("trough" in f for f in flags)


@pytest.mark.parametrize(
    ("tt", "expected"),
    [
        (200, {"low total T"}),
        (264, set()),
        (916, set()),
        (1000, {"high total T"}),
        (1600, {"supraphysiologic total T"}),
        (2400, {"supraphysiologic total T", "beyond the trial"}),
    ],
)
def test_total_t_flags(tt: float, expected: set[str]) -> None:
    got = codes(predict(tt, age=30, shbg=33).flags) - {"assay", "sample timing"}
    assert got == expected


@pytest.mark.parametrize("tt", [300, 500, 916, 1200])
def test_shbg_assumed_is_flagged_at_every_total_t(tt: float) -> None:
    # issue 12: the flag is raised whenever SHBG is assumed, not only above the reference range
    assert "SHBG assumed" in codes(predict(tt, age=30).flags)
    assert "SHBG assumed" not in codes(predict(tt, age=30, shbg=33).flags)


def test_shbg_default_at_high_t() -> None:
    assert "SHBG default at high T" in codes(predict(1200, age=30).flags)
    assert "SHBG default at high T" not in codes(predict(1200, age=30, shbg=30).flags)


@pytest.mark.parametrize(
    ("age", "flagged"), [(18, True), (19, False), (75, False), (76, True), (90, True)]
)
def test_age_outside_trial(age: float, flagged: bool) -> None:
    assert ("age outside the trial" in codes(predict(500, age=age).flags)) is flagged


def test_missing_age_is_not_flagged_as_outside_trial() -> None:
    assert "age outside the trial" not in codes(predict(500).flags)


def test_reference_ranges_are_the_spec_s() -> None:
    assert REFERENCE_RANGES["total_testosterone"][:3] == (264.0, 916.0, "ng/dL")
    assert REFERENCE_RANGES["estradiol"][:3] == (3.3, 37.0, "pg/mL")
    assert REFERENCE_RANGES["dht"][:3] == (11.2, 95.5, "ng/dL")
    assert REFERENCE_RANGES["free_testosterone"].low == 70.0
