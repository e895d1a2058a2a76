"""The lock files, pyproject.toml and environment.yml agree with each other and with lib/."""

from __future__ import annotations

import ast
import sys
import tomllib
from collections import defaultdict
from importlib.metadata import packages_distributions
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import sync_env  # noqa: E402

RUNTIME = (ROOT / "requirements.lock").read_text(encoding="utf-8")
DEV = (ROOT / "requirements-dev.lock").read_text(encoding="utf-8")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

#: Development tools that must never be installed by `make run`.
DEV_ONLY = {
    "pytest",
    "hypothesis",
    "playwright",
    "jupyterlab",
    "ruff",
    "nbstripout",
    "pre-commit",
    "frictionless",
    "check-jsonschema",
    "uv",
}


def versions(lock_text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for name, version, _ in sync_env.pins(lock_text):
        out[name].add(version)
    return dict(out)


def declared(specs: list[str]) -> set[str]:
    from packaging.requirements import Requirement

    return {sync_env.norm(Requirement(s).name) for s in specs}


def test_environment_yml_is_generated_from_the_dev_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip[-1] == "-e ."
    assert pip[:-1] == sync_env.requirement_lines(DEV), "run `make lock` (tools/sync_env.py)"
    assert sync_env.main(["--check"]) == 0


def test_environment_python_matches_the_supported_version():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]


def test_locks_pin_exact_versions():
    for text in (RUNTIME, DEV):
        assert sync_env.pins(text)  # parse() raises on anything but name==version


def test_every_declared_dependency_is_locked():
    assert declared(PROJECT["dependencies"]) <= set(versions(RUNTIME))
    assert declared(PROJECT["optional-dependencies"]["dev"]) <= set(versions(DEV))


def test_dev_lock_uses_the_runtime_versions():
    rt, dev = versions(RUNTIME), versions(DEV)
    missing = set(rt) - set(dev)
    assert not missing, f"in requirements.lock but not requirements-dev.lock: {missing}"
    drift = {k: (rt[k], dev[k]) for k in rt if rt[k] != dev[k]}
    assert not drift, f"version drift (runtime, dev): {drift}"


def test_runtime_lock_has_no_development_tools():
    assert not DEV_ONLY & set(versions(RUNTIME))
    # Nor the slow optional URI checker, which only jupyterlab (dev) brings in: with it,
    # `import papermill` takes ~1 s longer (jsonschema compiles its grammars).
    assert not {"rfc3987-syntax", "lark", "jupyter-events"} & set(versions(RUNTIME))


def test_locks_are_universal():
    """One lock for Linux, macOS and Windows: platform-only packages carry markers."""
    for text in (RUNTIME, DEV):
        marks = {name: marker for name, _, marker in sync_env.pins(text)}
        assert "sys_platform == 'win32'" in marks["colorama"]
        assert "sys_platform == 'darwin'" in marks["appnope"]
    assert "os_name == 'nt'" in {n: m for n, _, m in sync_env.pins(DEV)}["pywinpty"]


def _third_party_imports() -> set[str]:
    mods = set()
    for path in (ROOT / "lib" / "belthaw").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                mods |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                mods.add(node.module.split(".")[0])
    return {m for m in mods if m not in sys.stdlib_module_names and m != "belthaw"}


def test_every_package_lib_imports_is_a_declared_runtime_dependency():
    dists = packages_distributions()
    deps = declared(PROJECT["dependencies"])
    undeclared = {}
    for mod in sorted(_third_party_imports()):
        names = {sync_env.norm(d) for d in dists.get(mod, [mod])}
        if not names & deps:
            undeclared[mod] = sorted(names)
    assert not undeclared, (
        f"imported by lib/belthaw but not in [project] dependencies: {undeclared}"
    )
