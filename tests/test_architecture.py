"""Repository hygiene: the layers of lib/belthaw are visible and imports only go down.

base (paths, errors, counting, catalogue, parameters, provenance, freshness, style) <- data
<- transforms <- charts <- figure <- notebook, briefing <- run <- cli. A module may import
its own layer or any layer below it, never one above; no import cycles; no ``_private``
name imported from another module; every chart module has the public shape notebooks use.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.hygiene

PKG = Path(__file__).parents[1] / "lib" / "belthaw"

#: Layer of every top-level module or package, lowest first.
LAYERS = {
    "__init__": 0,
    "paths": 0,
    "counting": 0,
    "catalogue": 0,
    "errors": 0,
    "parameters": 0,
    "provenance": 0,
    "freshness": 0,
    "style": 0,
    "data": 1,
    "transforms": 2,
    "charts": 3,
    "figure": 4,
    "notebook": 5,
    "briefing": 5,
    "setup_cmd": 5,
    "run": 6,
    "cli": 7,
    "__main__": 7,
}
MAX_LINES = 500


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(module: str, is_pkg: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        if not (node.module or "").startswith("belthaw"):
            return []
        base = node.module.split(".")[1:]
    else:
        here = module.split(".") if is_pkg else module.split(".")[:-1]
        up = node.level - 1
        base = here[: len(here) - up] if up else here
        base = base + (node.module.split(".") if node.module else [])
    if node.module is None or not base:
        return [".".join([*base, a.name]) for a in node.names]
    return [".".join(base)]


def imports(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.update(_resolve(name, path.name == "__init__.py", node))
        elif isinstance(node, ast.Import):
            found.update(
                a.name.split(".", 1)[1] for a in node.names if a.name.startswith("belthaw.")
            )
    return {f for f in found if f and f.split(".")[0] in LAYERS}


def layer(name: str) -> int:
    return LAYERS[name.split(".")[0]]


def test_every_module_has_a_layer():
    assert {n.split(".")[0] for n in modules()} <= set(LAYERS)


def test_imports_only_go_down():
    upward = [
        f"{name} (layer {layer(name)}) imports {i}"
        for name, path in modules().items()
        for i in sorted(imports(name, path))
        if layer(i) > layer(name)
    ]
    assert not upward, upward


def test_no_private_name_imported_across_modules():
    private = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (
                node.level or (node.module or "").startswith("belthaw")
            ):
                private += [
                    f"{name}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_") and a.name != "__version__"
                ]
    assert not private, private


def test_no_import_cycles():
    mods = modules()
    graph = {}
    for name, path in mods.items():
        deps = set()
        for i in imports(name, path):
            # "charts.base.FigureText" -> the module that exists
            parts = i.split(".")
            while parts and ".".join(parts) not in mods:
                parts.pop()
            if parts and ".".join(parts) != name:
                deps.add(".".join(parts))
        graph[name] = deps
    # A package's __init__ re-exporting its own modules is not a cycle between layers.
    for name in graph:
        graph[name] = {d for d in graph[name] if not (name.startswith(d + ".") and d in mods)}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for d in sorted(graph[n]):
            if state.get(d) == 1:
                cycle = stack[stack.index(d) :] + [d]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if d not in state:
                visit(d)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)


def test_no_module_over_500_lines_without_a_reason():
    long = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if text.count("\n") > MAX_LINES and "longer than 500 lines" not in doc.lower():
            long.append(f"{name}: {text.count(chr(10))} lines")
    assert not long, long


CHART_MODULES = [
    "releases",
    "cumulative",
    "relief_steps",
    "exchanges",
    "overview",
    "claims",
    "totals",
]


@pytest.mark.parametrize("module", CHART_MODULES)
def test_every_chart_has_the_public_shape_notebooks_use(module):
    import importlib

    from belthaw.catalogue import FIGURES

    mod = importlib.import_module(f"belthaw.charts.{module}")
    assert mod.NAME in {f.name for f in FIGURES}
    assert callable(mod.draw)
    assert any(n.endswith("_text") and callable(getattr(mod, n)) for n in dir(mod)), module
    if module != "overview":  # the overview's panels are drawn by the other charts' functions
        assert any(n.startswith("plot_") for n in dir(mod)) and callable(mod.marks_drawn)
        assert mod.MARKS and all(m.reads and m.label for m in mod.MARKS)


def test_importing_the_library_does_no_io_and_loads_no_plotting(tmp_path):
    import subprocess
    import sys

    code = (
        "import builtins, sys\n"
        "opened = []\n"
        "real = builtins.open\n"
        "builtins.open = lambda *a, **k: (opened.append(a[0]), real(*a, **k))[1]\n"
        "import belthaw, belthaw.parameters, belthaw.paths, belthaw.provenance\n"
        "print(len(opened), 'matplotlib' in sys.modules, 'pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False", "False"]
