"""The naming rule of docs/methods/index.md §4 (issue 22): functions named after a published model
end in ``_<author>_<year>``; method keys are the author and year with no separator."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import warnings

import pytest

import endolab

#: A year in a function name (1900–2099) not at the end, or not after an underscore, breaks the rule.
_YEAR = re.compile(r"(19|20)\d\d")
_FUNCTION_RULE = re.compile(r"^[a-z][a-z0-9_]*_(19|20)\d\d$")
_KEY_RULE = re.compile(r"^[a-z]+(19|20)\d\d$")

#: Former names kept as documented deprecated aliases (docs/methods/index.md §4).
DEPRECATED = {
    "coviello_2006_clearance_factor": "clearance_factor_coviello_2006",
    "schulte_beerbuhl_1980_cypionate": "cypionate_schulte_beerbuhl_1980",
    "behre_1999_undecanoate": "undecanoate_behre_1999",
    "basal_secretion_dallaman2007": "basal_secretion_dalla_man_2007",
}


def _functions() -> dict[str, object]:
    found: dict[str, object] = {}
    for info in pkgutil.walk_packages(endolab.__path__, "endolab."):
        if ".cli" in info.name or ".web" in info.name:
            continue  # front ends: no published model lives there
        try:
            module = importlib.import_module(info.name)
        except ModuleNotFoundError:  # an optional extra not installed
            continue
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and obj.__module__ == info.name and _YEAR.search(name):
                found[f"{info.name}.{name}"] = obj
    return found


def checked_names(names: list[str]) -> list[str]:
    """The names in ``names`` that break the function rule."""
    return [n for n in names if not _FUNCTION_RULE.match(n.rsplit(".", 1)[-1])]


def test_the_rule_catches_the_former_spellings() -> None:
    assert checked_names(list(DEPRECATED)) == list(DEPRECATED)  # each former name fails the rule
    assert checked_names(list(DEPRECATED.values())) == []


def test_every_function_named_after_a_model_ends_in_author_year() -> None:
    names = [n for n in _functions() if n.rsplit(".", 1)[-1] not in DEPRECATED]
    assert len(names) > 20  # the walk found the models (vermeulen_1999, gmi_bergenstal_2018, …)
    assert checked_names(names) == []


def test_method_keys_are_author_year_without_separator() -> None:
    from endolab.hormones import BINDING_CONSTANTS

    keys = [*BINDING_CONSTANTS, "dallaman2007"]
    assert [k for k in keys if not _KEY_RULE.match(k)] == []
    assert not _KEY_RULE.match("vermeulen_1999") and not _KEY_RULE.match("Vermeulen1999")


@pytest.mark.parametrize(("old", "new"), sorted(DEPRECATED.items()))
def test_deprecated_aliases_warn_and_give_the_same_result(old: str, new: str) -> None:
    module = importlib.import_module(
        "endolab.sim.graft" if "dallaman" in old else "endolab.hormones.pk"
    )
    args = (70.0,) if "clearance" in new else ()
    with pytest.warns(DeprecationWarning, match=f"use {new}"):
        old_result = getattr(module, old)(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(module, new)(*args) == old_result
