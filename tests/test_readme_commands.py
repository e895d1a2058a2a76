"""Every command the README shows for Linux and macOS runs as written, as a subprocess.

The commands are read from the README's ``sh`` blocks, so a command added to the README
is run here too (a command the table below does not know fails the first test). Runs
write into a temporary figures/build folder (BELTHAW_FIGURES_DIR, BELTHAW_BUILD_DIR), never
over the committed figures.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.notebooks

#: Commands shown but not run here, and why (each is exercised elsewhere).
ELSEWHERE = {
    "make run": "the main job: .ci/run and the user's workflow run it",
    "make test": "this test suite",
    "make lab": "opens a browser; tests/test_jupyterlab.py drives JupyterLab",
    "jupyter lab notebooks/": "opens a browser; tests/test_jupyterlab.py drives JupyterLab",
    "python3 -m venv .venv": "the install itself (tests/test_install.py)",
    "python -m pip install -r requirements.lock -e .": "the install itself (tests/test_install.py)",
    "python -m ipykernel install": "the install itself (tests/test_install.py)",
    "conda env create": "no conda here; tests/test_environment.py keeps environment.yml in sync",
}


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            cmd = line.split("  #")[0].strip()
            if cmd and not cmd.startswith("#"):
                out.append(cmd)
    return out


def _elsewhere(cmd: str) -> bool:
    return any(key in cmd for key in ELSEWHERE)


COMMANDS = [c for c in readme_commands() if not _elsewhere(c)]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A folder to run from: the notebooks and data of the project, fresh figures/build."""
    home = tmp_path_factory.mktemp("readme")
    (home / "notebooks").symlink_to(ROOT / "notebooks")
    (home / "data").symlink_to(ROOT / "data")
    (home / "build").mkdir()
    (home / "my-params.yaml").write_text("infer_window_days: 3\n", encoding="utf-8")
    env = dict(os.environ)
    env.update(
        BELTHAW_FIGURES_DIR=str(home / "figures"),
        BELTHAW_BUILD_DIR=str(home / "build"),
        BELTHAW_TODAY="2026-11-23",
    )
    return home, env


def test_the_readme_shows_commands_and_each_is_run_or_accounted_for():
    assert len(COMMANDS) >= 10
    for cmd in readme_commands():
        assert cmd.startswith((".venv/bin/", "make ", "python", "conda")) or _elsewhere(cmd), cmd


@pytest.mark.parametrize("cmd", COMMANDS)
def test_readme_command_runs_as_written(sandbox, cmd):
    home, env = sandbox
    argv = shlex.split(cmd)
    if argv[0].startswith(".venv/bin/"):
        argv[0] = str(BIN / argv[0].removeprefix(".venv/bin/"))
    proc = subprocess.run(argv, cwd=home, env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{cmd}\n{out[-3000:]}"
    assert "Traceback" not in out, out[-3000:]
