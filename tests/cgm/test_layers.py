"""The import graph of ``endolab.cgm`` runs one way: schema → frame → kernels →
metrics/episodes/indices → compute, with no cycles and no private names imported across modules.

The test reads the source (AST) of every module under src/endolab/cgm, including imports inside
functions (lazy imports) and under ``if TYPE_CHECKING:``, so a cycle hidden behind a lazy import
fails it as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import endolab.cgm

ROOT = Path(endolab.cgm.__file__).resolve().parent
PACKAGE = "endolab.cgm"

#: Layer of every module, bottom (0) to top. A module may import from its own layer or below.
LAYERS: dict[str, int] = {
    "endolab.cgm.schema": 0,
    "endolab.cgm.docstrings": 0,
    "endolab.cgm.frame": 1,
    "endolab.cgm.data": 1,  # a canonical frame with its notices
    "endolab.cgm.periods": 1,
    "endolab.cgm.windows": 1,
    "endolab.cgm.kernels": 2,
    "endolab.cgm.kernels.chunks": 2,
    "endolab.cgm.kernels.groups": 2,
    "endolab.cgm.kernels.grid": 2,
    "endolab.cgm.metrics": 3,
    "endolab.cgm.episode_calc": 3,
    "endolab.cgm.indices": 3,  # the package and every module in it (see _layer)
    "endolab.cgm.columns": 3,
    "endolab.cgm.registry": 3,  # one entry per statistic; functions imported when called
    "endolab.cgm.compute": 4,
    "endolab.cgm.agp": 4,
    "endolab.cgm.readers": 4,  # the package and every vendor module in it (see _layer)
    "endolab.cgm.tables": 4,
    "endolab.cgm.distributed": 4,  # compute on Dask: per-partition compute + combine
    "endolab.cgm.results": 4,  # reading, episodes and the AGP with their notices as data
    "endolab.cgm.fhir": 4,  # HL7 FHIR CGM exchange: metrics from compute, readings from frame
    "endolab.cgm.report": 4,  # the clinic AGP report: a view of compute's metrics and the AGP
    "endolab.cgm.meals": 4,  # meal-time segments: split by frame, metrics from compute
    "endolab.cgm": 5,  # the package's public face re-exports the top
}
LAYER_NAMES = {0: "schema", 1: "frame", 2: "kernels", 3: "metrics/episodes/indices", 4: "compute"}

#: Modules outside endolab.cgm that the engine may use (the shared, science-free foundations).
ALLOWED_OUTSIDE = {
    "endolab.errors",
    "endolab.notices",
    "endolab.units",
    "endolab.output",
    "endolab._io",
    "endolab.dates",
    "endolab.resources",
    "endolab._dask",
    "endolab._templates",
}  # _io: atomic writes; dates: one wording for impossible dates; resources: memory limits;
#   _dask: the Dask session/gather plumbing shared by every engine; _templates: the jinja2 setup


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PACKAGE, *parts])


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


MODULES = _modules()


def _layer(module: str) -> int:
    if module in LAYERS:
        return LAYERS[module]
    if module.startswith("endolab.cgm.indices."):
        return LAYERS["endolab.cgm.indices"]
    if module.startswith("endolab.cgm.readers."):
        return LAYERS["endolab.cgm.readers"]
    raise KeyError(module)


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if MODULES[importer].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(module: str, tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    """(line, imported endolab module, names) for every import in ``tree``, at any depth."""
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names if a.name.startswith("endolab")]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if not target.startswith("endolab"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:  # `from endolab.cgm import metrics`: the submodule
                    found.append((node.lineno, sub, []))
                else:
                    found.append((node.lineno, target, [alias.name]))
    return found


def _graph(sources: dict[str, str]) -> dict[str, list[tuple[int, str, list[str]]]]:
    return {m: imports_of(m, ast.parse(src)) for m, src in sources.items()}


def layer_violations(sources: dict[str, str]) -> list[str]:
    """Every import that points up a layer, leaves the allowed set, or imports a private name."""
    problems = []
    for module, edges in _graph(sources).items():
        for line, target, names in edges:
            where = f"{module}:{line}"
            if target.startswith(PACKAGE) and target != module:
                if _layer(target) > _layer(module):
                    problems.append(
                        f"{where} imports {target} (layer {_layer(target)}) from layer "
                        f"{_layer(module)}: imports must point down "
                        f"({' → '.join(LAYER_NAMES.values())})"
                    )
                private = [n for n in names if n.startswith("_")]
                if private:
                    problems.append(f"{where} imports private name(s) {private} from {target}")
            elif not target.startswith(PACKAGE) and target not in ALLOWED_OUTSIDE:
                problems.append(f"{where} imports {target}, outside the CGM engine")
    return problems


def import_cycles(sources: dict[str, str]) -> list[list[str]]:
    """Cycles between modules of the package (module-level and lazy imports alike)."""
    graph = {
        m: sorted({t for _, t, _ in edges if t in sources and t != m})
        for m, edges in _graph(sources).items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def _sources() -> dict[str, str]:
    return {m: p.read_text(encoding="utf-8") for m, p in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    unknown = []
    for module in MODULES:
        try:
            _layer(module)
        except KeyError:
            unknown.append(module)
    assert not unknown, f"give these modules a layer in LAYERS: {unknown}"


def test_imports_point_down_the_layers() -> None:
    assert layer_violations(_sources()) == []


def test_no_import_cycles() -> None:
    assert import_cycles(_sources()) == []


# ------------------------------------------------- the checks themselves can fail (known cases)


def test_an_upward_lazy_import_is_caught() -> None:
    # the cycle this test was written against: episode_calc imported compute inside a function
    sources = _sources()
    sources["endolab.cgm.episode_calc"] += (
        "\n\ndef _late():\n    from endolab.cgm.compute import compute_metrics\n"
    )
    problems = layer_violations(sources)
    assert len(problems) == 1
    assert "endolab.cgm.episode_calc" in problems[0]
    assert "imports endolab.cgm.compute (layer 4) from layer 3" in problems[0]
    assert any("endolab.cgm.episode_calc" in c for c in import_cycles(sources))


@pytest.mark.parametrize(
    ("module", "line", "expected"),
    [
        (
            "endolab.cgm.indices.pgs",
            "from endolab.cgm.indices.gvp import _helper\n",
            "imports private name(s) ['_helper']",
        ),
        ("endolab.cgm.metrics", "import endolab.trial\n", "outside the CGM engine"),
        ("endolab.cgm.kernels.grid", "from endolab.cgm import metrics\n", "layer 3) from layer 2"),
    ],
)
def test_other_violations_are_caught(module: str, line: str, expected: str) -> None:
    sources = _sources()
    sources[module] = line + sources[module]
    problems = layer_violations(sources)
    assert len(problems) == 1 and expected in problems[0]
