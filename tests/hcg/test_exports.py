"""Public API of endolab.hcg: an explicit __all__ whose names all exist."""

from __future__ import annotations

import endolab.hcg as hcg


def test_all_names_exist() -> None:
    for name in hcg.__all__:
        assert hasattr(hcg, name), name


def test_spec_functions_are_public() -> None:
    for name in ("mix", "reverse", "suggest_diluent", "schedule", "plan", "PRESETS", "SYRINGES"):
        assert name in hcg.__all__
