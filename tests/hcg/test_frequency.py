"""resolve_frequency: one of four ways of giving a dosing frequency (the CLI and web forms)."""

from __future__ import annotations

import pytest

from endolab.errors import ParseError
from endolab.hcg import FREQUENCY_PRESETS, Frequency, HcgInputError, resolve_frequency


def test_none_given() -> None:
    assert resolve_frequency() is None


@pytest.mark.parametrize(
    ("kwargs", "interval", "weekdays"),
    [
        ({"per_week": "3"}, None, (0, 2, 4)),  # docs/methods/hcg.md §3.1: 3×/week = Mon+Wed+Fri
        ({"every_days": "3"}, 3, None),
        ({"weekdays": "thu,mon"}, None, (0, 3)),
        ({"freq": "EOD"}, 2, None),
    ],
)
def test_each_form(kwargs: dict[str, str], interval: int | None, weekdays: object) -> None:
    f = resolve_frequency(**kwargs)
    assert isinstance(f, Frequency)
    assert (f.interval_days, f.weekdays) == (interval, weekdays)


def test_two_forms_are_a_parse_error_naming_both() -> None:
    with pytest.raises(ParseError) as info:
        resolve_frequency(every_days="2", weekdays="mon")
    assert info.value.exit_code == 2
    assert str(info.value) == (
        "give only one of --per-week, --every-days, --weekdays, --freq "
        "(got --every-days, --weekdays)"
    )


def test_labels_rename_the_inputs() -> None:
    labels = {"per_week": "a", "every_days": "b", "weekdays": "c", "freq": "d"}
    with pytest.raises(ParseError, match=r"give only one of a, b, c, d \(got a, d\)"):
        resolve_frequency(per_week="1", freq="weekly", labels=labels)


def test_bad_value_is_the_constructors_error() -> None:
    with pytest.raises(HcgInputError) as info:
        resolve_frequency(per_week="4")
    assert info.value.code == "E_SCHEDULE_INVALID"


def test_presets_are_read_only() -> None:
    with pytest.raises(TypeError):
        FREQUENCY_PRESETS["daily"] = Frequency(interval_days=5)  # type: ignore[index]
