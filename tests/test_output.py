"""endolab.output: the JSON envelope every front end uses."""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
import json
from pathlib import Path

import numpy as np
import pytest

from endolab.output import DISCLAIMER, json_text, to_jsonable, with_disclaimer


def test_to_jsonable_types() -> None:
    value = {
        1: fractions.Fraction(3, 8),  # 0.375 exactly
        "dec": decimal.Decimal("0.10"),
        "nan": float("nan"),
        "inf": float("-inf"),
        "when": dt.datetime(2025, 1, 6, 7, 30),
        "path": Path("a") / "b.csv",
        "np": np.float64(2.5),
        "arr": np.array([1, 2]),
        "tuple": (True, None),
    }
    assert to_jsonable(value) == {
        "1": 0.375,
        "dec": "0.10",
        "nan": None,
        "inf": None,
        "when": "2025-01-06T07:30:00",
        "path": str(Path("a") / "b.csv"),
        "np": 2.5,
        "arr": [1, 2],
        "tuple": [True, None],
    }


def test_to_jsonable_rejects_unknown_objects() -> None:
    with pytest.raises(TypeError, match="cannot serialise object"):
        to_jsonable(object())


def test_json_text_is_strict_json() -> None:
    text = json_text({"x": float("nan"), "µ": 1})
    assert json.loads(text) == {"x": None, "µ": 1}
    assert "µ" in text and text.startswith("{\n  ")  # not ASCII-escaped; indented by 2


def test_with_disclaimer_copies() -> None:
    record = {"a": 1}
    out = with_disclaimer(record)
    assert out == {"a": 1, "disclaimer": DISCLAIMER}
    assert record == {"a": 1}  # the input is not modified
