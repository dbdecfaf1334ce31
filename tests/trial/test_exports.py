"""Every public module of endolab.trial lists names that exist, and importing stays light."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

MODULES = [
    "endolab.trial",
    "endolab.trial.analysis",
    "endolab.trial.dataset",
    "endolab.trial.dataset.checks",
    "endolab.trial.dataset.model",
    "endolab.trial.dataset.read",
    "endolab.trial.dataset.schema",
    "endolab.trial.dataset.write",
    "endolab.trial.endpoints",
    "endolab.trial.figures",
    "endolab.trial.grading",
    "endolab.trial.protocol",
    "endolab.trial.report",
    "endolab.trial.stats",
    "endolab.trial.tables",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, name
    for item in module.__all__:
        assert hasattr(module, item), f"{name}.{item}"


def test_cli_module_does_not_import_science() -> None:
    code = (
        "import sys, endolab.cli.trial; "
        "print(any(m in sys.modules for m in ('polars', 'matplotlib', 'scipy', 'endolab.trial')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
