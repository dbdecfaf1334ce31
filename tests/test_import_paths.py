"""Import paths: no private name crosses a module, and every import the docs show works.

A private helper (``_name``) imported from another module fails the first test, e.g.
``from endolab.sim.runner import _check_inputs`` in ``cli/sim.py`` gives
"src/endolab/cli/sim.py:53: _check_inputs from endolab.sim.runner".
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import endolab

SRC = Path(endolab.__file__).resolve().parent
REPO = SRC.parent.parent


def _module(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    return ".".join(p for p in rel.parts if p != "__init__")


def test_no_private_name_imported_across_modules() -> None:
    modules = {_module(p) for p in SRC.rglob("*.py")}
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module):
                continue
            if not node.module.startswith("endolab"):
                continue
            for alias in node.names:
                name = alias.name
                private = name.startswith("_") and not name.startswith("__")
                if private and f"{node.module}.{name}" not in modules:
                    rel = path.relative_to(REPO)
                    wrong.append(f"{rel}:{node.lineno}: {name} from {node.module}")
    assert wrong == []


DOCS = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]
_IMPORT = re.compile(r"^\s*from (endolab[\w.]*) import ([\w, ]+)$", re.M)


def _is_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_documented_import_works(doc: Path) -> None:
    if not doc.is_file():
        pytest.skip(f"{doc.name} is not in this checkout")
    missing = []
    for match in _IMPORT.finditer(doc.read_text(encoding="utf-8")):
        module = importlib.import_module(match.group(1))
        for name in (n.strip() for n in match.group(2).split(",")):
            if name and not hasattr(module, name) and not _is_module(f"{match.group(1)}.{name}"):
                missing.append(f"from {match.group(1)} import {name}")
    assert missing == []
