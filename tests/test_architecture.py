"""The layers of lib/belthaw are visible in the tree and imports only go down.

base (paths, errors, parameters, provenance, freshness, style) <- data <- transforms <-
charts <- figure <- notebook, briefing <- run <- cli. A module may import its own layer
or any layer below it, never one above; and no two modules import each other in a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).parents[1] / "lib" / "belthaw"

#: Layer of every top-level module or package, lowest first.
LAYERS = {
    "__init__": 0,
    "paths": 0,
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


@pytest.mark.parametrize("name", sorted(modules()))
def test_imports_only_go_down(name):
    path = modules()[name]
    upward = sorted(i for i in imports(name, path) if layer(i) > layer(name))
    assert not upward, f"{name} (layer {layer(name)}) imports upward: {upward}"


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


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_over_500_lines_without_a_reason(name):
    text = modules()[name].read_text(encoding="utf-8")
    n = text.count("\n")
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert n <= MAX_LINES or "longer than 500 lines" in doc.lower(), (
        f"{name} has {n} lines; split it or say at its top why it is longer than 500 lines"
    )


def test_one_module_per_chart():
    from belthaw.charts import CHARTS

    for figure, module in CHARTS.items():
        path = PKG / "charts" / f"{module}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert "build" in names, f"{figure}: charts/{module}.py has no build()"
        assert any(n.startswith("plot_") or n.endswith("_figure") for n in names), module


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
