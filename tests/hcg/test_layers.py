"""The import graph of ``endolab.hcg`` runs one way, and no private name crosses a module.

Layers, bottom to top: notices → numbers, products, syringes, frequency → inputs → arithmetic →
messages (notice builders) → results (output records) → schedule → mixing → records, pictures,
calendar → the package. Imports inside functions and under ``if TYPE_CHECKING:`` count, so a cycle
hidden behind a lazy import fails as well (``mixing`` ↔ ``schedule`` was one).

Breaking the rule fails the test: e.g. ``from endolab.hcg.mixing import mix`` inside
``schedule.py`` gives "endolab.hcg.schedule (layer 7) imports endolab.hcg.mixing (layer 8)".
"""

from __future__ import annotations

import ast
from pathlib import Path

import endolab.hcg

ROOT = Path(endolab.hcg.__file__).resolve().parent

LAYERS: dict[str, int] = {
    "endolab.hcg.notices": 0,
    "endolab.hcg._numbers": 1,
    "endolab.hcg.products": 1,
    "endolab.hcg.syringes": 2,
    "endolab.hcg.frequency": 2,
    "endolab.hcg.inputs": 3,
    "endolab.hcg.arithmetic": 4,
    "endolab.hcg.messages": 5,
    "endolab.hcg.results": 6,
    "endolab.hcg.schedule": 7,
    "endolab.hcg.mixing": 8,
    "endolab.hcg.records": 9,
    "endolab.hcg.svg": 9,
    "endolab.hcg.ics": 9,
    "endolab.hcg": 10,
}


def _name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    return ".".join(["endolab.hcg", *[p for p in rel.parts if p != "__init__"]])


MODULES = {_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(module: str) -> list[tuple[int, str, list[str]]]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("endolab.hcg"):
                found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("endolab.hcg"):
                    found.append((node.lineno, alias.name, []))
    return found


def test_every_module_has_a_layer() -> None:
    assert sorted(set(MODULES) - set(LAYERS)) == []


def test_imports_point_down() -> None:
    wrong = [
        f"{m} (layer {LAYERS[m]}) imports {target} (layer {LAYERS[target]}) on line {line}"
        for m in MODULES
        for line, target, _ in _imports(m)
        if target in LAYERS and LAYERS[target] > LAYERS[m]
    ]
    assert wrong == []


def test_no_private_name_crosses_a_module() -> None:
    wrong = [
        f"{m} line {line}: {name} from {target}"
        for m in MODULES
        for line, target, names in _imports(m)
        for name in names
        if name.startswith("_") and target != m
    ]
    assert wrong == []


def test_no_cycle() -> None:
    graph = {m: {t for _, t, _ in _imports(m) if t in MODULES and t != m} for m in MODULES}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in graph[m]:
            if state.get(t) == 1:
                raise AssertionError(" → ".join([*path, m, t]))
            if t not in state:
                visit(t, [*path, m])
        state[m] = 2

    for m in MODULES:
        if m not in state:
            visit(m, [])
