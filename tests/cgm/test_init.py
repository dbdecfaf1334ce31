"""The public API of endolab.cgm: every exported name exists, has a docstring, and the contract
names used by other packages (trial analytics) are there."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = [
    "endolab.cgm",
    "endolab.cgm.frame",
    "endolab.cgm.metrics",
    "endolab.cgm.periods",
    "endolab.cgm.compute",
    "endolab.cgm.episode_calc",
    "endolab.cgm.agp",
    "endolab.cgm.readers",
    "endolab.cgm.columns",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist_and_callables_are_documented(name: str) -> None:
    module = importlib.import_module(name)
    for attr in module.__all__:
        obj = getattr(module, attr)
        is_function = inspect.isfunction(obj) or inspect.isclass(obj)
        if is_function and obj.__module__.startswith("endolab"):
            assert obj.__doc__, f"{name}.{attr} has no docstring"


def test_contract_names() -> None:
    import endolab.cgm as cgm

    for attr in (
        "check_frame",
        "compute_metrics",
        "episodes",
        "agp_percentiles",
        "agp_figure",
        "to_pandas",
        "from_pandas",
    ):
        assert attr in cgm.__all__
