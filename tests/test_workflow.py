"""The GitHub Actions workflow is valid and runs the README's commands."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKFLOW = ROOT / ".github" / "workflows" / "workbook.yml"


def readme_commands() -> list[str]:
    """Commands of the README's Quick start block (``make run  # comment`` -> ``make run``)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README's Quick start has no ```sh block"
    cmds = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [c for c in cmds if c]


def steps() -> list[dict]:
    wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return wf["jobs"]["workbook"]["steps"]


def run_lines() -> list[str]:
    return [
        line.strip()
        for s in steps()
        if "run" in s
        for line in s["run"].splitlines()
        if line.strip()
    ]


@pytest.mark.hygiene
def test_workflow_is_valid_for_github_actions():
    proc = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_quick_start_names_the_two_commands():
    assert readme_commands() == ["make run", "make test"]


def test_workflow_runs_the_readme_commands_after_the_system_packages():
    lines = run_lines()
    for cmd in readme_commands():
        assert cmd in lines, f"the workflow does not run the README's `{cmd}`"
    apt = next(i for i, line in enumerate(lines) if "libreoffice-writer-nogui" in line)
    assert "chromium" in " ".join(lines[: lines.index("make test")])
    assert apt < lines.index("make test") and apt < lines.index("make run")


def test_workflow_fails_on_stale_figures_and_keeps_the_outputs():
    lines = run_lines()
    diff = next(i for i, line in enumerate(lines) if line.startswith("git diff --exit-code"))
    assert "figures" in lines[diff] and diff > lines.index("make run")
    upload = next(s for s in steps() if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload.get("if") == "always()"
    assert set(upload["with"]["path"].split()) == {"figures/", "build/briefing/"}


def test_workflow_caches_pip_on_the_lock_files():
    setup = next(s for s in steps() if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip"
    assert set(setup["with"]["cache-dependency-path"].split()) == {
        "requirements.lock",
        "requirements-dev.lock",
    }


def test_workflow_triggers_on_push_and_pull_request():
    wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as True
    assert {"push", "pull_request"} <= set(triggers)


@pytest.mark.slow
def test_the_install_jobs_own_commands_pass_here(tmp_path):
    """The macOS/Windows job's check step, run as written (with this venv's Python)."""
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["install"]
    step = next(s for s in job["steps"] if s.get("name") == "Check the environment")
    env = {
        **os.environ,
        "BELTHAW_FIGURES_DIR": str(tmp_path / "figures"),
        "BELTHAW_BUILD_DIR": str(tmp_path / "build"),
    }
    # The step finds .venv's Python itself; here that is the interpreter running the tests.
    script = step["run"].replace(
        "if [ -x .venv/Scripts/python.exe ]", f"PY={sys.executable}; if false"
    )
    proc = subprocess.run(
        ["bash", "-e", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert list((tmp_path / "figures").glob("*.png")), "belthaw run drew nothing"


def test_the_up_to_date_check_does_not_depend_on_the_calendar():
    step = next(s for s in steps() if "make run" in s.get("run", ""))
    assert 'BELTHAW_TODAY="$(git log -1 --format=%cs -- data/)"' in step["run"]
    checkout = next(s for s in steps() if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
