"""The checks pre-commit runs, run again here so CI tells a contributor who skipped them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.hygiene

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tools"))
import check_notebooks  # noqa: E402


def _run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)


def test_ruff_lint_is_clean():
    proc = _run(str(BIN / "ruff"), "check", "lib", "tests", "tools", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_is_clean():
    proc = _run(str(BIN / "ruff"), "format", "--check", "lib", "tests", "tools", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_committed_notebooks_are_clean_and_parameterised():
    assert check_notebooks.main([]) == 0


@pytest.mark.parametrize(
    "mutate,words",
    [
        (lambda nb: nb["cells"][2].update(outputs=[{"text": "x"}]), "has outputs"),
        (lambda nb: nb["cells"][2].update(execution_count=3), "execution count"),
        (lambda nb: nb["cells"][2]["metadata"].update(tags=[]), "tagged 'parameters'"),
        (lambda nb: nb["cells"][2].update(source="start = '2024-07-01'\n"), "parameters cell line 1"),
    ],
)  # fmt: skip
def test_notebook_check_catches(tmp_path, mutate, words):
    nb = json.loads((ROOT / "notebooks" / "01_releases.ipynb").read_text())
    assert "parameters" in nb["cells"][2]["metadata"]["tags"]
    mutate(nb)
    bad = tmp_path / "01_releases.ipynb"  # checked against the declaration of its name
    bad.write_text(json.dumps(nb))
    assert any(words in p for p in check_notebooks.problems(bad))


def test_frictionless_validates_the_data_package():
    """The ecosystem's own validator agrees with ours on the shipped data."""
    proc = _run(str(BIN / "frictionless"), "validate", "--json", "data/datapackage.json")
    report = json.loads(proc.stdout)
    assert report["valid"], json.dumps(report["tasks"], indent=1)[:3000]
    assert proc.returncode == 0


def test_datapackage_documents_every_field():
    dp = json.loads((ROOT / "data" / "datapackage.json").read_text())
    assert dp["licenses"] and dp["sources"]
    for res in dp["resources"]:
        for f in res["schema"]["fields"]:
            assert f.get("title") and f.get("description"), f"{res['name']}.{f['name']}"


def test_pre_commit_uses_local_hooks_only():
    cfg = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert {r["repo"] for r in cfg["repos"]} == {"local"}
    ids = {h["id"] for r in cfg["repos"] for h in r["hooks"]}
    assert {
        "ruff-check",
        "ruff-format",
        "nbstripout",
        "notebook-parameters",
        "belthaw-validate",
    } <= ids
    for r in cfg["repos"]:
        for h in r["hooks"]:
            assert h["language"] == "system" and h["entry"].startswith((".venv/bin/",))


def test_importing_belthaw_does_no_io_and_stays_light():
    code = (
        "import sys, builtins; opened = []; real = builtins.open\n"
        "builtins.open = lambda *a, **k: (opened.append(a[0]), real(*a, **k))[1]\n"
        "import belthaw, belthaw.paths\n"
        "assert not opened, opened\n"
        "heavy = [m for m in ('matplotlib', 'papermill', 'pandas') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_readme_data_dictionary_matches_the_schema():
    proc = _run(sys.executable, "tools/data_dictionary.py", "--check")
    assert proc.returncode == 0, proc.stdout


def test_readme_names_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci
